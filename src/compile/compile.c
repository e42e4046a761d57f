// SPDX-License-Identifier: MIT
/*
 * moat_compile: policy -> one classic BPF seccomp program for all the
 * policy's architectures.
 *
 *   ld arch; jeq AUDIT_ARCH_X86_64 / jeq AUDIT_ARCH_I386 / ...; ret badarch
 *   per arch: ld nr; search tree over ranges of equal outcome (tree.c)
 *   leaves: ret, or the argument checks of one syscall (args.c)
 *
 * Everything is built bottom-up as a hash-consed DAG (ir.c) and laid out by
 * codegen.c. Syscalls whose outcome does not depend on arguments never load
 * an argument on their path, so the kernel's action cache (5.11+) serves
 * the allowed ones without running the filter.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/compile_int.h"

/* Numbers at or above this on AUDIT_ARCH_X86_64 are x32 (or nothing). */
#define X32_FIRST MOAT_X32_SYSCALL_BIT

struct rule_nr {
	uint32_t nr;
	uint32_t rule;
};

struct range_vec {
	struct nr_range *v;
	uint32_t n, cap;
};

/*
 * How much a range matters in the tree's shape. Allowed syscalls that do
 * not look at arguments are answered by the kernel's action cache without
 * running the filter (5.11+), so the paths that run are those of
 * arg-checked syscalls (and denials, rare by nature): those go near the root.
 */
#define ARGCHECK_WEIGHT 64.0

static int range_push(struct compile_ctx *c, struct range_vec *rv, uint32_t lo, int32_t node,
		      double w)
{
	if (node < 0)
		return node;
	if (c->ir.v[node].kind != IR_RET)
		w *= ARGCHECK_WEIGHT;
	/* Neighbours with the same outcome node are one range. */
	if (rv->n && rv->v[rv->n - 1].node == node) {
		rv->v[rv->n - 1].weight += w;
		return 0;
	}
	if (rv->n == rv->cap) {
		uint32_t cap = rv->cap ? rv->cap * 2 : 64;
		struct nr_range *v = realloc(rv->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		rv->v = v;
		rv->cap = cap;
	}
	rv->v[rv->n++] = (struct nr_range){ lo, node, w };
	return 0;
}

static uint32_t ret_word(const struct compile_ctx *c, struct moat_action action)
{
	/* Reported by `moat run`'s supervisor; origin still names the rule. */
	if (action.kind < 32 && (c->opts->notify_mask & (1u << action.kind)))
		return SECCOMP_RET_USER_NOTIF;
	return moat_action_ret(action);
}

int32_t compile_ret(struct compile_ctx *c, struct moat_action action, struct moat_origin origin)
{
	return ir_ret(&c->ir, ret_word(c, action), origin);
}

static int cmp_rule_nr(const void *a, const void *b)
{
	const struct rule_nr *x = a, *y = b;

	if (x->nr != y->nr)
		return x->nr < y->nr ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* The outcome node of number NR given its rules RN[0..n) (policy order). */
static int32_t syscall_leaf(struct compile_ctx *c, const struct rule_nr *rn, uint32_t n, bool arg32,
			    uint32_t *scratch)
{
	const struct moat_policy *p = c->p;
	struct sc_rules s = { .rules = scratch };

	s.fallback = -1;
	for (uint32_t i = 0; i < n; i++) {
		const struct moat_rule *r = &p->rules[rn[i].rule];

		if (r->ncmps == 0) {
			/* First unconditional rule: later rules are never reached. */
			struct moat_origin o = { MOAT_ORIGIN_RULE, c->group[rn[i].rule] };

			s.fallback = compile_ret(c, r->action, o);
			break;
		}
		scratch[s.nrules++] = rn[i].rule;
	}
	if (s.fallback == -1)
		s.fallback = compile_ret(c, p->default_action,
					 (struct moat_origin){ MOAT_ORIGIN_DEFAULT, 0 });
	if (s.fallback < 0 || !s.nrules)
		return s.fallback;
	return compile_arg_checks(c, &s, arg32);
}

/*
 * Ranges for ARCH's numbers, from its first number (0, or the x32 bit) up
 * to TOP inclusive.
 */
static int arch_ranges(struct compile_ctx *c, enum moat_arch arch, uint32_t top,
		       struct range_vec *rv)
{
	const struct moat_policy *p = c->p;
	uint32_t base = arch == MOAT_ARCH_X32 ? X32_FIRST : 0;
	uint32_t max = moat_syscall_max(arch);
	struct rule_nr *rn = malloc((p->nrules + 1) * sizeof(*rn));
	uint32_t *scratch = malloc((p->nrules + 1) * sizeof(*scratch));
	double *w = calloc(max - base + 1, sizeof(*w));
	int32_t def, unk;
	uint32_t n = 0, i = 0;
	/* x32 shares x86_64's tree: its rare calls must not push native ones down. */
	double scale = arch == moat_arch_native() ? 1.0 : 1e-3;
	int err = -ENOMEM;

	if (!rn || !scratch || !w)
		goto out;
	for (size_t r = 0; r < p->nrules; r++) {
		uint32_t nr;

		if (moat_syscall_parse(arch, p->rules[r].syscall, &nr))
			continue; /* not a syscall of this arch: nothing to do here */
		if (arch == MOAT_ARCH_X32 && nr < X32_FIRST)
			nr |= X32_FIRST; /* syscall_NNN names the x32 table's NNN */
		if (nr < base || nr > top)
			continue;
		rn[n++] = (struct rule_nr){ nr, (uint32_t)r };
	}
	qsort(rn, n, sizeof(*rn), cmp_rule_nr);

	/* Recorded counts (native arch): scaled so that they dominate unseen ranges. */
	if (arch == moat_arch_native() && p->nfreq) {
		double total = 0;

		for (size_t f = 0; f < p->nfreq; f++)
			total += (double)p->freq[f].count;
		for (size_t f = 0; f < p->nfreq && total > 0; f++) {
			int64_t nr = moat_syscall_nr(arch, p->freq[f].syscall);

			if (nr >= base && nr <= max)
				w[nr - base] += (double)p->freq[f].count * 1e6 / total;
		}
	}

	def = compile_ret(c, p->default_action, (struct moat_origin){ MOAT_ORIGIN_DEFAULT, 0 });
	unk = compile_ret(c, p->unknown_action, (struct moat_origin){ MOAT_ORIGIN_UNKNOWN, 0 });
	err = def < 0 ? def : unk < 0 ? unk : 0;
	if (err)
		goto out;
	for (uint64_t nr = base; nr <= max && nr <= top; nr++) {
		uint32_t j = i;
		int32_t node;

		while (j < n && rn[j].nr == nr)
			j++;
		if (j > i)
			node = syscall_leaf(c, rn + i, j - i, arch == MOAT_ARCH_I386, scratch);
		else
			node = moat_syscall_name(arch, (uint32_t)nr) ? def : unk;
		i = j;
		err = range_push(c, rv, (uint32_t)nr, node, (1.0 + w[nr - base]) * scale);
		if (err)
			goto out;
	}
	/* Past the table: unknown, except numbers a rule names as syscall_NNN. */
	if ((uint64_t)max + 1 <= top) {
		err = range_push(c, rv, max + 1, unk, 1.0);
		if (err)
			goto out;
	}
	while (i < n) {
		uint32_t j = i, nr = rn[i].nr;

		while (j < n && rn[j].nr == nr)
			j++;
		err = range_push(c, rv, nr,
				 syscall_leaf(c, rn + i, j - i, arch == MOAT_ARCH_I386, scratch),
				 1.0);
		if (!err && nr < top)
			err = range_push(c, rv, nr + 1, unk, 1.0);
		if (err)
			goto out;
		i = j;
	}
	err = 0;
out:
	free(rn);
	free(scratch);
	free(w);
	return err;
}

static int32_t dispatch(struct compile_ctx *c, const struct range_vec *rv)
{
	if (c->opts->linear)
		return compile_dispatch_chain(c, rv->v, rv->n);
	return compile_dispatch_tree(c, rv->v, rv->n);
}

/*
 * x32 numbers as one range of the x86_64 tree, leading to their own tree:
 * two small trees cost less to shape than one big one, and x32 calls are
 * rare enough that one more test does not matter.
 */
static int x32_subtree(struct compile_ctx *c, struct range_vec *rv)
{
	struct range_vec rx = { 0 };
	double w = 0;
	int32_t node;
	int err = arch_ranges(c, MOAT_ARCH_X32, UINT32_MAX, &rx);

	if (!err) {
		for (uint32_t i = 0; i < rx.n; i++)
			w += rx.v[i].weight;
		node = dispatch(c, &rx);
		err = range_push(c, rv, X32_FIRST, node, 0);
		if (!err)
			rv->v[rv->n - 1].weight = w;
	}
	free(rx.v);
	return err;
}

/* `ld nr` and the dispatch for one AUDIT_ARCH value. */
static int32_t arch_block(struct compile_ctx *c, uint32_t audit, uint32_t arches)
{
	const struct moat_policy *p = c->p;
	struct range_vec rv = { 0 };
	int32_t node;
	int err = 0;

	if (audit == AUDIT_ARCH_X86_64) {
		/*
		 * x86_64 and x32 share AUDIT_ARCH_X86_64; x32 numbers carry
		 * __X32_SYSCALL_BIT. Without x32 in the policy they must not
		 * reach the x86_64 table's rules: they get the badarch action.
		 */
		if (arches & MOAT_ARCH_BIT(MOAT_ARCH_X86_64))
			err = arch_ranges(c, MOAT_ARCH_X86_64, X32_FIRST - 1, &rv);
		else
			err = range_push(
				c, &rv, 0,
				compile_ret(c, p->badarch_action,
					    (struct moat_origin){ MOAT_ORIGIN_BADARCH, 0 }),
				1.0);
		if (!err && (arches & MOAT_ARCH_BIT(MOAT_ARCH_X32)))
			err = x32_subtree(c, &rv);
		else if (!err)
			err = range_push(c, &rv, X32_FIRST,
					 compile_ret(c, p->badarch_action,
						     (struct moat_origin){ MOAT_ORIGIN_X32, 0 }),
					 1.0);
		/*
		 * nr -1 runs nothing in the kernel (it answers ENOSYS); a tracer
		 * sets it to skip a syscall. Not an x32 call: unknown_action.
		 */
		if (!err && !(arches & MOAT_ARCH_BIT(MOAT_ARCH_X32)))
			err = range_push(
				c, &rv, UINT32_MAX,
				compile_ret(c, p->unknown_action,
					    (struct moat_origin){ MOAT_ORIGIN_UNKNOWN, 0 }),
				1.0);
	} else {
		for (int a = 0; a < MOAT_ARCH__COUNT && !err; a++)
			if ((arches & MOAT_ARCH_BIT(a)) && moat_arch_audit(a) == audit)
				err = arch_ranges(c, a, UINT32_MAX, &rv);
	}
	if (err) {
		free(rv.v);
		return err;
	}
	node = dispatch(c, &rv);
	free(rv.v);
	return ir_ld(&c->ir, SD_NR, node);
}

static int32_t build_root(struct compile_ctx *c)
{
	uint32_t arches = moat_policy_arches(c->p);
	uint32_t audits[MOAT_ARCH__COUNT];
	uint32_t naudit = 0;
	int32_t node;
	enum moat_arch native = moat_arch_native();

	/* One test per AUDIT_ARCH value, the native one first (it is the hot one). */
	for (int k = -1; k < MOAT_ARCH__COUNT; k++) {
		enum moat_arch a = k < 0 ? native : (enum moat_arch)k;
		uint32_t audit = moat_arch_audit(a);
		bool seen = false;

		if (!(arches & MOAT_ARCH_BIT(a)))
			continue;
		for (uint32_t i = 0; i < naudit; i++)
			seen |= audits[i] == audit;
		if (!seen)
			audits[naudit++] = audit;
	}
	node = compile_ret(c, c->p->badarch_action, (struct moat_origin){ MOAT_ORIGIN_BADARCH, 0 });
	for (uint32_t i = naudit; i-- > 0 && node >= 0;) {
		int32_t blk = arch_block(c, audits[i], arches);

		if (blk < 0)
			return blk;
		node = ir_jmp(&c->ir, BPF_JEQ, audits[i], blk, node);
	}
	return ir_ld(&c->ir, SD_ARCH, node);
}

static bool action_valid(struct moat_action a)
{
	if (a.kind >= MOAT_ACT__COUNT)
		return false;
	/* SECCOMP_RET_DATA is 16 bits; errno values above 4095 are not errnos. */
	return a.kind != MOAT_ACT_ERRNO || a.data <= 4095;
}

static int check_policy(const struct moat_policy *p, struct moat_diags *diags)
{
	int err = 0;

	if (!action_valid(p->default_action) || !action_valid(p->unknown_action) ||
	    !action_valid(p->badarch_action)) {
		if (diags)
			moat_diags_add(diags, MOAT_DIAG_ERROR, NULL, 0, 0, 1, NULL, NULL,
				       "invalid default, unknown or badarch action");
		err = -EINVAL;
	}
	for (size_t r = 0; r < p->nrules; r++) {
		const struct moat_rule *rule = &p->rules[r];
		bool bad = !action_valid(rule->action);
		uint32_t nr;

		for (uint32_t j = 0; j < rule->ncmps; j++) {
			const struct moat_cmp *cmp = &rule->cmps[j];

			bad |= cmp->arg > 5 || cmp->op >= MOAT_OP__COUNT ||
			       (cmp->op == MOAT_OP_IN && (!cmp->nset || !cmp->set));
		}
		if (!strncmp(rule->syscall, "syscall_", 8) &&
		    moat_syscall_parse(MOAT_ARCH_X86_64, rule->syscall, &nr) == -EINVAL)
			bad = true;
		if (bad) {
			if (diags)
				moat_diags_add(diags, MOAT_DIAG_ERROR, rule->loc.file,
					       rule->loc.line, rule->loc.col, 1, NULL, NULL,
					       "invalid rule for '%s'", rule->syscall);
			err = -EINVAL;
		}
	}
	return err;
}

static int cmp_cost(const void *a, const void *b, void *arg)
{
	const uint32_t *cost = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (cost[x] != cost[y])
		return cost[x] > cost[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Over the limit: say how long, and which rules cost the most. */
static void report_too_big(const struct moat_policy *p, size_t len, const uint32_t *cost,
			   struct moat_diags *diags)
{
	uint32_t *idx;

	if (!diags)
		return;
	moat_diags_add(diags, MOAT_DIAG_ERROR, NULL, 0, 0, 1, NULL, NULL,
		       "policy compiles to %s%zu instructions, over the kernel's limit of %d",
		       len > MOAT_MAX_INSNS ? "" : "more than ",
		       len > MOAT_MAX_INSNS ? len : (size_t)MOAT_MAX_INSNS, MOAT_MAX_INSNS);
	idx = malloc((p->nrules + 1) * sizeof(*idx));
	if (!idx)
		return;
	for (uint32_t i = 0; i < p->nrules; i++)
		idx[i] = i;
	qsort_r(idx, p->nrules, sizeof(*idx), cmp_cost, (void *)cost);
	for (uint32_t i = 0; i < p->nrules && i < 5 && cost[idx[i]]; i++) {
		const struct moat_rule *r = &p->rules[idx[i]];

		moat_diags_add(diags, MOAT_DIAG_NOTE, r->loc.file, r->loc.line, r->loc.col, 1, NULL,
			       NULL, "rule for '%s' (%u comparisons) costs %u instructions",
			       r->syscall, r->ncmps, cost[idx[i]]);
	}
	free(idx);
}

/*
 * Rules with the same verdict share one ret (and neighbouring syscalls with
 * the same verdict one range): a ret's origin names the first rule with that
 * verdict; moat_policy_deciding_rule() finds the exact rule for explain.
 */
static int represent_rules(struct compile_ctx *c)
{
	const struct moat_policy *p = c->p;
	uint32_t cap = 16, *tab;

	while (cap < 2 * p->nrules)
		cap *= 2;
	tab = calloc(cap, sizeof(*tab)); /* rule index + 1, 0 = empty */
	if (!tab)
		return -ENOMEM;
	for (size_t r = 0; r < p->nrules; r++) {
		uint32_t k = ret_word(c, p->rules[r].action);
		uint32_t i = (k * 0x9e3779b1u) & (cap - 1);

		for (; tab[i]; i = (i + 1) & (cap - 1))
			if (ret_word(c, p->rules[tab[i] - 1].action) == k)
				break;
		if (!tab[i])
			tab[i] = (uint32_t)r + 1;
		c->group[r] = tab[i] - 1;
	}
	free(tab);
	return 0;
}

int moat_compile(const struct moat_policy *p, const struct moat_compile_opts *opts,
		 struct moat_prog **out, struct moat_diags *diags)
{
	static const struct moat_compile_opts defaults = { .optimize = 1 };
	struct compile_ctx c = { .p = p, .opts = opts ? opts : &defaults };
	struct moat_prog *prog = NULL;
	uint32_t *cost = NULL;
	int32_t root;
	int err;

	if (!p || !out)
		return -EINVAL;
	err = check_policy(p, diags);
	if (err)
		return err;
	c.facts = c.opts->optimize > 0;
	err = ir_init(&c.ir, c.opts->optimize > 0);
	if (err)
		return err;
	c.group = malloc((p->nrules + 1) * sizeof(*c.group));
	cost = calloc(p->nrules + 1, sizeof(*cost));
	err = -ENOMEM;
	if (!c.group || !cost)
		goto out;
	err = represent_rules(&c);
	if (err)
		goto out;
	root = build_root(&c);
	if (root < 0) {
		err = root;
		if (err == -E2BIG) {
			/* Checks too big to even lay out: attribute the nodes built so far. */
			for (uint32_t i = 0; i < c.ir.n; i++)
				if (c.ir.v[i].rule >= 0)
					cost[c.ir.v[i].rule]++;
			report_too_big(p, c.ir.n, cost, diags);
		}
		goto out;
	}
	err = compile_codegen(&c, root, &prog, cost);
	if (err)
		goto out;
	if (prog->len > MOAT_MAX_INSNS) {
		report_too_big(p, prog->len, cost, diags);
		err = -E2BIG;
		goto out;
	}
	*out = prog;
	prog = NULL;
out:
	moat_prog_free(prog);
	free(cost);
	free(c.group);
	ir_release(&c.ir);
	return err;
}

void moat_prog_free(struct moat_prog *prog)
{
	if (!prog)
		return;
	free(prog->insns);
	free(prog->origin);
	free(prog);
}
