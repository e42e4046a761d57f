// SPDX-License-Identifier: MIT
/*
 * Test target for `moat run` and the sandbox unit tests: runs the actions
 * named on its command line, in order, and prints one line per action:
 * "ACTION=ok" or "ACTION=ENAME" (the errno's name), so tests can tell what
 * the kernel answered. Escape attempts (x32, int 0x80, io_uring, clone3)
 * are made with raw syscalls or inline assembly: no multilib needed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *ename(int e)
{
	switch (e) {
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	case EACCES:
		return "EACCES";
	case ENOSYS:
		return "ENOSYS";
	case EINVAL:
		return "EINVAL";
	case EFAULT:
		return "EFAULT";
	case EEXIST:
		return "EEXIST";
	case EBADF:
		return "EBADF";
	case EAGAIN:
		return "EAGAIN";
	}
	return "E?";
}

static void result(const char *what, long r, int err)
{
	if (r < 0)
		printf("%s=%s\n", what, ename(err));
	else
		printf("%s=ok\n", what);
	fflush(stdout);
}

static void *thread_getppid(void *arg)
{
	long r = syscall(SYS_getppid);
	int e = errno;

	(void)arg;
	result("thread-getppid", r, e);
	return NULL;
}

/*
 * i386 syscall through int 0x80 from 64-bit code: the kernel sees
 * AUDIT_ARCH_I386, and takes the arguments from ebx and ecx.
 */
extern char **environ;

static long int80_3(long nr, long a, long b, long c)
{
#if defined(__x86_64__)
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c)
			 : "memory", "r8", "r9", "r10", "r11");
	return ret;
#else
	(void)nr;
	(void)a;
	(void)b;
	(void)c;
	return -ENOSYS;
#endif
}

/*
 * i386 execve("/bin/true", ["/bin/true", "i386-argv"], NULL) by int 0x80:
 * its pointers are 32-bit, so everything lives in memory below 4 GiB.
 */
static long int80_execve(void)
{
#if defined(__x86_64__)
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		       -1, 0);
	uint32_t *argv;

	if (m == MAP_FAILED)
		return -errno;
	strcpy(m, "/bin/true");
	strcpy(m + 16, "i386-argv");
	argv = (uint32_t *)(m + 64);
	argv[0] = (uint32_t)(uintptr_t)m;
	argv[1] = (uint32_t)(uintptr_t)(m + 16);
	argv[2] = 0;
	return int80_3(11, (long)(uintptr_t)m, (long)(uintptr_t)argv, 0); /* i386 execve */
#else
	return -ENOSYS;
#endif
}

static long int80(long nr)
{
	return int80_3(nr, 0, 0, 0);
}

static volatile sig_atomic_t handled;

static void on_signal(int sig)
{
	handled = sig;
}

static int run(const char *a, char **argv0)
{
	long r;

	if (!strcmp(a, "getppid")) {
		r = syscall(SYS_getppid);
		result(a, r, errno);
	} else if (!strcmp(a, "getpid")) {
		r = syscall(SYS_getpid);
		result(a, r, errno);
	} else if (!strncmp(a, "open:", 5)) {
		r = open(a + 5, O_RDONLY | O_CLOEXEC);
		result("open", r, errno);
		if (r >= 0)
			close((int)r);
	} else if (!strncmp(a, "mkdir755:", 9)) {
		r = mkdir(a + 9, 0755);
		result("mkdir755", r, errno);
	} else if (!strncmp(a, "mkdir:", 6)) {
		r = mkdir(a + 6, 0700);
		result("mkdir", r, errno);
	} else if (!strncmp(a, "threads:", 8)) {
		int n = atoi(a + 8);
		pthread_t t[64];
		int started = 0;

		for (int i = 0; i < n && i < 64; i++) {
			int e = pthread_create(&t[i], NULL, thread_getppid, NULL);

			if (e) {
				result("pthread_create", -1, e);
				break;
			}
			started++;
		}
		for (int i = 0; i < started; i++)
			pthread_join(t[i], NULL);
	} else if (!strcmp(a, "fork-getppid")) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			r = syscall(SYS_getppid);
			result("child-getppid", r, errno);
			_exit(0);
		}
		result("fork", pid, errno);
		if (pid > 0)
			waitpid(pid, &st, 0);
	} else if (!strcmp(a, "forkexec-getppid")) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			char *args[] = { argv0[0], "getppid", NULL };

			execv("/proc/self/exe", args);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, &st, 0);
	} else if (!strcmp(a, "x32-getpid")) {
		/* x32 getpid: 39 | __X32_SYSCALL_BIT. */
		r = syscall(0x40000000L | 39);
		result(a, r, errno);
	} else if (!strcmp(a, "int80-getppid")) {
		r = int80(64); /* i386 getppid */
		result(a, r < 0 && r > -4096 ? -1 : r, r < 0 ? (int)-r : 0);
	} else if (!strcmp(a, "int80-dup2")) {
		r = int80_3(63, 1, 77, 0); /* i386 dup2(1, 77) */
		result("int80-dup2", r < 0 ? -1 : r, r < 0 ? (int)-r : 0);
	} else if (!strcmp(a, "connects")) {
		/* One connect per family moat trace decodes; all fail, none waits. */
		struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(9) };
		struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(9),
					    .sin6_addr = IN6ADDR_LOOPBACK_INIT };
		struct sockaddr_un un = { .sun_family = AF_UNIX, .sun_path = "/nonexistent/moat.sock" };
		struct sockaddr_un ab = { .sun_family = AF_UNIX, .sun_path = "\0moat-abstract" };
		int fd;

		in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		connect(fd, (struct sockaddr *)&in, sizeof(in));
		close(fd);
		fd = socket(AF_INET6, SOCK_STREAM, 0);
		connect(fd, (struct sockaddr *)&in6, sizeof(in6));
		close(fd);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		connect(fd, (struct sockaddr *)&un, sizeof(un));
		/* An abstract name's length is the family and its bytes, no NUL. */
		connect(fd, (struct sockaddr *)&ab, offsetof(struct sockaddr_un, sun_path) + 14);
		close(fd);
		printf("%s=ok\n", a);
	} else if (!strcmp(a, "accepts")) {
		/* A loopback listener on an ephemeral port, a client: bind, accept4, getpeername. */
		struct sockaddr_in in = { .sin_family = AF_INET };
		struct sockaddr_in peer;
		socklen_t len = sizeof(in);
		int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), s;

		in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&in, sizeof(in)) || listen(l, 1) ||
		    getsockname(l, (struct sockaddr *)&in, &len) ||
		    connect(c, (struct sockaddr *)&in, sizeof(in))) {
			result(a, -1, errno);
			return 0;
		}
		len = sizeof(peer);
		s = accept4(l, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
		len = sizeof(peer);
		getpeername(s, (struct sockaddr *)&peer, &len);
		/* The ports the test looks for: the listener's, and the client's. */
		printf("listen=%d\n", ntohs(in.sin_port));
		len = sizeof(in);
		getsockname(c, (struct sockaddr *)&in, &len);
		printf("client=%d\n", ntohs(in.sin_port));
		close(s);
		close(c);
		close(l);
	} else if (!strcmp(a, "read-badfd")) {
		char buf[16];

		r = read(999, buf, sizeof(buf));
		result(a, r, errno);
	} else if (!strcmp(a, "execveat")) {
		/* execveat(AT_FDCWD, "/bin/true", ["/bin/true", "via-execveat"], environ, 0) */
		char *args[] = { "/bin/true", "via-execveat", NULL };

		r = syscall(SYS_execveat, AT_FDCWD, "/bin/true", args, environ, 0);
		result(a, r, errno);
	} else if (!strcmp(a, "int80-execve")) {
		r = int80_execve(); /* returns only when it failed */
		result(a, -1, (int)-r);
	} else if (!strncmp(a, "handle:", 7)) {
		/* A handler ran: its return goes through rt_sigreturn. */
		signal(atoi(a + 7), on_signal);
		raise(atoi(a + 7));
		printf("handled=%d\n", (int)handled);
	} else if (!strcmp(a, "io_uring_setup")) {
		char params[120];

		memset(params, 0, sizeof(params));
		r = syscall(SYS_io_uring_setup, 4, params);
		result(a, r, errno);
		if (r >= 0)
			close((int)r);
	} else if (!strcmp(a, "clone3")) {
		struct clone_args ca;

		memset(&ca, 0, sizeof(ca));
		ca.exit_signal = SIGCHLD;
		r = syscall(SYS_clone3, &ca, sizeof(ca));
		if (r == 0)
			_exit(0);
		result(a, r, errno);
		if (r > 0)
			waitpid((pid_t)r, NULL, 0);
	} else if (!strncmp(a, "sleep-ms:", 9)) {
		long ms = atol(a + 9);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	} else if (!strcmp(a, "ready")) {
		printf("ready\n");
	} else if (!strncmp(a, "wait-file:", 10)) {
		/* Bounded wait (10 s) for a file the test creates: a sync point, not a timing. */
		struct timespec ts = { 0, 10 * 1000000L };

		for (int i = 0; i < 1000 && access(a + 10, F_OK) < 0; i++)
			nanosleep(&ts, NULL);
		printf("%s\n", access(a + 10, F_OK) ? "wait-file=timeout" : "wait-file=ok");
	} else if (!strcmp(a, "euid")) {
		printf("euid=%d\n", (int)geteuid());
	} else if (!strcmp(a, "nnp")) {
		/* PR_GET_NO_NEW_PRIVS = 39 */
		printf("nnp=%ld\n", syscall(SYS_prctl, 39, 0, 0, 0, 0));
	} else if (!strcmp(a, "listener-fd")) {
		/* Does this process hold a seccomp listener (it must not)? */
		DIR *d = opendir("/proc/self/fd");
		struct dirent *e;
		int found = 0;

		while (d && (e = readdir(d))) {
			char p[300], t[256];
			ssize_t n;

			snprintf(p, sizeof(p), "/proc/self/fd/%s", e->d_name);
			n = readlink(p, t, sizeof(t) - 1);
			if (n > 0) {
				t[n] = 0;
				if (strstr(t, "seccomp"))
					found = 1;
			}
		}
		if (d)
			closedir(d);
		printf("listener-fd=%s\n", found ? "present" : "none");
	} else if (!strcmp(a, "wait-usr1")) {
		sigset_t set;
		int sig;

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		printf("ready\n");
		fflush(stdout);
		sigwait(&set, &sig);
		printf("got-usr1\n");
	} else if (!strncmp(a, "exit:", 5)) {
		fflush(stdout);
		_exit(atoi(a + 5));
	} else if (!strncmp(a, "raise:", 6)) {
		fflush(stdout);
		signal(atoi(a + 6), SIG_DFL);
		raise(atoi(a + 6));
	} else {
		fprintf(stderr, "sandbox_probe: unknown action '%s'\n", a);
		return 2;
	}
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++)
		if (run(argv[i], argv))
			return 2;
	return 0;
}
