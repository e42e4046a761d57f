/* SPDX-License-Identifier: MIT */
/*
 * eBPF observability: `moat trace` (one record per syscall), `moat top`
 * (per process and per syscall statistics kept in the kernel) and the
 * seccomp watcher (`moat trace --seccomp`: kills and traps system-wide).
 *
 * The library loads, attaches and polls; events reach the caller through
 * callbacks and the library never prints. Nothing is dropped silently: a
 * record the kernel could not hand over is counted and reported, in the
 * stream where it happened and in the totals.
 *
 * All of this needs root (CAP_BPF + CAP_PERFMON) and a kernel with BTF.
 */
#ifndef MOAT_TRACE_H
#define MOAT_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "moat/decode.h"
#include "moat/syscalls.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which tasks a tool looks at (applied in the kernel). All set tests must hold. */
struct moat_trace_filter {
	int pid;		  /* this process and all its threads; 0 = any */
	const char *comm;	  /* exact task name (at most 15 bytes); NULL = any */
	const char *cgroup;	  /* cgroup v2 directory: this cgroup and those below it;
			     * absolute, or relative to the cgroup2 mount; NULL = any */
	const uint32_t *syscalls; /* native syscall numbers; NULL = all */
	size_t nsyscalls;
};

/* ---- moat trace ---- */

#define MOAT_TRACE_NSTR 2

struct moat_trace_str {
	int arg;	  /* argument index 0..5; -1 = unused slot */
	const char *data; /* bytes read (NUL not included) */
	size_t len;
	bool fault;	/* the pointer could not be read */
	bool truncated; /* longer than moat reads (255 bytes); a list: cut short */
	/*
	 * A list of strings (execve's argv): DATA holds the elements one after
	 * the other, each NUL-ended but a last one cut short.
	 */
	bool list;
	/* A read/write's data: LEN raw bytes (no NUL); truncated: the call's data went on. */
	bool raw;
	/*
	 * Read at exit, not entry: the entry read hit a page not yet in memory
	 * (eBPF cannot fault it in, the syscall then brought it in), or the
	 * call had no entry (seccomp answered it before sys_enter).
	 */
	bool at_exit;
};

struct moat_trace_event {
	uint64_t ts_ns;	 /* CLOCK_REALTIME at entry when timed, else at exit; ns */
	uint64_t dur_ns; /* time in the syscall, when timed */
	bool timed;	 /* the entry was seen and timed (see moat_trace_opts.untimed) */
	/* moat_trace_opts.no_time: no ts_ns (0); SEQ orders the events (from 0, gaps: lost). */
	bool no_time;
	uint64_t seq;
	uint64_t args[6];
	int64_t ret; /* raw return value: -errno on failure */
	uint32_t pid, tid;
	uint32_t nr;
	enum moat_arch arch;		    /* i386 for int 0x80 from a 64-bit task */
	bool noreturn;			    /* exit/exit_group: no result, no duration */
	const char *name;		    /* syscall name, or "syscall_NNN" */
	const struct moat_syscall_sig *sig; /* how to decode args; NULL: 6 hex words */
	char comm[16];
	struct moat_trace_str str[MOAT_TRACE_NSTR]; /* strings read at entry */
};

struct moat_trace_ops {
	/* Each callback returns 0, or a negative errno that stops the poll. */
	int (*event)(const struct moat_trace_event *ev, void *ctx);
	/*
	 * N records were lost right before the next event delivered (at_end:
	 * lost after the last record of that CPU, reported when tracing stops).
	 */
	int (*lost)(uint64_t n, bool at_end, void *ctx);
	void *ctx;
};

struct moat_trace_opts {
	struct moat_trace_filter filter;
	/*
	 * Only the processes registered with moat_trace_track_spawned() and
	 * their descendants (forks followed in the kernel), on top of FILTER.
	 */
	bool follow;
	bool failed_only; /* only calls that returned an error (-4095..-1) */
	/*
	 * No durations: the entry of a call is hooked only when it must be
	 * (string arguments, exit/exit_group, sigreturn), the cheapest trace.
	 */
	bool untimed;
	/*
	 * No clock at all (implies untimed): events are ordered by a global
	 * sequence number taken at exit instead of a timestamp; the cheapest
	 * trace (the clock read is most of an event's cost on some machines).
	 */
	bool no_time;
	/*
	 * Bytes of each CPU's ring: a power of 2, 4 KiB to 4 MiB; 0 = 4 MiB up
	 * to 8 CPUs, less beyond (32 MiB in all, at least 256 KiB each).
	 */
	size_t buffer_bytes;
	/*
	 * Bytes shown of a read/write's data (read at exit: a read's data is
	 * there only then): at most 256; 0 = 32, as strace; MOAT_TRACE_NO_DATA
	 * = none (the pointer).
	 */
	size_t data_bytes;
};

#define MOAT_TRACE_NO_DATA SIZE_MAX
#define MOAT_TRACE_DATA_MAX 256

struct moat_trace_stats {
	uint64_t received;  /* events delivered to ops->event */
	uint64_t lost;	    /* records the kernel could not hand over (all CPUs) */
	uint64_t untracked; /* follow: forks the tracked set had no room for */
};

struct moat_trace;

/*
 * Loads and attaches the tracer. NULL + errno: EPERM (not root), EINVAL
 * (bad option: comm too long, buffer size), ENOENT (no such cgroup),
 * EOPNOTSUPP (kernel without BTF/ring buffer/task storage).
 */
struct moat_trace *moat_trace_new(const struct moat_trace_opts *opts,
				  const struct moat_trace_ops *ops);
/*
 * A file descriptor that becomes readable when a CPU's ring is a quarter
 * full (for epoll); fewer records wait for the caller's poll timeout.
 */
int moat_trace_fd(const struct moat_trace *t);
/*
 * follow: traces PID, a child of moat_spawn_new() still waiting to exec,
 * from its execve on (the execve included), and every process it forks.
 * 0 or -errno (-EINVAL without follow).
 */
int moat_trace_track_spawned(struct moat_trace *t, pid_t pid);
/* follow: processes of the traced tree still alive. */
size_t moat_trace_tracked_count(const struct moat_trace *t);
/*
 * Delivers waiting records in time order, waiting up to TIMEOUT_MS for a
 * ring to fill. Records of the last millisecond wait for the next call (a
 * record of another CPU may still be on its way). Count or -errno.
 */
int moat_trace_poll(struct moat_trace *t, int timeout_ms);
/*
 * Detaches, delivers every record still queued, then reports the losses no
 * record carried (ops->lost with at_end). Idempotent. 0 or -errno.
 */
int moat_trace_stop(struct moat_trace *t);
void moat_trace_stats(const struct moat_trace *t, struct moat_trace_stats *st);
void moat_trace_free(struct moat_trace *t);

/*
 * One strace-like line (no newline) for EV: "HH:MM:SS.uuuuuu PID/TID COMM
 * name(args) = ret <seconds>". snprintf semantics.
 */
int moat_trace_format(const struct moat_trace_event *ev, char *buf, size_t size);
/* One JSON object (no newline). snprintf semantics. */
int moat_trace_format_json(const struct moat_trace_event *ev, char *buf, size_t size);

/* ---- moat top ---- */

struct moat_top_opts {
	struct moat_trace_filter filter;
	size_t max_entries; /* (process, syscall) pairs kept in the kernel; 0 = 16384 */
};

struct moat_top_row {
	uint32_t pid;
	uint32_t nr;	  /* MOAT_TOP_ALL in a process's total */
	const char *name; /* syscall name ("syscall_NNN"); "*" in a process's total */
	char comm[16];
	uint64_t calls, errors;
	/*
	 * Calls whose entry was seen, which total_ns and the percentiles cover.
	 * Not timed: exit/exit_group (no return), calls seccomp answered before
	 * the entry tracepoint (denied), calls in flight when moat attached.
	 */
	uint64_t timed, total_ns;
	/* Percentiles from log2 buckets, interpolated inside a bucket: within 2x. */
	uint64_t p50_ns, p99_ns;
};

#define MOAT_TOP_ALL UINT32_MAX

struct moat_top_snapshot {
	uint64_t ts_ns;			  /* CLOCK_REALTIME of this read */
	uint64_t interval_ns;		  /* since the previous read (or the start) */
	const struct moat_top_row *procs; /* per process, most time first */
	size_t nprocs;
	const struct moat_top_row *rows; /* per (process, syscall), most time first */
	size_t nrows;
	uint64_t calls, errors; /* all rows */
	uint64_t lost;		/* calls the kernel could not account (a full map) */
};

struct moat_top;

/* Loads and attaches. NULL + errno as moat_trace_new. */
struct moat_top *moat_top_new(const struct moat_top_opts *opts);
/*
 * What happened since the previous read (or moat_top_new). SNAP points into
 * T until the next read or moat_top_free. 0 or -errno.
 */
int moat_top_read(struct moat_top *t, struct moat_top_snapshot *snap);
void moat_top_free(struct moat_top *t);

/* ---- moat trace --seccomp: the seccomp watcher ---- */

enum moat_seccomp_kind {
	MOAT_SECCOMP_TRAP = 1, /* SECCOMP_RET_TRAP: SIGSYS sent to the task */
	MOAT_SECCOMP_KILL,     /* SECCOMP_RET_KILL_PROCESS / KILL_THREAD: the task died */
};

struct moat_seccomp_event {
	uint64_t ts_ns; /* CLOCK_REALTIME, ns */
	uint32_t pid, tid;
	uint32_t nr;
	enum moat_arch arch;
	const char *name; /* syscall name, or "syscall_NNN" */
	enum moat_seccomp_kind kind;
	bool via_signal;   /* KILL: by SIGSYS with a core dump (else do_exit, no signal) */
	bool process_died; /* KILL: the whole process is gone */
	uint32_t ret_data; /* SECCOMP_RET_DATA of the filter's answer */
	uint64_t call_addr;
	char comm[16];
};

struct moat_seccomp_ops {
	int (*event)(const struct moat_seccomp_event *ev, void *ctx);
	int (*lost)(uint64_t n, bool at_end, void *ctx); /* as in moat_trace_ops */
	void *ctx;
};

struct moat_seccomp_watch;

/* Loads and attaches the watcher (F->syscalls is ignored). NULL + errno as moat_trace_new. */
struct moat_seccomp_watch *moat_seccomp_watch_new(const struct moat_trace_filter *f,
						  const struct moat_seccomp_ops *ops);
int moat_seccomp_watch_fd(const struct moat_seccomp_watch *w);
int moat_seccomp_watch_poll(struct moat_seccomp_watch *w, int timeout_ms);
int moat_seccomp_watch_stop(struct moat_seccomp_watch *w);
void moat_seccomp_watch_stats(const struct moat_seccomp_watch *w, struct moat_trace_stats *st);
void moat_seccomp_watch_free(struct moat_seccomp_watch *w);
/*
 * "HH:MM:SS.uuuuuu PID/TID COMM seccomp ACTION SYSCALL (ARCH) ...", no
 * newline; and one JSON object. snprintf semantics.
 */
int moat_seccomp_format(const struct moat_seccomp_event *ev, char *buf, size_t size);
int moat_seccomp_format_json(const struct moat_seccomp_event *ev, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
