// SPDX-License-Identifier: MIT
/* Where a verdict comes from: a rule's file:line and text, or a default. */
#include <stdlib.h>
#include <string.h>

#include "cli/origin.h"
#include "moat/util.h"

static const struct moat_loc *origin_loc(const struct moat_policy *p, struct moat_origin o)
{
	switch (o.kind) {
	case MOAT_ORIGIN_RULE:
		return o.rule < p->nrules ? &p->rules[o.rule].loc : NULL;
	case MOAT_ORIGIN_DEFAULT:
		return &p->default_loc;
	case MOAT_ORIGIN_UNKNOWN:
		return &p->unknown_loc;
	case MOAT_ORIGIN_BADARCH:
	case MOAT_ORIGIN_X32:
		return &p->badarch_loc;
	default:
		return NULL;
	}
}

void cli_origin_short(const struct moat_policy *p, struct moat_origin o, char *buf, size_t size)
{
	static const char *const what[] = {
		"", "rule", "default", "unknown syscall", "foreign arch", "x32 syscall"
	};
	const struct moat_loc *l = origin_loc(p, o);
	const char *w = o.kind < sizeof(what) / sizeof(what[0]) ? what[o.kind] : "?";

	if (o.kind == MOAT_ORIGIN_RULE && o.rule < p->nrules) {
		/* Rules with the same verdict share a ret: say how many. */
		uint32_t k = moat_action_ret(p->rules[o.rule].action);
		size_t more = 0;

		for (size_t r = 0; r < p->nrules; r++)
			more += r != o.rule && moat_action_ret(p->rules[r].action) == k;
		if (more && l && l->file && l->line)
			snprintf(buf, size, "rules %s:%u (+%zu more)", l->file, l->line, more);
		else if (more)
			snprintf(buf, size, "rules #%u (+%zu more)", o.rule + 1, more);
		else if (l && l->file && l->line)
			snprintf(buf, size, "rule %s:%u", l->file, l->line);
		else
			snprintf(buf, size, "rule #%u (%s)", o.rule + 1, p->rules[o.rule].syscall);
		return;
	}
	if (l && l->file && l->line)
		snprintf(buf, size, "%s %s:%u", w, l->file, l->line);
	else if (o.kind == MOAT_ORIGIN_RULE)
		snprintf(buf, size, "rule #%u (%s)", o.rule + 1,
			 o.rule < p->nrules ? p->rules[o.rule].syscall : "?");
	else
		snprintf(buf, size, "%s", w);
}

/* Line LINE of FILE, malloc'd without its newline; NULL when unreadable. */
static char *source_line(const char *file, uint32_t line)
{
	char *data, *s, *e, *out = NULL;
	size_t len;

	if (!file || !line || moat_read_file(file, 0, &data, &len))
		return NULL;
	s = data;
	for (uint32_t i = 1; i < line && s; i++) {
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	if (s) {
		e = strchr(s, '\n');
		out = strndup(s, e ? (size_t)(e - s) : strlen(s));
	}
	free(data);
	return out;
}

static void print_rule(FILE *f, const struct moat_rule *r)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=", "&", "in" };
	char act[64];

	moat_action_format(r->action, act, sizeof(act));
	fprintf(f, "%s %s", act, r->syscall);
	for (uint32_t i = 0; i < r->ncmps; i++) {
		const struct moat_cmp *c = &r->cmps[i];

		fprintf(f, "%s arg%u %s ", i ? " &&" : " if", c->arg,
			c->op < sizeof(ops) / sizeof(ops[0]) ? ops[c->op] : "?");
		if (c->op == MOAT_OP_MASKED_EQ) {
			fprintf(f, "%#llx == %#llx", (unsigned long long)c->mask,
				(unsigned long long)c->value);
		} else if (c->op == MOAT_OP_IN) {
			for (uint32_t j = 0; j < c->nset; j++)
				fprintf(f, "%s%#llx", j ? ", " : "{",
					(unsigned long long)c->set[j]);
			fputc('}', f);
		} else {
			fprintf(f, "%#llx", (unsigned long long)c->value);
		}
	}
}

void cli_origin_print(FILE *f, const struct moat_policy *p, struct moat_origin o)
{
	const struct moat_loc *l = origin_loc(p, o);
	char *text = l ? source_line(l->file, l->line) : NULL;
	char where[512];

	if (o.kind == MOAT_ORIGIN_RULE && l && l->file && l->line)
		snprintf(where, sizeof(where), "rule %s:%u", l->file, l->line);
	else if (o.kind == MOAT_ORIGIN_RULE)
		snprintf(where, sizeof(where), "rule #%u", o.rule + 1);
	else
		cli_origin_short(p, o, where, sizeof(where));
	if (text) {
		const char *t = text + strspn(text, " \t");

		fprintf(f, "  %s: %s\n", where, t);
		free(text);
	} else if (o.kind == MOAT_ORIGIN_RULE && o.rule < p->nrules) {
		fprintf(f, "  %s: ", where);
		print_rule(f, &p->rules[o.rule]);
		fputc('\n', f);
	} else {
		fprintf(f, "  %s\n", where);
	}
}

int cli_parse_opt_level(const char *arg, struct moat_compile_opts *opts)
{
	if (!strcmp(arg, "-O0") || !strcmp(arg, "-O1") || !strcmp(arg, "-O2")) {
		opts->optimize = arg[2] - '0';
		return 1;
	}
	if (!strcmp(arg, "--linear")) {
		opts->linear = true;
		return 1;
	}
	return 0;
}
