// SPDX-License-Identifier: MIT
/*
 * `moat trace`: one record per syscall, written at sys_exit into the ring of
 * the current CPU (see trace.h for the layout and why).
 *
 * Hot path at exit: the per-number configuration byte, then the task filter,
 * then a few stores into the ring. Entry work (time, strings) is done only
 * for calls whose configuration asks for it, and the loader attaches the
 * sys_enter program only when some call does.
 *
 * Nothing is lost silently: a record that finds its ring full is counted in
 * a per-CPU counter and the next record of that CPU carries the count
 * (lost_before), so losses show in the stream where they happened.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "abi.bpf.h"
#include "filter.bpf.h"
#include "lost.bpf.h"
#include "trace.h"
#include "track.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define READ_ONCE(x) (*(volatile typeof(x) *)&(x))

/* Per ABI (0: native, 1: i386 through int 0x80 on x86_64): sys_conf[nr], numbers that matter. */
const volatile __u8 sys_conf[TRACE_NABI][TRACE_NR_MAX] = {};
const volatile __u8 other_conf = 0; /* numbers >= TRACE_NR_MAX */
const volatile struct trace_nrs nrs[TRACE_NABI] = {};
/* Per ABI: sys_buf[nr], TRACE_BUF_*; the first buf_max bytes are shown. */
const volatile __u8 sys_buf[TRACE_NABI][TRACE_NR_MAX] = {};
const volatile __u32 buf_max = 0;
/* Only the processes of the tracked set (moat trace -- CMD and its descendants). */
const volatile __u32 use_tracked = 0;
const volatile __u32 failed_only = 0;
/* Take the entry time of every traced call (durations). */
const volatile __u32 timed = 0;
/*
 * --no-time: records are ordered by a global sequence number instead of the
 * clock (no timestamps, no durations). A locked add on x86 costs a few ns
 * uncontended where bpf_ktime_get_ns costs ~60 here (docs/performance.md).
 */
const volatile __u32 seq_mode = 0;
/* The next sequence number; the reader reads it too (see drain()). */
__u64 trace_seq = 0;
/* Bytes of each CPU's ring (a power of 2). */
const volatile __u64 ring_bytes = TRACE_RING_MIN;

/* Forks the tracked set could not take: those processes go unseen, so say so. */
__u64 track_full = 0;

static void track_loss_full(void)
{
	__sync_fetch_and_add(&track_full, 1);
}

/* What the entry program leaves for the exit program of the same call. */
struct moat_entry {
	__u64 ts_ns;
	__u32 tid;
	__u32 nr;
	__u32 active; /* entered, not yet exited */
	__u32 flags;  /* TRACE_EV_STR*_FAULT */
	__u8 str_arg[TRACE_NSTR];
	__u8 exec;   /* an execve/execveat: args below */
	__u8 compat; /* an i386 call */
	__u16 str_len[TRACE_NSTR];
	/*
	 * execve/execveat only: a successful exec leaves the new program's
	 * registers at sys_exit, so the arguments are kept from the entry.
	 */
	__u64 args[6];
	/* One more string's room: an argv read may run past its share (read_argv). */
	char str[(TRACE_NSTR + 1) * TRACE_STR_MAX];
};

#include "entry.bpf.h"

/* cpu -> that CPU's ring; value_size (= ring_bytes) and max_entries set by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, TRACE_RING_MIN);
	__uint(max_entries, 1);
} rings SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct trace_ring_pos);
} ring_pos SEC(".maps");

/* Wake-ups only: an 8-byte note when a ring passes wake_bytes (the reader polls epoll on it). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} doorbell SEC(".maps");

static __always_inline __u8 conf_of(__u32 nr, bool compat)
{
	/* The masks keep the verifier sure of the bounds whatever clang reorders. */
	return nr < TRACE_NR_MAX ? sys_conf[compat & 1][nr & (TRACE_NR_MAX - 1)] : other_conf;
}

static __always_inline __u8 buf_of(__u32 nr, bool compat)
{
	return nr < TRACE_NR_MAX ? sys_buf[compat & 1][nr & (TRACE_NR_MAX - 1)] : 0;
}

/* Two word loads from the task: cheaper than bpf_get_current_comm()'s byte copy. */
static __always_inline void copy_comm(char *dst, struct task_struct *task)
{
	__builtin_memcpy(dst, task->comm, 8);
	__builtin_memcpy(dst + 8, task->comm + 8, 8);
}

static __always_inline void read_args(__u64 *args, struct pt_regs *regs, bool compat)
{
#if defined(__TARGET_ARCH_x86)
	if (compat) {
		args[0] = (__u32)regs->bx;
		args[1] = (__u32)regs->cx;
		args[2] = (__u32)regs->dx;
		args[3] = (__u32)regs->si;
		args[4] = (__u32)regs->di;
		args[5] = (__u32)regs->bp;
		return;
	}
	args[0] = regs->di;
	args[1] = regs->si;
	args[2] = regs->dx;
	args[3] = regs->r10;
	args[4] = regs->r8;
	args[5] = regs->r9;
#elif defined(__TARGET_ARCH_arm64)
	/* x0 holds the result at exit; orig_x0 keeps the first argument. */
	args[0] = regs->orig_x0;
	args[1] = regs->regs[1];
	args[2] = regs->regs[2];
	args[3] = regs->regs[3];
	args[4] = regs->regs[4];
	args[5] = regs->regs[5];
#else
#error "moat trace: unsupported architecture"
#endif
}

/*
 * Reads the string arguments MASK selects into STR (at most TRACE_NSTR, in
 * argument order), setting the per-slot fields; returns fault flags.
 */
static __always_inline __u32 read_strings(char *str, __u8 *str_arg, __u16 *str_len,
					  const __u64 *args, __u8 mask)
{
	__u32 flags = 0;
	int n = 0;

	str_arg[0] = str_arg[1] = 0xff;
	str_len[0] = str_len[1] = 0;
#pragma unroll
	for (int i = 0; i < 6; i++) {
		__u32 off;
		long len;

		if (!(mask & (1 << i)) || n >= TRACE_NSTR)
			continue;
		off = n ? str_len[0] : 0;
		if (off > TRACE_STR_MAX)
			off = TRACE_STR_MAX;
		len = bpf_probe_read_user_str(str + off, TRACE_STR_MAX, (const void *)args[i]);
		str_arg[n] = i;
		if (len < 0)
			flags |= n ? TRACE_EV_STR1_FAULT : TRACE_EV_STR0_FAULT;
		else
			str_len[n] = len;
		n++;
	}
	return flags;
}

/*
 * execve's argv (the pointer ARGV, i386 pointers when COMPAT) as string 1:
 * the elements one after the other, each NUL-ended, TRACE_STR_MAX bytes in
 * all, at most TRACE_ARGV_MAX of them. STR has room for TRACE_STR_MAX
 * bytes past string 1's share: each element is read with a constant size
 * (what the verifier can bound) and the total cut afterwards.
 */
static __always_inline __u32 read_argv(char *str, __u8 *str_arg, __u16 *str_len, __u64 argv,
				       int arg, bool compat)
{
	__u32 off0 = str_len[0], used = 0, pos;
	__u32 flags = TRACE_EV_ARGV;
	int i;

	if (str_arg[1] != 0xff || off0 > TRACE_STR_MAX)
		return 0; /* string 1 is taken (cannot happen for execve/execveat) */
	str_arg[1] = arg;
	for (i = 0; i <= TRACE_ARGV_MAX; i++) {
		__u64 p = 0;
		long len;

		if (bpf_probe_read_user(&p, compat ? 4 : 8,
					(const void *)(argv + (compat ? 4 : 8) * i)))
			return i ? flags | TRACE_EV_ARGV_MORE : TRACE_EV_STR1_FAULT;
		if (!p)
			break;
		if (i == TRACE_ARGV_MAX || used >= TRACE_STR_MAX) {
			flags |= TRACE_EV_ARGV_MORE;
			break;
		}
		/* Below 2 * TRACE_STR_MAX already (off0 and used are): the mask tells the verifier. */
		pos = (off0 + used) & (2 * TRACE_STR_MAX - 1);
		len = bpf_probe_read_user_str(str + pos, TRACE_STR_MAX, (const void *)p);
		if (len <= 0) {
			flags |= TRACE_EV_ARGV_MORE; /* an element we cannot read ends the list */
			break;
		}
		used += len;
	}
	if (used > TRACE_STR_MAX) {
		used = TRACE_STR_MAX; /* the last element cut: no NUL at its end */
		flags |= TRACE_EV_ARGV_MORE;
	}
	str_len[1] = used;
	return flags;
}

/* ARGS[I] without a variable stack offset (which the verifier refuses). */
static __always_inline __u64 arg_at(const __u64 *args, __u32 i)
{
	if (i == 0)
		return args[0];
	if (i == 1)
		return args[1];
	if (i == 2)
		return args[2];
	if (i == 3)
		return args[3];
	if (i == 4)
		return args[4];
	return i == 5 ? args[5] : 0;
}

/*
 * A buffer's bytes (read/write data, a sockaddr, a struct stat): how many a
 * record shows (BC: sys_buf), *PTR where they are; TRACE_EV_BUF_MORE in *MORE
 * when the call's bytes go on.
 */
static __always_inline __u32 buf_size(__u8 bc, struct pt_regs *regs, bool compat, long ret,
				      __u64 *ptr, __u32 *more)
{
	__u64 args[6], count;
	__u32 i = bc & TRACE_BUF_ARG, max;

	read_args(args, regs, compat);
	if (bc & TRACE_BUF_FILLED) {
		count = TRACE_STAT_LEN;
	} else if (bc & TRACE_BUF_LEN_PTR) {
		/* socklen_t, value-result: the address's full length, maybe more than fit. */
		__u32 n = 0;

		if (bpf_probe_read_user(&n, sizeof(n), (const void *)arg_at(args, i + 1)))
			n = 0;
		count = n;
	} else if (bc & TRACE_BUF_LEN_RET)
		count = ret > 0 ? ret : 0;
	else
		count = arg_at(args, i + 1);
	*ptr = arg_at(args, i);
	max = (bc & TRACE_BUF_WHOLE) ? TRACE_STR_MAX : buf_max;
	*more = count > max ? TRACE_EV_BUF_MORE : 0;
	return count > max ? max : count;
}

/* The data buffer as string 1, right after string 0 (room reserved for it). */
static __always_inline void put_buf(struct trace_record *r, __u64 ptr, __u32 blen, __u32 more,
				    __u8 arg)
{
	__u32 off = r->str_len[0];

	if (off > TRACE_STR_MAX || r->str_arg[1] != 0xff)
		return; /* string 1 is taken (no such call has two strings and a buffer) */
	if (blen > TRACE_STR_MAX)
		blen = TRACE_STR_MAX;
	r->str_arg[1] = arg;
	r->str_len[1] = 0;
	if (blen && bpf_probe_read_user(r->str + off, blen, (const void *)ptr)) {
		r->flags |= TRACE_EV_STR1_FAULT;
		return;
	}
	r->str_len[1] = blen;
	r->flags |= TRACE_EV_BUF | more;
}

/*
 * The task's tgid:pid as bpf_get_current_pid_tgid() gives them, read from
 * the task: helper calls are dear where returns go through a mitigation
 * thunk (this VM: ~15 ns each).
 */
static __always_inline __u64 task_pid_tgid(struct task_struct *task)
{
	return (__u64)(__u32)task->tgid << 32 | (__u32)task->pid;
}

static __always_inline bool tracked_pending(__u32 tgid)
{
	__u8 *state = bpf_map_lookup_elem(&tracked, &tgid);

	return state && *state == TRACK_EXEC_PENDING;
}

/*
 * Room for LEN bytes in this CPU's ring: the record's address, with *POS and
 * *HEAD set for commit(); NULL (counted as lost) when the ring is full. A
 * record never wraps: when it would not fit before the end, a pad record
 * fills the rest and it starts at offset 0.
 */
static __always_inline struct trace_record *reserve(__u32 len, struct trace_ring_pos **posp,
						    __u64 *headp)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct trace_ring_pos *pos;
	struct trace_record *pad;
	__u64 head, off, skip = 0;
	char *ring;

	pos = bpf_map_lookup_elem(&ring_pos, &cpu);
	ring = bpf_map_lookup_elem(&rings, &cpu);
	if (!pos || !ring)
		return NULL;
	head = pos->head;
	/* Records are 8-byte multiples: saying so lets the verifier bound the pad's stores. */
	off = head & (ring_bytes - 1) & ~7ull;
	if (off > ring_bytes - TRACE_RECORD_MAX)
		skip = ring_bytes - off;
	/* tail is the reader's: a stale value only makes the ring look fuller. */
	if (head + skip + len - READ_ONCE(pos->tail) > ring_bytes)
		return NULL;
	if (skip) {
		pad = (struct trace_record *)(ring + off);
		pad->len = skip;
		pad->flags = TRACE_EV_PAD;
		head += skip;
		off = 0;
	}
	/* Before the caller reads the clock (see trace_ring_pos.busy). */
	pos->busy = 1;
	asm volatile("" ::: "memory");
	*posp = pos;
	*headp = head;
	return (struct trace_record *)(ring + off);
}

/*
 * The record's merge key, taken after reserve() set the busy flag: the
 * clock, or with --no-time the next sequence number (a full barrier on x86,
 * so the busy flag is visible before the number is taken).
 */
static __always_inline __u64 stamp(void)
{
	if (seq_mode)
		return __sync_fetch_and_add(&trace_seq, 1);
	return bpf_ktime_get_ns();
}

/* Publishes the record of LEN bytes at HEAD, and rings the doorbell at the reader's mark. */
static __always_inline void commit(struct trace_ring_pos *pos, __u64 head, __u32 len,
				   struct moat_lost *l, __u32 lost_before)
{
	__u64 end = head + len;

#if defined(__TARGET_ARCH_x86)
	/* x86 keeps stores in order: the reader sees the record before the head. */
	asm volatile("" ::: "memory");
	pos->head = end;
	asm volatile("" ::: "memory");
	pos->busy = 0;
#else
	/* Elsewhere fully ordered atomics publish the record's stores first. */
	__sync_fetch_and_add(&pos->head, end - pos->head);
	__sync_fetch_and_and(&pos->busy, 0);
#endif
	if (l)
		l->reported += lost_before;
	if (end >= READ_ONCE(pos->wake_at) && READ_ONCE(pos->armed)) {
		__u64 note = end;

		pos->armed = 0;
		/* The note may itself find no room: the reader's poll timeout covers that. */
		bpf_ringbuf_output(&doorbell, &note, sizeof(note), BPF_RB_FORCE_WAKEUP);
	}
}

/* Losses of this CPU no record has carried yet; L is set when there are any to track. */
static __always_inline __u32 lost_pending(struct moat_lost **l)
{
	__u64 delta;

	*l = NULL;
	if (!lost_seen)
		return 0;
	*l = lost_slot();
	if (!*l)
		return 0;
	delta = (*l)->lost - (*l)->reported;
	return delta > 0xffffffff ? 0xffffffff : delta;
}

/* Fills the fixed part of R. */
static __always_inline void fill(struct trace_record *r, __u32 len, __u32 flags, __u64 ts,
				 __u64 pid_tgid, __u32 nr, long ret, struct pt_regs *regs,
				 struct task_struct *task, bool compat, __u32 lost_before)
{
	r->len = len;
	r->flags = flags | (compat ? TRACE_EV_COMPAT : 0);
	r->ts_ns = ts;
	r->ret = ret;
	r->pid = pid_tgid >> 32;
	r->tid = (__u32)pid_tgid;
	r->nr = nr;
	r->lost_before = lost_before;
	read_args(r->args, regs, compat);
	copy_comm(r->comm, task);
}

/*
 * A new process or thread returning 0 from the fork that made it: strace
 * and the parent's record already tell of that call.
 */
static __always_inline bool child_return(__u32 nr, long ret, bool compat)
{
	const volatile struct trace_nrs *k = &nrs[compat & 1];

	return ret == 0 && (nr == k->clone || nr == k->clone3 || nr == k->fork || nr == k->vfork);
}

/* Does the current task pass the filters (the tracked set included)? */
static __always_inline bool wanted(struct task_struct *task, __u64 pid_tgid, __u32 nr, bool compat,
				   bool at_entry)
{
	if (!moat_filter_task(task, pid_tgid >> 32))
		return false;
	if (!use_tracked || track_current())
		return true;
	/*
	 * A spawned child waiting to exec runs moat's glue, not the program: of
	 * it only the execve counts (it turns active at sched_process_exec,
	 * before this execve's sys_exit).
	 */
	return at_entry && (nr == nrs[compat & 1].execve || nr == nrs[compat & 1].execveat) &&
	       tracked_pending(pid_tgid >> 32);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(trace_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 pid_tgid = task_pid_tgid(task);
	struct moat_entry *in;
	__u64 args[6];
	__u32 nr = id;
	bool compat;
	__u8 conf;

	if (id < 0)
		return 0;
	compat = moat_task_compat(task);
	conf = conf_of(nr, compat);
	if (!(conf & TRACE_CONF_ENTRY) || !wanted(task, pid_tgid, nr, compat, true))
		return 0;
	if (nr == nrs[compat & 1].exit || nr == nrs[compat & 1].exit_group) {
		/* These never reach sys_exit: the record is written now. */
		struct trace_ring_pos *pos;
		struct trace_record *r;
		struct moat_lost *l;
		__u32 lost_before;
		__u64 head;

		if (failed_only)
			return 0;
		lost_before = lost_pending(&l);
		r = reserve(TRACE_RECORD_HDR_SIZE, &pos, &head);
		if (!r) {
			lost_count(l);
			return 0;
		}
		fill(r, TRACE_RECORD_HDR_SIZE, TRACE_EV_NORETURN, stamp(), pid_tgid, nr, 0, regs,
		     task, compat, lost_before);
		r->dur_ns = 0;
		r->str_arg[0] = r->str_arg[1] = 0xff;
		r->str_len[0] = r->str_len[1] = 0;
		commit(pos, head, TRACE_RECORD_HDR_SIZE, l, lost_before);
		return 0;
	}
	in = entry_slot_get();
	if (!in)
		return 0; /* cannot happen (CPU in range); the exit writes the record untimed */
	in->tid = (__u32)pid_tgid;
	in->nr = nr;
	in->flags = 0;
	in->exec = 0;
	in->compat = compat;
	in->str_arg[0] = in->str_arg[1] = 0xff;
	in->str_len[0] = in->str_len[1] = 0;
	if (conf & TRACE_CONF_STRMASK) {
		read_args(args, regs, compat);
		in->flags = read_strings(in->str, in->str_arg, in->str_len, args,
					 conf & TRACE_CONF_STRMASK);
		if (nr == nrs[compat & 1].execve || nr == nrs[compat & 1].execveat) {
			bool at = nr == nrs[compat & 1].execveat;

			in->exec = 1;
			__builtin_memcpy(in->args, args, sizeof(in->args));
			in->flags |= read_argv(in->str, in->str_arg, in->str_len,
					       at ? args[2] : args[1], at ? 2 : 1, compat);
		}
	}
	in->active = 1;
	/* Last, so that the time taken at entry leaves out the string reads. */
	in->ts_ns = timed ? bpf_ktime_get_ns() : 0;
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(trace_exit, struct pt_regs *regs, long ret)
{
	__u64 pid_tgid, now, head;
	struct moat_entry *in = NULL;
	struct trace_ring_pos *pos;
	struct task_struct *task;
	struct trace_record *r;
	struct moat_lost *l;
	__u32 nr, len, flags = 0, lost_before, n;
	long snr = moat_exit_nr(regs);
	bool compat, exec, keep, shrink = false;
	__u32 blen = 0, bmore = 0;
	__u64 bptr = 0;
	__u8 conf, bc;

	task = bpf_get_current_task_btf();
	pid_tgid = task_pid_tgid(task);
	compat = moat_task_compat(task);
	if (snr < 0) {
		/*
		 * rt_sigreturn restores the registers, the saved number with them
		 * (-1, so that the call is not restarted): only its entry names it.
		 * The loader makes sigreturns entry calls when they are traced.
		 */
		in = entry_find(task, (__u32)pid_tgid);
		if (!in || !in->active ||
		    (in->nr != nrs[compat & 1].rt_sigreturn && in->nr != nrs[compat & 1].sigreturn))
			return 0;
		in->active = 0;
		nr = in->nr;
		conf = conf_of(nr, compat);
		goto traced;
	}
	nr = snr;
	if (ret == 0 && nr == nrs[compat & 1].execve) {
		/*
		 * A successful exec sets the number and the ABI to the new
		 * program's (an int 0x80 execve of a 64-bit program exits as the
		 * native execve, execveat as execve): the entry tells what was called.
		 */
		in = entry_find(task, (__u32)pid_tgid);
		if (in && in->active && in->exec) {
			in->active = 0;
			nr = in->nr;
			compat = in->compat;
			conf = conf_of(nr, compat);
			goto traced;
		}
		in = NULL;
	}
	conf = conf_of(nr, compat);
	if (!(conf & TRACE_CONF_ON))
		return 0;
	if (conf & TRACE_CONF_ENTRY) {
		in = entry_find(task, (__u32)pid_tgid);
		if (in && in->active && in->nr == nr) {
			/* Its entry passed the filters: the call is traced whatever changed since. */
			in->active = 0;
		} else {
			/*
			 * No entry seen: seccomp answered the call before sys_enter
			 * (denied calls never reach it), or moat attached in between,
			 * or this is a new child's return from fork.
			 */
			in = NULL;
			if (!wanted(task, pid_tgid, nr, compat, false) ||
			    child_return(nr, ret, compat))
				return 0;
		}
	} else if (!wanted(task, pid_tgid, nr, compat, false) || child_return(nr, ret, compat)) {
		return 0;
	}
traced:
	if (failed_only && !(ret < 0 && ret >= -4095))
		return 0;
	len = TRACE_RECORD_HDR_SIZE;
	/*
	 * A buffer (read/write data, a sockaddr, a struct stat), read at exit:
	 * what the kernel fills is there only then.
	 */
	bc = buf_of(nr, compat);
	if (bc && !((bc & (TRACE_BUF_LEN_RET | TRACE_BUF_LEN_PTR)) && ret < 0) &&
	    !((bc & TRACE_BUF_FILLED) && ret))
		blen = buf_size(bc, regs, compat, ret, &bptr, &bmore);
	else
		bc = 0; /* a failed read or stat: nothing filled, the pointer shown */
	/*
	 * A BPF program cannot fault pages in: a path in a page the program has
	 * not touched yet (often its .rodata) reads as a fault at entry. The
	 * syscall itself has just copied it in, so it is read again at exit;
	 * not after an exec, whose old memory and registers are gone.
	 */
	exec = in && in->exec;
	keep = in && (exec || !(in->flags & (TRACE_EV_STR0_FAULT | TRACE_EV_STR1_FAULT)));
	if (in) {
		n = in->str_len[0] + in->str_len[1];
		if (n > TRACE_NSTR * TRACE_STR_MAX)
			n = TRACE_NSTR * TRACE_STR_MAX;
		n += blen;
		if (!keep || n > TRACE_NSTR * TRACE_STR_MAX)
			n = TRACE_NSTR * TRACE_STR_MAX;
		len += (n + 7) & ~7u;
	} else if (conf & TRACE_CONF_STRMASK) {
		len += TRACE_NSTR * TRACE_STR_MAX;
	} else {
		len += (blen + 7) & ~7u;
	}
	lost_before = lost_pending(&l);
	r = reserve(len, &pos, &head);
	if (!r) {
		lost_count(l);
		return 0;
	}
	now = stamp();
	if (in && timed) {
		flags |= TRACE_EV_TIMED;
		r->dur_ns = now - in->ts_ns;
	} else {
		r->dur_ns = 0;
	}
	fill(r, len, flags, now, pid_tgid, nr, ret, regs, task, compat, lost_before);
	if (keep) {
		if (exec)
			__builtin_memcpy(r->args, in->args, sizeof(r->args));
		r->flags |= in->flags & (TRACE_EV_STR0_FAULT | TRACE_EV_STR1_FAULT | TRACE_EV_ARGV |
					 TRACE_EV_ARGV_MORE);
		r->str_arg[0] = in->str_arg[0];
		r->str_arg[1] = in->str_arg[1];
		r->str_len[0] = in->str_len[0];
		r->str_len[1] = in->str_len[1];
		n = in->str_len[0] + in->str_len[1];
		if (n > TRACE_NSTR * TRACE_STR_MAX)
			n = TRACE_NSTR * TRACE_STR_MAX;
		if (n)
			bpf_probe_read_kernel(r->str, n, in->str);
	} else if (conf & TRACE_CONF_STRMASK) {
		r->flags |= TRACE_EV_STR_AT_EXIT | read_strings(r->str, r->str_arg, r->str_len,
								r->args, conf & TRACE_CONF_STRMASK);
		shrink = true;
	} else {
		r->str_arg[0] = r->str_arg[1] = 0xff;
		r->str_len[0] = r->str_len[1] = 0;
	}
	if (bc)
		put_buf(r, bptr, blen, bmore, bc & TRACE_BUF_ARG);
	if (shrink) {
		/* The record shrinks to what was read; the rest of the room stays unused. */
		n = r->str_len[0] + r->str_len[1];
		if (n > TRACE_NSTR * TRACE_STR_MAX)
			n = TRACE_NSTR * TRACE_STR_MAX;
		len = TRACE_RECORD_HDR_SIZE + ((n + 7) & ~7u);
		r->len = len;
	}
	commit(pos, head, len, l, lost_before);
	return 0;
}

/*
 * A thread leaves its CPU in the middle of a call (it sleeps, or is
 * preempted): its entry moves from the CPU's slot to its task storage, before
 * another thread's entry can take the slot. Loaded with trace_enter.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(trace_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	entry_spill(prev);
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
