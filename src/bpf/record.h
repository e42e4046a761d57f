/* SPDX-License-Identifier: MIT */
/*
 * Structures shared by src/bpf/record.bpf.c (kernel) and src/trace/record.c
 * (loader). Fixed-width __u32/__u64 types only: both sides see one layout.
 */
#ifndef MOAT_BPF_RECORD_H
#define MOAT_BPF_RECORD_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * Count slots: one per (arch, number). 1024 numbers per arch cover every
 * table moat knows (x86_64 and i386 stop below 512; x32 numbers are stored
 * without __X32_SYSCALL_BIT). Larger numbers are counted as a loss.
 */
#define REC_NR_SLOTS 1024u
#define REC_ARCH_X86_64 0u
#define REC_ARCH_I386 1u
#define REC_ARCH_X32 2u
#define REC_NARCH 3u
#define REC_NSLOTS (REC_NARCH * REC_NR_SLOTS)

#define REC_X32_SYSCALL_BIT 0x40000000u

/*
 * Per-CPU value of the counts array. argmask (bit i: record argument i's
 * distinct values) is written by the loader into every CPU's copy, so the
 * hot path finds its count and whether to look at arguments in one inlined
 * array lookup.
 */
struct rec_slot {
	__u64 count;
	__u32 argmask;
	__u32 flags; /* REC_SLOT_* */
};

/* clone3: argument 0 is read from struct clone_args.flags in user memory. */
#define REC_SLOT_CLONE3 (1u << 0)

/* Key of the distinct argument values set (a hash; value: __u8 1). */
struct rec_value_key {
	__u32 slot; /* arch * REC_NR_SLOTS + nr */
	__u32 arg;  /* 0..5 */
	__u64 value;
};

/* Loss counters (per-CPU array, summed by the loader). Never silent. */
enum rec_loss {
	REC_LOSS_VALUES_FULL = 0, /* a distinct argument value did not fit the set */
	REC_LOSS_NR_RANGE,	  /* a syscall number >= REC_NR_SLOTS */
	REC_LOSS_TRACK_FULL,	  /* a forked process could not be tracked: set full */
	REC_LOSS_ARG_READ,	  /* clone3 flags could not be read from user memory */
	REC_LOSS__COUNT,
};

#endif
