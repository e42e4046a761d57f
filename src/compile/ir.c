// SPDX-License-Identifier: MIT
/*
 * The compiler's IR: a DAG of BPF instructions. Nodes are hash-consed:
 * asking twice for the same instruction with the same successors gives the
 * same node. That single rule merges identical returns, shares identical
 * argument checks between syscalls and rules, and lets the dispatch tree
 * merge neighbouring numbers whose outcome is the same node.
 */
#include <errno.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>

#include "compile/compile_int.h"

int ir_init(struct ir *ir, bool intern)
{
	memset(ir, 0, sizeof(*ir));
	ir->intern = intern;
	ir->rule = -1;
	ir->nbuckets = 1024;
	ir->buckets = calloc(ir->nbuckets, sizeof(*ir->buckets));
	return ir->buckets ? 0 : -ENOMEM;
}

void ir_release(struct ir *ir)
{
	free(ir->v);
	free(ir->buckets);
	memset(ir, 0, sizeof(*ir));
}

static uint32_t node_hash(const struct ir_node *n)
{
	uint64_t h = 1469598103934665603ull;
	uint32_t w[7] = { n->kind | (uint32_t)n->code << 8,
			  n->k,
			  (uint32_t)n->jt,
			  (uint32_t)n->jf,
			  n->origin.kind,
			  n->origin.rule,
			  0 };

	for (int i = 0; i < 6; i++) {
		h ^= w[i];
		h *= 1099511628211ull;
	}
	return (uint32_t)(h ^ (h >> 32));
}

static bool node_same(const struct ir_node *a, const struct ir_node *b)
{
	return a->kind == b->kind && a->code == b->code && a->k == b->k && a->jt == b->jt &&
	       a->jf == b->jf && a->origin.kind == b->origin.kind &&
	       a->origin.rule == b->origin.rule;
}

static int rehash(struct ir *ir)
{
	uint32_t nb = ir->nbuckets * 2;
	uint32_t *b = calloc(nb, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (uint32_t i = 0; i < ir->n; i++) {
		uint32_t h = node_hash(&ir->v[i]) & (nb - 1);

		ir->v[i].hnext = b[h];
		b[h] = i + 1;
	}
	free(ir->buckets);
	ir->buckets = b;
	ir->nbuckets = nb;
	return 0;
}

static int32_t ir_add(struct ir *ir, struct ir_node n, bool intern)
{
	uint32_t h = node_hash(&n);

	if (intern) {
		for (uint32_t i = ir->buckets[h & (ir->nbuckets - 1)]; i; i = ir->v[i - 1].hnext)
			if (node_same(&ir->v[i - 1], &n))
				return (int32_t)(i - 1);
	}
	if (ir->n == ir->cap) {
		uint32_t cap = ir->cap ? ir->cap * 2 : 256;
		struct ir_node *v;

		/* Far beyond anything that fits in 4096 instructions: refuse. */
		if (cap > (1u << 24))
			return -E2BIG;
		v = realloc(ir->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		ir->v = v;
		ir->cap = cap;
	}
	if (ir->n >= ir->nbuckets && rehash(ir))
		return -ENOMEM;
	n.rule = ir->rule;
	h &= ir->nbuckets - 1;
	n.hnext = ir->buckets[h];
	ir->buckets[h] = ir->n + 1;
	ir->v[ir->n] = n;
	return (int32_t)ir->n++;
}

int32_t ir_ret(struct ir *ir, uint32_t k, struct moat_origin origin)
{
	struct ir_node n = { .kind = IR_RET, .code = BPF_RET | BPF_K, .k = k, .jt = -1, .jf = -1 };

	n.origin = origin;
	/* Always merged: ranges of equal outcome are found by node identity. */
	return ir_add(ir, n, true);
}

int32_t ir_ld(struct ir *ir, uint32_t off, int32_t next)
{
	struct ir_node n = { .kind = IR_LD, .code = BPF_LD | BPF_W | BPF_ABS, .k = off };

	if (next < 0)
		return next;
	n.jt = next;
	n.jf = -1;
	return ir_add(ir, n, ir->intern);
}

int32_t ir_and(struct ir *ir, uint32_t mask, int32_t next)
{
	struct ir_node n = { .kind = IR_AND, .code = BPF_ALU | BPF_AND | BPF_K, .k = mask };

	if (next < 0)
		return next;
	n.jt = next;
	n.jf = -1;
	return ir_add(ir, n, ir->intern);
}

int32_t ir_jmp(struct ir *ir, uint16_t op, uint32_t k, int32_t jt, int32_t jf)
{
	struct ir_node n = { .kind = IR_JMP, .code = BPF_JMP | op | BPF_K, .k = k };

	if (jt < 0)
		return jt;
	if (jf < 0)
		return jf;
	/* Jump threading at the source: a test whose edges meet decides nothing. */
	if (jt == jf)
		return jt;
	n.jt = jt;
	n.jf = jf;
	return ir_add(ir, n, ir->intern);
}
