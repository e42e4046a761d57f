// SPDX-License-Identifier: MIT
/* getppid_flood N: exactly N getppid system calls, as fast as possible. */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;

	for (long i = 0; i < n; i++)
		syscall(__NR_getppid);
	return 0;
}
