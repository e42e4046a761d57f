// SPDX-License-Identifier: MIT
/*
 * Loader of the seccomp watcher (seccomp.bpf.c): open -> set rodata (filter)
 * -> load -> attach -> poll. Reports traps and kills of any seccomp filter.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/seccomp.h"
#include "moat/trace.h"
#include "seccomp.skel.h"
#include "trace/bpfutil.h"

struct moat_seccomp_watch {
	struct seccomp_bpf *skel;
	struct ring_buffer *rb;
	struct moat_seccomp_ops ops;
	int64_t mono_to_real;
	bool stopped;
	int cb_err;
	uint64_t received;
	uint64_t lost_total;
};

static enum moat_arch arch_of(const struct seccomp_record *r)
{
	/* x86_64 and x32 share an AUDIT_ARCH: the x32 bit in the number tells them apart. */
	if (r->arch && r->arch == moat_arch_audit(MOAT_ARCH_X86_64))
		return (r->nr & MOAT_X32_SYSCALL_BIT) ? MOAT_ARCH_X32 : MOAT_ARCH_X86_64;
	for (int a = 0; a < MOAT_ARCH__COUNT; a++)
		if (r->arch && moat_arch_audit((enum moat_arch)a) == r->arch)
			return (enum moat_arch)a;
	if (r->flags & SECCOMP_REC_COMPAT)
		return MOAT_ARCH_I386;
	return moat_arch_native();
}

static int handle_record(void *ctx, void *data, size_t size)
{
	struct moat_seccomp_watch *w = ctx;
	const struct seccomp_record *r = data;
	struct moat_seccomp_event ev = { 0 };
	char namebuf[32];
	int err = 0;

	if (size < sizeof(*r))
		return 0;
	if (r->lost_before && w->ops.lost)
		err = w->ops.lost(r->lost_before, false, w->ops.ctx);
	if (err)
		goto stop;
	ev.ts_ns = r->ts_ns + w->mono_to_real;
	ev.pid = r->pid;
	ev.tid = r->tid;
	ev.nr = r->nr;
	ev.arch = arch_of(r);
	moat_syscall_format(ev.arch, r->nr, namebuf, sizeof(namebuf));
	ev.name = namebuf;
	ev.kind = r->kind == SECCOMP_REC_TRAP ? MOAT_SECCOMP_TRAP : MOAT_SECCOMP_KILL;
	ev.via_signal = r->kind == SECCOMP_REC_KILL_SIGNAL;
	/*
	 * The SIGSYS of a kill comes with a core dump, which takes the whole
	 * thread group down (the kernel uses it for KILL_PROCESS, and for
	 * KILL_THREAD only on the last thread), even when this thread was not
	 * the last one to exit.
	 */
	ev.process_died = ev.via_signal || (r->flags & SECCOMP_REC_GROUP_DEAD);
	ev.ret_data = r->ret_data;
	ev.call_addr = r->call_addr;
	memcpy(ev.comm, r->comm, sizeof(ev.comm));
	ev.comm[sizeof(ev.comm) - 1] = 0;
	w->received++;
	if (w->ops.event)
		err = w->ops.event(&ev, w->ops.ctx);
	if (!err)
		return 0;
stop:
	if (!w->cb_err)
		w->cb_err = err;
	return err;
}

struct moat_seccomp_watch *moat_seccomp_watch_new(const struct moat_trace_filter *f,
						  const struct moat_seccomp_ops *ops)
{
	struct moat_seccomp_watch *w = calloc(1, sizeof(*w));
	int err;

	if (!w) {
		errno = ENOMEM;
		return NULL;
	}
	w->ops = *ops;
	moat_bpf_quiet();
	w->skel = seccomp_bpf__open();
	if (!w->skel) {
		err = moat_bpf_load_errno(-errno);
		goto fail;
	}
	err = moat_bpf_filter_fill((struct moat_bpf_filter *)&w->skel->rodata->filter, f);
	if (err)
		goto fail;
	err = seccomp_bpf__load(w->skel);
	if (err) {
		err = moat_bpf_load_errno(err);
		goto fail;
	}
	err = moat_bpf_cgroup_set(w->skel->maps.cgroup_map, f);
	if (err)
		goto fail;
	w->rb = ring_buffer__new(bpf_map__fd(w->skel->maps.events), handle_record, w, NULL);
	if (!w->rb) {
		err = -errno;
		goto fail;
	}
	w->mono_to_real = moat_mono_to_real_ns();
	err = seccomp_bpf__attach(w->skel);
	if (err) {
		err = moat_bpf_load_errno(err);
		goto fail;
	}
	return w;
fail:
	moat_seccomp_watch_free(w);
	errno = -err;
	return NULL;
}

int moat_seccomp_watch_fd(const struct moat_seccomp_watch *w)
{
	return ring_buffer__epoll_fd(w->rb);
}

int moat_seccomp_watch_poll(struct moat_seccomp_watch *w, int timeout_ms)
{
	int n;

	if (w->cb_err)
		return w->cb_err;
	n = ring_buffer__poll(w->rb, timeout_ms);
	if (w->cb_err)
		return w->cb_err;
	return n == -EINTR ? 0 : n;
}

int moat_seccomp_watch_stop(struct moat_seccomp_watch *w)
{
	uint64_t reported = 0, rest;
	int err = 0, n;

	if (w->stopped)
		return 0;
	w->stopped = true;
	seccomp_bpf__detach(w->skel);
	if (!w->cb_err) {
		n = ring_buffer__consume(w->rb);
		if (n < 0 && !w->cb_err)
			err = n;
	}
	moat_bpf_lost_sum(w->skel->maps.lost_map, &w->lost_total, &reported);
	rest = w->lost_total > reported ? w->lost_total - reported : 0;
	if (rest && w->ops.lost && !w->cb_err)
		err = w->ops.lost(rest, true, w->ops.ctx);
	return err ? err : w->cb_err;
}

void moat_seccomp_watch_stats(const struct moat_seccomp_watch *w, struct moat_trace_stats *st)
{
	uint64_t reported = 0;

	st->received = w->received;
	st->lost = w->lost_total;
	if (!w->stopped)
		moat_bpf_lost_sum(w->skel->maps.lost_map, &st->lost, &reported);
}

void moat_seccomp_watch_free(struct moat_seccomp_watch *w)
{
	if (!w)
		return;
	ring_buffer__free(w->rb);
	seccomp_bpf__destroy(w->skel);
	free(w);
}
