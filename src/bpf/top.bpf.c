// SPDX-License-Identifier: MIT
/*
 * `moat top`: per (process, syscall) calls, errors, total time and a log2
 * latency histogram, all kept in the kernel (per-CPU values: no atomics on
 * the hot path). An update that finds the map full is counted as lost.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "abi.bpf.h"
#include "filter.bpf.h"
#include "lost.bpf.h"
#include "top.h"

char LICENSE[] SEC("license") = "GPL";

/* Per ABI: [0] native numbers, [1] i386 ones (int 0x80 on x86_64). */
const volatile __u8 sys_on[2][TOP_NR_MAX] = {};
const volatile __u8 other_on = 0;
const volatile __u32 nr_exit[2] = { 0xffffffff, 0xffffffff };
const volatile __u32 nr_exit_group[2] = { 0xffffffff, 0xffffffff };
const volatile __u32 nr_execve[2] = { 0xffffffff, 0xffffffff };
const volatile __u32 nr_execveat[2] = { 0xffffffff, 0xffffffff };
/* Return twice (parent and child): the child's return is not a call of its own. */
const volatile __u32 nr_forks[2][4] = { { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff },
					{ 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff } };

/* An entry: its time, for the exit to take the duration. */
struct moat_entry {
	__u64 ts_ns;
	__u32 tid;
	__u32 nr; /* | TOP_NR_I386 */
	__u32 active;
};

#include "entry.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8192); /* the loader sets it */
	__type(key, struct top_key);
	__type(value, struct top_stats);
} stats SEC(".maps");

/* tgid -> comm, written when a process's first entry is created and at execve. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, char[MOAT_COMM_LEN]);
} comms SEC(".maps");

static const struct top_stats zero_stats;

static __always_inline __u32 log2_bucket(__u64 v)
{
	__u32 b = 0;

	/* floor(log2(v)) + 1 by halving steps: BPF has no count-leading-zeros. */
	if (!v)
		return 0;
	if (v >> 32) {
		v >>= 32;
		b += 32;
	}
	if (v >> 16) {
		v >>= 16;
		b += 16;
	}
	if (v >> 8) {
		v >>= 8;
		b += 8;
	}
	if (v >> 4) {
		v >>= 4;
		b += 4;
	}
	if (v >> 2) {
		v >>= 2;
		b += 2;
	}
	if (v >> 1)
		b += 1;
	b += 1;
	return b < TOP_NBUCKETS ? b : TOP_NBUCKETS - 1;
}

/* TIMED: DUR is the call's duration (its entry was seen); else it has none. */
static __always_inline void account(__u32 tgid, __u32 nr, __u64 dur, long ret, bool newcomm,
				    bool timed)
{
	struct top_key key = { .pid = tgid, .nr = nr };
	struct top_stats *s;
	__u32 b;

	s = bpf_map_lookup_elem(&stats, &key);
	if (!s) {
		/* NOEXIST: another CPU may have created it meanwhile; that is fine. */
		bpf_map_update_elem(&stats, &key, &zero_stats, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&stats, &key);
		if (!s) {
			lost_count(NULL); /* the map is full */
			return;
		}
		newcomm = true;
	}
	if (newcomm) {
		char comm[MOAT_COMM_LEN];

		bpf_get_current_comm(comm, sizeof(comm));
		bpf_map_update_elem(&comms, &tgid, comm, BPF_ANY);
	}
	s->calls++;
	if (ret < 0 && ret >= -4095)
		s->errors++;
	if (!timed)
		return; /* no duration: the latency columns cover timed calls only */
	s->timed++;
	s->total_ns += dur;
	b = log2_bucket(dur);
	if (b < TOP_NBUCKETS) /* always true; the verifier wants to see it */
		s->hist[b]++;
}

/* int 0x80: an i386 number, counted apart from the native call of that number. */
static __always_inline __u32 abi_of(struct task_struct *task)
{
	return moat_task_compat(task) ? 1 : 0;
}

static __always_inline bool is_on(__u32 nr, __u32 abi)
{
	__u32 i;

	if (nr >= TOP_NR_MAX)
		return other_on;
	/*
	 * The barrier keeps clang from adding the index to the map pointer
	 * before the check above, which the verifier rejects as unbounded.
	 */
	i = (abi & 1) * TOP_NR_MAX + (nr & (TOP_NR_MAX - 1));
	asm volatile("" : "+r"(i));
	return ((const volatile __u8 *)sys_on)[i & (2 * TOP_NR_MAX - 1)];
}

SEC("tp_btf/sys_enter")
int BPF_PROG(top_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = task->tgid, nr = id, abi;
	struct moat_entry *in;

	if (id < 0 || !moat_filter_task(task, tgid))
		return 0;
	abi = abi_of(task);
	if (!is_on(nr, abi))
		return 0;
	if (nr == nr_exit[abi & 1] || nr == nr_exit_group[abi & 1]) {
		/* No sys_exit follows: count the call now, with no duration. */
		account(tgid, abi ? nr | TOP_NR_I386 : nr, 0, 0, false, false);
		return 0;
	}
	in = entry_slot_get();
	if (!in)
		return 0; /* cannot happen; the exit counts the call untimed */
	in->tid = task->pid;
	in->nr = abi ? nr | TOP_NR_I386 : nr;
	in->active = 1;
	in->ts_ns = bpf_ktime_get_ns();
	return 0;
}

/* KEY (a number | TOP_NR_I386) is an execve or execveat of either ABI. */
static __always_inline bool is_exec_key(__u32 key)
{
	return key == nr_execve[0] || key == nr_execveat[0] ||
	       key == (nr_execve[1] | TOP_NR_I386) || key == (nr_execveat[1] | TOP_NR_I386);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(top_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = task->tgid, abi = abi_of(task), nr, key;
	long snr = moat_exit_nr(regs);
	struct moat_entry *in;
	bool exec;

	in = entry_find(task, task->pid);
	if (in && in->active) {
		/* rt_sigreturn restores the saved number (-1): its entry names it. */
		key = in->nr;
		/*
		 * A successful exec sets the number and the ABI to the new
		 * program's (int 0x80 execve of a 64-bit program, execveat: both
		 * exit as the native execve): the entry tells what was called.
		 */
		exec = ret == 0 && (__u32)snr == nr_execve[abi & 1] && is_exec_key(key);
		if (snr < 0 || exec || key == (abi ? (__u32)snr | TOP_NR_I386 : (__u32)snr)) {
			/* Its entry passed the filters: counted, with its duration. */
			in->active = 0;
			/* A successful exec renames the process: its comm is read again. */
			account(tgid, key, bpf_ktime_get_ns() - in->ts_ns, ret, exec, true);
			return 0;
		}
	}
	/*
	 * No entry: seccomp answered the call before sys_enter (a denied call
	 * never reaches it), or moat attached meanwhile. Counted, untimed.
	 */
	if (snr < 0 || !moat_filter_task(task, tgid))
		return 0;
	nr = snr;
	if (!is_on(nr, abi))
		return 0;
	/* A new thread or process returning 0 from the fork that made it. */
	if (ret == 0 && (nr == nr_forks[abi & 1][0] || nr == nr_forks[abi & 1][1] ||
			 nr == nr_forks[abi & 1][2] || nr == nr_forks[abi & 1][3]))
		return 0;
	account(tgid, abi ? nr | TOP_NR_I386 : nr, 0, ret, false, false);
	return 0;
}

/* A call leaving its CPU takes its entry along (entry.bpf.h). */
SEC("tp_btf/sched_switch")
int BPF_PROG(top_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	entry_spill(prev);
	return 0;
}
