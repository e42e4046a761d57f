/* SPDX-License-Identifier: MIT */
/*
 * The task filter of moat's eBPF tools, evaluated first on the hot path
 * (before any map update or ring buffer reservation). Include after
 * vmlinux.h and bpf_helpers.h; the program defines
 *   const volatile struct moat_bpf_filter filter;
 * and this header the cgroup map the loader fills for -c.
 */
#ifndef MOAT_FILTER_BPF_H
#define MOAT_FILTER_BPF_H

#include "filter.h"

const volatile struct moat_bpf_filter filter = {};

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_map SEC(".maps");

/*
 * comm as two words, loaded straight from the task (a BTF pointer): about
 * half the cost of bpf_get_current_comm(), which copies byte by byte. The
 * kernel keeps comm NUL-padded and the loader zero-pads filter.comm.
 */
static __always_inline bool moat_comm_equal(struct task_struct *task)
{
	/* volatile kept: the loader writes .rodata, clang must not fold it to 0. */
	const volatile __u64 *want = (const volatile __u64 *)filter.comm;
	__u64 w0, w1;

	__builtin_memcpy(&w0, task->comm, 8);
	__builtin_memcpy(&w1, task->comm + 8, 8);
	return w0 == want[0] && w1 == want[1];
}

/*
 * Does the current task, TASK with thread group TGID, pass the filter?
 * Cheapest tests first.
 */
static __always_inline bool moat_filter_task(struct task_struct *task, __u32 tgid)
{
	if (tgid == filter.self_tgid)
		return false;
	if (filter.tgid && tgid != filter.tgid)
		return false;
	if (filter.use_comm && !moat_comm_equal(task))
		return false;
	/* Ancestry test on the v2 hierarchy: a container's nested cgroups count. */
	if (filter.use_cgroup && bpf_current_task_under_cgroup(&cgroup_map, 0) != 1)
		return false;
	return true;
}

/* Does the current task pass the filter? */
static __always_inline bool moat_filter_current(__u64 pid_tgid)
{
	__u32 tgid = pid_tgid >> 32;

	/* The task is needed only for --comm: no helper call otherwise. */
	if (tgid == filter.self_tgid || (filter.tgid && tgid != filter.tgid))
		return false;
	return moat_filter_task(filter.use_comm ? bpf_get_current_task_btf() : NULL, tgid);
}

#endif
