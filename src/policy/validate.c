// SPDX-License-Identifier: MIT
/*
 * Model operations: validation, merge, canonical form and equality.
 *
 * Semantics (policy.h): for one syscall the first rule whose condition holds
 * decides. Everything here preserves that meaning.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moat/policy.h"
#include "moat/util.h"

/* ---- Comparisons ---- */

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* Total order on comparisons: (arg, op, value, mask, set). */
static int cmp_compare(const struct moat_cmp *a, const struct moat_cmp *b)
{
	int c;

	if (a->arg != b->arg)
		return a->arg < b->arg ? -1 : 1;
	if (a->op != b->op)
		return a->op < b->op ? -1 : 1;
	if (a->op == MOAT_OP_IN) {
		for (uint32_t i = 0; i < a->nset && i < b->nset; i++) {
			c = cmp_u64(a->set[i], b->set[i]);
			if (c)
				return c;
		}
		return cmp_u64(a->nset, b->nset);
	}
	c = cmp_u64(a->value, b->value);
	if (c || a->op != MOAT_OP_MASKED_EQ)
		return c;
	return cmp_u64(a->mask, b->mask);
}

static int cmp_qsort(const void *a, const void *b)
{
	return cmp_compare(a, b);
}

/*
 * Two conditions are the same when they hold the same comparisons, in any
 * order (AND commutes). Both lists may be unsorted: compare sorted copies.
 */
static int cond_same(const struct moat_cmp *a, uint32_t na, const struct moat_cmp *b, uint32_t nb,
		     bool *same)
{
	struct moat_cmp *sa, *sb;

	if (na != nb) {
		*same = false;
		return 0;
	}
	if (!na) {
		*same = true;
		return 0;
	}
	sa = malloc(na * sizeof(*sa));
	sb = malloc(nb * sizeof(*sb));
	if (!sa || !sb) {
		free(sa);
		free(sb);
		return -ENOMEM;
	}
	memcpy(sa, a, na * sizeof(*sa));
	memcpy(sb, b, nb * sizeof(*sb));
	qsort(sa, na, sizeof(*sa), cmp_qsort);
	qsort(sb, nb, sizeof(*sb), cmp_qsort);
	*same = true;
	for (uint32_t i = 0; i < na; i++)
		if (cmp_compare(&sa[i], &sb[i]))
			*same = false;
	free(sa);
	free(sb);
	return 0;
}

/* ---- Validation ---- */

/* The source line LINE of FILE, for the caret under a diagnostic; NULL if unreadable. */
struct src_cache {
	const char *file;
	char *text;
	bool tried;
};

static char *source_line(struct src_cache *c, const char *file, uint32_t line)
{
	const char *s;
	size_t len;

	if (!file || !line)
		return NULL;
	if (c->file != file) {
		free(c->text);
		c->text = NULL;
		c->file = file;
		c->tried = false;
	}
	if (!c->tried) {
		c->tried = true;
		if (moat_read_file(file, 0, &c->text, &len))
			c->text = NULL;
	}
	if (!c->text)
		return NULL;
	s = c->text;
	for (uint32_t i = 1; i < line && s; i++) {
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	if (!s)
		return NULL;
	return strndup(s, strcspn(s, "\n"));
}

static int diag_at(struct moat_diags *d, struct src_cache *c, int level, struct moat_loc loc,
		   uint32_t len, const char *fmt, const char *a1, const char *a2, const char *a3)
{
	char *line = source_line(c, loc.file, loc.line);
	int err;

	err = moat_diags_add(d, level, loc.file, loc.line, loc.line ? loc.col : 0, len, line, NULL,
			     fmt, a1, a2, a3);
	free(line);
	return err;
}

static bool syscall_numbered(const char *name)
{
	uint32_t nr;

	return !strncmp(name, "syscall_", 8) &&
	       moat_syscall_parse(MOAT_ARCH_X86_64, name, &nr) == 0;
}

static bool action_ok(struct moat_action a)
{
	if (a.kind >= MOAT_ACT__COUNT)
		return false;
	/* SECCOMP_RET_DATA is 16 bits; errno values above 4095 are not errors to libc. */
	if (a.kind == MOAT_ACT_ERRNO && a.data > 4095)
		return false;
	if (a.kind == MOAT_ACT_TRACE && a.data > 0xffff)
		return false;
	return true;
}

static int check_action(struct moat_diags *d, struct src_cache *c, struct moat_action a,
			struct moat_loc loc, const char *what)
{
	char buf[32];

	if (action_ok(a))
		return 0;
	if (a.kind == MOAT_ACT_ERRNO)
		snprintf(buf, sizeof(buf), "errno %u", a.data);
	else if (a.kind == MOAT_ACT_TRACE)
		snprintf(buf, sizeof(buf), "trace %u", a.data);
	else
		snprintf(buf, sizeof(buf), "action %u", a.kind);
	return diag_at(d, c, MOAT_DIAG_ERROR, loc, 1,
		       "%s: invalid action '%s'%s (errno must be 0..4095, trace data 0..65535)",
		       what, buf, "");
}

static int check_rule(const struct moat_policy *p, const struct moat_rule *r, struct moat_diags *d,
		      struct src_cache *c)
{
	uint32_t arches = moat_policy_arches(p);
	uint32_t len = (uint32_t)strlen(r->syscall);
	bool known = false;
	int err;

	char what[160];

	snprintf(what, sizeof(what), "rule for '%s'", r->syscall);
	err = check_action(d, c, r->action, r->loc, what);
	if (err)
		return err;
	for (uint32_t i = 0; i < r->ncmps; i++) {
		const struct moat_cmp *m = &r->cmps[i];
		char num[16];

		snprintf(num, sizeof(num), "%u", m->arg);
		if (m->arg > 5)
			err = diag_at(d, c, MOAT_DIAG_ERROR, r->loc, len,
				      "rule for '%s': argument index %s out of range (0..5)%s",
				      r->syscall, num, "");
		else if (m->op >= MOAT_OP__COUNT || (m->op == MOAT_OP_IN && !m->nset))
			err = diag_at(d, c, MOAT_DIAG_ERROR, r->loc, len,
				      "rule for '%s': invalid comparison on arg%s%s", r->syscall,
				      num, "");
		if (err)
			return err;
	}
	for (int a = 0; a < MOAT_ARCH__COUNT; a++)
		if ((arches & MOAT_ARCH_BIT(a)) && moat_syscall_nr(a, r->syscall) >= 0)
			known = true;
	if (known || syscall_numbered(r->syscall))
		return 0;
	if (moat_syscall_known_anywhere(r->syscall))
		return diag_at(d, c, MOAT_DIAG_ERROR, r->loc, len,
			       "syscall '%s' does not exist on any architecture of the policy%s%s",
			       r->syscall, "", "");
	return diag_at(d, c, MOAT_DIAG_ERROR, r->loc, len, "unknown syscall '%s'%s%s", r->syscall,
		       "", "");
}

int moat_policy_validate(const struct moat_policy *p, struct moat_diags *diags)
{
	struct src_cache c = { 0 };
	size_t errors = diags->nerrors;
	int err = 0;

	err = check_action(diags, &c, p->default_action, p->default_loc, "default action");
	if (!err)
		err = check_action(diags, &c, p->unknown_action, p->unknown_loc, "unknown action");
	if (!err)
		err = check_action(diags, &c, p->badarch_action, p->badarch_loc, "badarch action");
	for (size_t j = 0; !err && j < p->nrules; j++) {
		const struct moat_rule *rj = &p->rules[j];
		char aj[48], ai[48];

		err = check_rule(p, rj, diags, &c);
		/* Compare with every earlier rule for the same syscall: first match wins. */
		for (size_t i = 0; !err && i < j; i++) {
			const struct moat_rule *ri = &p->rules[i];
			uint32_t len = (uint32_t)strlen(rj->syscall);
			bool same;

			if (strcmp(ri->syscall, rj->syscall))
				continue;
			err = cond_same(ri->cmps, ri->ncmps, rj->cmps, rj->ncmps, &same);
			if (err)
				break;
			moat_action_format(ri->action, ai, sizeof(ai));
			moat_action_format(rj->action, aj, sizeof(aj));
			if (same && !moat_action_equal(ri->action, rj->action)) {
				err = diag_at(diags, &c, MOAT_DIAG_ERROR, rj->loc, len,
					      "contradictory rules for '%s': '%s' here, '%s' "
					      "earlier for the same condition",
					      rj->syscall, aj, ai);
			} else if (same) {
				err = diag_at(diags, &c, MOAT_DIAG_WARNING, rj->loc, len,
					      "duplicate rule for '%s' (%s%s): it never decides",
					      rj->syscall, aj, "");
			} else if (!ri->ncmps) {
				err = diag_at(diags, &c, MOAT_DIAG_WARNING, rj->loc, len,
					      "rule for '%s' (%s) is shadowed by an earlier "
					      "unconditional rule (%s): it never decides",
					      rj->syscall, aj, ai);
			} else {
				continue;
			}
			if (!err)
				err = diag_at(diags, &c, MOAT_DIAG_NOTE, ri->loc,
					      (uint32_t)strlen(ri->syscall),
					      "the earlier rule for '%s' is here%s%s", ri->syscall,
					      "", "");
			break; /* one finding per rule is enough */
		}
	}
	free(c.text);
	if (err)
		return err;
	return diags->nerrors > errors ? -EINVAL : 0;
}

/* ---- Merge ---- */

/* Swaps the contents of two policies (each keeps owning what it holds). */
static void policy_swap(struct moat_policy *a, struct moat_policy *b)
{
	struct moat_policy t = *a;

	*a = *b;
	*b = t;
}

int moat_policy_merge(struct moat_policy *dst, const struct moat_policy *src)
{
	struct moat_policy *tmp = moat_policy_dup(dst);
	int err = 0;

	/* Work on a copy so that DST is untouched when memory runs out. */
	if (!tmp)
		return -ENOMEM;
	for (size_t i = 0; !err && i < src->nrules; i++) {
		const struct moat_rule *r = &src->rules[i];

		err = moat_policy_add_rule(tmp, r->syscall, r->action, r->cmps, r->ncmps, r->loc,
					   r->comment);
	}
	for (size_t i = 0; !err && i < src->nfreq; i++)
		err = moat_policy_add_freq(tmp, src->freq[i].syscall, src->freq[i].count);
	/* arches == 0 means "native": OR the sets each side really covers. */
	if (dst->arches || src->arches)
		tmp->arches = moat_policy_arches(dst) | moat_policy_arches(src);
	tmp->flags |= src->flags;
	if (!err && !tmp->listener_path && src->listener_path &&
	    !(tmp->listener_path = strdup(src->listener_path)))
		err = -ENOMEM;
	if (!err && !tmp->listener_metadata && src->listener_metadata &&
	    !(tmp->listener_metadata = strdup(src->listener_metadata)))
		err = -ENOMEM;
	if (!err)
		policy_swap(dst, tmp);
	moat_policy_free(tmp);
	return err;
}

/* ---- Canonical form ---- */

/* Sorts a rule's comparisons, turns IN {x} into EQ x, drops repeated ones. */
static void rule_normalize(struct moat_rule *r)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < r->ncmps; i++) {
		struct moat_cmp *m = &r->cmps[i];

		if (m->op == MOAT_OP_IN && m->nset == 1) {
			m->op = MOAT_OP_EQ;
			m->value = m->set[0];
			free(m->set);
			m->set = NULL;
			m->nset = 0;
		}
		if (m->op != MOAT_OP_MASKED_EQ)
			m->mask = 0;
		if (m->op != MOAT_OP_IN) {
			free(m->set);
			m->set = NULL;
			m->nset = 0;
		}
	}
	if (r->ncmps > 1)
		qsort(r->cmps, r->ncmps, sizeof(*r->cmps), cmp_qsort);
	/* a && a is a. */
	for (uint32_t i = 0; i < r->ncmps; i++) {
		if (k && !cmp_compare(&r->cmps[k - 1], &r->cmps[i])) {
			free(r->cmps[i].set);
			continue;
		}
		r->cmps[k++] = r->cmps[i];
	}
	r->ncmps = k;
	if (!k) {
		free(r->cmps);
		r->cmps = NULL;
	}
}

static bool cond_equal_sorted(const struct moat_rule *a, const struct moat_rule *b)
{
	if (a->ncmps != b->ncmps)
		return false;
	for (uint32_t i = 0; i < a->ncmps; i++)
		if (cmp_compare(&a->cmps[i], &b->cmps[i]))
			return false;
	return true;
}

/* Values an EQ or IN comparison accepts. */
static bool cmp_values(const struct moat_cmp *m, const uint64_t **v, uint32_t *n)
{
	if (m->op == MOAT_OP_EQ) {
		*v = &m->value;
		*n = 1;
		return true;
	}
	if (m->op == MOAT_OP_IN) {
		*v = m->set;
		*n = m->nset;
		return true;
	}
	return false;
}

/*
 * Can B be folded into A? Same action, same comparisons except exactly one
 * EQ/IN on the same argument at the same position: (C && x == 1) then
 * (C && x == 2) is (C && x in {1, 2}). Returns the differing index or -1.
 */
static int fold_index(const struct moat_rule *a, const struct moat_rule *b)
{
	int diff = -1;
	const uint64_t *v;
	uint32_t n;

	if (!moat_action_equal(a->action, b->action) || a->ncmps != b->ncmps)
		return -1;
	for (uint32_t i = 0; i < a->ncmps; i++) {
		if (!cmp_compare(&a->cmps[i], &b->cmps[i]))
			continue;
		if (diff >= 0 || a->cmps[i].arg != b->cmps[i].arg ||
		    !cmp_values(&a->cmps[i], &v, &n) || !cmp_values(&b->cmps[i], &v, &n))
			return -1;
		diff = (int)i;
	}
	return diff;
}

static int u64_qsort(const void *a, const void *b)
{
	return cmp_u64(*(const uint64_t *)a, *(const uint64_t *)b);
}

/* A's comparison I becomes IN (A's values | B's values), then A is re-sorted. */
static int fold_into(struct moat_rule *a, const struct moat_rule *b, int i)
{
	const uint64_t *va = NULL, *vb = NULL;
	uint32_t na = 0, nb = 0, k = 0;
	uint64_t *set;

	cmp_values(&a->cmps[i], &va, &na);
	cmp_values(&b->cmps[i], &vb, &nb);
	set = malloc((size_t)(na + nb) * sizeof(*set));
	if (!set)
		return -ENOMEM;
	memcpy(set, va, na * sizeof(*set));
	memcpy(set + na, vb, nb * sizeof(*set));
	qsort(set, na + nb, sizeof(*set), u64_qsort);
	for (uint32_t j = 0; j < na + nb; j++)
		if (!k || set[k - 1] != set[j])
			set[k++] = set[j];
	free(a->cmps[i].set);
	a->cmps[i].op = MOAT_OP_IN;
	a->cmps[i].set = set;
	a->cmps[i].nset = k;
	a->cmps[i].value = 0;
	rule_normalize(a);
	return 0;
}

static bool values_subset(const uint64_t *a, uint32_t na, const uint64_t *b, uint32_t nb)
{
	uint32_t j = 0;

	/* Both sorted. */
	for (uint32_t i = 0; i < na; i++) {
		while (j < nb && b[j] < a[i])
			j++;
		if (j == nb || b[j] != a[i])
			return false;
	}
	return true;
}

/*
 * Does R's condition imply E's (so that E, if earlier, always matches first)?
 * Exact for equal conditions; beyond that only the EQ/IN-subset case is seen.
 */
static bool cond_implies(const struct moat_rule *r, const struct moat_rule *e)
{
	if (r->ncmps != e->ncmps)
		return false;
	for (uint32_t i = 0; i < r->ncmps; i++) {
		const uint64_t *vr, *ve;
		uint32_t nr, ne;

		if (!cmp_compare(&r->cmps[i], &e->cmps[i]))
			continue;
		if (r->cmps[i].arg != e->cmps[i].arg || !cmp_values(&r->cmps[i], &vr, &nr) ||
		    !cmp_values(&e->cmps[i], &ve, &ne) || !values_subset(vr, nr, ve, ne))
			return false;
	}
	return true;
}

struct rule_pos {
	struct moat_rule r;
	size_t pos;
};

static int rule_pos_qsort(const void *a, const void *b)
{
	const struct rule_pos *x = a, *y = b;
	int c = strcmp(x->r.syscall, y->r.syscall);

	/* Stable: rules of one syscall keep their relative order. */
	return c ? c : cmp_u64(x->pos, y->pos);
}

static int freq_qsort(const void *a, const void *b)
{
	return strcmp(((const struct moat_freq *)a)->syscall,
		      ((const struct moat_freq *)b)->syscall);
}

/*
 * "allow socket if C" then "errno EPERM socket" with default errno EPERM: the
 * unconditional last rule decides exactly what the default would, so it goes.
 * (libseccomp would instead let it override the conditional rules: removing
 * it keeps the OCI export exact.) A lone unconditional rule stays: it says
 * what the author meant even when it equals the default.
 */
static void drop_default_tails(struct moat_policy *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nrules; i++) {
		struct moat_rule *r = &p->rules[i];
		bool last = i + 1 == p->nrules || strcmp(p->rules[i + 1].syscall, r->syscall);
		bool earlier = n && !strcmp(p->rules[n - 1].syscall, r->syscall);

		if (last && earlier && !r->ncmps &&
		    moat_action_equal(r->action, p->default_action)) {
			moat_rule_release(r);
			continue;
		}
		p->rules[n++] = *r;
	}
	p->nrules = n;
}

/*
 * Canonical direction for EQ/IN: adjacent rules that differ only in one
 * EQ/IN on the same argument fold INTO one IN rule (and IN of one value is
 * EQ). Only neighbours fold: moving a later rule's condition over a rule with
 * another action could change which rule matches first.
 */
int moat_policy_canonicalize(struct moat_policy *p)
{
	struct rule_pos *v;
	size_t n = 0, folds = 0;

	if (!p->nrules)
		goto freqs;
	v = malloc(p->nrules * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < p->nrules; i++) {
		v[i].r = p->rules[i];
		v[i].pos = i;
		rule_normalize(&v[i].r);
	}
	qsort(v, p->nrules, sizeof(*v), rule_pos_qsort);
	for (size_t i = 0; i < p->nrules; i++) {
		struct moat_rule *r = &v[i].r;
		bool dead = false;

		/*
		 * Dead rules: after an unconditional rule for the same syscall, or
		 * with the same condition as an earlier one (which always matches first).
		 */
		for (size_t j = n; j-- > 0;) {
			struct moat_rule *e = &p->rules[j];

			if (strcmp(e->syscall, r->syscall))
				break;
			if (!e->ncmps || cond_implies(r, e)) {
				dead = true;
				break;
			}
		}
		if (dead) {
			moat_rule_release(r);
			continue;
		}
		if (n && !strcmp(p->rules[n - 1].syscall, r->syscall)) {
			int k = fold_index(&p->rules[n - 1], r);

			if (k >= 0) {
				int err = fold_into(&p->rules[n - 1], r, k);

				if (err) {
					/* Keep the policy whole: the rule stays unfolded. */
					p->rules[n++] = *r;
					for (size_t j = i + 1; j < p->nrules; j++)
						p->rules[n++] = v[j].r;
					free(v);
					p->nrules = n;
					return err;
				}
				moat_rule_release(r);
				folds++;
				continue;
			}
		}
		p->rules[n++] = *r;
	}
	free(v);
	p->nrules = n;
	/*
	 * A folded rule may now have the same condition as the one before it:
	 * run again (each fold removes a rule, so this ends).
	 */
	if (folds)
		return moat_policy_canonicalize(p);
	drop_default_tails(p);
freqs:
	if (p->nfreq > 1)
		qsort(p->freq, p->nfreq, sizeof(*p->freq), freq_qsort);
	return 0;
}

/* ---- Equality ---- */

static bool str_equal(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

/*
 * Meaning-level equality of two canonical policies. Locations, comments and
 * frequencies (a hint for the compiler's layout, not part of the meaning)
 * are ignored.
 */
bool moat_policy_equal(const struct moat_policy *a, const struct moat_policy *b)
{
	if (!moat_action_equal(a->default_action, b->default_action) ||
	    !moat_action_equal(a->unknown_action, b->unknown_action) ||
	    !moat_action_equal(a->badarch_action, b->badarch_action) ||
	    moat_policy_arches(a) != moat_policy_arches(b) || a->flags != b->flags ||
	    !str_equal(a->listener_path, b->listener_path) ||
	    !str_equal(a->listener_metadata, b->listener_metadata) || a->nrules != b->nrules)
		return false;
	for (size_t i = 0; i < a->nrules; i++) {
		const struct moat_rule *x = &a->rules[i], *y = &b->rules[i];

		if (strcmp(x->syscall, y->syscall) || !moat_action_equal(x->action, y->action) ||
		    !cond_equal_sorted(x, y))
			return false;
	}
	return true;
}
