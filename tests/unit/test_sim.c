// SPDX-License-Identifier: MIT
/*
 * The simulator, checker, cache analysis and disassembler on hand-written
 * programs whose results are worked out by hand; then the same programs in
 * the real kernel (forked children, prctl(NO_NEW_PRIVS) + seccomp()), where
 * the outcome of a real syscall must be what the simulator's verdict says.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "moat/compile.h"
#include "kernel_run.h"
#include "testutil.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define STMT(c, k)                                 \
	{                                          \
		(uint16_t)(c), 0, 0, (uint32_t)(k) \
	}
#define JUMP(c, k, t, f)                               \
	{                                              \
		(uint16_t)(c), (t), (f), (uint32_t)(k) \
	}
#define PROG(arr)                                               \
	{                                                       \
		(struct moat_insn *)(arr), ARRAY_LEN(arr), NULL \
	}

/* Offsets in struct seccomp_data (little-endian x86_64). */
#define OFF_NR 0
#define OFF_ARCH 4
#define OFF_IP_LO 8
#define OFF_IP_HI 12
#define OFF_ARG_LO(n) (16 + 8 * (n))
#define OFF_ARG_HI(n) (20 + 8 * (n))

#define RET_ALLOW SECCOMP_RET_ALLOW
#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | (e))
#define RET_TRAP(d) (SECCOMP_RET_TRAP | (d))

/* ---- Programs with known results: every opcode the kernel runs. ---- */

struct sim_case {
	const char *name;
	struct moat_insn insns[24];
	size_t len;
	uint64_t args[6];
	uint32_t want; /* the ret word, worked out by hand */
	size_t want_executed;
};

/*
 * "A must now equal V": jeq #V -> ret ALLOW, else ret TRAP(A & 0xffff) so
 * that a wrong value is visible in the kernel too. 5 instructions.
 */
#define EXPECT_A(v)                                                                          \
	JUMP(BPF_JMP | BPF_JEQ | BPF_K, (v), 3, 0), STMT(BPF_ALU | BPF_AND | BPF_K, 0xffff), \
		STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_TRAP), STMT(BPF_RET | BPF_A, 0),  \
		STMT(BPF_RET | BPF_K, RET_ALLOW)

#define LD(off) STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define ALU_K(op, k) STMT(BPF_ALU | (op) | BPF_K, (k))
#define ALU_X(op) STMT(BPF_ALU | (op) | BPF_X, 0)
#define LDX_IMM(k) STMT(BPF_LDX | BPF_IMM, (k))

static const struct sim_case sim_cases[] = {
	{ "A and X start at zero",
	  { STMT(BPF_MISC | BPF_TXA, 0), EXPECT_A(0) },
	  6,
	  { 0 },
	  RET_ALLOW,
	  3 },
	{ "A starts at zero", { EXPECT_A(0) }, 5, { 0 }, RET_ALLOW, 2 },
	{ "ld arg0.lo",
	  { LD(OFF_ARG_LO(0)), EXPECT_A(0x89abcdef) },
	  6,
	  { 0x0123456789abcdefull },
	  RET_ALLOW,
	  3 },
	{ "ld arg0.hi",
	  { LD(OFF_ARG_HI(0)), EXPECT_A(0x01234567) },
	  6,
	  { 0x0123456789abcdefull },
	  RET_ALLOW,
	  3 },
	{ "ld arg5.hi",
	  { LD(OFF_ARG_HI(5)), EXPECT_A(0xfffffffe) },
	  6,
	  { 0, 0, 0, 0, 0, 0xfffffffe00000001ull },
	  RET_ALLOW,
	  3 },
	{ "ld arg3.lo", { LD(OFF_ARG_LO(3)), EXPECT_A(7) }, 6, { 0, 0, 0, 7 }, RET_ALLOW, 3 },
	{ "ld #len", { STMT(BPF_LD | BPF_W | BPF_LEN, 0), EXPECT_A(64) }, 6, { 0 }, RET_ALLOW, 3 },
	{ "ldx #len",
	  { STMT(BPF_LDX | BPF_W | BPF_LEN, 0), STMT(BPF_MISC | BPF_TXA, 0), EXPECT_A(64) },
	  7,
	  { 0 },
	  RET_ALLOW,
	  4 },
	{ "ld #imm",
	  { STMT(BPF_LD | BPF_IMM, 0xdeadbeef), EXPECT_A(0xdeadbeef) },
	  6,
	  { 0 },
	  RET_ALLOW,
	  3 },
	{ "ldx #imm, txa",
	  { LDX_IMM(0x1234), STMT(BPF_MISC | BPF_TXA, 0), EXPECT_A(0x1234) },
	  7,
	  { 0 },
	  RET_ALLOW,
	  4 },
	{ "tax",
	  { LD(OFF_ARG_LO(1)), STMT(BPF_MISC | BPF_TAX, 0), STMT(BPF_LD | BPF_IMM, 0),
	    STMT(BPF_MISC | BPF_TXA, 0), EXPECT_A(42) },
	  9,
	  { 0, 42 },
	  RET_ALLOW,
	  6 },
	{ "st, ld M[]",
	  { LD(OFF_ARG_LO(0)), STMT(BPF_ST, 3), STMT(BPF_LD | BPF_IMM, 0),
	    STMT(BPF_LD | BPF_MEM, 3), EXPECT_A(99) },
	  9,
	  { 99 },
	  RET_ALLOW,
	  6 },
	{ "stx, ldx M[]",
	  { LDX_IMM(77), STMT(BPF_STX, 15), LDX_IMM(0), STMT(BPF_LDX | BPF_MEM, 15),
	    STMT(BPF_MISC | BPF_TXA, 0), EXPECT_A(77) },
	  10,
	  { 0 },
	  RET_ALLOW,
	  7 },
	{ "add #k wraps",
	  { LD(OFF_ARG_LO(0)), ALU_K(BPF_ADD, 0x10), EXPECT_A(0xf) },
	  7,
	  { 0xffffffffull },
	  RET_ALLOW,
	  4 },
	{ "add x",
	  { LD(OFF_ARG_LO(0)), LDX_IMM(5), ALU_X(BPF_ADD), EXPECT_A(0x15) },
	  8,
	  { 0x10 },
	  RET_ALLOW,
	  5 },
	{ "sub #k wraps",
	  { LD(OFF_ARG_LO(0)), ALU_K(BPF_SUB, 3), EXPECT_A(0xfffffffe) },
	  7,
	  { 1 },
	  RET_ALLOW,
	  4 },
	{ "sub x",
	  { LD(OFF_ARG_LO(0)), LDX_IMM(3), ALU_X(BPF_SUB), EXPECT_A(7) },
	  8,
	  { 10 },
	  RET_ALLOW,
	  5 },
	{ "mul #k is 32-bit",
	  { LD(OFF_ARG_LO(0)), ALU_K(BPF_MUL, 0x10000), EXPECT_A(0x56780000) },
	  7,
	  { 0x12345678 },
	  RET_ALLOW,
	  4 },
	{ "mul x",
	  { LD(OFF_ARG_LO(0)), LDX_IMM(6), ALU_X(BPF_MUL), EXPECT_A(42) },
	  8,
	  { 7 },
	  RET_ALLOW,
	  5 },
	{ "div #k is unsigned",
	  { LD(OFF_ARG_LO(0)), ALU_K(BPF_DIV, 2), EXPECT_A(0x7fffffff) },
	  7,
	  { 0xfffffffe },
	  RET_ALLOW,
	  4 },
	{ "div x",
	  { LD(OFF_ARG_LO(0)), LDX_IMM(7), ALU_X(BPF_DIV), EXPECT_A(14) },
	  8,
	  { 100 },
	  RET_ALLOW,
	  5 },
	/* The kernel turns division by a zero X into "return 0" (KILL_THREAD). */
	{ "div by zero x returns 0",
	  { LD(OFF_ARG_LO(0)), ALU_X(BPF_DIV), EXPECT_A(0) },
	  7,
	  { 100 },
	  0,
	  2 },
	{ "and #k",
	  { LD(OFF_ARG_LO(0)), ALU_K(BPF_AND, 0xf0f0), EXPECT_A(0x1030) },
	  7,
	  { 0x1234 },
	  RET_ALLOW,
	  4 },
	{ "and x",
	  { LD(OFF_ARG_LO(0)), LDX_IMM(0xff), ALU_X(BPF_AND), EXPECT_A(0x34) },
	  8,
	  { 0x1234 },
	  RET_ALLOW,
	  5 },
	{ "or #k",
	  { LD(OFF_ARG_LO(0)), ALU_K(BPF_OR, 0x0f00), EXPECT_A(0x1f34) },
	  7,
	  { 0x1234 },
	  RET_ALLOW,
	  4 },
	{ "or x",
	  { LD(OFF_ARG_LO(0)), LDX_IMM(1), ALU_X(BPF_OR), EXPECT_A(0x1235) },
	  8,
	  { 0x1234 },
	  RET_ALLOW,
	  5 },
	{ "xor #k",
	  { LD(OFF_ARG_LO(0)), ALU_K(BPF_XOR, 0xffff), EXPECT_A(0xedcb) },
	  7,
	  { 0x1234 },
	  RET_ALLOW,
	  4 },
	{ "xor x",
	  { LD(OFF_ARG_LO(0)), LDX_IMM(0x1234), ALU_X(BPF_XOR), EXPECT_A(0) },
	  8,
	  { 0x1234 },
	  RET_ALLOW,
	  5 },
	{ "lsh #k",
	  { LD(OFF_ARG_LO(0)), ALU_K(BPF_LSH, 4), EXPECT_A(0x23456780) },
	  7,
	  { 0x12345678 },
	  RET_ALLOW,
	  4 },
	{ "lsh x",
	  { LD(OFF_ARG_LO(0)), LDX_IMM(31), ALU_X(BPF_LSH), EXPECT_A(0x80000000) },
	  8,
	  { 3 },
	  RET_ALLOW,
	  5 },
	/* eBPF 32-bit shifts take the count modulo 32: x = 33 shifts by 1. */
	{ "lsh x >= 32 wraps the count",
	  { LD(OFF_ARG_LO(0)), LDX_IMM(33), ALU_X(BPF_LSH), EXPECT_A(6) },
	  8,
	  { 3 },
	  RET_ALLOW,
	  5 },
	{ "rsh #k",
	  { LD(OFF_ARG_LO(0)), ALU_K(BPF_RSH, 28), EXPECT_A(0xf) },
	  7,
	  { 0xf0000000 },
	  RET_ALLOW,
	  4 },
	{ "rsh x is logical",
	  { LD(OFF_ARG_LO(0)), LDX_IMM(1), ALU_X(BPF_RSH), EXPECT_A(0x40000000) },
	  8,
	  { 0x80000000 },
	  RET_ALLOW,
	  5 },
	{ "neg",
	  { LD(OFF_ARG_LO(0)), STMT(BPF_ALU | BPF_NEG, 0), EXPECT_A(0xfffffffb) },
	  7,
	  { 5 },
	  RET_ALLOW,
	  4 },
	/* Jumps: each returns ERRNO(1) when taken, ERRNO(2) otherwise. */
	{ "jeq #k taken",
	  { LD(OFF_ARG_LO(0)), JUMP(BPF_JMP | BPF_JEQ | BPF_K, 5, 0, 1),
	    STMT(BPF_RET | BPF_K, RET_ERRNO(1)), STMT(BPF_RET | BPF_K, RET_ERRNO(2)) },
	  4,
	  { 5 },
	  RET_ERRNO(1),
	  3 },
	{ "jeq #k sees the low word",
	  { LD(OFF_ARG_LO(0)), JUMP(BPF_JMP | BPF_JEQ | BPF_K, 5, 0, 1),
	    STMT(BPF_RET | BPF_K, RET_ERRNO(1)), STMT(BPF_RET | BPF_K, RET_ERRNO(2)) },
	  4,
	  { 0x100000005ull },
	  RET_ERRNO(1),
	  3 },
	{ "jeq #k false",
	  { LD(OFF_ARG_LO(0)), JUMP(BPF_JMP | BPF_JEQ | BPF_K, 5, 0, 1),
	    STMT(BPF_RET | BPF_K, RET_ERRNO(1)), STMT(BPF_RET | BPF_K, RET_ERRNO(2)) },
	  4,
	  { 6 },
	  RET_ERRNO(2),
	  3 },
	/* Unsigned comparisons, also for constants with the top bit set. */
	{ "jgt #k unsigned",
	  { LD(OFF_ARG_LO(0)), JUMP(BPF_JMP | BPF_JGT | BPF_K, 0x7fffffff, 0, 1),
	    STMT(BPF_RET | BPF_K, RET_ERRNO(1)), STMT(BPF_RET | BPF_K, RET_ERRNO(2)) },
	  4,
	  { 0x80000000 },
	  RET_ERRNO(1),
	  3 },
	{ "jgt #k equal is false",
	  { LD(OFF_ARG_LO(0)), JUMP(BPF_JMP | BPF_JGT | BPF_K, 0x80000000, 0, 1),
	    STMT(BPF_RET | BPF_K, RET_ERRNO(1)), STMT(BPF_RET | BPF_K, RET_ERRNO(2)) },
	  4,
	  { 0x80000000 },
	  RET_ERRNO(2),
	  3 },
	{ "jge #k top bit",
	  { LD(OFF_ARG_LO(0)), JUMP(BPF_JMP | BPF_JGE | BPF_K, 0xfffffff0, 0, 1),
	    STMT(BPF_RET | BPF_K, RET_ERRNO(1)), STMT(BPF_RET | BPF_K, RET_ERRNO(2)) },
	  4,
	  { 0xfffffff0 },
	  RET_ERRNO(1),
	  3 },
	{ "jge #k below",
	  { LD(OFF_ARG_LO(0)), JUMP(BPF_JMP | BPF_JGE | BPF_K, 0xfffffff0, 0, 1),
	    STMT(BPF_RET | BPF_K, RET_ERRNO(1)), STMT(BPF_RET | BPF_K, RET_ERRNO(2)) },
	  4,
	  { 0x7ffffff0 },
	  RET_ERRNO(2),
	  3 },
	{ "jset #k",
	  { LD(OFF_ARG_LO(0)), JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x10, 0, 1),
	    STMT(BPF_RET | BPF_K, RET_ERRNO(1)), STMT(BPF_RET | BPF_K, RET_ERRNO(2)) },
	  4,
	  { 0x11 },
	  RET_ERRNO(1),
	  3 },
	{ "jset #k clear",
	  { LD(OFF_ARG_LO(0)), JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x10, 0, 1),
	    STMT(BPF_RET | BPF_K, RET_ERRNO(1)), STMT(BPF_RET | BPF_K, RET_ERRNO(2)) },
	  4,
	  { 0x0f },
	  RET_ERRNO(2),
	  3 },
	{ "jeq x",
	  { LD(OFF_ARG_LO(1)), STMT(BPF_MISC | BPF_TAX, 0), LD(OFF_ARG_LO(0)),
	    JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1), STMT(BPF_RET | BPF_K, RET_ERRNO(1)),
	    STMT(BPF_RET | BPF_K, RET_ERRNO(2)) },
	  6,
	  { 9, 9 },
	  RET_ERRNO(1),
	  5 },
	{ "jgt x",
	  { LD(OFF_ARG_LO(1)), STMT(BPF_MISC | BPF_TAX, 0), LD(OFF_ARG_LO(0)),
	    JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 1), STMT(BPF_RET | BPF_K, RET_ERRNO(1)),
	    STMT(BPF_RET | BPF_K, RET_ERRNO(2)) },
	  6,
	  { 0xffffffff, 1 },
	  RET_ERRNO(1),
	  5 },
	{ "jge x",
	  { LD(OFF_ARG_LO(1)), STMT(BPF_MISC | BPF_TAX, 0), LD(OFF_ARG_LO(0)),
	    JUMP(BPF_JMP | BPF_JGE | BPF_X, 0, 0, 1), STMT(BPF_RET | BPF_K, RET_ERRNO(1)),
	    STMT(BPF_RET | BPF_K, RET_ERRNO(2)) },
	  6,
	  { 1, 2 },
	  RET_ERRNO(2),
	  5 },
	{ "jset x",
	  { LD(OFF_ARG_LO(1)), STMT(BPF_MISC | BPF_TAX, 0), LD(OFF_ARG_LO(0)),
	    JUMP(BPF_JMP | BPF_JSET | BPF_X, 0, 0, 1), STMT(BPF_RET | BPF_K, RET_ERRNO(1)),
	    STMT(BPF_RET | BPF_K, RET_ERRNO(2)) },
	  6,
	  { 6, 1 },
	  RET_ERRNO(2),
	  5 },
	{ "ja",
	  { STMT(BPF_JMP | BPF_JA, 2), STMT(BPF_RET | BPF_K, RET_ERRNO(1)),
	    STMT(BPF_RET | BPF_K, RET_ERRNO(2)), STMT(BPF_RET | BPF_K, RET_ERRNO(3)) },
	  4,
	  { 0 },
	  RET_ERRNO(3),
	  2 },
	{ "long jt",
	  { LD(OFF_ARG_LO(0)), JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 20, 0),
	    STMT(BPF_RET | BPF_K, RET_ERRNO(2)), [22] = STMT(BPF_RET | BPF_K, RET_ERRNO(9)) },
	  23,
	  { 1 },
	  RET_ERRNO(9),
	  3 },
	/* ret: the whole word is the verdict, data included. */
	{ "ret #k", { STMT(BPF_RET | BPF_K, RET_ERRNO(4095)) }, 1, { 0 }, RET_ERRNO(4095), 1 },
	{ "ret a",
	  { LD(OFF_ARG_LO(0)), STMT(BPF_RET | BPF_A, 0) },
	  2,
	  { RET_TRAP(0x1234) },
	  RET_TRAP(0x1234),
	  2 },
	{ "ret kill",
	  { STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS) },
	  1,
	  { 0 },
	  SECCOMP_RET_KILL_PROCESS,
	  1 },
	{ "ret allow with data",
	  { STMT(BPF_RET | BPF_K, RET_ALLOW | 7) },
	  1,
	  { 0 },
	  RET_ALLOW | 7,
	  1 },
	{ "ret trace",
	  { STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 3) },
	  1,
	  { 0 },
	  SECCOMP_RET_TRACE | 3,
	  1 },
	{ "ret log", { STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG) }, 1, { 0 }, SECCOMP_RET_LOG, 1 },
	{ "ret errno 0", { STMT(BPF_RET | BPF_K, RET_ERRNO(0)) }, 1, { 0 }, RET_ERRNO(0), 1 },
	{ "ret errno above 4095",
	  { STMT(BPF_RET | BPF_K, RET_ERRNO(5000)) },
	  1,
	  { 0 },
	  RET_ERRNO(5000),
	  1 },
	{ "ret unknown action", { STMT(BPF_RET | BPF_K, 0x00010000) }, 1, { 0 }, 0x00010000, 1 },
	/* nr and arch as the kernel fills them for getppid on x86_64. */
	{ "ld nr, ld arch",
	  { LD(OFF_ARCH), JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	    STMT(BPF_RET | BPF_K, RET_ERRNO(1)), LD(OFF_NR), EXPECT_A(__NR_getppid) },
	  9,
	  { 0 },
	  RET_ALLOW,
	  5 },
};

static void case_prog(const struct sim_case *c, struct moat_prog *p)
{
	p->insns = (struct moat_insn *)c->insns;
	p->len = c->len;
	p->origin = NULL;
}

static struct moat_seccomp_data case_data(const struct sim_case *c)
{
	struct moat_seccomp_data d = { .nr = __NR_getppid, .arch = AUDIT_ARCH_X86_64 };

	memcpy(d.args, c->args, sizeof(d.args));
	return d;
}

static void test_sim_cases(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(sim_cases); i++) {
		const struct sim_case *c = &sim_cases[i];
		struct moat_prog p;
		struct moat_seccomp_data d = case_data(c);
		struct moat_sim_result r = { 0 };

		case_prog(c, &p);
		if (moat_prog_check(&p) != 0)
			fail_msg("case '%s': refused by moat_prog_check", c->name);
		if (moat_sim_run(&p, &d, &r) != 0)
			fail_msg("case '%s': moat_sim_run failed", c->name);
		if (r.ret != c->want || r.executed != c->want_executed)
			fail_msg("case '%s': ret 0x%x executed %zu, want 0x%x executed %zu",
				 c->name, r.ret, r.executed, c->want, c->want_executed);
		assert_true(r.ret_pc < p.len);

		/* A prepared program runs the same way, twice in a row. */
		struct moat_sim_prog *sp = NULL;

		assert_int_equal(moat_sim_prepare(&p, &sp), 0);
		for (int k = 0; k < 2; k++) {
			struct moat_sim_result r2 = { 0 };

			if (moat_sim_exec(sp, &d, &r2) != 0)
				fail_msg("case '%s': moat_sim_exec failed", c->name);
			if (r2.ret != r.ret || r2.executed != r.executed || r2.ret_pc != r.ret_pc)
				fail_msg("case '%s': moat_sim_exec ret 0x%x, moat_sim_run 0x%x",
					 c->name, r2.ret, r.ret);
		}
		moat_sim_prog_free(sp);
	}
}

/* A prepared program is a copy: changing the original afterwards cannot make it run unchecked. */
static void test_sim_prepare_copies(void **state)
{
	struct moat_insn insns[] = { STMT(BPF_LD | BPF_IMM, 7), STMT(BPF_RET | BPF_A, 0) };
	struct moat_prog p = PROG(insns);
	struct moat_seccomp_data d = { 0 };
	struct moat_sim_result r = { 0 };
	struct moat_sim_prog *sp = NULL;

	assert_int_equal(moat_sim_prepare(&p, &sp), 0);
	/* Now invalid (the last instruction no longer a ret) and a different answer. */
	insns[1] = (struct moat_insn)STMT(BPF_LD | BPF_IMM, 9);
	insns[0] = (struct moat_insn)STMT(BPF_RET | BPF_K, 5);
	assert_int_equal(moat_sim_run(&p, &d, &r), -EINVAL);
	assert_int_equal(moat_sim_exec(sp, &d, &r), 0);
	assert_int_equal(r.ret, 7);
	assert_int_equal(r.executed, 2);
	moat_sim_prog_free(sp);
	moat_sim_prog_free(NULL);
	assert_int_equal(moat_sim_exec(NULL, &d, &r), -EINVAL);
	assert_int_equal(moat_sim_prepare(NULL, &sp), -EINVAL);
	assert_int_equal(moat_sim_prepare(&p, NULL), -EINVAL);
}

/* IP is part of seccomp_data too; the kernel's value is unknown, so sim only. */
static void test_sim_ip(void **state)
{
	struct moat_insn insns[] = { LD(OFF_IP_HI), STMT(BPF_MISC | BPF_TAX, 0), LD(OFF_IP_LO),
				     STMT(BPF_ALU | BPF_ADD | BPF_X, 0), STMT(BPF_RET | BPF_A, 0) };
	struct moat_prog p = PROG(insns);
	struct moat_seccomp_data d = { .instruction_pointer = 0x0000000700000030ull };
	struct moat_sim_result r = { 0 };

	assert_int_equal(moat_sim_run(&p, &d, &r), 0);
	assert_int_equal(r.ret, 0x37);
	assert_int_equal(r.ret_pc, 4);
}

static void test_sim_trace(void **state)
{
	/* 0: ld arg0; 1: jeq #1 -> 3 else 2; 2: ret; 3: ja 5; 4: ret; 5: ret */
	struct moat_insn insns[] = { LD(OFF_ARG_LO(0)),
				     JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 0),
				     STMT(BPF_RET | BPF_K, RET_ERRNO(1)),
				     STMT(BPF_JMP | BPF_JA, 1),
				     STMT(BPF_RET | BPF_K, RET_ERRNO(2)),
				     STMT(BPF_RET | BPF_K, RET_ALLOW) };
	struct moat_prog p = PROG(insns);
	struct moat_seccomp_data d = { .args = { 1 } };
	size_t trace[8], small[2];
	struct moat_sim_result r = { .trace = trace, .trace_cap = 8 };

	assert_int_equal(moat_sim_run(&p, &d, &r), 0);
	assert_int_equal(r.ret, RET_ALLOW);
	assert_int_equal(r.executed, 4);
	assert_int_equal(r.ret_pc, 5);
	assert_int_equal(r.trace_len, 4);
	assert_int_equal(trace[0], 0);
	assert_int_equal(trace[1], 1);
	assert_int_equal(trace[2], 3);
	assert_int_equal(trace[3], 5);

	/* A short buffer keeps the first pcs; executed still counts them all. */
	r = (struct moat_sim_result){ .trace = small, .trace_cap = 2 };
	assert_int_equal(moat_sim_run(&p, &d, &r), 0);
	assert_int_equal(r.trace_len, 2);
	assert_int_equal(r.executed, 4);
	assert_int_equal(small[1], 1);

	/* Not taken: 0, 1, 2. */
	d.args[0] = 0;
	r = (struct moat_sim_result){ .trace = trace, .trace_cap = 8 };
	assert_int_equal(moat_sim_run(&p, &d, &r), 0);
	assert_int_equal(r.ret, RET_ERRNO(1));
	assert_int_equal(r.trace_len, 3);
	assert_int_equal(trace[2], 2);
}

/* ---- Programs the kernel refuses (and some close ones it accepts). ---- */

struct check_case {
	const char *name;
	struct moat_insn insns[8];
	size_t len;
	int want; /* 0 or -EINVAL */
};

#define RET_OK STMT(BPF_RET | BPF_K, RET_ALLOW)

static const struct check_case check_cases[] = {
	{ "minimal", { RET_OK }, 1, 0 },
	{ "ret a", { STMT(BPF_RET | BPF_A, 0) }, 1, 0 },
	{ "no instruction", { RET_OK }, 0, -EINVAL },
	{ "mod (socket filters only)", { STMT(BPF_ALU | BPF_MOD | BPF_K, 3), RET_OK }, 2, -EINVAL },
	{ "mod x", { STMT(BPF_ALU | BPF_MOD | BPF_X, 0), RET_OK }, 2, -EINVAL },
	{ "ld half word", { STMT(BPF_LD | BPF_H | BPF_ABS, 0), RET_OK }, 2, -EINVAL },
	{ "ld byte", { STMT(BPF_LD | BPF_B | BPF_ABS, 0), RET_OK }, 2, -EINVAL },
	{ "ld ind", { STMT(BPF_LD | BPF_W | BPF_IND, 0), RET_OK }, 2, -EINVAL },
	{ "ldx msh", { STMT(BPF_LDX | BPF_B | BPF_MSH, 0), RET_OK }, 2, -EINVAL },
	{ "ret x", { STMT(BPF_RET | BPF_X, 0) }, 1, -EINVAL },
	{ "neg x", { STMT(BPF_ALU | BPF_NEG | BPF_X, 0), RET_OK }, 2, -EINVAL },
	{ "jmp 0x75", { JUMP(BPF_JMP | 0x70, 0, 0, 0), RET_OK }, 2, -EINVAL },
	{ "opcode 0xffff", { STMT(0xffff, 0), RET_OK }, 2, -EINVAL },
	{ "div #0", { STMT(BPF_ALU | BPF_DIV | BPF_K, 0), RET_OK }, 2, -EINVAL },
	{ "lsh #32", { STMT(BPF_ALU | BPF_LSH | BPF_K, 32), RET_OK }, 2, -EINVAL },
	{ "rsh #32", { STMT(BPF_ALU | BPF_RSH | BPF_K, 32), RET_OK }, 2, -EINVAL },
	{ "lsh #31", { STMT(BPF_ALU | BPF_LSH | BPF_K, 31), RET_OK }, 2, 0 },
	{ "ld [64]", { LD(64), RET_OK }, 2, -EINVAL },
	{ "ld [60]", { LD(60), RET_OK }, 2, 0 },
	{ "ld [2] misaligned", { LD(2), RET_OK }, 2, -EINVAL },
	{ "ld [0x1000]", { LD(0x1000), RET_OK }, 2, -EINVAL },
	{ "ld ancillary", { LD(0xfffff000), RET_OK }, 2, -EINVAL },
	{ "st M[16]", { STMT(BPF_ST, 16), RET_OK }, 2, -EINVAL },
	{ "stx M[16]", { STMT(BPF_STX, 16), RET_OK }, 2, -EINVAL },
	{ "ld M[16]", { STMT(BPF_ST, 0), STMT(BPF_LD | BPF_MEM, 16), RET_OK }, 3, -EINVAL },
	{ "ldx M[16]", { STMT(BPF_ST, 0), STMT(BPF_LDX | BPF_MEM, 16), RET_OK }, 3, -EINVAL },
	{ "ld M[] never stored", { STMT(BPF_LD | BPF_MEM, 0), RET_OK }, 2, -EINVAL },
	{ "ldx M[] stored elsewhere",
	  { STMT(BPF_ST, 1), STMT(BPF_LDX | BPF_MEM, 0), RET_OK },
	  3,
	  -EINVAL },
	/* Stored on the jt path only: the kernel checks every path. */
	{ "ld M[] stored on one path",
	  { JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), STMT(BPF_ST, 2), STMT(BPF_LD | BPF_MEM, 2),
	    RET_OK },
	  4,
	  -EINVAL },
	{ "ld M[] stored on both paths",
	  { STMT(BPF_ST, 2), JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), STMT(BPF_ST, 3),
	    STMT(BPF_LD | BPF_MEM, 2), RET_OK },
	  5,
	  0 },
	/* After ja the fall-through is reached only by jumps: M[] from before the jump is known. */
	{ "ld M[] after ja",
	  { STMT(BPF_ST, 4), STMT(BPF_JMP | BPF_JA, 1), RET_OK, STMT(BPF_LDX | BPF_MEM, 4),
	    RET_OK },
	  5,
	  0 },
	{ "ja out of range", { STMT(BPF_JMP | BPF_JA, 1), RET_OK }, 2, -EINVAL },
	{ "ja to the last", { STMT(BPF_JMP | BPF_JA, 1), RET_OK, RET_OK }, 3, 0 },
	{ "ja huge", { STMT(BPF_JMP | BPF_JA, 0xffffffff), RET_OK }, 2, -EINVAL },
	{ "jeq jt out of range", { JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), RET_OK }, 2, -EINVAL },
	{ "jgt jf out of range",
	  { JUMP(BPF_JMP | BPF_JGT | BPF_K, 0, 0, 2), RET_OK, RET_OK },
	  3,
	  -EINVAL },
	{ "jset x jt out of range",
	  { JUMP(BPF_JMP | BPF_JSET | BPF_X, 0, 255, 0), RET_OK },
	  2,
	  -EINVAL },
	{ "last is not ret", { RET_OK, STMT(BPF_LD | BPF_IMM, 0) }, 2, -EINVAL },
	{ "last is a jump", { RET_OK, STMT(BPF_JMP | BPF_JA, 0) }, 2, -EINVAL },
};

static void test_check_cases(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(check_cases); i++) {
		const struct check_case *c = &check_cases[i];
		struct moat_prog p = { (struct moat_insn *)c->insns, c->len, NULL };
		struct moat_seccomp_data d = { 0 };
		struct moat_sim_result r = { 0 };
		int err = moat_prog_check(&p);

		if (err != c->want)
			fail_msg("case '%s': moat_prog_check %d, want %d", c->name, err, c->want);
		/* The simulator refuses what the checker refuses. */
		err = moat_sim_run(&p, &d, &r);
		if (c->want ? err != -EINVAL : err != 0)
			fail_msg("case '%s': moat_sim_run %d", c->name, err);
		/* So does moat_sim_prepare, leaving *out alone. */
		struct moat_sim_prog *sp = (struct moat_sim_prog *)&p;

		err = moat_sim_prepare(&p, &sp);
		if (err != c->want || (err && sp != (struct moat_sim_prog *)&p))
			fail_msg("case '%s': moat_sim_prepare %d, want %d", c->name, err, c->want);
		if (!err)
			moat_sim_prog_free(sp);
	}
}

/* ld #ERRNO(0), LEN - 2 times add #1, ret a: returns ERRNO(LEN - 2). */
static struct moat_insn *long_prog(size_t len)
{
	struct moat_insn *insns = calloc(len, sizeof(*insns));

	assert_non_null(insns);
	insns[0] = (struct moat_insn)STMT(BPF_LD | BPF_IMM, SECCOMP_RET_ERRNO);
	for (size_t i = 1; i < len - 1; i++)
		insns[i] = (struct moat_insn)STMT(BPF_ALU | BPF_ADD | BPF_K, 1);
	insns[len - 1] = (struct moat_insn)STMT(BPF_RET | BPF_A, 0);
	return insns;
}

static void test_check_limits(void **state)
{
	struct moat_prog p = { long_prog(4097), 4097, NULL };
	struct moat_seccomp_data d = { 0 };
	struct moat_sim_result r = { 0 };

	assert_int_equal(moat_prog_check(&p), -EINVAL);
	free(p.insns);
	p = (struct moat_prog){ long_prog(4096), 4096, NULL };
	assert_int_equal(moat_prog_check(&p), 0);
	assert_int_equal(moat_sim_run(&p, &d, &r), 0);
	assert_int_equal(r.ret, RET_ERRNO(4094));
	assert_int_equal(r.executed, 4096);
	free(p.insns);

	assert_int_equal(moat_prog_check(NULL), -EINVAL);
	p = (struct moat_prog){ NULL, 1, NULL };
	assert_int_equal(moat_prog_check(&p), -EINVAL);
}

/* ---- The action cache (seccomp_is_const_allow). ---- */

#define A64 AUDIT_ARCH_X86_64
#define A32 AUDIT_ARCH_I386

/* A typical filter: arch check, a few numbers allowed outright, one with an argument check. */
static const struct moat_insn cache_prog[] = {
	/* 0 */ LD(OFF_ARCH),
	/* 1 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, A64, 0, 11),
	/* 2 */ LD(OFF_NR),
	/* 3 */ JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x40000000, 9, 0),
	/* 4 */ JUMP(BPF_JMP | BPF_JGE | BPF_K, 100, 3, 0),
	/* 5 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 8, 0),
	/* 6 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 7, 0),
	/* 7 */ STMT(BPF_JMP | BPF_JA, 4),
	/* 8 */ JUMP(BPF_JMP | BPF_JGT | BPF_K, 200, 0, 2),
	/* 9 */ STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
	/* 10 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xf4, 3, 0), /* 500 & 0xff == 0xf4 */
	/* 11 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, 150, 3, 0),
	/* 12 */ STMT(BPF_RET | BPF_K, RET_ERRNO(1)),
	/* 13 */ STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	/* 14 */ STMT(BPF_RET | BPF_K, RET_ALLOW),
	/* 15 */ LD(OFF_ARG_LO(0)),
	/* 16 */ JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
	/* 17 */ STMT(BPF_RET | BPF_K, RET_ALLOW),
	/* 18 */ STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG),
};

static void test_cache(void **state)
{
	struct moat_prog p = PROG(cache_prog);

	/* Worked out by hand from the listing above. */
	assert_true(moat_sim_cache_allows(&p, A64, 0));		  /* 5 -> 14 */
	assert_true(moat_sim_cache_allows(&p, A64, 1));		  /* 6 -> 14 */
	assert_false(moat_sim_cache_allows(&p, A64, 2));	  /* 7 -> 12 errno */
	assert_false(moat_sim_cache_allows(&p, A64, 99));	  /* 7 -> 12 */
	assert_false(moat_sim_cache_allows(&p, A64, 100));	  /* 8 -> 11 -> 12 */
	assert_false(moat_sim_cache_allows(&p, A64, 150));	  /* 11 -> 15: loads an argument */
	assert_false(moat_sim_cache_allows(&p, A64, 200));	  /* jgt false */
	assert_true(moat_sim_cache_allows(&p, A64, 500));	  /* 9, 10 -> 14 */
	assert_true(moat_sim_cache_allows(&p, A64, 0x1f4));	  /* same number */
	assert_true(moat_sim_cache_allows(&p, A64, 0x3f4));	  /* and #0xff: 0xf4 too */
	assert_false(moat_sim_cache_allows(&p, A64, 0x40000000)); /* x32 bit: kill */
	assert_false(moat_sim_cache_allows(&p, A32, 0));	  /* other arch: kill */

	/* Instructions the walk does not understand make a syscall uncacheable. */
	static const struct moat_insn ret_a[] = { STMT(BPF_LD | BPF_IMM, RET_ALLOW),
						  STMT(BPF_RET | BPF_A, 0) };
	static const struct moat_insn via_x[] = { LD(OFF_NR), LDX_IMM(5),
						  JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1),
						  STMT(BPF_RET | BPF_K, RET_ALLOW),
						  STMT(BPF_RET | BPF_K, RET_ALLOW) };
	static const struct moat_insn other_alu[] = { LD(OFF_NR), STMT(BPF_ALU | BPF_OR | BPF_K, 1),
						      STMT(BPF_RET | BPF_K, RET_ALLOW) };
	static const struct moat_insn ld_ip[] = { LD(OFF_IP_LO), STMT(BPF_RET | BPF_K, RET_ALLOW) };
	static const struct moat_insn with_mem[] = { STMT(BPF_ST, 0),
						     STMT(BPF_RET | BPF_K, RET_ALLOW) };
	static const struct moat_insn allow_all[] = { STMT(BPF_RET | BPF_K, RET_ALLOW) };
	static const struct moat_insn allow_data[] = { STMT(BPF_RET | BPF_K, RET_ALLOW | 1) };
	static const struct moat_insn log_all[] = { STMT(BPF_RET | BPF_K, SECCOMP_RET_LOG) };
	static const struct moat_insn len_[] = { STMT(BPF_LD | BPF_W | BPF_LEN, 0),
						 STMT(BPF_RET | BPF_K, RET_ALLOW) };
	/* An argument load after the decision is never reached. */
	static const struct moat_insn late_arg[] = { LD(OFF_NR), STMT(BPF_RET | BPF_K, RET_ALLOW),
						     LD(OFF_ARG_LO(0)),
						     STMT(BPF_RET | BPF_K, RET_ALLOW) };
	const struct {
		const struct moat_insn *insns;
		size_t len;
		bool want;
	} progs[] = {
		{ ret_a, ARRAY_LEN(ret_a), false },
		{ via_x, ARRAY_LEN(via_x), false },
		{ other_alu, ARRAY_LEN(other_alu), false },
		{ ld_ip, ARRAY_LEN(ld_ip), false },
		{ with_mem, ARRAY_LEN(with_mem), false },
		{ allow_all, ARRAY_LEN(allow_all), true },
		/* The walk compares the whole word: ALLOW with data is not "ALLOW". */
		{ allow_data, ARRAY_LEN(allow_data), false },
		{ log_all, ARRAY_LEN(log_all), false },
		{ len_, ARRAY_LEN(len_), false },
		{ late_arg, ARRAY_LEN(late_arg), true },
	};
	for (size_t i = 0; i < ARRAY_LEN(progs); i++) {
		struct moat_prog q = { (struct moat_insn *)progs[i].insns, progs[i].len, NULL };

		if (moat_sim_cache_allows(&q, A64, 1) != progs[i].want)
			fail_msg("cache program %zu: want %d", i, progs[i].want);
	}

	/* A program the kernel refuses is never cacheable. */
	static const struct moat_insn bad[] = { STMT(BPF_RET | BPF_K, RET_ALLOW),
						STMT(BPF_LD | BPF_IMM, 0) };
	struct moat_prog q = PROG(bad);
	assert_false(moat_sim_cache_allows(&q, A64, 1));
}

/* ---- Disassembler. ---- */

static void test_disasm(void **state)
{
	static const struct moat_insn insns[] = {
		LD(OFF_ARCH),
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, A64, 0, 20),
		LD(OFF_NR),
		JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x101, 0, 1),
		STMT(BPF_RET | BPF_K, RET_ALLOW),
		LD(OFF_ARG_LO(1)),
		LD(OFF_ARG_HI(5)),
		LD(OFF_IP_LO),
		STMT(BPF_LD | BPF_IMM, 0x10),
		STMT(BPF_LDX | BPF_MEM, 3),
		STMT(BPF_ST, 15),
		STMT(BPF_ALU | BPF_AND | BPF_K, 0xff),
		STMT(BPF_ALU | BPF_SUB | BPF_X, 0),
		STMT(BPF_ALU | BPF_NEG, 0),
		STMT(BPF_MISC | BPF_TAX, 0),
		JUMP(BPF_JMP | BPF_JSET | BPF_X, 0, 2, 3),
		STMT(BPF_JMP | BPF_JA, 5),
		STMT(BPF_RET | BPF_K, RET_ERRNO(1)),
		STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		STMT(BPF_RET | BPF_K, RET_TRAP(0)),
		STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 7),
		STMT(BPF_RET | BPF_A, 0),
		STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		STMT(BPF_RET | BPF_K, 0x00010000),
		STMT(BPF_LD | BPF_H | BPF_ABS, 2),
		STMT(BPF_LDX | BPF_W | BPF_LEN, 0),
	};
	const char *want = "0000: ld arch\n"
			   "0001: jeq #0xc000003e jt 2 jf 22\n"
			   "0002: ld nr\n"
			   "0003: jeq #0x101 jt 4 jf 5\n"
			   "0004: ret ALLOW\n"
			   "0005: ld arg1.lo\n"
			   "0006: ld arg5.hi\n"
			   "0007: ld ip.lo\n"
			   "0008: ld #0x10\n"
			   "0009: ldx M[3]\n"
			   "0010: st M[15]\n"
			   "0011: and #0xff\n"
			   "0012: sub x\n"
			   "0013: neg\n"
			   "0014: tax\n"
			   "0015: jset x jt 18 jf 19\n"
			   "0016: ja 22\n"
			   "0017: ret ERRNO(1)\n"
			   "0018: ret KILL_PROCESS\n"
			   "0019: ret TRAP\n"
			   "0020: ret TRACE(7)\n"
			   "0021: ret a\n"
			   "0022: ret NOTIFY\n"
			   "0023: ret #0x10000\n"
			   "0024: .insn code 0x0028 jt 0 jf 0 k 0x2\n"
			   "0025: ldx #len\n";
	struct moat_prog p = PROG(insns);
	char *out = NULL;

	assert_int_equal(moat_disasm(&p, &out), 0);
	assert_string_equal(out, want);
	free(out);

	p.len = 0;
	assert_int_equal(moat_disasm(&p, &out), 0);
	assert_string_equal(out, "");
	free(out);
}

/* ---- The same programs in the real kernel (kernel_run.h). ---- */

static void test_kernel_agrees_on_results(void **state)
{
	for (size_t i = 0; i < ARRAY_LEN(sim_cases); i++) {
		const struct sim_case *c = &sim_cases[i];
		struct moat_prog p;
		struct moat_seccomp_data d = case_data(c);
		struct moat_sim_result r = { 0 };
		struct outcome want, got;

		case_prog(c, &p);
		assert_int_equal(moat_sim_run(&p, &d, &r), 0);
		want = outcome_of(r.ret);
		int err = kernel_run(&p, c->args, &got);
		if (err)
			fail_msg("case '%s': the kernel refused the filter (%d)", c->name, err);
		if (!outcome_equal(&want, &got))
			fail_msg("case '%s': simulator 0x%x -> kind %d ret %ld errno %d trap %d; "
				 "kernel: kind %d ret %ld errno %d trap %d",
				 c->name, r.ret, want.kind, want.ret, want.err, want.trap_data,
				 got.kind, got.ret, got.err, got.trap_data);
	}
}

static void test_kernel_agrees_on_checks(void **state)
{
	static const uint64_t args[6] = { 0 };

	for (size_t i = 0; i < ARRAY_LEN(check_cases); i++) {
		const struct check_case *c = &check_cases[i];
		struct moat_prog p = { (struct moat_insn *)c->insns, c->len, NULL };
		struct outcome o;

		int err = kernel_run(&p, args, &o);
		if (err != c->want)
			fail_msg("case '%s': kernel %d, moat_prog_check says %d", c->name, err,
				 moat_prog_check(&p));
	}

	struct moat_prog p = { long_prog(4097), 4097, NULL };
	struct outcome o;
	assert_int_equal(kernel_run(&p, args, &o), -EINVAL);
	free(p.insns);
	p = (struct moat_prog){ long_prog(4096), 4096, NULL };
	assert_int_equal(kernel_run(&p, args, &o), 0);
	assert_int_equal(o.kind, OUT_RETURNED);
	assert_int_equal(o.ret, -1);
	assert_int_equal(o.err, 4094);
	free(p.insns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sim_cases),
		cmocka_unit_test(test_sim_ip),
		cmocka_unit_test(test_sim_trace),
		cmocka_unit_test(test_sim_prepare_copies),
		cmocka_unit_test(test_check_cases),
		cmocka_unit_test(test_check_limits),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_disasm),
		cmocka_unit_test_setup_teardown(test_kernel_agrees_on_results, setup_shm,
						teardown_shm),
		cmocka_unit_test_setup_teardown(test_kernel_agrees_on_checks, setup_shm,
						teardown_shm),
	};
	return MOAT_RUN_TESTS(tests);
}
