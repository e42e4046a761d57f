// SPDX-License-Identifier: MIT
/*
 * moat diff: compare two policies by what their compiled programs return,
 * in the simulator, so that the answer is about the real filters (arch
 * checks, x32 numbers, i386 argument widths included).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "moat/check.h"
#include "moat/diff.h"

void moat_diff_init(struct moat_diff *d)
{
	memset(d, 0, sizeof(*d));
}

void moat_diff_free(struct moat_diff *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].syscall);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

struct side {
	const struct moat_policy *p;
	struct moat_prog *prog;
	/* PROG checked once: diff runs each program ~10^4 times. */
	struct moat_sim_prog *sim;
};

/* The filter's answer for (ARCH word, NR, ARGS). */
static int run(const struct side *s, uint32_t arch, uint32_t nr, const uint64_t *args,
	       uint32_t *ret, struct moat_origin *origin)
{
	struct moat_seccomp_data d = { .nr = (int32_t)nr, .arch = arch };
	struct moat_sim_result res = { 0 };
	int err;

	memcpy(d.args, args, sizeof(d.args));
	err = moat_sim_exec(s->sim, &d, &res);
	if (err)
		return err;
	*ret = res.ret;
	*origin = s->prog->origin && res.ret_pc < s->prog->len ? s->prog->origin[res.ret_pc]
							       : (struct moat_origin){ 0 };
	return 0;
}

/* Where the verdict is written: the exact deciding rule, or the default line. */
static struct moat_loc where(const struct side *s, enum moat_arch arch, uint32_t nr,
			     const uint64_t *args, struct moat_origin o)
{
	long r;

	switch (o.kind) {
	case MOAT_ORIGIN_RULE:
		/* Rules with one verdict share a ret: name the one that decides. */
		r = moat_policy_deciding_rule(s->p, arch, nr, args);
		return r >= 0 ? s->p->rules[r].loc : s->p->rules[o.rule].loc;
	case MOAT_ORIGIN_DEFAULT:
		return s->p->default_loc;
	case MOAT_ORIGIN_UNKNOWN:
		return s->p->unknown_loc;
	case MOAT_ORIGIN_BADARCH:
	case MOAT_ORIGIN_X32:
		return s->p->badarch_loc;
	default:
		return (struct moat_loc){ 0 };
	}
}

static int add(struct moat_diff *d, const struct moat_difference *x)
{
	/* The same difference on another arch: one entry with both arches. */
	for (size_t i = 0; i < d->n; i++) {
		struct moat_difference *y = &d->v[i];

		if (y->kind == x->kind && y->ret[0] == x->ret[0] && y->ret[1] == x->ret[1] &&
		    y->args_matter == x->args_matter &&
		    (!y->args_matter || !memcmp(y->args, x->args, sizeof(x->args))) &&
		    ((!y->syscall && !x->syscall) ||
		     (y->syscall && x->syscall && !strcmp(y->syscall, x->syscall)))) {
			y->arches |= x->arches;
			return 0;
		}
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct moat_difference *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n] = *x;
	d->v[d->n].syscall = NULL;
	if (x->syscall && !(d->v[d->n].syscall = strdup(x->syscall)))
		return -ENOMEM;
	d->n++;
	return 0;
}

#define MAX_WITNESSES 256

static void push(uint64_t (*w)[6], size_t *n, const uint64_t *base, int arg, uint64_t v)
{
	if (*n >= MAX_WITNESSES)
		return;
	memcpy(w[*n], base, sizeof(w[0]));
	if (arg >= 0)
		w[*n][arg] = v;
	(*n)++;
}

/* The rules of both sides by syscall name, so that a witness set costs a lookup, not a scan. */
struct rule_ref {
	const char *name;
	int side;
	size_t rule;
};

struct rule_index {
	struct rule_ref *v;
	size_t n;
};

/* By name, then side, then rule: a name's range lists A's rules, then B's, in policy order. */
static int rule_ref_cmp(const void *x, const void *y)
{
	const struct rule_ref *a = x, *b = y;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	if (a->side != b->side)
		return a->side < b->side ? -1 : 1;
	return a->rule < b->rule ? -1 : a->rule > b->rule;
}

static int rule_index_build(const struct side *s, struct rule_index *ix)
{
	size_t n = s[0].p->nrules + s[1].p->nrules, j = 0;

	ix->v = calloc(n ? n : 1, sizeof(ix->v[0]));
	if (!ix->v)
		return -ENOMEM;
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < s[k].p->nrules; i++)
			ix->v[j++] = (struct rule_ref){ s[k].p->rules[i].syscall, k, i };
	ix->n = n;
	qsort(ix->v, n, sizeof(ix->v[0]), rule_ref_cmp);
	return 0;
}

/* The first entry of NAME's range (ix->n when no rule names it). */
static size_t rule_index_find(const struct rule_index *ix, const char *name)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(ix->v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && !strcmp(ix->v[lo].name, name) ? lo : ix->n;
}

/*
 * Zeros, all ones, and per rule of NAME in A or B: a vector satisfying it,
 * and for each comparison the values around its boundary (v-1, v, v+1; each
 * IN value; the mask's bits for MASKED_EQ), the other arguments kept. Two
 * policies that differ on a condition differ on one of these.
 */
static size_t witnesses(const struct side *s, const struct rule_index *ix, const char *name,
			uint64_t (*w)[6])
{
	static const uint64_t zero[6];
	size_t n = 0, first = rule_index_find(ix, name);
	uint64_t base[6];

	push(w, &n, zero, -1, 0);
	/* No rule names it: the answer cannot depend on the arguments. */
	if (first == ix->n)
		return n;
	memset(base, 0xff, sizeof(base));
	push(w, &n, base, -1, 0);
	for (size_t e = first; e < ix->n && !strcmp(ix->v[e].name, name); e++) {
		const struct moat_rule *r = &s[ix->v[e].side].p->rules[ix->v[e].rule];

		moat_rule_witness(r, base);
		push(w, &n, base, -1, 0);
		for (uint32_t j = 0; j < r->ncmps; j++) {
			const struct moat_cmp *c = &r->cmps[j];

			if (c->arg > 5)
				continue;
			if (c->op == MOAT_OP_IN) {
				for (uint32_t v = 0; v < c->nset && v < 16; v++)
					push(w, &n, base, c->arg, c->set[v]);
				continue;
			}
			if (c->op == MOAT_OP_MASKED_EQ) {
				push(w, &n, base, c->arg, c->value);
				push(w, &n, base, c->arg, c->value | c->mask);
				push(w, &n, base, c->arg, c->value ^ (c->mask & -c->mask));
				continue;
			}
			push(w, &n, base, c->arg, c->value - 1);
			push(w, &n, base, c->arg, c->value);
			push(w, &n, base, c->arg, c->value + 1);
		}
	}
	return n;
}

/* Compares one (arch, nr); NAME is the syscall's name, NULL for an unknown number. */
static int compare(const struct side *s, const struct rule_index *ix, enum moat_arch arch,
		   uint32_t audit, uint32_t nr, const char *name, uint32_t kind,
		   struct moat_diff *out)
{
	uint64_t w[MAX_WITNESSES][6];
	size_t n = name ? witnesses(s, ix, name, w) : 1, first = (size_t)-1, same_way = 0,
	       ndiff = 0;
	struct moat_difference x = { .kind = kind, .arches = MOAT_ARCH_BIT(arch) };
	uint32_t ret[2], fret[2] = { 0, 0 };
	int err;

	if (!name)
		memset(w[0], 0, sizeof(w[0]));
	for (size_t i = 0; i < n; i++) {
		struct moat_origin o[2];

		err = run(&s[0], audit, nr, w[i], &ret[0], &o[0]);
		if (!err)
			err = run(&s[1], audit, nr, w[i], &ret[1], &o[1]);
		if (err)
			return err;
		if (ret[0] == ret[1])
			continue;
		ndiff++;
		if (first == (size_t)-1) {
			first = i;
			fret[0] = ret[0];
			fret[1] = ret[1];
			for (int k = 0; k < 2; k++)
				x.loc[k] = where(&s[k], arch, nr, w[i], o[k]);
		}
		same_way += ret[0] == fret[0] && ret[1] == fret[1];
	}
	if (first == (size_t)-1)
		return 0;
	/* The arguments matter unless every witness shows the same difference. */
	x.args_matter = !(ndiff == n && same_way == n);
	memcpy(x.args, w[first], sizeof(x.args));
	x.ret[0] = fret[0];
	x.ret[1] = fret[1];
	x.syscall = (char *)name;
	return add(out, &x);
}

int moat_policy_diff(const struct moat_policy *a, const struct moat_policy *b,
		     struct moat_diff *out, struct moat_diags *diags)
{
	struct moat_compile_opts opts = { .optimize = 1 };
	struct side s[2] = { { a, NULL, NULL }, { b, NULL, NULL } };
	uint32_t arches = moat_policy_arches(a) | moat_policy_arches(b), nr;
	const char *name;
	struct moat_difference x = { .kind = MOAT_DIFF_BADARCH };
	struct moat_origin o[2];
	uint64_t zero[6] = { 0 };
	struct rule_index ix = { NULL, 0 };
	int err;

	err = moat_compile(a, &opts, &s[0].prog, diags);
	if (!err)
		err = moat_compile(b, &opts, &s[1].prog, diags);
	for (int k = 0; !err && k < 2; k++)
		err = moat_sim_prepare(s[k].prog, &s[k].sim);
	if (!err)
		err = rule_index_build(s, &ix);
	for (int arch = 0; !err && arch < MOAT_ARCH__COUNT; arch++) {
		uint32_t audit = moat_arch_audit(arch);
		size_t n = moat_syscall_count(arch);
		bool in_a = moat_policy_arches(a) & MOAT_ARCH_BIT(arch);
		bool in_b = moat_policy_arches(b) & MOAT_ARCH_BIT(arch);

		if (!in_a && !in_b)
			continue;
		if (in_a != in_b) {
			/* One line for the whole table, not one per syscall. */
			struct moat_difference y = { .kind = MOAT_DIFF_ARCH,
						     .arches = MOAT_ARCH_BIT(arch) };
			uint32_t nr0 = arch == MOAT_ARCH_X32 ? MOAT_X32_SYSCALL_BIT : 0;

			err = run(&s[0], audit, nr0, zero, &y.ret[0], &o[0]);
			if (!err)
				err = run(&s[1], audit, nr0, zero, &y.ret[1], &o[1]);
			for (int k = 0; !err && k < 2; k++)
				y.loc[k] = where(&s[k], arch, nr0, zero, o[k]);
			if (!err)
				err = add(out, &y);
			continue;
		}
		/* x32 shares x86_64's AUDIT_ARCH: its own entry covers those numbers. */
		for (size_t i = 0; !err && i < n; i++) {
			if (moat_syscall_at(arch, i, &name, &nr))
				continue;
			err = compare(s, &ix, arch, audit, nr, name, MOAT_DIFF_SYSCALL, out);
		}
		/* A number past the table: what a newer kernel's syscall would get. */
		if (!err)
			err = compare(s, &ix, arch, audit, moat_syscall_max(arch) + 1, NULL,
				      MOAT_DIFF_UNKNOWN, out);
	}
	/*
	 * x32 numbers on x86_64 when only one side or neither covers x32: the
	 * loop above ran them if either covers it; here the "not covered" case.
	 */
	if (!err && (arches & MOAT_ARCH_BIT(MOAT_ARCH_X86_64)) &&
	    !(arches & MOAT_ARCH_BIT(MOAT_ARCH_X32))) {
		int64_t r = moat_syscall_nr(MOAT_ARCH_X32, "read");

		if (r >= 0)
			err = compare(s, &ix, MOAT_ARCH_X86_64, moat_arch_audit(MOAT_ARCH_X86_64),
				      (uint32_t)r, "read", MOAT_DIFF_X32, out);
	}
	/* An architecture neither covers (0x4000 0000 is no AUDIT_ARCH value). */
	if (!err)
		err = run(&s[0], 0x40000000u, 0, zero, &x.ret[0], &o[0]);
	if (!err)
		err = run(&s[1], 0x40000000u, 0, zero, &x.ret[1], &o[1]);
	if (!err && x.ret[0] != x.ret[1]) {
		x.loc[0] = a->badarch_loc;
		x.loc[1] = b->badarch_loc;
		err = add(out, &x);
	}
	free(ix.v);
	for (int k = 0; k < 2; k++) {
		moat_sim_prog_free(s[k].sim);
		moat_prog_free(s[k].prog);
	}
	return err;
}
