/* SPDX-License-Identifier: MIT */
/*
 * Pairing a syscall's entry with its exit, shared by moat's eBPF programs
 * that time calls (trace, top).
 *
 * The entry program keeps what it took in a per-CPU slot: an inlined array
 * lookup, cheaper than task storage. A call that sleeps or is preempted
 * leaves its CPU, and another thread's entry may then take the slot: the
 * including program's tp_btf/sched_switch calls entry_spill(prev) first,
 * which moves the entry into the thread's task storage, where its exit (on
 * whatever CPU) finds it. Preemption is off in tracing programs, so nothing
 * else runs on the CPU between an entry and a switch.
 *
 * Before including, define struct moat_entry with at least
 *   __u32 tid;     the thread whose call it is
 *   __u32 nr;      the call's number (the exit checks it is the same call)
 *   __u32 active;  entered, not yet exited
 */
#ifndef MOAT_ENTRY_BPF_H
#define MOAT_ENTRY_BPF_H

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct moat_entry);
} entry_slot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct moat_entry);
} entry_storage SEC(".maps");

/* This CPU's slot, for the entry program to fill (tid, nr, active last). */
static __always_inline struct moat_entry *entry_slot_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&entry_slot, &zero);
}

/*
 * The entry of the current thread's call, wherever it is; NULL when there is
 * none. The caller checks active and the number, then clears active.
 */
static __always_inline struct moat_entry *entry_find(struct task_struct *task, __u32 tid)
{
	struct moat_entry *s = entry_slot_get();

	if (s && s->active && s->tid == tid)
		return s;
	return bpf_task_storage_get(&entry_storage, task, NULL, 0);
}

/*
 * sched_switch: PREV leaves the CPU; its entry, if in the slot, moves to its
 * storage. Were a switch ever skipped (recursion guard), the next entry on
 * this CPU takes the slot and PREV's exit finds none: its call goes untimed,
 * still counted.
 */
static __always_inline void entry_spill(struct task_struct *prev)
{
	struct moat_entry *s = entry_slot_get(), *st;

	if (!s || !s->active || s->tid != (__u32)prev->pid)
		return;
	st = bpf_task_storage_get(&entry_storage, prev, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	/* No room: the call's exit finds no entry and goes untimed, never lost. */
	if (st)
		__builtin_memcpy(st, s, sizeof(*st));
	s->active = 0;
}

#endif
