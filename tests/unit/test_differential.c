// SPDX-License-Identifier: MIT
/*
 * Differential tests: the same policy compiled by libseccomp (optimize 1
 * and 2) and by moat, every program run through the simulator over every
 * syscall number 0..1100 of each ABI (x86_64, x32 numbers, i386, aarch64),
 * with random and boundary arguments. A third opinion decides: a direct
 * evaluation of the policy's meaning (policy.h: first matching rule of the
 * syscall wins, 64-bit unsigned comparisons, unknown numbers get the
 * unknown action, other ABIs the badarch action). Zero disagreements.
 *
 * Policies: thousands of random ones, generated only where libseccomp and
 * moat mean the same thing (see gen_policy and libseccomp_build.h).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>

#include "moat/compile.h"
#include "moat/policy.h"
#include "moat/syscalls.h"
#include "testutil.h"
#include "kernel_run.h"
#include "libseccomp_build.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SWEEP_MAX 1100 /* syscall numbers 0..SWEEP_MAX of every ABI */

#if defined(__SANITIZE_ADDRESS__)
#define DEFAULT_POLICIES 100 /* the sanitizer pass is slower: fewer, same code */
#else
#define DEFAULT_POLICIES 400 /* MOAT_DIFF_POLICIES=5000 for a long run */
#endif

/* ---- Deterministic randomness (splitmix64): a failure names its seed. ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rnd_below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

/* ---- The meaning of a policy, evaluated directly. ---- */

struct ref_rule {
	const struct moat_rule *rule;
	int64_t nr[MOAT_ARCH__COUNT]; /* -1: no such syscall on that arch */
};

struct ref {
	const struct moat_policy *p;
	uint32_t arches;
	struct ref_rule *rules;
};

static void ref_init(struct ref *ref, const struct moat_policy *p)
{
	ref->p = p;
	ref->arches = moat_policy_arches(p);
	ref->rules = calloc(p->nrules ? p->nrules : 1, sizeof(*ref->rules));
	assert_non_null(ref->rules);
	for (size_t i = 0; i < p->nrules; i++) {
		ref->rules[i].rule = &p->rules[i];
		for (int a = 0; a < MOAT_ARCH__COUNT; a++) {
			uint32_t nr;
			ref->rules[i].nr[a] =
				moat_syscall_parse(a, p->rules[i].syscall, &nr) ? -1 : (int64_t)nr;
		}
	}
}

static void ref_free(struct ref *ref)
{
	free(ref->rules);
}

static bool cmp_holds(const struct moat_cmp *c, uint64_t v)
{
	switch (c->op) {
	case MOAT_OP_EQ:
		return v == c->value;
	case MOAT_OP_NE:
		return v != c->value;
	case MOAT_OP_LT:
		return v < c->value;
	case MOAT_OP_LE:
		return v <= c->value;
	case MOAT_OP_GT:
		return v > c->value;
	case MOAT_OP_GE:
		return v >= c->value;
	case MOAT_OP_MASKED_EQ:
		return (v & c->mask) == c->value;
	case MOAT_OP_IN:
		for (uint32_t i = 0; i < c->nset; i++)
			if (c->set[i] == v)
				return true;
		return false;
	default:
		fail_msg("bad op %u", c->op);
		return false;
	}
}

enum ref_path { REF_RULE, REF_DEFAULT, REF_UNKNOWN, REF_BADARCH };

/* The ret word the policy means for D, and which path decided. */
static uint32_t ref_eval(const struct ref *ref, const struct moat_seccomp_data *d,
			 enum ref_path *path)
{
	const struct moat_policy *p = ref->p;
	uint32_t nr = (uint32_t)d->nr;
	int arch = -1;

	for (int a = 0; a < MOAT_ARCH__COUNT; a++) {
		if (!(ref->arches & MOAT_ARCH_BIT(a)) || moat_arch_audit(a) != d->arch)
			continue;
		/*
		 * x86_64 and x32 share AUDIT_ARCH_X86_64; numbers from the x32 bit
		 * up are x32's (also 0x80000000-0xbfffffff, which have no bit 30
		 * but name nothing anywhere: moat and libseccomp both count them
		 * as x32, and either way the call fails closed).
		 */
		if (d->arch == AUDIT_ARCH_X86_64 &&
		    (a == MOAT_ARCH_X32) != (nr >= MOAT_X32_SYSCALL_BIT))
			continue;
		arch = a;
	}
	/*
	 * nr -1 on AUDIT_ARCH_X86_64 is what a tracer sets to skip a call: the
	 * kernel runs nothing (ENOSYS). It is no x32 call: unknown, as long as
	 * the policy covers that audit arch at all.
	 */
	if (d->arch == AUDIT_ARCH_X86_64 && nr == UINT32_MAX &&
	    (ref->arches & (MOAT_ARCH_BIT(MOAT_ARCH_X86_64) | MOAT_ARCH_BIT(MOAT_ARCH_X32)))) {
		*path = REF_UNKNOWN;
		return moat_action_ret(p->unknown_action);
	}
	if (arch < 0) {
		*path = REF_BADARCH;
		return moat_action_ret(p->badarch_action);
	}
	if (!moat_syscall_name(arch, nr)) {
		*path = REF_UNKNOWN;
		return moat_action_ret(p->unknown_action);
	}
	for (size_t i = 0; i < p->nrules; i++) {
		const struct ref_rule *rr = &ref->rules[i];
		bool all = true;

		if (rr->nr[arch] != (int64_t)nr)
			continue;
		for (uint32_t j = 0; all && j < rr->rule->ncmps; j++)
			all = cmp_holds(&rr->rule->cmps[j], d->args[rr->rule->cmps[j].arg]);
		if (all) {
			*path = REF_RULE;
			return moat_action_ret(rr->rule->action);
		}
	}
	*path = REF_DEFAULT;
	return moat_action_ret(p->default_action);
}

/* ---- Random policies libseccomp and moat agree on. ---- */

static const uint64_t boundary_values[] = {
	0,
	1,
	2,
	0x7f,
	0x80,
	0xff,
	0x100,
	0xffff,
	0x7fffffff,
	0x80000000,
	0x80000001,
	0xfffffffe,
	0xffffffff,
	0x100000000ull,
	0x100000001ull,
	0x1ffffffffull,
	0x7fffffffffffffffull,
	0x8000000000000000ull,
	0x8000000000000001ull,
	0xffffffff00000000ull,
	0xffffffff80000000ull,
	0xfffffffffffffffeull,
	0xffffffffffffffffull,
};

struct gen {
	bool narrow;	   /* a 32-bit ABI is covered: values and arguments fit in 32 bits */
	bool wide[6];	   /* per argument of the current syscall: values above 32 bits */
	uint32_t max_cmps; /* comparisons per rule: 1..3 */
	int vectors;	   /* argument vectors per arg-checked syscall (0: 96) */
};

static uint64_t gen_value(const struct gen *g)
{
	uint64_t v;

	switch (rnd_below(4)) {
	case 0:
	case 1:
		v = boundary_values[rnd_below(ARRAY_LEN(boundary_values))];
		break;
	case 2:
		v = rnd_below(64);
		break;
	default:
		v = rnd();
		break;
	}
	return g->narrow ? (uint32_t)v : v;
}

static struct moat_action gen_action(bool for_default)
{
	static const uint32_t kinds[] = { MOAT_ACT_KILL_PROCESS, MOAT_ACT_KILL_THREAD,
					  MOAT_ACT_TRAP,	 MOAT_ACT_ERRNO,
					  MOAT_ACT_ERRNO,	 MOAT_ACT_NOTIFY,
					  MOAT_ACT_TRACE,	 MOAT_ACT_LOG,
					  MOAT_ACT_ALLOW,	 MOAT_ACT_ALLOW };
	/* 4094 at most: libseccomp refuses ERRNO(4095) in a rule. */
	static const uint32_t errnos[] = { 1, 2, 13, 38, 4094 };
	struct moat_action a = { kinds[rnd_below(ARRAY_LEN(kinds))], 0 };

	/* libseccomp refuses NOTIFY as the default or badarch action. */
	if (for_default && a.kind == MOAT_ACT_NOTIFY)
		a.kind = MOAT_ACT_ERRNO;
	if (a.kind == MOAT_ACT_ERRNO)
		a.data = rnd_below(3) ? errnos[rnd_below(ARRAY_LEN(errnos))] : 1 + rnd_below(4094);
	if (a.kind == MOAT_ACT_TRACE)
		a.data = rnd_below(0x10000);
	return a;
}

/*
 * The values one syscall's rules compare an argument with either all fit
 * in 32 bits or all have a nonzero high word: mixing them (behind a shared
 * non-EQ comparison) makes libseccomp 2.5.4 loop forever (see
 * lsc_build_guarded). Different syscalls and arguments still mix both.
 */
static uint64_t gen_arg_value(const struct gen *g, uint8_t arg)
{
	uint64_t v = gen_value(g);

	if (g->narrow || !g->wide[arg])
		return (uint32_t)v;
	if (!(v >> 32))
		v |= (uint64_t)(1 + rnd_below(UINT32_MAX)) << 32;
	return v;
}

static void gen_cmp(const struct gen *g, uint8_t arg, struct moat_cmp *c, uint64_t *set)
{
	memset(c, 0, sizeof(*c));
	c->arg = arg;
	c->op = (uint8_t)rnd_below(MOAT_OP__COUNT);
	c->value = gen_arg_value(g, arg);
	if (c->op == MOAT_OP_MASKED_EQ) {
		c->mask = gen_arg_value(g, arg);
		/* Mostly a value inside the mask; sometimes one that can never match. */
		if (rnd_below(8))
			c->value &= c->mask;
	} else if (c->op == MOAT_OP_IN) {
		c->nset = 2 + rnd_below(5);
		for (uint32_t i = 0; i < c->nset; i++)
			set[i] = gen_arg_value(g, arg);
		c->set = set;
	}
}

/* Inclusive interval of a range comparison; false when C is not one. */
static bool cmp_interval(const struct moat_cmp *c, uint64_t *lo, uint64_t *hi, bool *empty)
{
	*lo = 0;
	*hi = UINT64_MAX;
	*empty = false;
	switch (c->op) {
	case MOAT_OP_LT:
		*empty = c->value == 0;
		*hi = c->value - 1;
		return true;
	case MOAT_OP_LE:
		*hi = c->value;
		return true;
	case MOAT_OP_GT:
		*empty = c->value == UINT64_MAX;
		*lo = c->value + 1;
		return true;
	case MOAT_OP_GE:
		*lo = c->value;
		return true;
	default:
		return false;
	}
}

/* Can no value satisfy both A and B (same argument)? Exact or conservative (false). */
static bool cmps_disjoint(const struct moat_cmp *a, const struct moat_cmp *b)
{
	const struct moat_cmp *pts = NULL, *other = NULL;

	if (a->op == MOAT_OP_EQ || a->op == MOAT_OP_IN)
		pts = a, other = b;
	else if (b->op == MOAT_OP_EQ || b->op == MOAT_OP_IN)
		pts = b, other = a;
	if (pts) {
		uint32_t n = pts->op == MOAT_OP_IN ? pts->nset : 1;
		for (uint32_t i = 0; i < n; i++) {
			uint64_t v = pts->op == MOAT_OP_IN ? pts->set[i] : pts->value;
			if (cmp_holds(other, v))
				return false;
		}
		return true;
	}
	uint64_t alo, ahi, blo, bhi;
	bool aempty, bempty;
	if (cmp_interval(a, &alo, &ahi, &aempty) && cmp_interval(b, &blo, &bhi, &bempty))
		return aempty || bempty || ahi < blo || bhi < alo;
	if (a->op == MOAT_OP_MASKED_EQ && b->op == MOAT_OP_MASKED_EQ) {
		uint64_t m = a->mask & b->mask;
		return (a->value & ~a->mask) || (b->value & ~b->mask) ||
		       (a->value & m) != (b->value & m);
	}
	return false;
}

static bool rules_disjoint(const struct moat_cmp *a, uint32_t na, const struct moat_cmp *b,
			   uint32_t nb)
{
	for (uint32_t i = 0; i < na; i++)
		for (uint32_t j = 0; j < nb; j++)
			if (a[i].arg == b[j].arg && cmps_disjoint(&a[i], &b[j]))
				return true;
	return false;
}

/*
 * Syscalls a random policy may name: known to moat and to libseccomp with
 * the same number on every ABI of the policy (libseccomp's table is older),
 * and not one libseccomp rewrites on i386 (socket and IPC calls become
 * socketcall/ipc rules there, a different meaning from moat's).
 */
static const char *const i386_multiplexed[] = {
	"socket",      "bind",	     "connect",	   "listen",  "accept",	 "getsockname",
	"getpeername", "socketpair", "send",	   "recv",    "sendto",	 "recvfrom",
	"shutdown",    "setsockopt", "getsockopt", "sendmsg", "recvmsg", "accept4",
	"recvmmsg",    "sendmmsg",   "semop",	   "semget",  "semctl",	 "semtimedop",
	"msgsnd",      "msgrcv",     "msgget",	   "msgctl",  "shmat",	 "shmdt",
	"shmget",      "shmctl",     "socketcall", "ipc",
};

static bool name_usable(const char *name, uint32_t arches)
{
	bool somewhere = false;

	if (arches & MOAT_ARCH_BIT(MOAT_ARCH_I386))
		for (size_t i = 0; i < ARRAY_LEN(i386_multiplexed); i++)
			if (!strcmp(name, i386_multiplexed[i]))
				return false;
	for (int a = 0; a < MOAT_ARCH__COUNT; a++) {
		if (!(arches & MOAT_ARCH_BIT(a)))
			continue;
		int64_t mnr = moat_syscall_nr(a, name);
		int lnr = seccomp_syscall_resolve_name_arch(lsc_arch_token(a), name);
		if (lnr == __NR_SCMP_ERROR || lnr < 0)
			lnr = -1;
		if (mnr < 0 && lnr < 0)
			continue;
		if (mnr != lnr)
			return false;
		somewhere = true;
	}
	return somewhere && seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR;
}

static const uint32_t arch_sets[] = {
	MOAT_ARCH_BIT(MOAT_ARCH_X86_64),
	MOAT_ARCH_BIT(MOAT_ARCH_X86_64),
	MOAT_ARCH_BIT(MOAT_ARCH_X86_64) | MOAT_ARCH_BIT(MOAT_ARCH_X32),
	MOAT_ARCH_BIT(MOAT_ARCH_X86_64) | MOAT_ARCH_BIT(MOAT_ARCH_I386),
	MOAT_ARCH_BIT(MOAT_ARCH_X86_64) | MOAT_ARCH_BIT(MOAT_ARCH_I386) |
		MOAT_ARCH_BIT(MOAT_ARCH_X32),
	MOAT_ARCH_BIT(MOAT_ARCH_I386),
	MOAT_ARCH_BIT(MOAT_ARCH_X32),
	MOAT_ARCH_BIT(MOAT_ARCH_AARCH64),
};

/*
 * A random policy. Why it is shaped like this (what libseccomp and moat
 * agree on):
 *  - rules of one syscall with different actions never overlap (checked
 *    exactly or conservatively by rules_disjoint): moat takes the first
 *    matching rule, libseccomp merges rules into a tree where neither order
 *    nor "first" exists; same-action rules may overlap freely (plain OR);
 *  - an unconditional rule is only combined with rules of its own action;
 *  - at most one comparison per argument in a rule (libseccomp refuses more);
 *  - with i386 or x32 covered, values fit in 32 bits: libseccomp treats both
 *    as 32-bit ABIs and compares only the low word there (real i386
 *    arguments have a zero high word; x32 ones can have one, a case where
 *    libseccomp and moat's 64-bit comparisons differ on purpose).
 */
static struct moat_policy *gen_policy(struct gen *g)
{
	struct moat_policy *p = moat_policy_new();
	const struct moat_loc loc = { 0 };

	assert_non_null(p);
	p->arches = arch_sets[rnd_below(ARRAY_LEN(arch_sets))];
	g->narrow =
		(p->arches & (MOAT_ARCH_BIT(MOAT_ARCH_I386) | MOAT_ARCH_BIT(MOAT_ARCH_X32))) != 0;
	p->default_action = gen_action(true);
	p->unknown_action = rnd_below(2) ? p->default_action : gen_action(true);
	p->badarch_action = gen_action(true);

	/* Candidate names from the first covered arch's table. */
	enum moat_arch first = MOAT_ARCH_X86_64;
	for (int a = MOAT_ARCH__COUNT - 1; a >= 0; a--)
		if (p->arches & MOAT_ARCH_BIT(a))
			first = a;
	size_t count = moat_syscall_count(first);
	uint32_t nsyscalls = 1 + rnd_below(8);

	for (uint32_t s = 0; s < nsyscalls; s++) {
		const char *name = NULL;
		uint32_t nr;

		for (int tries = 0; tries < 50 && !name; tries++) {
			assert_int_equal(moat_syscall_at(first, rnd_below(count), &name, &nr), 0);
			if (!name_usable(name, p->arches))
				name = NULL;
		}
		if (!name)
			continue;
		for (int a = 0; a < 6; a++)
			g->wide[a] = rnd_below(3) == 0;

		/* Rules already given to NAME, to keep different actions apart. */
		struct moat_cmp kept[6][6];
		uint64_t kept_sets[6][6][8];
		uint32_t kept_n[6];
		struct moat_action kept_act[6];
		uint32_t nkept = 0, nrules = 1 + rnd_below(5);

		for (uint32_t r = 0; r < nrules; r++) {
			for (int tries = 0; tries < 20; tries++) {
				struct moat_action act = nkept && rnd_below(3) == 0
								 ? kept_act[rnd_below(nkept)]
								 : gen_action(false);
				uint32_t ncmps = rnd_below(8) == 0 ? 0 : 1 + rnd_below(g->max_cmps);
				uint8_t args[6] = { 0, 1, 2, 3, 4, 5 };

				/* Distinct arguments, mostly the low ones (shared with other rules). */
				for (uint32_t i = 0; i < ncmps; i++) {
					uint32_t j = i + rnd_below(rnd_below(2) ? 3 : 6 - i);
					if (j > 5)
						j = 5;
					uint8_t t = args[i];
					args[i] = args[j];
					args[j] = t;
				}
				for (uint32_t i = 0; i < ncmps; i++)
					gen_cmp(g, args[i], &kept[nkept][i], kept_sets[nkept][i]);

				bool ok = true;
				for (uint32_t k = 0; ok && k < nkept; k++)
					ok = moat_action_equal(kept_act[k], act) ||
					     rules_disjoint(kept[k], kept_n[k], kept[nkept], ncmps);
				if (!ok)
					continue;
				assert_int_equal(moat_policy_add_rule(p, name, act, kept[nkept],
								      ncmps, loc, NULL),
						 0);
				kept_n[nkept] = ncmps;
				kept_act[nkept] = act;
				nkept++;
				break;
			}
		}
	}
	return p;
}

/* ---- Running both sides. ---- */

static const char *const op_names[] = { "==", "!=", "<", "<=", ">", ">=", "&", "in" };

/* The policy, readable, for a failure message (to stdout, then the test fails). */
static void dump_policy(const struct moat_policy *p)
{
	char buf[64];

	printf("# arches 0x%x\n", moat_policy_arches(p));
	moat_action_format(p->default_action, buf, sizeof(buf));
	printf("# default %s\n", buf);
	moat_action_format(p->unknown_action, buf, sizeof(buf));
	printf("# unknown %s\n", buf);
	moat_action_format(p->badarch_action, buf, sizeof(buf));
	printf("# badarch %s\n", buf);
	for (size_t i = 0; i < p->nrules; i++) {
		const struct moat_rule *r = &p->rules[i];

		moat_action_format(r->action, buf, sizeof(buf));
		printf("# %s %s", buf, r->syscall);
		for (uint32_t j = 0; j < r->ncmps; j++) {
			const struct moat_cmp *c = &r->cmps[j];

			printf(" %s arg%u %s", j ? "&&" : "if", c->arg, op_names[c->op]);
			if (c->op == MOAT_OP_MASKED_EQ)
				printf(" 0x%llx == 0x%llx", (unsigned long long)c->mask,
				       (unsigned long long)c->value);
			else if (c->op == MOAT_OP_IN)
				for (uint32_t k = 0; k < c->nset; k++)
					printf(" %s0x%llx%s", k ? "" : "{",
					       (unsigned long long)c->set[k],
					       k + 1 < c->nset ? "," : "}");
			else
				printf(" 0x%llx", (unsigned long long)c->value);
		}
		printf("\n");
	}
}

struct side {
	const char *name;
	struct moat_prog prog;
};

struct stats {
	uint64_t runs, compared, rule_hits, policies, lsc_hangs, lsc_wrong_policies,
		lsc_wrong_points;
};

/* Arguments for syscall NR: boundaries of every value its rules compare with. */
static void gen_args(const struct gen *g, const struct moat_policy *p, const struct ref *ref,
		     int arch, uint32_t nr, uint64_t args[6])
{
	for (int a = 0; a < 6; a++) {
		uint64_t pool[64];
		size_t n = 0;

		for (size_t i = 0; i < p->nrules && n + 8 < ARRAY_LEN(pool); i++) {
			if (arch < 0 || ref->rules[i].nr[arch] != (int64_t)nr)
				continue;
			for (uint32_t j = 0; j < p->rules[i].ncmps; j++) {
				const struct moat_cmp *c = &p->rules[i].cmps[j];
				if (c->arg != a || n + 8 >= ARRAY_LEN(pool))
					continue;
				uint64_t v =
					c->op == MOAT_OP_IN ? c->set[rnd_below(c->nset)] : c->value;
				pool[n++] = v;
				pool[n++] = v - 1;
				pool[n++] = v + 1;
				pool[n++] = v ^ 0x100000000ull;
				pool[n++] = v ^ 0x80000000ull;
				if (c->op == MOAT_OP_MASKED_EQ) {
					pool[n++] = v | ~c->mask;
					pool[n++] = (v | (rnd() & ~c->mask)) ^
						    (c->mask &
						     (0 - c->mask)); /* flip the lowest mask bit */
					pool[n++] = v | (rnd() & ~c->mask);
				}
			}
		}
		uint64_t v;
		switch (n ? rnd_below(4) : 3) {
		case 0:
		case 1:
		case 2:
			v = pool[rnd_below((uint32_t)n)];
			break;
		default:
			v = rnd_below(2) ? boundary_values[rnd_below(ARRAY_LEN(boundary_values))]
					 : rnd();
			break;
		}
		args[a] = g->narrow || arch == MOAT_ARCH_I386 || arch == MOAT_ARCH_X32 ? (uint32_t)v
										       : v;
	}
}

static int arch_of(const struct ref *ref, uint32_t audit, uint32_t nr)
{
	for (int a = 0; a < MOAT_ARCH__COUNT; a++) {
		if (!(ref->arches & MOAT_ARCH_BIT(a)) || moat_arch_audit(a) != audit)
			continue;
		if (audit == AUDIT_ARCH_X86_64 &&
		    (a == MOAT_ARCH_X32) != (nr >= MOAT_X32_SYSCALL_BIT))
			continue;
		return a;
	}
	return -1;
}

/*
 * Runs every side on D and checks each against the policy's meaning. For
 * libseccomp sides (LIBSECCOMP true) numbers moat's table does not know are
 * compared only when the unknown action is the default action (libseccomp
 * has no notion of "unknown").
 */
/* Set while the Podman profile runs: see test_podman_profile. */
static const struct moat_policy *podman_excluded;

/* Is D's syscall one libseccomp cannot mean the same way (unknown to it, i386 socketcall/ipc)? */
static bool lsc_unknown_here(const struct ref *ref, const struct moat_seccomp_data *d)
{
	int arch = arch_of(ref, d->arch, (uint32_t)d->nr);
	const char *name = arch < 0 ? NULL : moat_syscall_name(arch, (uint32_t)d->nr);

	if (!name)
		return false;
	if (arch == MOAT_ARCH_I386 && (!strcmp(name, "socketcall") || !strcmp(name, "ipc")))
		return true;
	return seccomp_syscall_resolve_name_arch(lsc_arch_token(arch), name) < 0;
}

static void report_mismatch(const struct ref *ref, const struct side *side,
			    const struct moat_seccomp_data *d, uint32_t got, uint32_t want,
			    enum ref_path path, uint64_t seed)
{
	char *text = NULL;

	dump_policy(ref->p);
	if (moat_disasm(&side->prog, &text) == 0)
		printf("%s", text);
	free(text);
	printf("# seed %llu: %s says 0x%08x, the policy means 0x%08x (path %d) for arch 0x%x nr "
	       "%d args %llx %llx %llx %llx %llx %llx\n",
	       (unsigned long long)seed, side->name, got, want, path, d->arch, d->nr,
	       (unsigned long long)d->args[0], (unsigned long long)d->args[1],
	       (unsigned long long)d->args[2], (unsigned long long)d->args[3],
	       (unsigned long long)d->args[4], (unsigned long long)d->args[5]);
}

/*
 * Runs every side on D and checks each against the policy's meaning. A
 * moat side must always agree. libseccomp sides: numbers moat's table does
 * not know are compared only when the unknown action is the default action
 * (libseccomp has no notion of "unknown"); a disagreement there is
 * libseccomp miscompiling (see test_libseccomp_miscompiles), counted in
 * ST->lsc_wrong and shown once per policy when MOAT_DIFF_VERBOSE is set.
 */
static void check_point(const struct ref *ref, const struct side *sides, size_t nsides,
			const bool *is_libseccomp, const struct moat_seccomp_data *d,
			struct stats *st, uint64_t seed, bool *lsc_wrong)
{
	enum ref_path path;
	uint32_t want = ref_eval(ref, d, &path);

	if (path == REF_RULE)
		st->rule_hits++;
	for (size_t s = 0; s < nsides; s++) {
		struct moat_sim_result r = { 0 };

		if (is_libseccomp[s] && path == REF_UNKNOWN &&
		    !moat_action_equal(ref->p->unknown_action, ref->p->default_action))
			continue;
		if (is_libseccomp[s] && podman_excluded && lsc_unknown_here(ref, d))
			continue;
		int err = moat_sim_run(&sides[s].prog, d, &r);
		st->runs++;
		if (err)
			fail_msg("seed %llu: %s: moat_sim_run failed (%d)",
				 (unsigned long long)seed, sides[s].name, err);
		st->compared++;
		if (r.ret == want)
			continue;
		if (!is_libseccomp[s]) {
			report_mismatch(ref, &sides[s], d, r.ret, want, path, seed);
			fail_msg("seed %llu: %s disagrees with the policy",
				 (unsigned long long)seed, sides[s].name);
		}
		st->lsc_wrong_points++;
		if (!*lsc_wrong && getenv("MOAT_DIFF_VERBOSE"))
			report_mismatch(ref, &sides[s], d, r.ret, want, path, seed);
		*lsc_wrong = true;
	}
}

/* Every number 0..SWEEP_MAX of every ABI (and a foreign one), with arguments. */
static void sweep(const struct gen *g, const struct moat_policy *p, const struct side *sides,
		  size_t nsides, const bool *is_libseccomp, struct stats *st, uint64_t seed)
{
	static const struct {
		uint32_t audit, base;
	} abis[] = {
		{ AUDIT_ARCH_X86_64, 0 }, { AUDIT_ARCH_X86_64, MOAT_X32_SYSCALL_BIT },
		{ AUDIT_ARCH_I386, 0 },	  { AUDIT_ARCH_AARCH64, 0 },
		{ AUDIT_ARCH_ARM, 0 },
	};
	struct ref ref;
	bool lsc_wrong = false;

	ref_init(&ref, p);
	for (size_t i = 0; i < ARRAY_LEN(abis); i++) {
		for (uint32_t n = 0; n <= SWEEP_MAX; n++) {
			uint32_t nr = abis[i].base + n;
			int arch = arch_of(&ref, abis[i].audit, nr);
			struct moat_seccomp_data d = { .nr = (int32_t)nr, .arch = abis[i].audit };
			bool ruled = false;

			if (arch < 0 && n > 16)
				continue; /* another ABI: a few numbers are enough */
			for (size_t r = 0; arch >= 0 && r < p->nrules; r++)
				ruled |= ref.rules[r].nr[arch] == (int64_t)nr;
			int vectors = ruled ? (g->vectors ? g->vectors : 96) : 1;
			for (int v = 0; v < vectors; v++) {
				gen_args(g, p, &ref, arch, nr, d.args);
				d.instruction_pointer = rnd();
				check_point(&ref, sides, nsides, is_libseccomp, &d, st, seed,
					    &lsc_wrong);
			}
		}
	}
	/* Numbers far outside every table, -1 (a tracer's "skip") included. */
	static const uint32_t odd[] = { 0x3fffffff, 0x7fffffff, 0x80000000, 0xfffffffe,
					0xffffffff };
	for (size_t i = 0; i < ARRAY_LEN(abis); i++) {
		for (size_t k = 0; k < ARRAY_LEN(odd); k++) {
			struct moat_seccomp_data d = { .nr = (int32_t)odd[k],
						       .arch = abis[i].audit };

			gen_args(g, p, &ref, -1, odd[k], d.args);
			check_point(&ref, sides, nsides, is_libseccomp, &d, st, seed, &lsc_wrong);
		}
	}
	ref_free(&ref);
	if (lsc_wrong) {
		st->lsc_wrong_policies++;
		if (st->lsc_wrong_policies <= 10)
			printf("# seed %llu: libseccomp miscompiled this policy\n",
			       (unsigned long long)seed);
	}
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);
	return s && *s ? strtoull(s, NULL, 0) : def;
}

/* moat's programs for P at the optimize levels in OPTS (linear when < 0). */
static int moat_build(const struct moat_policy *p, int optimize, struct moat_prog *out)
{
	struct moat_compile_opts opts = { .optimize = optimize < 0 ? 1 : optimize,
					  .linear = optimize < 0 };
	struct moat_prog *prog = NULL;
	struct moat_diags diags;
	int err;

	moat_diags_init(&diags);
	err = moat_compile(p, &opts, &prog, &diags);
	for (size_t i = 0; err && i < diags.n; i++)
		printf("# moat_compile: %s\n", diags.v[i].msg);
	moat_diags_free(&diags);
	if (err)
		return err;
	/* moat_prog_check: what moat emits, the kernel accepts. */
	err = moat_prog_check(prog);
	if (!err)
		*out = *prog;
	else
		moat_prog_free(prog);
	free(err ? NULL : prog); /* the struct itself; insns and origin now belong to OUT */
	return err;
}

static void side_release(struct side *s, bool is_libseccomp)
{
	if (is_libseccomp) {
		lsc_prog_release(&s->prog);
	} else {
		free(s->prog.insns);
		free(s->prog.origin);
		s->prog = (struct moat_prog){ 0 };
	}
}

/*
 * Builds the sides for P: libseccomp -O1 and -O2 (skipped when libseccomp
 * hangs), moat -O1 and -O2, and moat -O0 and --linear when ALL_MOAT.
 * Returns the number of sides.
 */
static size_t build_sides(const struct moat_policy *p, bool all_moat, unsigned lsc_timeout_ms,
			  struct side *sides, bool *is_lsc, struct stats *st, uint64_t seed)
{
	static const struct {
		const char *name;
		bool lsc;
		int level;
	} kinds[] = {
		{ "libseccomp -O1", true, 1 }, { "libseccomp -O2", true, 2 },
		{ "moat -O1", false, 1 },      { "moat -O2", false, 2 },
		{ "moat -O0", false, 0 },      { "moat --linear", false, -1 },
	};
	size_t n = 0;

	for (size_t k = 0; k < ARRAY_LEN(kinds); k++) {
		int err;

		if (k >= 4 && !all_moat)
			break;
		sides[n] = (struct side){ kinds[k].name, { 0 } };
		is_lsc[n] = kinds[k].lsc;
		if (kinds[k].lsc) {
			err = lsc_build_guarded(p, kinds[k].level, &sides[n].prog, lsc_timeout_ms);
			if (err == -ETIMEDOUT) {
				printf("# seed %llu: %s did not return: skipped\n",
				       (unsigned long long)seed, kinds[k].name);
				st->lsc_hangs++;
				continue;
			}
		} else {
			err = moat_build(p, kinds[k].level, &sides[n].prog);
		}
		if (err) {
			dump_policy(p);
			fail_msg("seed %llu: %s refused the policy (%d)", (unsigned long long)seed,
				 kinds[k].name, err);
		}
		n++;
	}
	return n;
}

/*
 * Random policies: moat (-O1, -O2; -O0 and --linear on every 5th) and
 * libseccomp (-O1, -O2) against the policy's meaning. moat must agree on
 * every point; libseccomp's disagreements are its miscompiles (counted).
 * MOAT_DIFF_POLICIES, MOAT_DIFF_SEED and MOAT_DIFF_MAX_CMPS change the run.
 */
static void test_random_policies(void **state)
{
	uint64_t n = env_u64("MOAT_DIFF_POLICIES", DEFAULT_POLICIES);
	uint64_t seed0 = env_u64("MOAT_DIFF_SEED", 1);
	struct stats st = { 0 };

	for (uint64_t i = 0; i < n; i++) {
		uint64_t seed = seed0 + i;
		/* A third each with at most 1, 2 and 3 comparisons per rule. */
		struct gen g = { .max_cmps = (uint32_t)env_u64("MOAT_DIFF_MAX_CMPS", 1 + i % 3) };
		struct side sides[6];
		bool is_lsc[6];

		rng_state = seed;
		struct moat_policy *p = gen_policy(&g);
		/* libseccomp compiles these in a few ms; its hangs never end. */
		size_t nsides = build_sides(p, i % 5 == 0, 300, sides, is_lsc, &st, seed);

		sweep(&g, p, sides, nsides, is_lsc, &st, seed);
		for (size_t s = 0; s < nsides; s++)
			side_release(&sides[s], is_lsc[s]);
		moat_policy_free(p);
		st.policies++;
	}
	printf("# %llu policies, %llu simulator runs, %llu comparisons, %llu decided by a rule\n"
	       "# libseccomp: hung on %llu policies, miscompiled %llu (%llu points)\n",
	       (unsigned long long)st.policies, (unsigned long long)st.runs,
	       (unsigned long long)st.compared, (unsigned long long)st.rule_hits,
	       (unsigned long long)st.lsc_hangs, (unsigned long long)st.lsc_wrong_policies,
	       (unsigned long long)st.lsc_wrong_points);
	/* The generator must exercise rules, not only defaults. */
	assert_true(st.rule_hits > st.policies * 50);
}

/*
 * Podman's default profile (the containers-common package's seccomp.json),
 * through moat's OCI import, for x86_64 with x32 and i386, every capability
 * off (the profile's default for an unprivileged container).
 */
static void test_podman_profile(void **state)
{
	const char *path = "/usr/share/containers/seccomp.json";
	struct moat_oci_opts oopts = { .host_arch_only = true };
	struct moat_policy *p = NULL;
	struct moat_diags diags;
	struct stats st = { 0 };
	struct side sides[6];
	bool is_lsc[6];

	if (access(path, R_OK)) {
		skip(); /* containers-common is not installed */
		return;
	}
	moat_diags_init(&diags);
	int err = moat_policy_load(path, NULL, &oopts, &p, &diags);
	moat_diags_free(&diags);
	assert_int_equal(err, 0);
	printf("# Podman: %zu rules, arches 0x%x\n", p->nrules, moat_policy_arches(p));

	struct gen g = { .vectors = 24,
			 .narrow = (p->arches & (MOAT_ARCH_BIT(MOAT_ARCH_I386) |
						 MOAT_ARCH_BIT(MOAT_ARCH_X32))) != 0 };
	rng_state = 42;
	size_t nsides = build_sides(p, true, 5000, sides, is_lsc, &st, 42);
	assert_int_equal(nsides, 6);
	/*
	 * Rules for syscalls libseccomp 2.5.4 does not know are dropped by it:
	 * a different meaning on those numbers, not compared for libseccomp.
	 * Same for i386 socketcall and ipc, which libseccomp rewrites.
	 */
	podman_excluded = p;
	sweep(&g, p, sides, nsides, is_lsc, &st, 42);
	podman_excluded = NULL;
	for (size_t s = 0; s < nsides; s++)
		side_release(&sides[s], is_lsc[s]);
	printf("# %llu simulator runs, %llu decided by a rule, libseccomp wrong on %llu points\n",
	       (unsigned long long)st.runs, (unsigned long long)st.rule_hits,
	       (unsigned long long)st.lsc_wrong_points);
	assert_true(st.rule_hits > 1000);
	moat_policy_free(p);
}

/*
 * Why libseccomp disagreements are counted and not failed on: libseccomp
 * 2.5.4 miscompiles some rule sets. Minimised from a random policy: after
 * `ld arg1.lo` on one path it jumps into code that compares the
 * accumulator with arg1's high word. The simulator says what the program
 * does, the kernel confirms it, the policy means something else.
 */
static void test_libseccomp_miscompiles(void **state)
{
	struct moat_policy *p = moat_policy_new();
	const struct moat_loc loc = { 0 };
	const struct moat_action trap = { MOAT_ACT_TRAP, 0 };
	const struct moat_cmp c1 = { .arg = 2, .op = MOAT_OP_NE, .value = 0xffffffff };
	const struct moat_cmp c2 = { .arg = 1, .op = MOAT_OP_LT, .value = 0x1ccbe1fe7fffffffull };
	const struct moat_cmp c3 = { .arg = 1, .op = MOAT_OP_GE, .value = 0x4f9eee6a80000001ull };
	const uint64_t args[6] = { 0, 0x1ccbe1feffffffffull, 0xffffffff };
	struct moat_prog prog;
	struct moat_sim_result r = { 0 };
	struct outcome o, want;
	struct ref ref;
	enum ref_path path;

	assert_non_null(p);
	p->arches = MOAT_ARCH_BIT(MOAT_ARCH_X86_64);
	/* Default allow: the child can still exit normally after the test syscall. */
	p->default_action = (struct moat_action){ MOAT_ACT_ALLOW, 0 };
	assert_int_equal(moat_policy_add_rule(p, "getppid", trap, &c1, 1, loc, NULL), 0);
	assert_int_equal(moat_policy_add_rule(p, "getppid", trap, &c2, 1, loc, NULL), 0);
	assert_int_equal(moat_policy_add_rule(p, "getppid", trap, &c3, 1, loc, NULL), 0);

	struct moat_seccomp_data d = { .nr = __NR_getppid, .arch = AUDIT_ARCH_X86_64 };
	memcpy(d.args, args, sizeof(args));
	ref_init(&ref, p);
	/* No rule holds: arg2 is 0xffffffff, arg1 is neither below nor at/above the bounds. */
	assert_int_equal(ref_eval(&ref, &d, &path), SECCOMP_RET_ALLOW);
	ref_free(&ref);

	assert_int_equal(lsc_build(p, 1, &prog, NULL), 0);
	assert_int_equal(moat_sim_run(&prog, &d, &r), 0);
	if (r.ret == SECCOMP_RET_ALLOW) {
		/* A libseccomp without the bug: nothing to explain any more. */
		printf("# libseccomp compiles this policy correctly now\n");
	} else {
		assert_int_equal(r.ret, SECCOMP_RET_TRAP);
	}
	/* Whatever the simulator says, the kernel does. */
	want = outcome_of(r.ret);
	assert_int_equal(kernel_run(&prog, args, &o), 0);
	assert_true(outcome_equal(&want, &o));
	lsc_prog_release(&prog);
	moat_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_policies),
		cmocka_unit_test(test_podman_profile),
		cmocka_unit_test_setup_teardown(test_libseccomp_miscompiles, setup_shm,
						teardown_shm),
	};
	return MOAT_RUN_TESTS(tests);
}
