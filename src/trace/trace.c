// SPDX-License-Identifier: MIT
/*
 * `moat trace` loader: open -> set rodata (filters, per-syscall bytes) and the
 * ring buffer size -> load -> attach -> poll. Records become moat_trace_event
 * values handed to the caller's callbacks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/trace.h"
#include "moat/syscalls.h"
#include "moat/trace.h"
#include "moat/track.h"
#include "trace.skel.h"
#include "trace/bpfutil.h"

/*
 * Records younger than the drain's clock read minus this wait for the next
 * poll: the programs' clock (ktime_get_mono_fast_ns) may lag user space's
 * CLOCK_MONOTONIC by a little around timekeeping updates.
 */
#define MERGE_MARGIN_NS 10000ull

struct moat_trace {
	struct trace_bpf *skel;
	struct ring_buffer *bell; /* wake-up notes from the programs */
	struct moat_trace_ops ops;
	bool follow;
	int64_t mono_to_real;
	bool no_time; /* records carry sequence numbers, not times */
	enum moat_arch native;
	bool stopped;
	int cb_err; /* first error a callback returned */
	uint64_t received;
	uint64_t lost_total; /* set by moat_trace_stop */
	/* The per-CPU rings and their positions, mapped from the maps. */
	int ncpu;
	size_t ring_bytes;
	char *rings;
	struct trace_ring_pos *pos;
	uint64_t *cursor;  /* per CPU: the next byte to read (tail once delivered) */
	uint64_t *head;	   /* per CPU: head as read at the start of this drain */
	uint64_t *last_ts; /* per CPU: clock of its newest record delivered */
	int *busy_cpu;	   /* per drain: the CPUs found writing */
	/* Names and signatures by number, looked up once: [0] native, [1] i386. */
	const char *names[TRACE_NABI][TRACE_NR_MAX];
	const struct moat_syscall_sig *sigs[TRACE_NABI][TRACE_NR_MAX];
	char unnamed[TRACE_NABI][TRACE_NR_MAX][16];
	char beyond[32]; /* the name of a number past the tables, for one event */
};

/* The ABIs of the configuration tables (i386 only where int 0x80 exists). */
static enum moat_arch abi_arch(const struct moat_trace *t, int abi)
{
	if (abi == 0)
		return t->native;
	return t->native == MOAT_ARCH_X86_64 ? MOAT_ARCH_I386 : MOAT_ARCH__COUNT;
}

static void *record_at(const struct moat_trace *t, int cpu, uint64_t pos)
{
	return t->rings + (size_t)cpu * t->ring_bytes + (pos & (t->ring_bytes - 1));
}

static int deliver(struct moat_trace *t, const struct trace_record *r)
{
	struct moat_trace_event ev;
	int abi = (r->flags & TRACE_EV_COMPAT) ? 1 : 0;
	size_t off = 0;
	int err;

	if (r->lost_before && t->ops.lost) {
		err = t->ops.lost(r->lost_before, false, t->ops.ctx);
		if (err)
			return err;
	}
	memset(&ev, 0, sizeof(ev));
	ev.timed = r->flags & TRACE_EV_TIMED;
	ev.dur_ns = ev.timed ? r->dur_ns : 0;
	/* The rings are merged by exit time; a line shows the entry time when it is known. */
	if (t->no_time) {
		/* The merge key is a sequence number, not a time. */
		ev.no_time = true;
		ev.seq = r->ts_ns;
	} else {
		ev.ts_ns = r->ts_ns - ev.dur_ns + t->mono_to_real;
	}
	memcpy(ev.args, r->args, sizeof(ev.args));
	ev.ret = r->ret;
	ev.pid = r->pid;
	ev.tid = r->tid;
	ev.nr = r->nr;
	ev.arch = abi ? MOAT_ARCH_I386 : t->native;
	ev.noreturn = r->flags & TRACE_EV_NORETURN;
	if (ev.nr < TRACE_NR_MAX) {
		ev.name = t->names[abi][ev.nr];
		ev.sig = t->sigs[abi][ev.nr];
	} else {
		/* Beyond every table: a number no kernel has (yet). */
		moat_syscall_format(ev.arch, ev.nr, t->beyond, sizeof(t->beyond));
		ev.name = t->beyond;
	}
	memcpy(ev.comm, r->comm, sizeof(r->comm));
	ev.comm[sizeof(ev.comm) - 1] = 0;
	for (int i = 0; i < MOAT_TRACE_NSTR; i++) {
		struct moat_trace_str *s = &ev.str[i];
		size_t len = r->str_len[i];

		s->arg = r->str_arg[i] < 6 ? r->str_arg[i] : -1;
		if (s->arg < 0)
			continue;
		s->fault = r->flags & (i ? TRACE_EV_STR1_FAULT : TRACE_EV_STR0_FAULT);
		s->at_exit = r->flags & TRACE_EV_STR_AT_EXIT;
		/* Lengths come from the kernel side; still never read past the record. */
		if (len > TRACE_STR_MAX || TRACE_RECORD_HDR_SIZE + off + len > r->len)
			len = 0;
		s->data = r->str + off;
		off += len;
		if (i == 1 && (r->flags & TRACE_EV_BUF)) {
			s->raw = true;
			s->len = len;
			s->truncated = r->flags & TRACE_EV_BUF_MORE;
			continue;
		}
		if (i == 1 && (r->flags & TRACE_EV_ARGV)) {
			s->list = true;
			s->len = len;
			s->truncated = r->flags & TRACE_EV_ARGV_MORE;
			continue;
		}
		s->len = len ? len - 1 : 0; /* without the NUL */
		/* bpf_probe_read_user_str filled the whole buffer: the string may go on. */
		s->truncated = len == TRACE_STR_MAX;
	}
	t->received++;
	return t->ops.event ? t->ops.event(&ev, t->ops.ctx) : 0;
}

/*
 * The next record of CPU at or after its cursor, pads skipped; NULL when the
 * CPU has none below its head. -EIO in *ERR for a malformed ring (it cannot
 * happen unless memory is corrupted: never read past the ring).
 */
static const struct trace_record *next_record(struct moat_trace *t, int cpu, int *err)
{
	while (t->cursor[cpu] < t->head[cpu]) {
		const struct trace_record *r = record_at(t, cpu, t->cursor[cpu]);
		uint64_t off = t->cursor[cpu] & (t->ring_bytes - 1);

		if (r->len < 8 || r->len % 8 || off + r->len > t->ring_bytes ||
		    t->cursor[cpu] + r->len > t->head[cpu] ||
		    (!(r->flags & TRACE_EV_PAD) && r->len < TRACE_RECORD_HDR_SIZE)) {
			*err = -EIO;
			return NULL;
		}
		if (!(r->flags & TRACE_EV_PAD))
			return r;
		t->cursor[cpu] += r->len;
	}
	return NULL;
}

/*
 * The clock of CPU's newest record below its head (walking from the cursor;
 * a busy CPU's unread records are few) or, without one, of the newest it
 * delivered.
 */
static uint64_t newest_ts(struct moat_trace *t, int cpu, int *err)
{
	uint64_t save = t->cursor[cpu], ts = t->last_ts[cpu];
	const struct trace_record *r;

	while ((r = next_record(t, cpu, err))) {
		ts = r->ts_ns;
		t->cursor[cpu] += r->len;
	}
	t->cursor[cpu] = save;
	return ts;
}

static void release(struct moat_trace *t, int cpu)
{
	/* Release: the program may overwrite the bytes once it sees the new tail. */
	__atomic_store_n(&t->pos[cpu].tail, t->cursor[cpu], __ATOMIC_RELEASE);
}

/*
 * Delivers the records of all rings in time order: up to MERGE_MARGIN_NS
 * before the drain started (ALL: every record). Count or -errno.
 */
static int drain(struct moat_trace *t, bool all)
{
	uint64_t limit = UINT64_MAX;
	int n = 0, err = 0, nbusy = 0;
	int *busy_cpu = t->busy_cpu;

	if (!all && t->no_time) {
		/*
		 * Every record numbered below the next number is in a head or is
		 * being written by a busy CPU (the number is taken after the busy
		 * flag is set, with a full barrier): no margin needed.
		 */
		uint64_t next = __atomic_load_n(&t->skel->bss->trace_seq, __ATOMIC_SEQ_CST);

		limit = next ? next - 1 : 0; /* none yet: number 0 is the first there can be */
	} else if (!all) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		limit = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec -
			MERGE_MARGIN_NS;
	}
	/*
	 * After the clock, each CPU's busy flag, then its head: a record not in
	 * the heads is either one a busy CPU is writing, newer than that CPU's
	 * last record, or one started after this clock read. Hold back what
	 * such a record could come before.
	 */
	for (int c = 0; c < t->ncpu; c++) {
		bool busy = __atomic_load_n(&t->pos[c].busy, __ATOMIC_ACQUIRE);

		t->head[c] = __atomic_load_n(&t->pos[c].head, __ATOMIC_ACQUIRE);
		if (busy && !all)
			busy_cpu[nbusy++] = c;
	}
	for (int i = 0; i < nbusy; i++) {
		int c = busy_cpu[i];
		uint64_t last = newest_ts(t, c, &err);

		if (err)
			goto out;
		if (last < limit)
			limit = last;
	}
	for (;;) {
		const struct trace_record *best = NULL;
		int best_cpu = -1;

		/* The oldest first record among the CPUs: each ring is in time order. */
		for (int c = 0; c < t->ncpu; c++) {
			const struct trace_record *r = next_record(t, c, &err);

			if (err)
				goto out;
			if (r && r->ts_ns <= limit && (!best || r->ts_ns < best->ts_ns)) {
				best = r;
				best_cpu = c;
			}
		}
		if (!best)
			break;
		t->cursor[best_cpu] += best->len;
		t->last_ts[best_cpu] = best->ts_ns;
		err = deliver(t, best);
		if (err) {
			if (!t->cb_err)
				t->cb_err = err;
			goto out;
		}
		/* Hand room back as we go: a long backlog must not keep the rings full. */
		if (++n % 1024 == 0)
			release(t, best_cpu);
	}
out:
	for (int c = 0; c < t->ncpu; c++) {
		release(t, c);
		/*
		 * Woken again by a quarter ring of new records: counting from what
		 * this drain saw, not from the tail, so that the few records held
		 * back by the margin cannot ring at once, again and again.
		 */
		__atomic_store_n(&t->pos[c].wake_at, t->head[c] + t->ring_bytes / 4,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&t->pos[c].armed, 1, __ATOMIC_RELEASE);
	}
	return err ? err : n;
}

_Static_assert(TRACE_STAT_LEN == MOAT_STAT_LEN, "the kernel side reads what decode shows");

static int on_bell(void *ctx, void *data, size_t size)
{
	return 0; /* a wake-up only: the records are in the rings */
}

/* The arguments of a call the kernel side reads as strings (bit i: arg i). */
static uint8_t string_args(const struct moat_syscall_sig *sig)
{
	uint8_t mask = 0;

	for (int i = 0; sig && i < sig->nargs && i < 6; i++)
		if (sig->args[i].kind == MOAT_ARG_PATH || sig->args[i].kind == MOAT_ARG_STR)
			mask |= 1u << i;
	return mask;
}

/*
 * The call's data buffer for the kernel side (TRACE_BUF_*), 0 when it has
 * none; with DATA false (-s 0) only structures (a socket address). A
 * SOCKADDR's or BUF_IN's length is the next argument (tests/unit/test_decode.c
 * checks every signature), a BUF_OUT's the result.
 */
static uint8_t buffer_arg(const struct moat_syscall_sig *sig, bool data, bool native)
{
	for (int i = 0; sig && i < sig->nargs && i < 6; i++) {
		/* The native layouts only: i386's struct stat64 is another. */
		if ((sig->args[i].kind == MOAT_ARG_STAT_OUT ||
		     sig->args[i].kind == MOAT_ARG_STATX_OUT) &&
		    native)
			return TRACE_BUF_ON | TRACE_BUF_WHOLE | TRACE_BUF_FILLED | (uint8_t)i;
		if (sig->args[i].kind == MOAT_ARG_SOCKADDR && i + 1 < sig->nargs)
			return TRACE_BUF_ON | TRACE_BUF_WHOLE | (uint8_t)i;
		if (sig->args[i].kind == MOAT_ARG_SOCKADDR_OUT && i + 1 < sig->nargs)
			return TRACE_BUF_ON | TRACE_BUF_WHOLE | TRACE_BUF_LEN_PTR | (uint8_t)i;
		if (!data)
			continue;
		if (sig->args[i].kind == MOAT_ARG_BUF_OUT)
			return TRACE_BUF_ON | TRACE_BUF_LEN_RET | (uint8_t)i;
		if (sig->args[i].kind == MOAT_ARG_BUF_IN && i + 1 < sig->nargs)
			return TRACE_BUF_ON | (uint8_t)i;
	}
	return 0;
}

static uint32_t nr_or_none(enum moat_arch arch, const char *name)
{
	int64_t nr = moat_syscall_nr(arch, name);

	return nr >= 0 ? (uint32_t)nr : UINT32_MAX;
}

/* Is NR one of the calls the entry program must see (see struct trace_nrs)? */
static bool needs_entry(const struct trace_nrs *k, uint32_t nr)
{
	return nr == k->exit || nr == k->exit_group || nr == k->rt_sigreturn || nr == k->sigreturn;
}

static int setup_rodata(struct moat_trace *t, const struct moat_trace_opts *o, bool *entry)
{
	struct trace_bpf__rodata *ro = t->skel->rodata;
	bool untimed = o->untimed || o->no_time; /* no clock, no durations */
	int err;

	err = moat_bpf_filter_fill((struct moat_bpf_filter *)&ro->filter, &o->filter);
	if (err)
		return err;
	*entry = false;
	for (int abi = 0; abi < TRACE_NABI; abi++) {
		enum moat_arch arch = abi_arch(t, abi);
		struct trace_nrs *k = (struct trace_nrs *)&ro->nrs[abi];
		uint8_t *conf = (uint8_t *)ro->sys_conf[abi];
		uint8_t *buf = (uint8_t *)ro->sys_buf[abi];

		memset(k, 0xff, sizeof(*k));
		if (arch == MOAT_ARCH__COUNT)
			continue;
		k->exit = nr_or_none(arch, "exit");
		k->exit_group = nr_or_none(arch, "exit_group");
		k->execve = nr_or_none(arch, "execve");
		k->execveat = nr_or_none(arch, "execveat");
		k->rt_sigreturn = nr_or_none(arch, "rt_sigreturn");
		k->sigreturn = nr_or_none(arch, "sigreturn");
		k->clone = nr_or_none(arch, "clone");
		k->clone3 = nr_or_none(arch, "clone3");
		k->fork = nr_or_none(arch, "fork");
		k->vfork = nr_or_none(arch, "vfork");
		if (!o->filter.syscalls) {
			memset(conf, TRACE_CONF_ON, TRACE_NR_MAX);
		} else {
			for (size_t i = 0; i < o->filter.nsyscalls; i++) {
				uint32_t n = o->filter.syscalls[i];
				const char *name;

				/* Every native number is below it (x86_64 and aarch64 stop near 470). */
				if (n >= TRACE_NR_MAX)
					return -EINVAL;
				if (abi == 0) {
					conf[n] |= TRACE_CONF_ON;
					continue;
				}
				/* -e names native calls; an int 0x80 call of the same name is the same call. */
				name = moat_syscall_name(t->native, n);
				n = name ? nr_or_none(arch, name) : UINT32_MAX;
				if (n < TRACE_NR_MAX)
					conf[n] |= TRACE_CONF_ON;
			}
		}
		for (uint32_t n = 0; n < TRACE_NR_MAX; n++) {
			if (!(conf[n] & TRACE_CONF_ON))
				continue;
			conf[n] |= string_args(t->sigs[abi][n]);
			buf[n] = buffer_arg(t->sigs[abi][n], o->data_bytes != MOAT_TRACE_NO_DATA,
					    abi == 0);
			if ((conf[n] & TRACE_CONF_STRMASK) || !untimed || needs_entry(k, n))
				conf[n] |= TRACE_CONF_ENTRY;
			if (conf[n] & TRACE_CONF_ENTRY)
				*entry = true;
		}
	}
	/* Numbers past the tables: traced (all calls only), timed like the rest. */
	if (!o->filter.syscalls) {
		ro->other_conf = TRACE_CONF_ON | (untimed ? 0 : TRACE_CONF_ENTRY);
		*entry |= !untimed;
	}
	ro->use_tracked = o->follow;
	ro->failed_only = o->failed_only;
	ro->timed = !untimed;
	ro->seq_mode = o->no_time;
	ro->ring_bytes = t->ring_bytes;
	ro->buf_max = o->data_bytes == MOAT_TRACE_NO_DATA ? 0
		      : o->data_bytes			  ? (uint32_t)o->data_bytes
							  : 32;
	return 0;
}

static size_t default_ring_bytes(int ncpu)
{
	size_t b = TRACE_RING_MAX;

	while (b > (256u << 10) && b * (size_t)ncpu > (32u << 20))
		b /= 2;
	return b;
}

/* Maps the rings and their positions (read-write: the reader writes tail and armed). */
static int map_rings(struct moat_trace *t)
{
	size_t rlen = t->ring_bytes * (size_t)t->ncpu;
	size_t plen = sizeof(struct trace_ring_pos) * (size_t)t->ncpu;
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	plen = (plen + (size_t)page - 1) & ~((size_t)page - 1);
	p = mmap(NULL, rlen, PROT_READ, MAP_SHARED, bpf_map__fd(t->skel->maps.rings), 0);
	if (p == MAP_FAILED)
		return -errno;
	t->rings = p;
	p = mmap(NULL, plen, PROT_READ | PROT_WRITE, MAP_SHARED,
		 bpf_map__fd(t->skel->maps.ring_pos), 0);
	if (p == MAP_FAILED)
		return -errno;
	t->pos = p;
	return 0;
}

struct moat_trace *moat_trace_new(const struct moat_trace_opts *opts,
				  const struct moat_trace_ops *ops)
{
	struct moat_trace *t;
	bool entry;
	int err;

	t = calloc(1, sizeof(*t));
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	t->ops = *ops;
	t->native = moat_arch_native();
	t->ncpu = libbpf_num_possible_cpus();
	if (t->ncpu <= 0) {
		err = t->ncpu ? t->ncpu : -EINVAL;
		t->ncpu = 0;
		goto fail;
	}
	t->ring_bytes = opts->buffer_bytes ? opts->buffer_bytes : default_ring_bytes(t->ncpu);
	if (opts->data_bytes > MOAT_TRACE_DATA_MAX && opts->data_bytes != MOAT_TRACE_NO_DATA) {
		err = -EINVAL;
		goto fail;
	}
	/* A power of 2 (offsets are masked), room for the largest record, one map value. */
	if (t->ring_bytes < TRACE_RING_MIN || t->ring_bytes > TRACE_RING_MAX ||
	    (t->ring_bytes & (t->ring_bytes - 1))) {
		err = -EINVAL;
		goto fail;
	}
	t->cursor = calloc((size_t)t->ncpu, sizeof(*t->cursor));
	t->head = calloc((size_t)t->ncpu, sizeof(*t->head));
	t->last_ts = calloc((size_t)t->ncpu, sizeof(*t->last_ts));
	t->busy_cpu = calloc((size_t)t->ncpu, sizeof(*t->busy_cpu));
	if (!t->cursor || !t->head || !t->last_ts || !t->busy_cpu) {
		err = -ENOMEM;
		goto fail;
	}
	for (int abi = 0; abi < TRACE_NABI; abi++) {
		enum moat_arch arch = abi_arch(t, abi);

		for (uint32_t i = 0; i < TRACE_NR_MAX && arch != MOAT_ARCH__COUNT; i++) {
			const char *name = moat_syscall_name(arch, i);

			if (!name) {
				moat_syscall_format(arch, i, t->unnamed[abi][i],
						    sizeof(t->unnamed[abi][i]));
				name = t->unnamed[abi][i];
			}
			t->names[abi][i] = name;
			t->sigs[abi][i] = moat_syscall_sig(name);
		}
	}
	moat_bpf_quiet();
	t->skel = trace_bpf__open();
	if (!t->skel) {
		err = moat_bpf_load_errno(-errno);
		goto fail;
	}
	err = setup_rodata(t, opts, &entry);
	if (err)
		goto fail;
	t->follow = opts->follow;
	t->no_time = opts->no_time;
	/* Without entry work the sys_enter hook would only cost (about 0.4x a getppid here). */
	bpf_program__set_autoload(t->skel->progs.trace_enter, entry);
	bpf_program__set_autoload(t->skel->progs.trace_switch, entry);
	/* Without a tree to follow, fork/exec/exit hooks would only cost. */
	bpf_program__set_autoload(t->skel->progs.trace_fork, opts->follow);
	bpf_program__set_autoload(t->skel->progs.trace_exec, opts->follow);
	bpf_program__set_autoload(t->skel->progs.trace_task_exit, opts->follow);
	err = bpf_map__set_value_size(t->skel->maps.rings, (uint32_t)t->ring_bytes);
	if (!err)
		err = bpf_map__set_max_entries(t->skel->maps.rings, (uint32_t)t->ncpu);
	if (!err)
		err = bpf_map__set_max_entries(t->skel->maps.ring_pos, (uint32_t)t->ncpu);
	if (err)
		goto fail;
	err = trace_bpf__load(t->skel);
	if (err) {
		err = moat_bpf_load_errno(err);
		goto fail;
	}
	err = moat_bpf_cgroup_set(t->skel->maps.cgroup_map, &opts->filter);
	if (err)
		goto fail;
	err = map_rings(t);
	if (err)
		goto fail;
	for (int c = 0; c < t->ncpu; c++) {
		t->pos[c].wake_at = t->ring_bytes / 4;
		t->pos[c].armed = 1;
	}
	t->bell = ring_buffer__new(bpf_map__fd(t->skel->maps.doorbell), on_bell, t, NULL);
	if (!t->bell) {
		err = -errno;
		goto fail;
	}
	t->mono_to_real = moat_mono_to_real_ns();
	/* Attach last: no record is produced before the reader exists. */
	err = trace_bpf__attach(t->skel);
	if (err) {
		err = moat_bpf_load_errno(err);
		goto fail;
	}
	return t;
fail:
	moat_trace_free(t);
	errno = -err;
	return NULL;
}

int moat_trace_fd(const struct moat_trace *t)
{
	return ring_buffer__epoll_fd(t->bell);
}

int moat_trace_track_spawned(struct moat_trace *t, pid_t pid)
{
	if (!t->follow)
		return -EINVAL;
	return moat_track_add(bpf_map__fd(t->skel->maps.tracked), pid, true);
}

size_t moat_trace_tracked_count(const struct moat_trace *t)
{
	return t->follow ? moat_track_count(bpf_map__fd(t->skel->maps.tracked)) : 0;
}

int moat_trace_poll(struct moat_trace *t, int timeout_ms)
{
	int n;

	if (t->cb_err)
		return t->cb_err;
	n = ring_buffer__poll(t->bell, timeout_ms);
	if (n < 0 && n != -EINTR)
		return n;
	return drain(t, false);
}

/* Have the programs finished every record they started (heads still for a while)? */
static void wait_writers(struct moat_trace *t)
{
	/*
	 * Detaching does not wait for programs already running on other CPUs;
	 * they finish within microseconds (preemption is off in them). Heads
	 * that do not move over 2 ms mean nothing is half written.
	 */
	for (int round = 0; round < 50; round++) {
		bool moved = false;

		for (int c = 0; c < t->ncpu; c++)
			t->head[c] = __atomic_load_n(&t->pos[c].head, __ATOMIC_ACQUIRE);
		nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
		for (int c = 0; c < t->ncpu; c++)
			moved |= __atomic_load_n(&t->pos[c].head, __ATOMIC_ACQUIRE) != t->head[c];
		if (!moved)
			return;
	}
}

int moat_trace_stop(struct moat_trace *t)
{
	uint64_t reported = 0, rest, misses;
	int err = 0;

	if (t->stopped)
		return 0;
	t->stopped = true;
	/* Detach first: after this no record is produced and no loss counted. */
	trace_bpf__detach(t->skel);
	wait_writers(t);
	if (!t->cb_err) {
		int n = drain(t, true);

		if (n < 0 && !t->cb_err)
			err = n;
	}
	moat_bpf_lost_sum(t->skel->maps.lost_map, &t->lost_total, &reported);
	/*
	 * Every loss a delivered record carried is in `reported`; the rest
	 * happened after the last record of its CPU.
	 */
	rest = t->lost_total > reported ? t->lost_total - reported : 0;
	/*
	 * Runs the kernel skipped (a program already running on that CPU: not
	 * expected at the syscall tracepoints, where preemption is off, but
	 * never to be lost silently). A skipped entry only loses a duration.
	 */
	misses = moat_bpf_prog_misses(t->skel->progs.trace_exit);
	t->lost_total += misses;
	rest += misses;
	if (rest && t->ops.lost && !t->cb_err)
		err = t->ops.lost(rest, true, t->ops.ctx);
	return err ? err : t->cb_err;
}

void moat_trace_stats(const struct moat_trace *t, struct moat_trace_stats *st)
{
	uint64_t reported = 0;

	st->received = t->received;
	st->lost = t->lost_total;
	st->untracked = t->skel->bss->track_full;
	if (!t->stopped)
		moat_bpf_lost_sum(t->skel->maps.lost_map, &st->lost, &reported);
}

void moat_trace_free(struct moat_trace *t)
{
	long page = sysconf(_SC_PAGESIZE);

	if (!t)
		return;
	ring_buffer__free(t->bell);
	if (t->rings)
		munmap(t->rings, t->ring_bytes * (size_t)t->ncpu);
	if (t->pos)
		munmap(t->pos, (sizeof(*t->pos) * (size_t)t->ncpu + (size_t)page - 1) &
				       ~((size_t)page - 1));
	trace_bpf__destroy(t->skel);
	free(t->cursor);
	free(t->head);
	free(t->last_ts);
	free(t->busy_cpu);
	free(t);
}
