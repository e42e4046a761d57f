// SPDX-License-Identifier: MIT
/*
 * bench/run_loop: a syscall-bound loop for `moat run` (bench/run.sh).
 *
 *   run_loop N                        N getppid calls, prints ns per call
 *   run_loop --libseccomp LIST N      first loads LIST (one allowed syscall
 *                                     name a line, default errno) compiled by
 *                                     libseccomp, then loops
 *
 * Prints "ns_per_call <float>" (best of 3 rounds).
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int load_libseccomp(const char *list)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	FILE *f = fopen(list, "r");
	char name[128];
	int r;

	if (!ctx || !f) {
		perror(list);
		return -1;
	}
	while (fscanf(f, "%127s", name) == 1) {
		int nr = seccomp_syscall_resolve_name(name);

		if (nr == __NR_SCMP_ERROR)
			continue; /* a name libseccomp 2.5 does not know */
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0 && r != -EEXIST) {
			fprintf(stderr, "seccomp_rule_add %s: %s\n", name, strerror(-r));
			return -1;
		}
	}
	fclose(f);
	r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0) {
		fprintf(stderr, "seccomp_load: %s\n", strerror(-r));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long n;
	double best = 1e18;

	if (argc >= 4 && !strcmp(argv[1], "--libseccomp")) {
		if (load_libseccomp(argv[2]))
			return 1;
		argv += 2;
		argc -= 2;
	}
	if (argc != 2)
		return fprintf(stderr, "usage: run_loop [--libseccomp LIST] N\n"), 2;
	n = atol(argv[1]);
	for (int round = 0; round < 3; round++) {
		double t0 = now_ns();

		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
		t0 = (now_ns() - t0) / (double)n;
		if (t0 < best)
			best = t0;
	}
	printf("ns_per_call %.1f\n", best);
	return 0;
}
