// SPDX-License-Identifier: MIT
/*
 * Starting a command under a seccomp filter: fork (with a shared fd table),
 * no_new_privs, filter install, exec; failures of any step reported with
 * the step's name so that the command never runs unfiltered.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/internal.h"

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

extern char **environ;

#define STRING_MAX_DEFAULT 256
#define STRING_MAX_LIMIT 65536

int moat_run_mode_parse(const char *s, enum moat_run_mode *out)
{
	static const char *const names[] = { "enforce", "complain", "kill" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (s && !strcmp(s, names[i])) {
			*out = (enum moat_run_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *moat_run_mode_name(enum moat_run_mode mode)
{
	switch (mode) {
	case MOAT_RUN_ENFORCE:
		return "enforce";
	case MOAT_RUN_COMPLAIN:
		return "complain";
	case MOAT_RUN_KILL:
		return "kill";
	}
	return "?";
}

uint32_t moat_sandbox_notify_mask(enum moat_run_mode mode)
{
	uint32_t deny = (1u << MOAT_ACT_KILL_PROCESS) | (1u << MOAT_ACT_KILL_THREAD) |
			(1u << MOAT_ACT_ERRNO) | (1u << MOAT_ACT_NOTIFY) | (1u << MOAT_ACT_LOG);

	/*
	 * enforce leaves trap to the kernel: a SIGSYS carrying the syscall is
	 * what a trap rule asks for and user space cannot forge it. trace
	 * without a tracer is the kernel's ENOSYS, also left alone.
	 */
	if (mode == MOAT_RUN_ENFORCE)
		return deny;
	return deny | (1u << MOAT_ACT_TRAP) | (1u << MOAT_ACT_TRACE);
}

const char *moat_spawn_stage_name(enum moat_spawn_stage stage)
{
	switch (stage) {
	case MOAT_STAGE_NONE:
		return "none";
	case MOAT_STAGE_RESOLVE:
		return "finding the command";
	case MOAT_STAGE_SETUP:
		return "preparing the sandbox";
	case MOAT_STAGE_CLONE:
		return "creating the child process";
	case MOAT_STAGE_NNP:
		return "setting no_new_privs";
	case MOAT_STAGE_FILTER:
		return "installing the seccomp filter";
	case MOAT_STAGE_EXEC:
		return "executing the command";
	}
	return "?";
}

bool moat_prog_needs_listener(const struct moat_prog *prog)
{
	for (size_t i = 0; prog && i < prog->len; i++) {
		const struct moat_insn *in = &prog->insns[i];

		if (in->code == (BPF_RET | BPF_K) &&
		    (in->k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
			return true;
	}
	return false;
}

void sandbox_forwarded_set(sigset_t *set)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };

	sigemptyset(set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(set, sigs[i]);
}

struct moat_sandbox *moat_sandbox_new(const struct moat_sandbox_opts *opts)
{
	struct moat_sandbox *sb;
	size_t smax;

	if (!opts || !opts->prog || !opts->prog->insns || opts->prog->len == 0 ||
	    opts->prog->len > BPF_MAXINSNS || opts->mode > MOAT_RUN_KILL ||
	    opts->string_max > STRING_MAX_LIMIT) {
		errno = EINVAL;
		return NULL;
	}
	sb = calloc(1, sizeof(*sb));
	if (!sb) {
		errno = ENOMEM;
		return NULL;
	}
	sb->opts = *opts;
	smax = opts->string_max ? opts->string_max : STRING_MAX_DEFAULT;
	sb->opts.string_max = smax;
	sb->strbuf = malloc(6 * (smax + 1));
	sb->origin_cache = calloc(SANDBOX_ORIGIN_CACHE, sizeof(*sb->origin_cache));
	if (!sb->strbuf || !sb->origin_cache) {
		free(sb->strbuf);
		free(sb->origin_cache);
		free(sb);
		errno = ENOMEM;
		return NULL;
	}
	sb->needs_listener = moat_prog_needs_listener(opts->prog);
	sb->pidfd = sb->listener = sb->sigfd = -1;
	for (unsigned int i = 0; i < SANDBOX_TASK_CACHE; i++)
		sb->tasks[i].comm_fd = -1;
	sb->shared = MAP_FAILED;
	return sb;
}

void moat_sandbox_free(struct moat_sandbox *sb)
{
	if (!sb)
		return;
	if (sb->pid > 0 && !sb->exited) {
		/* Never leave a command running that nobody supervises. */
		kill(sb->pid, SIGKILL);
		waitpid(sb->pid, NULL, 0);
	}
	sandbox_task_cache_clear(sb);
	if (sb->listener >= 0)
		close(sb->listener);
	if (sb->pidfd >= 0)
		close(sb->pidfd);
	if (sb->sigfd >= 0)
		close(sb->sigfd);
	if (sb->mask_changed)
		sigprocmask(SIG_SETMASK, &sb->oldmask, NULL);
	if (sb->shared != MAP_FAILED)
		munmap(sb->shared, sizeof(*sb->shared));
	free(sb->strbuf);
	free(sb->origin_cache);
	free(sb);
}

pid_t moat_sandbox_pid(const struct moat_sandbox *sb)
{
	return sb->pid;
}

enum moat_spawn_stage moat_sandbox_failure(const struct moat_sandbox *sb, int *err)
{
	if (err)
		*err = sb->fail_err;
	return (enum moat_spawn_stage)sb->fail_stage;
}

void moat_sandbox_stats(const struct moat_sandbox *sb, struct moat_sandbox_stats *out)
{
	*out = sb->stats;
}

static int fail(struct moat_sandbox *sb, int stage, int err)
{
	sb->fail_stage = stage;
	sb->fail_err = err;
	return -err;
}

/* 0 when PATH names an executable regular file, else -ENOENT / -EACCES. */
static int check_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
	if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0)
		return -EACCES;
	return 0;
}

/*
 * execvp's search, done in moat before anything is started so that "not
 * found" (127) and "not executable" (126) need no child at all.
 */
static int resolve_command(const char *name, char **out)
{
	const char *path, *p;
	bool denied = false;
	char *buf;
	size_t nlen = strlen(name);
	int r;

	if (!*name)
		return -ENOENT;
	if (strchr(name, '/')) {
		r = check_executable(name);
		if (r)
			return r;
		*out = strdup(name);
		return *out ? 0 : -ENOMEM;
	}
	path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	buf = malloc(strlen(path) + nlen + 2);
	if (!buf)
		return -ENOMEM;
	for (p = path;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dlen = (size_t)(end - p);

		if (dlen == 0) {
			memcpy(buf, name, nlen + 1); /* empty entry: current directory */
		} else {
			memcpy(buf, p, dlen);
			buf[dlen] = '/';
			memcpy(buf + dlen + 1, name, nlen + 1);
		}
		r = check_executable(buf);
		/*
		 * Unlike execvp, a directory of PATH we may not search (stat:
		 * EACCES) is skipped as "not there": only a file that exists
		 * without execute permission makes the answer EACCES.
		 */
		if (r == -EACCES && access(buf, F_OK) < 0)
			r = -ENOENT;
		if (r == 0) {
			*out = buf;
			return 0;
		}
		if (r == -EACCES)
			denied = true;
		p = end;
		if (!*end)
			break;
	}
	free(buf);
	return denied ? -EACCES : -ENOENT;
}

static long install_filter(struct moat_sandbox *sb, unsigned long flags)
{
	struct sock_fprog fprog = {
		.len = (unsigned short)sb->opts.prog->len,
		/* struct moat_insn has struct sock_filter's layout. */
		.filter = (struct sock_filter *)sb->opts.prog->insns,
	};

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
}

/*
 * The child. It shares moat's fd table (CLONE_FILES) until the exec, so the
 * listener fd that seccomp() creates here is directly in moat's table: no
 * syscall is needed after the filter is installed to hand it over (an
 * SCM_RIGHTS sendmsg would go through the filter, and a policy denying
 * sendmsg would deadlock the hand-over). execve then gives the child a
 * private copy of the table and closes the listener in it (it is
 * O_CLOEXEC), so the command can never answer its own notifications.
 */
static void child_run(struct moat_sandbox *sb, const char *path, char *const argv[],
		      char *const envp[])
{
	struct sandbox_shared *sh = sb->shared;
	unsigned long flags = SECCOMP_FILTER_FLAG_TSYNC | sb->opts.filter_flags;
	long r;

	sigprocmask(SIG_SETMASK, &sb->oldmask, NULL);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		sh->stage = MOAT_STAGE_NNP;
		goto failed;
	}
	if (sb->needs_listener) {
		/* TSYNC and NEW_LISTENER together need TSYNC_ESRCH (5.7+). */
		flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
		/*
		 * WAIT_KILLABLE_RECV (5.19+): once moat has received a
		 * notification, a non-fatal signal no longer interrupts the
		 * syscall, which would make the kernel restart it and report
		 * it twice. Older kernels refuse the flag: retry without.
		 */
		r = install_filter(sb, flags | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
		if (r < 0 && errno == EINVAL)
			r = install_filter(sb, flags);
	} else {
		r = install_filter(sb, flags);
	}
	if (r < 0) {
		sh->stage = MOAT_STAGE_FILTER;
		goto failed;
	}
	/* From here on, every syscall of this process goes through the filter. */
	sh->listener = sb->needs_listener ? (int)r : -1;
	atomic_store(&sh->state, CHILD_FILTERED);
	execve(path, argv, envp ? envp : environ);
	sh->stage = MOAT_STAGE_EXEC;
	sh->err = errno;
	atomic_store(&sh->state, CHILD_FAILED);
	_exit(errno == ENOENT ? 127 : 126);
failed:
	sh->err = errno;
	atomic_store(&sh->state, CHILD_FAILED);
	_exit(125);
}

/* fork() with a shared fd table and a pidfd; 0 in the child, like fork. */
static pid_t clone_child(int *pidfd)
{
	struct clone_args args = {
		.flags = CLONE_FILES | CLONE_PIDFD,
		.pidfd = (uint64_t)(uintptr_t)pidfd,
		.exit_signal = SIGCHLD,
	};
	long r = syscall(SYS_clone3, &args, sizeof(args));

	/*
	 * clone3 may be answered ENOSYS when moat itself runs under a seccomp
	 * profile (Docker's does that): clone with CLONE_PIDFD (5.2+) does
	 * the same. Without a stack argument it behaves like fork.
	 */
	if (r < 0 && errno == ENOSYS) {
#if defined(__x86_64__) || defined(__aarch64__)
		r = syscall(SYS_clone, CLONE_FILES | CLONE_PIDFD | SIGCHLD, 0, pidfd, 0, 0);
#endif
	}
	return (pid_t)r;
}

/*
 * Waits until the child has filtered itself or failed. The child cannot
 * wake us (that would be a syscall under its filter), so we look at the
 * shared page: a few yields first (the child needs microseconds), then
 * 20 us sleeps on its pidfd, which also wake us at once if it dies.
 */
static int wait_child_ready(struct moat_sandbox *sb)
{
	const struct timespec step = { 0, 20000 };

	for (unsigned int spins = 0;; spins++) {
		int state = atomic_load(&sb->shared->state);
		struct pollfd pfd = { .fd = sb->pidfd, .events = POLLIN };

		if (state != CHILD_STARTING)
			return state;
		if (spins < 20) {
			sched_yield();
			continue;
		}
		if (ppoll(&pfd, 1, &step, NULL) > 0) {
			/* Exited: its last store is visible now. */
			state = atomic_load(&sb->shared->state);
			return state == CHILD_STARTING ? CHILD_FAILED : state;
		}
	}
}

int moat_sandbox_spawn(struct moat_sandbox *sb, char *const argv[], char *const envp[])
{
	char *path = NULL;
	sigset_t block;
	pid_t pid;
	int r, state;

	if (sb->pid || !argv || !argv[0])
		return fail(sb, MOAT_STAGE_SETUP, EINVAL);
	r = resolve_command(argv[0], &path);
	if (r)
		return fail(sb, MOAT_STAGE_RESOLVE, -r);
	sb->shared = mmap(NULL, sizeof(*sb->shared), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sb->shared == MAP_FAILED) {
		r = fail(sb, MOAT_STAGE_SETUP, errno);
		goto out;
	}
	atomic_init(&sb->shared->state, CHILD_STARTING);
	sb->shared->listener = -1;

	/*
	 * Block the forwarded signals before the child exists, so that none
	 * is lost between fork and the first read of the signalfd; the child
	 * restores the original mask before it execs.
	 */
	sigemptyset(&block);
	if (sb->opts.forward_signals)
		sandbox_forwarded_set(&block);
	if (sigprocmask(SIG_BLOCK, &block, &sb->oldmask) < 0) {
		r = fail(sb, MOAT_STAGE_SETUP, errno);
		goto out;
	}
	sb->mask_changed = true;
	if (sb->opts.forward_signals) {
		sb->forwarded = block;
		sb->sigfd = signalfd(-1, &block, SFD_CLOEXEC | SFD_NONBLOCK);
		if (sb->sigfd < 0) {
			r = fail(sb, MOAT_STAGE_SETUP, errno);
			goto out;
		}
	}

	pid = clone_child(&sb->pidfd);
	if (pid < 0) {
		r = fail(sb, MOAT_STAGE_CLONE, errno);
		goto out;
	}
	if (pid == 0)
		child_run(sb, path, argv, envp); /* does not return */
	sb->pid = pid;

	state = wait_child_ready(sb);
	if (state == CHILD_FAILED) {
		int st;

		sb->listener = sb->shared->listener; /* closed by moat_sandbox_free */

		if (waitpid(pid, &st, 0) == pid) {
			sb->exited = true;
			sb->wstatus = st;
		}
		if (sb->shared->stage == MOAT_STAGE_EXEC) {
			/*
			 * The filter was in place and only the exec failed
			 * (policy without execve, vanished file): report it
			 * like a failure found by supervise.
			 */
			r = fail(sb, MOAT_STAGE_EXEC, sb->shared->err);
		} else {
			r = fail(sb, sb->shared->stage ? sb->shared->stage : MOAT_STAGE_CLONE,
				 sb->shared->err ? sb->shared->err : ECHILD);
		}
		goto out;
	}
	/*
	 * Until it execs, the child shares our fd table: anything we open,
	 * close or dup2 from now on would be seen by its exec. Take a private
	 * copy of the table; the child keeps the original, whose moat fds are
	 * all O_CLOEXEC and vanish at its exec. (This is why spawn wants a
	 * single-threaded caller: unshare only moves the calling thread.)
	 */
	if (unshare(CLONE_FILES) < 0) {
		r = fail(sb, MOAT_STAGE_SETUP, errno);
		goto out;
	}
	sb->listener = sb->shared->listener;
	r = 0;
out:
	free(path);
	return r;
}
