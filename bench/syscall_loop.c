// SPDX-License-Identifier: MIT
/*
 * The workloads of `moat bench`, standalone, for peer tools that wrap a
 * command (strace, perf trace) or watch the system (bpftrace), and for the
 * same arg-checking policy compiled by libseccomp instead of moat.
 *
 *   syscall_loop getppid|rw ITERATIONS RUNS [libseccomp-argcheck|libseccomp-cached]
 *
 * Prints "median min max" ns per syscall over RUNS timed runs, after a
 * warm-up, pinned to the last allowed CPU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../src/trace/bench_denied.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The same policy as moat bench's: allow all but what runtimes deny, plus the rules. */
static int install_libseccomp(bool argcheck)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int rc = 0;

	if (!ctx)
		return -ENOMEM;
	for (int nr = 0; nr < 500; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		bool skip = !name;

		for (size_t d = 0; !skip && d < MOAT_BENCH_NDENIED; d++)
			skip = !strcmp(name, moat_bench_denied[d]);
		if (!skip)
			rc = rc ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		free(name);
	}
	if (argcheck) {
		rc = rc
			     ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getppid), 1,
						 SCMP_A0(SCMP_CMP_EQ, 0));
		rc = rc
			     ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 1,
						 SCMP_A2(SCMP_CMP_LE, 4096));
		rc = rc
			     ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
						 SCMP_A2(SCMP_CMP_LE, 4096));
	} else {
		rc = rc ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(getppid), 0);
		rc = rc ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 0);
		rc = rc ?: seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 0);
	}
	rc = rc ?: seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

int main(int argc, char **argv)
{
	cpu_set_t set;
	int last = 0, p[2], rw;
	unsigned long iters, runs, per_op;
	double v[64];
	char c = 'x';

	if (argc < 4 || (strcmp(argv[1], "getppid") && strcmp(argv[1], "rw"))) {
		fprintf(stderr,
			"usage: %s getppid|rw ITERATIONS RUNS "
			"[libseccomp-argcheck|libseccomp-cached]\n",
			argv[0]);
		return 2;
	}
	rw = !strcmp(argv[1], "rw");
	per_op = rw ? 2 : 1;
	iters = strtoul(argv[2], NULL, 10);
	runs = strtoul(argv[3], NULL, 10);
	if (!iters || !runs || runs > 64)
		return 2;
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		for (int i = 0; i < CPU_SETSIZE; i++)
			if (CPU_ISSET(i, &set))
				last = i;
		CPU_ZERO(&set);
		CPU_SET(last, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		return 1;
	if (argc > 4 && install_libseccomp(!strcmp(argv[4], "libseccomp-argcheck"))) {
		fprintf(stderr, "libseccomp filter failed\n");
		return 1;
	}
	for (unsigned long r = 0; r <= runs; r++) {
		unsigned long n = r ? iters : iters / 10 + 1; /* run 0: warm-up */
		uint64_t t0 = now_ns();

		for (unsigned long i = 0; i < n; i++) {
			if (rw) {
				syscall(SYS_write, p[1], &c, 1, 0, 0, 0);
				syscall(SYS_read, p[0], &c, 1, 0, 0, 0);
			} else {
				syscall(SYS_getppid, 0, 0, 0, 0, 0, 0);
			}
		}
		if (r)
			v[r - 1] = (double)(now_ns() - t0) / (double)(iters * per_op);
	}
	qsort(v, runs, sizeof(v[0]), cmp);
	printf("%.1f %.1f %.1f\n", v[runs / 2], v[0], v[runs - 1]);
	return 0;
}
