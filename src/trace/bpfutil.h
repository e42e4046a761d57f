/* SPDX-License-Identifier: MIT */
/* Pieces shared by moat's eBPF loaders (trace, top, seccomp watcher). */
#ifndef MOAT_TRACE_BPFUTIL_H
#define MOAT_TRACE_BPFUTIL_H

#include <stdint.h>

#include "bpf/filter.h"
#include "moat/trace.h"

struct bpf_map;
struct bpf_program;

/* Fills the kernel filter from F (excluding the caller itself). 0 or -EINVAL. */
int moat_bpf_filter_fill(struct moat_bpf_filter *out, const struct moat_trace_filter *f);
/*
 * Points the one-slot cgroup array MAP at F->cgroup when set (after load).
 * 0, -ENOENT (no such directory), -EINVAL (not a cgroup v2 directory).
 */
int moat_bpf_cgroup_set(struct bpf_map *map, const struct moat_trace_filter *f);
/* Keeps libbpf quiet: the library never prints. */
void moat_bpf_quiet(void);
/* CLOCK_REALTIME - CLOCK_MONOTONIC, ns: turns bpf_ktime_get_ns() into wall time. */
int64_t moat_mono_to_real_ns(void);
/* Sums the per-CPU struct moat_lost counters of MAP (lost.bpf.h). 0 or -errno. */
int moat_bpf_lost_sum(const struct bpf_map *map, uint64_t *lost, uint64_t *reported);
/*
 * Runs of PROG the kernel skipped because the program was already running
 * on that CPU (its recursion guard): events lost without the program ever
 * seeing them. 0 when PROG is not loaded or the kernel cannot say.
 */
uint64_t moat_bpf_prog_misses(const struct bpf_program *prog);
/* An errno for a failed libbpf load/attach: EPERM, EOPNOTSUPP or the error. */
int moat_bpf_load_errno(int err);

#endif
