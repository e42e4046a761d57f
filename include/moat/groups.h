/* SPDX-License-Identifier: MIT */
/*
 * Built-in syscall groups (data/groups/NAME.moat, compiled into libmoat by
 * scripts/gen-groups.sh). A policy pulls one in with `include @NAME`: the
 * group's rules are inlined where the include stands, with locations
 * "@NAME:line:col".
 */
#ifndef MOAT_GROUPS_H
#define MOAT_GROUPS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct moat_group {
	const char *name;    /* "network" (written @network in policies) */
	const char *summary; /* one line: what the group is for */
	const char *text;    /* the group's .moat source */
};

/* The generated table, sorted by name (build/gen/groups_gen.c). */
extern const struct moat_group moat_groups_gen[];
extern const size_t moat_groups_gen_count;

/* NAME with or without the leading '@'. NULL + errno ENOENT when unknown. */
const struct moat_group *moat_group_find(const char *name);
size_t moat_group_count(void);
/* The i-th group in name order, NULL when i >= count. */
const struct moat_group *moat_group_at(size_t i);
/*
 * The distinct syscalls the group's rules name (following its includes), in
 * first-appearance order, space-separated, malloc'd into *out. 0, -ENOMEM,
 * or -EINVAL if the group does not parse (a build defect).
 */
int moat_group_members(const struct moat_group *g, char **out);

#ifdef __cplusplus
}
#endif
#endif
