// SPDX-License-Identifier: MIT
/*
 * moat record, kernel side: counts syscalls per (arch, number) of the
 * tracked process tree, and the distinct values of flag-like arguments of a
 * few syscalls. Everything is aggregated in maps: no event per syscall
 * crosses to user space, so the cost is one hash lookup (tracked?), one
 * inlined per-CPU array lookup and an increment.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "abi.bpf.h"
#include "record.h"
#include "track.bpf.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* Per-CPU: no atomics and no cache-line bouncing on the hot path. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, REC_NSLOTS);
	__type(key, __u32);
	__type(value, struct rec_slot);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096); /* the loader may resize before load */
	__type(key, struct rec_value_key);
	__type(value, __u8);
} values SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, REC_LOSS__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} losses SEC(".maps");

static __always_inline void count_loss(__u32 what)
{
	__u64 *v = bpf_map_lookup_elem(&losses, &what);

	if (v)
		*v += 1;
}

static void track_loss_full(void)
{
	count_loss(REC_LOSS_TRACK_FULL);
}

static __always_inline __u64 syscall_arg(struct pt_regs *regs, __u32 arch, int i)
{
#if defined(__TARGET_ARCH_x86)
	if (arch == REC_ARCH_I386) {
		/* int 0x80 / sysenter ABI; seccomp sees these zero-extended to 64 bits. */
		switch (i) {
		case 0:
			return (__u32)regs->bx;
		case 1:
			return (__u32)regs->cx;
		case 2:
			return (__u32)regs->dx;
		case 3:
			return (__u32)regs->si;
		case 4:
			return (__u32)regs->di;
		default:
			return (__u32)regs->bp;
		}
	}
	switch (i) {
	case 0:
		return regs->di;
	case 1:
		return regs->si;
	case 2:
		return regs->dx;
	case 3:
		return regs->r10;
	case 4:
		return regs->r8;
	default:
		return regs->r9;
	}
#elif defined(__TARGET_ARCH_arm64)
	/* x0 is overwritten by the return value; the entry keeps it in orig_x0. */
	return i == 0 ? regs->orig_x0 : regs->regs[i];
#else
#error "moat record: syscall argument registers unknown for this architecture"
#endif
}

static __always_inline void record_value(__u32 slot, __u32 arg, __u64 value)
{
	struct rec_value_key key = { .slot = slot, .arg = arg, .value = value };
	__u8 one = 1;
	long err;

	/* Lookup first: after warm-up every value is known and nothing is written. */
	if (bpf_map_lookup_elem(&values, &key))
		return;
	err = bpf_map_update_elem(&values, &key, &one, BPF_NOEXIST);
	if (err && err != -17 /* EEXIST: another CPU inserted it first */)
		count_loss(REC_LOSS_VALUES_FULL);
}

static __noinline void record_args(struct pt_regs *regs, __u32 arch, __u32 slot, __u32 argmask,
				   __u32 flags)
{
	if (flags & REC_SLOT_CLONE3) {
		/* clone3(struct clone_args *, size): flags are the first __u64. */
		__u64 cflags;

		if (bpf_probe_read_user(&cflags, sizeof(cflags),
					(void *)syscall_arg(regs, arch, 0)))
			count_loss(REC_LOSS_ARG_READ);
		else
			record_value(slot, 0, cflags);
		return;
	}
	for (int i = 0; i < 6; i++)
		if (argmask & (1u << i))
			record_value(slot, i, syscall_arg(regs, arch, i));
}

/* Counts syscall ID with registers REGS of the current task. */
static __always_inline void record_syscall(struct pt_regs *regs, long id)
{
	struct rec_slot *s;
	__u32 arch = REC_ARCH_X86_64, nr = id, slot;

#if defined(__TARGET_ARCH_x86)
	/* An int 0x80 from a 64-bit process is an i386 syscall too. */
	if (moat_task_compat(bpf_get_current_task_btf()))
		arch = REC_ARCH_I386;
	else if (nr & REC_X32_SYSCALL_BIT) {
		arch = REC_ARCH_X32;
		nr &= ~REC_X32_SYSCALL_BIT;
	}
#endif
	if (nr >= REC_NR_SLOTS) {
		count_loss(REC_LOSS_NR_RANGE);
		return;
	}
	slot = arch * REC_NR_SLOTS + nr;
	s = bpf_map_lookup_elem(&counts, &slot);
	if (!s)
		return;
	s->count++;
	if (s->argmask)
		record_args(regs, arch, slot, s->argmask, s->flags);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(record_sys_enter, struct pt_regs *regs, long id)
{
	if (track_current())
		record_syscall(regs, id);
	return 0;
}

/*
 * A spawned command is counted from its execve on: the execve that made it
 * is counted here (its sys_enter came while it was pending), because a
 * filter installed before exec sees that execve too. orig_ax still holds
 * its number (execve or execveat).
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(record_exec, struct task_struct *task)
{
	if (track_exec(task)) {
		struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

#if defined(__TARGET_ARCH_x86)
		if (regs)
			record_syscall(regs, BPF_CORE_READ(regs, orig_ax));
#elif defined(__TARGET_ARCH_arm64)
		if (regs)
			record_syscall(regs, BPF_CORE_READ(regs, syscallno));
#endif
	}
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(record_fork, struct task_struct *parent, struct task_struct *child)
{
	track_fork(parent, child);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(record_exit, struct task_struct *task)
{
	track_exit(task);
	return 0;
}
