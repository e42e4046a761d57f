// SPDX-License-Identifier: MIT
/* A child that waits, between fork and execve, until its tracer is ready. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "moat/spawn.h"

extern char **environ;

struct moat_spawn {
	pid_t pid;
	int gate;   /* write end: one byte releases the child */
	int status; /* read end: EOF on a successful exec, else the child's errno */
	bool reaped;
};

/* access(X_OK) says yes to root for any file with an x bit; also want a regular file. */
static bool executable(const char *path, const struct stat *st)
{
	return S_ISREG(st->st_mode) && (st->st_mode & 0111) && !access(path, X_OK);
}

/* execvp's search, done in the parent so the child's only syscall is execve. */
static int resolve(const char *cmd, char *out, size_t size)
{
	const char *path = getenv("PATH");
	int err = -ENOENT;

	if (strchr(cmd, '/')) {
		struct stat st;

		if ((size_t)snprintf(out, size, "%s", cmd) >= size)
			return -ENAMETOOLONG;
		if (stat(out, &st))
			return -errno;
		return executable(out, &st) ? 0 : -EACCES;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *colon = strchrnul(path, ':');
		int len = colon - path;
		struct stat st;

		if (snprintf(out, size, "%.*s%s%s", len, len ? path : ".", "/", cmd) < (int)size &&
		    !stat(out, &st) && S_ISREG(st.st_mode)) {
			if (executable(out, &st))
				return 0;
			err = -EACCES; /* keep looking; report EACCES if nothing better */
		}
		path = *colon ? colon + 1 : colon;
	}
	return err;
}

int moat_spawn_new(char *const argv[], struct moat_spawn **out)
{
	char path[PATH_MAX];
	int gate[2], status[2];
	struct moat_spawn *s;
	sigset_t none;
	int err;

	if (!argv || !argv[0] || !argv[0][0])
		return -EINVAL;
	err = resolve(argv[0], path, sizeof(path));
	if (err)
		return err;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	if (pipe2(gate, O_CLOEXEC)) {
		err = -errno;
		free(s);
		return err;
	}
	if (pipe2(status, O_CLOEXEC)) {
		err = -errno;
		close(gate[0]);
		close(gate[1]);
		free(s);
		return err;
	}
	s->pid = fork();
	if (s->pid < 0) {
		err = -errno;
		close(gate[0]);
		close(gate[1]);
		close(status[0]);
		close(status[1]);
		free(s);
		return err;
	}
	if (s->pid == 0) {
		char c;

		/*
		 * Everything the child needs is done before it blocks: once
		 * released, its next syscall is execve and all it does after is
		 * the program's. The pipes are O_CLOEXEC, so exec closes them.
		 */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (read(gate[0], &c, 1) != 1)
			_exit(127); /* the tracer gave up */
		execve(path, argv, environ);
		err = errno;
		if (write(status[1], &err, sizeof(err)) < 0) {
			/* nothing left to report to */
		}
		_exit(127);
	}
	close(gate[0]);
	close(status[1]);
	s->gate = gate[1];
	s->status = status[0];
	*out = s;
	return 0;
}

pid_t moat_spawn_pid(const struct moat_spawn *s)
{
	return s->pid;
}

int moat_spawn_release(struct moat_spawn *s)
{
	ssize_t n;
	int err = 0;
	char c = 1;

	if (s->gate < 0)
		return -EALREADY;
	n = write(s->gate, &c, 1);
	close(s->gate);
	s->gate = -1;
	if (n != 1)
		return -EPIPE;
	do
		n = read(s->status, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(s->status);
	s->status = -1;
	if (n == 0)
		return 0; /* closed by a successful execve */
	if (n != sizeof(err) || err <= 0)
		err = EIO;
	while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
		;
	s->reaped = true;
	return -err;
}

int moat_spawn_wait(struct moat_spawn *s, int *status, int options)
{
	pid_t r;
	int st;

	if (s->reaped)
		return -ECHILD;
	r = waitpid(s->pid, &st, options);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -EAGAIN;
	s->reaped = true;
	*status = st;
	return 0;
}

void moat_spawn_free(struct moat_spawn *s)
{
	if (!s)
		return;
	if (s->gate >= 0)
		close(s->gate);
	if (s->status >= 0)
		close(s->status);
	if (!s->reaped) {
		kill(s->pid, SIGKILL);
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(s);
}
