// SPDX-License-Identifier: MIT
/*
 * From the DAG to a program: every jump of classic BPF goes forward, so the
 * nodes are laid out in reverse postorder (a topological order), visiting
 * the false edge last so that it usually falls through and `ld`/`and` find
 * their successor right after them. Unreachable nodes are never laid out
 * (dead code removal for free).
 *
 * jt/jf are 8 bits: a branch more than 255 instructions away goes through
 * a slot placed right after the jump -- a copy of the target when it is a
 * `ret` (no extra instruction executed), else a `ja`. Slots push code
 * further, so the layout is recomputed until no new branch is too far.
 */
#include <errno.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>

#include "compile/compile_int.h"

struct layout {
	const struct ir *ir;
	int32_t *order; /* node ids in program order */
	uint32_t norder;
	int32_t *pos;	/* node id -> index in order, -1 when unreachable */
	uint8_t *far;	/* per order index: bit 0 jt far, bit 1 jf far, bit 2 needs ja */
	uint32_t *addr; /* per order index: address of the node */
	uint32_t total;
};

static int postorder(struct layout *l, int32_t root)
{
	const struct ir *ir = l->ir;
	struct frame {
		int32_t node;
		uint8_t next; /* 0: visit jt, 1: visit jf, 2: done */
	} *stack = malloc(ir->n * sizeof(*stack));
	uint32_t sp = 0;

	if (!stack)
		return -ENOMEM;
	stack[sp++] = (struct frame){ root, 0 };
	l->pos[root] = -2; /* on the stack */
	while (sp) {
		struct frame *f = &stack[sp - 1];
		const struct ir_node *n = &ir->v[f->node];
		int32_t child = -1;

		if (f->next == 0) {
			f->next = 1;
			if (n->kind != IR_RET)
				child = n->jt;
		} else if (f->next == 1) {
			f->next = 2;
			if (n->kind == IR_JMP)
				child = n->jf;
		} else {
			l->order[l->norder++] = f->node;
			sp--;
			continue;
		}
		if (child >= 0 && l->pos[child] == -1) {
			l->pos[child] = -2;
			stack[sp++] = (struct frame){ child, 0 };
		}
	}
	free(stack);
	/* Reverse: postorder -> reverse postorder. */
	for (uint32_t i = 0; i < l->norder / 2; i++) {
		int32_t t = l->order[i];

		l->order[i] = l->order[l->norder - 1 - i];
		l->order[l->norder - 1 - i] = t;
	}
	for (uint32_t i = 0; i < l->norder; i++)
		l->pos[l->order[i]] = (int32_t)i;
	return 0;
}

static uint32_t slots(uint8_t far)
{
	return 1 + !!(far & 1) + !!(far & 2) + !!(far & 4);
}

/* Addresses for the current slot flags; returns whether a new branch went far. */
static bool place(struct layout *l)
{
	bool changed = false;
	uint32_t a = 0;

	for (uint32_t i = 0; i < l->norder; i++) {
		l->addr[i] = a;
		a += slots(l->far[i]);
	}
	l->total = a;
	for (uint32_t i = 0; i < l->norder; i++) {
		const struct ir_node *n = &l->ir->v[l->order[i]];
		uint32_t from = l->addr[i] + 1; /* offsets count from the next instruction */

		if (n->kind != IR_JMP)
			continue;
		if (!(l->far[i] & 1) && l->addr[l->pos[n->jt]] - from > 255) {
			l->far[i] |= 1;
			changed = true;
		}
		if (!(l->far[i] & 2) && l->addr[l->pos[n->jf]] - from > 255) {
			l->far[i] |= 2;
			changed = true;
		}
	}
	return changed;
}

int compile_codegen(struct compile_ctx *c, int32_t root, struct moat_prog **out,
		    uint32_t *rule_cost)
{
	const struct ir *ir = &c->ir;
	struct layout l = { .ir = ir };
	struct moat_prog *prog = NULL;
	int err = -ENOMEM;

	l.order = malloc(ir->n * sizeof(*l.order));
	l.pos = malloc(ir->n * sizeof(*l.pos));
	l.far = calloc(ir->n, 1);
	l.addr = malloc(ir->n * sizeof(*l.addr));
	if (!l.order || !l.pos || !l.far || !l.addr)
		goto out;
	for (uint32_t i = 0; i < ir->n; i++)
		l.pos[i] = -1;
	err = postorder(&l, root);
	if (err)
		goto out;
	/* ld/and whose successor is not next need a ja (a shared successor). */
	for (uint32_t i = 0; i < l.norder; i++) {
		const struct ir_node *n = &ir->v[l.order[i]];

		if ((n->kind == IR_LD || n->kind == IR_AND) && l.pos[n->jt] != (int32_t)i + 1)
			l.far[i] |= 4;
	}
	while (place(&l))
		;

	err = -ENOMEM;
	prog = calloc(1, sizeof(*prog));
	if (!prog)
		goto out;
	prog->len = l.total;
	prog->insns = calloc(l.total, sizeof(*prog->insns));
	prog->origin = calloc(l.total, sizeof(*prog->origin));
	if (!prog->insns || !prog->origin)
		goto out;
	for (uint32_t i = 0; i < l.norder; i++) {
		const struct ir_node *n = &ir->v[l.order[i]];
		uint32_t a = l.addr[i], s = a + 1;
		struct moat_insn *in = &prog->insns[a];

		in->code = n->code;
		in->k = n->k;
		if (n->kind == IR_RET)
			prog->origin[a] = n->origin;
		if (rule_cost && n->rule >= 0)
			rule_cost[n->rule] += slots(l.far[i]);
		if (n->kind == IR_LD || n->kind == IR_AND) {
			if (l.far[i] & 4)
				prog->insns[s] =
					(struct moat_insn){ BPF_JMP | BPF_JA, 0, 0,
							    l.addr[l.pos[n->jt]] - (s + 1) };
			continue;
		}
		if (n->kind != IR_JMP)
			continue;
		for (int b = 0; b < 2; b++) {
			int32_t tgt = b == 0 ? n->jt : n->jf;
			const struct ir_node *tn = &ir->v[tgt];
			uint32_t off;

			if (l.far[i] & (1 << b)) {
				/* The branch lands on its slot; the slot reaches the target. */
				off = s - (a + 1);
				if (tn->kind == IR_RET) {
					prog->insns[s] =
						(struct moat_insn){ tn->code, 0, 0, tn->k };
					prog->origin[s] = tn->origin;
				} else {
					prog->insns[s] =
						(struct moat_insn){ BPF_JMP | BPF_JA, 0, 0,
								    l.addr[l.pos[tgt]] - (s + 1) };
				}
				s++;
			} else {
				off = l.addr[l.pos[tgt]] - (a + 1);
			}
			if (b == 0)
				in->jt = (uint8_t)off;
			else
				in->jf = (uint8_t)off;
		}
	}
	*out = prog;
	prog = NULL;
	err = 0;
out:
	moat_prog_free(prog);
	free(l.order);
	free(l.pos);
	free(l.far);
	free(l.addr);
	return err;
}
