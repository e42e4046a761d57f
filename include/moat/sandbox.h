/* SPDX-License-Identifier: MIT */
/*
 * `moat run`: runs a command under a compiled seccomp filter and supervises
 * it (src/sandbox/). Syscalls the policy denies are compiled as
 * SECCOMP_RET_USER_NOTIF (moat_compile's notify_mask, see
 * moat_sandbox_notify_mask); the supervisor receives each one, works out
 * which rule decided (by the policy's first-match semantics,
 * moat_policy_deciding_rule: routed rules share one ret in the program),
 * hands a structured event to the caller and then answers the kernel
 * according to the mode. The library never prints: the CLI formats events.
 *
 * Lifecycle: moat_sandbox_new -> moat_sandbox_spawn -> moat_sandbox_supervise
 * (returns when the command exits) -> moat_sandbox_free.
 */
#ifndef MOAT_SANDBOX_H
#define MOAT_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "moat/compile.h"
#include "moat/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

enum moat_run_mode {
	MOAT_RUN_ENFORCE = 0, /* answer with the policy's errno; kill rules kill */
	MOAT_RUN_COMPLAIN,    /* let every denied syscall proceed, report "would deny" */
	MOAT_RUN_KILL,	      /* kill the offending process after reporting it */
};

/* 0 and the mode, or -EINVAL: "enforce", "complain", "kill". */
int moat_run_mode_parse(const char *s, enum moat_run_mode *out);
const char *moat_run_mode_name(enum moat_run_mode mode);
/*
 * The notify_mask (bits 1 << MOAT_ACT_*) to compile a policy with for MODE:
 * every action moat must see to report it. enforce routes errno, kill,
 * notify and log (trap stays the kernel's SIGSYS); complain and kill route
 * every action but allow.
 */
uint32_t moat_sandbox_notify_mask(enum moat_run_mode mode);

struct moat_sandbox_opts {
	const struct moat_prog *prog; /* the filter to install; required */
	/*
	 * The policy PROG was compiled from: it names the rule that decided
	 * each routed call, its location and the policy's own action. NULL:
	 * PROG's origin table is used as is, and every routed call is
	 * answered EPERM in enforce mode.
	 */
	const struct moat_policy *policy;
	uint32_t mode;	       /* enum moat_run_mode */
	uint32_t filter_flags; /* extra SECCOMP_FILTER_FLAG_* (LOG, SPEC_ALLOW) */
	bool forward_signals;  /* forward INT TERM HUP QUIT USR1 USR2 WINCH to the command */
	size_t string_max;     /* bytes read per path/string argument (0: 256) */
};

/* What the sandbox answered a routed syscall. */
enum moat_answer {
	MOAT_ANSWER_ERRNO = 0, /* the syscall failed with errno (0: faked success) */
	MOAT_ANSWER_CONTINUE,  /* the syscall ran (complain: "would deny"; log rules) */
	MOAT_ANSWER_KILLED,    /* the process was killed */
	MOAT_ANSWER_GONE,      /* the caller vanished before the answer (killed, or interrupted) */
};

/* An argument read from the target's memory: display data only (TOCTOU). */
struct moat_violation_str {
	bool present;	/* the argument is a path or a string */
	int err;	/* 0, or the errno of the failed read (-EFAULT, -EPERM...) */
	bool truncated; /* no NUL within string_max bytes */
	size_t len;
	const char *data; /* LEN bytes, not trusted, valid during the callback */
};

struct moat_violation {
	uint64_t seq;	      /* order of arrival at the listener: 1, 2, ... */
	struct timespec time; /* CLOCK_REALTIME when moat received it */
	pid_t pid;	      /* thread that made the call (as seen by moat) */
	pid_t tgid;	      /* its process; 0 when it could not be read */
	char comm[16];	      /* its name ("?" when it could not be read) */
	uint32_t arch;	      /* enum moat_arch of the call */
	uint32_t audit_arch;  /* seccomp_data.arch */
	int32_t nr;	      /* seccomp_data.nr (x32 bit included) */
	const char *syscall;  /* table name, NULL for a number without one */
	uint64_t args[6];
	uint64_t ip;
	struct moat_violation_str str[6];

	/* Who decided: the policy's action and where it is written. */
	struct moat_origin origin;    /* kind NONE when it could not be worked out */
	struct moat_action action;    /* the policy's own action (before routing) */
	const struct moat_loc *loc;   /* rule or default location; NULL if none */
	const struct moat_rule *rule; /* the rule for MOAT_ORIGIN_RULE, else NULL */

	uint32_t answer; /* enum moat_answer */
	int error;	 /* errno for MOAT_ANSWER_ERRNO */
	bool would_deny; /* complain mode: the policy would have denied it */
};

struct moat_sandbox_stats {
	uint64_t notifications; /* received from the kernel */
	uint64_t reported;	/* handed to the callback */
	/*
	 * Violations that could not be reported in full or at all: the
	 * notification vanished before it could be read (RECV: ENOENT), a
	 * receive error, or the caller was gone before the answer.
	 */
	uint64_t lost;
	uint64_t answer_failed; /* SEND failed (the target died or was interrupted) */
	uint64_t signals_forwarded;
};

struct moat_sandbox;

/* NULL + errno: EINVAL (no program, bad mode), ENOMEM. */
struct moat_sandbox *moat_sandbox_new(const struct moat_sandbox_opts *opts);
void moat_sandbox_free(struct moat_sandbox *sb);

/* Where setting up the sandbox failed (moat_sandbox_failure). */
enum moat_spawn_stage {
	MOAT_STAGE_NONE = 0,
	MOAT_STAGE_RESOLVE, /* finding CMD in PATH */
	MOAT_STAGE_SETUP,   /* moat's own resources: memory, signals */
	MOAT_STAGE_CLONE,   /* creating the child */
	MOAT_STAGE_NNP,	    /* prctl(PR_SET_NO_NEW_PRIVS) */
	MOAT_STAGE_FILTER,  /* seccomp(SECCOMP_SET_MODE_FILTER) */
	MOAT_STAGE_EXEC,    /* execve(CMD) under the filter */
};

const char *moat_spawn_stage_name(enum moat_spawn_stage stage);

/*
 * Starts ARGV (argv[0] searched in PATH like execvp) with ENVP in the
 * sandbox: the child restores the signal mask, sets no_new_privs, installs
 * the filter (TSYNC; NEW_LISTENER when the program can return USER_NOTIF),
 * then execs. Returns 0 once the filter is in place (the exec itself is
 * checked by moat_sandbox_supervise, so that an execve the policy routes to
 * the supervisor can be answered), or -errno with the stage in
 * moat_sandbox_failure: -ENOENT / -EACCES at RESOLVE mean CMD was not found
 * / not executable, and nothing was started. Call it from a single-threaded
 * process (as the moat CLI is): the signal mask and the fd table hand-over
 * (see spawn.c) act on the calling thread.
 */
int moat_sandbox_spawn(struct moat_sandbox *sb, char *const argv[], char *const envp[]);
/* The child's pid (0 before spawn). */
pid_t moat_sandbox_pid(const struct moat_sandbox *sb);

/*
 * Called for each routed call (violations, and calls of log rules) before
 * the kernel gets the answer: in kill mode the report comes before the kill.
 */
typedef void (*moat_violation_fn)(const struct moat_violation *v, void *ctx);

/*
 * Supervises until the command exits: receives notifications, reports each
 * to FN, answers them, forwards signals. Returns 0 and the command's wait
 * status in *WSTATUS, or -errno when supervision itself failed (the
 * command is then killed: it must never run unsupervised with moat
 * pretending to report). When the exec failed, moat_sandbox_failure says
 * so (stage EXEC and its errno) and *WSTATUS is the child's 126/127 exit.
 */
int moat_sandbox_supervise(struct moat_sandbox *sb, moat_violation_fn fn, void *ctx, int *wstatus);

/* Stage and positive errno of the failure, or MOAT_STAGE_NONE. */
enum moat_spawn_stage moat_sandbox_failure(const struct moat_sandbox *sb, int *err);
void moat_sandbox_stats(const struct moat_sandbox *sb, struct moat_sandbox_stats *out);

/* True when PROG has a ret that returns SECCOMP_RET_USER_NOTIF. */
bool moat_prog_needs_listener(const struct moat_prog *prog);

#ifdef __cplusplus
}
#endif
#endif
