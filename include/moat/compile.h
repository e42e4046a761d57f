/* SPDX-License-Identifier: MIT */
/*
 * Where a rule becomes BPF: policy -> classic BPF seccomp program
 * (src/compile/), plus the simulator and disassembler used by explain,
 * check, diff and the tests.
 */
#ifndef MOAT_COMPILE_H
#define MOAT_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "moat/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Same layout as struct sock_filter, so a program can be handed to the kernel. */
struct moat_insn {
	uint16_t code;
	uint8_t jt;
	uint8_t jf;
	uint32_t k;
};

/* Where a `ret` instruction's verdict comes from, for explain. */
enum moat_origin_kind {
	MOAT_ORIGIN_NONE = 0, /* not a ret */
	MOAT_ORIGIN_RULE,     /* rules[rule] of the policy */
	MOAT_ORIGIN_DEFAULT,
	MOAT_ORIGIN_UNKNOWN,
	MOAT_ORIGIN_BADARCH,
	MOAT_ORIGIN_X32, /* x32 number on x86_64 without x32 in the policy */
};

struct moat_origin {
	uint32_t kind; /* enum moat_origin_kind */
	uint32_t rule; /* index into policy->rules for MOAT_ORIGIN_RULE */
};

struct moat_prog {
	struct moat_insn *insns;
	size_t len;
	struct moat_origin *origin; /* len entries, one per instruction */
};

struct moat_compile_opts {
	int optimize; /* 0: no passes, 1: default, 2: everything */
	bool linear;  /* a linear chain instead of a tree (bench: what the tree buys) */
	/*
	 * When set, every action in ROUTE_MASK (bits 1 << MOAT_ACT_*) is compiled
	 * as SECCOMP_RET_USER_NOTIF instead, so that `moat run` can report it; the
	 * origin table still says which rule decided.
	 */
	uint32_t notify_mask;
};

/* 0, or -EINVAL (invalid policy), -E2BIG (over 4096 insns; DIAGS names the costliest rules). */
int moat_compile(const struct moat_policy *p, const struct moat_compile_opts *opts,
		 struct moat_prog **out, struct moat_diags *diags);
void moat_prog_free(struct moat_prog *prog);

/* What the kernel hands a filter (struct seccomp_data). */
struct moat_seccomp_data {
	int32_t nr;
	uint32_t arch;
	uint64_t instruction_pointer;
	uint64_t args[6];
};

struct moat_sim_result {
	uint32_t ret;	 /* SECCOMP_RET_* word */
	size_t executed; /* instructions executed */
	size_t ret_pc;	 /* index of the ret that decided */
	/* Optional trace: when trace != NULL, up to trace_cap pcs are stored. */
	size_t *trace;
	size_t trace_cap;
	size_t trace_len;
};

/*
 * Runs PROG on D as the kernel would (classic BPF, seccomp's opcode subset).
 * 0, or -EINVAL for a program the kernel would refuse (bad opcode, jump
 * out of range, no ret, misaligned or out-of-range load).
 */
int moat_sim_run(const struct moat_prog *prog, const struct moat_seccomp_data *d,
		 struct moat_sim_result *res);
/*
 * The same, for a program run many times (diff, stats, the supervisor):
 * moat_sim_prepare checks PROG once (0, -EINVAL as above, -ENOMEM) and keeps
 * a copy of its instructions, so that later changes to PROG do not reach
 * what was checked; moat_sim_exec runs that copy. The type is opaque: only
 * a checked program can be run. PROG's origin table is not copied.
 */
struct moat_sim_prog;
int moat_sim_prepare(const struct moat_prog *prog, struct moat_sim_prog **out);
int moat_sim_exec(const struct moat_sim_prog *sp, const struct moat_seccomp_data *d,
		  struct moat_sim_result *res);
void moat_sim_prog_free(struct moat_sim_prog *sp);
/*
 * The kernel's (5.11+) action cache check: does PROG return ALLOW for
 * (ARCH, NR) whatever the arguments, along a path the kernel can prove that
 * for? True means the syscall costs ~0 in the filter.
 */
bool moat_sim_cache_allows(const struct moat_prog *prog, uint32_t arch, uint32_t nr);
/* Checks PROG as seccomp_check_filter would. 0 or -EINVAL. */
int moat_prog_check(const struct moat_prog *prog);
/* Readable assembly, malloc'd into *out. 0 or -ENOMEM. */
int moat_disasm(const struct moat_prog *prog, char **out);

#ifdef __cplusplus
}
#endif
#endif
