/* SPDX-License-Identifier: MIT */
/*
 * `moat trace`: the record one syscall produces, shared by trace.bpf.c and
 * its loader src/trace/trace.c.
 *
 * Entry and exit are paired in the kernel: sys_enter fills the record in the
 * thread's task storage (arguments, and the strings they point to, read at
 * entry because execve replaces the memory and other calls may reuse the
 * buffer), sys_exit adds the result and the duration and copies the used
 * part of the record into the ring buffer.
 */
#ifndef MOAT_BPF_TRACE_H
#define MOAT_BPF_TRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "filter.h"

/* Syscall numbers below this have a per-number configuration byte. */
#define TRACE_NR_MAX 512
/* sys_conf[nr]: TRACE_CONF_ON when traced; bit i (0..5) when arg i is a string. */
#define TRACE_CONF_ON 0x80
#define TRACE_CONF_STRMASK 0x3f

#define TRACE_STR_MAX 256 /* bytes per string, NUL included (power of 2) */
#define TRACE_NSTR 2      /* strings per record: the first two string args */

/* trace_record.flags */
#define TRACE_EV_NORETURN 0x1 /* exit/exit_group: no result, no duration */
#define TRACE_EV_COMPAT 0x2   /* nr is an i386 number (int 0x80 / compat task) */
#define TRACE_EV_STR0_FAULT 0x4 /* string 0 could not be read (bad pointer) */
#define TRACE_EV_STR1_FAULT 0x8
#define TRACE_EV_STR_AT_EXIT 0x10 /* entry read faulted (page not in yet): read again at exit */

struct trace_record {
	__u64 ts_ns;  /* CLOCK_MONOTONIC at entry */
	__u64 dur_ns; /* exit - entry */
	__u64 args[6];
	__s64 ret;
	__u32 pid; /* tgid */
	__u32 tid;
	__u32 nr;
	__u32 flags;       /* TRACE_EV_* */
	__u32 lost_before; /* events this CPU lost since its previous record */
	__u8 str_arg[TRACE_NSTR]; /* argument index of each string, 0xff = none */
	__u16 str_len[TRACE_NSTR]; /* bytes read, NUL included; 0 = none */
	__u16 pad;
	char comm[MOAT_COMM_LEN];
	/* String 0 at str[0], string 1 right after it (at str[str_len[0]]). */
	char str[TRACE_NSTR * TRACE_STR_MAX];
};

#define TRACE_RECORD_HDR_SIZE ((unsigned long)&((struct trace_record *)0)->str)

#endif
