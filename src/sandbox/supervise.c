// SPDX-License-Identifier: MIT
/*
 * The supervisor of `moat run`: receives the seccomp notifications of the
 * syscalls the policy denies, works out which rule decided, reports each
 * one to the caller and answers the kernel (errno, continue, or kill).
 *
 * Ordering: one thread reads one listener, and the kernel queues a
 * filter's notifications in arrival order, so seq is the order in which
 * the calls of all threads and processes of the sandbox reached the filter;
 * time is when moat received each (CLOCK_REALTIME, for logs).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "moat/decode.h"
#include "sandbox/internal.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* 6.9+: a pidfd for a thread, not a thread group */
#endif
#ifndef SI_KERNEL
#define SI_KERNEL 0x80
#endif

struct notif_bufs {
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	size_t req_size, resp_size;
};

static int notif_bufs_init(struct notif_bufs *b)
{
	struct seccomp_notif_sizes sizes;

	/* The kernel's structs may be larger than our headers': ask it. */
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return -errno;
	b->req_size = sizes.seccomp_notif > sizeof(*b->req) ? sizes.seccomp_notif : sizeof(*b->req);
	b->resp_size = sizes.seccomp_notif_resp > sizeof(*b->resp) ? sizes.seccomp_notif_resp
								   : sizeof(*b->resp);
	b->req = calloc(1, b->req_size);
	b->resp = calloc(1, b->resp_size);
	if (!b->req || !b->resp) {
		free(b->req);
		free(b->resp);
		return -ENOMEM;
	}
	return 0;
}

static void notif_bufs_free(struct notif_bufs *b)
{
	free(b->req);
	free(b->resp);
}

static enum moat_arch arch_of(uint32_t audit, int32_t nr)
{
	for (int a = 0; a < MOAT_ARCH__COUNT; a++) {
		if (moat_arch_audit((enum moat_arch)a) != audit || a == MOAT_ARCH_X32)
			continue;
		/* x32 shares AUDIT_ARCH_X86_64 and is told apart by the number. */
		if (a == MOAT_ARCH_X86_64 && ((uint32_t)nr & MOAT_X32_SYSCALL_BIT))
			return MOAT_ARCH_X32;
		return (enum moat_arch)a;
	}
	return MOAT_ARCH__COUNT;
}

void sandbox_task_cache_clear(struct moat_sandbox *sb)
{
	for (unsigned int i = 0; i < SANDBOX_TASK_CACHE; i++) {
		if (sb->tasks[i].tid > 0)
			close(sb->tasks[i].comm_fd);
		sb->tasks[i].tid = 0;
		sb->tasks[i].comm_fd = -1;
	}
}

static pid_t read_tgid(pid_t tid)
{
	char path[64], buf[1024];
	pid_t tgid = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		char *t;

		buf[n] = 0;
		t = strstr(buf, "\nTgid:");
		if (t)
			tgid = (pid_t)strtol(t + 6, NULL, 10);
	}
	return tgid;
}

static ssize_t read_comm(int fd, struct moat_violation *v)
{
	char buf[64];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	if (buf[n - 1] == '\n')
		n--;
	if ((size_t)n > sizeof(v->comm) - 1)
		n = sizeof(v->comm) - 1;
	memcpy(v->comm, buf, (size_t)n);
	v->comm[n] = 0;
	return n;
}

/* comm and Tgid of the caller, for display: failures leave "?" and 0. */
static void read_task_info(struct moat_sandbox *sb, pid_t tid, struct moat_violation *v)
{
	struct sandbox_task *t;
	char path[64];
	int fd;

	snprintf(v->comm, sizeof(v->comm), "?");
	for (unsigned int i = 0; i < SANDBOX_TASK_CACHE; i++) {
		t = &sb->tasks[i];
		if (t->tid != tid)
			continue;
		if (read_comm(t->comm_fd, v) >= 0) {
			v->tgid = t->tgid;
			return;
		}
		/* That thread is gone: TID reused. Forget it. */
		close(t->comm_fd);
		t->tid = 0;
		t->comm_fd = -1;
		break;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (read_comm(fd, v) < 0) {
		close(fd);
		return;
	}
	v->tgid = read_tgid(tid);
	t = &sb->tasks[sb->task_next++ % SANDBOX_TASK_CACHE];
	if (t->tid > 0)
		close(t->comm_fd);
	t->tid = tid;
	t->tgid = v->tgid;
	t->comm_fd = fd;
}

/*
 * Reads a NUL-terminated string at ADDR in PID, page by page so that a
 * string ending just before an unmapped page is still read. The bytes are
 * display data only: the target (another thread) can change them before or
 * after the kernel reads them, so nothing is ever decided on them.
 */
static void read_string(pid_t pid, uint64_t addr, char *buf, size_t max,
			struct moat_violation_str *s)
{
	long pagesz = sysconf(_SC_PAGESIZE);
	size_t got = 0;

	s->present = true;
	s->data = buf;
	if (!addr) {
		s->err = -EFAULT;
		return;
	}
	while (got < max) {
		size_t room = (size_t)pagesz - (size_t)((addr + got) & (uint64_t)(pagesz - 1));
		size_t want = room < max - got ? room : max - got;
		struct iovec local = { buf + got, want };
		struct iovec remote = { (void *)(uintptr_t)(addr + got), want };
		ssize_t k = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		char *nul;

		if (k <= 0) {
			if (!got)
				s->err = k < 0 ? -errno : -EFAULT;
			s->truncated = got > 0;
			break;
		}
		nul = memchr(buf + got, 0, (size_t)k);
		if (nul) {
			s->len = got + (size_t)(nul - (buf + got));
			return;
		}
		got += (size_t)k;
		if ((size_t)k < want) {
			s->truncated = true;
			break;
		}
	}
	if (got >= max)
		s->truncated = true;
	s->len = got;
}

static void read_strings(struct moat_sandbox *sb, struct moat_violation *v)
{
	const struct moat_syscall_sig *sig = v->syscall ? moat_syscall_sig(v->syscall) : NULL;
	size_t max = sb->opts.string_max;

	if (!sig)
		return;
	for (int i = 0; i < sig->nargs && i < 6; i++) {
		if (sig->args[i].kind != MOAT_ARG_PATH && sig->args[i].kind != MOAT_ARG_STR)
			continue;
		read_string(v->pid, v->args[i], sb->strbuf + (size_t)i * (max + 1), max,
			    &v->str[i]);
	}
}

/* The origin the filter's own ret names (policy NULL: nothing better). */
static int sim_origin(const struct moat_prog *prog, const struct seccomp_data *d,
		      struct moat_origin *out)
{
	struct moat_seccomp_data sd = { .nr = d->nr,
					.arch = d->arch,
					.instruction_pointer = d->instruction_pointer };
	struct moat_sim_result res = { 0 };

	memcpy(sd.args, d->args, sizeof(sd.args));
	if (!prog->origin || moat_sim_run(prog, &sd, &res) < 0 || res.ret_pc >= prog->len)
		return -EINVAL;
	*out = prog->origin[res.ret_pc];
	return 0;
}

/* Does any rule of P before END (all when END < 0) name NR on ARCH? */
static bool has_rule_for(const struct moat_policy *p, enum moat_arch arch, uint32_t nr, long end)
{
	for (size_t r = 0; r < p->nrules && (end < 0 || (long)r < end); r++) {
		uint32_t rnr;

		if (moat_syscall_parse(arch, p->rules[r].syscall, &rnr))
			continue;
		if (arch == MOAT_ARCH_X32)
			rnr |= MOAT_X32_SYSCALL_BIT;
		if (rnr == nr)
			return true;
	}
	return false;
}

/*
 * Which rule or default decided, by the policy's semantics. The compiled
 * program cannot say: rules whose actions are all routed to the supervisor
 * end at the same `ret USER_NOTIF`, which the compiler shares between them
 * (and with the default), so its origin names only one of them. The errno
 * moat answers comes from the exact rule found here.
 */
static void find_origin(struct moat_sandbox *sb, enum moat_arch arch, const struct seccomp_data *d,
			struct moat_origin *out)
{
	const struct moat_policy *p = sb->opts.policy;
	uint32_t nr = (uint32_t)d->nr;
	bool cacheable = arch == moat_arch_native() && nr < SANDBOX_ORIGIN_CACHE;
	uint64_t args[6];
	long r;

	if (arch >= MOAT_ARCH__COUNT || !(moat_policy_arches(p) & MOAT_ARCH_BIT(arch))) {
		/* An ABI the policy does not cover: x32 numbers and int 0x80. */
		out->kind = arch == MOAT_ARCH_X32 ? MOAT_ORIGIN_X32 : MOAT_ORIGIN_BADARCH;
		out->rule = 0;
		return;
	}
	if (cacheable && sb->origin_cache[nr].kind != MOAT_ORIGIN_NONE) {
		*out = sb->origin_cache[nr];
		return;
	}
	for (int i = 0; i < 6; i++)
		args[i] = d->args[i];
	r = moat_policy_deciding_rule(p, arch, nr, args);
	if (r >= 0) {
		*out = (struct moat_origin){ MOAT_ORIGIN_RULE, (uint32_t)r };
		cacheable = cacheable && p->rules[r].ncmps == 0 && !has_rule_for(p, arch, nr, r);
	} else {
		out->kind = moat_syscall_name(arch, nr) ? MOAT_ORIGIN_DEFAULT : MOAT_ORIGIN_UNKNOWN;
		out->rule = 0;
		cacheable = cacheable && !has_rule_for(p, arch, nr, -1);
	}
	if (cacheable)
		sb->origin_cache[nr] = *out;
}

static void classify(struct moat_sandbox *sb, enum moat_arch arch, const struct seccomp_data *d,
		     struct moat_violation *v)
{
	const struct moat_policy *p = sb->opts.policy;

	/* Unknown origin: fail closed with EPERM, as a deny. */
	v->origin.kind = MOAT_ORIGIN_NONE;
	v->action = (struct moat_action){ MOAT_ACT_ERRNO, EPERM };
	if (!p) {
		if (sim_origin(sb->opts.prog, d, &v->origin) < 0)
			v->origin.kind = MOAT_ORIGIN_NONE;
		return;
	}
	find_origin(sb, arch, d, &v->origin);
	switch (v->origin.kind) {
	case MOAT_ORIGIN_RULE:
		v->rule = &p->rules[v->origin.rule];
		v->action = v->rule->action;
		v->loc = &v->rule->loc;
		break;
	case MOAT_ORIGIN_DEFAULT:
		v->action = p->default_action;
		v->loc = &p->default_loc;
		break;
	case MOAT_ORIGIN_UNKNOWN:
		v->action = p->unknown_action;
		v->loc = &p->unknown_loc;
		break;
	case MOAT_ORIGIN_BADARCH:
	case MOAT_ORIGIN_X32:
		v->action = p->badarch_action;
		v->loc = &p->badarch_loc;
		break;
	default:
		break;
	}
	if (v->loc && !v->loc->file)
		v->loc = NULL; /* a built-in default, not written anywhere */
}

static void decide(struct moat_sandbox *sb, struct moat_violation *v)
{
	bool deny = v->action.kind != MOAT_ACT_ALLOW && v->action.kind != MOAT_ACT_LOG;

	v->error = 0;
	if (!deny) {
		/* A log rule: allowed, and reported because the policy asks for it. */
		v->answer = MOAT_ANSWER_CONTINUE;
		return;
	}
	switch (sb->opts.mode) {
	case MOAT_RUN_COMPLAIN:
		v->answer = MOAT_ANSWER_CONTINUE;
		v->would_deny = true;
		return;
	case MOAT_RUN_KILL:
		v->answer = MOAT_ANSWER_KILLED;
		return;
	default:
		break;
	}
	switch (v->action.kind) {
	case MOAT_ACT_ERRNO:
		v->answer = MOAT_ANSWER_ERRNO;
		v->error = (int)v->action.data;
		break;
	case MOAT_ACT_TRACE:
		v->answer = MOAT_ANSWER_ERRNO; /* what the kernel does without a tracer */
		v->error = ENOSYS;
		break;
	case MOAT_ACT_NOTIFY:
		/* The policy wants a supervisor: moat is it, and denies. */
		v->answer = MOAT_ANSWER_ERRNO;
		v->error = EPERM;
		break;
	default: /* kill-process, kill-thread, trap */
		v->answer = MOAT_ANSWER_KILLED;
		break;
	}
}

static bool notif_valid(struct moat_sandbox *sb, uint64_t id)
{
	return ioctl(sb->listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

/*
 * Kills the caller's whole process. The pidfd is opened first and the
 * notification checked valid after: the caller is then still blocked in
 * this syscall, so the pidfd names it and not a recycled pid. SIGKILL to
 * any thread kills the thread group.
 */
static int kill_caller(struct moat_sandbox *sb, const struct moat_violation *v, uint64_t id)
{
	int pfd = (int)syscall(SYS_pidfd_open, v->pid, PIDFD_THREAD);
	int r = 0;

	if (pfd < 0 && errno == EINVAL && v->tgid > 0)
		pfd = (int)syscall(SYS_pidfd_open, v->tgid, 0); /* before 6.9 */
	if (pfd < 0)
		return -errno;
	if (!notif_valid(sb, id))
		r = -ESRCH;
	else if (syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0) < 0)
		r = -errno;
	close(pfd);
	return r;
}

static int handle_notification(struct moat_sandbox *sb, struct notif_bufs *b, moat_violation_fn fn,
			       void *ctx)
{
	struct seccomp_notif *req = b->req;
	struct seccomp_notif_resp *resp = b->resp;
	struct moat_violation v;
	enum moat_arch arch;

	/* RECV refuses a buffer that is not zeroed (EINVAL). */
	memset(req, 0, b->req_size);
	if (ioctl(sb->listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
		if (errno == EINTR)
			return 0;
		if (errno == ENOENT) {
			/* A caller went away (killed) before we could read it. */
			sb->stats.lost++;
			return 0;
		}
		return -errno;
	}
	sb->stats.notifications++;

	memset(&v, 0, sizeof(v));
	v.seq = sb->stats.notifications;
	clock_gettime(CLOCK_REALTIME, &v.time);
	v.pid = (pid_t)req->pid;
	v.audit_arch = req->data.arch;
	v.nr = req->data.nr;
	memcpy(v.args, req->data.args, sizeof(v.args));
	v.ip = req->data.instruction_pointer;
	arch = arch_of(req->data.arch, req->data.nr);
	v.arch = (uint32_t)arch;
	if (arch < MOAT_ARCH__COUNT)
		v.syscall = moat_syscall_name(arch, (uint32_t)req->data.nr);
	read_task_info(sb, v.pid, &v);
	read_strings(sb, &v);
	classify(sb, arch, &req->data, &v);
	decide(sb, &v);

	/*
	 * TOCTOU: pid, comm and memory were read after the notification; the
	 * caller may have died and its pid been reused meanwhile. If the id is
	 * no longer valid, what we read may belong to another process: drop
	 * it, and report the call without it.
	 */
	if (!notif_valid(sb, req->id)) {
		for (int i = 0; i < 6; i++) {
			if (v.str[i].present) {
				v.str[i].err = -ESRCH;
				v.str[i].len = 0;
			}
		}
		snprintf(v.comm, sizeof(v.comm), "?");
		v.tgid = 0;
		v.answer = MOAT_ANSWER_GONE;
		sb->stats.lost++;
	}

	if (fn)
		fn(&v, ctx);
	sb->stats.reported++;
	if (v.answer == MOAT_ANSWER_GONE)
		return 0;

	memset(resp, 0, b->resp_size);
	resp->id = req->id;
	switch (v.answer) {
	case MOAT_ANSWER_CONTINUE:
		/*
		 * Safe here only because nothing is decided on it: complain
		 * mode and log rules let the call run as the kernel sees it.
		 */
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		break;
	case MOAT_ANSWER_KILLED:
		kill_caller(sb, &v, req->id);
		/* The caller dies without returning; deny in case it does not. */
		resp->error = -EPERM;
		break;
	default:
		resp->error = -v.error;
		break;
	}
	if (ioctl(sb->listener, SECCOMP_IOCTL_NOTIF_SEND, resp) < 0) {
		/* ENOENT: killed or interrupted meanwhile; the call did not run. */
		if (v.answer != MOAT_ANSWER_KILLED)
			sb->stats.answer_failed++;
	}
	return 0;
}

static void forward_signals(struct moat_sandbox *sb)
{
	struct signalfd_siginfo si;

	while (read(sb->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		/*
		 * A signal the kernel sent to the terminal's foreground group
		 * (^C, ^\, window size) reached the command too: it shares
		 * moat's process group. Forwarding it would deliver it twice.
		 */
		if (si.ssi_code == SI_KERNEL)
			continue;
		if (syscall(SYS_pidfd_send_signal, sb->pidfd, (int)si.ssi_signo, NULL, 0) == 0)
			sb->stats.signals_forwarded++;
	}
}

static bool child_exited(struct moat_sandbox *sb)
{
	int st;

	if (sb->exited)
		return true;
	if (waitpid(sb->pid, &st, WNOHANG) != sb->pid)
		return false;
	sb->exited = true;
	sb->wstatus = st;
	if (atomic_load(&sb->shared->state) == CHILD_FAILED) {
		sb->fail_stage = sb->shared->stage;
		sb->fail_err = sb->shared->err;
	}
	return true;
}

int moat_sandbox_supervise(struct moat_sandbox *sb, moat_violation_fn fn, void *ctx, int *wstatus)
{
	struct notif_bufs bufs = { 0 };
	bool listening = sb->listener >= 0;
	int r = 0;

	if (sb->pid <= 0)
		return -EINVAL;
	if (listening) {
		r = notif_bufs_init(&bufs);
		if (r)
			goto fatal;
	}
	/* waitpid only when the pidfd says the child exited. */
	for (bool done = child_exited(sb); !done;) {
		struct pollfd pfd[3] = {
			{ .fd = sb->pidfd, .events = POLLIN },
			{ .fd = listening ? sb->listener : -1, .events = POLLIN },
			{ .fd = sb->sigfd, .events = POLLIN },
		};

		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto fatal;
		}
		if (pfd[2].revents & POLLIN)
			forward_signals(sb);
		if (pfd[1].revents & POLLIN) {
			r = handle_notification(sb, &bufs, fn, ctx);
			if (r)
				goto fatal;
		} else if (pfd[1].revents & (POLLHUP | POLLERR)) {
			listening = false; /* no process uses the filter any more */
		}
		if (pfd[0].revents)
			done = child_exited(sb);
	}
	/* Calls queued by other processes of the sandbox before the end. */
	while (listening) {
		struct pollfd pfd = { .fd = sb->listener, .events = POLLIN };

		if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLIN))
			break;
		r = handle_notification(sb, &bufs, fn, ctx);
		if (r)
			goto fatal;
	}
	notif_bufs_free(&bufs);
	*wstatus = sb->wstatus;
	return 0;
fatal:
	/*
	 * Supervision failed: the command must not go on with nobody
	 * answering for it (its denied calls would all return ENOSYS).
	 */
	notif_bufs_free(&bufs);
	if (!sb->exited) {
		syscall(SYS_pidfd_send_signal, sb->pidfd, SIGKILL, NULL, 0);
		if (waitpid(sb->pid, &sb->wstatus, 0) == sb->pid)
			sb->exited = true;
	}
	return r;
}
