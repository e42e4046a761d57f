// SPDX-License-Identifier: MIT
/*
 * Argument checks of one syscall: its rules, in policy order, as a decision
 * DAG. The first rule whose comparisons all hold decides; otherwise the
 * fallback (the first unconditional rule, or default_action).
 *
 * The kernel's cBPF compares 32-bit words, so every 64-bit comparison is
 * lowered to steps on the high and the low word. While walking the rules the
 * builder carries what is known on the path: which word the accumulator
 * holds (no reload), and what a word was found equal or unequal to. A test
 * whose answer is known is not emitted. That is how rules that start with
 * the same comparison share it: the second rule's copy folds away.
 */
#include <errno.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>

#include "compile/compile_int.h"

#define NWORDS 12 /* 6 args x {lo, hi}: word 2i = lo(arg i), 2i+1 = hi(arg i) */
#define ACC_OTHER 0xffu
#define FACT_NONE 0
#define FACT_EQ 1
#define FACT_NE 2

/* Above this many (position, facts) states, rebuild without learning facts. */
#define STATE_BUDGET 40000

/* Only uint32_t fields: the struct is hashed and compared as bytes. */
struct facts {
	uint32_t acc; /* word in A, or ACC_OTHER (nr, or a masked value) */
	uint32_t st[NWORDS];
	uint32_t val[NWORDS];
};

struct pos {
	uint32_t ri;   /* index into sc_rules.rules; == nrules: fallback */
	uint32_t cj;   /* comparison of that rule; == ncmps: the rule matched */
	uint32_t step; /* progress inside the comparison */
};

struct state {
	struct pos p;
	struct facts f;
	int32_t node;
	uint32_t used;
};

struct argb {
	struct compile_ctx *c;
	const struct sc_rules *s;
	bool learn; /* learn facts from tests (optimize >= 1) */
	struct state *tab;
	uint32_t cap, n;
};

static int32_t build(struct argb *a, struct pos p, const struct facts *f);

static uint32_t state_hash(const struct pos *p, const struct facts *f)
{
	const uint32_t *w = (const uint32_t *)f;
	uint64_t h = (p->ri * 0x9e3779b97f4a7c15ull) ^ (p->cj * 0xc2b2ae3d27d4eb4full) ^ p->step;

	for (size_t i = 0; i < sizeof(*f) / 4; i++)
		h = (h ^ w[i]) * 1099511628211ull;
	return (uint32_t)(h ^ (h >> 29));
}

static struct state *state_find(struct argb *a, const struct pos *p, const struct facts *f)
{
	uint32_t i = state_hash(p, f) & (a->cap - 1);

	for (;; i = (i + 1) & (a->cap - 1)) {
		struct state *s = &a->tab[i];

		if (!s->used)
			return s;
		if (!memcmp(&s->p, p, sizeof(*p)) && !memcmp(&s->f, f, sizeof(*f)))
			return s;
	}
}

static int state_grow(struct argb *a)
{
	struct state *old = a->tab;
	uint32_t oldcap = a->cap;

	a->cap = oldcap ? oldcap * 2 : 256;
	a->tab = calloc(a->cap, sizeof(*a->tab));
	if (!a->tab) {
		a->tab = old;
		a->cap = oldcap;
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < oldcap; i++) {
		if (old[i].used)
			*state_find(a, &old[i].p, &old[i].f) = old[i];
	}
	free(old);
	return 0;
}

static uint32_t word_off(uint32_t w)
{
	return w & 1 ? SD_ARG_HI(w / 2) : SD_ARG_LO(w / 2);
}

/* Result of (A op k) when A's value is known. */
static bool eval_test(uint16_t op, uint32_t x, uint32_t k, uint32_t mask)
{
	switch (op) {
	case BPF_JEQ:
		return (x & mask) == k;
	case BPF_JGT:
		return x > k;
	case BPF_JGE:
		return x >= k;
	case BPF_JSET:
	default:
		return (x & k) != 0;
	}
}

/*
 * One 32-bit test on word W: (W & MASK) == K for BPF_JEQ, W > K, W >= K,
 * or W & K for BPF_JSET; continue at T or F.
 */
static int32_t test(struct argb *a, uint32_t w, uint16_t op, uint32_t k, uint32_t mask,
		    struct pos t, struct pos fl, const struct facts *f)
{
	struct facts ft = *f, ff = *f;
	bool need_and = false;
	int32_t nt, nf, n;

	if (op == BPF_JEQ && mask != UINT32_MAX) {
		if ((k & ~mask) != 0)
			return build(a, fl, f); /* bits outside the mask can never match */
		if (mask == 0)
			return build(a, t, f);
		/* Single-bit and zero tests need no AND, and keep A intact. */
		if (k == 0) {
			op = BPF_JSET;
			k = mask;
			struct pos tmp = t;
			t = fl;
			fl = tmp;
		} else if (k == mask && !(mask & (mask - 1))) {
			op = BPF_JSET;
		} else {
			need_and = true;
		}
	}
	/* Known answers: nothing to emit. */
	if (f->st[w] == FACT_EQ)
		return build(a, eval_test(op, f->val[w], k, need_and ? mask : UINT32_MAX) ? t : fl,
			     f);
	if (f->st[w] == FACT_NE && op == BPF_JEQ && !need_and && f->val[w] == k)
		return build(a, fl, f);
	if ((op == BPF_JGE && k == 0))
		return build(a, t, f);
	if ((op == BPF_JGT && k == UINT32_MAX) || (op == BPF_JSET && k == 0))
		return build(a, fl, f);

	/* Without learning (-O0) every test reloads: A's content is not state. */
	ft.acc = ff.acc = need_and || !a->learn ? ACC_OTHER : w;
	if (a->learn && !need_and) {
		if (op == BPF_JEQ) {
			ft.st[w] = FACT_EQ;
			ft.val[w] = k;
			ff.st[w] = FACT_NE;
			ff.val[w] = k;
		} else if ((op == BPF_JGT && k == 0) || (op == BPF_JGE && k == 1)) {
			ff.st[w] = FACT_EQ;
			ff.val[w] = 0;
		}
	}
	nt = build(a, t, &ft);
	if (nt < 0)
		return nt;
	nf = build(a, fl, &ff);
	if (nf < 0)
		return nf;
	a->c->ir.rule = (int32_t)a->s->rules[t.ri < a->s->nrules ? t.ri : fl.ri];
	n = ir_jmp(&a->c->ir, op, k, nt, nf);
	if (need_and)
		n = ir_and(&a->c->ir, mask, n);
	/* Without facts (-O0) every test loads its word again. */
	if (need_and || f->acc != w || !a->learn)
		n = ir_ld(&a->c->ir, word_off(w), n);
	return n;
}

/* Large sets sharing one high word: binary search over the low words. */
#define IN_SEARCH_MIN 8

static bool in_searchable(const struct argb *a, const struct moat_cmp *cmp, const struct facts *f)
{
	if (!a->learn || cmp->nset < IN_SEARCH_MIN || f->st[2u * cmp->arg] != FACT_NONE)
		return false;
	for (uint32_t i = 1; i < cmp->nset; i++)
		if (cmp->set[i] >> 32 != cmp->set[0] >> 32)
			return false;
	return true;
}

static int32_t in_tree(struct argb *a, const struct moat_cmp *cmp, uint32_t i, uint32_t j,
		       int32_t yes, int32_t no)
{
	int32_t hi, lo;
	uint32_t m;

	if (j - i < 3) {
		int32_t n = no;

		for (uint32_t k = j + 1; k-- > i && n >= 0;)
			n = ir_jmp(&a->c->ir, BPF_JEQ, (uint32_t)cmp->set[k], yes, n);
		return n;
	}
	m = (i + j + 1) / 2;
	hi = in_tree(a, cmp, m, j, yes, no);
	if (hi < 0)
		return hi;
	lo = in_tree(a, cmp, i, m - 1, yes, no);
	if (lo < 0)
		return lo;
	return ir_jmp(&a->c->ir, BPF_JGE, (uint32_t)cmp->set[m], hi, lo);
}

/*
 * arg in {v1..vn}, n large, one high word: log2(n) tests on the low word
 * (sorted, as the set is), then the high word once.
 */
static int32_t in_search(struct argb *a, const struct moat_cmp *cmp, struct pos p,
			 const struct facts *f)
{
	uint32_t lo = 2u * cmp->arg;
	struct facts g = *f;
	int32_t yes, no, n;

	g.acc = lo;
	yes = build(a, (struct pos){ p.ri, p.cj, 2 * cmp->nset }, &g);
	if (yes < 0)
		return yes;
	no = build(a, (struct pos){ p.ri + 1, 0, 0 }, &g);
	if (no < 0)
		return no;
	a->c->ir.rule = (int32_t)a->s->rules[p.ri];
	n = in_tree(a, cmp, 0, cmp->nset - 1, yes, no);
	if (f->acc != lo)
		n = ir_ld(&a->c->ir, word_off(lo), n);
	return n;
}

static int32_t lower_cmp(struct argb *a, const struct moat_cmp *cmp, struct pos p,
			 const struct facts *f)
{
	struct pos next = { p.ri, p.cj + 1, 0 }, fail = { p.ri + 1, 0, 0 };
	struct pos s1 = { p.ri, p.cj, 1 }, s2 = { p.ri, p.cj, 2 };
	uint32_t hi = 2u * cmp->arg + 1, lo = 2u * cmp->arg;
	uint32_t vh = (uint32_t)(cmp->value >> 32), vl = (uint32_t)cmp->value;
	uint32_t mh = (uint32_t)(cmp->mask >> 32), ml = (uint32_t)cmp->mask;
	struct pos yes = next, no = fail;

	/*
	 * EQ, NE, MASKED_EQ and IN test the low word first: real arguments
	 * (fds, flags, small constants) nearly always have a zero high word,
	 * so the high test rarely decides anything and a mismatch is found
	 * in one test instead of three.
	 */
	switch (cmp->op) {
	case MOAT_OP_EQ:
		if (p.step == 0)
			return test(a, lo, BPF_JEQ, vl, UINT32_MAX, s1, fail, f);
		return test(a, hi, BPF_JEQ, vh, UINT32_MAX, next, fail, f);
	case MOAT_OP_NE:
		if (p.step == 0)
			return test(a, lo, BPF_JEQ, vl, UINT32_MAX, s1, next, f);
		return test(a, hi, BPF_JEQ, vh, UINT32_MAX, fail, next, f);
	case MOAT_OP_LE: /* not GT */
	case MOAT_OP_LT: /* not GE */
		yes = fail;
		no = next;
		/* fallthrough */
	case MOAT_OP_GT:
	case MOAT_OP_GE:
		/* hi > vh decides; hi == vh compares lo; hi < vh decides. */
		if (p.step == 0)
			return test(a, hi, BPF_JGT, vh, UINT32_MAX, yes, s1, f);
		if (p.step == 1)
			return test(a, hi, BPF_JEQ, vh, UINT32_MAX, s2, no, f);
		if (cmp->op == MOAT_OP_GT || cmp->op == MOAT_OP_LE)
			return test(a, lo, BPF_JGT, vl, UINT32_MAX, yes, no, f);
		return test(a, lo, BPF_JGE, vl, UINT32_MAX, yes, no, f);
	case MOAT_OP_MASKED_EQ:
		if (cmp->value & ~cmp->mask)
			return build(a, fail, f);
		if (p.step == 0)
			return test(a, lo, BPF_JEQ, vl, ml, s1, fail, f);
		return test(a, hi, BPF_JEQ, vh, mh, next, fail, f);
	case MOAT_OP_IN: {
		/*
		 * Step 2i: low word of set[i]; 2i+1: its high word. On a miss,
		 * on to set[i+1]: what is known of the low word then folds the
		 * tests of values that cannot match, and when all values share
		 * a high word the high tests are one shared node.
		 */
		uint32_t i = p.step / 2;
		struct pos other =
			i + 1 < cmp->nset ? (struct pos){ p.ri, p.cj, 2 * (i + 1) } : fail;

		if (p.step == 2 * cmp->nset) /* after the binary search: the shared high word */
			return test(a, hi, BPF_JEQ, (uint32_t)(cmp->set[0] >> 32), UINT32_MAX, next,
				    fail, f);
		if (p.step == 0 && in_searchable(a, cmp, f))
			return in_search(a, cmp, p, f);

		if (p.step % 2 == 0)
			return test(a, lo, BPF_JEQ, (uint32_t)cmp->set[i], UINT32_MAX,
				    (struct pos){ p.ri, p.cj, 2 * i + 1 }, other, f);
		return test(a, hi, BPF_JEQ, (uint32_t)(cmp->set[i] >> 32), UINT32_MAX, next, other,
			    f);
	}
	default:
		return -EINVAL;
	}
}

static int32_t build(struct argb *a, struct pos p, const struct facts *f)
{
	const struct moat_rule *r;
	struct state *st;
	int32_t n;

	if (p.ri == a->s->nrules)
		return a->s->fallback;
	r = &a->c->p->rules[a->s->rules[p.ri]];
	if (p.cj == r->ncmps) {
		struct moat_origin o = { MOAT_ORIGIN_RULE, a->c->group[a->s->rules[p.ri]] };

		return compile_ret(a->c, r->action, o);
	}
	st = state_find(a, &p, f);
	if (st->used)
		return st->node;
	if (a->n >= STATE_BUDGET)
		return -EAGAIN;
	n = lower_cmp(a, &r->cmps[p.cj], p, f);
	if (n < 0)
		return n;
	/* The recursion may have grown the table: look the slot up again. */
	if ((a->n + 1) * 2 > a->cap && state_grow(a))
		return -ENOMEM;
	st = state_find(a, &p, f);
	st->p = p;
	st->f = *f;
	st->node = n;
	st->used = 1;
	a->n++;
	return n;
}

int32_t compile_arg_checks(struct compile_ctx *c, const struct sc_rules *s, bool arg32)
{
	struct argb a = { .c = c, .s = s, .learn = c->facts };
	struct facts f;
	int32_t n;

	for (;;) {
		memset(&f, 0, sizeof(f));
		f.acc = ACC_OTHER; /* A holds the syscall number */
		/*
		 * 32-bit ABIs (i386, also via int 0x80 from a 64-bit task): the
		 * syscall uses only the low 32 bits of each register, but
		 * seccomp_data may carry whatever the high half held. Comparing
		 * it would let garbage high bits dodge a deny rule, so the high
		 * word counts as 0 and is never loaded (libseccomp does the same).
		 */
		if (arg32) {
			for (int i = 1; i < NWORDS; i += 2)
				f.st[i] = FACT_EQ;
		}
		a.n = 0;
		free(a.tab);
		a.tab = NULL;
		a.cap = 0;
		n = state_grow(&a) ? -ENOMEM : build(&a, (struct pos){ 0, 0, 0 }, &f);
		if (n != -EAGAIN || !a.learn)
			break;
		/* Too many distinct paths: give up facts, keep correctness. */
		a.learn = false;
	}
	free(a.tab);
	c->ir.rule = -1;
	return n == -EAGAIN ? -E2BIG : n;
}
