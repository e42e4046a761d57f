// SPDX-License-Identifier: MIT
/*
 * Kernel feature probes for `moat features`. Nothing is guessed from version
 * numbers: each feature is exercised the way moat would use it. Probes that
 * change process state that cannot be undone (a seccomp filter, a mount
 * namespace) run in a forked child; the parent only reads its exit status or
 * a pipe. Children use only async-signal-safe calls and an alarm(), so a
 * probe can neither deadlock on a lock held by another thread at fork time
 * nor hang the caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "moat/decode.h"
#include "moat/features.h"

#define CHILD_TIMEOUT_S 5

const char *moat_feature_status_name(int status)
{
	switch (status) {
	case MOAT_FEATURE_AVAILABLE:
		return "available";
	case MOAT_FEATURE_MISSING:
		return "missing";
	default:
		return "error";
	}
}

static struct moat_feature *add(struct moat_features *f, const char *id, const char *title,
				const char *impact)
{
	/* The table is sized for every probe below; a full table is a bug, not input. */
	struct moat_feature *x = &f->v[f->n < MOAT_FEATURES_MAX ? f->n++ : MOAT_FEATURES_MAX - 1];

	memset(x, 0, sizeof(*x));
	x->id = id;
	x->title = title;
	x->impact = impact;
	return x;
}

__attribute__((format(printf, 3, 4))) static void set(struct moat_feature *x, int status,
						      const char *fmt, ...)
{
	va_list ap;

	x->status = status;
	va_start(ap, fmt);
	vsnprintf(x->detail, sizeof(x->detail), fmt, ap);
	va_end(ap);
}

static const char *errname(int err, char *buf, size_t size)
{
	const char *n = moat_errno_name(err);

	if (n)
		return n;
	/* 524 is the kernel-internal ENOTSUPP, which leaks out of bpf(). */
	snprintf(buf, size, err == 524 ? "ENOTSUPP" : "errno %d", err);
	return buf;
}

/* MISSING with the errno's name, or ERROR when the failure says nothing about support. */
static void set_errno(struct moat_feature *x, int err, const char *what)
{
	char b[24];
	bool missing = err == EPERM || err == EACCES || err == EINVAL || err == EOPNOTSUPP ||
		       err == ENOSYS || err == 524 || err == ENOENT || err == E2BIG;

	x->err = err;
	set(x, missing ? MOAT_FEATURE_MISSING : MOAT_FEATURE_ERROR, "%s%s%s%s", what,
	    *what ? ": " : "", errname(err, b, sizeof(b)),
	    err == EPERM || err == EACCES ? " (not permitted)" : "");
}

/*
 * Runs FN(ARG) in a child; returns what FN returned (0..255, an errno by
 * convention), or -1 when the child could not run or was killed.
 */
static int run_child(int (*fn)(void *), void *arg)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		alarm(CHILD_TIMEOUT_S);
		_exit(fn(arg) & 0xff);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- kernel ---- */

static void probe_kernel(struct moat_features *f)
{
	struct moat_feature *x = add(f, "kernel.version", "kernel release", "");
	struct utsname u;

	if (uname(&u) < 0) {
		set_errno(x, errno, "uname");
		return;
	}
	snprintf(f->kernel_release, sizeof(f->kernel_release), "%s", u.release);
	snprintf(f->machine, sizeof(f->machine), "%s", u.machine);
	sscanf(u.release, "%u.%u.%u", &f->kernel_version[0], &f->kernel_version[1],
	       &f->kernel_version[2]);
	set(x, MOAT_FEATURE_AVAILABLE, "%s", u.release);
	x = add(f, "kernel.arch", "architecture", "moat's filters check the architecture first");
	set(x, MOAT_FEATURE_AVAILABLE, "%s", u.machine);
}

/* ---- seccomp ---- */

static long sys_seccomp(unsigned op, unsigned flags, void *args)
{
	return syscall(__NR_seccomp, op, flags, args);
}

struct flag_probe {
	unsigned flags;
};

static int child_install_allow(void *arg)
{
	struct flag_probe *p = arg;
	struct sock_filter insn = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { .len = 1, .filter = &insn };

	/* Unprivileged filters need no_new_privs; root would not, but moat always sets it. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return errno;
	if (sys_seccomp(SECCOMP_SET_MODE_FILTER, p->flags, &prog) < 0)
		return errno;
	return 0;
}

static void probe_seccomp_filter_flag(struct moat_features *f, const char *id, const char *title,
				      unsigned flags, const char *impact)
{
	struct moat_feature *x = add(f, id, title, impact);
	struct flag_probe p = { flags };
	int r = run_child(child_install_allow, &p);

	if (r == 0)
		set(x, MOAT_FEATURE_AVAILABLE, "allow filter installed with flags 0x%x", flags);
	else if (r < 0)
		set(x, MOAT_FEATURE_ERROR, "probe child failed");
	else
		set_errno(x, r, "seccomp(SET_MODE_FILTER)");
}

static void probe_seccomp_actions(struct moat_features *f)
{
	static const struct {
		const char *id, *title;
		uint32_t action;
		const char *impact;
	} acts[] = {
		{ "seccomp.action.kill_process", "SECCOMP_RET_KILL_PROCESS",
		  SECCOMP_RET_KILL_PROCESS,
		  "`kill` can only kill the calling thread, not the whole process" },
		{ "seccomp.action.kill_thread", "SECCOMP_RET_KILL_THREAD", SECCOMP_RET_KILL_THREAD,
		  "no kill action at all" },
		{ "seccomp.action.trap", "SECCOMP_RET_TRAP", SECCOMP_RET_TRAP,
		  "`trap` rules (SIGSYS) cannot be enforced" },
		{ "seccomp.action.errno", "SECCOMP_RET_ERRNO", SECCOMP_RET_ERRNO,
		  "`errno` rules cannot be enforced: denied calls would have to kill" },
		{ "seccomp.action.user_notif", "SECCOMP_RET_USER_NOTIF", SECCOMP_RET_USER_NOTIF,
		  "no complain mode and no per-violation reports in `moat run`" },
		{ "seccomp.action.trace", "SECCOMP_RET_TRACE", SECCOMP_RET_TRACE,
		  "`trace` rules (ptrace tracer) cannot be enforced" },
		{ "seccomp.action.log", "SECCOMP_RET_LOG", SECCOMP_RET_LOG,
		  "`log` rules cannot allow-and-log; they are reported via notification only" },
		{ "seccomp.action.allow", "SECCOMP_RET_ALLOW", SECCOMP_RET_ALLOW,
		  "no seccomp filtering at all" },
	};
	struct moat_feature *x =
		add(f, "seccomp.filter", "seccomp filter mode (SECCOMP_SET_MODE_FILTER)",
		    "moat run cannot enforce anything: no sandbox");
	struct flag_probe p = { 0 };
	int r = run_child(child_install_allow, &p);

	if (r == 0)
		set(x, MOAT_FEATURE_AVAILABLE, "allow filter installed in a child");
	else if (r < 0)
		set(x, MOAT_FEATURE_ERROR, "probe child failed");
	else
		set_errno(x, r, "seccomp(SET_MODE_FILTER)");

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		uint32_t a = acts[i].action;

		x = add(f, acts[i].id, acts[i].title, acts[i].impact);
		if (sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &a) == 0)
			set(x, MOAT_FEATURE_AVAILABLE, "SECCOMP_GET_ACTION_AVAIL: yes");
		else
			set_errno(x, errno, "SECCOMP_GET_ACTION_AVAIL");
	}

	probe_seccomp_filter_flag(
		f, "seccomp.flag.tsync", "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC,
		"a filter cannot be applied to every thread of a running process");
	probe_seccomp_filter_flag(f, "seccomp.flag.log", "SECCOMP_FILTER_FLAG_LOG",
				  SECCOMP_FILTER_FLAG_LOG,
				  "denials are not written to the audit log");
	probe_seccomp_filter_flag(f, "seccomp.flag.spec_allow", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
				  SECCOMP_FILTER_FLAG_SPEC_ALLOW,
				  "seccomp forces the Spectre v4 mitigation on sandboxed tasks");
	probe_seccomp_filter_flag(f, "seccomp.flag.new_listener",
				  "SECCOMP_FILTER_FLAG_NEW_LISTENER",
				  SECCOMP_FILTER_FLAG_NEW_LISTENER,
				  "no user notification: no complain mode, no violation reports");
	probe_seccomp_filter_flag(f, "seccomp.flag.tsync_esrch", "SECCOMP_FILTER_FLAG_TSYNC_ESRCH",
				  SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
				  "TSYNC and a notification listener cannot be combined");
	/* WAIT_KILLABLE_RECV is only valid together with NEW_LISTENER. */
	probe_seccomp_filter_flag(
		f, "seccomp.flag.wait_killable_recv", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
		SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
		"a notified task waiting for moat's verdict is woken by any signal and "
		"retries the call (Go runtimes spin)");
}

/* Result of the notification round trip, sent by the supervisor child over a pipe. */
struct notify_result {
	int setup_err; /* installing the filter or forking failed */
	int recv_err;  /* NOTIF_RECV/SEND failed */
	int rt_ok;     /* the target saw the supervisor's value */
	int addfd_err; /* NOTIF_ADDFD failed */
	int addfd_ok;  /* the target got a working descriptor */
};

static int child_notify_round_trip(void *arg)
{
	int out_fd = *(int *)arg;
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 4, .filter = insns };
	struct notify_result res = { 0 };
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct seccomp_notif_addfd addfd;
	int lfd, st = 0, srcfd;
	long r;
	pid_t pid;

	/*
	 * This child is the supervisor: it installs the filter (so the target
	 * it forks inherits it) and must itself never call getppid, which
	 * would wait for a verdict only it could give.
	 */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    (lfd = (int)sys_seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
				    &prog)) < 0) {
		res.setup_err = errno;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		res.setup_err = errno;
		goto out;
	}
	if (pid == 0) {
		/* The target: the first getppid answers 4242, the second an injected fd. */
		close(lfd);
		if (syscall(__NR_getppid) != 4242)
			_exit(10);
		r = syscall(__NR_getppid);
		if (r < 0)
			_exit(11);
		_exit(fcntl((int)r, F_GETFD) >= 0 ? 0 : 12);
	}
	memset(&req, 0, sizeof(req)); /* the kernel insists on a zeroed request */
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
		res.recv_err = errno;
		goto reap;
	}
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.val = req.data.nr == __NR_getppid ? 4242 : -1;
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0) {
		res.recv_err = errno;
		goto reap;
	}
	memset(&req, 0, sizeof(req));
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
		res.recv_err = errno;
		goto reap;
	}
	res.rt_ok = 1;
	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	srcfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	memset(&addfd, 0, sizeof(addfd));
	addfd.id = req.id;
	addfd.srcfd = (uint32_t)srcfd;
	r = srcfd < 0 ? -1 : ioctl(lfd, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
	if (r < 0) {
		res.addfd_err = errno;
		resp.error = -ENOSYS;
	} else {
		resp.val = r; /* the descriptor's number in the target */
	}
	if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && !res.addfd_err)
		res.addfd_err = errno;
reap:
	close(lfd); /* pending and new notifications now fail: the target cannot hang */
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && !res.addfd_err)
		res.addfd_ok = 1;
	else if (WIFEXITED(st) && WEXITSTATUS(st) == 10)
		res.rt_ok = 0;
out:
	if (write(out_fd, &res, sizeof(res)) != (ssize_t)sizeof(res))
		return 1;
	return 0;
}

static void probe_seccomp_notify(struct moat_features *f)
{
	struct moat_feature *sz =
		add(f, "seccomp.notify.sizes", "SECCOMP_GET_NOTIF_SIZES",
		    "no user notification: no complain mode, no violation reports");
	struct moat_feature *rt =
		add(f, "seccomp.notify.round_trip", "user notification round trip (RECV/SEND)",
		    "no complain mode and no per-violation reports in `moat run`");
	struct moat_feature *af = add(f, "seccomp.notify.addfd", "SECCOMP_IOCTL_NOTIF_ADDFD",
				      "a supervisor cannot hand descriptors to the sandboxed "
				      "process (not used by moat yet)");
	struct seccomp_notif_sizes sizes;
	struct notify_result res = { 0 };
	int p[2], r;

	if (sys_seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0)
		set(sz, MOAT_FEATURE_AVAILABLE, "notif %u, resp %u, data %u bytes",
		    sizes.seccomp_notif, sizes.seccomp_notif_resp, sizes.seccomp_data);
	else
		set_errno(sz, errno, "SECCOMP_GET_NOTIF_SIZES");

	if (pipe2(p, O_CLOEXEC) < 0) {
		set_errno(rt, errno, "pipe");
		set_errno(af, errno, "pipe");
		return;
	}
	r = run_child(child_notify_round_trip, &p[1]);
	close(p[1]);
	if (r != 0 || read(p[0], &res, sizeof(res)) != (ssize_t)sizeof(res)) {
		close(p[0]);
		set(rt, MOAT_FEATURE_ERROR, "probe child failed or timed out");
		set(af, MOAT_FEATURE_ERROR, "probe child failed or timed out");
		return;
	}
	close(p[0]);
	if (res.setup_err) {
		set_errno(rt, res.setup_err, "filter with NEW_LISTENER");
		set_errno(af, res.setup_err, "filter with NEW_LISTENER");
		return;
	}
	if (res.recv_err)
		set_errno(rt, res.recv_err, "NOTIF_RECV/SEND");
	else if (res.rt_ok)
		set(rt, MOAT_FEATURE_AVAILABLE, "getppid answered 4242 by the supervisor");
	else
		set(rt, MOAT_FEATURE_ERROR, "the target did not see the supervisor's answer");
	if (res.recv_err)
		set(af, MOAT_FEATURE_ERROR, "not probed: no round trip");
	else if (res.addfd_err)
		set_errno(af, res.addfd_err, "NOTIF_ADDFD");
	else if (res.addfd_ok)
		set(af, MOAT_FEATURE_AVAILABLE, "descriptor injected and usable in the target");
	else
		set(af, MOAT_FEATURE_ERROR, "the injected descriptor was not usable");
}

/* ---- eBPF ---- */

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0; /* library code never prints */
}

static void probe_btf(struct moat_features *f, struct btf **out)
{
	struct moat_feature *x = add(f, "bpf.btf", "kernel BTF (/sys/kernel/btf/vmlinux)",
				     "no CO-RE: moat record, trace and top cannot run");
	struct btf *btf = btf__parse("/sys/kernel/btf/vmlinux", NULL);

	*out = NULL;
	if (!btf) {
		set_errno(x, errno, "/sys/kernel/btf/vmlinux");
		return;
	}
	set(x, MOAT_FEATURE_AVAILABLE, "%u types", btf__type_cnt(btf));
	*out = btf;
}

static void probe_ringbuf(struct moat_features *f)
{
	struct moat_feature *x = add(f, "bpf.map.ringbuf", "BPF ring buffer map",
				     "moat trace and moat record unavailable (they stream events "
				     "through a ringbuf, Linux 5.8+)");
	int fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "moat_probe", 0, 0, 4096, NULL);

	if (fd < 0) {
		set_errno(x, -fd, "map create");
		return;
	}
	close(fd);
	set(x, MOAT_FEATURE_AVAILABLE, "4 KiB ringbuf created");
}

static int btf_id(const struct btf *btf, const char *name, int kind)
{
	return btf ? btf__find_by_name_kind(btf, name, kind) : -ENOENT;
}

struct prog_probe {
	const char *id, *title, *impact;
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	const char *btf_name; /* attach target in vmlinux BTF, NULL for none */
	int btf_kind;
	bool attach_raw_tp; /* also attach it (bpf_raw_tracepoint_open) */
};

static void probe_prog(struct moat_features *f, const struct btf *btf, const struct prog_probe *p)
{
	/* r0 = 0; exit: the smallest valid program of any type. */
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = p->attach);
	struct moat_feature *x = add(f, p->id, p->title, p->impact);
	int fd, lfd;

	if (p->btf_name) {
		int id = btf_id(btf, p->btf_name, p->btf_kind);

		if (id < 0) {
			x->err = ENOENT;
			set(x, MOAT_FEATURE_MISSING, "no %s in kernel BTF", p->btf_name);
			return;
		}
		opts.attach_btf_id = (uint32_t)id;
	}
	fd = bpf_prog_load(p->type, "moat_probe", "GPL", insns, 2, &opts);
	if (fd < 0) {
		set_errno(x, -fd, "load refused");
		return;
	}
	if (p->attach_raw_tp) {
		lfd = bpf_raw_tracepoint_open(NULL, fd);
		if (lfd < 0) {
			set_errno(x, -lfd, "loaded, attach refused");
			close(fd);
			return;
		}
		close(lfd);
		set(x, MOAT_FEATURE_AVAILABLE, "loaded and attached%s%s", p->btf_name ? " to " : "",
		    p->btf_name ? p->btf_name : "");
	} else {
		set(x, MOAT_FEATURE_AVAILABLE, "loaded%s%s", p->btf_name ? " against " : "",
		    p->btf_name ? p->btf_name : "");
	}
	close(fd);
}

static const char *fentry_target(const struct btf *btf)
{
	static const char *const candidates[] = { "__x64_sys_getppid", "__arm64_sys_getppid",
						  "do_sys_openat2", "vfs_read" };

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (btf_id(btf, candidates[i], BTF_KIND_FUNC) >= 0)
			return candidates[i];
	return "vfs_read";
}

static void probe_bpf_progs(struct moat_features *f, const struct btf *btf)
{
	const struct prog_probe probes[] = {
		{ "bpf.prog.tracepoint", "BPF_PROG_TYPE_TRACEPOINT",
		  "no classic tracepoint programs (moat uses tp_btf or raw_tracepoint instead)",
		  BPF_PROG_TYPE_TRACEPOINT, 0, NULL, 0, false },
		{ "bpf.prog.raw_tracepoint", "BPF_PROG_TYPE_RAW_TRACEPOINT",
		  "no raw_tracepoint fallback for kernels without tp_btf",
		  BPF_PROG_TYPE_RAW_TRACEPOINT, 0, NULL, 0, false },
		{ "bpf.prog.tp_btf", "tp_btf/sys_enter (BPF_TRACE_RAW_TP)",
		  "moat's tracers fall back to raw_tracepoint (no typed arguments)",
		  BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, "btf_trace_sys_enter", BTF_KIND_TYPEDEF,
		  true },
		{ "bpf.prog.fentry", "fentry (BPF trampoline)",
		  "no per-function probes; moat traces with tracepoints, which need none",
		  BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, fentry_target(btf), BTF_KIND_FUNC,
		  false },
		{ "bpf.prog.lsm", "BPF LSM program (lsm/file_open)",
		  "eBPF cannot block anything: moat enforces with seccomp only", BPF_PROG_TYPE_LSM,
		  BPF_LSM_MAC, "bpf_lsm_file_open", BTF_KIND_FUNC, false },
	};

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		probe_prog(f, btf, &probes[i]);
}

/* ---- securityfs, sysctls, Landlock, privileges ---- */

/*
 * securityfs is often not mounted (it is not on this project's CI). As root
 * we can still read it: mount it in a private mount namespace of a child,
 * which leaves the host's mounts untouched.
 */
static int child_read_securityfs(void *arg)
{
	int out_fd = *(int *)arg;
	static const char *const files[] = { "lockdown", "lsm" };
	char buf[256];

	if (access("/sys/kernel/security/lockdown", R_OK) != 0 &&
	    (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	     mount("securityfs", "/sys/kernel/security", "securityfs", 0, NULL) < 0))
		return errno;
	for (int i = 0; i < 2; i++) {
		int fd = open("/sys/kernel/security/", O_RDONLY | O_DIRECTORY);
		int ffd = fd < 0 ? -1 : openat(fd, files[i], O_RDONLY);
		ssize_t n = ffd < 0 ? -1 : read(ffd, buf, sizeof(buf) - 1);

		if (fd >= 0)
			close(fd);
		if (ffd >= 0)
			close(ffd);
		if (n < 0)
			n = 0;
		buf[n] = '\0';
		/* One line per file, in order; an empty line for a missing one. */
		char *nl = memchr(buf, '\n', (size_t)n);

		if (nl)
			*nl = '\0';
		if (write(out_fd, buf, strlen(buf)) < 0 || write(out_fd, "\n", 1) < 0)
			return EIO;
	}
	return 0;
}

static void probe_securityfs(struct moat_features *f)
{
	struct moat_feature *ld = add(f, "security.lockdown", "kernel lockdown mode",
				      "confidentiality mode blocks eBPF reads of kernel memory: "
				      "moat trace cannot read arguments");
	struct moat_feature *lsm =
		add(f, "security.bpf_lsm", "BPF LSM active (lsm= list)",
		    "eBPF cannot block anything: moat enforces with seccomp only");
	char buf[512] = "";
	ssize_t n, len = 0;
	int p[2], r;
	char *line2, *sel, *end;

	if (pipe2(p, O_CLOEXEC) < 0) {
		set_errno(ld, errno, "pipe");
		set_errno(lsm, errno, "pipe");
		return;
	}
	r = run_child(child_read_securityfs, &p[1]);
	close(p[1]);
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(p[0], buf + len, sizeof(buf) - 1 - (size_t)len)) > 0)
		len += n;
	close(p[0]);
	buf[len] = '\0';
	if (r != 0) {
		/* Not "missing": we could not look (unprivileged, no securityfs). */
		char b[24];

		ld->err = lsm->err = r > 0 ? r : 0;
		set(ld, MOAT_FEATURE_ERROR, "securityfs not mounted, mounting it needs root: %s",
		    r > 0 ? errname(r, b, sizeof(b)) : "probe failed");
		set(lsm, MOAT_FEATURE_ERROR, "%s", ld->detail);
		return;
	}
	line2 = strchr(buf, '\n');
	if (line2) {
		*line2++ = '\0';
		line2[strcspn(line2, "\n")] = '\0';
	}
	/* "none [integrity] confidentiality": the selected mode is in brackets. */
	sel = strchr(buf, '[');
	end = sel ? strchr(sel, ']') : NULL;
	if (!buf[0]) {
		ld->err = ENOENT;
		set(ld, MOAT_FEATURE_MISSING, "no lockdown LSM");
	} else if (sel && end) {
		*end = '\0';
		set(ld,
		    strcmp(sel + 1, "confidentiality") ? MOAT_FEATURE_AVAILABLE
						       : MOAT_FEATURE_MISSING,
		    "%s (eBPF reads %s)", sel + 1,
		    strcmp(sel + 1, "confidentiality") ? "allowed" : "blocked");
		if (ld->status == MOAT_FEATURE_MISSING)
			ld->err = EPERM;
	} else {
		set(ld, MOAT_FEATURE_ERROR, "unexpected: %.100s", buf);
	}
	if (line2 && *line2) {
		/* "lockdown,capability,landlock,bpf": look for the whole word. */
		char list[260];

		snprintf(list, sizeof(list), ",%s,", line2);
		set(lsm, strstr(list, ",bpf,") ? MOAT_FEATURE_AVAILABLE : MOAT_FEATURE_MISSING,
		    "lsm=%.100s", line2);
		if (lsm->status == MOAT_FEATURE_MISSING)
			lsm->err = ENOENT;
	} else {
		set(lsm, MOAT_FEATURE_ERROR, "cannot read /sys/kernel/security/lsm");
	}
}

static int read_int_file(const char *path, long *v)
{
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	*v = strtol(buf, NULL, 10);
	return 0;
}

static void probe_sysctls(struct moat_features *f)
{
	struct moat_feature *x;
	long v;
	int r;

	x = add(f, "sysctl.unprivileged_bpf_disabled", "kernel.unprivileged_bpf_disabled",
		"only root (or CAP_BPF+CAP_PERFMON) can run moat record/trace/top");
	r = read_int_file("/proc/sys/kernel/unprivileged_bpf_disabled", &v);
	if (r < 0)
		set_errno(x, -r, "/proc/sys/kernel/unprivileged_bpf_disabled");
	else
		set(x, v == 0 ? MOAT_FEATURE_AVAILABLE : MOAT_FEATURE_MISSING, "%ld (%s)", v,
		    v == 0   ? "unprivileged users may use bpf()"
		    : v == 1 ? "bpf() needs privileges, until reboot"
			     : "bpf() needs privileges; an admin may change it");
	if (r == 0 && v != 0)
		x->err = EPERM; /* what an unprivileged bpf() gets */
	x = add(f, "sysctl.perf_event_paranoid", "kernel.perf_event_paranoid",
		"unprivileged perf events restricted: tracing needs CAP_PERFMON or root");
	r = read_int_file("/proc/sys/kernel/perf_event_paranoid", &v);
	if (r < 0)
		set_errno(x, -r, "/proc/sys/kernel/perf_event_paranoid");
	else {
		set(x, v <= 1 ? MOAT_FEATURE_AVAILABLE : MOAT_FEATURE_MISSING, "%ld", v);
		if (v > 1)
			x->err = EACCES; /* what an unprivileged perf_event_open gets */
	}
}

static void probe_landlock(struct moat_features *f)
{
	struct moat_feature *x = add(f, "landlock.abi", "Landlock",
				     "no unprivileged path confinement (moat does not use "
				     "Landlock yet)");
	long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);

	if (abi >= 0)
		set(x, MOAT_FEATURE_AVAILABLE, "ABI %ld", abi);
	else if (errno == EOPNOTSUPP)
		set_errno(x, errno, "disabled at boot (not in lsm=)");
	else
		set_errno(x, errno, "landlock_create_ruleset");
}

static void probe_privileges(struct moat_features *f)
{
	static const struct {
		const char *id, *title;
		int cap;
		const char *impact;
	} caps[] = {
		{ "priv.cap_bpf", "CAP_BPF", 39, "cannot load eBPF programs: no record/trace/top" },
		{ "priv.cap_perfmon", "CAP_PERFMON", 38,
		  "cannot attach tracing programs: no record/trace/top" },
		{ "priv.cap_sys_admin", "CAP_SYS_ADMIN", CAP_SYS_ADMIN,
		  "none for seccomp (moat sets no_new_privs); older kernels need it for eBPF" },
	};
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	struct moat_feature *x = add(f, "priv.root", "running as root (euid 0)",
				     "eBPF features need root or CAP_BPF+CAP_PERFMON; seccomp "
				     "works unprivileged");
	bool have_caps = syscall(SYS_capget, &hdr, data) == 0;

	if (geteuid() == 0)
		set(x, MOAT_FEATURE_AVAILABLE, "euid 0");
	else {
		x->err = EPERM;
		set(x, MOAT_FEATURE_MISSING, "euid %u", (unsigned)geteuid());
	}
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		int c = caps[i].cap;

		x = add(f, caps[i].id, caps[i].title, caps[i].impact);
		if (!have_caps) {
			set_errno(x, errno, "capget");
		} else if (data[c / 32].effective & (1u << (c % 32))) {
			set(x, MOAT_FEATURE_AVAILABLE, "in the effective set");
		} else {
			x->err = EPERM;
			set(x, MOAT_FEATURE_MISSING, "not in the effective set");
		}
	}
}

int moat_features_probe(struct moat_features **out)
{
	struct moat_features *f = calloc(1, sizeof(*f));
	libbpf_print_fn_t old;
	struct btf *btf;

	if (!f)
		return -ENOMEM;
	probe_kernel(f);
	probe_seccomp_actions(f);
	probe_seccomp_notify(f);
	old = libbpf_set_print(silent_print);
	probe_btf(f, &btf);
	probe_ringbuf(f);
	probe_bpf_progs(f, btf);
	btf__free(btf);
	libbpf_set_print(old);
	probe_securityfs(f);
	probe_landlock(f);
	probe_sysctls(f);
	probe_privileges(f);
	*out = f;
	return 0;
}

void moat_features_free(struct moat_features *f)
{
	free(f);
}

const struct moat_feature *moat_features_find(const struct moat_features *f, const char *id)
{
	for (size_t i = 0; f && i < f->n; i++)
		if (!strcmp(f->v[i].id, id))
			return &f->v[i];
	return NULL;
}

bool moat_features_has(const struct moat_features *f, const char *id)
{
	const struct moat_feature *x = moat_features_find(f, id);

	return x && x->status == MOAT_FEATURE_AVAILABLE;
}
