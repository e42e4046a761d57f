// SPDX-License-Identifier: MIT
/*
 * `moat top`: per (process, syscall) calls, errors, total time and a log2
 * latency histogram, all kept in the kernel (per-CPU values: no atomics on
 * the hot path). An update that finds the map full is counted as lost.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "filter.bpf.h"
#include "lost.bpf.h"
#include "top.h"

char LICENSE[] SEC("license") = "GPL";

#define TS_COMPAT 0x0002 /* arch/x86/include/asm/thread_info.h, not in BTF */

/* Per ABI: [0] native numbers, [1] i386 ones (int 0x80 on x86_64). */
const volatile __u8 sys_on[2][TOP_NR_MAX] = {};
const volatile __u8 other_on = 0;
const volatile __u32 nr_exit[2] = { 0xffffffff, 0xffffffff };
const volatile __u32 nr_exit_group[2] = { 0xffffffff, 0xffffffff };
const volatile __u32 nr_execve[2] = { 0xffffffff, 0xffffffff };

struct top_inflight {
	__u64 ts_ns;
	__u32 nr;
	__u32 active;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct top_inflight);
} inflight SEC(".maps");

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

static __always_inline void account(__u32 tgid, __u32 nr, __u64 dur, long ret, bool newcomm)
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
	s->total_ns += dur;
	b = log2_bucket(dur);
	if (b < TOP_NBUCKETS) /* always true; the verifier wants to see it */
		s->hist[b]++;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(top_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = task->tgid;
	struct top_inflight *in;
	__u32 nr = id, abi = 0;
	__u8 on;

	if (id < 0 || !moat_filter_task(task, tgid))
		return 0;
#if defined(__TARGET_ARCH_x86)
	/* int 0x80: an i386 number, counted apart from the native call of that number. */
	abi = (task->thread_info.status & TS_COMPAT) ? 1 : 0;
#endif
	on = nr < TOP_NR_MAX ? sys_on[abi & 1][nr & (TOP_NR_MAX - 1)] : other_on;
	if (!on)
		return 0;
	if (nr == nr_exit[abi & 1] || nr == nr_exit_group[abi & 1]) {
		/* No sys_exit follows: count the call now, with no duration. */
		account(tgid, abi ? nr | TOP_NR_I386 : nr, 0, 0, false);
		return 0;
	}
	if (abi)
		nr |= TOP_NR_I386;
	in = bpf_task_storage_get(&inflight, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!in) {
		lost_count(NULL);
		return 0;
	}
	in->ts_ns = bpf_ktime_get_ns();
	in->nr = nr;
	in->active = 1;
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(top_exit, struct pt_regs *regs, long ret)
{
	struct top_inflight *in;
	__u64 now;

	in = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), NULL, 0);
	if (!in || !in->active)
		return 0;
	in->active = 0;
	now = bpf_ktime_get_ns();
	/* A successful execve renames the process: refresh its comm. */
	account(bpf_get_current_pid_tgid() >> 32, in->nr, now - in->ts_ns, ret,
		ret == 0 && (in->nr == nr_execve[0] || in->nr == (nr_execve[1] | TOP_NR_I386)));
	return 0;
}
