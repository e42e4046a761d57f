// SPDX-License-Identifier: MIT
/*
 * A deterministic program for moat record's tests: a known number of each
 * syscall, across a forked child, a thread and (on x86_64) the i386 ABI
 * through int 0x80. Raw syscall() everywhere: libc may not make a syscall
 * for every call (caching, vDSO).
 *
 *   rec_syscalls [--compat] [--no-thread]    exit 0 when every call behaved
 *
 * Whether pthread_join has to wait (a futex call) depends on scheduling:
 * --no-thread leaves the thread out where the same calls are needed in
 * every run (running under a recorded policy).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_GETPPID 1000
#define N_CHILD_GETPPID 100
#define N_THREAD_GETTID 50
#define N_PRCTL 5
#define N_COMPAT_GETPPID 7

static void *thread_main(void *arg)
{
	for (int i = 0; i < N_THREAD_GETTID; i++)
		syscall(SYS_gettid);
	return arg;
}

#if defined(__x86_64__)
/* i386 getppid (64) through int 0x80: the kernel runs it as a compat syscall. */
static long compat_getppid(void)
{
	long ret = 64;

	__asm__ volatile("int $0x80" : "+a"(ret) : : "memory", "r8", "r9", "r10", "r11");
	return ret;
}
#endif

int main(int argc, char **argv)
{
	int compat = 0, thread = 1;
	int fds[2], n, status, bad = 0;
	pthread_t t;
	pid_t child;

	for (int i = 1; i < argc; i++) {
		compat |= !strcmp(argv[i], "--compat");
		thread &= !!strcmp(argv[i], "--no-thread");
	}
	for (int i = 0; i < N_GETPPID; i++)
		syscall(SYS_getppid);
	for (int i = 0; i < N_PRCTL; i++)
		syscall(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0);
	for (int i = 0; i < 3; i++) {
		int s = syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		bad |= s < 0;
		syscall(SYS_close, s);
	}
	n = syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	bad |= n < 0;
	syscall(SYS_close, n);
	bad |= syscall(SYS_pipe2, fds, O_CLOEXEC) != 0;
	for (int i = 0; i < 4; i++)
		bad |= syscall(SYS_ioctl, fds[0], FIONREAD, &n) != 0;
	for (int i = 0; i < 2; i++)
		bad |= syscall(SYS_fcntl, fds[1], F_GETFD) != FD_CLOEXEC;
	syscall(SYS_close, fds[0]);
	syscall(SYS_close, fds[1]);
#if defined(__x86_64__)
	if (compat)
		for (int i = 0; i < N_COMPAT_GETPPID; i++)
			bad |= compat_getppid() != getppid();
#endif
	child = fork();
	if (child == 0) {
		for (int i = 0; i < N_CHILD_GETPPID; i++)
			syscall(SYS_getppid);
		_exit(0);
	}
	bad |= child < 0 || waitpid(child, &status, 0) != child || status != 0;
	if (thread) {
		bad |= pthread_create(&t, NULL, thread_main, NULL) != 0;
		bad |= pthread_join(t, NULL) != 0;
	}
	return bad;
}
