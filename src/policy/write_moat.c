// SPDX-License-Identifier: MIT
/*
 * The .moat writer: a readable, deterministic rendering of a policy that
 * parses back into an equal policy (tests/unit/test_parse.c checks both).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moat/policy.h"

/* Lines of syscalls are wrapped near this width. */
#define LINE_WIDTH 100

static void put_value(FILE *f, uint64_t v)
{
	/* Small negative numbers (AT_FDCWD is -100) read better signed. */
	if ((int64_t)v < 0 && (int64_t)v >= -4096)
		fprintf(f, "-%" PRIu64, (uint64_t)0 - v);
	else if (v < 256)
		fprintf(f, "%" PRIu64, v);
	else
		fprintf(f, "0x%" PRIx64, v);
}

static void put_cmp(FILE *f, const struct moat_cmp *c)
{
	static const char *const ops[] = {
		[MOAT_OP_EQ] = "==", [MOAT_OP_NE] = "!=", [MOAT_OP_LT] = "<",
		[MOAT_OP_LE] = "<=", [MOAT_OP_GT] = ">",  [MOAT_OP_GE] = ">=",
	};

	fprintf(f, "arg%u ", c->arg);
	switch (c->op) {
	case MOAT_OP_MASKED_EQ:
		fprintf(f, "& 0x%" PRIx64 " == ", c->mask);
		put_value(f, c->value);
		break;
	case MOAT_OP_IN:
		fputs("in {", f);
		for (uint32_t i = 0; i < c->nset; i++) {
			if (i)
				fputs(", ", f);
			put_value(f, c->set[i]);
		}
		fputc('}', f);
		break;
	default:
		fprintf(f, "%s ", c->op < MOAT_OP_MASKED_EQ ? ops[c->op] : "?");
		put_value(f, c->value);
		break;
	}
}

static bool cmps_equal(const struct moat_rule *a, const struct moat_rule *b)
{
	if (a->ncmps != b->ncmps)
		return false;
	for (uint32_t i = 0; i < a->ncmps; i++) {
		const struct moat_cmp *x = &a->cmps[i], *y = &b->cmps[i];

		if (x->arg != y->arg || x->op != y->op)
			return false;
		if (x->op == MOAT_OP_IN) {
			if (x->nset != y->nset || memcmp(x->set, y->set, x->nset * sizeof(*x->set)))
				return false;
		} else if (x->value != y->value ||
			   (x->op == MOAT_OP_MASKED_EQ && x->mask != y->mask)) {
			return false;
		}
	}
	return true;
}

/* Rules that can share one line: same action, condition and comment. */
static bool same_line(const struct moat_rule *a, const struct moat_rule *b)
{
	if (!moat_action_equal(a->action, b->action) || !cmps_equal(a, b))
		return false;
	/* A comment speaks of its own rule (e.g. its count): never shared. */
	return a == b || (!a->comment && !b->comment);
}

static void put_comment(FILE *f, const char *c)
{
	if (!c || !*c)
		return;
	fputs("  # ", f);
	/* A comment stays on its line: a newline would start a statement. */
	for (; *c; c++)
		fputc(*c == '\n' || *c == '\r' ? ' ' : *c, f);
}

static void put_condition(FILE *f, const struct moat_rule *r)
{
	if (!r->ncmps)
		return;
	fputs(" if ", f);
	for (uint32_t i = 0; i < r->ncmps; i++) {
		if (i)
			fputs(" && ", f);
		put_cmp(f, &r->cmps[i]);
	}
}

static void put_action_line(FILE *f, const char *kw, struct moat_action a)
{
	char buf[64];

	moat_action_format(a, buf, sizeof(buf));
	fprintf(f, "%s %s\n", kw, buf);
}

int moat_policy_to_moat(const struct moat_policy *p, char **out)
{
	static const char *const flag_names[] = { "log", "spec-allow", "wait-killable", "tsync" };
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	if (!p || !out)
		return -EINVAL;
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	put_action_line(f, "default", p->default_action);
	put_action_line(f, "unknown", p->unknown_action);
	if (p->badarch_action.kind != MOAT_ACT_KILL_PROCESS)
		put_action_line(f, "badarch", p->badarch_action);
	if (p->arches) {
		fputs("arch", f);
		for (int a = 0; a < MOAT_ARCH__COUNT; a++)
			if (p->arches & MOAT_ARCH_BIT(a))
				fprintf(f, " %s", moat_arch_name(a));
		fputc('\n', f);
	}
	if (p->flags) {
		fputs("flags", f);
		for (unsigned i = 0; i < 4; i++)
			if (p->flags & (1u << i))
				fprintf(f, " %s", flag_names[i]);
		fputc('\n', f);
	}
	if (p->nrules)
		fputc('\n', f);
	for (size_t i = 0; i < p->nrules;) {
		const struct moat_rule *r = &p->rules[i];
		char act[64];
		size_t j = i, width;

		moat_action_format(r->action, act, sizeof(act));
		fputs(act, f);
		width = strlen(act);
		/* Consecutive rules keep their order when they share a line. */
		for (; j < p->nrules && same_line(r, &p->rules[j]); j++) {
			size_t w = strlen(p->rules[j].syscall) + 1;

			if (j > i && !r->ncmps && width + w > LINE_WIDTH) {
				put_comment(f, r->comment);
				fprintf(f, "\n%s", act);
				width = strlen(act);
			}
			fprintf(f, " %s", p->rules[j].syscall);
			width += w;
		}
		put_condition(f, r);
		put_comment(f, r->comment);
		fputc('\n', f);
		i = j;
	}
	if (p->nfreq)
		fputc('\n', f);
	for (size_t i = 0; i < p->nfreq; i++)
		fprintf(f, "freq %s %" PRIu64 "\n", p->freq[i].syscall, p->freq[i].count);
	if (fclose(f) || !buf) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}
