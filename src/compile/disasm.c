// SPDX-License-Identifier: MIT
/*
 * Readable assembly for a seccomp cBPF program, in the spirit of bpf_dbg and
 * libseccomp's disassembler: one line per instruction, jump targets as
 * absolute instruction numbers, seccomp_data fields and return values by
 * name:
 *
 *   0000: ld arch
 *   0001: jeq #0xc000003e jt 2 jf 9
 *   0002: ld nr
 *   0003: jeq #0x101 jt 4 jf 5
 *   0004: ret ALLOW
 *   0005: ret ERRNO(1)
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moat/compile.h"

struct strbuf {
	char *s;
	size_t len, cap;
	int err;
};

static void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->err)
		return;
	for (;;) {
		size_t room = sb->cap - sb->len;

		va_start(ap, fmt);
		n = vsnprintf(sb->s ? sb->s + sb->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			sb->err = -EINVAL;
			return;
		}
		if ((size_t)n < room) {
			sb->len += (size_t)n;
			return;
		}
		size_t cap = sb->cap ? sb->cap * 2 : 256;
		while (cap - sb->len <= (size_t)n)
			cap *= 2;
		char *s = realloc(sb->s, cap);
		if (!s) {
			sb->err = -ENOMEM;
			return;
		}
		sb->s = s;
		sb->cap = cap;
	}
}

/* "nr", "arch", "ip.lo", "arg3.hi"... for an offset into seccomp_data; NULL otherwise. */
static const char *data_field(uint32_t k, char *buf, size_t size)
{
	if (k == 0)
		return "nr";
	if (k == 4)
		return "arch";
	if (k >= 64 || (k & 3))
		return NULL;
	/* Little-endian layout: the low word of a 64-bit field comes first. */
	const char *half = (k & 4) ? "hi" : "lo";
	if (k < 16)
		snprintf(buf, size, "ip.%s", half);
	else
		snprintf(buf, size, "arg%u.%s", (k - 16) / 8, half);
	return buf;
}

static void format_ret(struct strbuf *sb, uint32_t k)
{
	uint32_t data = k & SECCOMP_RET_DATA;

	switch (k & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		sb_printf(sb, "ret KILL_PROCESS");
		break;
	case SECCOMP_RET_KILL_THREAD:
		sb_printf(sb, "ret KILL_THREAD");
		break;
	case SECCOMP_RET_TRAP:
		sb_printf(sb, data ? "ret TRAP(%u)" : "ret TRAP", data);
		return;
	case SECCOMP_RET_ERRNO:
		sb_printf(sb, "ret ERRNO(%u)", data);
		return;
	case SECCOMP_RET_USER_NOTIF:
		sb_printf(sb, "ret NOTIFY");
		break;
	case SECCOMP_RET_TRACE:
		sb_printf(sb, "ret TRACE(%u)", data);
		return;
	case SECCOMP_RET_LOG:
		sb_printf(sb, "ret LOG");
		break;
	case SECCOMP_RET_ALLOW:
		sb_printf(sb, "ret ALLOW");
		break;
	default:
		/* An action the kernel does not know: it kills the process. */
		sb_printf(sb, "ret #0x%x", k);
		return;
	}
	/* Data on an action that ignores it: show it, it is in the program. */
	if (data)
		sb_printf(sb, " #0x%x", data);
}

static const char *alu_name(uint16_t op)
{
	switch (op) {
	case BPF_ADD:
		return "add";
	case BPF_SUB:
		return "sub";
	case BPF_MUL:
		return "mul";
	case BPF_DIV:
		return "div";
	case BPF_OR:
		return "or";
	case BPF_AND:
		return "and";
	case BPF_LSH:
		return "lsh";
	case BPF_RSH:
		return "rsh";
	case BPF_NEG:
		return "neg";
	case BPF_MOD:
		return "mod";
	case BPF_XOR:
		return "xor";
	default:
		return NULL;
	}
}

static const char *jmp_name(uint16_t op)
{
	switch (op) {
	case BPF_JEQ:
		return "jeq";
	case BPF_JGT:
		return "jgt";
	case BPF_JGE:
		return "jge";
	case BPF_JSET:
		return "jset";
	default:
		return NULL;
	}
}

static void format_insn(struct strbuf *sb, const struct moat_insn *in, size_t pc)
{
	uint16_t code = in->code;
	const char *name;
	char field[16];

	switch (code) {
	case BPF_LD | BPF_W | BPF_ABS:
		name = data_field(in->k, field, sizeof(field));
		if (name)
			sb_printf(sb, "ld %s", name);
		else
			sb_printf(sb, "ld [%u]", in->k);
		return;
	case BPF_LD | BPF_W | BPF_LEN:
		sb_printf(sb, "ld #len");
		return;
	case BPF_LDX | BPF_W | BPF_LEN:
		sb_printf(sb, "ldx #len");
		return;
	case BPF_LD | BPF_IMM:
		sb_printf(sb, "ld #0x%x", in->k);
		return;
	case BPF_LDX | BPF_IMM:
		sb_printf(sb, "ldx #0x%x", in->k);
		return;
	case BPF_LD | BPF_MEM:
		sb_printf(sb, "ld M[%u]", in->k);
		return;
	case BPF_LDX | BPF_MEM:
		sb_printf(sb, "ldx M[%u]", in->k);
		return;
	case BPF_ST:
		sb_printf(sb, "st M[%u]", in->k);
		return;
	case BPF_STX:
		sb_printf(sb, "stx M[%u]", in->k);
		return;
	case BPF_MISC | BPF_TAX:
		sb_printf(sb, "tax");
		return;
	case BPF_MISC | BPF_TXA:
		sb_printf(sb, "txa");
		return;
	case BPF_ALU | BPF_NEG:
		sb_printf(sb, "neg");
		return;
	case BPF_RET | BPF_K:
		format_ret(sb, in->k);
		return;
	case BPF_RET | BPF_A:
		sb_printf(sb, "ret a");
		return;
	case BPF_JMP | BPF_JA:
		sb_printf(sb, "ja %zu", pc + 1 + (size_t)in->k);
		return;
	}
	if (BPF_CLASS(code) == BPF_ALU && (code & ~(BPF_OP(0xff) | BPF_SRC(0xff))) == BPF_ALU &&
	    (name = alu_name(BPF_OP(code))) != NULL && BPF_OP(code) != BPF_NEG) {
		if (BPF_SRC(code) == BPF_X)
			sb_printf(sb, "%s x", name);
		else
			sb_printf(sb, "%s #0x%x", name, in->k);
		return;
	}
	if (BPF_CLASS(code) == BPF_JMP && (code & ~(BPF_OP(0xff) | BPF_SRC(0xff))) == BPF_JMP &&
	    (name = jmp_name(BPF_OP(code))) != NULL) {
		if (BPF_SRC(code) == BPF_X)
			sb_printf(sb, "%s x", name);
		else
			sb_printf(sb, "%s #0x%x", name, in->k);
		sb_printf(sb, " jt %zu jf %zu", pc + 1 + in->jt, pc + 1 + in->jf);
		return;
	}
	/* Not something seccomp runs: show the raw fields. */
	sb_printf(sb, ".insn code 0x%04x jt %u jf %u k 0x%x", code, in->jt, in->jf, in->k);
}

int moat_disasm(const struct moat_prog *prog, char **out)
{
	struct strbuf sb = { 0 };

	if (!prog || !out || (prog->len && !prog->insns))
		return -EINVAL;
	sb_printf(&sb, "%s", "");
	for (size_t pc = 0; pc < prog->len; pc++) {
		sb_printf(&sb, "%04zu: ", pc);
		format_insn(&sb, &prog->insns[pc], pc);
		sb_printf(&sb, "\n");
	}
	if (sb.err) {
		free(sb.s);
		return sb.err;
	}
	*out = sb.s;
	return 0;
}
