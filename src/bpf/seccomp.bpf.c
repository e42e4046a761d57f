// SPDX-License-Identifier: MIT
/*
 * The seccomp watcher: system-wide reports of seccomp traps and kills (see
 * seccomp.h for which kernel event carries which action).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "abi.bpf.h"
#include "filter.bpf.h"
#include "lost.bpf.h"
#include "seccomp.h"

char LICENSE[] SEC("license") = "GPL";

#define SIGSYS_K 31
#define SYS_SECCOMP_K 1 /* si_code of a seccomp SIGSYS */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 18);
} events SEC(".maps");

/* tid -> what the kill's SIGSYS said, until the thread exits. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct seccomp_pending);
} pending SEC(".maps");

static __always_inline void fill_common(struct seccomp_record *r, struct task_struct *task)
{
	r->ts_ns = bpf_ktime_get_ns();
	r->pid = task->tgid;
	r->tid = task->pid;
	bpf_probe_read_kernel_str(r->comm, sizeof(r->comm), task->comm);
	if (moat_task_compat(task))
		r->flags |= SECCOMP_REC_COMPAT;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(seccomp_signal, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	struct seccomp_record r = {};
	struct seccomp_pending p = {};

	/*
	 * info may be SEND_SIG_NOINFO (0) or SEND_SIG_PRIV (1), not real
	 * pointers: read through bpf_probe_read_kernel, which yields 0 for them.
	 */
	if (sig != SIGSYS_K || BPF_CORE_READ(info, si_code) != SYS_SECCOMP_K)
		return 0;
	/* seccomp signals only the current task, so the filter applies to it. */
	if (!moat_filter_current(bpf_get_current_pid_tgid()))
		return 0;
	p.nr = BPF_CORE_READ(info, _sifields._sigsys._syscall);
	p.arch = BPF_CORE_READ(info, _sifields._sigsys._arch);
	p.call_addr = (__u64)BPF_CORE_READ(info, _sifields._sigsys._call_addr);
	p.ret_data = BPF_CORE_READ(info, si_errno);
	if (task->seccomp.mode == SECCOMP_MODE_DEAD_K) {
		/* A kill: reported when the thread is gone, at sched_process_exit. */
		__u32 tid = task->pid;

		if (bpf_map_update_elem(&pending, &tid, &p, BPF_ANY))
			lost_count(NULL);
		return 0;
	}
	fill_common(&r, task);
	r.kind = SECCOMP_REC_TRAP;
	r.nr = p.nr;
	r.arch = p.arch;
	r.call_addr = p.call_addr;
	r.ret_data = p.ret_data;
	lost_emit(&events, &r, sizeof(r), &r.lost_before, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(seccomp_exit, struct task_struct *task, bool group_dead)
{
	struct seccomp_record r = {};
	struct seccomp_pending *p;
	struct pt_regs *regs;
	__u32 tid;

	/* Only seccomp sets this mode, right before killing the task. */
	if (task->seccomp.mode != SECCOMP_MODE_DEAD_K)
		return 0;
	if (!moat_filter_current(bpf_get_current_pid_tgid()))
		return 0;
	fill_common(&r, task);
	tid = task->pid;
	p = bpf_map_lookup_elem(&pending, &tid);
	if (p) {
		r.kind = SECCOMP_REC_KILL_SIGNAL;
		r.nr = p->nr;
		r.arch = p->arch;
		r.call_addr = p->call_addr;
		r.ret_data = p->ret_data;
		bpf_map_delete_elem(&pending, &tid);
	} else {
		/* do_exit() from inside the syscall: the number is still in orig_ax. */
		r.kind = SECCOMP_REC_KILL_EXIT;
		regs = (struct pt_regs *)bpf_task_pt_regs(task);
#if defined(__TARGET_ARCH_x86)
		r.nr = BPF_CORE_READ(regs, orig_ax);
#elif defined(__TARGET_ARCH_arm64)
		r.nr = BPF_CORE_READ(regs, syscallno);
#endif
	}
	if (group_dead)
		r.flags |= SECCOMP_REC_GROUP_DEAD;
	lost_emit(&events, &r, sizeof(r), &r.lost_before, 0);
	return 0;
}
