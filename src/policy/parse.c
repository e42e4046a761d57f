// SPDX-License-Identifier: MIT
/*
 * Parser of the .moat policy language (docs/policy-language.md).
 *
 * One statement per line. Each line is parsed completely before anything is
 * added to the policy, so a line with an error adds nothing and parsing
 * resumes on the next line: several errors are reported per file. Conditions
 * are expanded into disjunctive normal form (the model's rules are ANDs of
 * comparisons; `||` becomes several rules with the same action and location).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "moat/decode.h"
#include "moat/groups.h"
#include "moat/policy.h"
#include "moat/util.h"
#include "policy/lexer.h"
#include "policy/parse.h"
#include "syscalls/tables.h"

/* A file or a built-in group being read; parent is the includer. */
struct src {
	const char *name; /* shown in diagnostics and rule locations */
	char *dir;	  /* directory for relative includes; NULL for groups */
	char *key;	  /* realpath or "@group": include-cycle detection */
	bool is_group;
	const char *text;
	size_t len, pos;
	uint32_t lineno;
	char *line; /* the current line, NUL-terminated (diagnostics show it) */
	size_t line_cap;
	struct src *parent;
};

struct parser {
	struct moat_policy *p;
	struct moat_diags *d;
	const struct moat_parse_opts *opts;
	unsigned nsources;
	size_t nerrors;
	int err; /* -ENOMEM: stop everything */
	bool stop;
	/* Per rule: did it come from a built-in group? (see drop_foreign_group_rules) */
	bool *from_group;
	size_t from_group_cap;
	struct moat_policy **gcache; /* parsed groups, by index in the group table */
	size_t nvalues;		     /* set values stored in rules so far */
};

/* A comparison with the place it was written, for diagnostics. */
struct ccmp {
	struct moat_cmp c;
	uint32_t col, len;
};

struct conj {
	struct ccmp *v;
	uint32_t n;
};

/* OR of ANDs. */
struct dnf {
	struct conj *v;
	uint32_t n;
};

/* State of one statement (one line). */
struct stmt {
	struct parser *ps;
	struct src *src;
	struct moat_lexer lx;
	struct moat_tok tok;  /* current token */
	struct moat_tok prev; /* last consumed token */
	bool failed;
	size_t first_rule; /* rules from this statement start here */
	/* in {...} sets of this statement: struct ccmp points into them. */
	uint64_t **sets;
	size_t nsets;
};

static void parse_source(struct parser *ps, struct src *src);
static bool dedupe_group_rules(struct parser *ps, size_t first);

/* ---- Diagnostics ---- */

static char *include_chain(const struct src *src)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	if (!src->parent)
		return NULL;
	f = open_memstream(&buf, &size);
	if (!f)
		return NULL;
	for (const struct src *s = src->parent; s; s = s->parent)
		fprintf(f, "  included from %s:%u\n", s->name, s->lineno);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void vreport(struct parser *ps, const struct src *src, uint32_t col, uint32_t len,
		    const char *fmt, va_list ap)
{
	char *msg = NULL, *chain;
	int err;

	if (ps->stop)
		return;
	ps->nerrors++;
	if (ps->nerrors > MOAT_PARSE_MAX_ERRORS) {
		err = moat_diags_add(ps->d, MOAT_DIAG_ERROR, src->name, 0, 0, 0, NULL, NULL,
				     "too many errors (more than %d), giving up",
				     MOAT_PARSE_MAX_ERRORS);
		if (err)
			ps->err = err;
		ps->stop = true;
		return;
	}
	if (vasprintf(&msg, fmt, ap) < 0) {
		ps->err = -ENOMEM;
		ps->stop = true;
		return;
	}
	chain = include_chain(src);
	err = moat_diags_add(ps->d, MOAT_DIAG_ERROR, src->name, src->lineno, col, len, src->line,
			     chain, "%s", msg);
	free(chain);
	free(msg);
	if (err) {
		ps->err = err;
		ps->stop = true;
	}
}

static void __attribute__((format(printf, 4, 5)))
error_at(struct stmt *st, uint32_t col, uint32_t len, const char *fmt, ...)
{
	va_list ap;

	/* One error per statement: the rest of the line is not trustworthy. */
	if (st->failed)
		return;
	st->failed = true;
	va_start(ap, fmt);
	vreport(st->ps, st->src, col, len, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
error_tok(struct stmt *st, const struct moat_tok *t, const char *fmt, ...)
{
	va_list ap;

	if (st->failed)
		return;
	st->failed = true;
	va_start(ap, fmt);
	vreport(st->ps, st->src, t->col, t->len ? t->len : 1, fmt, ap);
	va_end(ap);
}

/* ---- "Did you mean": edit distance against known names ---- */

unsigned moat_edit_distance(const char *a, size_t alen, const char *b, unsigned max)
{
	size_t blen = strlen(b);
	/* Three rows: a swap of two neighbours counts as one edit ("opne"). */
	unsigned r0[MOAT_PARSE_MAX_NAME + 1], r1[MOAT_PARSE_MAX_NAME + 1],
		r2[MOAT_PARSE_MAX_NAME + 1];
	unsigned *pp = r0, *prev = r1, *cur = r2;

	if (alen > MOAT_PARSE_MAX_NAME || blen > MOAT_PARSE_MAX_NAME)
		return UINT_MAX;
	for (size_t j = 0; j <= blen; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= alen; i++) {
		unsigned *t;

		unsigned row_min = (unsigned)i;

		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= blen; j++) {
			unsigned best = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			cur[j] = best;
			if (best < row_min)
				row_min = best;
		}
		/* Distances never shrink down the rows: stop once all exceed MAX. */
		if (row_min > max)
			return max + 1;
		t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[blen];
}

struct suggest {
	const char *s;
	size_t len;
	const char *best;
	unsigned dist;
};

static void suggest_init(struct suggest *sg, const char *s, size_t len)
{
	sg->s = s;
	sg->len = len;
	sg->best = NULL;
	/* Close enough to be a typo: a third of the name, at least one edit. */
	sg->dist = (len <= 3 ? 1 : (unsigned)len / 3) + 1;
}

static void suggest_try(struct suggest *sg, const char *cand)
{
	size_t clen = strlen(cand);
	unsigned d;

	/* The length difference alone is a lower bound of the distance. */
	if ((clen > sg->len ? clen - sg->len : sg->len - clen) >= sg->dist)
		return;
	d = moat_edit_distance(sg->s, sg->len, cand, sg->dist);

	if (d < sg->dist) {
		sg->dist = d;
		sg->best = cand;
	}
}

/* " (did you mean 'x'?)" or "" — PREFIX is "" or "@". */
static const char *suggestion(const struct suggest *sg, const char *prefix, char *buf, size_t size)
{
	if (!sg->best)
		return "";
	snprintf(buf, size, " (did you mean '%s%s'?)", prefix, sg->best);
	return buf;
}

/* ---- Tokens ---- */

static void advance(struct stmt *st)
{
	st->prev = st->tok;
	moat_lex_next(&st->lx, &st->tok);
}

/* An invalid token: the lexer's reason, and the character when it is one. */
static void bad_token(struct stmt *st, const struct moat_tok *t)
{
	unsigned char c = (unsigned char)t->s[0];

	if (strcmp(t->err, "unexpected character"))
		error_tok(st, t, "%s", t->err);
	else if (c > 0x20 && c < 0x7f)
		error_tok(st, t, "unexpected character '%c'", c);
	else
		error_tok(st, t, "unexpected character 0x%02x", c);
}

/* Reports the current token as unexpected, with WHAT was expected. */
static void unexpected(struct stmt *st, const char *what)
{
	const struct moat_tok *t = &st->tok;

	if (t->kind == MOAT_T_ERR)
		bad_token(st, t);
	else if (t->kind == MOAT_T_EOL)
		error_at(st, (uint32_t)st->lx.len + 1, 1, "expected %s, found end of line", what);
	else
		error_tok(st, t, "expected %s, found '%.*s'", what, (int)t->len, t->s);
}

static bool expect_eol(struct stmt *st)
{
	if (st->tok.kind == MOAT_T_EOL)
		return true;
	if (st->tok.kind == MOAT_T_ERR)
		bad_token(st, &st->tok);
	else
		error_tok(st, &st->tok, "unexpected '%.*s' at the end of the statement",
			  (int)st->tok.len, st->tok.s);
	return false;
}

/* Copies an identifier into BUF (NUL-terminated); false if too long. */
static bool tok_name(struct stmt *st, const struct moat_tok *t, char *buf, size_t size)
{
	if (t->slen >= size) {
		error_tok(st, t, "name too long (more than %zu characters)", size - 1);
		return false;
	}
	memcpy(buf, t->s, t->slen);
	buf[t->slen] = 0;
	return true;
}

/* ---- Values ---- */

static bool parse_atom(struct stmt *st, const char *after, uint64_t *v)
{
	struct moat_tok *t = &st->tok;
	char name[MOAT_PARSE_MAX_NAME + 1], sbuf[MOAT_PARSE_MAX_NAME + 40];
	struct suggest sg;

	if (t->kind == MOAT_T_NUM) {
		*v = t->num;
		advance(st);
		return true;
	}
	if (t->kind != MOAT_T_IDENT) {
		char what[64];

		snprintf(what, sizeof(what), "a number or a constant after %s", after);
		unexpected(st, what);
		return false;
	}
	if (!tok_name(st, t, name, sizeof(name)))
		return false;
	if (moat_const_lookup(name, v) == 0) {
		advance(st);
		return true;
	}
	suggest_init(&sg, t->s, t->slen);
	for (size_t i = 0; i < moat_consts_gen_count; i++)
		suggest_try(&sg, moat_consts_gen[i].name);
	error_tok(st, t, "unknown constant '%s'%s", name, suggestion(&sg, "", sbuf, sizeof(sbuf)));
	return false;
}

/* value := atom ('|' atom)*   e.g. O_WRONLY|O_CREAT */
static bool parse_value(struct stmt *st, const char *after, uint64_t *out)
{
	uint64_t v = 0, x;

	if (!parse_atom(st, after, &x))
		return false;
	v = x;
	while (st->tok.kind == MOAT_T_PIPE) {
		advance(st);
		if (!parse_atom(st, "'|'", &x))
			return false;
		v |= x;
	}
	*out = v;
	return true;
}

/* ---- Conditions ---- */

static void dnf_free(struct dnf *d)
{
	for (uint32_t i = 0; i < d->n; i++)
		free(d->v[i].v);
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

static bool nomem(struct stmt *st)
{
	st->ps->err = -ENOMEM;
	st->ps->stop = true;
	st->failed = true;
	return false;
}

static bool dnf_single(struct stmt *st, const struct ccmp *c, struct dnf *out)
{
	out->v = calloc(1, sizeof(*out->v));
	if (!out->v)
		return nomem(st);
	out->v[0].v = malloc(sizeof(*c));
	if (!out->v[0].v) {
		free(out->v);
		out->v = NULL;
		return nomem(st);
	}
	out->v[0].v[0] = *c;
	out->v[0].n = 1;
	out->n = 1;
	return true;
}

/* A ||= B (B is consumed). */
static bool dnf_or(struct stmt *st, struct dnf *a, struct dnf *b, const struct moat_tok *op)
{
	struct conj *v;

	if (a->n + b->n > MOAT_PARSE_MAX_ALTS) {
		error_tok(st, op, "condition too complex (more than %d alternatives)",
			  MOAT_PARSE_MAX_ALTS);
		dnf_free(b);
		return false;
	}
	v = realloc(a->v, (a->n + b->n) * sizeof(*v));
	if (!v) {
		dnf_free(b);
		return nomem(st);
	}
	memcpy(v + a->n, b->v, b->n * sizeof(*v));
	a->v = v;
	a->n += b->n;
	free(b->v);
	b->v = NULL;
	b->n = 0;
	return true;
}

/* A = A && B, distributed: (a1 || a2) && (b1 || b2) = a1b1 || a1b2 || a2b1 || a2b2. */
static bool dnf_and(struct stmt *st, struct dnf *a, struct dnf *b, const struct moat_tok *op)
{
	struct dnf r = { 0 };
	bool ok = true;

	if ((uint64_t)a->n * b->n > MOAT_PARSE_MAX_ALTS) {
		error_tok(st, op, "condition too complex (more than %d alternatives)",
			  MOAT_PARSE_MAX_ALTS);
		ok = false;
		goto out;
	}
	r.v = calloc((size_t)a->n * b->n, sizeof(*r.v));
	if (!r.v) {
		ok = nomem(st);
		goto out;
	}
	for (uint32_t i = 0; i < a->n; i++) {
		for (uint32_t j = 0; j < b->n; j++) {
			struct conj *c = &r.v[r.n];
			uint32_t n = a->v[i].n + b->v[j].n;

			if (n > MOAT_PARSE_MAX_CMPS) {
				error_tok(st, op,
					  "condition too complex (more than %d comparisons "
					  "joined by '&&')",
					  MOAT_PARSE_MAX_CMPS);
				ok = false;
				goto out;
			}
			c->v = malloc(n * sizeof(*c->v));
			if (!c->v) {
				ok = nomem(st);
				goto out;
			}
			memcpy(c->v, a->v[i].v, a->v[i].n * sizeof(*c->v));
			memcpy(c->v + a->v[i].n, b->v[j].v, b->v[j].n * sizeof(*c->v));
			c->n = n;
			r.n++;
		}
	}
out:
	dnf_free(b);
	dnf_free(a);
	if (ok)
		*a = r;
	else
		dnf_free(&r);
	return ok;
}

static bool keep_set(struct stmt *st, uint64_t *set)
{
	uint64_t **v = realloc(st->sets, (st->nsets + 1) * sizeof(*v));

	if (!v) {
		free(set);
		return nomem(st);
	}
	st->sets = v;
	st->sets[st->nsets++] = set;
	return true;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool parse_set(struct stmt *st, struct ccmp *out)
{
	uint64_t *set = NULL;
	uint32_t n = 0, cap = 0;
	struct moat_tok open;

	if (st->tok.kind != MOAT_T_LBRACE) {
		unexpected(st, "'{' after 'in'");
		return false;
	}
	open = st->tok;
	advance(st);
	if (st->tok.kind == MOAT_T_RBRACE) {
		error_at(st, open.col, st->tok.col + 1 - open.col,
			 "empty set: the condition could never be true");
		return false;
	}
	for (;;) {
		uint64_t v;

		if (!parse_value(st, n ? "','" : "'{'", &v))
			goto fail;
		if (n == cap) {
			uint64_t *nv;

			if (n >= MOAT_PARSE_MAX_SET) {
				error_tok(st, &st->prev, "set too large (more than %d values)",
					  MOAT_PARSE_MAX_SET);
				goto fail;
			}
			cap = cap ? cap * 2 : 8;
			nv = realloc(set, cap * sizeof(*nv));
			if (!nv) {
				nomem(st);
				goto fail;
			}
			set = nv;
		}
		set[n++] = v;
		if (st->tok.kind == MOAT_T_COMMA) {
			advance(st);
			/* A trailing comma before '}' is fine. */
			if (st->tok.kind == MOAT_T_RBRACE)
				break;
			continue;
		}
		if (st->tok.kind == MOAT_T_RBRACE)
			break;
		if (st->tok.kind == MOAT_T_EOL)
			error_at(st, open.col, (uint32_t)st->lx.len + 1 - open.col,
				 "unterminated set: expected '}'");
		else
			unexpected(st, "',' or '}' in the set");
		goto fail;
	}
	advance(st);
	/* Sorted and unique, as the model keeps them: lookups are binary searches. */
	qsort(set, n, sizeof(*set), cmp_u64);
	cap = 0;
	for (uint32_t i = 0; i < n; i++)
		if (!cap || set[cap - 1] != set[i])
			set[cap++] = set[i];
	n = cap;
	out->c.op = MOAT_OP_IN;
	out->c.nset = n;
	out->c.set = set;
	return keep_set(st, set);
fail:
	free(set);
	return false;
}

static bool parse_cmp(struct stmt *st, struct ccmp *out)
{
	struct moat_tok a = st->tok, op;
	uint64_t mask = 0, v;
	unsigned long idx;
	char opname[8];

	memset(out, 0, sizeof(*out));
	if (a.kind != MOAT_T_IDENT || a.slen < 4 || memcmp(a.s, "arg", 3) ||
	    strspn(a.s + 3, "0123456789") != a.slen - 3) {
		unexpected(st, "a comparison of an argument (arg0 to arg5)");
		return false;
	}
	idx = a.slen - 3 > 3 ? 1000 : strtoul(a.s + 3, NULL, 10);
	if (idx > 5) {
		error_tok(st, &a, "no argument '%.*s': seccomp sees six arguments, arg0 to arg5",
			  (int)a.slen, a.s);
		return false;
	}
	out->c.arg = (uint8_t)idx;
	out->col = a.col;
	advance(st);
	if (st->tok.kind == MOAT_T_AMP) {
		advance(st);
		if (!parse_value(st, "'&'", &mask))
			return false;
		out->c.mask = mask;
		op = st->tok;
		if (op.kind != MOAT_T_EQ && op.kind != MOAT_T_NE) {
			unexpected(st, "'==' or '!=' after the mask");
			return false;
		}
		advance(st);
		if (!parse_value(st, op.kind == MOAT_T_EQ ? "'=='" : "'!='", &v))
			return false;
		if (v & ~mask) {
			error_at(st, a.col, st->prev.col + st->prev.len - a.col,
				 "the value has bits outside the mask: the comparison is %s",
				 op.kind == MOAT_T_EQ ? "never true" : "always true");
			return false;
		}
		if (op.kind == MOAT_T_NE) {
			/*
			 * seccomp's masked test is an equality; != of one bit is
			 * the == of the other value of that bit.
			 */
			if (!mask || (mask & (mask - 1))) {
				error_tok(st, &op,
					  "'!=' after a mask needs a single-bit mask; "
					  "write the alternatives with '||'");
				return false;
			}
			v ^= mask;
		}
		out->c.op = MOAT_OP_MASKED_EQ;
		out->c.value = v;
		out->len = st->prev.col + st->prev.len - a.col;
		return true;
	}
	op = st->tok;
	switch (op.kind) {
	case MOAT_T_EQ:
		out->c.op = MOAT_OP_EQ;
		break;
	case MOAT_T_NE:
		out->c.op = MOAT_OP_NE;
		break;
	case MOAT_T_LT:
		out->c.op = MOAT_OP_LT;
		break;
	case MOAT_T_LE:
		out->c.op = MOAT_OP_LE;
		break;
	case MOAT_T_GT:
		out->c.op = MOAT_OP_GT;
		break;
	case MOAT_T_GE:
		out->c.op = MOAT_OP_GE;
		break;
	default:
		if (moat_tok_is(&op, "in")) {
			advance(st);
			out->col = a.col;
			if (!parse_set(st, out))
				return false;
			out->col = a.col;
			out->len = st->prev.col + st->prev.len - a.col;
			return true;
		}
		unexpected(st, "a comparison operator (== != < <= > >= & in)");
		return false;
	}
	advance(st);
	snprintf(opname, sizeof(opname), "'%.*s'", (int)op.len, op.s);
	if (!parse_value(st, opname, &v))
		return false;
	out->c.value = v;
	out->len = st->prev.col + st->prev.len - a.col;
	return true;
}

static bool parse_or(struct stmt *st, struct dnf *out, int depth);

static bool parse_primary(struct stmt *st, struct dnf *out, int depth)
{
	struct ccmp c;

	if (st->tok.kind == MOAT_T_LPAREN) {
		struct moat_tok open = st->tok;

		if (depth >= MOAT_PARSE_MAX_NEST) {
			error_tok(st, &open, "parentheses nested too deeply (more than %d)",
				  MOAT_PARSE_MAX_NEST);
			return false;
		}
		advance(st);
		if (!parse_or(st, out, depth + 1))
			return false;
		if (st->tok.kind != MOAT_T_RPAREN) {
			if (st->tok.kind == MOAT_T_EOL)
				error_tok(st, &open, "unbalanced '(': expected ')'");
			else
				unexpected(st, "')', '&&' or '||'");
			dnf_free(out);
			return false;
		}
		advance(st);
		return true;
	}
	if (!parse_cmp(st, &c))
		return false;
	return dnf_single(st, &c, out);
}

static bool parse_and(struct stmt *st, struct dnf *out, int depth)
{
	if (!parse_primary(st, out, depth))
		return false;
	while (st->tok.kind == MOAT_T_ANDAND) {
		struct moat_tok op = st->tok;
		struct dnf rhs = { 0 };

		advance(st);
		if (!parse_primary(st, &rhs, depth) || !dnf_and(st, out, &rhs, &op)) {
			dnf_free(out);
			return false;
		}
	}
	return true;
}

static bool parse_or(struct stmt *st, struct dnf *out, int depth)
{
	if (!parse_and(st, out, depth))
		return false;
	while (st->tok.kind == MOAT_T_OROR) {
		struct moat_tok op = st->tok;
		struct dnf rhs = { 0 };

		advance(st);
		if (!parse_and(st, &rhs, depth) || !dnf_or(st, out, &rhs, &op)) {
			dnf_free(out);
			return false;
		}
	}
	return true;
}

/* Sets are sorted (parse_set, and the model for group rules). */
static bool set_has(const struct moat_cmp *c, uint64_t x)
{
	uint32_t lo = 0, hi = c->nset;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (c->set[mid] == x)
			return true;
		if (c->set[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Does X satisfy every comparison of ARG in C? */
static bool value_fits(const struct conj *c, uint8_t arg, uint64_t x)
{
	for (uint32_t i = 0; i < c->n; i++) {
		const struct moat_cmp *m = &c->v[i].c;

		if (m->arg != arg)
			continue;
		switch (m->op) {
		case MOAT_OP_EQ:
			if (x != m->value)
				return false;
			break;
		case MOAT_OP_NE:
			if (x == m->value)
				return false;
			break;
		case MOAT_OP_LT:
			if (!(x < m->value))
				return false;
			break;
		case MOAT_OP_LE:
			if (!(x <= m->value))
				return false;
			break;
		case MOAT_OP_GT:
			if (!(x > m->value))
				return false;
			break;
		case MOAT_OP_GE:
			if (!(x >= m->value))
				return false;
			break;
		case MOAT_OP_MASKED_EQ:
			if ((x & m->mask) != m->value)
				return false;
			break;
		case MOAT_OP_IN:
			if (!set_has(m, x))
				return false;
			break;
		}
	}
	return true;
}

/*
 * Can the comparisons of ARG in C all hold at once? Exact when an == or
 * in {} limits the candidates, or for ranges with masks that agree;
 * otherwise (ranges mixed with masks) it answers yes: only what is proven
 * contradictory is rejected.
 */
static bool arg_satisfiable(const struct conj *c, uint8_t arg)
{
	uint64_t lo = 0, hi = UINT64_MAX;
	const struct moat_cmp *cand = NULL;

	for (uint32_t i = 0; i < c->n; i++) {
		const struct moat_cmp *m = &c->v[i].c;

		if (m->arg != arg)
			continue;
		switch (m->op) {
		case MOAT_OP_EQ:
		case MOAT_OP_IN:
			if (!cand)
				cand = m;
			break;
		case MOAT_OP_LT:
			if (!m->value)
				return false;
			if (m->value - 1 < hi)
				hi = m->value - 1;
			break;
		case MOAT_OP_LE:
			if (m->value < hi)
				hi = m->value;
			break;
		case MOAT_OP_GT:
			if (m->value == UINT64_MAX)
				return false;
			if (m->value + 1 > lo)
				lo = m->value + 1;
			break;
		case MOAT_OP_GE:
			if (m->value > lo)
				lo = m->value;
			break;
		case MOAT_OP_MASKED_EQ:
			if (m->value & ~m->mask)
				return false;
			for (uint32_t j = 0; j < i; j++) {
				const struct moat_cmp *o = &c->v[j].c;

				if (o->arg == arg && o->op == MOAT_OP_MASKED_EQ &&
				    ((o->value ^ m->value) & o->mask & m->mask))
					return false;
			}
			break;
		}
	}
	if (lo > hi)
		return false;
	if (cand) {
		if (cand->op == MOAT_OP_EQ)
			return value_fits(c, arg, cand->value);
		for (uint32_t k = 0; k < cand->nset; k++)
			if (value_fits(c, arg, cand->set[k]))
				return true;
		return false;
	}
	if (lo == hi)
		return value_fits(c, arg, lo);
	return true;
}

/* Rejects an AND that can never hold; the caret goes under ARG's last comparison. */
static bool check_conj(struct stmt *st, const struct conj *c)
{
	for (uint8_t arg = 0; arg < 6; arg++) {
		const struct ccmp *last = NULL;
		unsigned count = 0;

		for (uint32_t i = 0; i < c->n; i++) {
			if (c->v[i].c.arg == arg) {
				last = &c->v[i];
				count++;
			}
		}
		if (!last || arg_satisfiable(c, arg))
			continue;
		if (count > 1)
			error_at(st, last->col, last->len,
				 "contradictory condition: no value of arg%u satisfies all its "
				 "comparisons joined by '&&'",
				 arg);
		else
			error_at(st, last->col, last->len, "this comparison can never be true");
		return false;
	}
	return true;
}

/* ---- Actions and names ---- */

static const char *const action_words[] = {
	"allow", "errno", "kill", "kill-process", "kill-thread", "trap", "log", "notify", "trace",
};
static const char *const keywords[] = {
	"default", "unknown", "badarch", "arch", "flags", "freq", "include",
};

static bool parse_action(struct stmt *st, struct moat_action *out, bool first_word)
{
	struct moat_tok t = st->tok;
	char name[MOAT_PARSE_MAX_NAME + 1], sbuf[MOAT_PARSE_MAX_NAME + 40];
	struct suggest sg;

	if (t.kind != MOAT_T_IDENT) {
		unexpected(st, "an action (allow, errno, kill, kill-thread, trap, log, notify, "
			       "trace)");
		return false;
	}
	if (!tok_name(st, &t, name, sizeof(name)))
		return false;
	advance(st);
	if (!strcmp(name, "allow")) {
		*out = (struct moat_action){ MOAT_ACT_ALLOW, 0 };
	} else if (!strcmp(name, "kill") || !strcmp(name, "kill-process")) {
		*out = (struct moat_action){ MOAT_ACT_KILL_PROCESS, 0 };
	} else if (!strcmp(name, "kill-thread")) {
		*out = (struct moat_action){ MOAT_ACT_KILL_THREAD, 0 };
	} else if (!strcmp(name, "trap")) {
		*out = (struct moat_action){ MOAT_ACT_TRAP, 0 };
	} else if (!strcmp(name, "log")) {
		*out = (struct moat_action){ MOAT_ACT_LOG, 0 };
	} else if (!strcmp(name, "notify")) {
		*out = (struct moat_action){ MOAT_ACT_NOTIFY, 0 };
	} else if (!strcmp(name, "errno")) {
		struct moat_tok e = st->tok;
		int v;

		if (e.kind == MOAT_T_NUM) {
			if (e.num > 4095) {
				error_tok(st, &e, "errno value %.*s out of range (0 to 4095)",
					  (int)e.len, e.s);
				return false;
			}
			v = (int)e.num;
		} else if (e.kind == MOAT_T_IDENT) {
			if (!tok_name(st, &e, name, sizeof(name)))
				return false;
			if (moat_errno_parse(name, &v)) {
				suggest_init(&sg, e.s, e.slen);
				for (size_t i = 0; i < moat_consts_gen_count; i++)
					if (!strcmp(moat_consts_gen[i].group, "E"))
						suggest_try(&sg, moat_consts_gen[i].name);
				error_tok(st, &e, "unknown errno name '%s'%s", name,
					  suggestion(&sg, "", sbuf, sizeof(sbuf)));
				return false;
			}
		} else {
			unexpected(st, "an errno name or number after 'errno'");
			return false;
		}
		advance(st);
		*out = (struct moat_action){ MOAT_ACT_ERRNO, (uint32_t)v };
	} else if (!strcmp(name, "trace")) {
		struct moat_tok e = st->tok;

		if (e.kind != MOAT_T_NUM) {
			unexpected(st, "a number after 'trace'");
			return false;
		}
		/* SECCOMP_RET_DATA: the tracer sees 16 bits. */
		if (e.num > 0xffff) {
			error_tok(st, &e, "trace value %.*s out of range (0 to 65535)", (int)e.len,
				  e.s);
			return false;
		}
		advance(st);
		*out = (struct moat_action){ MOAT_ACT_TRACE, (uint32_t)e.num };
	} else {
		suggest_init(&sg, t.s, t.slen);
		for (size_t i = 0; i < sizeof(action_words) / sizeof(action_words[0]); i++)
			suggest_try(&sg, action_words[i]);
		if (first_word)
			for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
				suggest_try(&sg, keywords[i]);
		error_tok(st, &t, "unknown %s '%s'%s", first_word ? "action or keyword" : "action",
			  name, suggestion(&sg, "", sbuf, sizeof(sbuf)));
		return false;
	}
	return true;
}

/*
 * A syscall name known on some architecture, or syscall_NNN. Writes the
 * model's spelling into BUF.
 */
static bool parse_syscall(struct stmt *st, char *buf, size_t size)
{
	struct moat_tok t = st->tok;
	char sbuf[MOAT_PARSE_MAX_NAME + 40];
	struct suggest sg;

	if (t.kind != MOAT_T_IDENT) {
		unexpected(st, "a syscall name");
		return false;
	}
	if (!tok_name(st, &t, buf, size))
		return false;
	advance(st);
	if (!strncmp(buf, "syscall_", 8) && buf[8]) {
		unsigned long long nr;
		char *end;

		if (strspn(buf + 8, "0123456789") != strlen(buf + 8) || strlen(buf + 8) > 10 ||
		    (nr = strtoull(buf + 8, &end, 10)) > UINT32_MAX) {
			error_tok(st, &t, "'%s': syscall_NNN needs a decimal number up to %u", buf,
				  UINT32_MAX);
			return false;
		}
		/* One spelling per number: syscall_007 is syscall_7. */
		snprintf(buf, size, "syscall_%llu", nr);
		return true;
	}
	if (moat_syscall_known_anywhere(buf))
		return true;
	suggest_init(&sg, t.s, t.slen);
	for (size_t i = 0; i < moat_sc_all_names_count; i++)
		suggest_try(&sg, moat_sc_all_names[i]);
	error_tok(st, &t, "unknown syscall '%s'%s", buf, suggestion(&sg, "", sbuf, sizeof(sbuf)));
	return false;
}

/* ---- Statements ---- */

static void parse_default_like(struct stmt *st, const char *kw)
{
	struct moat_policy *p = st->ps->p;
	struct moat_action a;
	struct moat_action *dst;
	struct moat_loc *loc;
	struct moat_tok t = st->prev;

	if (!strcmp(kw, "default")) {
		dst = &p->default_action;
		loc = &p->default_loc;
	} else if (!strcmp(kw, "unknown")) {
		dst = &p->unknown_action;
		loc = &p->unknown_loc;
	} else {
		dst = &p->badarch_action;
		loc = &p->badarch_loc;
	}
	if (!parse_action(st, &a, false) || !expect_eol(st))
		return;
	if (loc->line) {
		error_tok(st, &t, "'%s' is already set (at %s:%u)", kw, loc->file ? loc->file : "?",
			  loc->line);
		return;
	}
	if (!strcmp(kw, "badarch") && (a.kind == MOAT_ACT_ALLOW || a.kind == MOAT_ACT_LOG)) {
		/*
		 * Other ABIs number syscalls differently: letting their calls run
		 * (log runs them too) bypasses every rule of the policy.
		 */
		error_tok(st, &t, "'badarch %s' would let other ABIs bypass the policy",
			  a.kind == MOAT_ACT_LOG ? "log" : "allow");
		return;
	}
	*dst = a;
	loc->file = moat_policy_intern_file(p, st->src->name);
	if (!loc->file) {
		nomem(st);
		return;
	}
	loc->line = st->src->lineno;
	loc->col = t.col;
}

static void parse_arch(struct stmt *st)
{
	uint32_t arches = 0;
	char name[MOAT_PARSE_MAX_NAME + 1];

	if (st->tok.kind == MOAT_T_EOL) {
		unexpected(st, "an architecture (x86_64, i386, x32, aarch64)");
		return;
	}
	while (st->tok.kind != MOAT_T_EOL) {
		enum moat_arch a;

		if (st->tok.kind != MOAT_T_IDENT) {
			unexpected(st, "an architecture (x86_64, i386, x32, aarch64)");
			return;
		}
		if (!tok_name(st, &st->tok, name, sizeof(name)))
			return;
		if (moat_arch_parse(name, &a)) {
			error_tok(st, &st->tok,
				  "unknown architecture '%s' (known: x86_64, i386, x32, aarch64)",
				  name);
			return;
		}
		arches |= MOAT_ARCH_BIT(a);
		advance(st);
	}
	st->ps->p->arches |= arches;
}

static void parse_flags(struct stmt *st)
{
	static const struct {
		const char *name;
		uint32_t flag;
	} flags[] = {
		{ "log", MOAT_FLAG_LOG },
		{ "spec-allow", MOAT_FLAG_SPEC_ALLOW },
		{ "wait-killable", MOAT_FLAG_WAIT_KILLABLE },
		{ "tsync", MOAT_FLAG_TSYNC },
	};
	uint32_t set = 0;

	if (st->tok.kind == MOAT_T_EOL) {
		unexpected(st, "a flag (log, spec-allow, wait-killable, tsync)");
		return;
	}
	while (st->tok.kind != MOAT_T_EOL) {
		size_t i;

		for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
			if (moat_tok_is(&st->tok, flags[i].name))
				break;
		if (i == sizeof(flags) / sizeof(flags[0])) {
			if (st->tok.kind == MOAT_T_IDENT)
				error_tok(st, &st->tok,
					  "unknown flag '%.*s' (known: log, spec-allow, "
					  "wait-killable, tsync)",
					  (int)st->tok.len, st->tok.s);
			else
				unexpected(st, "a flag (log, spec-allow, wait-killable, tsync)");
			return;
		}
		set |= flags[i].flag;
		advance(st);
	}
	st->ps->p->flags |= set;
}

static void parse_freq(struct stmt *st)
{
	char name[MOAT_PARSE_MAX_NAME + 1];
	uint64_t count;

	if (!parse_syscall(st, name, sizeof(name)))
		return;
	if (st->tok.kind != MOAT_T_NUM || st->tok.s[0] == '-') {
		unexpected(st, "a count after the syscall name");
		return;
	}
	count = st->tok.num;
	advance(st);
	if (!expect_eol(st))
		return;
	if (moat_policy_add_freq(st->ps->p, name, count))
		nomem(st);
}

static int src_depth(const struct src *s)
{
	int d = 0;

	for (; s; s = s->parent)
		d++;
	return d;
}

/* "a.moat -> b.moat -> a.moat" */
static char *cycle_text(const struct src *src, const char *again)
{
	const struct src *v[MOAT_PARSE_MAX_DEPTH + 1];
	char *buf = NULL;
	size_t size = 0, n = 0;
	FILE *f;

	for (const struct src *s = src; s && n < MOAT_PARSE_MAX_DEPTH + 1; s = s->parent)
		v[n++] = s;
	f = open_memstream(&buf, &size);
	if (!f)
		return NULL;
	while (n--)
		fprintf(f, "%s -> ", v[n]->name);
	fputs(again, f);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Shared checks before reading an included source; KEY identifies it for cycles. */
static bool include_allowed(struct stmt *st, const struct moat_tok *t, const char *key,
			    const char *shown)
{
	for (const struct src *s = st->src; s; s = s->parent) {
		if (s->key && !strcmp(s->key, key)) {
			char *cyc = cycle_text(st->src, shown);

			if (!cyc)
				return nomem(st);
			error_tok(st, t, "include cycle: %s", cyc);
			free(cyc);
			return false;
		}
	}
	if (src_depth(st->src) >= MOAT_PARSE_MAX_DEPTH) {
		error_tok(st, t, "includes nested too deeply (more than %d levels)",
			  MOAT_PARSE_MAX_DEPTH);
		return false;
	}
	if (st->ps->nsources >= MOAT_PARSE_MAX_SOURCES) {
		error_tok(st, t, "too many included files (more than %d)", MOAT_PARSE_MAX_SOURCES);
		return false;
	}
	return true;
}

static void run_child(struct stmt *st, struct src *child)
{
	child->parent = st->src;
	st->ps->nsources++;
	parse_source(st->ps, child);
	free(child->line);
}

/* The group token T names ("@x" written into NAME); NULL after an error. */
static const struct moat_group *find_group(struct stmt *st, const struct moat_tok *t, char *name,
					   size_t size)
{
	char sbuf[MOAT_PARSE_MAX_NAME + 40];
	const struct moat_group *g;
	struct suggest sg;

	name[0] = '@';
	if (!tok_name(st, t, name + 1, size - 1))
		return NULL;
	g = moat_group_find(name + 1);
	if (g)
		return g;
	suggest_init(&sg, t->s, t->slen);
	for (size_t i = 0; i < moat_group_count(); i++)
		suggest_try(&sg, moat_group_at(i)->name);
	error_tok(st, t, "unknown group '%s'%s (see 'moat groups')", name,
		  suggestion(&sg, "@", sbuf, sizeof(sbuf)));
	return NULL;
}

static void include_group(struct stmt *st, const struct moat_tok *t)
{
	char name[MOAT_PARSE_MAX_NAME + 2];
	const struct moat_group *g;
	struct src child = { 0 };
	size_t first = st->ps->p->nrules;

	g = find_group(st, t, name, sizeof(name));
	if (!g)
		return;
	if (!include_allowed(st, t, name, name))
		return;
	child.name = name;
	child.key = name;
	child.is_group = true;
	child.text = g->text;
	child.len = strlen(g->text);
	run_child(st, &child);
	/* The outermost group include removes its own repeats. */
	if (!st->src->is_group && !st->ps->stop)
		dedupe_group_rules(st->ps, first);
}

static char *path_join(const char *dir, const char *file)
{
	char *s;

	if (file[0] == '/' || !dir || !strcmp(dir, "."))
		return strdup(file);
	if (asprintf(&s, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", file) < 0)
		return NULL;
	return s;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static void include_file(struct stmt *st, const struct moat_tok *t)
{
	const struct moat_parse_opts *o = st->ps->opts;
	char file[PATH_MAX], *path = NULL, *data = NULL, *real = NULL;
	struct src child = { 0 };
	size_t n = 0, len = 0;
	int err = -ENOENT;
	struct stat sb;

	if (st->src->is_group) {
		error_tok(st, t, "a built-in group can only include other groups");
		return;
	}
	/* Unescape \" and \\ . */
	for (uint32_t i = 0; i < t->slen; i++) {
		char c = t->s[i];

		if (c == '\\' && i + 1 < t->slen)
			c = t->s[++i];
		if (n + 1 >= sizeof(file)) {
			error_tok(st, t, "include path too long");
			return;
		}
		if (!c) {
			error_tok(st, t, "include path contains a NUL byte");
			return;
		}
		file[n++] = c;
	}
	file[n] = 0;
	if (!n) {
		error_tok(st, t, "empty include path");
		return;
	}
	/* The including file's directory first, then the include dirs, in order. */
	for (size_t i = 0; err == -ENOENT && i <= (o ? o->ninclude_dirs : 0); i++) {
		if (i > 0 && file[0] == '/')
			break;
		free(path);
		path = path_join(i == 0 ? st->src->dir : o->include_dirs[i - 1], file);
		if (!path) {
			nomem(st);
			return;
		}
		/* Only regular files: a FIFO or /dev/stdin would block the parse. */
		if (stat(path, &sb))
			err = errno == ENOTDIR ? -ENOENT : -errno;
		else if (!S_ISREG(sb.st_mode))
			err = -EINVAL;
		else
			err = moat_read_file(path, MOAT_PARSE_MAX_FILE, &data, &len);
	}
	if (err) {
		if (err == -ENOENT)
			error_tok(st, t, "cannot find include file \"%s\"", file);
		else if (err == -EFBIG)
			error_tok(st, t, "include file \"%s\" is larger than %u MiB", path,
				  MOAT_PARSE_MAX_FILE >> 20);
		else if (err == -ENOMEM)
			nomem(st);
		else if (err == -EINVAL)
			error_tok(st, t, "include file \"%s\" is not a regular file", path);
		else
			error_tok(st, t, "cannot read include file \"%s\": %s", path,
				  strerror(-err));
		free(path);
		return;
	}
	real = realpath(path, NULL);
	if (!include_allowed(st, t, real ? real : path, path))
		goto out;
	child.name = path;
	child.dir = dir_of(path);
	child.key = real ? real : path;
	child.text = data;
	child.len = len;
	if (!child.dir) {
		nomem(st);
		goto out;
	}
	run_child(st, &child);
out:
	free(child.dir);
	free(real);
	free(data);
	free(path);
}

static void parse_include(struct stmt *st)
{
	struct moat_tok t = st->tok;

	if (t.kind != MOAT_T_STR && t.kind != MOAT_T_GROUP) {
		unexpected(st, "a file name in quotes or a @group after 'include'");
		return;
	}
	advance(st);
	if (!expect_eol(st))
		return;
	if (t.kind == MOAT_T_GROUP)
		include_group(st, &t);
	else
		include_file(st, &t);
}

/* One entry of a rule's list: a syscall, or a group expanded under the rule's action. */
struct sysname {
	char name[MOAT_PARSE_MAX_NAME + 1];
	uint32_t col;
	const struct moat_policy *group; /* the group's own rules, for @name entries */
};

/* Parses the built-in group that token T names; NULL after an error. */
/*
 * Parses the built-in group that token T names, once per parse (a policy may
 * name a group on every line); the parser owns the result. NULL after an error.
 */
static const struct moat_policy *load_group(struct stmt *st, const struct moat_tok *t, char *name,
					    size_t size)
{
	struct parser *ps = st->ps;
	struct moat_policy *gp = NULL;
	struct moat_diags gd;
	const struct moat_group *g;
	size_t idx;
	int err;

	g = find_group(st, t, name, size);
	if (!g)
		return NULL;
	idx = (size_t)(g - moat_group_at(0));
	if (!ps->gcache) {
		ps->gcache = calloc(moat_group_count(), sizeof(*ps->gcache));
		if (!ps->gcache) {
			nomem(st);
			return NULL;
		}
	}
	if (ps->gcache[idx])
		return ps->gcache[idx];
	moat_diags_init(&gd);
	err = moat_parse_text(name, g->text, strlen(g->text), name, NULL, true, &gp, &gd);
	moat_diags_free(&gd);
	if (err == -ENOMEM)
		nomem(st);
	else if (err)
		error_tok(st, t, "built-in group '%s' does not parse (a defect of this build)",
			  name);
	if (err)
		return NULL;
	ps->gcache[idx] = gp;
	return gp;
}

static int cmp_rules(const struct moat_rule *a, const struct moat_rule *b)
{
	int c = strcmp(a->syscall, b->syscall);

	if (c)
		return c;
	if (a->action.kind != b->action.kind)
		return a->action.kind < b->action.kind ? -1 : 1;
	if (a->action.data != b->action.data)
		return a->action.data < b->action.data ? -1 : 1;
	if (a->ncmps != b->ncmps)
		return a->ncmps < b->ncmps ? -1 : 1;
	for (uint32_t i = 0; i < a->ncmps; i++) {
		const struct moat_cmp *x = &a->cmps[i], *y = &b->cmps[i];

		if (x->arg != y->arg)
			return x->arg < y->arg ? -1 : 1;
		if (x->op != y->op)
			return x->op < y->op ? -1 : 1;
		if (x->value != y->value)
			return x->value < y->value ? -1 : 1;
		if (x->mask != y->mask)
			return x->mask < y->mask ? -1 : 1;
		if (x->nset != y->nset)
			return x->nset < y->nset ? -1 : 1;
		/* Sets are sorted and deduplicated by the model. */
		for (uint32_t k = 0; k < x->nset; k++)
			if (x->set[k] != y->set[k])
				return x->set[k] < y->set[k] ? -1 : 1;
	}
	return 0;
}

static int cmp_rule_idx(const void *a, const void *b, void *rules)
{
	const struct moat_rule *r = rules;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = cmp_rules(&r[i], &r[j]);

	return c ? c : (i < j ? -1 : i > j);
}

/*
 * Groups overlap (@privileged and @mount both hold chroot, @system-service
 * holds close twice through @basic-io and @file-system). Among the rules
 * from FIRST on, a rule that came from a group and repeats an earlier one
 * exactly is removed: it could never decide anything. Sorting keeps this
 * O(n log n) whatever the input.
 */
static bool dedupe_group_rules(struct parser *ps, size_t first)
{
	struct moat_policy *p = ps->p;
	size_t n = p->nrules - first, k = first, *idx;
	bool *drop;

	if (n < 2)
		return true;
	idx = malloc(n * sizeof(*idx));
	drop = calloc(n, sizeof(*drop));
	if (!idx || !drop) {
		free(idx);
		free(drop);
		ps->err = -ENOMEM;
		ps->stop = true;
		return false;
	}
	for (size_t i = 0; i < n; i++)
		idx[i] = first + i;
	qsort_r(idx, n, sizeof(*idx), cmp_rule_idx, p->rules);
	for (size_t i = 1; i < n; i++)
		if (ps->from_group[idx[i]] && !cmp_rules(&p->rules[idx[i - 1]], &p->rules[idx[i]]))
			drop[idx[i] - first] = true;
	for (size_t i = first; i < p->nrules; i++) {
		if (drop[i - first]) {
			moat_rule_release(&p->rules[i]);
			continue;
		}
		ps->from_group[k] = ps->from_group[i];
		p->rules[k++] = p->rules[i];
	}
	p->nrules = k;
	free(idx);
	free(drop);
	return true;
}

static bool add_one(struct stmt *st, const char *sc, struct moat_action action,
		    const struct moat_cmp *cmps, uint32_t ncmps, struct moat_loc loc,
		    const char *comment, bool from_group)
{
	int err;

	size_t nvalues = 0;

	if (st->ps->p->nrules >= MOAT_PARSE_MAX_RULES) {
		error_at(st, 1, 1, "too many rules (more than %u)", MOAT_PARSE_MAX_RULES);
		return false;
	}
	/* || over in {} multiplies sets: bound what the expansion stores. */
	for (uint32_t i = 0; i < ncmps; i++)
		nvalues += cmps[i].nset;
	if (nvalues > MOAT_PARSE_MAX_VALUES - st->ps->nvalues) {
		error_at(st, 1, 1, "policy too large (more than %u values in sets once expanded)",
			 MOAT_PARSE_MAX_VALUES);
		return false;
	}
	st->ps->nvalues += nvalues;
	if (st->ps->p->nrules >= st->ps->from_group_cap) {
		size_t cap = st->ps->from_group_cap ? st->ps->from_group_cap * 2 : 64;
		bool *v = realloc(st->ps->from_group, cap * sizeof(*v));

		if (!v)
			return nomem(st);
		st->ps->from_group = v;
		st->ps->from_group_cap = cap;
	}
	err = moat_policy_add_rule(st->ps->p, sc, action, cmps, ncmps, loc, comment);
	if (err == -ENOMEM)
		return nomem(st);
	if (err) {
		error_at(st, loc.col, 1, "invalid rule (%s)", strerror(-err));
		return false;
	}
	st->ps->from_group[st->ps->p->nrules - 1] = from_group || st->src->is_group;
	return true;
}

/*
 * `ACTION @group [if C]`: every rule of the group under ACTION, its own
 * argument constraints ANDed with C. Combinations that can never hold (the
 * group allows socket only for AF_INET, C asks for AF_UNIX) are dropped:
 * the user did not write that contradiction.
 */
static bool add_group_rules(struct stmt *st, const struct sysname *g, struct moat_action action,
			    const struct dnf *cond, struct moat_loc loc, const char *comment)
{
	uint32_t nalt = cond->n ? cond->n : 1;

	for (size_t i = 0; i < g->group->nrules; i++) {
		const struct moat_rule *r = &g->group->rules[i];

		for (uint32_t k = 0; k < nalt; k++) {
			struct ccmp v[MOAT_PARSE_MAX_CMPS];
			struct moat_cmp cmps[MOAT_PARSE_MAX_CMPS];
			uint32_t nc = cond->n ? cond->v[k].n : 0, n = r->ncmps + nc;
			struct conj cj = { v, n };
			bool ok = true;

			if (n > MOAT_PARSE_MAX_CMPS) {
				error_at(st, loc.col, 1,
					 "condition too complex (more than %d comparisons "
					 "joined by '&&')",
					 MOAT_PARSE_MAX_CMPS);
				return false;
			}
			for (uint32_t j = 0; j < r->ncmps; j++)
				v[j].c = r->cmps[j];
			for (uint32_t j = 0; j < nc; j++)
				v[r->ncmps + j] = cond->v[k].v[j];
			for (uint8_t arg = 0; ok && arg < 6; arg++)
				ok = arg_satisfiable(&cj, arg);
			if (!ok)
				continue;
			for (uint32_t j = 0; j < n; j++)
				cmps[j] = v[j].c;
			if (!add_one(st, r->syscall, action, cmps, n, loc, comment, true))
				return false;
		}
	}
	return true;
}

static void parse_rule(struct stmt *st)
{
	struct moat_action action;
	struct sysname *names = NULL;
	size_t nnames = 0, cap = 0;
	struct dnf cond = { 0 };
	char *comment = NULL;
	bool has_group = false;

	if (!parse_action(st, &action, true))
		goto out;
	while ((st->tok.kind == MOAT_T_IDENT && !moat_tok_is(&st->tok, "if")) ||
	       st->tok.kind == MOAT_T_GROUP) {
		struct sysname *n;

		if (nnames == cap) {
			struct sysname *v;

			cap = cap ? cap * 2 : 8;
			v = realloc(names, cap * sizeof(*v));
			if (!v) {
				nomem(st);
				goto out;
			}
			names = v;
		}
		n = &names[nnames];
		n->col = st->tok.col;
		n->group = NULL;
		if (st->tok.kind == MOAT_T_GROUP) {
			struct moat_tok t = st->tok;

			n->group = load_group(st, &t, n->name, sizeof(n->name));
			if (!n->group)
				goto out;
			advance(st);
			/* The same group twice in one list adds nothing. */
			for (size_t k = 0; n && k < nnames; k++)
				if (names[k].group == n->group)
					n = NULL;
			if (n)
				nnames++;
			continue;
		}
		if (!parse_syscall(st, n->name, sizeof(n->name)))
			goto out;
		nnames++;
	}
	if (!nnames) {
		unexpected(st, "a syscall name or a @group");
		goto out;
	}
	if (moat_tok_is(&st->tok, "if")) {
		advance(st);
		if (st->tok.kind == MOAT_T_EOL) {
			unexpected(st, "a condition after 'if'");
			goto out;
		}
		if (!parse_or(st, &cond, 0))
			goto out;
		if (st->tok.kind == MOAT_T_RPAREN) {
			error_tok(st, &st->tok, "unbalanced ')'");
			goto out;
		}
		if (st->tok.kind != MOAT_T_EOL && st->tok.kind != MOAT_T_ERR) {
			unexpected(st, "'&&', '||' or the end of the line");
			goto out;
		}
		for (uint32_t i = 0; i < cond.n; i++)
			if (!check_conj(st, &cond.v[i]))
				goto out;
	}
	if (!expect_eol(st))
		goto out;
	if (st->lx.comment && st->lx.comment_len) {
		comment = strndup(st->lx.comment,
				  st->lx.comment_len > 1024 ? 1024 : st->lx.comment_len);
		if (!comment) {
			nomem(st);
			goto out;
		}
	}
	for (size_t i = 0; i < nnames; i++) {
		struct moat_loc loc = { st->src->name, st->src->lineno, names[i].col };
		uint32_t nalt = cond.n ? cond.n : 1;

		if (names[i].group) {
			if (!add_group_rules(st, &names[i], action, &cond, loc, comment))
				goto out;
			has_group = true;
			continue;
		}
		for (uint32_t k = 0; k < nalt; k++) {
			struct moat_cmp cmps[MOAT_PARSE_MAX_CMPS];
			uint32_t ncmps = cond.n ? cond.v[k].n : 0;

			for (uint32_t j = 0; j < ncmps; j++)
				cmps[j] = cond.v[k].v[j].c;
			if (!add_one(st, names[i].name, action, cmps, ncmps, loc, comment, false))
				goto out;
		}
	}
	if (has_group)
		dedupe_group_rules(st->ps, st->first_rule);
out:
	free(comment);
	dnf_free(&cond);
	free(names);
}

static void parse_statement(struct stmt *st)
{
	struct moat_tok t;

	advance(st);
	t = st->tok;
	if (t.kind == MOAT_T_EOL)
		return;
	if (t.kind != MOAT_T_IDENT) {
		unexpected(st, "an action or a keyword");
		return;
	}
	if (moat_tok_is(&t, "default") || moat_tok_is(&t, "unknown") ||
	    moat_tok_is(&t, "badarch")) {
		char kw[8];

		memcpy(kw, t.s, t.slen);
		kw[t.slen] = 0;
		advance(st);
		parse_default_like(st, kw);
	} else if (moat_tok_is(&t, "arch")) {
		advance(st);
		parse_arch(st);
	} else if (moat_tok_is(&t, "flags")) {
		advance(st);
		parse_flags(st);
	} else if (moat_tok_is(&t, "freq")) {
		advance(st);
		parse_freq(st);
	} else if (moat_tok_is(&t, "include")) {
		advance(st);
		parse_include(st);
	} else {
		parse_rule(st);
	}
}

static bool next_line(struct parser *ps, struct src *src, size_t *len)
{
	const char *start, *nl;
	size_t n;

	if (src->pos >= src->len)
		return false;
	start = src->text + src->pos;
	nl = memchr(start, '\n', src->len - src->pos);
	n = nl ? (size_t)(nl - start) : src->len - src->pos;
	src->pos += n + (nl ? 1 : 0);
	if (n && start[n - 1] == '\r')
		n--;
	if (n + 1 > src->line_cap) {
		char *b = realloc(src->line, n + 1);

		if (!b) {
			ps->err = -ENOMEM;
			ps->stop = true;
			return false;
		}
		src->line = b;
		src->line_cap = n + 1;
	}
	memcpy(src->line, start, n);
	src->line[n] = 0;
	src->lineno++;
	*len = n;
	return true;
}

static void parse_source(struct parser *ps, struct src *src)
{
	size_t len;

	while (!ps->stop && next_line(ps, src, &len)) {
		struct stmt st = { .ps = ps, .src = src, .first_rule = ps->p->nrules };

		moat_lex_init(&st.lx, src->line, len);
		parse_statement(&st);
		for (size_t i = 0; i < st.nsets; i++)
			free(st.sets[i]);
		free(st.sets);
	}
}

/*
 * Groups list every spelling of a call (chown and chown32, _llseek, open
 * which aarch64 lacks), as systemd's sets do, so that one group serves every
 * architecture. Once the policy's architectures are known (an `arch` line may
 * come after the include), group rules for syscalls that none of them has are
 * dropped: they could never match, and validation would reject them.
 */
static void drop_foreign_group_rules(struct parser *ps)
{
	struct moat_policy *p = ps->p;
	uint32_t arches = moat_policy_arches(p);
	size_t k = 0;

	for (size_t i = 0; i < p->nrules; i++) {
		bool keep = !ps->from_group[i] || !strncmp(p->rules[i].syscall, "syscall_", 8);

		for (int a = 0; !keep && a < MOAT_ARCH__COUNT; a++)
			keep = (arches & MOAT_ARCH_BIT(a)) &&
			       moat_syscall_nr((enum moat_arch)a, p->rules[i].syscall) >= 0;
		if (keep)
			p->rules[k++] = p->rules[i];
		else
			moat_rule_release(&p->rules[i]);
	}
	p->nrules = k;
}

int moat_parse_text(const char *name, const char *text, size_t len, const char *key,
		    const struct moat_parse_opts *opts, bool keep_all_group_rules,
		    struct moat_policy **out, struct moat_diags *diags)
{
	struct parser ps = { .d = diags, .opts = opts };
	struct src src = { .name = name, .key = (char *)key, .text = text, .len = len };

	ps.p = moat_policy_new();
	if (!ps.p)
		return -ENOMEM;
	src.dir = dir_of(name);
	if (!src.dir) {
		moat_policy_free(ps.p);
		return -ENOMEM;
	}
	/* A group parsed on its own (its key is "@name") is a group in every line. */
	src.is_group = key && key[0] == '@';
	ps.nsources = 1;
	parse_source(&ps, &src);
	free(src.line);
	free(src.dir);
	if (ps.gcache)
		for (size_t i = 0; i < moat_group_count(); i++)
			moat_policy_free(ps.gcache[i]);
	free(ps.gcache);
	if (ps.err || ps.nerrors) {
		free(ps.from_group);
		moat_policy_free(ps.p);
		return ps.err ? ps.err : -EINVAL;
	}
	if (!keep_all_group_rules)
		drop_foreign_group_rules(&ps);
	free(ps.from_group);
	*out = ps.p;
	return 0;
}

int moat_policy_parse_string(const char *name, const char *text, size_t len,
			     const struct moat_parse_opts *opts, struct moat_policy **out,
			     struct moat_diags *diags)
{
	if (!name)
		name = "<string>";
	if (!text || !out || !diags)
		return -EINVAL;
	if (len > MOAT_PARSE_MAX_FILE) {
		int err = moat_diags_add(diags, MOAT_DIAG_ERROR, name, 0, 0, 0, NULL, NULL,
					 "policy larger than %u MiB", MOAT_PARSE_MAX_FILE >> 20);

		return err ? err : -EINVAL;
	}
	return moat_parse_text(name, text, len, NULL, opts, false, out, diags);
}

int moat_policy_parse_file(const char *path, const struct moat_parse_opts *opts,
			   struct moat_policy **out, struct moat_diags *diags)
{
	char *data = NULL, *real;
	size_t len = 0;
	int err;

	if (!path || !out || !diags)
		return -EINVAL;
	err = moat_read_file(path, MOAT_PARSE_MAX_FILE, &data, &len);
	if (err == -EFBIG) {
		err = moat_diags_add(diags, MOAT_DIAG_ERROR, path, 0, 0, 0, NULL, NULL,
				     "policy larger than %u MiB", MOAT_PARSE_MAX_FILE >> 20);
		return err ? err : -EINVAL;
	}
	if (err)
		return err;
	real = realpath(path, NULL);
	err = moat_parse_text(path, data, len, real, opts, false, out, diags);
	free(real);
	free(data);
	return err;
}
