// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: bytes -> a policy (arches, actions, rules with random
 * comparisons) -> moat_compile. A compiled program must pass the kernel's
 * checks (moat_prog_check) and give, on the simulator, the verdict the
 * policy's semantics give (moat_policy_deciding_rule + defaults) for
 * syscalls and arguments also taken from the input.
 */
#include <errno.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moat/compile.h"

struct in {
	const uint8_t *d;
	size_t n, pos;
};

static uint64_t take(struct in *in, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | (in->pos < in->n ? in->d[in->pos++] : 0);
	return v;
}

static struct moat_action action(struct in *in)
{
	struct moat_action a = { (uint32_t)(take(in, 1) % MOAT_ACT__COUNT), 0 };

	if (a.kind == MOAT_ACT_ERRNO || a.kind == MOAT_ACT_TRACE)
		a.data = (uint32_t)(take(in, 1) % 40);
	return a;
}

/* Values that hit boundaries often: small numbers, 32-bit edges, all ones. */
static uint64_t value(struct in *in)
{
	static const uint64_t v[] = { 0,
				      1,
				      2,
				      0xff,
				      0xffffffffull,
				      0x100000000ull,
				      0x100000001ull,
				      UINT64_MAX,
				      0x8000000000000000ull };
	uint8_t b = (uint8_t)take(in, 1);

	return b < 200 ? v[b % 9] : take(in, 8);
}

static uint32_t expected(const struct moat_policy *p, uint32_t audit, uint32_t nr,
			 const uint64_t *args, uint32_t notify)
{
	uint32_t arches = moat_policy_arches(p);
	struct moat_action a = p->badarch_action;
	int arch = -1;

	if (audit == AUDIT_ARCH_X86_64) {
		if (nr >= MOAT_X32_SYSCALL_BIT && (arches & MOAT_ARCH_BIT(MOAT_ARCH_X32)))
			arch = MOAT_ARCH_X32;
		else if (nr < MOAT_X32_SYSCALL_BIT && (arches & MOAT_ARCH_BIT(MOAT_ARCH_X86_64)))
			arch = MOAT_ARCH_X86_64;
		else if (nr == UINT32_MAX && (arches & MOAT_ARCH_BIT(MOAT_ARCH_X86_64)))
			a = p->unknown_action; /* -1: a tracer's skip */
	} else if (audit == AUDIT_ARCH_I386 && (arches & MOAT_ARCH_BIT(MOAT_ARCH_I386))) {
		arch = MOAT_ARCH_I386;
	} else if (audit == AUDIT_ARCH_AARCH64 && (arches & MOAT_ARCH_BIT(MOAT_ARCH_AARCH64))) {
		arch = MOAT_ARCH_AARCH64;
	}
	if (arch >= 0) {
		long r = moat_policy_deciding_rule(p, arch, nr, args);
		bool named = moat_syscall_name(arch, nr) != NULL;

		for (size_t i = 0; i < p->nrules && !named; i++) {
			uint32_t rnr;

			if (!moat_syscall_parse(arch, p->rules[i].syscall, &rnr))
				named = (arch == MOAT_ARCH_X32 ? rnr | MOAT_X32_SYSCALL_BIT
							       : rnr) == nr;
		}
		a = r >= 0 ? p->rules[r].action : named ? p->default_action : p->unknown_action;
	}
	return notify & (1u << a.kind) ? 0x7fc00000u /* USER_NOTIF */ : moat_action_ret(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size, 0 };
	struct moat_policy *p = moat_policy_new();
	struct moat_compile_opts opts = { 0 };
	struct moat_prog *prog = NULL;
	struct moat_diags diags;
	int nrules, err;

	if (!p)
		return 0;
	p->arches = (uint32_t)take(&in, 1) & 0xf;
	p->default_action = action(&in);
	p->unknown_action = action(&in);
	p->badarch_action = action(&in);
	opts.optimize = (int)(take(&in, 1) % 3);
	opts.linear = take(&in, 1) % 5 == 0;
	opts.notify_mask = take(&in, 1) % 4 == 0 ? (uint32_t)take(&in, 1) : 0;
	nrules = (int)(take(&in, 1) % 64);
	for (int r = 0; r < nrules && in.pos < in.n; r++) {
		struct moat_cmp c[4];
		uint64_t set[4][4];
		uint32_t nc = (uint32_t)(take(&in, 1) % 5);
		uint32_t sc = (uint32_t)take(&in, 2);
		const char *name;
		char buf[32];
		uint32_t nr;
		struct moat_loc loc = { "fuzz", (uint32_t)r + 1, 1 };

		/* Mostly real names close together; sometimes syscall_NNN. */
		if (sc % 8 == 0 || moat_syscall_at(MOAT_ARCH_X86_64, sc % 80, &name, &nr)) {
			snprintf(buf, sizeof(buf), "syscall_%u", sc % 1200);
			name = buf;
		}
		for (uint32_t j = 0; j < nc; j++) {
			memset(&c[j], 0, sizeof(c[j]));
			c[j].arg = (uint8_t)(take(&in, 1) % 6);
			c[j].op = (uint8_t)(take(&in, 1) % MOAT_OP__COUNT);
			c[j].value = value(&in);
			c[j].mask = value(&in);
			if (c[j].op == MOAT_OP_IN) {
				c[j].nset = 1 + (uint32_t)(take(&in, 1) % 4);
				for (uint32_t s = 0; s < c[j].nset; s++)
					set[j][s] = value(&in);
				c[j].set = set[j];
			}
		}
		if (moat_policy_add_rule(p, name, action(&in), c, nc, loc, NULL))
			break;
	}
	moat_diags_init(&diags);
	err = moat_compile(p, &opts, &prog, &diags);
	moat_diags_free(&diags);
	if (err) {
		/* Only these refusals are legitimate for a policy built this way. */
		if (err != -E2BIG && err != -EINVAL)
			abort();
		moat_policy_free(p);
		return 0;
	}
	if (moat_prog_check(prog))
		abort();
	for (int t = 0; t < 24; t++) {
		static const uint32_t audits[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386,
						   AUDIT_ARCH_AARCH64 };
		struct moat_seccomp_data d = { 0 };
		struct moat_sim_result res = { 0 };
		uint8_t sel = (uint8_t)take(&in, 1);

		d.arch = audits[sel % 3];
		d.nr = (int32_t)(take(&in, 2) % 1200);
		if (sel & 0x80)
			d.nr = (int32_t)((uint32_t)d.nr | MOAT_X32_SYSCALL_BIT);
		if ((sel & 0x70) == 0x70)
			d.nr = -1;
		for (int k = 0; k < 6; k++)
			d.args[k] = value(&in);
		if (moat_sim_run(prog, &d, &res))
			abort();
		if (res.ret != expected(p, d.arch, (uint32_t)d.nr, d.args, opts.notify_mask)) {
			if (getenv("FUZZ_DEBUG"))
				fprintf(stderr, "arch %#x nr %#x: %#x, expected %#x (arches %#x)\n",
					d.arch, d.nr, res.ret,
					expected(p, d.arch, (uint32_t)d.nr, d.args,
						 opts.notify_mask),
					p->arches);
			abort();
		}
	}
	moat_prog_free(prog);
	moat_policy_free(p);
	return 0;
}
