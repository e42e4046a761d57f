/* SPDX-License-Identifier: MIT */
/*
 * User side of the process tracking in src/bpf/track.bpf.h, shared by the
 * eBPF loaders (record, trace): fill the tracked tgid set, find a cgroup.
 */
#ifndef MOAT_TRACK_H
#define MOAT_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Adds tgid PID to the tracked set (a BPF hash u32 -> u8 at MAP_FD). With
 * AFTER_EXEC, it is counted only from its next successful execve on (a
 * child of moat_spawn_new() waiting to exec). 0 or -errno.
 */
int moat_track_add(int map_fd, pid_t pid, bool after_exec);
/*
 * Adds PID and every current descendant. PID goes in first, then /proc is
 * scanned until no new descendant appears: a fork racing with the scan is
 * either caught by the kernel side (its parent is already tracked) or seen
 * by the next pass. *ADDED (may be NULL) gets the number of processes added.
 * 0, -ESRCH (no such process) or -errno (-E2BIG: set full).
 */
int moat_track_add_tree(int map_fd, pid_t pid, size_t *added);
/* Number of entries in the tracked set. */
size_t moat_track_count(int map_fd);
/*
 * The id (what bpf_get_current_cgroup_id() returns) and depth (0 = root) of
 * the cgroup v2 directory PATH. 0, -ENOENT, -ENOTDIR, -EINVAL (not cgroup v2).
 */
int moat_cgroup_resolve(const char *path, uint64_t *id, uint32_t *level);

#ifdef __cplusplus
}
#endif
#endif
