/* SPDX-License-Identifier: MIT */
/*
 * Which tasks an eBPF tool of moat looks at: shared by the kernel programs
 * (trace, top, seccomp watcher) and their loaders. Set in .rodata before
 * load, so the verifier prunes the tests that are off.
 */
#ifndef MOAT_BPF_FILTER_H
#define MOAT_BPF_FILTER_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define MOAT_COMM_LEN 16

struct moat_bpf_filter {
	__u32 tgid;	  /* only this process (all its threads); 0 = any */
	__u32 self_tgid;  /* never this one: the tracer itself (no feedback loop) */
	__u32 use_cgroup; /* only tasks in cgroup_map[0] or below (cgroup v2) */
	__u32 use_comm;	  /* only tasks whose comm equals comm */
	char comm[MOAT_COMM_LEN];
};

#endif
