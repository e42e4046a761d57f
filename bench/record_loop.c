// SPDX-License-Identifier: MIT
/*
 * CPU-time workloads for bench/record.sh. On a shared machine wall time is
 * mostly waiting for a core; the CPU time a task is charged for includes
 * the eBPF programs that run in its context at each syscall, so it shows
 * the recorder's cost while the neighbours' load does not.
 *
 *   record_loop getppid ITERATIONS RUNS   ns of CPU per getppid: "min median max"
 *   record_loop run RUNS CMD [ARG...]     ms of CPU (user+sys, whole tree) per run of CMD
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double children_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

int main(int argc, char **argv)
{
	double v[64];
	int runs;

	if (argc < 4) {
		fprintf(stderr, "usage: %s getppid N RUNS | run RUNS CMD...\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "getppid")) {
		long n = atol(argv[2]);

		runs = atoi(argv[3]);
		if (runs > 64)
			runs = 64;
		for (long i = 0; i < n / 10; i++) /* warm-up */
			syscall(SYS_getppid);
		for (int r = 0; r < runs; r++) {
			double t0 = cpu_ns();

			for (long i = 0; i < n; i++)
				syscall(SYS_getppid);
			v[r] = (cpu_ns() - t0) / n;
		}
	} else {
		runs = atoi(argv[2]);
		if (runs > 64)
			runs = 64;
		for (int r = 0; r < runs; r++) {
			double t0 = children_ms();
			pid_t pid = fork();
			int st;

			if (pid == 0) {
				execvp(argv[3], argv + 3);
				_exit(127);
			}
			if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
			    WEXITSTATUS(st))
				return 1;
			v[r] = children_ms() - t0;
		}
	}
	qsort(v, runs, sizeof(v[0]), cmp);
	printf("%.1f %.1f %.1f\n", v[0], v[runs / 2], v[runs - 1]);
	return 0;
}
