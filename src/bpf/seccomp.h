/* SPDX-License-Identifier: MIT */
/*
 * `moat trace --seccomp`: what seccomp did to a task, from whatever installed
 * the filter (Docker, systemd, moat run, the program itself). Shared by
 * seccomp.bpf.c and src/trace/seccomp.c.
 *
 * How the kernel (6.x, kernel/seccomp.c) reports each action:
 *  - SECCOMP_RET_TRAP: force_sig_seccomp() -> signal_generate with SIGSYS,
 *    si_code SYS_SECCOMP; the task's seccomp mode stays FILTER.
 *  - SECCOMP_RET_KILL_PROCESS, and KILL_THREAD when it is the last thread:
 *    mode set to DEAD, then force_sig_seccomp(coredump) -> signal_generate
 *    SIGSYS/SYS_SECCOMP, and the task exits (sched_process_exit).
 *  - SECCOMP_RET_KILL_THREAD on one thread of several: mode DEAD, then
 *    do_exit(SIGSYS) directly: no signal at all, only sched_process_exit.
 * So traps are reported at signal_generate, kills at sched_process_exit
 * (mode DEAD), with what signal_generate saw for that thread merged in.
 */
#ifndef MOAT_BPF_SECCOMP_H
#define MOAT_BPF_SECCOMP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "filter.h"

#define SECCOMP_MODE_FILTER_K 2 /* include/linux/seccomp.h */
#define SECCOMP_MODE_DEAD_K 3	/* kernel/seccomp.c: SECCOMP_MODE_FILTER + 1 */

enum seccomp_rec_kind {
	SECCOMP_REC_TRAP = 1,	     /* SIGSYS sent, the task lives on (or handles it) */
	SECCOMP_REC_KILL_SIGNAL = 2, /* killed, via SIGSYS (coredump) */
	SECCOMP_REC_KILL_EXIT = 3,   /* killed, via do_exit without a signal */
};

/* seccomp_record.flags */
#define SECCOMP_REC_GROUP_DEAD 0x1 /* the whole process died with this task */
#define SECCOMP_REC_COMPAT 0x2	   /* i386 number (int 0x80) */

struct seccomp_record {
	__u64 ts_ns; /* CLOCK_MONOTONIC */
	__u64 call_addr;
	__u32 pid, tid;
	__u32 nr;
	__u32 arch;	/* AUDIT_ARCH_* (from the siginfo); 0 = not known */
	__u32 kind;	/* enum seccomp_rec_kind */
	__u32 ret_data; /* SECCOMP_RET_DATA of the filter's answer (si_errno) */
	__u32 flags;
	__u32 lost_before;
	char comm[MOAT_COMM_LEN];
};

/* What signal_generate saw for a thread seccomp is killing (pending map). */
struct seccomp_pending {
	__u64 call_addr;
	__u32 nr;
	__u32 arch;
	__u32 ret_data;
	__u32 pad;
};

#endif
