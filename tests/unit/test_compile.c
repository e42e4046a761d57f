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

/* ---- a tiny independent interpreter (classic BPF, seccomp subset) ---- */

struct run {
	uint32_t ret;
	size_t pc, executed;
	bool cacheable; /* only nr/arch loads, k-jumps and `and k` on the path */
};

static void mini_run(const struct moat_prog *prog, const struct moat_seccomp_data *d,
		     struct run *r)
{
	uint32_t A = 0;
	size_t pc = 0;
	uint8_t buf[64];

	memcpy(buf, &d->nr, 4);
	memcpy(buf + 4, &d->arch, 4);
	memcpy(buf + 8, &d->instruction_pointer, 8);
	memcpy(buf + 16, d->args, 48);
	memset(r, 0, sizeof(*r));
	r->cacheable = true;
	for (;;) {
		const struct moat_insn *in;

		assert_true(pc < prog->len);
		in = &prog->insns[pc];
		r->executed++;
		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			assert_true(in->k % 4 == 0 && in->k < 64);
			memcpy(&A, buf + in->k, 4);
			if (in->k != 0 && in->k != 4)
				r->cacheable = false;
			pc++;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			A &= in->k;
			pc++;
			break;
		case BPF_JMP | BPF_JA:
			pc += 1 + in->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += 1 + (A == in->k ? in->jt : in->jf);
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += 1 + (A > in->k ? in->jt : in->jf);
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += 1 + (A >= in->k ? in->jt : in->jf);
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += 1 + ((A & in->k) ? in->jt : in->jf);
			break;
		case BPF_RET | BPF_K:
			r->ret = in->k;
			r->pc = pc;
			return;
		default:
			fail_msg("unexpected opcode %#x at %zu", in->code, pc);
		}
	}
}

/* ---- the reference: the policy's semantics, straight from the model ---- */

struct ref {
	uint32_t ret;
	struct moat_origin origin;
	bool argdep; /* the outcome of this (arch, nr) may depend on arguments */
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

static uint32_t group_of(const struct moat_policy *p, size_t r)
{
	for (size_t q = 0; q < r && p->rules[r].loc.line; q++)
		if (p->rules[q].loc.line == p->rules[r].loc.line &&
		    p->rules[q].loc.file == p->rules[r].loc.file)
			return (uint32_t)q;
	return (uint32_t)r;
}

static void ref_arch(const struct moat_policy *p, enum moat_arch arch, uint32_t nr,
		     const uint64_t *args, struct ref *out)
{
	bool named = false;

	out->argdep = false;
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
			out->origin = (struct moat_origin){ MOAT_ORIGIN_RULE, group_of(p, r) };
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

static void ref_eval(const struct moat_policy *p, uint32_t audit, uint32_t nr,
		     const uint64_t *args, struct ref *out)
{
	uint32_t arches = moat_policy_arches(p);
	struct moat_origin bad = { MOAT_ORIGIN_BADARCH, 0 };

	out->argdep = false;
	out->ret = ret_of(p->badarch_action);
	out->origin = bad;
	if (audit == AUDIT_ARCH_X86_64 &&
	    (arches & (MOAT_ARCH_BIT(MOAT_ARCH_X86_64) | MOAT_ARCH_BIT(MOAT_ARCH_X32)))) {
		if (nr >= MOAT_X32_SYSCALL_BIT) {
			if (arches & MOAT_ARCH_BIT(MOAT_ARCH_X32))
				ref_arch(p, MOAT_ARCH_X32, nr, args, out);
			else
				out->origin.kind = MOAT_ORIGIN_X32;
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
	static const uint64_t base[] = { 0, 1, 2, 0xffffffffull, 0x100000000ull, UINT64_MAX,
					 0x7fffffffull, 0x80000000ull, 0xffffffff00000000ull };

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
				d.args[a] = t - 1 < (int)pl->n ? pl->v[t - 1] : pl->v[rnd() % pl->n];
			}
			ref_eval(p, audit, nr, d.args, &ref);
		}
		mini_run(prog, &d, &run);
		if (run.ret != ref.ret || prog->origin[run.pc].kind != ref.origin.kind ||
		    (ref.origin.kind == MOAT_ORIGIN_RULE &&
		     prog->origin[run.pc].rule != ref.origin.rule)) {
			fail_msg("arch %#x nr %#x args %#llx %#llx %#llx: ret %#x origin %u/%u, "
				 "expected %#x origin %u/%u",
				 audit, nr, (unsigned long long)d.args[0],
				 (unsigned long long)d.args[1], (unsigned long long)d.args[2],
				 run.ret, prog->origin[run.pc].kind, prog->origin[run.pc].rule,
				 ref.ret, ref.origin.kind, ref.origin.rule);
		}
		st->checked++;
	}
	/* The kernel's action cache must serve every arg-independent ALLOW. */
	if (!ref.argdep && ref.ret == SECCOMP_RET_ALLOW) {
		if (!run.cacheable)
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
		for (size_t i = 0; i < prog->len; i++) {
			const struct moat_insn *in = &prog->insns[i];

			/* Every ret has an origin, nothing else has one. */
			assert_int_equal(in->code == (BPF_RET | BPF_K),
					 prog->origin[i].kind != MOAT_ORIGIN_NONE);
		}
		for (size_t a = 0; a < sizeof(audits) / sizeof(audits[0]); a++) {
			for (uint32_t nr = 0; nr <= NR_SPAN; nr++)
				check_one(p, prog, audits[a], nr, &pl, &st);
			static const uint32_t extremes[] = { 0x3fffffffu, 0x7fffffffu,
							     0x80000000u, 0xfffffffeu,
							     0xffffffffu };
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
	return (struct moat_cmp){ .arg = arg, .op = MOAT_OP_MASKED_EQ, .value = value,
				  .mask = mask };
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
	static const char *const names[] = { "read", "write", "close", "fstat", "mmap",
					     "exit_group", "futex", "getppid", "openat",
					     "rt_sigreturn", "brk", "clone", "execve" };
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
	add(p, "open", A_ALLOW, NULL, 0, 3); /* not on aarch64 */
	add(p, "socketcall", A_ALLOW, NULL, 0, 4); /* i386 only */
	add(p, "kill", A_ALLOW, &c, 1, 5); /* i386: hi word counts as 0 */
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
	static const uint64_t vals[] = { 0, 1, 2, 3, 0xff, 0x100000000ull, 0x100000001ull,
					 0xffffffffull, UINT64_MAX, 0x8000000000000000ull };

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
			add(p, name,
			    rnd() % 3 ? A_ALLOW : errno_act(1 + (uint32_t)(rnd() % 3)), c, nc,
			    (uint32_t)(rnd() % 2 ? r + 1 : 1000));
		}
		check_policy(p);
		moat_policy_free(p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_policy),	cmocka_unit_test(test_allowlist),
		cmocka_unit_test(test_blocklist),	cmocka_unit_test(test_arg_ops),
		cmocka_unit_test(test_rule_order),	cmocka_unit_test(test_multi_arch),
		cmocka_unit_test(test_notify_mask),	cmocka_unit_test(test_random_policies),
	};

	return MOAT_RUN_TESTS(tests);
}
