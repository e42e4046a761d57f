/* SPDX-License-Identifier: MIT */
/*
 * Process tracking shared by moat's eBPF programs (record, trace): "is the
 * current task in the tracked set", "follow fork", "drop on exit".
 *
 * The set is keyed by tgid, so threads are covered by their process and an
 * execve keeps the tgid: only fork needs following. Alternatively the
 * loader sets track_cgroup_id: then every task in that cgroup v2 (or a
 * descendant of it) is tracked and the hash is not used.
 *
 * A process registered TRACK_EXEC_PENDING (a spawned child waiting to exec)
 * is not counted until its execve succeeds: what its tracer's fork/exec
 * glue does is not the program's.
 *
 * The including .bpf.c defines the programs (tp_btf/sched_process_fork,
 * _exec and _exit) and calls track_fork() / track_exec() / track_exit()
 * from them, and calls track_current() first thing on its hot path. It must
 * define track_loss_full() (what to do when the set is full).
 */
#ifndef MOAT_TRACK_BPF_H
#define MOAT_TRACK_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "track.h"

#ifndef TRACK_MAX_PIDS
#define TRACK_MAX_PIDS 8192 /* the loader may resize before load */
#endif

/* tgid -> TRACK_*. Written by the loader (initial pids) and by track_fork(). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TRACK_MAX_PIDS);
	__type(key, __u32);
	__type(value, __u8);
} tracked SEC(".maps");

/* Cgroup mode: id (inode of the cgroup v2 directory) and depth of the cgroup. */
const volatile __u64 track_cgroup_id = 0;
const volatile __u32 track_cgroup_level = 0;

static void track_loss_full(void);

/* Is the current task's syscall to be counted? */
static __always_inline bool track_current(void)
{
	if (track_cgroup_id) {
		/*
		 * The ancestor at the target's level is the target itself for tasks
		 * in it or below it: descendant cgroups (e.g. a container's
		 * sub-cgroups) are covered without a walk.
		 */
		return bpf_get_current_ancestor_cgroup_id(track_cgroup_level) == track_cgroup_id;
	}
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u8 *state = bpf_map_lookup_elem(&tracked, &tgid);

	return state && *state == TRACK_ACTIVE;
}

/*
 * sched_process_fork runs in the parent after copy_process() and before
 * wake_up_new_task(): the child is in the set before it can make its first
 * syscall, so nothing it does is missed.
 */
static __always_inline void track_fork(struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid, ctgid;
	__u8 *state;

	if (track_cgroup_id)
		return;
	ptgid = parent->tgid;
	ctgid = child->tgid;
	if (ptgid == ctgid) /* a new thread: its process is already tracked (or not) */
		return;
	state = bpf_map_lookup_elem(&tracked, &ptgid);
	if (!state)
		return;
	/* The child inherits the parent's state (a pending parent has a pending child). */
	if (bpf_map_update_elem(&tracked, &ctgid, state, BPF_ANY))
		track_loss_full();
}

/*
 * sched_process_exec fires after the new image is in place, still inside
 * the execve syscall: a pending process becomes active. Returns true then,
 * so the caller can count the execve itself (its sys_enter was skipped).
 */
static __always_inline bool track_exec(struct task_struct *task)
{
	__u32 tgid;
	__u8 *state;

	if (track_cgroup_id)
		return false;
	tgid = task->tgid;
	state = bpf_map_lookup_elem(&tracked, &tgid);
	if (!state || *state != TRACK_EXEC_PENDING)
		return false;
	*state = TRACK_ACTIVE;
	return true;
}

/*
 * sched_process_exit fires for every exiting thread, after do_exit()
 * decremented signal->live: the process is gone from the set only when its
 * last thread exits (a leader exiting before its threads keeps it tracked).
 */
static __always_inline void track_exit(struct task_struct *task)
{
	__u32 tgid;

	if (track_cgroup_id)
		return;
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return;
	tgid = task->tgid;
	bpf_map_delete_elem(&tracked, &tgid);
}

#endif
