// SPDX-License-Identifier: MIT
/*
 * Dispatch on the syscall number: a binary search over the boundaries of
 * ranges of equal outcome. Each test is a `jge` on a boundary; the shape is
 * an optimal alphabetic tree for the ranges' weights (syscall counts from a
 * recording, so hot syscalls sit near the root), computed with Knuth's
 * O(n^2) dynamic programme. A stretch where one outcome is the background
 * and the others are single numbers may instead be a short chain of `jeq`
 * (one test per number instead of two boundaries), when that is cheaper.
 */
#include <errno.h>
#include <linux/filter.h>
#include <stdlib.h>

#include "compile/compile_int.h"

/*
 * Above this many ranges the O(n^2) table gets big: split at the weighted
 * median instead (-O2 affords a bigger table).
 */
#define DP_MAX_RANGES 400
#define DP_MAX_RANGES_O2 1200

struct tree {
	struct compile_ctx *c;
	const struct nr_range *r;
	uint32_t n;
	double *prefix; /* prefix[i] = weight of ranges [0, i) */
	double *cost;	/* n x n */
	int32_t *root;	/* n x n: split after root[i][j]; */
	uint8_t *jeq;	/* n x n: a jeq chain is cheaper than a split */
	uint32_t *chain_lo,
		*chain_hi; /* r[i..j] may be a chain iff chain_lo[i] <= j <= chain_hi[i] */
};

static double weight(const struct tree *t, uint32_t i, uint32_t j)
{
	return t->prefix[j + 1] - t->prefix[i];
}

/*
 * What one more instruction in the program weighs against one more test
 * executed by a range of weight 1: the tree minimises tests executed plus
 * this times its size.
 */
#ifndef SIZE_COST
#define SIZE_COST 1.0
#endif

/* Longest jeq chain considered: longer ones lose to the tree anyway. */
#define CHAIN_MAX 8

static bool is_single(const struct tree *t, uint32_t k)
{
	uint64_t end = k + 1 < t->n ? t->r[k + 1].lo : (uint64_t)UINT32_MAX + 1;

	return end == (uint64_t)t->r[k].lo + 1;
}

/*
 * Can r[i..j] be a jeq chain: one background node (that of the first range
 * that is not a single number) and single numbers? Its cost (weighted
 * tests: the k-th number tested pays k, the background pays them all) goes
 * to *COST, the numbers in test order (heaviest first) to ORDER.
 */
static bool chain_cost(const struct tree *t, uint32_t i, uint32_t j, double *cost, uint32_t *order,
		       uint32_t *norder)
{
	int32_t bg = -1;
	uint32_t k = 0;
	double wb = 0, c = 0;

	for (uint32_t m = i; m <= j; m++)
		if (!is_single(t, m)) {
			bg = t->r[m].node;
			break;
		}
	if (bg < 0)
		return false;
	for (uint32_t m = i; m <= j; m++) {
		if (t->r[m].node == bg) {
			wb += weight(t, m, m);
			continue;
		}
		if (!is_single(t, m) || k == CHAIN_MAX)
			return false;
		/* Insertion by weight, heaviest first. */
		uint32_t at = k++;

		while (at > 0 && t->r[order[at - 1]].weight < t->r[m].weight) {
			order[at] = order[at - 1];
			at--;
		}
		order[at] = m;
	}
	if (!k)
		return false;
	for (uint32_t q = 0; q < k; q++)
		c += (q + 1) * t->r[order[q]].weight;
	*cost = c + wb * k;
	*norder = k;
	return true;
}

static int32_t emit_chain(struct tree *t, uint32_t i, uint32_t j)
{
	uint32_t order[CHAIN_MAX], k, bgi = i;
	double cost;
	int32_t node;

	if (!chain_cost(t, i, j, &cost, order, &k))
		return -EINVAL;
	while (is_single(t, bgi) && bgi < j)
		bgi++;
	node = t->r[bgi].node;
	for (uint32_t q = k; q-- > 0 && node >= 0;)
		node = ir_jmp(&t->c->ir, BPF_JEQ, t->r[order[q]].lo, t->r[order[q]].node, node);
	return node;
}

/* Where chains may end, per start: keeps chain_cost() off hopeless intervals. */
static void chain_bounds(struct tree *t)
{
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t j = i, k = 0;
		int32_t bg;

		while (j < t->n && is_single(t, j))
			j++;
		t->chain_lo[i] = j;
		t->chain_hi[i] = 0;
		if (j == t->n)
			continue;
		bg = t->r[j].node;
		for (j = i; j < t->n && j - i <= 2 * CHAIN_MAX; j++) {
			if (t->r[j].node != bg && (!is_single(t, j) || ++k > CHAIN_MAX))
				break;
			t->chain_hi[i] = j;
		}
	}
}

static void optimal_tree(struct tree *t)
{
	uint32_t n = t->n;

	chain_bounds(t);

	for (uint32_t i = 0; i < n; i++) {
		t->cost[i * n + i] = 0;
		t->root[i * n + i] = (int32_t)i;
	}
	for (uint32_t len = 2; len <= n; len++) {
		for (uint32_t i = 0; i + len <= n; i++) {
			uint32_t j = i + len - 1;
			uint32_t lo = (uint32_t)t->root[i * n + j - 1];
			uint32_t hi = (uint32_t)t->root[(i + 1) * n + j];
			double best = -1;
			int32_t bk = (int32_t)i;

			if (hi > j - 1)
				hi = j - 1;
			if (lo < i)
				lo = i;
			for (uint32_t k = lo; k <= hi; k++) {
				double v = t->cost[i * n + k] + t->cost[(k + 1) * n + j];

				if (best < 0 || v < best) {
					best = v;
					bk = (int32_t)k;
				}
			}
			t->root[i * n + j] = bk;
			t->cost[i * n + j] = best + weight(t, i, j) + SIZE_COST;
			t->jeq[i * n + j] = 0;
			if (j >= t->chain_lo[i] && j <= t->chain_hi[i]) {
				uint32_t order[CHAIN_MAX], k;
				double c;

				/* Knuth's bounds keep using root[]: only the cost changes. */
				if (chain_cost(t, i, j, &c, order, &k) &&
				    c + SIZE_COST * k < t->cost[i * n + j]) {
					c += SIZE_COST * k;
					t->cost[i * n + j] = c;
					t->jeq[i * n + j] = 1;
				}
			}
		}
	}
}

static int32_t emit_dp(struct tree *t, uint32_t i, uint32_t j)
{
	uint32_t k;
	int32_t lt, rt;

	if (i == j)
		return t->r[i].node;
	if (t->jeq[i * t->n + j])
		return emit_chain(t, i, j);
	k = (uint32_t)t->root[i * t->n + j];
	rt = emit_dp(t, k + 1, j);
	if (rt < 0)
		return rt;
	lt = emit_dp(t, i, k);
	if (lt < 0)
		return lt;
	return ir_jmp(&t->c->ir, BPF_JGE, t->r[k + 1].lo, rt, lt);
}

/* Weighted median split: near-optimal, O(n log n), no table. */
static int32_t emit_median(struct tree *t, uint32_t i, uint32_t j)
{
	uint32_t k = i;
	double best = -1;
	int32_t lt, rt;

	if (i == j)
		return t->r[i].node;
	if (j == i + 2 && t->c->opts->optimize > 0 && !is_single(t, i) && is_single(t, i + 1) &&
	    t->r[i].node == t->r[i + 2].node)
		return emit_chain(t, i, j);
	for (uint32_t m = i; m < j; m++) {
		double d = weight(t, i, m) - weight(t, m + 1, j);

		if (d < 0)
			d = -d;
		if (best < 0 || d < best) {
			best = d;
			k = m;
		}
	}
	rt = emit_median(t, k + 1, j);
	if (rt < 0)
		return rt;
	lt = emit_median(t, i, k);
	if (lt < 0)
		return lt;
	return ir_jmp(&t->c->ir, BPF_JGE, t->r[k + 1].lo, rt, lt);
}

int32_t compile_dispatch_tree(struct compile_ctx *c, const struct nr_range *r, uint32_t n)
{
	struct tree t = { .c = c, .r = r, .n = n };
	bool dp = c->opts->optimize > 0 &&
		  n <= (c->opts->optimize > 1 ? DP_MAX_RANGES_O2 : DP_MAX_RANGES);
	int32_t node = -ENOMEM;

	if (n == 0)
		return -EINVAL;

	t.prefix = malloc((n + 1) * sizeof(double));
	if (!t.prefix)
		return -ENOMEM;
	t.prefix[0] = 0;
	for (uint32_t i = 0; i < n; i++)
		t.prefix[i + 1] = t.prefix[i] + (c->opts->optimize > 0 ? r[i].weight : 1.0);
	if (dp) {
		t.cost = malloc((size_t)n * n * sizeof(double));
		t.root = malloc((size_t)n * n * sizeof(int32_t));
		t.jeq = malloc((size_t)n * n);
		t.chain_lo = malloc(n * sizeof(uint32_t));
		t.chain_hi = malloc(n * sizeof(uint32_t));
		if (!t.cost || !t.root || !t.jeq || !t.chain_lo || !t.chain_hi)
			goto out;
		optimal_tree(&t);
		node = emit_dp(&t, 0, n - 1);
	} else {
		node = emit_median(&t, 0, n - 1);
	}
out:
	free(t.prefix);
	free(t.cost);
	free(t.root);
	free(t.jeq);
	free(t.chain_lo);
	free(t.chain_hi);
	return node;
}

/*
 * The baseline for benchmarks: one test per range, from the highest down,
 * as a filter written by hand (or libseccomp without its tree) would be.
 */
int32_t compile_dispatch_chain(struct compile_ctx *c, const struct nr_range *r, uint32_t n)
{
	int32_t node = r[0].node;

	for (uint32_t i = 1; i < n && node >= 0; i++) {
		/* Built bottom-up: the chain tests r[n-1] first. */
		node = ir_jmp(&c->ir, BPF_JGE, r[i].lo, r[i].node, node);
	}
	return node;
}
