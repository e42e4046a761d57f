/* SPDX-License-Identifier: MIT */
/* Private to src/policy: limits of the .moat parser, shared with its tests' expectations. */
#ifndef MOAT_POLICY_PARSE_H
#define MOAT_POLICY_PARSE_H

/* Every bound keeps hostile input from exhausting memory, stack or time. */
#define MOAT_PARSE_MAX_FILE (16u << 20)	 /* bytes per file */
#define MOAT_PARSE_MAX_DEPTH 16		 /* nested includes */
#define MOAT_PARSE_MAX_SOURCES 256	 /* files and groups read by one parse */
#define MOAT_PARSE_MAX_ERRORS 50	 /* diagnostics before giving up */
#define MOAT_PARSE_MAX_RULES (1u << 20)	 /* rules in one policy */
#define MOAT_PARSE_MAX_ALTS 256		 /* alternatives after expanding || */
#define MOAT_PARSE_MAX_CMPS 64		 /* comparisons joined by && */
#define MOAT_PARSE_MAX_SET 1024		 /* values in one in {...} */
#define MOAT_PARSE_MAX_VALUES (1u << 20) /* set values in all rules, after expansion */
#define MOAT_PARSE_MAX_NEST 32		 /* nested parentheses */
#define MOAT_PARSE_MAX_NAME 128		 /* syscall, constant, keyword names */

/*
 * Edit distance (insert, delete, replace, swap of neighbours) for "did you
 * mean"; any value above MAX is returned as MAX + 1. Long names get UINT_MAX.
 */
unsigned moat_edit_distance(const char *a, size_t alen, const char *b, unsigned max);

#include <stdbool.h>
#include <stddef.h>

struct moat_parse_opts;
struct moat_policy;
struct moat_diags;
/*
 * Parses TEXT, read from NAME (diagnostics, locations, relative includes);
 * KEY (realpath, may be NULL) lets an include of NAME itself be seen as a cycle.
 * A NAME starting with '@' is a built-in group. Unless KEEP_ALL_GROUP_RULES,
 * rules from groups for syscalls absent on all the policy's arches are dropped.
 */
int moat_parse_text(const char *name, const char *text, size_t len, const char *key,
		    const struct moat_parse_opts *opts, bool keep_all_group_rules,
		    struct moat_policy **out, struct moat_diags *diags);

#endif
