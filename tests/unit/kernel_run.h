/* SPDX-License-Identifier: MIT */
/*
 * Runs a cBPF program in the real kernel: installed with prctl(NO_NEW_PRIVS)
 * + seccomp(SET_MODE_FILTER) in a forked child that then calls
 * getppid(args...) (the arguments are ignored by getppid but seen by the
 * filter). The outcome is what the filter's verdict does to that call.
 * Header-only, for the unit tests.
 */
#ifndef MOAT_TEST_KERNEL_RUN_H
#define MOAT_TEST_KERNEL_RUN_H

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "moat/compile.h"
#include "testutil.h"

enum outcome_kind {
	OUT_RETURNED, /* the syscall returned: ret/err below */
	OUT_TRAPPED,  /* SIGSYS with si_errno = data */
	OUT_KILLED,   /* the process died of SIGSYS */
};

struct outcome {
	int kind;
	long ret;
	int err;
	int trap_data;
};

/* What getppid(args) does under a filter whose verdict is RET. */
static struct outcome outcome_of(uint32_t ret)
{
	uint32_t data = ret & SECCOMP_RET_DATA;
	struct outcome o = { OUT_RETURNED, 0, 0, 0 };

	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		o.ret = getpid(); /* the child's parent is this process */
		break;
	case SECCOMP_RET_ERRNO:
		/* Data 0 makes the syscall "succeed" with 0; errno is clamped to 4095. */
		if (data) {
			o.ret = -1;
			o.err = data > 4095 ? 4095 : (int)data;
		}
		break;
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_USER_NOTIF:
		/* No tracer, no listener: the syscall fails with ENOSYS. */
		o.ret = -1;
		o.err = ENOSYS;
		break;
	case SECCOMP_RET_TRAP:
		o.kind = OUT_TRAPPED;
		o.trap_data = (int)data;
		break;
	default: /* KILL_*, and unknown actions kill the process */
		o.kind = OUT_KILLED;
		break;
	}
	return o;
}

struct shared {
	int phase; /* 1: after the syscall returned */
	long ret;
	int err;
	int trapped;
	int trap_data;
	int install_err;
};

static struct shared *shm;
static sigjmp_buf trap_env;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	/* Only getppid's verdict counts; a trap on exit_group afterwards just ends the child. */
	if (shm->phase || shm->trapped)
		__builtin_trap();
	shm->trapped = 1;
	shm->trap_data = si->si_errno;
	/* No rt_sigreturn: the filter may refuse it. savemask 0: no syscall either. */
	siglongjmp(trap_env, 1);
}

/*
 * Installs PROG in a forked child and calls getppid with ARGS there. The
 * filter applies to every later syscall of the child, so the child reports
 * through shared memory and ends with a trap if exit_group is refused.
 * Returns -errno of seccomp() when the kernel refused the filter.
 */
static int kernel_run(const struct moat_prog *prog, const uint64_t args[6], struct outcome *o)
{
	struct sock_fprog fprog = { (unsigned short)prog->len, (struct sock_filter *)prog->insns };
	int status;

	memset(shm, 0, sizeof(*shm));
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
		struct rlimit nocore = { 0, 0 };

		/* No core files from the deaths below; cmocka's SIGILL handler must not run here. */
		setrlimit(RLIMIT_CORE, &nocore);
		signal(SIGILL, SIG_DFL);
		sigaction(SIGSYS, &sa, NULL);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(120);
		if (sigsetjmp(trap_env, 0) == 0) {
			if (syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog)) {
				shm->install_err = errno;
				_exit(0);
			}
			long r = syscall(__NR_getppid, args[0], args[1], args[2], args[3], args[4],
					 args[5]);
			shm->err = r < 0 ? errno : 0;
			shm->ret = r;
			shm->phase = 1;
		}
		syscall(__NR_exit_group, 0);
		__builtin_trap();
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 120)
		fail_msg("prctl(PR_SET_NO_NEW_PRIVS) failed");
	if (shm->install_err)
		return -shm->install_err;
	memset(o, 0, sizeof(*o));
	if (shm->phase) {
		o->kind = OUT_RETURNED;
		o->ret = shm->ret;
		o->err = shm->err;
	} else if (shm->trapped) {
		o->kind = OUT_TRAPPED;
		o->trap_data = shm->trap_data;
	} else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) {
		o->kind = OUT_KILLED;
	} else {
		fail_msg("child ended with status 0x%x and no outcome", status);
	}
	return 0;
}

static bool outcome_equal(const struct outcome *a, const struct outcome *b)
{
	return a->kind == b->kind && a->ret == b->ret && a->err == b->err &&
	       a->trap_data == b->trap_data;
}

static int setup_shm(void **state)
{
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return shm == MAP_FAILED ? -1 : 0;
}

static int teardown_shm(void **state)
{
	munmap(shm, sizeof(*shm));
	return 0;
}

#endif
