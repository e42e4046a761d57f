// SPDX-License-Identifier: MIT
/*
 * bench/compile: moat's seccomp compiler next to libseccomp (optimize=2) on
 * the same policies: program length, instructions executed per syscall
 * (arg-checked ones on boundary arguments, all others with zero arguments),
 * syscalls the kernel's action cache serves, and compile time (CPU, best of
 * N). Run by bench/compile.sh; results go to docs/performance.md.
 *
 *   bench/compile POLICY...      (.moat or OCI JSON)
 */
#include <errno.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "moat/compile.h"

#define ROUNDS 300

static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static struct moat_policy *load(const char *path)
{
	struct moat_oci_opts o = { .host_arch_only = true };
	struct moat_policy *p = NULL;
	struct moat_diags d;
	int err;

	moat_diags_init(&d);
	err = moat_policy_load(path, NULL, &o, &p, &d);
	moat_diags_free(&d);
	return err ? NULL : p;
}

static uint32_t scmp_action(struct moat_action a)
{
	switch (a.kind) {
	case MOAT_ACT_KILL_PROCESS:
		return SCMP_ACT_KILL_PROCESS;
	case MOAT_ACT_KILL_THREAD:
		return SCMP_ACT_KILL_THREAD;
	case MOAT_ACT_TRAP:
		return SCMP_ACT_TRAP;
	case MOAT_ACT_ERRNO:
		return SCMP_ACT_ERRNO(a.data);
	case MOAT_ACT_NOTIFY:
		return SCMP_ACT_NOTIFY;
	case MOAT_ACT_TRACE:
		return SCMP_ACT_TRACE(a.data);
	case MOAT_ACT_LOG:
		return SCMP_ACT_LOG;
	default:
		return SCMP_ACT_ALLOW;
	}
}

/* The same policy through libseccomp; IN becomes one rule per value. */
static scmp_filter_ctx scmp_build(const struct moat_policy *p)
{
	static const uint32_t arch_tok[MOAT_ARCH__COUNT] = { [MOAT_ARCH_X86_64] = SCMP_ARCH_X86_64,
							     [MOAT_ARCH_I386] = SCMP_ARCH_X86,
							     [MOAT_ARCH_X32] = SCMP_ARCH_X32,
							     [MOAT_ARCH_AARCH64] =
								     SCMP_ARCH_AARCH64 };
	static const int ops[] = { SCMP_CMP_EQ, SCMP_CMP_NE, SCMP_CMP_LT,	SCMP_CMP_LE,
				   SCMP_CMP_GT, SCMP_CMP_GE, SCMP_CMP_MASKED_EQ };
	scmp_filter_ctx ctx = seccomp_init(scmp_action(p->default_action));
	uint32_t arches = moat_policy_arches(p);

	if (!ctx)
		return NULL;
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, scmp_action(p->badarch_action));
	if (!(arches & MOAT_ARCH_BIT(moat_arch_native())))
		seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
	for (int a = 0; a < MOAT_ARCH__COUNT; a++)
		if ((arches & MOAT_ARCH_BIT(a)) && a != (int)moat_arch_native())
			seccomp_arch_add(ctx, arch_tok[a]);
	for (size_t r = 0; r < p->nrules; r++) {
		const struct moat_rule *rule = &p->rules[r];
		struct scmp_arg_cmp c[6];
		int nr = seccomp_syscall_resolve_name(rule->syscall);
		uint32_t nc = 0, in_idx = UINT32_MAX;

		if (nr == __NR_SCMP_ERROR || rule->ncmps > 6)
			continue;
		for (uint32_t j = 0; j < rule->ncmps; j++) {
			const struct moat_cmp *m = &rule->cmps[j];

			if (m->op == MOAT_OP_IN) {
				in_idx = nc;
				c[nc++] =
					(struct scmp_arg_cmp){ m->arg, SCMP_CMP_EQ, m->set[0], 0 };
			} else if (m->op == MOAT_OP_MASKED_EQ) {
				c[nc++] = (struct scmp_arg_cmp){ m->arg, SCMP_CMP_MASKED_EQ,
								 m->mask, m->value };
			} else {
				c[nc++] = (struct scmp_arg_cmp){ m->arg, ops[m->op], m->value, 0 };
			}
		}
		if (in_idx == UINT32_MAX) {
			seccomp_rule_add_array(ctx, scmp_action(rule->action), nr, nc, c);
			continue;
		}
		for (uint32_t s = 0; s < rule->cmps[in_idx].nset; s++) {
			c[in_idx].datum_a = rule->cmps[in_idx].set[s];
			seccomp_rule_add_array(ctx, scmp_action(rule->action), nr, nc, c);
		}
	}
	return ctx;
}

static int scmp_prog(scmp_filter_ctx ctx, struct moat_prog *out)
{
	char path[] = "/tmp/moat-bench-XXXXXX";
	int fd = mkstemp(path);
	off_t len;

	if (fd < 0)
		return -errno;
	unlink(path);
	if (seccomp_export_bpf(ctx, fd)) {
		close(fd);
		return -EINVAL;
	}
	len = lseek(fd, 0, SEEK_END);
	out->len = (size_t)len / sizeof(struct moat_insn);
	out->insns = malloc((size_t)len);
	out->origin = calloc(out->len, sizeof(*out->origin));
	if (!out->insns || !out->origin || pread(fd, out->insns, (size_t)len, 0) != len) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

struct exec_stats {
	double argdep_sum, other_sum;
	size_t argdep_n, other_n, cached;
};

static bool is_argdep(const struct moat_policy *p, const char *name)
{
	for (size_t r = 0; r < p->nrules; r++)
		if (!strcmp(p->rules[r].syscall, name))
			return p->rules[r].ncmps > 0;
	return false;
}

/* Executed instructions on the native arch, per syscall class. */
static void measure(const struct moat_policy *p, const struct moat_prog *prog,
		    struct exec_stats *st)
{
	enum moat_arch a = moat_arch_native();
	uint64_t vals[64];
	size_t nvals = 0;

	memset(st, 0, sizeof(*st));
	vals[nvals++] = 0;
	vals[nvals++] = 1;
	for (size_t r = 0; r < p->nrules && nvals < 60; r++)
		for (uint32_t j = 0; j < p->rules[r].ncmps && nvals < 60; j++) {
			vals[nvals++] = p->rules[r].cmps[j].value;
			vals[nvals++] = p->rules[r].cmps[j].value + 1;
		}
	for (size_t i = 0; i < moat_syscall_count(a); i++) {
		struct moat_seccomp_data d = { .arch = moat_arch_audit(a) };
		struct moat_sim_result res = { 0 };
		const char *name;
		uint32_t nr;

		moat_syscall_at(a, i, &name, &nr);
		d.nr = (int32_t)nr;
		if (is_argdep(p, name)) {
			for (size_t v = 0; v < nvals; v++) {
				for (int k = 0; k < 6; k++)
					d.args[k] = vals[(v + (size_t)k) % nvals];
				if (moat_sim_run(prog, &d, &res) == 0) {
					st->argdep_sum += (double)res.executed;
					st->argdep_n++;
				}
			}
			continue;
		}
		if (moat_sim_run(prog, &d, &res) == 0) {
			st->other_sum += (double)res.executed;
			st->other_n++;
		}
		st->cached += moat_sim_cache_allows(prog, d.arch, nr);
	}
}

static void bench_policy(const char *path)
{
	static const struct {
		const char *name;
		struct moat_compile_opts o;
	} levels[] = {
		{ "moat -O0", { .optimize = 0 } },
		{ "moat -O1", { .optimize = 1 } },
		{ "moat -O2", { .optimize = 2 } },
		{ "moat --linear", { .optimize = 1, .linear = true } },
	};
	struct moat_policy *p = load(path);
	struct moat_prog lp = { 0 };
	struct exec_stats ls, ms;
	scmp_filter_ctx ctx;
	double best = 1e9, t;

	if (!p) {
		fprintf(stderr, "bench: cannot load %s\n", path);
		return;
	}
	printf("## %s (%zu rules)\n\n", path, p->nrules);
	printf("| compiler | length | executed, arg-checked syscalls | executed, other "
	       "syscalls | cache-allowed syscalls | compile time |\n|---|---|---|---|---|---|\n");
	for (int r = 0; r < 20; r++) {
		t = cpu_now();
		ctx = scmp_build(p);
		if (r == 0) {
			if (!ctx || scmp_prog(ctx, &lp)) {
				fprintf(stderr, "bench: libseccomp failed on %s\n", path);
				return;
			}
		}
		seccomp_release(ctx);
		t = cpu_now() - t;
		best = t < best ? t : best;
	}
	measure(p, &lp, &ls);
	printf("| libseccomp 2.5 optimize=2 | %zu | %.2f | %.2f | %zu | %.0f us (incl. export) |\n",
	       lp.len, ls.argdep_n ? ls.argdep_sum / (double)ls.argdep_n : 0,
	       ls.other_n ? ls.other_sum / (double)ls.other_n : 0, ls.cached, best * 1e6);
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		struct moat_prog *prog = NULL;

		best = 1e9;
		for (int r = 0; r < ROUNDS; r++) {
			moat_prog_free(prog);
			prog = NULL;
			t = cpu_now();
			if (moat_compile(p, &levels[l].o, &prog, NULL)) {
				fprintf(stderr, "bench: moat_compile failed on %s\n", path);
				return;
			}
			t = cpu_now() - t;
			best = t < best ? t : best;
		}
		measure(p, prog, &ms);
		printf("| %s | %zu (%.2fx) | %.2f (%.2fx) | %.2f (%.2fx) | %zu | %.0f us |\n",
		       levels[l].name, prog->len, (double)prog->len / (double)lp.len,
		       ms.argdep_n ? ms.argdep_sum / (double)ms.argdep_n : 0,
		       ls.argdep_sum > 0 ? (ms.argdep_sum / (double)ms.argdep_n) /
						   (ls.argdep_sum / (double)ls.argdep_n)
					 : 0,
		       ms.other_n ? ms.other_sum / (double)ms.other_n : 0,
		       (ms.other_sum / (double)ms.other_n) / (ls.other_sum / (double)ls.other_n),
		       ms.cached, best * 1e6);
		moat_prog_free(prog);
	}
	printf("\n");
	free(lp.insns);
	free(lp.origin);
	moat_policy_free(p);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench/compile POLICY...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		bench_policy(argv[i]);
	return 0;
}
