/* SPDX-License-Identifier: MIT */
/*
 * `moat bench`: what a syscall costs under each mechanism, on this kernel
 * (src/trace/bench.c). Each scenario runs in a forked child pinned to one
 * CPU (seccomp filters cannot be removed, eBPF programs are detached when the
 * child is done): warm-up, then repeated timed runs; the median and the
 * min-max spread are reported per syscall, with the ratio to no mechanism.
 * Every scenario also checks that the mechanism really acted (the denied
 * call got its errno, the BPF program counted every call...).
 */
#ifndef MOAT_BENCH_H
#define MOAT_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MOAT_BENCH_MAX_RUNS 31

struct moat_bench_result {
	char name[48];	       /* "getppid-seccomp-cached" = workload-mechanism */
	const char *workload;  /* "getppid" or "rw" (write+read of 1 byte on a pipe) */
	const char *mechanism; /* "bare", "seccomp-cached", "ebpf-ringbuf", "ptrace"... */
	const char *title;     /* one line for people */
	bool skipped;	       /* the kernel or our privileges lack what it needs */
	bool failed;	       /* it should have run but did not (reason says why) */
	char reason[160];
	uint64_t iterations; /* workload iterations per timed run */
	unsigned runs;
	double ns_median, ns_min, ns_max; /* per syscall (rw: per read or write) */
	double ratio;	    /* ns_median / the same workload's bare median; 0 if unknown */
	const char *expect; /* "allow", "errno EPERM" */
	bool verdict_ok;    /* every call returned what the mechanism implies */
	char verdict[200];  /* what was checked, with counts */
};

struct moat_bench_opts {
	bool quick;	     /* fewer, shorter runs: the whole set in well under 30 s */
	uint64_t iterations; /* per timed run; 0: calibrated to a fixed time per run */
	unsigned runs;	     /* timed runs; 0: 3 (quick) or 9 */
	int cpu;	     /* CPU to pin to; -1: the last CPU we may run on */
	bool realtime;	     /* measure under SCHED_FIFO (root): loaded machines */
	/*
	 * Comma-separated selection, NULL for all: a full name
	 * ("getppid-seccomp-denied"), a mechanism ("seccomp-cached": every
	 * workload) or a workload ("rw": every mechanism).
	 */
	const char *only;
	/* Called after each scenario (progress output); may be NULL. */
	void (*progress)(void *ctx, const struct moat_bench_result *r);
	void *ctx;
};

struct moat_bench_report {
	char kernel[65];
	int cpu;
	bool realtime;
	double loadavg;	   /* 1-minute load average when the bench started */
	int other_tracers; /* eBPF links on sys_enter/sys_exit that were not ours; -1: unknown */
	size_t n;
	struct moat_bench_result *v;
};

/* 0, -EINVAL (ONLY selects nothing), -ENOMEM. Skips and failures are in the results. */
int moat_bench_run(const struct moat_bench_opts *opts, struct moat_bench_report **out);
void moat_bench_report_free(struct moat_bench_report *r);
/* Names of every scenario, in run order, for --list. */
size_t moat_bench_scenario_count(void);
int moat_bench_scenario_name(size_t i, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
