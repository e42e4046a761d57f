/* SPDX-License-Identifier: MIT */
/*
 * `moat top`: statistics kept in the kernel per (process, syscall), shared by
 * top.bpf.c and its loader src/trace/top.c. Values only grow; the loader
 * reports the difference between two reads, so nothing is lost to a race
 * between reading and resetting.
 */
#ifndef MOAT_BPF_TOP_H
#define MOAT_BPF_TOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "filter.h"

#define TOP_NR_MAX 512 /* as TRACE_NR_MAX */
/* Latency histogram: bucket 0 holds 0 ns, bucket b (1..) [2^(b-1), 2^b) ns; the last also more. */
#define TOP_NBUCKETS 40

/* In a key's nr: an i386 number (int 0x80 from a 64-bit task), not a native one. */
#define TOP_NR_I386 0x80000000u

struct top_key {
	__u32 pid; /* tgid */
	__u32 nr;  /* | TOP_NR_I386 for an i386 call */
};

struct top_stats {
	__u64 calls;
	__u64 errors; /* returned -4095..-1 */
	__u64 timed;  /* calls whose entry was seen: total_ns and hist cover these */
	__u64 total_ns;
	__u64 hist[TOP_NBUCKETS];
};

#endif
