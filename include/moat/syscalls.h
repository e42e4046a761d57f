/* SPDX-License-Identifier: MIT */
/*
 * Syscall name <-> number tables, per architecture.
 *
 * The tables are generated from data/syscalls/ARCH.tbl (Linux 7.2) by
 * scripts/gen-syscalls.py into src/syscalls/tables.c. Numbers are what the
 * kernel puts in seccomp_data.nr: x32 numbers include __X32_SYSCALL_BIT.
 */
#ifndef MOAT_SYSCALLS_H
#define MOAT_SYSCALLS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum moat_arch {
	MOAT_ARCH_X86_64 = 0,
	MOAT_ARCH_I386,
	MOAT_ARCH_X32,
	MOAT_ARCH_AARCH64,
	MOAT_ARCH__COUNT,
};

/* One bit per enum moat_arch, for sets of architectures. */
#define MOAT_ARCH_BIT(a) (1u << (a))

#define MOAT_X32_SYSCALL_BIT 0x40000000u

/* AUDIT_ARCH_* value seen in seccomp_data.arch (x86_64 and x32 share one). */
uint32_t moat_arch_audit(enum moat_arch arch);
/* "x86_64", "i386", "x32", "aarch64". */
const char *moat_arch_name(enum moat_arch arch);
/*
 * Accepts moat names and common aliases: x86_64/amd64, i386/x86/i686,
 * x32, aarch64/arm64, and OCI's SCMP_ARCH_* spellings. 0 or -EINVAL.
 */
int moat_arch_parse(const char *name, enum moat_arch *out);
/* The architecture moat itself was built for. */
enum moat_arch moat_arch_native(void);

/* Name of syscall NR on ARCH, or NULL when the table has no such number. */
const char *moat_syscall_name(enum moat_arch arch, uint32_t nr);
/* Number of NAME on ARCH (>= 0), -ENOENT if the arch has no such syscall. */
int64_t moat_syscall_nr(enum moat_arch arch, const char *name);
/*
 * Writes NR's name, or "syscall_NNN" for a number without a name, into buf.
 * Returns the length that was needed (snprintf semantics).
 */
int moat_syscall_format(enum moat_arch arch, uint32_t nr, char *buf, size_t size);
/*
 * Parses a name or "syscall_NNN" into a number on ARCH. 0 or -ENOENT
 * (unknown name) / -EINVAL (malformed syscall_NNN).
 */
int moat_syscall_parse(enum moat_arch arch, const char *s, uint32_t *nr);
/* Is NAME a syscall on any architecture moat knows (names.txt)? */
int moat_syscall_known_anywhere(const char *name);

/* Highest number present in the ARCH table (x32: with the x32 bit). */
uint32_t moat_syscall_max(enum moat_arch arch);
/* Number of named syscalls on ARCH. */
size_t moat_syscall_count(enum moat_arch arch);
/* The i-th syscall of ARCH in ascending number order (i < count). */
int moat_syscall_at(enum moat_arch arch, size_t i, const char **name, uint32_t *nr);

#ifdef __cplusplus
}
#endif
#endif
