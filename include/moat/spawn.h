/* SPDX-License-Identifier: MIT */
/*
 * Starting a command under a tracer: the child is forked and waits, the
 * tracer registers its pid (e.g. in the eBPF tracked set), then releases it
 * and the child's next syscall is execve. So the recording starts exactly at
 * the program's execve — what a seccomp filter installed just before exec
 * sees — and nothing of the program is missed.
 */
#ifndef MOAT_SPAWN_H
#define MOAT_SPAWN_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct moat_spawn;

/*
 * Resolves ARGV[0] in PATH (as execvp does), forks, and leaves the child
 * blocked before execve. 0, -ENOENT (command not found), -EACCES (not
 * executable), -EINVAL (empty argv) or -errno of fork/pipe.
 */
int moat_spawn_new(char *const argv[], struct moat_spawn **out);
pid_t moat_spawn_pid(const struct moat_spawn *s);
/*
 * Lets the child exec and waits until the execve has succeeded (0) or
 * failed (its -errno; the child is then reaped).
 */
int moat_spawn_release(struct moat_spawn *s);
/*
 * waitpid() for the child with OPTIONS (0 or WNOHANG). 0 with *STATUS (wait
 * status), -EAGAIN (WNOHANG, still running), -EINTR when a signal arrived
 * (call again), -ECHILD when it was reaped already.
 */
int moat_spawn_wait(struct moat_spawn *s, int *status, int options);
/* Kills (SIGKILL) and reaps a child that is still waiting or running. */
void moat_spawn_free(struct moat_spawn *s);

#ifdef __cplusplus
}
#endif
#endif
