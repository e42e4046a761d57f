// SPDX-License-Identifier: MIT
/*
 * sysprobe NR [ARG...]: makes syscall NR with up to 6 numeric arguments and
 * prints "ok" or "errno NAME". Used by tests/kernel/bwrap.sh to compare a
 * real filter's behaviour with `moat explain`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long a[6] = { 0 };
	long nr, r;

	if (argc < 2 || argc > 8) {
		fprintf(stderr, "usage: sysprobe NR [ARG...]\n");
		return 2;
	}
	nr = strtol(argv[1], NULL, 0);
	for (int i = 2; i < argc; i++)
		a[i - 2] = (long)strtoull(argv[i], NULL, 0);
	errno = 0;
	r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (r == -1)
		printf("errno %s\n", strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	else
		printf("ok\n");
	return 0;
}
