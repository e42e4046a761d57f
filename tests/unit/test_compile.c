// SPDX-License-Identifier: MIT
/*
 * The seccomp compiler against a reference: for hand-made and random
 * policies, every syscall number 0..1100 on every arch (plus x32 numbers and
 * extremes) and boundary arguments are run through the compiled program and
 * compared with a direct evaluation of the policy's semantics (first
 * matching rule wins), including the origin of the deciding ret. Then real
 * filters are installed in forked children and real syscalls checked.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "moat/compile.h"

#define NR_SPAN 1100

/* ---- the simulator (src/compile/sim.c, tested on its own in test_sim.c) ---- */

struct run {
	uint32_t ret;
	size_t pc, executed;
};

static void sim_run(const struct moat_prog *prog, const struct moat_seccomp_data *d, struct run *r)
{
	struct moat_sim_result res = { 0 };

	assert_int_equal(moat_sim_run(prog, d, &res), 0);
	r->ret = res.ret;
	r->pc = res.ret_pc;
	r->executed = res.executed;
}

/* ---- the reference: the policy's semantics, straight from the model ---- */

struct ref {
	uint32_t ret;
	struct moat_origin origin; /* for a rule: the exact deciding rule */
	int arch;		   /* the table that applies, -1 for none */
	bool argdep;		   /* the outcome of this (arch, nr) may depend on arguments */
};

static uint32_t notify_mask;

static uint32_t ret_of(struct moat_action a)
{
	if (notify_mask & (1u << a.kind))
		return SECCOMP_RET_USER_NOTIF;
	return moat_action_ret(a);
}

static bool cmp_holds(const struct moat_cmp *c, uint64_t x)
{
	switch (c->op) {
	case MOAT_OP_EQ:
		return x == c->value;
	case MOAT_OP_NE:
		return x != c->value;
	case MOAT_OP_LT:
		return x < c->value;
	case MOAT_OP_LE:
		return x <= c->value;
	case MOAT_OP_GT:
		return x > c->value;
	case MOAT_OP_GE:
		return x >= c->value;
	case MOAT_OP_MASKED_EQ:
		return (x & c->mask) == c->value;
	case MOAT_OP_IN:
		for (uint32_t i = 0; i < c->nset; i++)
			if (c->set[i] == x)
				return true;
		return false;
	}
	return false;
}

static void ref_arch(const struct moat_policy *p, enum moat_arch arch, uint32_t nr,
		     const uint64_t *args, struct ref *out)
{
	bool named = false;

	out->argdep = false;
	out->arch = (int)arch;
	for (size_t r = 0; r < p->nrules; r++) {
		const struct moat_rule *rule = &p->rules[r];
		uint32_t rnr;
		bool ok = true;

		if (moat_syscall_parse(arch, rule->syscall, &rnr))
			continue;
		if (arch == MOAT_ARCH_X32 && rnr < MOAT_X32_SYSCALL_BIT)
			rnr |= MOAT_X32_SYSCALL_BIT;
		if (rnr != nr)
			continue;
		if (!named && rule->ncmps)
			out->argdep = true;
		named = true;
		for (uint32_t j = 0; j < rule->ncmps && ok; j++) {
			uint64_t x = args[rule->cmps[j].arg];

			/* 32-bit ABIs see only the low half of each register. */
			if (arch == MOAT_ARCH_I386)
				x &= 0xffffffffu;
			ok = cmp_holds(&rule->cmps[j], x);
		}
		if (ok) {
			out->ret = ret_of(rule->action);
			out->origin = (struct moat_origin){ MOAT_ORIGIN_RULE, (uint32_t)r };
			return;
		}
	}
	if (named || moat_syscall_name(arch, nr)) {
		out->ret = ret_of(p->default_action);
		out->origin = (struct moat_origin){ MOAT_ORIGIN_DEFAULT, 0 };
	} else {
		out->ret = ret_of(p->unknown_action);
		out->origin = (struct moat_origin){ MOAT_ORIGIN_UNKNOWN, 0 };
	}
}

static void ref_eval(const struct moat_policy *p, uint32_t audit, uint32_t nr, const uint64_t *args,
		     struct ref *out)
{
	uint32_t arches = moat_policy_arches(p);
	struct moat_origin bad = { MOAT_ORIGIN_BADARCH, 0 };

	out->argdep = false;
	out->arch = -1;
	out->ret = ret_of(p->badarch_action);
	out->origin = bad;
	if (audit == AUDIT_ARCH_X86_64 &&
	    (arches & (MOAT_ARCH_BIT(MOAT_ARCH_X86_64) | MOAT_ARCH_BIT(MOAT_ARCH_X32)))) {
		if (nr >= MOAT_X32_SYSCALL_BIT) {
			if (arches & MOAT_ARCH_BIT(MOAT_ARCH_X32)) {
				ref_arch(p, MOAT_ARCH_X32, nr, args, out);
			} else if (nr == UINT32_MAX) {
				/* -1: a tracer skipping a syscall, nothing runs. */
				out->ret = ret_of(p->unknown_action);
				out->origin.kind = MOAT_ORIGIN_UNKNOWN;
			} else {
				out->origin.kind = MOAT_ORIGIN_X32;
			}
		} else if (arches & MOAT_ARCH_BIT(MOAT_ARCH_X86_64)) {
			ref_arch(p, MOAT_ARCH_X86_64, nr, args, out);
		}
		return;
	}
	for (int a = 0; a < MOAT_ARCH__COUNT; a++)
		if ((arches & MOAT_ARCH_BIT(a)) && moat_arch_audit(a) == audit &&
		    a != MOAT_ARCH_X32)
			ref_arch(p, a, nr, args, out);
}

/* ---- the comparison over numbers and arguments ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct pool {
	uint64_t v[512];
	size_t n;
};

static void pool_add(struct pool *pl, uint64_t x)
{
	for (size_t i = 0; i < pl->n; i++)
		if (pl->v[i] == x)
			return;
	if (pl->n < 512)
		pl->v[pl->n++] = x;
}

/* Boundary values: each constant of the policy, its neighbours, its halves. */
static void pool_fill(const struct moat_policy *p, struct pool *pl)
{
	static const uint64_t base[] = { 0,
					 1,
					 2,
					 0xffffffffull,
					 0x100000000ull,
					 UINT64_MAX,
					 0x7fffffffull,
					 0x80000000ull,
					 0xffffffff00000000ull };

	pl->n = 0;
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		pool_add(pl, base[i]);
	for (size_t r = 0; r < p->nrules; r++) {
		for (uint32_t j = 0; j < p->rules[r].ncmps; j++) {
			const struct moat_cmp *c = &p->rules[r].cmps[j];
			uint64_t vals[64];
			size_t nv = 0;

			vals[nv++] = c->value;
			if (c->op == MOAT_OP_MASKED_EQ) {
				vals[nv++] = c->mask;
				vals[nv++] = c->value | ~c->mask;
			}
			for (uint32_t s = 0; s < c->nset && nv < 64; s++)
				vals[nv++] = c->set[s];
			for (size_t k = 0; k < nv; k++) {
				uint64_t v = vals[k];

				pool_add(pl, v);
				pool_add(pl, v + 1);
				pool_add(pl, v - 1);
				pool_add(pl, v ^ 0x100000000ull);
				pool_add(pl, v & 0xffffffffull);
				pool_add(pl, v | 0xffffffff00000000ull);
				pool_add(pl, (v & 0xffffffff00000000ull) | 0xffffffffull);
			}
		}
	}
}

static const struct moat_compile_opts opt_levels[] = {
	{ .optimize = 0 },
	{ .optimize = 1 },
	{ .optimize = 2 },
	{ .optimize = 1, .linear = true },
};

struct stats {
	size_t checked, cached;
};

static void check_one(const struct moat_policy *p, const struct moat_prog *prog, uint32_t audit,
		      uint32_t nr, const struct pool *pl, struct stats *st)
{
	struct moat_seccomp_data d = { .nr = (int32_t)nr, .arch = audit };
	struct ref ref;
	struct run run;
	int tries;

	ref_eval(p, audit, nr, d.args, &ref);
	tries = ref.argdep ? 40 + (int)pl->n : 1;
	for (int t = 0; t < tries; t++) {
		if (t > 0) {
			for (int a = 0; a < 6; a++) {
				/* Half of the draws: all args one boundary value. */
				d.args[a] =
					t - 1 < (int)pl->n ? pl->v[t - 1] : pl->v[rnd() % pl->n];
			}
			ref_eval(p, audit, nr, d.args, &ref);
		}
		sim_run(prog, &d, &run);
		/*
		 * Same verdict, same kind of origin; a rule origin names a rule
		 * with this verdict (rules sharing a ret), and the library's
		 * own evaluation names the exact rule the reference found.
		 */
		const struct moat_origin *o = &prog->origin[run.pc];
		bool same = run.ret == ref.ret && o->kind == ref.origin.kind;

		if (same && o->kind == MOAT_ORIGIN_RULE) {
			same = o->rule < p->nrules && ret_of(p->rules[o->rule].action) == run.ret &&
			       moat_policy_deciding_rule(p, ref.arch, nr, d.args) ==
				       (long)ref.origin.rule;
		}
		if (!same) {
			fail_msg("arch %#x nr %#x args %#llx %#llx %#llx: ret %#x origin %u/%u, "
				 "expected %#x origin %u/%u",
				 audit, nr, (unsigned long long)d.args[0],
				 (unsigned long long)d.args[1], (unsigned long long)d.args[2],
				 run.ret, o->kind, o->rule, ref.ret, ref.origin.kind,
				 ref.origin.rule);
		}
		st->checked++;
	}
	/* The kernel's action cache must serve every arg-independent ALLOW. */
	if (!ref.argdep && ref.ret == SECCOMP_RET_ALLOW) {
		if (!moat_sim_cache_allows(prog, audit, nr))
			fail_msg("arch %#x nr %u: allowed without args but not cacheable", audit,
				 nr);
		st->cached++;
	}
}

static const uint32_t audits[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64,
				   0x12345678u };

/* Compiles P at every level and compares with the reference everywhere. */
static void check_policy(const struct moat_policy *p)
{
	struct pool pl;

	pool_fill(p, &pl);
	for (size_t o = 0; o < sizeof(opt_levels) / sizeof(opt_levels[0]); o++) {
		struct moat_compile_opts opts = opt_levels[o];
		struct moat_prog *prog = NULL;
		struct moat_diags diags;
		struct stats st = { 0 };
		int err;

		opts.notify_mask = notify_mask;
		moat_diags_init(&diags);
		err = moat_compile(p, &opts, &prog, &diags);
		assert_int_equal(err, 0);
		assert_non_null(prog);
		assert_true(prog->len > 0 && prog->len <= 4096);
		/* What the kernel's seccomp_check_filter would accept. */
		assert_int_equal(moat_prog_check(prog), 0);
		for (size_t i = 0; i < prog->len; i++) {
			const struct moat_insn *in = &prog->insns[i];

			/* Every ret has an origin, nothing else has one. */
			assert_int_equal(in->code == (BPF_RET | BPF_K),
					 prog->origin[i].kind != MOAT_ORIGIN_NONE);
		}
		for (size_t a = 0; a < sizeof(audits) / sizeof(audits[0]); a++) {
			for (uint32_t nr = 0; nr <= NR_SPAN; nr++)
				check_one(p, prog, audits[a], nr, &pl, &st);
			static const uint32_t extremes[] = { 0x3fffffffu, 0x7fffffffu, 0x80000000u,
							     0xfffffffeu, 0xffffffffu };
			for (size_t e = 0; e < sizeof(extremes) / sizeof(extremes[0]); e++)
				check_one(p, prog, audits[a], extremes[e], &pl, &st);
		}
		for (uint32_t nr = 0; nr <= NR_SPAN; nr++)
			check_one(p, prog, AUDIT_ARCH_X86_64, MOAT_X32_SYSCALL_BIT + nr, &pl, &st);
		moat_prog_free(prog);
		moat_diags_free(&diags);
	}
}

/* ---- policy construction helpers ---- */

static const struct moat_action A_ALLOW = { MOAT_ACT_ALLOW, 0 };
static const struct moat_action A_KILL = { MOAT_ACT_KILL_PROCESS, 0 };
static const struct moat_action A_LOG = { MOAT_ACT_LOG, 0 };

static struct moat_action errno_act(uint32_t e)
{
	return (struct moat_action){ MOAT_ACT_ERRNO, e };
}

static void add(struct moat_policy *p, const char *sc, struct moat_action a,
		const struct moat_cmp *cmps, uint32_t n, uint32_t line)
{
	struct moat_loc loc = { "t.moat", line, 1 };

	assert_int_equal(moat_policy_add_rule(p, sc, a, cmps, n, loc, NULL), 0);
}

static struct moat_cmp cmp(uint8_t arg, uint8_t op, uint64_t value)
{
	return (struct moat_cmp){ .arg = arg, .op = op, .value = value };
}

static struct moat_cmp masked(uint8_t arg, uint64_t mask, uint64_t value)
{
	return (struct moat_cmp){
		.arg = arg, .op = MOAT_OP_MASKED_EQ, .value = value, .mask = mask
	};
}

static struct moat_cmp in(uint8_t arg, uint64_t *set, uint32_t n)
{
	return (struct moat_cmp){ .arg = arg, .op = MOAT_OP_IN, .set = set, .nset = n };
}

/* ---- tests ---- */

static void test_empty_policy(void **state)
{
	struct moat_policy *p = moat_policy_new();

	check_policy(p);
	p->default_action = A_ALLOW;
	check_policy(p);
	moat_policy_free(p);
}

static void test_allowlist(void **state)
{
	static const char *const names[] = { "read",   "write",	       "close", "fstat",
					     "mmap",   "exit_group",   "futex", "getppid",
					     "openat", "rt_sigreturn", "brk",	"clone",
					     "execve" };
	struct moat_policy *p = moat_policy_new();

	p->default_action = A_KILL;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		add(p, names[i], A_ALLOW, NULL, 0, 3); /* one line: one origin */
	add(p, "ptrace", errno_act(EPERM), NULL, 0, 4);
	add(p, "clone3", errno_act(ENOSYS), NULL, 0, 5);
	add(p, "personality", A_LOG, NULL, 0, 6);
	check_policy(p);
	moat_policy_free(p);
}

static void test_blocklist(void **state)
{
	struct moat_policy *p = moat_policy_new();

	p->default_action = A_ALLOW;
	add(p, "ptrace", A_KILL, NULL, 0, 2);
	add(p, "kexec_load", errno_act(EPERM), NULL, 0, 3);
	add(p, "getpid", errno_act(EPERM), NULL, 0, 4); /* 39: a hole in allowed runs */
	add(p, "syscall_1000", errno_act(EDOM), NULL, 0, 5);
	check_policy(p);
	moat_policy_free(p);
}

static void test_arg_ops(void **state)
{
	uint64_t set1[] = { 1, 2, 10 };
	uint64_t set2[] = { 5, 0x100000005ull, 0x100000007ull, 0xffffffff00000000ull };
	struct moat_cmp c;
	struct moat_policy *p = moat_policy_new();
	struct moat_cmp two[2];

	p->default_action = errno_act(EPERM);
	c = cmp(0, MOAT_OP_EQ, 0x100000002ull);
	add(p, "read", A_ALLOW, &c, 1, 2);
	c = cmp(1, MOAT_OP_NE, 7);
	add(p, "write", A_ALLOW, &c, 1, 3);
	c = cmp(2, MOAT_OP_LT, 0x200000000ull);
	add(p, "open", A_ALLOW, &c, 1, 4);
	c = cmp(2, MOAT_OP_LE, 0x1ffffffffull);
	add(p, "close", A_ALLOW, &c, 1, 5);
	c = cmp(3, MOAT_OP_GT, 0xffffffffull);
	add(p, "stat", A_ALLOW, &c, 1, 6);
	c = cmp(3, MOAT_OP_GE, 0x100000001ull);
	add(p, "fstat", A_ALLOW, &c, 1, 7);
	c = masked(2, 4, 0); /* arg2 & PROT_EXEC == 0 */
	add(p, "mmap", A_ALLOW, &c, 1, 8);
	add(p, "mprotect", A_ALLOW, &c, 1, 8);
	c = masked(0, 0xff000000ff00ull, 0x120000003400ull);
	add(p, "lseek", A_ALLOW, &c, 1, 9);
	c = masked(1, 0x10, 0x10);
	add(p, "ioctl", A_ALLOW, &c, 1, 10);
	c = masked(1, 0x10, 0x11); /* never true */
	add(p, "ioctl", A_KILL, &c, 1, 11);
	c = in(0, set1, 3);
	add(p, "socket", A_ALLOW, &c, 1, 12);
	c = in(4, set2, 4);
	add(p, "connect", A_ALLOW, &c, 1, 13);
	c = cmp(0, MOAT_OP_GT, 0);
	add(p, "dup", A_ALLOW, &c, 1, 14);
	c = cmp(0, MOAT_OP_LT, 1);
	add(p, "dup2", A_ALLOW, &c, 1, 15);
	c = cmp(0, MOAT_OP_GE, 0);
	add(p, "dup3", A_ALLOW, &c, 1, 16);
	c = cmp(0, MOAT_OP_LE, UINT64_MAX);
	add(p, "pipe", A_ALLOW, &c, 1, 17);
	c = cmp(5, MOAT_OP_GT, UINT64_MAX - 1);
	add(p, "pipe2", A_ALLOW, &c, 1, 18);
	two[0] = cmp(0, MOAT_OP_EQ, 3);
	two[1] = masked(1, 0xffffffffffffffffull, 0xdeadbeefcafeull);
	add(p, "fcntl", A_ALLOW, two, 2, 19);
	/* Large sets: a binary search on the low word when the high word is shared. */
	uint64_t big[21], mixed[12];
	for (uint32_t i = 0; i < 21; i++)
		big[i] = 0x5401 + i * i * 7;
	for (uint32_t i = 0; i < 12; i++)
		mixed[i] = (uint64_t)(i % 3) << 32 | (0x8000 + i);
	c = in(1, big, 21);
	add(p, "setsockopt", A_ALLOW, &c, 1, 20);
	add(p, "setsockopt", errno_act(ENOTTY), NULL, 0, 21);
	c = in(2, mixed, 12);
	add(p, "getsockopt", A_LOG, &c, 1, 22);
	c = in(2, big, 8);
	two[0] = c;
	two[1] = in(3, big + 8, 9);
	add(p, "sendto", A_ALLOW, two, 2, 23);
	check_policy(p);
	moat_policy_free(p);
}

/* First matching rule wins; rules share prefixes; unconditional ends the list. */
static void test_rule_order(void **state)
{
	struct moat_policy *p = moat_policy_new();
	struct moat_cmp c[3];

	p->default_action = errno_act(EACCES);
	c[0] = cmp(0, MOAT_OP_EQ, 1);
	c[1] = cmp(1, MOAT_OP_EQ, 2);
	add(p, "prctl", A_ALLOW, c, 2, 2);
	c[1] = cmp(1, MOAT_OP_EQ, 3);
	add(p, "prctl", errno_act(EINVAL), c, 2, 3);
	add(p, "prctl", A_LOG, c, 1, 4); /* arg0 == 1 */
	c[0] = cmp(0, MOAT_OP_GT, 10);
	add(p, "prctl", A_KILL, c, 1, 5);
	add(p, "prctl", errno_act(EPERM), NULL, 0, 6);
	c[0] = cmp(0, MOAT_OP_EQ, 5);
	add(p, "prctl", A_ALLOW, c, 1, 7); /* shadowed by line 6 */
	/* Unconditional first: the later conditional rule never matters. */
	add(p, "getuid", A_ALLOW, NULL, 0, 8);
	add(p, "getuid", A_KILL, c, 1, 9);
	/* Same arg word in consecutive rules. */
	for (uint32_t i = 0; i < 8; i++) {
		c[0] = cmp(2, MOAT_OP_EQ, 100 + i);
		add(p, "setsockopt", i % 2 ? A_ALLOW : errno_act(EPERM + i), c, 1, 10 + i);
	}
	check_policy(p);
	moat_policy_free(p);
}

static void test_multi_arch(void **state)
{
	struct moat_policy *p = moat_policy_new();
	struct moat_cmp c = cmp(0, MOAT_OP_EQ, 0x100000001ull);
	struct moat_cmp c2 = cmp(1, MOAT_OP_LE, 0x100000000ull);

	p->arches = MOAT_ARCH_BIT(MOAT_ARCH_X86_64) | MOAT_ARCH_BIT(MOAT_ARCH_I386) |
		    MOAT_ARCH_BIT(MOAT_ARCH_X32) | MOAT_ARCH_BIT(MOAT_ARCH_AARCH64);
	p->default_action = errno_act(EPERM);
	p->badarch_action = errno_act(EXDEV);
	add(p, "read", A_ALLOW, NULL, 0, 2);
	add(p, "write", A_ALLOW, NULL, 0, 2);
	add(p, "open", A_ALLOW, NULL, 0, 3);	   /* not on aarch64 */
	add(p, "socketcall", A_ALLOW, NULL, 0, 4); /* i386 only */
	add(p, "kill", A_ALLOW, &c, 1, 5);	   /* i386: hi word counts as 0 */
	add(p, "kill", errno_act(ESRCH), &c2, 1, 6);
	add(p, "syscall_13", A_ALLOW, NULL, 0, 7);
	check_policy(p);
	/* x32 alone: plain x86_64 numbers are foreign. */
	p->arches = MOAT_ARCH_BIT(MOAT_ARCH_X32);
	check_policy(p);
	/* x86_64 alone: x32 numbers and i386 rejected. */
	p->arches = MOAT_ARCH_BIT(MOAT_ARCH_X86_64);
	check_policy(p);
	moat_policy_free(p);
}

static void test_notify_mask(void **state)
{
	struct moat_policy *p = moat_policy_new();
	struct moat_cmp c = cmp(0, MOAT_OP_EQ, 1);

	p->default_action = A_KILL;
	add(p, "read", A_ALLOW, NULL, 0, 2);
	add(p, "write", errno_act(EPERM), &c, 1, 3);
	notify_mask = (1u << MOAT_ACT_KILL_PROCESS) | (1u << MOAT_ACT_ERRNO);
	check_policy(p);
	notify_mask = 0;
	moat_policy_free(p);
}

/* Random policies: random syscalls, operators and values from a small pool. */
static void test_random_policies(void **state)
{
	static const uint64_t vals[] = { 0,
					 1,
					 2,
					 3,
					 0xff,
					 0x100000000ull,
					 0x100000001ull,
					 0xffffffffull,
					 UINT64_MAX,
					 0x8000000000000000ull };

	for (int iter = 0; iter < 12; iter++) {
		struct moat_policy *p = moat_policy_new();
		int nrules = 5 + (int)(rnd() % 40);

		p->arches = (uint32_t)(rnd() % 15) + 1;
		p->default_action = rnd() % 2 ? A_ALLOW : errno_act(EPERM);
		for (int r = 0; r < nrules; r++) {
			struct moat_cmp c[3];
			uint64_t set[4];
			uint32_t nc = (uint32_t)(rnd() % 4);
			char name[32];
			const char *nm;
			uint32_t nr;

			/* Syscalls near each other so that ranges and rules interact. */
			if (moat_syscall_at(MOAT_ARCH_X86_64, rnd() % 60, &nm, &nr))
				nm = "read";
			snprintf(name, sizeof(name), "%s", nm);
			for (uint32_t j = 0; j < nc; j++) {
				uint8_t op = (uint8_t)(rnd() % MOAT_OP__COUNT);

				c[j] = cmp((uint8_t)(rnd() % 3), op, vals[rnd() % 10]);
				if (op == MOAT_OP_MASKED_EQ) {
					c[j].mask = vals[rnd() % 10];
					c[j].value &= rnd() % 4 ? c[j].mask : ~0ull;
				}
				if (op == MOAT_OP_IN) {
					for (int s = 0; s < 4; s++)
						set[s] = vals[rnd() % 10];
					c[j].set = set;
					c[j].nset = 1 + (uint32_t)(rnd() % 4);
				}
			}
			add(p, name, rnd() % 3 ? A_ALLOW : errno_act(1 + (uint32_t)(rnd() % 3)), c,
			    nc, (uint32_t)(rnd() % 2 ? r + 1 : 1000));
		}
		check_policy(p);
		moat_policy_free(p);
	}
}

/* Hundreds of arg rules: branches span more than 255 instructions. */
static void test_long_jumps(void **state)
{
	struct moat_policy *p = moat_policy_new();
	struct moat_compile_opts opts = { .optimize = 1 };
	struct moat_prog *prog;
	size_t far = 0;

	p->default_action = errno_act(EPERM);
	add(p, "read", A_ALLOW, NULL, 0, 1);
	for (uint32_t i = 0; i < 300; i++) {
		struct moat_cmp c[2] = { cmp(1, MOAT_OP_EQ, 0x5400 + i * 3),
					 cmp(2, MOAT_OP_NE, i) };

		add(p, "ioctl", i % 7 ? A_ALLOW : errno_act(1 + i % 30), c, 2, 2 + i);
	}
	add(p, "write", A_ALLOW, NULL, 0, 400);
	add(p, "getppid", A_ALLOW, NULL, 0, 401);
	check_policy(p);
	assert_int_equal(moat_compile(p, &opts, &prog, NULL), 0);
	assert_true(prog->len > 600);
	/*
	 * Branches to the default's ret span more than 255 instructions: they go
	 * through a `ja` or a copy of the ret placed near the jump.
	 */
	for (size_t i = 0; i < prog->len; i++) {
		far += prog->insns[i].code == (BPF_JMP | BPF_JA);
		for (size_t j = 0; j < i; j++)
			far += prog->insns[i].code == (BPF_RET | BPF_K) &&
			       prog->insns[j].code == (BPF_RET | BPF_K) &&
			       prog->insns[i].k == prog->insns[j].k &&
			       prog->origin[i].kind == prog->origin[j].kind &&
			       prog->origin[i].rule == prog->origin[j].rule;
	}
	assert_true(far > 0);
	moat_prog_free(prog);
	moat_policy_free(p);
}

/* Over 4096 instructions: -E2BIG, and the diagnostic names the costly rules. */
static void test_too_big(void **state)
{
	struct moat_policy *p = moat_policy_new();
	struct moat_prog *prog = NULL;
	struct moat_diags diags;
	uint64_t set[40];
	bool named = false;

	for (uint32_t i = 0; i < 40; i++)
		set[i] = 0x1000 + i * 17;
	add(p, "read", A_ALLOW, NULL, 0, 1);
	for (uint32_t i = 0; i < 150; i++) {
		struct moat_cmp c[2] = { in(1, set, 40), cmp(0, MOAT_OP_EQ, i) };

		add(p, "ioctl", A_ALLOW, c, 2, 10 + i);
	}
	moat_diags_init(&diags);
	assert_int_equal(moat_compile(p, NULL, &prog, &diags), -E2BIG);
	assert_null(prog);
	assert_true(diags.nerrors >= 1);
	assert_non_null(strstr(diags.v[0].msg, "4096"));
	for (size_t i = 1; i < diags.n; i++) {
		assert_int_equal(diags.v[i].level, MOAT_DIAG_NOTE);
		assert_string_equal(diags.v[i].file, "t.moat");
		assert_true(diags.v[i].line >= 10);
		assert_non_null(strstr(diags.v[i].msg, "ioctl"));
		named = true;
	}
	assert_true(named);
	moat_diags_free(&diags);
	moat_policy_free(p);
}

/* Frequencies put hot syscalls near the root. */
static void test_frequencies(void **state)
{
	struct moat_policy *p = moat_policy_new();
	struct moat_compile_opts opts = { .optimize = 1 };
	struct moat_seccomp_data d = { .arch = AUDIT_ARCH_X86_64 };
	struct moat_prog *prog;
	struct run hot, cold;
	int64_t nr;

	for (size_t i = 0; i < 300; i += 2) {
		const char *nm;
		uint32_t n;

		assert_int_equal(moat_syscall_at(MOAT_ARCH_X86_64, i, &nm, &n), 0);
		add(p, nm, A_ALLOW, NULL, 0, 1 + (uint32_t)i);
	}
	check_policy(p);
	assert_int_equal(moat_compile(p, &opts, &prog, NULL), 0);
	nr = moat_syscall_nr(MOAT_ARCH_X86_64, "futex");
	d.nr = (int32_t)nr;
	sim_run(prog, &d, &cold);
	moat_prog_free(prog);
	assert_int_equal(moat_policy_add_freq(p, "futex", 1000000), 0);
	assert_int_equal(moat_policy_add_freq(p, "read", 10), 0);
	check_policy(p);
	assert_int_equal(moat_compile(p, &opts, &prog, NULL), 0);
	sim_run(prog, &d, &hot);
	/* ld arch, jeq, ld nr, one or two tests, ret. */
	assert_true(hot.executed < cold.executed);
	assert_true(hot.executed <= 6);
	moat_prog_free(prog);
	moat_policy_free(p);
}

/* ---- the real kernel: filters installed in forked children ---- */

struct probe {
	bool int80; /* i386 syscall through int $0x80 */
	long nr;
	uint64_t a[6];
};

static long do_probe(const struct probe *pr)
{
	long r;

	if (pr->int80) {
		/* A 64-bit task may enter the i386 ABI: AUDIT_ARCH_I386, i386 numbers. */
		r = pr->nr;
		__asm__ volatile("int $0x80"
				 : "+a"(r)
				 : "b"(pr->a[0]), "c"(pr->a[1]), "d"(pr->a[2])
				 : "memory");
		return r < 0 && r > -4096 ? r : 1;
	}
	r = syscall(pr->nr, pr->a[0], pr->a[1], pr->a[2], pr->a[3], pr->a[4], pr->a[5]);
	return r == -1 ? -errno : 1;
}

static int install(const struct moat_prog *prog)
{
	struct sock_fprog fp = { .len = (unsigned short)prog->len,
				 .filter = (struct sock_filter *)prog->insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	/* No libc wrapper in Debian 12's glibc for seccomp(2). */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp))
		return -errno;
	return 0;
}

/*
 * Runs PROBES in a child under P's filter; each result must be what the
 * program says on the simulator: ALLOW -> what the same call does without
 * a filter (all probes are harmless: bad fds), ERRNO e -> -e.
 */
static void kernel_check(const struct moat_policy *p, const struct probe *probes, size_t n)
{
	struct moat_prog *prog;
	long got[64];
	int fds[2], status;
	pid_t pid;

	assert_true(n <= 64);
	assert_int_equal(moat_compile(p, NULL, &prog, NULL), 0);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		long res[64];

		close(fds[0]);
		if (install(prog))
			_exit(3);
		for (size_t i = 0; i < n; i++)
			res[i] = do_probe(&probes[i]);
		_exit(write(fds[1], res, n * sizeof(long)) == (ssize_t)(n * sizeof(long)) ? 0 : 4);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], got, n * sizeof(long)), (ssize_t)(n * sizeof(long)));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	for (size_t i = 0; i < n; i++) {
		struct moat_seccomp_data d = { .nr = (int32_t)probes[i].nr };
		struct run run;
		long want;

		d.arch = probes[i].int80 ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64;
		memcpy(d.args, probes[i].a, sizeof(d.args));
		sim_run(prog, &d, &run);
		if (run.ret == SECCOMP_RET_ALLOW)
			want = do_probe(&probes[i]); /* the same harmless call, unfiltered */
		else if ((run.ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
			want = -(long)(run.ret & SECCOMP_RET_DATA);
		else
			fail_msg("probe %zu: unexpected verdict %#x", i, run.ret);
		if (got[i] != want)
			fail_msg("probe %zu (nr %#lx): kernel %ld, simulator says %ld", i,
				 probes[i].nr, got[i], want);
	}
	moat_prog_free(prog);
}

/*
 * ASan's runtime makes syscalls of its own in the filtered child
 * (sigaltstack, mmap) that these test filters deny: the sanitizer pass skips
 * the kernel checks, the plain pass runs them.
 */
#ifdef __SANITIZE_ADDRESS__
#define SKIP_UNDER_ASAN() skip()
#else
#define SKIP_UNDER_ASAN() ((void)0)
#endif

static void test_kernel_args(void **state)
{
	SKIP_UNDER_ASAN();
	struct moat_policy *p = moat_policy_new();
	uint64_t set[] = { 1001, 0x2000003eaull };
	struct moat_cmp c;

	p->default_action = errno_act(EPERM);
	p->unknown_action = errno_act(EMULTIHOP);
	p->badarch_action = errno_act(EXDEV);
	add(p, "write", A_ALLOW, NULL, 0, 1);
	add(p, "exit_group", A_ALLOW, NULL, 0, 1);
	add(p, "getppid", A_ALLOW, NULL, 0, 1);
	c = cmp(0, MOAT_OP_EQ, 1000);
	add(p, "close", errno_act(EAGAIN), &c, 1, 2);
	c = cmp(0, MOAT_OP_GT, 0xffffffffull);
	add(p, "close", errno_act(ENOMEM), &c, 1, 3);
	add(p, "close", A_ALLOW, NULL, 0, 4);
	c = in(0, set, 2);
	add(p, "dup", errno_act(EACCES), &c, 1, 5);
	add(p, "dup", A_ALLOW, NULL, 0, 6);
	c = masked(1, 0xf0, 0x10);
	add(p, "fcntl", errno_act(EFAULT), &c, 1, 7);
	add(p, "fcntl", A_ALLOW, NULL, 0, 8);
	c = cmp(2, MOAT_OP_LE, 2);
	add(p, "lseek", A_ALLOW, &c, 1, 9);
	add(p, "lseek", errno_act(EDOM), NULL, 0, 10);

	const struct probe probes[] = {
		{ false, SYS_getppid, { 0 } },
		{ false, SYS_getpid, { 0 } },
		{ false, SYS_close, { 1000 } },
		{ false, SYS_close, { 0x1000003e8ull } },
		{ false, SYS_close, { 999 } },
		{ false, SYS_dup, { 1001 } },
		{ false, SYS_dup, { 0x2000003eaull } },
		{ false, SYS_dup, { 1002 } },
		{ false, SYS_dup, { 0x1000003e9ull } },
		{ false, SYS_fcntl, { 1003, 0x10 } },
		{ false, SYS_fcntl, { 1003, 0x1f } },
		{ false, SYS_fcntl, { 1003, 0x20 } },
		{ false, SYS_lseek, { 1004, 0, 1 } },
		{ false, SYS_lseek, { 1004, 0, 3 } },
		{ false, SYS_lseek, { 1004, 0, 0x100000000ull } },
		{ false, 1000, { 0 } },
		{ false, 0x3ffffff0, { 0 } },
		{ false, MOAT_X32_SYSCALL_BIT + SYS_getpid, { 0 } },
		{ false, -1, { 0 } },
		{ true, 20 /* i386 getpid */, { 0 } },
	};
	kernel_check(p, probes, sizeof(probes) / sizeof(probes[0]));
	moat_policy_free(p);
}

/* i386 through int $0x80 when the policy covers it: only low halves count. */
static void test_kernel_i386(void **state)
{
	SKIP_UNDER_ASAN();
	struct moat_policy *p = moat_policy_new();
	struct moat_cmp c = cmp(0, MOAT_OP_EQ, 1005);

	p->arches = MOAT_ARCH_BIT(MOAT_ARCH_X86_64) | MOAT_ARCH_BIT(MOAT_ARCH_I386);
	p->default_action = errno_act(EPERM);
	p->badarch_action = errno_act(EXDEV);
	add(p, "write", A_ALLOW, NULL, 0, 1);
	add(p, "exit_group", A_ALLOW, NULL, 0, 1);
	add(p, "getpid", A_ALLOW, NULL, 0, 1);
	add(p, "close", errno_act(EAGAIN), &c, 1, 2);
	add(p, "close", A_ALLOW, NULL, 0, 3);

	const struct probe probes[] = {
		{ true, 20 /* getpid */, { 0 } },
		{ true, 24 /* getuid */, { 0 } },
		{ true, 6 /* close */, { 1005 } },
		/* High bits in rbx: the i386 syscall uses fd 1005; the verdict must agree. */
		{ true, 6, { 0x1000003edull } },
		{ true, 6, { 1006 } },
		{ false, SYS_close, { 0x1000003edull } },
		{ false, SYS_getpid, { 0 } },
	};
	kernel_check(p, probes, sizeof(probes) / sizeof(probes[0]));
	moat_policy_free(p);
}

/* A program with long jumps is accepted and run by the kernel as simulated. */
static void test_kernel_long_jumps(void **state)
{
	SKIP_UNDER_ASAN();
	struct moat_policy *p = moat_policy_new();
	struct probe probes[24];

	p->default_action = errno_act(EPERM);
	add(p, "write", A_ALLOW, NULL, 0, 1);
	add(p, "exit_group", A_ALLOW, NULL, 0, 1);
	for (uint32_t i = 0; i < 300; i++) {
		struct moat_cmp c[2] = { cmp(1, MOAT_OP_EQ, 0x5400 + i * 3),
					 cmp(2, MOAT_OP_NE, i) };

		add(p, "ioctl", i % 7 ? A_ALLOW : errno_act(1 + i % 30), c, 2, 2 + i);
	}
	/* ioctl on fd -1: EBADF when allowed, the rule's errno otherwise. */
	for (uint32_t i = 0; i < 24; i++) {
		uint32_t r = i * 13 % 300;

		probes[i] = (struct probe){ false,
					    SYS_ioctl,
					    { (uint64_t)-1, 0x5400 + r * 3 + (i % 4 == 3),
					      i % 3 ? r : r + 1 } };
	}
	kernel_check(p, probes, 24);
	moat_policy_free(p);
}

/* A kill verdict really kills, with SIGSYS. */
static void test_kernel_kill(void **state)
{
	struct moat_policy *p = moat_policy_new();
	struct moat_prog *prog;
	int status;
	pid_t pid;

	p->default_action = A_ALLOW;
	add(p, "getppid", A_KILL, NULL, 0, 1);
	assert_int_equal(moat_compile(p, NULL, &prog, NULL), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (install(prog))
			_exit(3);
		syscall(SYS_getpid);
		syscall(SYS_getppid);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	moat_prog_free(prog);
	moat_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_policy),	  cmocka_unit_test(test_allowlist),
		cmocka_unit_test(test_blocklist),	  cmocka_unit_test(test_arg_ops),
		cmocka_unit_test(test_rule_order),	  cmocka_unit_test(test_multi_arch),
		cmocka_unit_test(test_notify_mask),	  cmocka_unit_test(test_random_policies),
		cmocka_unit_test(test_long_jumps),	  cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_frequencies),	  cmocka_unit_test(test_kernel_args),
		cmocka_unit_test(test_kernel_i386),	  cmocka_unit_test(test_kernel_kill),
		cmocka_unit_test(test_kernel_long_jumps),
	};

	return MOAT_RUN_TESTS(tests);
}
