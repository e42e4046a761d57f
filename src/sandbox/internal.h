/* SPDX-License-Identifier: MIT */
/* What spawn.c and supervise.c share inside the sandbox module. */
#ifndef MOAT_SANDBOX_INTERNAL_H
#define MOAT_SANDBOX_INTERNAL_H

#include <signal.h>
#include <stdatomic.h>

#include "moat/sandbox.h"

/*
 * One page shared (MAP_SHARED) between moat and the child until the exec:
 * the child reports progress and failures here with plain stores, because
 * after the filter is installed every syscall it makes goes through the
 * policy (a write to a pipe could itself be denied or routed to a
 * supervisor that is not listening yet).
 */
enum { CHILD_STARTING = 0, CHILD_FILTERED, CHILD_FAILED };

struct sandbox_shared {
	atomic_int state;
	int listener; /* fd number of the listener in the shared fd table, or -1 */
	int stage;    /* enum moat_spawn_stage of a failure */
	int err;      /* its errno */
};

/*
 * Recently seen threads: an open /proc/TID/comm and the thread's Tgid.
 * Opening /proc files costs 10-50 us here, a pread of an open comm ~2 us;
 * the open fd stays bound to that task (its struct pid), so once the thread
 * is gone reads fail with ESRCH and a recycled TID is never mistaken for it.
 */
#define SANDBOX_TASK_CACHE 64
#define SANDBOX_ORIGIN_CACHE 1024

struct sandbox_task {
	pid_t tid;
	pid_t tgid;
	int comm_fd;
};

struct moat_sandbox {
	struct moat_sandbox_opts opts;
	bool needs_listener;
	pid_t pid;
	int pidfd;
	int listener;
	int sigfd;
	sigset_t forwarded;
	sigset_t oldmask;
	bool mask_changed;
	struct sandbox_shared *shared;
	int fail_stage;
	int fail_err;
	bool exited;
	int wstatus;
	struct moat_sandbox_stats stats;
	char *strbuf; /* 6 * (string_max + 1) bytes for the string arguments */
	struct sandbox_task tasks[SANDBOX_TASK_CACHE];
	/*
	 * Origins of native syscall numbers whose deciding rule (or default)
	 * cannot depend on the arguments: the first rule of the policy for
	 * that number is unconditional, or there is none. The next call of
	 * that number is attributed without walking the rules again.
	 */
	struct moat_origin *origin_cache; /* SANDBOX_ORIGIN_CACHE entries, kind NONE = empty */
	unsigned int task_next;		  /* round-robin replacement */
};

void sandbox_task_cache_clear(struct moat_sandbox *sb);

/* The signals `moat run` forwards to the command. */
void sandbox_forwarded_set(sigset_t *set);

#endif
