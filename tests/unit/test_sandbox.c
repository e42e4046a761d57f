// SPDX-License-Identifier: MIT
/*
 * moat_sandbox on the real kernel: hand-written filters (the same shape
 * moat_compile emits: arch check, x32 check, one jeq per rule, rets with an
 * origin table) installed in real children running tests/helpers/
 * sandbox_probe, whose output says what the kernel answered.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "moat/sandbox.h"
#include "testutil.h"

#define MAX_RULES 8
#define MAX_EVENTS 64

static char probe[4096];

struct trule {
	const char *syscall;
	struct moat_action action;
};

struct tfilter {
	struct moat_policy *policy;
	struct moat_prog prog;
	struct moat_insn insns[8 + 2 * MAX_RULES];
	struct moat_origin origin[8 + 2 * MAX_RULES];
};

static void emit(struct tfilter *f, size_t *pc, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k,
		 struct moat_origin o)
{
	f->insns[*pc] = (struct moat_insn){ code, jt, jf, k };
	f->origin[*pc] = o;
	(*pc)++;
}

static uint32_t routed(struct moat_action a, uint32_t mask)
{
	return (mask & (1u << a.kind)) ? SECCOMP_RET_USER_NOTIF : moat_action_ret(a);
}

/*
 * ld arch; jeq x86_64 else badarch; ld nr; jge x32 bit -> x32;
 * jeq nr_i -> ret_i ...; ret default; ret_i...; ret x32; ret badarch.
 */
static void tfilter_build(struct tfilter *f, const struct trule *rules, size_t n,
			  enum moat_run_mode mode)
{
	const struct moat_origin none = { MOAT_ORIGIN_NONE, 0 };
	uint32_t mask = moat_sandbox_notify_mask(mode);
	size_t pc = 0;
	size_t ret_default = 4 + n, ret_x32 = 5 + 2 * n, ret_badarch = 6 + 2 * n;

	memset(f, 0, sizeof(*f));
	f->policy = moat_policy_new();
	assert_non_null(f->policy);
	f->policy->default_action = (struct moat_action){ MOAT_ACT_ALLOW, 0 };
	f->policy->badarch_action = (struct moat_action){ MOAT_ACT_KILL_PROCESS, 0 };
	f->policy->badarch_loc =
		(struct moat_loc){ moat_policy_intern_file(f->policy, "t.moat"), 1, 1 };
	for (size_t i = 0; i < n; i++) {
		struct moat_loc loc = { "t.moat", (uint32_t)(10 + i), 1 };

		assert_int_equal(moat_policy_add_rule(f->policy, rules[i].syscall, rules[i].action,
						      NULL, 0, loc, NULL),
				 0);
	}
	emit(f, &pc, BPF_LD | BPF_W | BPF_ABS, 0, 0, 4, none);
	emit(f, &pc, BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t)(ret_badarch - 2), AUDIT_ARCH_X86_64,
	     none);
	emit(f, &pc, BPF_LD | BPF_W | BPF_ABS, 0, 0, 0, none);
	emit(f, &pc, BPF_JMP | BPF_JGE | BPF_K, (uint8_t)(ret_x32 - 4), 0, 0x40000000u, none);
	for (size_t i = 0; i < n; i++) {
		int64_t nr = moat_syscall_nr(MOAT_ARCH_X86_64, rules[i].syscall);

		assert_true(nr >= 0);
		emit(f, &pc, BPF_JMP | BPF_JEQ | BPF_K, (uint8_t)(5 + n + i - pc - 1), 0,
		     (uint32_t)nr, none);
	}
	emit(f, &pc, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW,
	     (struct moat_origin){ MOAT_ORIGIN_DEFAULT, 0 });
	assert_int_equal(pc, ret_default + 1);
	for (size_t i = 0; i < n; i++)
		emit(f, &pc, BPF_RET | BPF_K, 0, 0, routed(rules[i].action, mask),
		     (struct moat_origin){ MOAT_ORIGIN_RULE, (uint32_t)i });
	emit(f, &pc, BPF_RET | BPF_K, 0, 0, routed(f->policy->badarch_action, mask),
	     (struct moat_origin){ MOAT_ORIGIN_X32, 0 });
	emit(f, &pc, BPF_RET | BPF_K, 0, 0, routed(f->policy->badarch_action, mask),
	     (struct moat_origin){ MOAT_ORIGIN_BADARCH, 0 });
	f->prog.insns = f->insns;
	f->prog.origin = f->origin;
	f->prog.len = pc;
}

struct tevent {
	pid_t pid, tgid;
	char comm[16];
	uint32_t arch;
	char syscall[32];
	struct moat_origin origin;
	uint32_t line;
	uint32_t answer;
	int error;
	bool would_deny;
	char str0[64];
	uint64_t seq;
};

struct trun {
	int spawn_r;
	int wstatus;
	enum moat_spawn_stage stage;
	int err;
	size_t nev;
	struct tevent ev[MAX_EVENTS];
	struct moat_sandbox_stats stats;
	char out[8192];
};

static void collect(const struct moat_violation *v, void *ctx)
{
	struct trun *r = ctx;
	struct tevent *e;

	if (r->nev >= MAX_EVENTS)
		return;
	e = &r->ev[r->nev++];
	e->pid = v->pid;
	e->tgid = v->tgid;
	memcpy(e->comm, v->comm, sizeof(e->comm));
	e->arch = v->arch;
	snprintf(e->syscall, sizeof(e->syscall), "%s", v->syscall ? v->syscall : "?");
	e->origin = v->origin;
	e->line = v->loc ? v->loc->line : 0;
	e->answer = v->answer;
	e->error = v->error;
	e->would_deny = v->would_deny;
	e->seq = v->seq;
	if (v->str[0].present && !v->str[0].err)
		snprintf(e->str0, sizeof(e->str0), "%.*s", (int)v->str[0].len, v->str[0].data);
}

/* Runs the probe with ARGS under F in MODE; stdout goes to r->out. */
static void run_probe(struct tfilter *f, enum moat_run_mode mode, const char *const *args,
		      struct trun *r)
{
	char *argv[16];
	char tmpl[] = "/tmp/moat-test-out-XXXXXX";
	struct moat_sandbox_opts opts = { .prog = &f->prog, .policy = f->policy, .mode = mode };
	struct moat_sandbox *sb;
	int out, saved;
	size_t n = 0;
	ssize_t len;

	memset(r, 0, sizeof(*r));
	argv[n++] = probe;
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;

	out = mkstemp(tmpl);
	assert_true(out >= 0);
	unlink(tmpl);
	saved = dup(1);
	fflush(stdout);
	dup2(out, 1);
	sb = moat_sandbox_new(&opts);
	assert_non_null(sb);
	r->spawn_r = moat_sandbox_spawn(sb, argv, NULL);
	/* spawn took a private fd table: restoring stdout no longer reaches the child. */
	dup2(saved, 1);
	close(saved);
	if (r->spawn_r == 0)
		assert_int_equal(moat_sandbox_supervise(sb, collect, r, &r->wstatus), 0);
	r->stage = moat_sandbox_failure(sb, &r->err);
	moat_sandbox_stats(sb, &r->stats);
	moat_sandbox_free(sb);
	len = pread(out, r->out, sizeof(r->out) - 1, 0);
	r->out[len > 0 ? len : 0] = 0;
	close(out);
}

static void tfilter_free(struct tfilter *f)
{
	moat_policy_free(f->policy);
}

static bool has_line(const char *out, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = out; (p = strstr(p, line)); p += n)
		if ((p == out || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return true;
	return false;
}

static int exit_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const struct trule deny_getppid[] = {
	{ "getppid", { MOAT_ACT_ERRNO, EACCES } },
	{ "io_uring_setup", { MOAT_ACT_ERRNO, EPERM } },
	{ "clone3", { MOAT_ACT_ERRNO, ENOSYS } },
};

static void test_allowed_syscalls_work(void **state)
{
	struct tfilter f;
	struct trun r;
	const char *args[] = { "getpid", "open:/etc/hostname", "nnp", NULL };

	(void)state;
	tfilter_build(&f, deny_getppid, 3, MOAT_RUN_ENFORCE);
	run_probe(&f, MOAT_RUN_ENFORCE, args, &r);
	assert_int_equal(r.spawn_r, 0);
	assert_int_equal(exit_code(r.wstatus), 0);
	assert_true(has_line(r.out, "getpid=ok"));
	assert_true(has_line(r.out, "open=ok"));
	assert_true(has_line(r.out, "nnp=1"));
	assert_int_equal(r.nev, 0);
	tfilter_free(&f);
}

static void test_enforce_denies_and_reports(void **state)
{
	struct tfilter f;
	struct trun r;
	const char *args[] = { "getppid", "getpid", NULL };

	(void)state;
	tfilter_build(&f, deny_getppid, 3, MOAT_RUN_ENFORCE);
	run_probe(&f, MOAT_RUN_ENFORCE, args, &r);
	assert_int_equal(exit_code(r.wstatus), 0);
	assert_true(has_line(r.out, "getppid=EACCES"));
	assert_true(has_line(r.out, "getpid=ok"));
	assert_int_equal(r.nev, 1);
	assert_string_equal(r.ev[0].syscall, "getppid");
	assert_string_equal(r.ev[0].comm, "sandbox_probe");
	assert_int_equal(r.ev[0].origin.kind, MOAT_ORIGIN_RULE);
	assert_int_equal(r.ev[0].origin.rule, 0);
	assert_int_equal(r.ev[0].line, 10);
	assert_int_equal(r.ev[0].answer, MOAT_ANSWER_ERRNO);
	assert_int_equal(r.ev[0].error, EACCES);
	assert_int_equal(r.ev[0].pid, r.ev[0].tgid);
	assert_int_equal(r.ev[0].seq, 1);
	assert_int_equal(r.stats.lost, 0);
	tfilter_free(&f);
}

static void test_complain_continues(void **state)
{
	struct tfilter f;
	struct trun r;
	const char *args[] = { "getppid", NULL };

	(void)state;
	tfilter_build(&f, deny_getppid, 3, MOAT_RUN_COMPLAIN);
	run_probe(&f, MOAT_RUN_COMPLAIN, args, &r);
	assert_int_equal(exit_code(r.wstatus), 0);
	assert_true(has_line(r.out, "getppid=ok"));
	assert_int_equal(r.nev, 1);
	assert_int_equal(r.ev[0].answer, MOAT_ANSWER_CONTINUE);
	assert_true(r.ev[0].would_deny);
	tfilter_free(&f);
}

static void test_kill_mode_kills(void **state)
{
	struct tfilter f;
	struct trun r;
	const char *args[] = { "getpid", "getppid", "getpid", NULL };

	(void)state;
	tfilter_build(&f, deny_getppid, 3, MOAT_RUN_KILL);
	run_probe(&f, MOAT_RUN_KILL, args, &r);
	assert_true(WIFSIGNALED(r.wstatus));
	assert_int_equal(WTERMSIG(r.wstatus), SIGKILL);
	assert_true(has_line(r.out, "getpid=ok"));
	assert_false(strstr(r.out, "getppid="));
	assert_int_equal(r.nev, 1);
	assert_int_equal(r.ev[0].answer, MOAT_ANSWER_KILLED);
	tfilter_free(&f);
}

static void test_all_threads_covered(void **state)
{
	struct tfilter f;
	struct trun r;
	const char *args[] = { "threads:4", NULL };
	int tids = 0;

	(void)state;
	tfilter_build(&f, deny_getppid, 3, MOAT_RUN_ENFORCE);
	run_probe(&f, MOAT_RUN_ENFORCE, args, &r);
	assert_int_equal(exit_code(r.wstatus), 0);
	/* glibc tries clone3 for each thread: answered ENOSYS, it falls back to clone. */
	for (const char *p = r.out; (p = strstr(p, "thread-getppid=EACCES")); p++)
		tids++;
	assert_int_equal(tids, 4);
	tids = 0;
	for (size_t i = 0; i < r.nev; i++) {
		if (strcmp(r.ev[i].syscall, "getppid"))
			continue;
		tids++;
		assert_int_not_equal(r.ev[i].pid, r.ev[i].tgid); /* a thread, not the leader */
		for (size_t j = 0; j < i; j++)
			if (!strcmp(r.ev[j].syscall, "getppid"))
				assert_int_not_equal(r.ev[i].pid, r.ev[j].pid);
		if (i)
			assert_true(r.ev[i].seq > r.ev[i - 1].seq);
	}
	assert_int_equal(tids, 4);
	tfilter_free(&f);
}

static void test_fork_exec_children_covered(void **state)
{
	struct tfilter f;
	struct trun r;
	const char *args[] = { "fork-getppid", "forkexec-getppid", NULL };
	pid_t first = 0;

	(void)state;
	tfilter_build(&f, deny_getppid, 3, MOAT_RUN_ENFORCE);
	run_probe(&f, MOAT_RUN_ENFORCE, args, &r);
	assert_int_equal(exit_code(r.wstatus), 0);
	assert_true(has_line(r.out, "child-getppid=EACCES"));
	assert_true(has_line(r.out, "getppid=EACCES")); /* the exec'd grandchild */
	assert_int_equal(r.nev, 2);
	for (size_t i = 0; i < r.nev; i++)
		assert_string_equal(r.ev[i].syscall, "getppid");
	first = r.ev[0].pid;
	assert_int_not_equal(first, r.ev[1].pid);
	tfilter_free(&f);
}

static void test_escape_attempts_fail(void **state)
{
	struct tfilter f;
	struct trun r;
	const char *x32[] = { "x32-getpid", NULL };
	const char *int80[] = { "int80-getppid", NULL };
	const char *uring[] = { "io_uring_setup", "clone3", NULL };

	(void)state;
	tfilter_build(&f, deny_getppid, 3, MOAT_RUN_ENFORCE);

	/* x32 number: the x32 check decides (badarch = kill), reported as x32. */
	run_probe(&f, MOAT_RUN_ENFORCE, x32, &r);
	assert_true(WIFSIGNALED(r.wstatus));
	assert_false(strstr(r.out, "x32-getpid="));
	assert_int_equal(r.nev, 1);
	assert_int_equal(r.ev[0].arch, MOAT_ARCH_X32);
	assert_string_equal(r.ev[0].syscall, "getpid");
	assert_int_equal(r.ev[0].origin.kind, MOAT_ORIGIN_X32);
	assert_int_equal(r.ev[0].answer, MOAT_ANSWER_KILLED);

	/* int 0x80 from 64-bit code arrives as AUDIT_ARCH_I386. */
	run_probe(&f, MOAT_RUN_ENFORCE, int80, &r);
	assert_true(WIFSIGNALED(r.wstatus));
	assert_false(strstr(r.out, "int80-getppid="));
	assert_int_equal(r.nev, 1);
	assert_int_equal(r.ev[0].arch, MOAT_ARCH_I386);
	assert_string_equal(r.ev[0].syscall, "getppid");
	assert_int_equal(r.ev[0].origin.kind, MOAT_ORIGIN_BADARCH);

	run_probe(&f, MOAT_RUN_ENFORCE, uring, &r);
	assert_int_equal(exit_code(r.wstatus), 0);
	assert_true(has_line(r.out, "io_uring_setup=EPERM"));
	assert_true(has_line(r.out, "clone3=ENOSYS"));
	assert_int_equal(r.nev, 2);
	assert_string_equal(r.ev[0].syscall, "io_uring_setup");
	assert_string_equal(r.ev[1].syscall, "clone3");
	tfilter_free(&f);
}

static void test_paths_read_for_display(void **state)
{
	static const struct trule deny_mkdir[] = { { "mkdir", { MOAT_ACT_ERRNO, EPERM } } };
	struct tfilter f;
	struct trun r;
	const char *args[] = { "mkdir:/tmp/moat-test-denied-dir", NULL };

	(void)state;
	rmdir("/tmp/moat-test-denied-dir");
	tfilter_build(&f, deny_mkdir, 1, MOAT_RUN_ENFORCE);
	run_probe(&f, MOAT_RUN_ENFORCE, args, &r);
	assert_true(has_line(r.out, "mkdir=EPERM"));
	assert_int_equal(r.nev, 1);
	assert_string_equal(r.ev[0].str0, "/tmp/moat-test-denied-dir");
	assert_int_equal(access("/tmp/moat-test-denied-dir", F_OK), -1);
	tfilter_free(&f);
}

/*
 * The supervisor caches origins of verdicts reached without reading
 * arguments. Here the verdict for mkdir depends on arg1: each call must be
 * attributed to its own rule, whatever came before.
 */
static void test_arg_dependent_origins_not_cached(void **state)
{
	const struct moat_origin none = { MOAT_ORIGIN_NONE, 0 };
	struct moat_cmp mode0700 = { .arg = 1, .op = MOAT_OP_EQ, .value = 0700 };
	struct moat_loc l1 = { "a.moat", 1, 1 }, l2 = { "a.moat", 2, 1 };
	uint32_t notif = SECCOMP_RET_USER_NOTIF;
	struct tfilter f;
	struct trun r;
	const char *args[] = { "mkdir:/nonexistent/a", "mkdir755:/nonexistent/b",
			       "mkdir:/nonexistent/c", "mkdir755:/nonexistent/d", NULL };
	size_t pc = 0;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.policy = moat_policy_new();
	assert_non_null(f.policy);
	f.policy->default_action = (struct moat_action){ MOAT_ACT_ALLOW, 0 };
	assert_int_equal(moat_policy_add_rule(f.policy, "mkdir",
					      (struct moat_action){ MOAT_ACT_ERRNO, EPERM },
					      &mode0700, 1, l1, NULL),
			 0);
	assert_int_equal(moat_policy_add_rule(f.policy, "mkdir",
					      (struct moat_action){ MOAT_ACT_ERRNO, EACCES }, NULL,
					      0, l2, NULL),
			 0);
	emit(&f, &pc, BPF_LD | BPF_W | BPF_ABS, 0, 0, 4, none);
	emit(&f, &pc, BPF_JMP | BPF_JEQ | BPF_K, 0, 7, AUDIT_ARCH_X86_64, none);
	emit(&f, &pc, BPF_LD | BPF_W | BPF_ABS, 0, 0, 0, none);
	emit(&f, &pc, BPF_JMP | BPF_JEQ | BPF_K, 0, 4,
	     (uint32_t)moat_syscall_nr(MOAT_ARCH_X86_64, "mkdir"), none);
	emit(&f, &pc, BPF_LD | BPF_W | BPF_ABS, 0, 0, 24, none); /* args[1], low word */
	emit(&f, &pc, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0700, none);
	emit(&f, &pc, BPF_RET | BPF_K, 0, 0, notif, (struct moat_origin){ MOAT_ORIGIN_RULE, 0 });
	emit(&f, &pc, BPF_RET | BPF_K, 0, 0, notif, (struct moat_origin){ MOAT_ORIGIN_RULE, 1 });
	emit(&f, &pc, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW,
	     (struct moat_origin){ MOAT_ORIGIN_DEFAULT, 0 });
	emit(&f, &pc, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS,
	     (struct moat_origin){ MOAT_ORIGIN_BADARCH, 0 });
	f.prog.insns = f.insns;
	f.prog.origin = f.origin;
	f.prog.len = pc;

	run_probe(&f, MOAT_RUN_ENFORCE, args, &r);
	assert_int_equal(exit_code(r.wstatus), 0);
	assert_string_equal(r.out, "mkdir=EPERM\nmkdir755=EACCES\nmkdir=EPERM\nmkdir755=EACCES\n");
	assert_int_equal(r.nev, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(r.ev[i].origin.kind, MOAT_ORIGIN_RULE);
		assert_int_equal(r.ev[i].origin.rule, i % 2);
		assert_int_equal(r.ev[i].line, 1 + i % 2);
		assert_int_equal(r.ev[i].error, i % 2 ? EACCES : EPERM);
	}
	tfilter_free(&f);
}

static void test_listener_not_leaked_to_command(void **state)
{
	struct tfilter f;
	struct trun r;
	const char *args[] = { "listener-fd", NULL };

	(void)state;
	tfilter_build(&f, deny_getppid, 3, MOAT_RUN_ENFORCE);
	run_probe(&f, MOAT_RUN_ENFORCE, args, &r);
	assert_true(has_line(r.out, "listener-fd=none"));
	tfilter_free(&f);
}

static void test_exec_denied_reported(void **state)
{
	static const struct trule deny_exec[] = { { "execve", { MOAT_ACT_ERRNO, EPERM } } };
	struct tfilter f;
	struct trun r;
	const char *args[] = { "getpid", NULL };

	(void)state;
	tfilter_build(&f, deny_exec, 1, MOAT_RUN_ENFORCE);
	run_probe(&f, MOAT_RUN_ENFORCE, args, &r);
	assert_int_equal(exit_code(r.wstatus), 126);
	assert_int_equal(r.stage, MOAT_STAGE_EXEC);
	assert_int_equal(r.err, EPERM);
	assert_int_equal(r.out[0], 0); /* the command never ran */
	assert_int_equal(r.nev, 1);
	assert_string_equal(r.ev[0].syscall, "execve");
	assert_string_equal(r.ev[0].str0, probe);
	tfilter_free(&f);
}

static void test_command_not_found(void **state)
{
	struct tfilter f;
	struct moat_sandbox_opts opts = { 0 };
	struct moat_sandbox *sb;
	char plain[] = "/tmp/moat-test-plain-XXXXXX";
	char junk[] = "/tmp/moat-test-junk-XXXXXX";
	char *nf[] = { "moat-no-such-command-xyz", NULL };
	char *nx[] = { plain, NULL };
	char *ne[] = { junk, NULL };
	int err, fd, st;

	(void)state;
	tfilter_build(&f, deny_getppid, 3, MOAT_RUN_ENFORCE);
	opts.prog = &f.prog;
	opts.policy = f.policy;

	sb = moat_sandbox_new(&opts);
	assert_int_equal(moat_sandbox_spawn(sb, nf, NULL), -ENOENT);
	assert_int_equal(moat_sandbox_failure(sb, &err), MOAT_STAGE_RESOLVE);
	assert_int_equal(err, ENOENT);
	assert_int_equal(moat_sandbox_pid(sb), 0);
	moat_sandbox_free(sb);

	/* Not executable (no x bit): found, refused before anything starts. */
	fd = mkstemp(plain);
	assert_true(fd >= 0);
	close(fd);
	chmod(plain, 0644);
	sb = moat_sandbox_new(&opts);
	assert_int_equal(moat_sandbox_spawn(sb, nx, NULL), -EACCES);
	assert_int_equal(moat_sandbox_failure(sb, &err), MOAT_STAGE_RESOLVE);
	moat_sandbox_free(sb);
	unlink(plain);

	/* Executable bits but no format: execve fails under the filter (126). */
	fd = mkstemp(junk);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x01\x02junk", 6), 6);
	close(fd);
	chmod(junk, 0755);
	sb = moat_sandbox_new(&opts);
	if (moat_sandbox_spawn(sb, ne, NULL) == 0)
		assert_int_equal(moat_sandbox_supervise(sb, NULL, NULL, &st), 0);
	assert_int_equal(moat_sandbox_failure(sb, &err), MOAT_STAGE_EXEC);
	assert_int_equal(err, ENOEXEC);
	moat_sandbox_free(sb);
	unlink(junk);
	tfilter_free(&f);
}

static void test_bad_filter_never_runs_command(void **state)
{
	struct tfilter f;
	struct moat_sandbox_opts opts = { 0 };
	struct moat_sandbox *sb;
	char dir[] = "/tmp/moat-test-never-XXXXXX";
	char action[64];
	char *argv[] = { probe, action, NULL };
	int err;

	(void)state;
	tfilter_build(&f, deny_getppid, 3, MOAT_RUN_ENFORCE);
	/* A jump past the end: the kernel refuses the program. */
	f.insns[1].jf = 200;
	opts.prog = &f.prog;
	opts.policy = f.policy;
	assert_non_null(mkdtemp(dir));
	rmdir(dir);
	snprintf(action, sizeof(action), "mkdir:%s", dir);
	sb = moat_sandbox_new(&opts);
	assert_true(moat_sandbox_spawn(sb, argv, NULL) < 0);
	assert_int_equal(moat_sandbox_failure(sb, &err), MOAT_STAGE_FILTER);
	assert_int_equal(err, EINVAL);
	moat_sandbox_free(sb);
	assert_int_equal(access(dir, F_OK), -1);
	tfilter_free(&f);
}

static void test_exit_status_and_signal(void **state)
{
	struct tfilter f;
	struct trun r;
	const char *ex[] = { "exit:42", NULL };
	const char *sig[] = { "raise:15", NULL };

	(void)state;
	tfilter_build(&f, deny_getppid, 3, MOAT_RUN_ENFORCE);
	run_probe(&f, MOAT_RUN_ENFORCE, ex, &r);
	assert_int_equal(exit_code(r.wstatus), 42);
	run_probe(&f, MOAT_RUN_ENFORCE, sig, &r);
	assert_true(WIFSIGNALED(r.wstatus));
	assert_int_equal(WTERMSIG(r.wstatus), SIGTERM);
	tfilter_free(&f);
}

static void test_modes_and_masks(void **state)
{
	enum moat_run_mode m;

	(void)state;
	assert_int_equal(moat_run_mode_parse("complain", &m), 0);
	assert_int_equal(m, MOAT_RUN_COMPLAIN);
	assert_int_equal(moat_run_mode_parse("audit", &m), -EINVAL);
	assert_string_equal(moat_run_mode_name(MOAT_RUN_KILL), "kill");
	assert_false(moat_sandbox_notify_mask(MOAT_RUN_ENFORCE) & (1u << MOAT_ACT_ALLOW));
	assert_false(moat_sandbox_notify_mask(MOAT_RUN_ENFORCE) & (1u << MOAT_ACT_TRAP));
	assert_true(moat_sandbox_notify_mask(MOAT_RUN_COMPLAIN) & (1u << MOAT_ACT_TRAP));
	assert_null(moat_sandbox_new(NULL));
	assert_int_equal(errno, EINVAL);
	moat_sandbox_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes_and_masks),
		cmocka_unit_test(test_allowed_syscalls_work),
		cmocka_unit_test(test_enforce_denies_and_reports),
		cmocka_unit_test(test_complain_continues),
		cmocka_unit_test(test_kill_mode_kills),
		cmocka_unit_test(test_all_threads_covered),
		cmocka_unit_test(test_fork_exec_children_covered),
		cmocka_unit_test(test_escape_attempts_fail),
		cmocka_unit_test(test_paths_read_for_display),
		cmocka_unit_test(test_arg_dependent_origins_not_cached),
		cmocka_unit_test(test_listener_not_leaked_to_command),
		cmocka_unit_test(test_exec_denied_reported),
		cmocka_unit_test(test_command_not_found),
		cmocka_unit_test(test_bad_filter_never_runs_command),
		cmocka_unit_test(test_exit_status_and_signal),
	};
	const char *b = getenv("MOAT_BUILD");

	/* The probe is built next to this test: $MOAT_BUILD/tests/helpers/. */
	snprintf(probe, sizeof(probe), "%s/tests/helpers/sandbox_probe", b ? b : "build");
	if (probe[0] != '/') {
		char *abs = realpath(probe, NULL);

		if (abs) {
			snprintf(probe, sizeof(probe), "%s", abs);
			free(abs);
		}
	}
	return MOAT_RUN_TESTS(tests);
}
