// SPDX-License-Identifier: MIT
/* Where a syscall name becomes a number, and back: binary search, O(log n). */
#include <errno.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "moat/syscalls.h"
#include "tables.h"

static const struct {
	const char *name;
	uint32_t audit;
} arch_info[MOAT_ARCH__COUNT] = {
	[MOAT_ARCH_X86_64] = { "x86_64", AUDIT_ARCH_X86_64 },
	[MOAT_ARCH_I386] = { "i386", AUDIT_ARCH_I386 },
	/* x32 shares AUDIT_ARCH_X86_64; its numbers carry __X32_SYSCALL_BIT. */
	[MOAT_ARCH_X32] = { "x32", AUDIT_ARCH_X86_64 },
	[MOAT_ARCH_AARCH64] = { "aarch64", AUDIT_ARCH_AARCH64 },
};

uint32_t moat_arch_audit(enum moat_arch arch)
{
	return (unsigned)arch < MOAT_ARCH__COUNT ? arch_info[arch].audit : 0;
}

const char *moat_arch_name(enum moat_arch arch)
{
	return (unsigned)arch < MOAT_ARCH__COUNT ? arch_info[arch].name : "unknown";
}

int moat_arch_parse(const char *name, enum moat_arch *out)
{
	static const struct {
		const char *alias;
		enum moat_arch arch;
	} aliases[] = {
		{ "x86_64", MOAT_ARCH_X86_64 },
		{ "amd64", MOAT_ARCH_X86_64 },
		{ "x86-64", MOAT_ARCH_X86_64 },
		{ "SCMP_ARCH_X86_64", MOAT_ARCH_X86_64 },
		{ "i386", MOAT_ARCH_I386 },
		{ "i686", MOAT_ARCH_I386 },
		{ "x86", MOAT_ARCH_I386 },
		{ "SCMP_ARCH_X86", MOAT_ARCH_I386 },
		{ "x32", MOAT_ARCH_X32 },
		{ "SCMP_ARCH_X32", MOAT_ARCH_X32 },
		{ "aarch64", MOAT_ARCH_AARCH64 },
		{ "arm64", MOAT_ARCH_AARCH64 },
		{ "SCMP_ARCH_AARCH64", MOAT_ARCH_AARCH64 },
	};

	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (!strcasecmp(aliases[i].alias, name)) {
			*out = aliases[i].arch;
			return 0;
		}
	}
	return -EINVAL;
}

enum moat_arch moat_arch_native(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
	return MOAT_ARCH_X32;
#elif defined(__x86_64__)
	return MOAT_ARCH_X86_64;
#elif defined(__i386__)
	return MOAT_ARCH_I386;
#elif defined(__aarch64__)
	return MOAT_ARCH_AARCH64;
#else
#error "moat: unsupported architecture"
#endif
}

static const struct moat_sc_table *table(enum moat_arch arch)
{
	return (unsigned)arch < MOAT_ARCH__COUNT ? &moat_sc_tables[arch] : NULL;
}

static int cmp_nr(const void *key, const void *elem)
{
	uint32_t nr = *(const uint32_t *)key;
	const struct moat_sc_entry *e = elem;

	return nr < e->nr ? -1 : nr > e->nr;
}

static int cmp_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct moat_sc_entry *)elem)->name);
}

const char *moat_syscall_name(enum moat_arch arch, uint32_t nr)
{
	const struct moat_sc_table *t = table(arch);
	const struct moat_sc_entry *e;

	if (!t)
		return NULL;
	e = bsearch(&nr, t->by_nr, t->count, sizeof(*e), cmp_nr);
	return e ? e->name : NULL;
}

int64_t moat_syscall_nr(enum moat_arch arch, const char *name)
{
	const struct moat_sc_table *t = table(arch);
	const struct moat_sc_entry *e;

	if (!t || !name)
		return -ENOENT;
	e = bsearch(name, t->by_name, t->count, sizeof(*e), cmp_name);
	return e ? (int64_t)e->nr : -ENOENT;
}

int moat_syscall_format(enum moat_arch arch, uint32_t nr, char *buf, size_t size)
{
	const char *name = moat_syscall_name(arch, nr);

	if (name)
		return snprintf(buf, size, "%s", name);
	return snprintf(buf, size, "syscall_%u", nr);
}

int moat_syscall_parse(enum moat_arch arch, const char *s, uint32_t *nr)
{
	int64_t n;

	if (!s)
		return -EINVAL;
	if (!strncmp(s, "syscall_", 8)) {
		char *end;
		unsigned long v;

		if (s[8] < '0' || s[8] > '9')
			return -EINVAL;
		errno = 0;
		v = strtoul(s + 8, &end, 10);
		if (errno || *end || v > UINT32_MAX)
			return -EINVAL;
		*nr = (uint32_t)v;
		return 0;
	}
	n = moat_syscall_nr(arch, s);
	if (n < 0)
		return -ENOENT;
	*nr = (uint32_t)n;
	return 0;
}

static int cmp_str_ptr(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

int moat_syscall_known_anywhere(const char *name)
{
	return name && bsearch(name, moat_sc_all_names, moat_sc_all_names_count, sizeof(char *),
			       cmp_str_ptr) != NULL;
}

uint32_t moat_syscall_max(enum moat_arch arch)
{
	const struct moat_sc_table *t = table(arch);

	return t && t->count ? t->by_nr[t->count - 1].nr : 0;
}

size_t moat_syscall_count(enum moat_arch arch)
{
	const struct moat_sc_table *t = table(arch);

	return t ? t->count : 0;
}

int moat_syscall_at(enum moat_arch arch, size_t i, const char **name, uint32_t *nr)
{
	const struct moat_sc_table *t = table(arch);

	if (!t || i >= t->count)
		return -ERANGE;
	*name = t->by_nr[i].name;
	*nr = t->by_nr[i].nr;
	return 0;
}
