/* SPDX-License-Identifier: MIT */
/*
 * The compiler's private pieces. A policy becomes a DAG of classic BPF
 * instructions (ir.c: nodes are hash-consed, so identical returns and
 * identical check sequences exist once), built by tree.c (dispatch on the
 * syscall number) and args.c (argument checks), then laid out as a program
 * by codegen.c (fallthrough order, long jumps, origin table).
 */
#ifndef MOAT_COMPILE_INT_H
#define MOAT_COMPILE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "moat/compile.h"

/* Offsets in struct seccomp_data. */
#define SD_NR 0
#define SD_ARCH 4
#define SD_ARG_LO(i) (16 + 8 * (i)) /* moat's arches are all little-endian */
#define SD_ARG_HI(i) (16 + 8 * (i) + 4)

/* BPF_MAXINSNS: the kernel refuses longer seccomp filters. */
#define MOAT_MAX_INSNS 4096

enum ir_kind {
	IR_RET = 0,
	IR_LD,	/* A = seccomp_data[k] */
	IR_AND, /* A &= k */
	IR_JMP, /* if (A op k) goto jt else goto jf */
};

struct ir_node {
	uint8_t kind;  /* enum ir_kind */
	uint16_t code; /* BPF opcode */
	uint32_t k;
	int32_t jt, jf;		   /* JMP: both successors; LD/AND: jt = next */
	struct moat_origin origin; /* RET only */
	int32_t rule;		   /* rule whose check created the node, for -E2BIG notes */
	uint32_t hnext;		   /* hash chain */
};

struct ir {
	struct ir_node *v;
	uint32_t n, cap;
	uint32_t *buckets; /* heads + 1, 0 = empty */
	uint32_t nbuckets;
	bool intern;  /* hash-cons every node (optimize >= 1); rets always */
	int32_t rule; /* attribution for nodes created now */
};

int ir_init(struct ir *ir, bool intern);
void ir_release(struct ir *ir);
/* Each returns a node id >= 0, or -ENOMEM. */
int32_t ir_ret(struct ir *ir, uint32_t k, struct moat_origin origin);
int32_t ir_ld(struct ir *ir, uint32_t off, int32_t next);
int32_t ir_and(struct ir *ir, uint32_t mask, int32_t next);
/* A conditional jump; when both edges meet (jt == jf) the test is dropped. */
int32_t ir_jmp(struct ir *ir, uint16_t op, uint32_t k, int32_t jt, int32_t jf);

/* What one syscall number does on one arch. */
struct sc_rules {
	const uint32_t *rules; /* indices into policy->rules, conditional ones, policy order */
	uint32_t nrules;
	int32_t fallback; /* ret node when no rule above matches */
};

struct compile_ctx {
	const struct moat_policy *p;
	const struct moat_compile_opts *opts;
	struct ir ir;
	uint32_t *group; /* per rule: the first rule with the same verdict (origin) */
	bool facts;	 /* fold checks whose result is known on the path (optimize >= 1) */
};

/* The ret node for ACTION decided by ORIGIN (applies notify_mask). */
int32_t compile_ret(struct compile_ctx *c, struct moat_action action, struct moat_origin origin);
/* Argument checks of one syscall (args.c); a node id or -errno. */
int32_t compile_arg_checks(struct compile_ctx *c, const struct sc_rules *s, bool arg32);

/* A run of syscall numbers [lo, next range's lo) sharing one target node. */
struct nr_range {
	uint32_t lo;
	int32_t node;
	double weight;
};

/* Dispatch over RANGES (sorted, the first starts at 0) on A = nr (tree.c). */
int32_t compile_dispatch_tree(struct compile_ctx *c, const struct nr_range *r, uint32_t n);
int32_t compile_dispatch_chain(struct compile_ctx *c, const struct nr_range *r, uint32_t n);

/*
 * Lays out the DAG from ROOT as a program (codegen.c), whatever its length.
 * RULE_COST (policy->nrules entries, may be NULL) receives the number of
 * instructions each rule's checks became.
 */
int compile_codegen(struct compile_ctx *c, int32_t root, struct moat_prog **out,
		    uint32_t *rule_cost);

#endif
