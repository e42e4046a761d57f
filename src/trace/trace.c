// SPDX-License-Identifier: MIT
/*
 * `moat trace` loader: open -> set rodata (filters, per-syscall bytes) and the
 * ring buffer size -> load -> attach -> poll. Records become moat_trace_event
 * values handed to the caller's callbacks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/trace.h"
#include "moat/syscalls.h"
#include "moat/trace.h"
#include "moat/track.h"
#include "trace.skel.h"
#include "trace/bpfutil.h"

#define DEFAULT_BUFFER_BYTES (8u << 20)

struct moat_trace {
	struct trace_bpf *skel;
	struct ring_buffer *rb;
	struct moat_trace_ops ops;
	bool follow;
	int64_t mono_to_real;
	enum moat_arch native;
	bool stopped;
	int cb_err; /* first error a callback returned */
	uint64_t received;
	uint64_t lost_in_stream; /* carried by records' lost_before */
	uint64_t lost_total;     /* set by moat_trace_stop */
	/* Names and signatures of native syscalls by number, looked up once. */
	const char *names[TRACE_NR_MAX];
	const struct moat_syscall_sig *sigs[TRACE_NR_MAX];
	char unnamed[TRACE_NR_MAX][16];
};

static const char *syscall_name(struct moat_trace *t, enum moat_arch arch, uint32_t nr,
				char *buf, size_t size)
{
	const char *n;

	if (arch == t->native && nr < TRACE_NR_MAX)
		return t->names[nr];
	n = moat_syscall_name(arch, nr);
	if (n)
		return n;
	moat_syscall_format(arch, nr, buf, size);
	return buf;
}

static int handle_record(void *ctx, void *data, size_t size)
{
	struct moat_trace *t = ctx;
	const struct trace_record *r = data;
	struct moat_trace_event ev;
	char namebuf[32];
	size_t off = 0;
	int err;

	if (size < TRACE_RECORD_HDR_SIZE)
		return 0; /* cannot happen: the kernel side always sends the header */
	if (r->lost_before) {
		t->lost_in_stream += r->lost_before;
		if (t->ops.lost) {
			err = t->ops.lost(r->lost_before, false, t->ops.ctx);
			if (err)
				goto stop;
		}
	}
	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = r->ts_ns + t->mono_to_real;
	ev.dur_ns = r->dur_ns;
	memcpy(ev.args, r->args, sizeof(ev.args));
	ev.ret = r->ret;
	ev.pid = r->pid;
	ev.tid = r->tid;
	ev.nr = r->nr;
	ev.arch = (r->flags & TRACE_EV_COMPAT) ? MOAT_ARCH_I386 : t->native;
	ev.noreturn = r->flags & TRACE_EV_NORETURN;
	ev.name = syscall_name(t, ev.arch, ev.nr, namebuf, sizeof(namebuf));
	ev.sig = ev.arch == t->native && ev.nr < TRACE_NR_MAX ? t->sigs[ev.nr] :
								 moat_syscall_sig(ev.name);
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
		if (len > TRACE_STR_MAX || TRACE_RECORD_HDR_SIZE + off + len > size)
			len = 0;
		s->data = r->str + off;
		s->len = len ? len - 1 : 0; /* without the NUL */
		/* bpf_probe_read_user_str filled the whole buffer: the string may go on. */
		s->truncated = len == TRACE_STR_MAX;
		off += len;
	}
	t->received++;
	if (t->ops.event) {
		err = t->ops.event(&ev, t->ops.ctx);
		if (err)
			goto stop;
	}
	return 0;
stop:
	if (!t->cb_err)
		t->cb_err = err;
	return err; /* ring_buffer__poll stops and returns it */
}

/* The arguments of NR the kernel side reads as strings at entry (bit i: arg i). */
static uint8_t string_args(const struct moat_trace *t, uint32_t nr)
{
	const struct moat_syscall_sig *sig = nr < TRACE_NR_MAX ? t->sigs[nr] : NULL;
	uint8_t mask = 0;

	for (int i = 0; sig && i < sig->nargs && i < 6; i++)
		if (sig->args[i].kind == MOAT_ARG_PATH || sig->args[i].kind == MOAT_ARG_STR)
			mask |= 1u << i;
	return mask;
}

static int setup_rodata(struct moat_trace *t, const struct moat_trace_opts *o, size_t bytes)
{
	struct trace_bpf *skel = t->skel;
	enum moat_arch native = t->native;
	struct trace_bpf__rodata *ro = skel->rodata;
	int64_t nr;
	int err;

	err = moat_bpf_filter_fill((struct moat_bpf_filter *)&ro->filter, &o->filter);
	if (err)
		return err;
	if (o->filter.syscalls) {
		for (size_t i = 0; i < o->filter.nsyscalls; i++) {
			uint32_t n = o->filter.syscalls[i];

			/* Every native number is below it (x86_64 and aarch64 stop near 470). */
			if (n >= TRACE_NR_MAX)
				return -EINVAL;
			ro->sys_conf[n] |= TRACE_CONF_ON;
		}
	} else {
		memset((void *)ro->sys_conf, TRACE_CONF_ON, sizeof(ro->sys_conf));
		ro->other_conf = TRACE_CONF_ON;
	}
	for (uint32_t n = 0; n < TRACE_NR_MAX; n++)
		if (ro->sys_conf[n] & TRACE_CONF_ON)
			ro->sys_conf[n] |= string_args(t, n);
	nr = moat_syscall_nr(native, "exit");
	if (nr >= 0)
		ro->nr_exit = (uint32_t)nr;
	nr = moat_syscall_nr(native, "exit_group");
	if (nr >= 0)
		ro->nr_exit_group = (uint32_t)nr;
	nr = moat_syscall_nr(native, "execve");
	if (nr >= 0)
		ro->nr_execve = (uint32_t)nr;
	nr = moat_syscall_nr(native, "execveat");
	if (nr >= 0)
		ro->nr_execveat = (uint32_t)nr;
	ro->use_tracked = o->follow;
	ro->failed_only = o->failed_only;
	/* A threshold the ring cannot reach would leave waking to the poll timeout alone. */
	ro->wakeup_bytes = o->wakeup_bytes < bytes / 2 ? o->wakeup_bytes : bytes / 2;
	return 0;
}

struct moat_trace *moat_trace_new(const struct moat_trace_opts *opts,
				  const struct moat_trace_ops *ops)
{
	size_t bytes = opts->buffer_bytes ? opts->buffer_bytes : DEFAULT_BUFFER_BYTES;
	struct moat_trace *t;
	int err;

	/* The ring buffer is a power-of-2 number of pages. */
	if (bytes < 4096 || (bytes & (bytes - 1)) || bytes > (1u << 30)) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		errno = ENOMEM;
		return NULL;
	}
	t->ops = *ops;
	t->native = moat_arch_native();
	for (uint32_t i = 0; i < TRACE_NR_MAX; i++) {
		t->names[i] = moat_syscall_name(t->native, i);
		if (!t->names[i]) {
			moat_syscall_format(t->native, i, t->unnamed[i], sizeof(t->unnamed[i]));
			t->names[i] = t->unnamed[i];
		}
		t->sigs[i] = moat_syscall_sig(t->names[i]);
	}
	moat_bpf_quiet();
	t->skel = trace_bpf__open();
	if (!t->skel) {
		err = moat_bpf_load_errno(-errno);
		goto fail;
	}
	err = setup_rodata(t, opts, bytes);
	if (err)
		goto fail;
	t->follow = opts->follow;
	/* Without a tree to follow, fork/exec/exit hooks would only cost. */
	bpf_program__set_autoload(t->skel->progs.trace_fork, opts->follow);
	bpf_program__set_autoload(t->skel->progs.trace_exec, opts->follow);
	bpf_program__set_autoload(t->skel->progs.trace_task_exit, opts->follow);
	err = bpf_map__set_max_entries(t->skel->maps.events, (uint32_t)bytes);
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
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), handle_record, t, NULL);
	if (!t->rb) {
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
	return ring_buffer__epoll_fd(t->rb);
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
	n = ring_buffer__poll(t->rb, timeout_ms);
	/*
	 * Below the wake-up threshold the kernel does not notify, and poll
	 * consumes only rings epoll reported: read what waits after a timeout.
	 */
	if (n == 0 || n == -EINTR)
		n = ring_buffer__consume(t->rb);
	if (t->cb_err)
		return t->cb_err;
	return n;
}

int moat_trace_stop(struct moat_trace *t)
{
	uint64_t reported = 0, rest;
	int err = 0;

	if (t->stopped)
		return 0;
	t->stopped = true;
	/* Detach first: after this no record is produced and no loss counted. */
	trace_bpf__detach(t->skel);
	if (!t->cb_err) {
		int n = ring_buffer__consume(t->rb);

		if (n < 0 && !t->cb_err)
			err = n;
	}
	moat_bpf_lost_sum(t->skel->maps.lost_map, &t->lost_total, &reported);
	/*
	 * Every loss a delivered record carried is in `reported`; the rest
	 * happened after the last record of its CPU.
	 */
	rest = t->lost_total > reported ? t->lost_total - reported : 0;
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
	if (!t)
		return;
	ring_buffer__free(t->rb);
	trace_bpf__destroy(t->skel);
	free(t);
}
