// SPDX-License-Identifier: MIT
/*
 * Installs its own seccomp filter (no moat involved) that answers ACTION to
 * getppid, then calls getppid. For `moat trace --seccomp` tests.
 *   seccomp_self kill_process|kill_thread|trap|trap_nohandler [mt]
 * "mt": the call is made by a second thread while the first waits.
 * Exit status: 0 when the process survives, else killed by SIGSYS.
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#endif

static volatile sig_atomic_t trapped;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	trapped = si->si_code == 1 /* SYS_SECCOMP */ && si->si_syscall == __NR_getppid;
}

static void *call(void *arg)
{
	syscall(__NR_getppid);
	return NULL;
}

int main(int argc, char **argv)
{
	unsigned int action;
	pthread_t th;

	if (argc < 2) {
		fprintf(stderr,
			"usage: seccomp_self kill_process|kill_thread|trap|trap_nohandler [mt]\n");
		return 2;
	}
	if (!strcmp(argv[1], "kill_process"))
		action = SECCOMP_RET_KILL_PROCESS;
	else if (!strcmp(argv[1], "kill_thread"))
		action = SECCOMP_RET_KILL_THREAD;
	else if (!strcmp(argv[1], "trap") || !strcmp(argv[1], "trap_nohandler"))
		action = SECCOMP_RET_TRAP | 42;
	else
		return 2;
	if (!strcmp(argv[1], "trap")) {
		struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };

		sigaction(SIGSYS, &sa, NULL);
	}
	struct sock_filter insns[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(insns) / sizeof(insns[0]), insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("seccomp");
		return 3;
	}
	if (argc > 2 && !strcmp(argv[2], "mt")) {
		if (pthread_create(&th, NULL, call, NULL))
			return 3;
		pthread_join(th, NULL);
	} else {
		call(NULL);
	}
	if (!strcmp(argv[1], "trap") && !trapped)
		return 4;
	return 0;
}
