/* SPDX-License-Identifier: MIT */
/*
 * moat record: learn what a program really uses with eBPF.
 *
 * A recording is plain data — syscall counts per (arch, number), the
 * distinct values seen for flag-like arguments of a few syscalls, and the
 * losses of the kernel side — built by a recorder (eBPF, src/trace/record.c)
 * or by hand (tests, merges) and turned into a policy by
 * moat_policy_from_recording() (src/policy/generate.c).
 */
#ifndef MOAT_RECORD_H
#define MOAT_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "moat/policy.h"
#include "moat/syscalls.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Syscall numbers per arch a recording holds (x32: without the x32 bit). */
#define MOAT_RECORD_NR_MAX 1024u

/* Distinct values of argument ARG of syscall NR on ARCH, sorted, no duplicates. */
struct moat_rec_values {
	uint32_t arch; /* enum moat_arch */
	uint32_t nr;   /* x32: without the x32 bit */
	uint32_t arg;  /* 0..5 */
	uint64_t *v;
	size_t n, cap;
};

/* What the kernel side could not record. Any non-zero value is reported. */
struct moat_record_losses {
	uint64_t values_full; /* distinct argument values dropped: the set was full */
	uint64_t nr_range;    /* syscalls with a number >= MOAT_RECORD_NR_MAX */
	uint64_t track_full;  /* forked processes not followed: the pid set was full */
	uint64_t arg_read;    /* clone3 flags unreadable in user memory */
	uint64_t missed;      /* program runs the kernel skipped (its recursion guard) */
};

struct moat_recording {
	uint64_t counts[MOAT_ARCH__COUNT][MOAT_RECORD_NR_MAX];
	struct moat_rec_values *values; /* sorted by (arch, nr, arg) */
	size_t nvalues, values_cap;
	struct moat_record_losses losses;
};

struct moat_recording *moat_recording_new(void); /* NULL + errno */
void moat_recording_free(struct moat_recording *r);
/* Adds N calls of NR on ARCH. 0 or -EINVAL (arch or nr out of range). */
int moat_recording_add_count(struct moat_recording *r, enum moat_arch arch, uint32_t nr,
			     uint64_t n);
/* Adds VALUE to the set of argument ARG. 0, -EINVAL or -ENOMEM. */
int moat_recording_add_value(struct moat_recording *r, enum moat_arch arch, uint32_t nr,
			     uint32_t arg, uint64_t value);
/* The value set of (ARCH, NR, ARG), or NULL when none was recorded. */
const struct moat_rec_values *moat_recording_values(const struct moat_recording *r,
						    enum moat_arch arch, uint32_t nr, uint32_t arg);
/* Adds SRC's counts, values and losses to DST. 0 or -ENOMEM. */
int moat_recording_merge(struct moat_recording *dst, const struct moat_recording *src);
/* Sum of the losses; 0 means the recording is complete. */
uint64_t moat_recording_lost(const struct moat_recording *r);

/*
 * Arguments whose distinct values are recorded for syscall NAME: bit i for
 * argument i; 0 for the syscalls not in the list (socket domain/type/
 * protocol, ioctl request, prctl option, fcntl cmd, clone flags — clone3's
 * are read from struct clone_args —, mmap/mprotect prot, open flags,
 * setsockopt level/optname, madvise advice, futex op, personality).
 */
uint32_t moat_record_argmask(const char *name);

/* ---- Policy generation (src/policy/generate.c) ---- */

struct moat_generate_opts {
	/* Argument conditions from the observed values where that is safe. */
	bool args;
	/*
	 * Keep clone3 allowed even when clone covers it (by default clone3 is
	 * answered ENOSYS, so libc falls back to clone, whose flags seccomp
	 * can check).
	 */
	bool keep_clone3;
};

/*
 * A least-privilege policy from R: default errno EPERM, unknown errno
 * ENOSYS, the architectures seen, exactly the syscalls seen allowed (one
 * rule each, sorted by name, a comment with the count), the frequency table
 * filled. OPTS may be NULL. Argument conditions are left out (and the
 * reason added to DIAGS as a warning) when R lost values. 0, -ENOMEM.
 */
int moat_policy_from_recording(const struct moat_recording *r,
			       const struct moat_generate_opts *opts, struct moat_policy **out,
			       struct moat_diags *diags);

/*
 * Adds SRC to DST as a union of recordings: rules for a syscall allowed
 * without condition in either become unconditional, conditional rules are
 * kept side by side (OR), frequencies add up and the count comments are
 * rewritten from them. Default/unknown actions stay DST's. 0 or -ENOMEM.
 */
int moat_policy_union(struct moat_policy *dst, const struct moat_policy *src);

/* ---- The eBPF recorder (src/trace/record.c): needs root (CAP_BPF+CAP_PERFMON) ---- */

struct moat_record_opts {
	uint32_t max_pids;   /* size of the tracked process set; 0: 8192 */
	uint32_t max_values; /* size of the argument value set; 0: 16384 */
	/* Track a cgroup v2 (and its descendants) instead of processes; NULL: pids. */
	const char *cgroup_path;
};

struct moat_recorder;

/*
 * Opens, sizes, loads and attaches the eBPF programs. Returns 0, -EPERM
 * (not root), -EOPNOTSUPP (no BTF / no tp_btf), -ENOENT (cgroup path), or
 * another -errno from libbpf.
 */
int moat_recorder_new(const struct moat_record_opts *opts, struct moat_recorder **out);
void moat_recorder_free(struct moat_recorder *rec);
/*
 * Tracks process PID and its current descendants (their forks are followed
 * from then on by the kernel side). 0, -ESRCH, -E2BIG (set full).
 */
int moat_recorder_track_pid(struct moat_recorder *rec, pid_t pid);
/*
 * Tracks a child of moat_spawn_new() (not yet released): it is recorded
 * from its execve on — the execve included, since a filter installed before
 * exec sees it too. 0 or -errno.
 */
int moat_recorder_track_spawned(struct moat_recorder *rec, pid_t pid);
/* Number of processes still tracked (pid mode; 0 in cgroup mode). */
size_t moat_recorder_ntracked(struct moat_recorder *rec);
/* Reads the maps into a new recording (the recorder keeps running). */
int moat_recorder_collect(struct moat_recorder *rec, struct moat_recording **out);

#ifdef __cplusplus
}
#endif
#endif
