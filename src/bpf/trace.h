/* SPDX-License-Identifier: MIT */
/*
 * `moat trace`: the records one syscall produces and the per-CPU rings they
 * travel in, shared by trace.bpf.c and its loader src/trace/trace.c.
 *
 * A record is written once, at sys_exit, straight into the ring of the CPU
 * it runs on: the arguments are still in the saved user registers then, the
 * result is known. The sys_enter program is attached only when something
 * must be taken at entry (the entry time for durations, the strings an
 * argument points to, exit/exit_group which never reach sys_exit); it keeps
 * that in the thread's task storage for the exit program.
 *
 * Why per-CPU rings rather than the kernel's BPF ring buffer: each CPU has
 * one writer (tracing programs run with preemption off), so a record costs a
 * few stores and one head update, no lock and no atomic (measured on the
 * getppid loop: ~30 ns against ~85 ns for bpf_ringbuf_reserve+submit, see
 * docs/performance.md). The reader merges the rings by time.
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
#define TRACE_CONF_ENTRY 0x40 /* the sys_enter program takes something for this call */
#define TRACE_CONF_STRMASK 0x3f

/* Configuration tables: [0] native numbers, [1] i386 ones (int 0x80 on x86_64). */
#define TRACE_NABI 2

/* Numbers the programs treat apart, per ABI (0xffffffff: none). */
struct trace_nrs {
	__u32 exit, exit_group;	       /* never reach sys_exit: written at entry */
	__u32 execve, execveat;	       /* a spawned child's first traced call */
	__u32 rt_sigreturn, sigreturn; /* the number is gone at sys_exit: named at entry */
	/* Return twice: the child's return (0, no entry) is not a call of its own. */
	__u32 clone, clone3, fork, vfork;
};

#define TRACE_STR_MAX 256 /* bytes per string, NUL included (power of 2) */
#define TRACE_NSTR 2	  /* strings per record: the first two string args */

/* trace_record.flags */
#define TRACE_EV_NORETURN 0x1	/* exit/exit_group: no result, no duration */
#define TRACE_EV_COMPAT 0x2	/* nr is an i386 number (int 0x80 / compat task) */
#define TRACE_EV_STR0_FAULT 0x4 /* string 0 could not be read (bad pointer) */
#define TRACE_EV_STR1_FAULT 0x8
#define TRACE_EV_STR_AT_EXIT 0x10 /* strings read at exit (entry read faulted, or no entry) */
#define TRACE_EV_TIMED 0x20	  /* dur_ns is the time in the call (its entry was seen) */
#define TRACE_EV_PAD 0x40	  /* not a record: skip LEN bytes (to the ring's end) */
/* execve/execveat: string 1 is argv, its elements one after the other, each NUL-ended. */
#define TRACE_EV_ARGV 0x80
#define TRACE_EV_ARGV_MORE 0x100 /* ... cut short: more elements, or a longer last one */
/* String 1 is a buffer (read/write data, a sockaddr, a struct stat): str_len[1] bytes, no NUL. */
#define TRACE_EV_BUF 0x200
#define TRACE_EV_BUF_MORE 0x400 /* ... the call's data went on */

/* sys_buf[nr]: which argument is a buffer, and how long its bytes are. */
#define TRACE_BUF_ON 0x80
/* As many bytes as the call returned (read); else as the next argument says (write). */
#define TRACE_BUF_LEN_RET 0x40
/* A structure (sockaddr): up to TRACE_STR_MAX bytes, whatever buf_max says. */
#define TRACE_BUF_WHOLE 0x20
/* A structure the call fills on success (stat): TRACE_STAT_LEN bytes when it returned 0. */
#define TRACE_BUF_FILLED 0x10
#define TRACE_STAT_LEN 144 /* MOAT_STAT_LEN */
/* The length is in the u32 the next argument points to, as the call left it (accept). */
#define TRACE_BUF_LEN_PTR 0x08
#define TRACE_BUF_ARG 0x07 /* the buffer's argument index */

/* Elements of argv read at most (execve is rare: one read of each pointer and string). */
#define TRACE_ARGV_MAX 16

struct trace_record {
	__u32 len;    /* bytes of this record, header included, a multiple of 8 */
	__u32 flags;  /* TRACE_EV_* */
	__u64 ts_ns;  /* CLOCK_MONOTONIC at exit (at entry for NORETURN): the rings' merge key */
	__u64 dur_ns; /* exit - entry, when TIMED */
	__u64 args[6];
	__s64 ret;
	__u32 pid; /* tgid */
	__u32 tid;
	__u32 nr;
	__u32 lost_before;	   /* records this CPU lost since its previous record */
	__u8 str_arg[TRACE_NSTR];  /* argument index of each string, 0xff = none */
	__u16 str_len[TRACE_NSTR]; /* bytes read, NUL included; 0 = none */
	__u16 pad;
	char comm[MOAT_COMM_LEN];
	/* String 0 at str[0], string 1 right after it (at str[str_len[0]]). */
	char str[];
};

#define TRACE_RECORD_HDR_SIZE sizeof(struct trace_record)
/* The largest record: the verifier needs this much room wherever one starts. */
#define TRACE_RECORD_MAX (TRACE_RECORD_HDR_SIZE + TRACE_NSTR * TRACE_STR_MAX)

/*
 * Positions of one CPU's ring, in bytes since the start (they only grow; the
 * offset in the ring is pos & (ring_bytes - 1)). The writer's and the
 * reader's fields sit on separate cache lines so neither bounces the other's.
 */
struct trace_ring_pos {
	__u64 head; /* written by the BPF program after the record is complete */
	/*
	 * 1 from before the record's clock read until after its head update:
	 * the reader then holds back records of other CPUs newer than this
	 * CPU's last one (the one being written can only be newer).
	 */
	__u64 busy;
	__u64 writer_pad[6];
	__u64 tail;    /* written by the reader when it is done with the bytes before it */
	__u64 wake_at; /* the reader wants a wake-up when head reaches this */
	__u32 armed;   /* ... and is waiting for one (the program clears it when ringing) */
	__u32 reader_pad[11];
};

/* Ring size bounds (per CPU): a map value can be at most 4 MiB (KMALLOC_MAX_SIZE). */
#define TRACE_RING_MIN 4096
#define TRACE_RING_MAX (4u << 20)

#endif
