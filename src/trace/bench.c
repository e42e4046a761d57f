// SPDX-License-Identifier: MIT
/*
 * moat bench: the price of a syscall under nothing, seccomp (moat's filter
 * as a tree or a linear chain, stacked, user notification), eBPF (empty
 * program, in-kernel counting, a ringbuf event per call) and ptrace.
 *
 * Layout: the caller forks one scenario process R per scenario (filters
 * cannot be removed; eBPF links die with R). R pins itself to one CPU and
 * either runs the workload itself (bare, seccomp) or forks a worker W and
 * plays the other side: seccomp supervisor, eBPF loader and ringbuf
 * consumer, ptrace tracer. The worker writes its timings into a shared
 * anonymous mapping, so that it needs no syscall to report (a denied write
 * could not). Clocks are read with clock_gettime, which the vDSO serves
 * without entering the kernel: neither seccomp nor ptrace nor the
 * tracepoint sees it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/bench.h"
#include "bench.skel.h"
#include "bench_denied.h"
#include "moat/bench.h"
#include "moat/compile.h"
#include "moat/decode.h"
#include "moat/features.h"
#include "moat/policy.h"
#include "moat/syscalls.h"

enum workload { W_GETPPID, W_RW, W__COUNT };

static const struct {
	const char *name;
	unsigned syscalls_per_op;
} workloads[] = {
	[W_GETPPID] = { "getppid", 1 },
	[W_RW] = { "rw", 2 },
};

enum kind { K_BARE, K_SECCOMP, K_NOTIFY, K_EBPF, K_PTRACE };
enum policy_kind { P_NONE, P_CACHED, P_ARGCHECK, P_DENIED, P_NOTIFY };
enum bpf_prog_kind { B_NONE, B_EMPTY, B_EMPTY_EXIT, B_EMPTY_PAIR, B_CLOCK, B_COUNT, B_RINGBUF };

static const struct mechanism {
	const char *name, *title;
	enum kind kind;
	enum policy_kind policy;
	bool linear;
	int nfilters;
	enum bpf_prog_kind prog;
	const char *need, *need2; /* features (moat features ids) it cannot run without */
	const char *expect;
	unsigned filter_flags; /* SECCOMP_FILTER_FLAG_* for the installed filters */
} mechs[] = {
	{ "bare", "no mechanism", K_BARE, P_NONE, false, 0, B_NONE, NULL, NULL, "allow", 0 },
	{ "seccomp-cached", "seccomp, moat's filter: allowed, cache-eligible", K_SECCOMP, P_CACHED,
	  false, 1, B_NONE, "seccomp.filter", NULL, "allow", 0 },
	/*
	 * Without SPEC_ALLOW the kernel turns on the Speculative Store Bypass
	 * mitigation for every task with a filter (where the CPU needs it):
	 * this row shows what that costs here.
	 */
	{ "seccomp-cached-spec-allow", "seccomp, cached allow, SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	  K_SECCOMP, P_CACHED, false, 1, B_NONE, "seccomp.flag.spec_allow", NULL, "allow",
	  SECCOMP_FILTER_FLAG_SPEC_ALLOW },
	{ "seccomp-argcheck", "seccomp, moat's filter: allowed after argument checks", K_SECCOMP,
	  P_ARGCHECK, false, 1, B_NONE, "seccomp.filter", NULL, "allow", 0 },
	{ "seccomp-denied", "seccomp, moat's filter: denied with errno EPERM", K_SECCOMP, P_DENIED,
	  false, 1, B_NONE, "seccomp.filter", NULL, "errno EPERM", 0 },
	{ "seccomp-linear", "seccomp, same policy as a linear chain: argument checks", K_SECCOMP,
	  P_ARGCHECK, true, 1, B_NONE, "seccomp.filter", NULL, "allow", 0 },
	{ "seccomp-linear-denied", "seccomp, same policy as a linear chain: denied", K_SECCOMP,
	  P_DENIED, true, 1, B_NONE, "seccomp.filter", NULL, "errno EPERM", 0 },
	{ "seccomp-stack1", "seccomp, 1 argument-checking filter", K_SECCOMP, P_ARGCHECK, false, 1,
	  B_NONE, "seccomp.filter", NULL, "allow", 0 },
	{ "seccomp-stack2", "seccomp, 2 stacked filters", K_SECCOMP, P_ARGCHECK, false, 2, B_NONE,
	  "seccomp.filter", NULL, "allow", 0 },
	{ "seccomp-stack3", "seccomp, 3 stacked filters", K_SECCOMP, P_ARGCHECK, false, 3, B_NONE,
	  "seccomp.filter", NULL, "allow", 0 },
	{ "seccomp-stack4", "seccomp, 4 stacked filters", K_SECCOMP, P_ARGCHECK, false, 4, B_NONE,
	  "seccomp.filter", NULL, "allow", 0 },
	{ "seccomp-notify", "seccomp user notification round trip (CONTINUE)", K_NOTIFY, P_NOTIFY,
	  false, 1, B_NONE, "seccomp.notify.round_trip", NULL, "allow", 0 },
	{ "ebpf-empty", "eBPF: empty program on tp_btf/sys_enter", K_EBPF, P_NONE, false, 0,
	  B_EMPTY, "bpf.prog.tp_btf", NULL, "allow", 0 },
	{ "ebpf-empty-exit", "eBPF: empty program on tp_btf/sys_exit", K_EBPF, P_NONE, false, 0,
	  B_EMPTY_EXIT, "bpf.prog.tp_btf", NULL, "allow", 0 },
	{ "ebpf-empty-pair", "eBPF: empty programs on sys_enter and sys_exit", K_EBPF, P_NONE,
	  false, 0, B_EMPTY_PAIR, "bpf.prog.tp_btf", NULL, "allow", 0 },
	{ "ebpf-clock", "eBPF: a clock read (bpf_ktime_get_ns) at sys_exit", K_EBPF, P_NONE, false,
	  0, B_CLOCK, "bpf.prog.tp_btf", NULL, "allow", 0 },
	{ "ebpf-count", "eBPF: in-kernel count per syscall (array map)", K_EBPF, P_NONE, false, 0,
	  B_COUNT, "bpf.prog.tp_btf", NULL, "allow", 0 },
	{ "ebpf-ringbuf", "eBPF: one ringbuf event per syscall, consumed", K_EBPF, P_NONE, false, 0,
	  B_RINGBUF, "bpf.prog.tp_btf", "bpf.map.ringbuf", "allow", 0 },
	{ "ptrace", "ptrace: stop at every syscall entry and exit (strace)", K_PTRACE, P_NONE,
	  false, 0, B_NONE, NULL, NULL, "allow", 0 },
};

#define NMECHS (sizeof(mechs) / sizeof(mechs[0]))

/* What a scenario process and its worker share. Written without syscalls. */
struct shared {
	uint64_t iters;
	uint32_t nruns;
	uint64_t run_ns[MOAT_BENCH_MAX_RUNS];
	uint64_t total_ops; /* warm-up included */
	uint64_t bad;	    /* calls whose result was not what the mechanism implies */
	uint64_t observed;  /* notifications, tracer stops, BPF counts or events */
	uint64_t drops;	    /* ringbuf events the program could not reserve */
	int err;	    /* errno of the failed setup step */
	bool skip;	    /* the failure means "not available here" (EPERM) */
	int done;
	char what[120]; /* the failed step, or a note for the verdict */
};

struct bench_cfg {
	uint64_t iterations;
	unsigned runs;
	uint64_t target_ns; /* per timed run, when calibrating */
	int cpu;
	bool realtime;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void fail_step(struct shared *sh, const char *what, int err)
{
	sh->err = err;
	sh->skip = err == EPERM || err == EACCES;
	snprintf(sh->what, sizeof(sh->what), "%s", what);
}

/*
 * Pins the caller to CPU and, with --realtime, makes it SCHED_FIFO: on a
 * loaded machine ordinary tasks then cannot preempt the measuring loop (the
 * kernel's RT throttling still leaves them 5% of the CPU).
 */
static int pin_cpu(const struct bench_cfg *cfg)
{
	struct sched_param sp = { .sched_priority = 1 };
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cfg->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	if (cfg->realtime && sched_setscheduler(0, SCHED_FIFO, &sp) < 0)
		return -errno;
	return 0;
}

/* ---- the workload ---- */

struct work {
	enum workload wl;
	int rfd, wfd;	/* rw: the pipe */
	long ppid;	/* getppid: the expected answer */
	int expect_err; /* 0, or the errno every call must fail with */
};

static int work_init(struct work *w, enum workload wl, int expect_err, long ppid)
{
	int p[2];

	memset(w, 0, sizeof(*w));
	w->wl = wl;
	w->expect_err = expect_err;
	w->ppid = ppid;
	w->rfd = w->wfd = -1;
	if (wl == W_RW) {
		if (pipe2(p, O_CLOEXEC) < 0)
			return -errno;
		w->rfd = p[0];
		w->wfd = p[1];
	}
	return 0;
}

/* Raw syscall(2) with every argument given, so argument checks see known values. */
static inline bool call_ok(const struct work *w, long r, long good)
{
	if (w->expect_err)
		return r == -1 && errno == w->expect_err;
	return r == good;
}

static uint64_t work_loop(const struct work *w, uint64_t n)
{
	uint64_t bad = 0;
	char c = 'x';

	if (w->wl == W_GETPPID) {
		for (uint64_t i = 0; i < n; i++)
			bad += !call_ok(w, syscall(SYS_getppid, 0, 0, 0, 0, 0, 0), w->ppid);
		return bad;
	}
	for (uint64_t i = 0; i < n; i++) {
		bad += !call_ok(w, syscall(SYS_write, w->wfd, &c, 1, 0, 0, 0), 1);
		bad += !call_ok(w, syscall(SYS_read, w->rfd, &c, 1, 0, 0, 0), 1);
	}
	return bad;
}

/* Warm-up (and calibration), then the timed runs. */
static void measure(struct shared *sh, const struct work *w, const struct bench_cfg *cfg)
{
	uint64_t warm = cfg->iterations ? cfg->iterations / 10 : 2000, t0, t;

	if (warm < 100)
		warm = 100;
	t0 = now_ns();
	sh->bad += work_loop(w, warm);
	t = now_ns() - t0;
	sh->total_ops += warm;
	if (cfg->iterations) {
		sh->iters = cfg->iterations;
	} else {
		/* Enough iterations for target_ns per run, from the warm-up's pace. */
		uint64_t it = t ? cfg->target_ns * warm / t : 1000000;

		sh->iters = it < 1000 ? 1000 : it > 50000000 ? 50000000 : it;
	}
	for (unsigned r = 0; r < cfg->runs; r++) {
		t0 = now_ns();
		sh->bad += work_loop(w, sh->iters);
		sh->run_ns[r] = now_ns() - t0;
		sh->total_ops += sh->iters;
	}
	sh->nruns = cfg->runs;
}

/* ---- seccomp ---- */

/*
 * A realistic profile: every syscall of the native table allowed, except
 * what container runtimes deny, plus the scenario's rules for the measured
 * syscalls. Realistic matters: the tree's depth and the linear chain's
 * length come from the number of rules.
 */
static char *policy_text(enum policy_kind pk)
{
	enum moat_arch a = moat_arch_native();
	size_t n = moat_syscall_count(a), cap = 64 + n * 24, len = 0;
	char *t = malloc(cap);
	const char *rules = "";

	if (!t)
		return NULL;
	len += (size_t)snprintf(t + len, cap - len, "default errno EPERM\nallow");
	for (size_t i = 0; i < n; i++) {
		const char *name;
		uint32_t nr;
		bool skip = false;

		if (moat_syscall_at(a, i, &name, &nr) < 0)
			continue;
		for (size_t d = 0; d < MOAT_BENCH_NDENIED && !skip; d++)
			skip = !strcmp(name, moat_bench_denied[d]);
		if (!skip && len + strlen(name) + 2 < cap)
			len += (size_t)snprintf(t + len, cap - len, " %s", name);
	}
	switch (pk) {
	case P_CACHED:
		rules = "allow getppid read write\n";
		break;
	case P_ARGCHECK:
		rules = "allow getppid if arg0 == 0\n"
			"allow read if arg2 <= 4096\n"
			"allow write if arg2 <= 4096\n";
		break;
	case P_NOTIFY:
		rules = "notify getppid read write\n";
		break;
	default:
		break;
	}
	snprintf(t + len, cap - len, "\n%s", rules);
	return t;
}

static int compile_policy(enum policy_kind pk, bool linear, struct moat_prog **out)
{
	struct moat_compile_opts o = { .optimize = 1, .linear = linear };
	struct moat_policy *p = NULL;
	struct moat_diags d;
	char *text = policy_text(pk);
	int err;

	if (!text)
		return -ENOMEM;
	moat_diags_init(&d);
	err = moat_policy_parse_string("bench.moat", text, strlen(text), NULL, &p, &d);
	if (!err)
		err = moat_compile(p, &o, out, &d);
	moat_policy_free(p);
	moat_diags_free(&d);
	free(text);
	return err;
}

static long install_filter(const struct moat_prog *prog, unsigned flags)
{
	struct sock_fprog fp = { .len = (unsigned short)prog->len,
				 .filter = (struct sock_filter *)prog->insns };

	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fp);
}

static int run_seccomp(const struct mechanism *m, enum workload wl, struct shared *sh,
		       const struct bench_cfg *cfg)
{
	struct moat_prog *prog = NULL;
	struct work w;
	int err = compile_policy(m->policy, m->linear, &prog);

	if (err) {
		fail_step(sh, "compiling the bench policy", -err);
		return 1;
	}
	if (m->policy == P_CACHED) {
		uint32_t audit = moat_arch_audit(moat_arch_native());
		bool c = moat_sim_cache_allows(prog, audit, SYS_getppid) &&
			 moat_sim_cache_allows(prog, audit, SYS_read) &&
			 moat_sim_cache_allows(prog, audit, SYS_write);

		snprintf(sh->what, sizeof(sh->what), "; kernel action cache %s",
			 c ? "eligible" : "NOT eligible");
	}
	snprintf(sh->what + strlen(sh->what), sizeof(sh->what) - strlen(sh->what),
		 "; %d filter%s of %zu insns", m->nfilters, m->nfilters > 1 ? "s" : "", prog->len);
	err = work_init(&w, wl, m->policy == P_DENIED ? EPERM : 0, (long)getppid());
	if (err) {
		moat_prog_free(prog);
		fail_step(sh, "pipe", -err);
		return 1;
	}
	/* The filter needs no privilege: no_new_privs, as `moat run` does. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		moat_prog_free(prog);
		fail_step(sh, "prctl(PR_SET_NO_NEW_PRIVS)", errno);
		return 1;
	}
	for (int i = 0; i < m->nfilters; i++) {
		if (install_filter(prog, m->filter_flags) < 0) {
			moat_prog_free(prog);
			fail_step(sh, "seccomp(SET_MODE_FILTER)", errno);
			return 1;
		}
	}
	moat_prog_free(prog);
	/* From here on the measured syscalls follow the policy; exit_group is allowed. */
	measure(sh, &w, cfg);
	return 0;
}

static int run_notify(const struct mechanism *m, enum workload wl, struct shared *sh,
		      const struct bench_cfg *cfg)
{
	struct moat_prog *prog = NULL;
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct work w;
	int err = compile_policy(P_NOTIFY, false, &prog), st;
	long lfd;
	pid_t pid;

	if (err) {
		fail_step(sh, "compiling the bench policy", -err);
		return 1;
	}
	err = work_init(&w, wl, 0, (long)getpid());
	if (!err && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		err = -errno;
	lfd = err ? -1 : install_filter(prog, SECCOMP_FILTER_FLAG_NEW_LISTENER);
	moat_prog_free(prog);
	if (err || lfd < 0) {
		fail_step(sh, "filter with a notification listener", err ? -err : errno);
		return 1;
	}
	/*
	 * From now on this process (the supervisor) must not call getppid,
	 * read or write: it would wait for a verdict only it can give.
	 */
	pid = fork();
	if (pid < 0) {
		fail_step(sh, "fork", errno);
		return 1;
	}
	if (pid == 0) {
		close((int)lfd);
		measure(sh, &w, cfg);
		/* The last notification tells the supervisor to stop. */
		__atomic_store_n(&sh->done, 1, __ATOMIC_SEQ_CST);
		syscall(SYS_getppid, 0, 0, 0, 0, 0, 0);
		_exit(0);
	}
	for (;;) {
		memset(&req, 0, sizeof(req));
		if (ioctl((int)lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		/*
		 * The worker is blocked in the call until we answer, so "done"
		 * seen now means this is its final, uncounted notification.
		 */
		bool last = __atomic_load_n(&sh->done, __ATOMIC_SEQ_CST);

		sh->observed += !last;
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		/* CONTINUE: the kernel runs the call, as in complain mode. */
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		ioctl((int)lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
		if (last)
			break;
	}
	close((int)lfd);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fail_step(sh, "the notified worker died", 0);
		return 1;
	}
	return 0;
}

/* ---- eBPF ---- */

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int count_event(void *ctx, void *data, size_t size)
{
	(*(uint64_t *)ctx)++;
	return 0;
}

static int run_ebpf(const struct mechanism *m, enum workload wl, struct shared *sh,
		    const struct bench_cfg *cfg)
{
	struct bench_bpf *skel = NULL;
	struct bpf_program *chosen, *second;
	struct bpf_link *link = NULL, *link2 = NULL;
	struct ring_buffer *rb = NULL;
	uint64_t events = 0;
	int go[2], st = 0, err = 0;
	bool reaped = false;
	pid_t pid;
	char c = 'g';

	if (pipe2(go, O_CLOEXEC) < 0) {
		fail_step(sh, "pipe", errno);
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		fail_step(sh, "fork", errno);
		return 1;
	}
	if (pid == 0) {
		struct work w;

		close(go[1]);
		if (pin_cpu(cfg) < 0 || work_init(&w, wl, 0, (long)getppid()) < 0)
			_exit(2);
		/* Wait until the program is attached; EOF means the loader gave up. */
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		measure(sh, &w, cfg);
		_exit(0);
	}
	close(go[0]);
	/*
	 * The loader is not pinned: it (and for ebpf-ringbuf the consumer)
	 * runs on another CPU, as `moat trace` would.
	 */
	skel = bench_bpf__open();
	if (!skel) {
		err = errno;
		fail_step(sh, "opening the BPF object", err);
		goto out;
	}
	skel->rodata->target_tgid = (uint32_t)pid;
	chosen = m->prog == B_EMPTY	   ? skel->progs.bench_empty
		 : m->prog == B_EMPTY_EXIT ? skel->progs.bench_empty_exit
		 : m->prog == B_EMPTY_PAIR ? skel->progs.bench_empty
		 : m->prog == B_CLOCK	   ? skel->progs.bench_clock
		 : m->prog == B_COUNT	   ? skel->progs.bench_count
					   : skel->progs.bench_ringbuf;
	/* The pair's second program: the empty one at exit. */
	second = m->prog == B_EMPTY_PAIR ? skel->progs.bench_empty_exit : NULL;
	bpf_program__set_autoload(skel->progs.bench_empty, chosen == skel->progs.bench_empty);
	bpf_program__set_autoload(skel->progs.bench_empty_exit,
				  chosen == skel->progs.bench_empty_exit ||
					  second == skel->progs.bench_empty_exit);
	bpf_program__set_autoload(skel->progs.bench_clock, chosen == skel->progs.bench_clock);
	bpf_program__set_autoload(skel->progs.bench_count, chosen == skel->progs.bench_count);
	bpf_program__set_autoload(skel->progs.bench_ringbuf, chosen == skel->progs.bench_ringbuf);
	err = bench_bpf__load(skel);
	if (err) {
		fail_step(sh, "loading the BPF program", -err);
		goto out;
	}
	link = bpf_program__attach(chosen);
	if (link && second)
		link2 = bpf_program__attach(second);
	if (!link || (second && !link2)) {
		err = errno;
		fail_step(sh, "attaching to tp_btf/sys_enter or sys_exit", err);
		goto out;
	}
	if (m->prog == B_RINGBUF) {
		rb = ring_buffer__new(bpf_map__fd(skel->maps.events), count_event, &events, NULL);
		if (!rb) {
			err = errno;
			fail_step(sh, "ring_buffer__new", err);
			goto out;
		}
	}
	if (write(go[1], &c, 1) != 1) {
		err = errno;
		fail_step(sh, "starting the worker", err);
		goto out;
	}
	if (rb) {
		while (!reaped) {
			ring_buffer__poll(rb, 20);
			reaped = waitpid(pid, &st, WNOHANG) == pid;
		}
		ring_buffer__consume(rb);
		sh->observed = events;
		sh->drops = skel->bss->drops;
	} else {
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		reaped = true;
		if (m->prog == B_CLOCK)
			sh->observed = skel->bss->clock_reads;
		if (m->prog == B_COUNT) {
			int fd = bpf_map__fd(skel->maps.counts);
			uint32_t keys[2] = { wl == W_GETPPID ? SYS_getppid : SYS_write, SYS_read };
			uint64_t v;

			/* rw: the smaller of the read and write counts. */
			sh->observed = UINT64_MAX;
			for (int k = 0; k < (wl == W_GETPPID ? 1 : 2); k++)
				if (bpf_map_lookup_elem(fd, &keys[k], &v) == 0 && v < sh->observed)
					sh->observed = v;
			if (sh->observed == UINT64_MAX)
				sh->observed = 0;
		}
	}
out:
	close(go[1]); /* an unstarted worker sees EOF and leaves */
	if (!reaped)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	ring_buffer__free(rb);
	bpf_link__destroy(link2);
	bpf_link__destroy(link);
	bench_bpf__destroy(skel);
	if (err)
		return 1;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fail_step(sh, "the worker failed", 0);
		return 1;
	}
	return 0;
}

/* ---- ptrace ---- */

static int run_ptrace(const struct mechanism *m, enum workload wl, struct shared *sh,
		      const struct bench_cfg *cfg)
{
	int st;
	pid_t pid = fork();

	if (pid < 0) {
		fail_step(sh, "fork", errno);
		return 1;
	}
	if (pid == 0) {
		struct work w;

		if (work_init(&w, wl, 0, (long)getppid()) < 0)
			_exit(2);
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0) {
			fail_step(sh, "ptrace(PTRACE_TRACEME)", errno);
			_exit(3);
		}
		raise(SIGSTOP);
		measure(sh, &w, cfg);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFSTOPPED(st)) {
		if (!sh->err)
			fail_step(sh, "the tracee did not stop", 0);
		return 1;
	}
	/* TRACESYSGOOD: syscall stops carry SIGTRAP|0x80, apart from real SIGTRAPs. */
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL) < 0) {
		fail_step(sh, "ptrace(PTRACE_SETOPTIONS)", errno);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return 1;
	}
	ptrace(PTRACE_SYSCALL, pid, 0, 0);
	for (;;) {
		int sig = 0;

		if (waitpid(pid, &st, 0) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st))
			break;
		if (WIFSTOPPED(st)) {
			if (WSTOPSIG(st) == (SIGTRAP | 0x80))
				sh->observed++;
			else if (WSTOPSIG(st) != SIGTRAP && WSTOPSIG(st) != SIGSTOP)
				sig = WSTOPSIG(st); /* deliver the tracee's own signals */
		}
		ptrace(PTRACE_SYSCALL, pid, 0, sig);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		fail_step(sh, "the traced worker failed", 0);
		return 1;
	}
	return 0;
}

/* ---- the runner ---- */

static int scenario_process(const struct mechanism *m, enum workload wl, struct shared *sh,
			    const struct bench_cfg *cfg)
{
	struct work w;
	int err;

	/* A stuck scenario must not hang the bench (the kernel's alarm kills us). */
	alarm(cfg->iterations ? 600 : 120);
	if (m->kind != K_EBPF) {
		err = pin_cpu(cfg);
		if (err) {
			fail_step(sh, cfg->realtime ? "pinning, SCHED_FIFO" : "sched_setaffinity",
				  -err);
			return 1;
		}
	}
	switch (m->kind) {
	case K_BARE:
		if ((err = work_init(&w, wl, 0, (long)getppid())) < 0) {
			fail_step(sh, "pipe", -err);
			return 1;
		}
		measure(sh, &w, cfg);
		return 0;
	case K_SECCOMP:
		return run_seccomp(m, wl, sh, cfg);
	case K_NOTIFY:
		return run_notify(m, wl, sh, cfg);
	case K_EBPF:
		return run_ebpf(m, wl, sh, cfg);
	case K_PTRACE:
		return run_ptrace(m, wl, sh, cfg);
	}
	return 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void judge(struct moat_bench_result *r, const struct mechanism *m, enum workload wl,
		  const struct shared *sh)
{
	uint64_t calls = sh->total_ops * workloads[wl].syscalls_per_op;
	uint64_t per_call = sh->total_ops; /* each measured syscall ran total_ops times */
	int n;

	r->verdict_ok = sh->bad == 0;
	n = snprintf(r->verdict, sizeof(r->verdict), "%llu/%llu calls returned %s",
		     (unsigned long long)(calls - sh->bad), (unsigned long long)calls,
		     m->policy == P_DENIED ? "-1 with errno EPERM" : "their normal result");
	if (n < 0 || (size_t)n >= sizeof(r->verdict))
		return;
	switch (m->kind) {
	case K_NOTIFY:
		r->verdict_ok = r->verdict_ok && sh->observed == calls;
		snprintf(r->verdict + n, sizeof(r->verdict) - (size_t)n,
			 "; %llu notifications answered", (unsigned long long)sh->observed);
		break;
	case K_PTRACE:
		/* Two stops (entry, exit) per call, plus the worker's few other syscalls. */
		r->verdict_ok = r->verdict_ok && sh->observed >= 2 * calls;
		snprintf(r->verdict + n, sizeof(r->verdict) - (size_t)n,
			 "; %llu syscall stops (>= %llu expected)",
			 (unsigned long long)sh->observed, (unsigned long long)(2 * calls));
		break;
	case K_EBPF:
		if (m->prog == B_COUNT) {
			r->verdict_ok = r->verdict_ok && sh->observed >= per_call;
			snprintf(r->verdict + n, sizeof(r->verdict) - (size_t)n,
				 "; the map counted %llu per measured syscall (>= %llu)",
				 (unsigned long long)sh->observed, (unsigned long long)per_call);
		} else if (m->prog == B_CLOCK) {
			r->verdict_ok = r->verdict_ok && sh->observed >= calls;
			snprintf(r->verdict + n, sizeof(r->verdict) - (size_t)n,
				 "; %llu clock reads (>= %llu calls)",
				 (unsigned long long)sh->observed, (unsigned long long)calls);
		} else if (m->prog == B_RINGBUF) {
			r->verdict_ok = r->verdict_ok && sh->observed + sh->drops >= calls;
			snprintf(r->verdict + n, sizeof(r->verdict) - (size_t)n,
				 "; %llu events received, %llu dropped (>= %llu calls)%s",
				 (unsigned long long)sh->observed, (unsigned long long)sh->drops,
				 (unsigned long long)calls,
				 /* a failed reserve is cheaper than an event */
				 sh->drops ? "; drops make the time optimistic" : "");
		} else {
			snprintf(r->verdict + n, sizeof(r->verdict) - (size_t)n,
				 "; program attached (it records nothing to check)");
		}
		break;
	default:
		if (sh->what[0])
			snprintf(r->verdict + n, sizeof(r->verdict) - (size_t)n, "%s", sh->what);
		break;
	}
}

static void run_one(struct moat_bench_result *r, const struct mechanism *m, enum workload wl,
		    struct shared *sh, const struct bench_cfg *cfg)
{
	double v[MOAT_BENCH_MAX_RUNS];
	int st;
	pid_t pid;

	memset(sh, 0, sizeof(*sh));
	pid = fork();
	if (pid < 0) {
		r->failed = true;
		snprintf(r->reason, sizeof(r->reason), "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0)
		_exit(scenario_process(m, wl, sh, cfg));
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) || !sh->nruns) {
		const char *en = sh->err ? moat_errno_name(sh->err) : NULL;

		if (sh->skip)
			r->skipped = true;
		else
			r->failed = true;
		if (WIFSIGNALED(st))
			snprintf(r->reason, sizeof(r->reason), "killed by signal %d", WTERMSIG(st));
		else
			snprintf(r->reason, sizeof(r->reason), "%s%s%s%s",
				 sh->what[0] ? sh->what : "scenario failed", en ? ": " : "",
				 en ? en : "", sh->skip ? " (not permitted)" : "");
		return;
	}
	r->iterations = sh->iters;
	r->runs = sh->nruns;
	for (unsigned i = 0; i < sh->nruns; i++)
		v[i] = (double)sh->run_ns[i] / (double)(sh->iters * workloads[wl].syscalls_per_op);
	qsort(v, sh->nruns, sizeof(v[0]), cmp_double);
	r->ns_min = v[0];
	r->ns_max = v[sh->nruns - 1];
	r->ns_median =
		sh->nruns % 2 ? v[sh->nruns / 2] : (v[sh->nruns / 2 - 1] + v[sh->nruns / 2]) / 2;
	judge(r, m, wl, sh);
}

/* Does the --only list select workload WL with mechanism M? */
static bool selected(const char *only, enum workload wl, const struct mechanism *m)
{
	char full[64];
	const char *p = only;

	if (!only || !*only)
		return true;
	snprintf(full, sizeof(full), "%s-%s", workloads[wl].name, m->name);
	while (*p) {
		size_t l = strcspn(p, ",");

		if ((l == strlen(full) && !strncmp(p, full, l)) ||
		    (l == strlen(m->name) && !strncmp(p, m->name, l)) ||
		    (l == strlen(workloads[wl].name) && !strncmp(p, workloads[wl].name, l)))
			return true;
		p += l;
		if (*p == ',')
			p++;
	}
	return false;
}

static int default_cpu(void)
{
	cpu_set_t set;
	int last = 0;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 0;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			last = c;
	return last;
}

/*
 * eBPF programs that others attached to the syscall tracepoints: every
 * syscall of every process pays them, so they inflate every number here.
 * Two ways in: BPF links (tp_btf, raw_tp) by id, and the descriptors of
 * every process, which also finds classic tracepoint programs attached
 * through perf events (bpftrace, BCC). Distinct program ids are counted.
 * Needs CAP_SYS_ADMIN; -1 when we cannot look.
 */
static bool is_syscall_tp(const char *tp)
{
	return !strcmp(tp, "sys_enter") || !strcmp(tp, "sys_exit");
}

static void add_prog(uint32_t *ids, int *n, int cap, uint32_t id)
{
	for (int i = 0; i < *n; i++)
		if (ids[i] == id)
			return;
	if (*n < cap)
		ids[(*n)++] = id;
}

static int count_syscall_tracers(void)
{
	uint32_t ids[256], id = 0;
	int n = 0;
	DIR *proc;
	struct dirent *pd;

	while (bpf_link_get_next_id(id, &id) == 0) {
		struct bpf_link_info info;
		uint32_t len = sizeof(info);
		char tp[64] = "";
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		info.raw_tracepoint.tp_name = (uint64_t)(uintptr_t)tp;
		info.raw_tracepoint.tp_name_len = sizeof(tp);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    info.type == BPF_LINK_TYPE_RAW_TRACEPOINT && is_syscall_tp(tp))
			add_prog(ids, &n, 256, info.prog_id);
		close(fd);
	}
	if (errno != ENOENT)
		return -1;
	proc = opendir("/proc");
	if (!proc)
		return n;
	while ((pd = readdir(proc))) {
		char path[300], link[64];
		int pid = atoi(pd->d_name);
		DIR *fds;
		struct dirent *fe;

		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((fe = readdir(fds))) {
			char tp[64] = "";
			uint32_t len = sizeof(tp), prog = 0, type = 0;
			__u64 off, addr;
			ssize_t l;

			snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, fe->d_name);
			l = readlink(path, link, sizeof(link) - 1);
			if (l <= 0)
				continue;
			link[l] = '\0';
			if (strcmp(link, "anon_inode:[perf_event]") &&
			    strcmp(link, "anon_inode:bpf_link"))
				continue;
			if (bpf_task_fd_query(pid, atoi(fe->d_name), 0, tp, &len, &prog, &type,
					      &off, &addr) == 0 &&
			    (type == BPF_FD_TYPE_TRACEPOINT ||
			     type == BPF_FD_TYPE_RAW_TRACEPOINT) &&
			    is_syscall_tp(tp))
				add_prog(ids, &n, 256, prog);
		}
		closedir(fds);
	}
	closedir(proc);
	return n;
}

static double load_average(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "re");

	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

size_t moat_bench_scenario_count(void)
{
	return W__COUNT * NMECHS;
}

int moat_bench_scenario_name(size_t i, char *buf, size_t size)
{
	if (i >= moat_bench_scenario_count())
		return -EINVAL;
	/* Mechanism-major: the two workloads of a mechanism run back to back. */
	return snprintf(buf, size, "%s-%s", workloads[i % W__COUNT].name, mechs[i / W__COUNT].name);
}

int moat_bench_run(const struct moat_bench_opts *o, struct moat_bench_report **out)
{
	struct moat_bench_report *rep;
	struct moat_features *feat = NULL;
	struct shared *sh;
	struct bench_cfg cfg;
	struct utsname u;
	libbpf_print_fn_t old;
	size_t nsel = 0;
	int err;

	for (size_t i = 0; i < NMECHS; i++)
		for (int w = 0; w < W__COUNT; w++)
			nsel += selected(o->only, w, &mechs[i]);
	if (!nsel)
		return -EINVAL;
	if (o->runs > MOAT_BENCH_MAX_RUNS)
		return -EINVAL;
	rep = calloc(1, sizeof(*rep));
	if (rep)
		rep->v = calloc(nsel, sizeof(*rep->v));
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!rep || !rep->v || sh == MAP_FAILED) {
		moat_bench_report_free(rep);
		if (sh != MAP_FAILED)
			munmap(sh, sizeof(*sh));
		return -ENOMEM;
	}
	err = moat_features_probe(&feat);
	if (err) {
		moat_bench_report_free(rep);
		munmap(sh, sizeof(*sh));
		return err;
	}
	cfg.iterations = o->iterations;
	cfg.runs = o->runs ? o->runs : o->quick ? 3 : 9;
	cfg.target_ns = o->quick ? 25000000 : 100000000;
	cfg.cpu = o->cpu >= 0 ? o->cpu : default_cpu();
	cfg.realtime = o->realtime;
	rep->realtime = o->realtime;
	rep->cpu = cfg.cpu;
	if (uname(&u) == 0)
		snprintf(rep->kernel, sizeof(rep->kernel), "%s", u.release);
	old = libbpf_set_print(silent_print);
	rep->loadavg = load_average();
	rep->other_tracers = count_syscall_tracers();
	for (size_t i = 0; i < NMECHS; i++) {
		const struct mechanism *m = &mechs[i];

		for (int w = 0; w < W__COUNT; w++) {
			struct moat_bench_result *r;
			const char *need = NULL;

			if (!selected(o->only, w, m))
				continue;
			r = &rep->v[rep->n++];
			snprintf(r->name, sizeof(r->name), "%s-%s", workloads[w].name, m->name);
			r->workload = workloads[w].name;
			r->mechanism = m->name;
			r->title = m->title;
			r->expect = m->expect;
			if (m->need && !moat_features_has(feat, m->need))
				need = m->need;
			else if (m->need2 && !moat_features_has(feat, m->need2))
				need = m->need2;
			if (need) {
				const struct moat_feature *f = moat_features_find(feat, need);

				r->skipped = true;
				snprintf(r->reason, sizeof(r->reason), "%s: %s", need,
					 f ? f->detail : "not probed");
			} else {
				run_one(r, m, w, sh, &cfg);
			}
			if (o->progress)
				o->progress(o->ctx, r);
		}
	}
	libbpf_set_print(old);
	/* Ratios to the bare run of the same workload, when it ran. */
	for (size_t i = 0; i < rep->n; i++) {
		for (size_t j = 0; j < rep->n; j++) {
			const struct moat_bench_result *b = &rep->v[j];

			if (!strcmp(b->mechanism, "bare") &&
			    !strcmp(b->workload, rep->v[i].workload) && b->ns_median > 0 &&
			    rep->v[i].ns_median > 0)
				rep->v[i].ratio = rep->v[i].ns_median / b->ns_median;
		}
	}
	moat_features_free(feat);
	munmap(sh, sizeof(*sh));
	*out = rep;
	return 0;
}

void moat_bench_report_free(struct moat_bench_report *r)
{
	if (!r)
		return;
	free(r->v);
	free(r);
}
