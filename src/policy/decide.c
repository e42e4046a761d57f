// SPDX-License-Identifier: MIT
/*
 * The policy's semantics evaluated directly on the model (no BPF): which
 * rule decides a syscall, shared by explain, check and run's reports. The compiled program merges rules with the same
 * verdict into one ret; this names the exact one.
 */
#include "moat/policy.h"

bool moat_cmp_holds(const struct moat_cmp *c, uint64_t x)
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
	default:
		return false;
	}
}

long moat_policy_deciding_rule(const struct moat_policy *p, enum moat_arch arch, uint32_t nr,
			       const uint64_t args[6])
{
	for (size_t r = 0; r < p->nrules; r++) {
		const struct moat_rule *rule = &p->rules[r];
		bool match = true;
		uint32_t rnr;

		if (moat_syscall_parse(arch, rule->syscall, &rnr))
			continue;
		if (arch == MOAT_ARCH_X32 && rnr < MOAT_X32_SYSCALL_BIT)
			rnr |= MOAT_X32_SYSCALL_BIT;
		if (rnr != nr)
			continue;
		for (uint32_t j = 0; j < rule->ncmps && match; j++) {
			uint64_t x = args[rule->cmps[j].arg];

			/* i386 syscalls use the low 32 bits of each register. */
			if (arch == MOAT_ARCH_I386)
				x &= 0xffffffffu;
			match = moat_cmp_holds(&rule->cmps[j], x);
		}
		if (match)
			return (long)r;
	}
	return -1;
}
