// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the .moat parser and writer: any input must parse or
 * fail with diagnostics (never crash or leak), and whatever parses must write
 * back as text that parses into the same policy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "moat/policy.h"

static int same_cmp(const struct moat_cmp *a, const struct moat_cmp *b)
{
	if (a->arg != b->arg || a->op != b->op)
		return 0;
	if (a->op == MOAT_OP_IN)
		return a->nset == b->nset && !memcmp(a->set, b->set, a->nset * sizeof(*a->set));
	return a->value == b->value && (a->op != MOAT_OP_MASKED_EQ || a->mask == b->mask);
}

static int same_policy(const struct moat_policy *a, const struct moat_policy *b)
{
	if (!moat_action_equal(a->default_action, b->default_action) ||
	    !moat_action_equal(a->unknown_action, b->unknown_action) ||
	    !moat_action_equal(a->badarch_action, b->badarch_action) || a->arches != b->arches ||
	    a->flags != b->flags || a->nrules != b->nrules || a->nfreq != b->nfreq)
		return 0;
	for (size_t i = 0; i < a->nrules; i++) {
		const struct moat_rule *x = &a->rules[i], *y = &b->rules[i];

		if (strcmp(x->syscall, y->syscall) || !moat_action_equal(x->action, y->action) ||
		    x->ncmps != y->ncmps)
			return 0;
		for (uint32_t k = 0; k < x->ncmps; k++)
			if (!same_cmp(&x->cmps[k], &y->cmps[k]))
				return 0;
	}
	for (size_t i = 0; i < a->nfreq; i++)
		if (strcmp(a->freq[i].syscall, b->freq[i].syscall) ||
		    a->freq[i].count != b->freq[i].count)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct moat_policy *p = NULL, *q = NULL;
	struct moat_diags d;
	char *text = NULL;

	moat_diags_init(&d);
	/* A directory that does not exist: relative includes find nothing. */
	if (moat_policy_parse_string("/nonexistent/fuzz.moat", (const char *)data, size, NULL, &p,
				     &d) == 0) {
		if (d.n)
			abort(); /* success never comes with errors */
		if (moat_policy_to_moat(p, &text))
			abort();
		if (moat_policy_parse_string("/nonexistent/out.moat", text, strlen(text), NULL, &q,
					     &d) ||
		    !same_policy(p, q))
			abort();
	} else if (!d.nerrors) {
		abort(); /* every failure says why */
	}
	for (size_t i = 0; i < d.n; i++) {
		char *s;

		if (moat_diag_format(&d.v[i], &s) == 0)
			free(s);
	}
	free(text);
	moat_policy_free(p);
	moat_policy_free(q);
	moat_diags_free(&d);
	return 0;
}
