// SPDX-License-Identifier: MIT
/*
 * getppid_loop [N]: N getppid system calls (default 2,000,000); prints the
 * mean CPU ns per call and the mean wall-clock ns per call. CPU time is the
 * thread's: other load on the machine does not count while the kernel's work
 * for the call (eBPF programs included) does. The workload of moat's tracing
 * benchmarks: one event per syscall.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	struct timespec a, b, wa, wb;

	clock_gettime(CLOCK_MONOTONIC, &wa);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	for (long i = 0; i < n; i++)
		syscall(__NR_getppid);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	clock_gettime(CLOCK_MONOTONIC, &wb);
	printf("%.1f %.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double)n,
	       ((wb.tv_sec - wa.tv_sec) * 1e9 + (wb.tv_nsec - wa.tv_nsec)) / (double)n);
	return 0;
}
