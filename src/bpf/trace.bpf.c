// SPDX-License-Identifier: MIT
/*
 * `moat trace`: one record per syscall, entry and exit paired in the kernel.
 *
 * Hot path: the task filter and the per-number configuration byte decide
 * first; only a traced syscall touches task storage and the ring buffer.
 * A record that cannot be stored or emitted is counted in a per-CPU counter
 * and the next record emitted on that CPU carries the count (lost_before),
 * so losses show in the stream where they happened.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "filter.bpf.h"
#include "lost.bpf.h"
#include "trace.h"
#include "track.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define TS_COMPAT 0x0002 /* arch/x86/include/asm/thread_info.h */

const volatile __u8 sys_conf[TRACE_NR_MAX] = {};
const volatile __u8 other_conf = 0; /* numbers >= TRACE_NR_MAX */
const volatile __u32 nr_exit = 0xffffffff;
const volatile __u32 nr_exit_group = 0xffffffff;
const volatile __u32 nr_execve = 0xffffffff;
const volatile __u32 nr_execveat = 0xffffffff;
/* Only the processes of the tracked set (moat trace -- CMD and its descendants). */
const volatile __u32 use_tracked = 0;

/* Forks the tracked set could not take: those processes go unseen, so say so. */
__u64 track_full = 0;

static void track_loss_full(void)
{
	__sync_fetch_and_add(&track_full, 1);
}
const volatile __u32 failed_only = 0;
/* Wake the reader only when this much is queued (0: the kernel's default). */
const volatile __u64 wakeup_bytes = 0;

struct trace_inflight {
	struct trace_record ev;
	__u32 active;  /* entered, not yet exited */
	__u32 strmask; /* string arguments of this call */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct trace_inflight);
} inflight SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 23); /* the loader sets the size (-b) */
} events SEC(".maps");

static __always_inline void emit(struct trace_record *ev)
{
	__u64 flags = 0;
	__u32 n;

	n = ev->str_len[0] + ev->str_len[1];
	if (n > TRACE_NSTR * TRACE_STR_MAX)
		n = TRACE_NSTR * TRACE_STR_MAX;
	if (wakeup_bytes)
		flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
				BPF_RB_FORCE_WAKEUP :
				BPF_RB_NO_WAKEUP;
	lost_emit(&events, ev, TRACE_RECORD_HDR_SIZE + n, &ev->lost_before, flags);
}

/* Two word loads from the task: cheaper than bpf_get_current_comm()'s byte copy. */
static __always_inline void copy_comm(struct trace_record *ev, struct task_struct *task)
{
	__builtin_memcpy(ev->comm, task->comm, 8);
	__builtin_memcpy(ev->comm + 8, task->comm + 8, 8);
}

static __always_inline void read_strings(struct trace_record *ev, __u8 mask)
{
	int n = 0;

	ev->flags &= ~(TRACE_EV_STR0_FAULT | TRACE_EV_STR1_FAULT);
#pragma unroll
	for (int i = 0; i < 6; i++) {
		__u32 off;
		long len;

		if (!(mask & (1 << i)) || n >= TRACE_NSTR)
			continue;
		off = n ? ev->str_len[0] : 0;
		if (off > TRACE_STR_MAX)
			off = TRACE_STR_MAX;
		len = bpf_probe_read_user_str(ev->str + off, TRACE_STR_MAX,
					      (const void *)ev->args[i]);
		ev->str_arg[n] = i;
		if (len < 0) {
			ev->str_len[n] = 0;
			ev->flags |= n ? TRACE_EV_STR1_FAULT : TRACE_EV_STR0_FAULT;
		} else {
			ev->str_len[n] = len;
		}
		n++;
	}
}

static __always_inline bool tracked_pending(__u32 tgid)
{
	__u8 *state = bpf_map_lookup_elem(&tracked, &tgid);

	return state && *state == TRACK_EXEC_PENDING;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(trace_enter, struct pt_regs *regs, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct task_struct *task;
	struct trace_inflight *in;
	struct trace_record *ev;
	__u32 nr = id;
	__u8 conf;

	if (id < 0 || !moat_filter_current(pid_tgid))
		return 0;
	/*
	 * A spawned child waiting to exec runs moat's glue, not the program:
	 * of it only the execve counts (it turns active at sched_process_exec,
	 * before this execve's sys_exit).
	 */
	if (use_tracked && !track_current() &&
	    !((nr == nr_execve || nr == nr_execveat) && tracked_pending(pid_tgid >> 32)))
		return 0;
	/* The mask keeps the verifier sure of the bound whatever clang reorders. */
	conf = nr < TRACE_NR_MAX ? sys_conf[nr & (TRACE_NR_MAX - 1)] : other_conf;
	if (!(conf & TRACE_CONF_ON))
		return 0;
	task = bpf_get_current_task_btf();
	in = bpf_task_storage_get(&inflight, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!in) {
		lost_count(NULL);
		return 0;
	}
	ev = &in->ev;
	ev->ts_ns = bpf_ktime_get_ns();
	ev->pid = pid_tgid >> 32;
	ev->tid = (__u32)pid_tgid;
	ev->nr = nr;
	ev->flags = 0;
#if defined(__TARGET_ARCH_x86)
	ev->args[0] = regs->di;
	ev->args[1] = regs->si;
	ev->args[2] = regs->dx;
	ev->args[3] = regs->r10;
	ev->args[4] = regs->r8;
	ev->args[5] = regs->r9;
	/* int 0x80 from any task: the number is an i386 one. */
	if (task->thread_info.status & TS_COMPAT)
		ev->flags |= TRACE_EV_COMPAT;
#elif defined(__TARGET_ARCH_arm64)
	ev->args[0] = regs->orig_x0;
	ev->args[1] = regs->regs[1];
	ev->args[2] = regs->regs[2];
	ev->args[3] = regs->regs[3];
	ev->args[4] = regs->regs[4];
	ev->args[5] = regs->regs[5];
#else
#error "moat trace: unsupported architecture"
#endif
	ev->str_len[0] = ev->str_len[1] = 0;
	ev->str_arg[0] = ev->str_arg[1] = 0xff;
	in->strmask = conf & TRACE_CONF_STRMASK;
	if (in->strmask)
		read_strings(ev, in->strmask);
	if (nr == nr_exit || nr == nr_exit_group) {
		/* These never reach sys_exit: emit the record now. */
		in->active = 0;
		if (failed_only)
			return 0;
		ev->flags |= TRACE_EV_NORETURN;
		ev->ret = 0;
		ev->dur_ns = 0;
		copy_comm(ev, task);
		emit(ev);
		return 0;
	}
	in->active = 1;
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(trace_exit, struct pt_regs *regs, long ret)
{
	struct trace_inflight *in;
	struct trace_record *ev;

	/* Only a task that passed the filter at entry has an active record. */
	in = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), NULL, 0);
	if (!in || !in->active)
		return 0;
	in->active = 0;
	if (failed_only && !(ret < 0 && ret >= -4095))
		return 0;
	ev = &in->ev;
	/*
	 * A BPF program cannot fault pages in: a path in a page the program
	 * has not touched yet (often its .rodata) reads as a fault at entry.
	 * The syscall itself has just copied it in, so read it again now.
	 */
	if (ev->flags & (TRACE_EV_STR0_FAULT | TRACE_EV_STR1_FAULT)) {
		read_strings(ev, in->strmask);
		ev->flags |= TRACE_EV_STR_AT_EXIT;
	}
	ev->ret = ret;
	ev->dur_ns = bpf_ktime_get_ns() - ev->ts_ns;
	/* At exit, so that a successful execve shows the new program's name. */
	copy_comm(ev, bpf_get_current_task_btf());
	emit(ev);
	return 0;
}

/* Process tree following for -- CMD: loaded only then (the loader turns them off). */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(trace_fork, struct task_struct *parent, struct task_struct *child)
{
	track_fork(parent, child);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(trace_exec, struct task_struct *task)
{
	track_exec(task);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(trace_task_exit, struct task_struct *task)
{
	track_exit(task);
	return 0;
}
