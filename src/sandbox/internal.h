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
};

/* The signals `moat run` forwards to the command. */
void sandbox_forwarded_set(sigset_t *set);

#endif
