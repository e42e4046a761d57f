// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * `moat bench`'s eBPF side: programs on tp_btf/sys_enter and sys_exit, one
 * scenario at a time, to price what observing syscalls costs: nothing but
 * the tracepoint (bench_empty; bench_empty_exit; both), a clock read per
 * call at exit (bench_clock), in-kernel counting per syscall number
 * (bench_count, what `moat record` needs), and one ringbuf event per syscall
 * (bench_ringbuf).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bench.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* The measured process; set before load. The empty program ignores it on purpose. */
const volatile __u32 target_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BENCH_MAX_NR);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

/* Events the ringbuf had no room for: counted, never silently lost. */
__u64 drops = 0;
/* bench_clock: clock reads made for the target (and their sum, so none is optimised out). */
__u64 clock_reads = 0;
__u64 clock_sum = 0;

SEC("tp_btf/sys_enter")
int BPF_PROG(bench_empty, struct pt_regs *regs, long id)
{
	return 0;
}

/* The floors `moat trace` builds on: an empty program at exit, and one at each end. */
SEC("tp_btf/sys_exit")
int BPF_PROG(bench_empty_exit, struct pt_regs *regs, long ret)
{
	return 0;
}

/* What one timestamp per event costs on top (bpf_ktime_get_ns: the clocksource read). */
SEC("tp_btf/sys_exit")
int BPF_PROG(bench_clock, struct pt_regs *regs, long ret)
{
	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	clock_sum += bpf_ktime_get_ns();
	clock_reads++;
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(bench_count, struct pt_regs *regs, long id)
{
	__u32 key = (__u32)id;
	__u64 *c;

	if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
		return 0;
	c = bpf_map_lookup_elem(&counts, &key);
	if (c)
		__sync_fetch_and_add(c, 1);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(bench_ringbuf, struct pt_regs *regs, long id)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct bench_event *e;

	if ((pid_tgid >> 32) != target_tgid)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&drops, 1);
		return 0;
	}
	e->ts = bpf_ktime_get_ns();
	e->tgid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->nr = id;
	/* x86_64 syscall argument registers; tp_btf gives a trusted pt_regs pointer. */
	e->args[0] = regs->di;
	e->args[1] = regs->si;
	e->args[2] = regs->dx;
	e->args[3] = regs->r10;
	e->args[4] = regs->r8;
	e->args[5] = regs->r9;
	bpf_ringbuf_submit(e, 0);
	return 0;
}
