/* SPDX-License-Identifier: MIT */
/*
 * A struct moat_policy compiled by libseccomp instead of moat, for the
 * differential tests and the compiler benchmark (the peer moat is measured
 * against). Header-only: static functions, included by one .c file each.
 *
 * Mapping: default action -> seccomp_init, arches -> seccomp_arch_add
 * (the native arch removed when the policy does not cover it), badarch ->
 * SCMP_FLTATR_ACT_BADARCH, one rule per moat rule with one SCMP_CMP_* per
 * comparison; IN is expanded into one rule per value (the product when a
 * rule has several IN comparisons). The raw BPF comes back through
 * seccomp_export_bpf() on a memfd (libseccomp 2.5 has no in-memory export).
 *
 * What libseccomp cannot say the same way (callers must avoid it):
 *  - rules whose action is the default action are refused (-EACCES): they
 *    are skipped, which is the same meaning as long as rules for one
 *    syscall with different actions never overlap;
 *  - libseccomp merges all rules of a syscall into one decision tree and an
 *    unconditional rule replaces conditional ones: only "first matching
 *    rule wins" policies without overlaps between different actions mean
 *    the same in both;
 *  - two comparisons on the same argument in one rule are refused (-EINVAL);
 *  - on 32-bit arches (i386, and x32 for libseccomp) only the low word of a
 *    value is compared;
 *  - a rule's ERRNO data must be below 4095 (the kernel accepts 4095);
 *  - syscalls libseccomp does not know (its table stops at Linux 6.0).
 */
#ifndef MOAT_TEST_LIBSECCOMP_BUILD_H
#define MOAT_TEST_LIBSECCOMP_BUILD_H

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "moat/compile.h"
#include "moat/policy.h"

static uint32_t lsc_arch_token(enum moat_arch a)
{
	switch (a) {
	case MOAT_ARCH_X86_64:
		return SCMP_ARCH_X86_64;
	case MOAT_ARCH_I386:
		return SCMP_ARCH_X86;
	case MOAT_ARCH_X32:
		return SCMP_ARCH_X32;
	case MOAT_ARCH_AARCH64:
		return SCMP_ARCH_AARCH64;
	default:
		return 0;
	}
}

static enum scmp_compare lsc_op(uint8_t op)
{
	switch (op) {
	case MOAT_OP_EQ:
		return SCMP_CMP_EQ;
	case MOAT_OP_NE:
		return SCMP_CMP_NE;
	case MOAT_OP_LT:
		return SCMP_CMP_LT;
	case MOAT_OP_LE:
		return SCMP_CMP_LE;
	case MOAT_OP_GT:
		return SCMP_CMP_GT;
	case MOAT_OP_GE:
		return SCMP_CMP_GE;
	case MOAT_OP_MASKED_EQ:
		return SCMP_CMP_MASKED_EQ;
	default:
		return _SCMP_CMP_MIN;
	}
}

/* Adds RULE, expanding IN comparisons (recursively, one value at a time). */
static int lsc_add_expanded(scmp_filter_ctx ctx, uint32_t action, int nr, const struct moat_rule *r,
			    struct scmp_arg_cmp *cmps, uint32_t i)
{
	if (i == r->ncmps) {
		int err = seccomp_rule_add_array(ctx, action, nr, r->ncmps, cmps);
		/* Refused: a rule with the default action (it means nothing there), an identical rule. */
		return err == -EACCES || err == -EEXIST ? 0 : err;
	}
	const struct moat_cmp *c = &r->cmps[i];
	cmps[i].arg = c->arg;
	if (c->op != MOAT_OP_IN) {
		cmps[i].op = lsc_op(c->op);
		cmps[i].datum_a = c->op == MOAT_OP_MASKED_EQ ? c->mask : c->value;
		cmps[i].datum_b = c->op == MOAT_OP_MASKED_EQ ? c->value : 0;
		return lsc_add_expanded(ctx, action, nr, r, cmps, i + 1);
	}
	for (uint32_t j = 0; j < c->nset; j++) {
		cmps[i].op = SCMP_CMP_EQ;
		cmps[i].datum_a = c->set[j];
		cmps[i].datum_b = 0;
		int err = lsc_add_expanded(ctx, action, nr, r, cmps, i + 1);
		if (err)
			return err;
	}
	return 0;
}

static int lsc_export(scmp_filter_ctx ctx, struct moat_prog *out)
{
	int fd = memfd_create("moat-libseccomp", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	int err = seccomp_export_bpf(ctx, fd);
	off_t size = err ? 0 : lseek(fd, 0, SEEK_END);
	if (!err && (size <= 0 || size % sizeof(struct moat_insn)))
		err = -EIO;
	struct moat_insn *insns = err ? NULL : malloc((size_t)size);
	if (!err && !insns)
		err = -ENOMEM;
	if (!err && pread(fd, insns, (size_t)size, 0) != size)
		err = -EIO;
	close(fd);
	if (err) {
		free(insns);
		return err;
	}
	out->insns = insns;
	out->len = (size_t)size / sizeof(struct moat_insn);
	out->origin = NULL;
	return 0;
}

/*
 * Compiles P with libseccomp at OPTIMIZE level (1: default, 2: binary tree)
 * into OUT (insns malloc'd, origin NULL; free with lsc_prog_release).
 * Rules naming a syscall libseccomp does not know are skipped and counted
 * in *SKIPPED when not NULL. 0 or -errno from libseccomp.
 */
static int lsc_build(const struct moat_policy *p, int optimize, struct moat_prog *out,
		     size_t *skipped)
{
	scmp_filter_ctx ctx = seccomp_init(moat_action_ret(p->default_action));
	uint32_t arches = moat_policy_arches(p);
	int err = 0;

	if (!ctx)
		return -EINVAL;
	if (skipped)
		*skipped = 0;
	if (!(arches & MOAT_ARCH_BIT(moat_arch_native())))
		err = seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
	for (int a = 0; !err && a < MOAT_ARCH__COUNT; a++) {
		if ((arches & MOAT_ARCH_BIT(a)) && a != (int)moat_arch_native())
			err = seccomp_arch_add(ctx, lsc_arch_token(a));
	}
	if (!err)
		err = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
				       moat_action_ret(p->badarch_action));
	if (!err && optimize)
		err = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, (uint32_t)optimize);
	for (size_t i = 0; !err && i < p->nrules; i++) {
		const struct moat_rule *r = &p->rules[i];
		struct scmp_arg_cmp cmps[16];
		int nr = seccomp_syscall_resolve_name(r->syscall);

		if (nr == __NR_SCMP_ERROR || r->ncmps > 16) {
			if (skipped)
				(*skipped)++;
			continue;
		}
		err = lsc_add_expanded(ctx, moat_action_ret(r->action), nr, r, cmps, 0);
	}
	if (!err)
		err = lsc_export(ctx, out);
	seccomp_release(ctx);
	return err;
}

/*
 * lsc_build in a child process given TIMEOUT_MS: libseccomp 2.5.4 does not
 * return from seccomp_rule_add for some rule sets (e.g. two rules
 * `a3 > 0x80 && a4 == 2` and `a3 > 0x80 && a4 == 0x100000000`), and a test
 * must not hang on the peer's bug. -ETIMEDOUT when the child had to be
 * stopped.
 */
static int lsc_build_guarded(const struct moat_policy *p, int optimize, struct moat_prog *out,
			     unsigned timeout_ms)
{
	const size_t cap = 1u << 20;
	struct lsc_reply {
		int err;
		size_t len;
		struct moat_insn insns[];
	} *reply = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status, err;

	if (reply == MAP_FAILED)
		return -errno;
	reply->err = -ECHILD;
	/* The child holds the pipe's write end: EOF on the read end means it ended. */
	int done[2];
	if (pipe2(done, O_CLOEXEC)) {
		err = -errno;
		munmap(reply, cap);
		return err;
	}
	pid_t pid = fork();
	if (pid < 0) {
		err = -errno;
		close(done[0]);
		close(done[1]);
		munmap(reply, cap);
		return err;
	}
	if (pid == 0) {
		struct moat_prog prog = { 0 };

		close(done[0]);
		reply->err = lsc_build(p, optimize, &prog, NULL);
		if (!reply->err) {
			if (prog.len * sizeof(prog.insns[0]) > cap - sizeof(*reply)) {
				reply->err = -E2BIG;
			} else {
				memcpy(reply->insns, prog.insns, prog.len * sizeof(prog.insns[0]));
				reply->len = prog.len;
			}
		}
		_exit(0);
	}
	close(done[1]);
	struct pollfd pfd = { done[0], POLLIN, 0 };
	int n;
	while ((n = poll(&pfd, 1, (int)timeout_ms)) < 0 && errno == EINTR)
		;
	bool timed_out = n == 0;
	if (timed_out)
		kill(pid, SIGKILL);
	close(done[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	err = timed_out ? -ETIMEDOUT : reply->err;
	if (!err) {
		out->insns = malloc(reply->len * sizeof(out->insns[0]));
		if (out->insns) {
			memcpy(out->insns, reply->insns, reply->len * sizeof(out->insns[0]));
			out->len = reply->len;
			out->origin = NULL;
		} else {
			err = -ENOMEM;
		}
	}
	munmap(reply, cap);
	return err;
}

static void lsc_prog_release(struct moat_prog *prog)
{
	free(prog->insns);
	prog->insns = NULL;
	prog->len = 0;
}

#endif
