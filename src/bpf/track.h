/* SPDX-License-Identifier: MIT */
/* Values of the tracked set (src/bpf/track.bpf.h), shared with src/trace/track.c. */
#ifndef MOAT_BPF_TRACK_H
#define MOAT_BPF_TRACK_H

#define TRACK_ACTIVE 1	     /* every syscall of the process counts */
#define TRACK_EXEC_PENDING 2 /* counted from its next successful execve on */

#endif
