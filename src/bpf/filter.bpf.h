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

static __always_inline bool moat_comm_equal(const char *a)
{
	/* comm is at most 15 bytes + NUL; the loader zero-pads filter.comm. */
	for (int i = 0; i < MOAT_COMM_LEN; i++) {
		if (a[i] != filter.comm[i])
			return false;
		if (!a[i])
			break;
	}
	return true;
}

/* Does the current task pass the filter? Cheapest tests first. */
static __always_inline bool moat_filter_current(__u64 pid_tgid)
{
	__u32 tgid = pid_tgid >> 32;

	if (tgid == filter.self_tgid)
		return false;
	if (filter.tgid && tgid != filter.tgid)
		return false;
	if (filter.use_comm) {
		char comm[MOAT_COMM_LEN];

		bpf_get_current_comm(comm, sizeof(comm));
		if (!moat_comm_equal(comm))
			return false;
	}
	/* Ancestry test on the v2 hierarchy: a container's nested cgroups count. */
	if (filter.use_cgroup && bpf_current_task_under_cgroup(&cgroup_map, 0) != 1)
		return false;
	return true;
}

#endif
