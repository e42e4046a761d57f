// SPDX-License-Identifier: MIT
/*
 * bench/compile_bench: what a compiled filter costs a real workload, moat
 * next to libseccomp (its default and SCMP_FLTATR_CTL_OPTIMIZE=2):
 *  - program length and compile time (thread CPU time, best of N);
 *  - BPF instructions executed per syscall over a realistic syscall mix
 *    (counts from `strace -f -c`, bench/data/mix-*.txt), on x86_64;
 *  - on arg-checked syscalls: average and worst over boundary arguments
 *    taken from the policy's own values;
 *  - the share of arg-independent allowed syscalls the kernel's action cache
 *    serves without running the filter (moat_sim_cache_allows);
 *  - ns per syscall in the kernel (getppid loop in a forked child under the
 *    filter, thread CPU time, best of N) for a cached, an arg-checked and a
 *    denied syscall.
 *
 *   compile_bench MIX[,MIX...] POLICY...   (.moat or OCI JSON; Markdown on stdout)
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "moat/compile.h"
#include "moat/policy.h"
#include "moat/syscalls.h"
#include "libseccomp_build.h"

#define COMPILE_ROUNDS 50
#define KERNEL_CALLS 200000
#define KERNEL_ROUNDS 9

struct mix {
	char name[64];
	uint64_t count;
};

#define MAX_MIXES 4
static struct mix mixv[MAX_MIXES][512];
static size_t nmix[MAX_MIXES], nmixes;
static const char *mix_names[MAX_MIXES];

static double thread_cpu(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int load_mix(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t m = nmixes;

	if (!f || m == MAX_MIXES) {
		if (f)
			fclose(f);
		return -EINVAL;
	}
	while (fgets(line, sizeof(line), f) && nmix[m] < 512) {
		struct mix *x = &mixv[m][nmix[m]];
		unsigned long long c;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%63s %llu", x->name, &c) == 2) {
			x->count = c;
			nmix[m]++;
		}
	}
	fclose(f);
	mix_names[m] = path;
	nmixes++;
	return 0;
}

/* A compiler under test: moat at a level, or libseccomp at a level. */
struct compiler {
	const char *name;
	bool lsc;
	int level;
};

static const struct compiler compilers[] = {
	{ "libseccomp 2.5.4 (default)", true, 1 },
	{ "libseccomp 2.5.4 optimize=2", true, 2 },
	{ "moat -O1 (default)", false, 1 },
	{ "moat -O2", false, 2 },
};

static int build(const struct compiler *c, const struct moat_policy *p, struct moat_prog *out)
{
	if (c->lsc)
		return lsc_build(p, c->level, out, NULL);

	struct moat_compile_opts opts = { .optimize = c->level };
	struct moat_prog *prog = NULL;
	int err = moat_compile(p, &opts, &prog, NULL);

	if (err)
		return err;
	*out = *prog;
	free(prog);
	return 0;
}

static void release(const struct compiler *c, struct moat_prog *prog)
{
	if (!c->lsc)
		free(prog->origin);
	free(prog->insns);
	*prog = (struct moat_prog){ 0 };
}

/* Rules of SYSCALL: any with a condition? all unconditional ALLOW? */
static void rule_kind(const struct moat_policy *p, const char *name, bool *argdep, bool *allow)
{
	*argdep = false;
	*allow = false;
	for (size_t i = 0; i < p->nrules; i++) {
		if (strcmp(p->rules[i].syscall, name))
			continue;
		if (p->rules[i].ncmps)
			*argdep = true;
		else if (!*argdep && p->rules[i].action.kind == MOAT_ACT_ALLOW)
			*allow = true;
		if (!p->rules[i].ncmps)
			break; /* first unconditional rule decides the rest */
	}
	if (*argdep)
		*allow = false;
}

static size_t run(const struct moat_prog *prog, uint32_t nr, const uint64_t args[6])
{
	struct moat_seccomp_data d = { .nr = (int32_t)nr, .arch = AUDIT_ARCH_X86_64 };
	struct moat_sim_result r = { 0 };

	memcpy(d.args, args, sizeof(d.args));
	if (moat_sim_run(prog, &d, &r))
		return 0;
	return r.executed;
}

/* Boundary arguments for one arg-checked syscall: values of its rules, +-1. */
static size_t witnesses(const struct moat_policy *p, const char *name, uint64_t (*out)[6],
			size_t cap)
{
	size_t n = 0;

	memset(out[n++], 0, sizeof(out[0]));
	for (size_t i = 0; i < p->nrules; i++) {
		const struct moat_rule *r = &p->rules[i];

		if (strcmp(r->syscall, name))
			continue;
		for (uint32_t j = 0; j < r->ncmps; j++) {
			const struct moat_cmp *c = &r->cmps[j];
			uint64_t base[8];
			size_t nb = 0;

			if (c->op == MOAT_OP_IN)
				for (uint32_t k = 0; k < c->nset && nb < 6; k++)
					base[nb++] = c->set[k];
			else
				base[nb++] = c->value;
			if (c->op == MOAT_OP_MASKED_EQ)
				base[nb++] = c->value | ~c->mask;
			for (size_t b = 0; b < nb; b++) {
				const uint64_t vs[3] = { base[b] - 1, base[b], base[b] + 1 };
				for (int v = 0; v < 3 && n < cap; v++) {
					memset(out[n], 0, sizeof(out[0]));
					out[n][c->arg] = vs[v];
					n++;
				}
			}
		}
	}
	return n;
}

struct result {
	size_t len;
	double compile_us;
	double mix_avg[MAX_MIXES]; /* weighted by each mix */
	double argdep_avg;	   /* over arg-checked syscalls and their witnesses */
	size_t argdep_worst;
	size_t cached, cacheable; /* arg-independent allowed syscalls the cache serves */
	double ns[3];		  /* cached, arg-checked, denied getppid */
};

/* ---- Kernel cost: getppid under the filter in a forked child. ---- */

/*
 * CPU time (user + system) of a child that installs PROG and calls getppid
 * KERNEL_CALLS times, per call, best of KERNEL_ROUNDS. Measured from the
 * parent with wait4's rusage: the filter may refuse clock_gettime with a
 * CPU clock (no vDSO for those), and other jobs' load does not count.
 */
static double kernel_ns(const struct moat_prog *prog, uint64_t arg0)
{
	struct sock_fprog fprog = { (unsigned short)prog->len, (struct sock_filter *)prog->insns };
	double best = -1;

	for (int round = 0; round < KERNEL_ROUNDS; round++) {
		struct rusage ru;
		int st;
		pid_t pid = fork();

		if (pid == 0) {
			if (prog->len &&
			    (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
			     syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog)))
				_exit(1);
			for (long i = 0; i < KERNEL_CALLS; i++)
				syscall(__NR_getppid, arg0, 0, 0, 0, 0, 0);
			syscall(__NR_exit_group, 0);
			_exit(0); /* exit_group refused by the filter: _exit tries exit */
		}
		if (wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
			continue;
		double ns = ((double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
			     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3) /
			    KERNEL_CALLS;
		if (best < 0 || ns < best)
			best = ns;
	}
	return best;
}

/*
 * Three variants of P for the getppid loop: as the policy says with getppid
 * allowed outright (the cache serves it), allowed only if arg0 == 0 (the
 * filter runs its argument check), and without any getppid rule (the
 * default action: denied).
 */
static struct moat_policy *variant(const struct moat_policy *p, int kind)
{
	struct moat_policy *v = moat_policy_dup(p);
	const struct moat_loc loc = { 0 };
	const struct moat_cmp c = { .arg = 0, .op = MOAT_OP_EQ, .value = 0 };
	const struct moat_action allow = { MOAT_ACT_ALLOW, 0 };
	size_t o = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < v->nrules; i++) {
		if (!strcmp(v->rules[i].syscall, "getppid"))
			moat_rule_release(&v->rules[i]);
		else
			v->rules[o++] = v->rules[i];
	}
	v->nrules = o;
	if (kind < 2 && moat_policy_add_rule(v, "getppid", allow, &c, kind, loc, NULL)) {
		moat_policy_free(v);
		return NULL;
	}
	return v;
}

static int measure(const struct compiler *c, const struct moat_policy *p, struct result *res)
{
	struct moat_prog prog;
	int err;

	memset(res, 0, sizeof(*res));
	/* Compile time: best of COMPILE_ROUNDS. */
	res->compile_us = -1;
	for (int i = 0; i < COMPILE_ROUNDS; i++) {
		double t0 = thread_cpu();
		err = build(c, p, &prog);
		double t = (thread_cpu() - t0) / 1e3;
		if (err)
			return err;
		if (res->compile_us < 0 || t < res->compile_us)
			res->compile_us = t;
		if (i + 1 < COMPILE_ROUNDS)
			release(c, &prog);
	}
	res->len = prog.len;

	/* The mixes: zero arguments (strace -c gives no arguments). */
	for (size_t m = 0; m < nmixes; m++) {
		double wsum = 0, xsum = 0;
		for (size_t i = 0; i < nmix[m]; i++) {
			int64_t nr = moat_syscall_nr(MOAT_ARCH_X86_64, mixv[m][i].name);
			const uint64_t zero[6] = { 0 };
			if (nr < 0)
				continue;
			wsum += (double)mixv[m][i].count;
			xsum += (double)mixv[m][i].count * (double)run(&prog, (uint32_t)nr, zero);
		}
		res->mix_avg[m] = wsum ? xsum / wsum : 0;
	}

	/* Every x86_64 syscall: arg-checked ones over witnesses, cache for the others. */
	size_t nsc = moat_syscall_count(MOAT_ARCH_X86_64), nargdep = 0;
	double asum = 0;
	for (size_t i = 0; i < nsc; i++) {
		const char *name;
		uint32_t nr;
		bool argdep, allow;
		uint64_t w[256][6];

		moat_syscall_at(MOAT_ARCH_X86_64, i, &name, &nr);
		rule_kind(p, name, &argdep, &allow);
		if (allow) {
			res->cacheable++;
			res->cached += moat_sim_cache_allows(&prog, AUDIT_ARCH_X86_64, nr);
		}
		if (!argdep)
			continue;
		size_t nw = witnesses(p, name, w, 256);
		for (size_t k = 0; k < nw; k++) {
			size_t x = run(&prog, nr, w[k]);
			asum += (double)x;
			nargdep++;
			if (x > res->argdep_worst)
				res->argdep_worst = x;
		}
	}
	res->argdep_avg = nargdep ? asum / (double)nargdep : 0;
	release(c, &prog);

	/* The kernel: getppid cached, arg-checked, denied. */
	for (int k = 0; k < 3; k++) {
		struct moat_policy *v = variant(p, k);
		if (!v || build(c, v, &prog)) {
			moat_policy_free(v);
			res->ns[k] = -1;
			continue;
		}
		res->ns[k] = kernel_ns(&prog, 0);
		release(c, &prog);
		moat_policy_free(v);
	}
	return 0;
}

static void ratio(char *buf, size_t size, double v, double base, const char *fmt)
{
	char num[32];

	snprintf(num, sizeof(num), fmt, v);
	if (base > 0)
		snprintf(buf, size, "%s (%.2fx)", num, v / base);
	else
		snprintf(buf, size, "%s", num);
}

static int bench_policy(const char *path)
{
	struct moat_oci_opts oopts = { .host_arch_only = true };
	struct moat_policy *p = NULL;
	struct moat_diags diags;
	struct result res[4];
	int err;

	moat_diags_init(&diags);
	err = moat_policy_load(path, NULL, &oopts, &p, &diags);
	moat_diags_free(&diags);
	if (err) {
		fprintf(stderr, "compile_bench: %s: cannot load (%d)\n", path, err);
		return err;
	}
	/* The kernel numbers are for x86_64: keep the policy to the native ABI. */
	p->arches = MOAT_ARCH_BIT(MOAT_ARCH_X86_64);
	for (size_t i = 0; i < 4; i++) {
		err = measure(&compilers[i], p, &res[i]);
		if (err) {
			fprintf(stderr, "compile_bench: %s: %s failed (%d)\n", path,
				compilers[i].name, err);
			moat_policy_free(p);
			return err;
		}
	}
	printf("\n`%s` (%zu rules, x86_64):\n\n", path, p->nrules);
	printf("| compiler | length |");
	for (size_t m = 0; m < nmixes; m++)
		printf(" executed, mix %zu |", m + 1);
	printf(" executed, arg-checked avg / worst | cache-served | compile | ns cached | "
	       "ns arg-checked | ns denied |\n|---|---|");
	for (size_t m = 0; m < nmixes; m++)
		printf("---|");
	printf("---|---|---|---|---|---|\n");
	for (size_t i = 0; i < 4; i++) {
		const struct result *r = &res[i], *b = &res[0];
		char len[48], mix[MAX_MIXES][48], arg[48], cmp[48], ns[3][48];

		ratio(len, sizeof(len), (double)r->len, i ? (double)b->len : 0, "%.0f");
		for (size_t m = 0; m < nmixes; m++)
			ratio(mix[m], sizeof(mix[m]), r->mix_avg[m], i ? b->mix_avg[m] : 0, "%.2f");
		ratio(arg, sizeof(arg), r->argdep_avg, i ? b->argdep_avg : 0, "%.2f");
		ratio(cmp, sizeof(cmp), r->compile_us, i ? b->compile_us : 0, "%.0f us");
		for (int k = 0; k < 3; k++)
			ratio(ns[k], sizeof(ns[k]), r->ns[k], i ? b->ns[k] : 0, "%.0f");
		printf("| %s | %s |", compilers[i].name, len);
		for (size_t m = 0; m < nmixes; m++)
			printf(" %s |", mix[m]);
		printf(" %s / %zu | %zu/%zu (%.0f%%) | %s | %s | %s | %s |\n", arg, r->argdep_worst,
		       r->cached, r->cacheable,
		       r->cacheable ? 100.0 * (double)r->cached / (double)r->cacheable : 0, cmp,
		       ns[0], ns[1], ns[2]);
	}
	moat_policy_free(p);
	return 0;
}

int main(int argc, char **argv)
{
	struct moat_prog none = { 0 };
	int rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: compile_bench MIX[,MIX...] POLICY...\n");
		return 2;
	}
	char *mixes = strdup(argv[1]), *save = NULL;
	for (char *m = strtok_r(mixes, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		if (load_mix(m)) {
			fprintf(stderr, "compile_bench: cannot read %s\n", m);
			return 1;
		}
		printf("Mix %zu: %s (%zu syscalls)\n", nmixes, m, nmix[nmixes - 1]);
	}
	printf("getppid without a filter: %.0f ns\n", kernel_ns(&none, 0));
	for (int i = 2; i < argc; i++)
		rc |= bench_policy(argv[i]) ? 1 : 0;
	return rc;
}
