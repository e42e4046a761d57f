// SPDX-License-Identifier: MIT
/*
 * A deterministic mix of system calls, some failing, from two threads and a
 * child process: `moat trace`'s counts are compared with strace -f -c's.
 * With a path argument, also opens that path (for string decoding tests).
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int done[2];

static void *thread_main(void *arg)
{
	for (int i = 0; i < 5; i++)
		syscall(__NR_getpid);
	/*
	 * Fixed counts: pthread_join waits on a futex only when it wins the
	 * race with the thread's exit, and glibc's thread exit path (signal
	 * mask, madvise) races with the process's exit_group. So the thread
	 * reports through a pipe and leaves with the raw exit syscall.
	 */
	if (write(done[1], "", 1) != 1)
		_exit(1);
	syscall(__NR_exit, 0);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_attr_t attr;
	pthread_t th;
	pid_t child;
	char c;
	int fd;

	for (int i = 0; i < 100; i++)
		syscall(__NR_getppid);
	for (int i = 0; i < 10; i++)
		open("/nonexistent/moat-test", O_RDONLY); /* ENOENT */
	fd = open("/dev/null", O_WRONLY);
	for (int i = 0; i < 20; i++)
		if (write(fd, "x", 1) != 1)
			return 1;
	close(fd);
	if (argc > 1)
		close(open(argv[1], O_RDONLY | O_CLOEXEC));
	if (pipe(done) || pthread_attr_init(&attr) ||
	    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) ||
	    pthread_create(&th, &attr, thread_main, NULL) || read(done[0], &c, 1) != 1)
		return 1;
	child = fork();
	if (child == 0) {
		for (int i = 0; i < 7; i++)
			syscall(__NR_getuid);
		_exit(0);
	}
	waitpid(child, NULL, 0);
	return 0;
}
