/* SPDX-License-Identifier: MIT */
/* Shared between bench.bpf.c and its loader src/trace/bench.c. */
#ifndef MOAT_BPF_BENCH_H
#define MOAT_BPF_BENCH_H

#define BENCH_MAX_NR 512

/* One event per syscall, about what `moat trace` sends: ids, number, arguments. */
struct bench_event {
	__u64 ts;
	__u32 tgid;
	__u32 tid;
	__s64 nr;
	__u64 args[6];
};

#endif
