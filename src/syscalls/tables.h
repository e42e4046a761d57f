/* SPDX-License-Identifier: MIT */
/* Layout of the generated syscall tables (tables_gen.c). */
#ifndef MOAT_SYSCALLS_TABLES_H
#define MOAT_SYSCALLS_TABLES_H

#include <stddef.h>
#include <stdint.h>

struct moat_sc_entry {
	const char *name;
	uint32_t nr;
};

struct moat_sc_table {
	const struct moat_sc_entry *by_nr;   /* ascending number */
	const struct moat_sc_entry *by_name; /* ascending name (C locale) */
	size_t count;
};

/* Indexed by enum moat_arch. */
extern const struct moat_sc_table moat_sc_tables[];
extern const char *const moat_sc_all_names[];
extern const size_t moat_sc_all_names_count;

#endif
