// SPDX-License-Identifier: MIT
/*
 * The seccomp cBPF simulator: runs a program on a struct seccomp_data as the
 * kernel does, checks it as the kernel does when it is installed, and
 * replays the kernel's action-cache analysis (Linux 5.11+).
 *
 * Facts followed here (net/core/filter.c, kernel/seccomp.c):
 *  - install: bpf_check_classic() (classic opcode table, DIV/MOD by constant
 *    0, shifts by >= 32, M[] index < 16, jumps inside the program, last
 *    instruction a ret, every M[] cell stored on all paths before it is
 *    loaded), then seccomp_check_filter() (a narrower opcode list; absolute
 *    loads only as 32-bit words, 4-byte aligned, inside seccomp_data).
 *  - run: A and X start at 0; ALU is 32-bit unsigned; `div x` with X == 0
 *    ends the filter with return value 0 (the cBPF -> eBPF conversion emits
 *    exactly that); conditional jumps compare unsigned 32-bit values.
 */
#include <errno.h>
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>

#include "moat/compile.h"

/* The kernel's limits (BPF_MAXINSNS, BPF_MEMWORDS) and seccomp_data's size. */
#define SIM_MAXINSNS 4096
#define SIM_MEMWORDS 16
#define SIM_DATA_SIZE 64

/* Offsets inside struct seccomp_data. */
#define SIM_OFF_NR 0
#define SIM_OFF_ARCH 4

/* SECCOMP_RET_ALLOW: the only verdict the action cache records. */
#define SIM_RET_ALLOW 0x7fff0000u

/* Is CODE one of the opcodes seccomp_check_filter() lets through? */
static bool seccomp_opcode_allowed(uint16_t code)
{
	switch (code) {
	case BPF_LD | BPF_W | BPF_ABS:
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN:
	case BPF_RET | BPF_K:
	case BPF_RET | BPF_A:
	case BPF_ALU | BPF_ADD | BPF_K:
	case BPF_ALU | BPF_ADD | BPF_X:
	case BPF_ALU | BPF_SUB | BPF_K:
	case BPF_ALU | BPF_SUB | BPF_X:
	case BPF_ALU | BPF_MUL | BPF_K:
	case BPF_ALU | BPF_MUL | BPF_X:
	case BPF_ALU | BPF_DIV | BPF_K:
	case BPF_ALU | BPF_DIV | BPF_X:
	case BPF_ALU | BPF_AND | BPF_K:
	case BPF_ALU | BPF_AND | BPF_X:
	case BPF_ALU | BPF_OR | BPF_K:
	case BPF_ALU | BPF_OR | BPF_X:
	case BPF_ALU | BPF_XOR | BPF_K:
	case BPF_ALU | BPF_XOR | BPF_X:
	case BPF_ALU | BPF_LSH | BPF_K:
	case BPF_ALU | BPF_LSH | BPF_X:
	case BPF_ALU | BPF_RSH | BPF_K:
	case BPF_ALU | BPF_RSH | BPF_X:
	case BPF_ALU | BPF_NEG:
	case BPF_LD | BPF_IMM:
	case BPF_LDX | BPF_IMM:
	case BPF_MISC | BPF_TAX:
	case BPF_MISC | BPF_TXA:
	case BPF_LD | BPF_MEM:
	case BPF_LDX | BPF_MEM:
	case BPF_ST:
	case BPF_STX:
	case BPF_JMP | BPF_JA:
	case BPF_JMP | BPF_JEQ | BPF_K:
	case BPF_JMP | BPF_JEQ | BPF_X:
	case BPF_JMP | BPF_JGE | BPF_K:
	case BPF_JMP | BPF_JGE | BPF_X:
	case BPF_JMP | BPF_JGT | BPF_K:
	case BPF_JMP | BPF_JGT | BPF_X:
	case BPF_JMP | BPF_JSET | BPF_K:
	case BPF_JMP | BPF_JSET | BPF_X:
		return true;
	default:
		/*
		 * Everything else, including classic opcodes that sockets
		 * accept (MOD, byte/half loads, IND, MSH, ancillary loads), is
		 * refused by seccomp.
		 */
		return false;
	}
}

static bool is_cond_jump(uint16_t code)
{
	return BPF_CLASS(code) == BPF_JMP && BPF_OP(code) != BPF_JA;
}

/*
 * check_load_and_stores(): the kernel does not clear M[] per run, so it
 * refuses any program where some path may load a cell before storing it.
 * A forward-only walk suffices because jumps only go forward.
 */
static int check_memory_init(const struct moat_insn *insns, size_t len)
{
	uint16_t masks[SIM_MAXINSNS];
	uint16_t valid = 0;

	memset(masks, 0xff, len * sizeof(masks[0]));
	for (size_t pc = 0; pc < len; pc++) {
		const struct moat_insn *in = &insns[pc];

		valid &= masks[pc];
		switch (in->code) {
		case BPF_ST:
		case BPF_STX:
			valid |= (uint16_t)(1u << in->k);
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
			if (!(valid & (1u << in->k)))
				return -EINVAL;
			break;
		case BPF_JMP | BPF_JA:
			masks[pc + 1 + in->k] &= valid;
			/* What follows an unconditional jump is reached only by jumps. */
			valid = 0xffff;
			break;
		default:
			if (is_cond_jump(in->code)) {
				masks[pc + 1 + in->jt] &= valid;
				masks[pc + 1 + in->jf] &= valid;
				valid = 0xffff;
			}
			break;
		}
	}
	return 0;
}

int moat_prog_check(const struct moat_prog *prog)
{
	if (!prog || !prog->insns || prog->len == 0 || prog->len > SIM_MAXINSNS)
		return -EINVAL;

	size_t len = prog->len;
	for (size_t pc = 0; pc < len; pc++) {
		const struct moat_insn *in = &prog->insns[pc];

		if (!seccomp_opcode_allowed(in->code))
			return -EINVAL;
		switch (in->code) {
		case BPF_ALU | BPF_DIV | BPF_K:
			if (in->k == 0)
				return -EINVAL;
			break;
		case BPF_ALU | BPF_LSH | BPF_K:
		case BPF_ALU | BPF_RSH | BPF_K:
			if (in->k >= 32)
				return -EINVAL;
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
		case BPF_ST:
		case BPF_STX:
			if (in->k >= SIM_MEMWORDS)
				return -EINVAL;
			break;
		case BPF_LD | BPF_W | BPF_ABS:
			/* seccomp_data is read as aligned 32-bit words only. */
			if (in->k >= SIM_DATA_SIZE || (in->k & 3))
				return -EINVAL;
			break;
		case BPF_JMP | BPF_JA:
			/* k is 32 bits: compared unsigned so that no jump wraps. */
			if (in->k >= (uint32_t)(len - pc - 1))
				return -EINVAL;
			break;
		default:
			if (is_cond_jump(in->code) &&
			    (pc + in->jt + 1 >= len || pc + in->jf + 1 >= len))
				return -EINVAL;
			break;
		}
	}
	if (BPF_CLASS(prog->insns[len - 1].code) != BPF_RET)
		return -EINVAL;
	return check_memory_init(prog->insns, len);
}

/* The 32-bit word at OFF of seccomp_data, laid out little-endian like on every arch moat knows. */
static uint32_t data_word(const struct moat_seccomp_data *d, uint32_t off)
{
	uint64_t v;

	switch (off) {
	case SIM_OFF_NR:
		return (uint32_t)d->nr;
	case SIM_OFF_ARCH:
		return d->arch;
	case 8:
	case 12:
		v = d->instruction_pointer;
		break;
	default:
		v = d->args[(off - 16) / 8];
		break;
	}
	return (off & 4) ? (uint32_t)(v >> 32) : (uint32_t)v;
}

static void trace_pc(struct moat_sim_result *res, size_t pc)
{
	if (res->trace && res->trace_len < res->trace_cap)
		res->trace[res->trace_len++] = pc;
}

/*
 * A program that passed moat_prog_check(), with its own copy of the
 * instructions: the caller's moat_prog may change after the check, this
 * copy cannot, so what sim_exec() runs is always what was checked.
 */
struct moat_sim_prog {
	size_t len;
	struct moat_insn insns[];
};

int moat_sim_prepare(const struct moat_prog *prog, struct moat_sim_prog **out)
{
	struct moat_sim_prog *sp;
	int err;

	if (!out)
		return -EINVAL;
	err = moat_prog_check(prog);
	if (err)
		return err;
	sp = malloc(sizeof(*sp) + prog->len * sizeof(sp->insns[0]));
	if (!sp)
		return -ENOMEM;
	sp->len = prog->len;
	memcpy(sp->insns, prog->insns, prog->len * sizeof(sp->insns[0]));
	*out = sp;
	return 0;
}

void moat_sim_prog_free(struct moat_sim_prog *sp)
{
	free(sp);
}

/* Runs LEN checked instructions: only moat_sim_exec and moat_sim_run call it, after the check. */
static int sim_exec(const struct moat_insn *insns, size_t len, const struct moat_seccomp_data *d,
		    struct moat_sim_result *res)
{
	uint32_t a = 0, x = 0, mem[SIM_MEMWORDS] = { 0 };
	size_t executed = 0;

	res->trace_len = 0;

	/*
	 * The check guarantees that every jump lands inside the program and
	 * that it ends with a ret, so this loop always ends on a ret.
	 */
	for (size_t pc = 0; pc < len; pc++) {
		const struct moat_insn *in = &insns[pc];
		uint32_t src = BPF_SRC(in->code) == BPF_X ? x : in->k;
		bool taken;

		executed++;
		trace_pc(res, pc);
		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			a = data_word(d, in->k);
			break;
		case BPF_LD | BPF_W | BPF_LEN:
			a = SIM_DATA_SIZE;
			break;
		case BPF_LDX | BPF_W | BPF_LEN:
			x = SIM_DATA_SIZE;
			break;
		case BPF_LD | BPF_IMM:
			a = in->k;
			break;
		case BPF_LDX | BPF_IMM:
			x = in->k;
			break;
		case BPF_LD | BPF_MEM:
			a = mem[in->k];
			break;
		case BPF_LDX | BPF_MEM:
			x = mem[in->k];
			break;
		case BPF_ST:
			mem[in->k] = a;
			break;
		case BPF_STX:
			mem[in->k] = x;
			break;
		case BPF_MISC | BPF_TAX:
			x = a;
			break;
		case BPF_MISC | BPF_TXA:
			a = x;
			break;
		case BPF_ALU | BPF_NEG:
			a = -a;
			break;
		case BPF_RET | BPF_K:
		case BPF_RET | BPF_A:
			res->ret = BPF_RVAL(in->code) == BPF_K ? in->k : a;
			res->executed = executed;
			res->ret_pc = pc;
			return 0;
		case BPF_JMP | BPF_JA:
			pc += in->k;
			break;
		default:
			if (BPF_CLASS(in->code) == BPF_ALU) {
				switch (BPF_OP(in->code)) {
				case BPF_ADD:
					a += src;
					break;
				case BPF_SUB:
					a -= src;
					break;
				case BPF_MUL:
					a *= src;
					break;
				case BPF_DIV:
					/*
					 * Division by a zero X ends the filter with 0
					 * (SECCOMP_RET_KILL_THREAD), as the kernel's
					 * conversion to eBPF does; `div #0` is refused.
					 */
					if (src == 0) {
						res->ret = 0;
						res->executed = executed;
						res->ret_pc = pc;
						return 0;
					}
					a /= src;
					break;
				case BPF_AND:
					a &= src;
					break;
				case BPF_OR:
					a |= src;
					break;
				case BPF_XOR:
					a ^= src;
					break;
				case BPF_LSH:
					/* eBPF's 32-bit shifts use the count modulo 32. */
					a <<= src & 31;
					break;
				case BPF_RSH:
					a >>= src & 31;
					break;
				}
				break;
			}
			/* Conditional jumps (the only opcodes left after the check). */
			switch (BPF_OP(in->code)) {
			case BPF_JEQ:
				taken = a == src;
				break;
			case BPF_JGT:
				taken = a > src;
				break;
			case BPF_JGE:
				taken = a >= src;
				break;
			default: /* BPF_JSET */
				taken = (a & src) != 0;
				break;
			}
			pc += taken ? in->jt : in->jf;
			break;
		}
	}
	/* Unreachable for a checked program; fail closed anyway. */
	return -EINVAL;
}

int moat_sim_exec(const struct moat_sim_prog *sp, const struct moat_seccomp_data *d,
		  struct moat_sim_result *res)
{
	if (!sp || !d || !res)
		return -EINVAL;
	return sim_exec(sp->insns, sp->len, d, res);
}

int moat_sim_run(const struct moat_prog *prog, const struct moat_seccomp_data *d,
		 struct moat_sim_result *res)
{
	int err;

	if (!d || !res)
		return -EINVAL;
	err = moat_prog_check(prog);
	if (err)
		return err;
	return sim_exec(prog->insns, prog->len, d, res);
}

/*
 * seccomp_is_const_allow(): the kernel walks the program once per (arch, nr)
 * at install time with only nr and arch known. It follows ld nr/arch, the
 * four conditional jumps against constants, `and #k`, ja and `ret #k`; any
 * other instruction (an argument or ip load, X, M[], other ALU, ret a)
 * makes the syscall uncacheable. The kernel walks the program as the user
 * gave it, before seccomp_check_filter() rewrites any opcode.
 *
 * Not modelled: the kernel's own exceptions (uretprobe/uprobe are always
 * allowed on x86_64 whatever the filter) and the bitmap bounds (numbers
 * >= NR_syscalls of the arch, e.g. x32 numbers, are never cached).
 */
bool moat_sim_cache_allows(const struct moat_prog *prog, uint32_t arch, uint32_t nr)
{
	uint32_t reg = 0;

	if (moat_prog_check(prog))
		return false;
	for (size_t pc = 0; pc < prog->len; pc++) {
		const struct moat_insn *in = &prog->insns[pc];
		bool taken;

		switch (in->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (in->k == SIM_OFF_NR)
				reg = nr;
			else if (in->k == SIM_OFF_ARCH)
				reg = arch;
			else
				return false;
			break;
		case BPF_RET | BPF_K:
			return in->k == SIM_RET_ALLOW;
		case BPF_JMP | BPF_JA:
			pc += in->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_K:
			switch (BPF_OP(in->code)) {
			case BPF_JEQ:
				taken = reg == in->k;
				break;
			case BPF_JGE:
				taken = reg >= in->k;
				break;
			case BPF_JGT:
				taken = reg > in->k;
				break;
			default:
				taken = (reg & in->k) != 0;
				break;
			}
			pc += taken ? in->jt : in->jf;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			reg &= in->k;
			break;
		default:
			return false;
		}
	}
	return false;
}
