/* SPDX-License-Identifier: MIT */
/*
 * moat diff: where two policies decide differently. Both are compiled and
 * run in the simulator, per architecture and syscall number, over witness
 * arguments (zeros, all ones, one vector per rule of either policy for that
 * syscall), plus a number beyond the table (unknown), an x32 number on
 * x86_64 and a foreign architecture (badarch). docs/diff.md.
 */
#ifndef MOAT_DIFF_H
#define MOAT_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "moat/compile.h"
#include "moat/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

enum moat_diff_kind {
	MOAT_DIFF_SYSCALL = 0, /* a named syscall (maybe for some arguments only) */
	MOAT_DIFF_UNKNOWN,     /* a number the table does not know */
	MOAT_DIFF_X32,	       /* an x32 number on x86_64 */
	MOAT_DIFF_BADARCH,     /* an architecture neither policy names */
	MOAT_DIFF_ARCH,	       /* an architecture only one policy covers (syscall 0, zeros) */
};

struct moat_difference {
	uint32_t kind;		/* enum moat_diff_kind */
	uint32_t arches;	/* MOAT_ARCH_BIT set where it shows (0 for BADARCH) */
	char *syscall;		/* SYSCALL and X32: the name; else NULL */
	uint64_t args[6];	/* arguments that show it */
	bool args_matter;	/* false when every witness differs the same way */
	uint32_t ret[2];	/* SECCOMP_RET_* of A and B */
	struct moat_loc loc[2]; /* the deciding rule or default of A and B */
};

struct moat_diff {
	struct moat_difference *v;
	size_t n, cap;
};

void moat_diff_init(struct moat_diff *d);
void moat_diff_free(struct moat_diff *d);

/*
 * Differences between A and B (by meaning, not by text). 0, -ENOMEM, or the
 * error of compiling A or B (diagnostics in DIAGS).
 */
int moat_policy_diff(const struct moat_policy *a, const struct moat_policy *b,
		     struct moat_diff *out, struct moat_diags *diags);

#ifdef __cplusplus
}
#endif
#endif
