/* SPDX-License-Identifier: MIT */
/*
 * moat check: a linter for policies. Each finding has a stable id, a
 * severity (error / warning / note, as enum moat_diag_level), a one-line
 * message, an explanation and the location of the rule (or default) that
 * causes it. docs/check.md lists every finding.
 */
#ifndef MOAT_CHECK_H
#define MOAT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "moat/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

struct moat_finding {
	const char *id;	     /* "allow-by-default", "dangerous-syscall", ... (static) */
	int severity;	     /* enum moat_diag_level */
	char *syscall;	     /* the syscall concerned, or NULL */
	char *msg;	     /* one line */
	const char *why;     /* explanation (static) */
	struct moat_loc loc; /* the causing rule or default; file NULL when none */
};

struct moat_findings {
	struct moat_finding *v;
	size_t n, cap;
	size_t nerrors;
};

struct moat_check_opts {
	/*
	 * The container default to compare with (e.g. Podman's profile, imported);
	 * NULL: no comparison.
	 */
	const struct moat_policy *baseline;
	const char *baseline_name; /* for messages ("Podman's default") */
};

void moat_findings_init(struct moat_findings *f);
void moat_findings_free(struct moat_findings *f);

/*
 * Lints P. Validation problems (contradictions, shadowed rules, ...) are
 * reported as findings too. 0 or -ENOMEM; the number of error findings is
 * out->nerrors.
 */
int moat_policy_check(const struct moat_policy *p, const struct moat_check_opts *opts,
		      struct moat_findings *out);

/*
 * The action P takes for SYSCALL with ARGS (first matching rule, else the
 * default). *rule is the deciding rule's index, or -1 for the default.
 */
struct moat_action moat_policy_decide(const struct moat_policy *p, const char *syscall,
				      const uint64_t args[6], long *rule);

/*
 * Arguments that satisfy R's comparisons (for each argument the first
 * comparison on it picks the value; others on the same argument may then
 * fail). Used to probe a rule: check, diff.
 */
void moat_rule_witness(const struct moat_rule *r, uint64_t args[6]);

#ifdef __cplusplus
}
#endif
#endif
