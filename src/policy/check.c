// SPDX-License-Identifier: MIT
/*
 * moat check: findings about a policy's security and robustness.
 *
 * Questions like "is ptrace allowed?" are answered on the model with the
 * policy's own semantics (first matching rule, else the default) over a set
 * of witness argument vectors: zeros, all ones, one vector satisfying each
 * rule of the syscall, and syscall-specific ones (namespace flags for clone
 * and unshare, ADDR_NO_RANDOMIZE for personality). A syscall is "allowed"
 * when some witness is allowed: a conditional allow counts, with the rule
 * that allows it as the finding's location.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moat/check.h"
#include "moat/policy.h"

void moat_findings_init(struct moat_findings *f)
{
	memset(f, 0, sizeof(*f));
}

void moat_findings_free(struct moat_findings *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].syscall);
		free(f->v[i].msg);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

static int add(struct moat_findings *f, const char *id, int sev, const char *syscall,
	       struct moat_loc loc, const char *why, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static int add(struct moat_findings *f, const char *id, int sev, const char *syscall,
	       struct moat_loc loc, const char *why, const char *fmt, ...)
{
	struct moat_finding x = { .id = id, .severity = sev, .why = why, .loc = loc };
	va_list ap;
	int n;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct moat_finding *v = realloc(f->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		f->v = v;
		f->cap = cap;
	}
	va_start(ap, fmt);
	n = vasprintf(&x.msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	if (syscall && !(x.syscall = strdup(syscall))) {
		free(x.msg);
		return -ENOMEM;
	}
	f->v[f->n++] = x;
	if (sev == MOAT_DIAG_ERROR)
		f->nerrors++;
	return 0;
}

/* ---- First-match evaluation on the model ---- */

struct moat_action moat_policy_decide(const struct moat_policy *p, const char *syscall,
				      const uint64_t args[6], long *rule)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct moat_rule *r = &p->rules[i];
		bool all = true;

		if (strcmp(r->syscall, syscall))
			continue;
		for (uint32_t k = 0; k < r->ncmps && all; k++)
			all = r->cmps[k].arg <= 5 &&
			      moat_cmp_holds(&r->cmps[k], args[r->cmps[k].arg]);
		if (all) {
			if (rule)
				*rule = (long)i;
			return r->action;
		}
	}
	if (rule)
		*rule = -1;
	return p->default_action;
}

static bool permits(struct moat_action a)
{
	return a.kind == MOAT_ACT_ALLOW || a.kind == MOAT_ACT_LOG;
}

void moat_rule_witness(const struct moat_rule *r, uint64_t args[6])
{
	uint32_t set = 0;

	memset(args, 0, 6 * sizeof(*args));
	for (uint32_t k = 0; k < r->ncmps; k++) {
		const struct moat_cmp *c = &r->cmps[k];
		uint64_t v = c->value;

		if (c->arg > 5 || (set & (1u << c->arg)))
			continue;
		set |= 1u << c->arg;
		switch (c->op) {
		case MOAT_OP_NE:
			v = c->value + 1;
			break;
		case MOAT_OP_LT:
			v = c->value ? c->value - 1 : 0;
			break;
		case MOAT_OP_GT:
			v = c->value + 1;
			break;
		case MOAT_OP_IN:
			v = c->nset ? c->set[0] : 0;
			break;
		default: /* EQ, LE, GE: the value; MASKED_EQ: the datum */
			break;
		}
		args[c->arg] = v;
	}
}

/*
 * Is SYSCALL allowed for some witness? EXTRA (n vectors) adds specific ones;
 * when EXTRA is given only those are tried (the question is about them).
 * *rule: the deciding rule (-1: the default).
 */
static bool allowed(const struct moat_policy *p, const char *syscall, const uint64_t (*extra)[6],
		    size_t nextra, long *rule)
{
	uint64_t w[6];

	if (extra) {
		for (size_t i = 0; i < nextra; i++)
			if (permits(moat_policy_decide(p, syscall, extra[i], rule)))
				return true;
		return false;
	}
	memset(w, 0, sizeof(w));
	if (permits(moat_policy_decide(p, syscall, w, rule)))
		return true;
	memset(w, 0xff, sizeof(w));
	if (permits(moat_policy_decide(p, syscall, w, rule)))
		return true;
	for (size_t i = 0; i < p->nrules; i++) {
		if (strcmp(p->rules[i].syscall, syscall))
			continue;
		moat_rule_witness(&p->rules[i], w);
		if (permits(moat_policy_decide(p, syscall, w, rule)))
			return true;
	}
	return false;
}

static bool exists(const struct moat_policy *p, const char *name)
{
	uint32_t arches = moat_policy_arches(p);

	for (int a = 0; a < MOAT_ARCH__COUNT; a++)
		if ((arches & MOAT_ARCH_BIT(a)) && moat_syscall_nr(a, name) >= 0)
			return true;
	return false;
}

static struct moat_loc loc_of(const struct moat_policy *p, long rule)
{
	return rule >= 0 ? p->rules[rule].loc : p->default_loc;
}

/* ---- The findings ---- */

static const struct {
	const char *name;
	int severity;
	const char *why;
} dangerous[] = {
	{ "kexec_load", MOAT_DIAG_ERROR, "loads a new kernel: full control of the machine" },
	{ "kexec_file_load", MOAT_DIAG_ERROR, "loads a new kernel: full control of the machine" },
	{ "init_module", MOAT_DIAG_ERROR, "loads kernel code" },
	{ "finit_module", MOAT_DIAG_ERROR, "loads kernel code" },
	{ "delete_module", MOAT_DIAG_ERROR, "unloads kernel modules" },
	{ "ptrace", MOAT_DIAG_WARNING,
	  "reads and writes other processes' memory and registers; a classic seccomp bypass "
	  "on kernels before 4.8 and a sandbox escape when a tracee is outside the sandbox" },
	{ "process_vm_writev", MOAT_DIAG_WARNING, "writes another process's memory" },
	{ "process_vm_readv", MOAT_DIAG_WARNING, "reads another process's memory" },
	{ "bpf", MOAT_DIAG_WARNING,
	  "loads programs into the kernel; a large attack surface (many past exploits)" },
	{ "perf_event_open", MOAT_DIAG_WARNING,
	  "kernel profiling: side channels and a history of kernel bugs" },
	{ "keyctl", MOAT_DIAG_WARNING, "the kernel keyring is not namespaced" },
	{ "add_key", MOAT_DIAG_WARNING, "the kernel keyring is not namespaced" },
	{ "request_key", MOAT_DIAG_WARNING, "the kernel keyring is not namespaced" },
	{ "userfaultfd", MOAT_DIAG_WARNING,
	  "lets a process stall the kernel on a page fault: makes kernel races easy to win" },
	{ "io_uring_setup", MOAT_DIAG_WARNING,
	  "io_uring performs I/O without syscalls: seccomp never sees those operations" },
	{ "io_uring_enter", MOAT_DIAG_WARNING,
	  "io_uring performs I/O without syscalls: seccomp never sees those operations" },
	{ "io_uring_register", MOAT_DIAG_WARNING,
	  "io_uring performs I/O without syscalls: seccomp never sees those operations" },
	{ "mount", MOAT_DIAG_WARNING, "changes the file system view (with privileges)" },
	{ "umount", MOAT_DIAG_WARNING, "changes the file system view (with privileges)" },
	{ "umount2", MOAT_DIAG_WARNING, "changes the file system view (with privileges)" },
	{ "pivot_root", MOAT_DIAG_WARNING, "changes the root file system" },
	{ "move_mount", MOAT_DIAG_WARNING, "the new mount API: changes the file system view" },
	{ "open_tree", MOAT_DIAG_WARNING, "the new mount API: changes the file system view" },
	{ "fsopen", MOAT_DIAG_WARNING, "the new mount API: changes the file system view" },
	{ "fsmount", MOAT_DIAG_WARNING, "the new mount API: changes the file system view" },
	{ "fsconfig", MOAT_DIAG_WARNING, "the new mount API: changes the file system view" },
	{ "fspick", MOAT_DIAG_WARNING, "the new mount API: changes the file system view" },
	{ "mount_setattr", MOAT_DIAG_WARNING, "the new mount API: changes the file system view" },
};

static const char why_default[] =
	"every syscall the policy does not list runs, including ones added to the kernel "
	"after the policy was written: an allow-list (default errno/kill) is the safe shape";

/*
 * Namespace flags (linux/sched.h). clone's low byte is the exit signal
 * (SIGCHLD here), so CLONE_NEWTIME (0x80) exists only for unshare and clone3.
 */
static const uint64_t clone_ns[][6] = {
	{ 0x10000000 | 17 }, /* CLONE_NEWUSER */
	{ 0x00020000 | 17 }, /* CLONE_NEWNS */
	{ 0x20000000 | 17 }, /* CLONE_NEWPID */
	{ 0x40000000 | 17 }, /* CLONE_NEWNET */
	{ 0x08000000 | 17 }, /* CLONE_NEWIPC */
	{ 0x04000000 | 17 }, /* CLONE_NEWUTS */
	{ 0x02000000 | 17 }, /* CLONE_NEWCGROUP */
};
static const uint64_t unshare_ns[][6] = {
	{ 0x10000000 }, { 0x00020000 }, { 0x20000000 }, { 0x40000000 },
	{ 0x08000000 }, { 0x04000000 }, { 0x02000000 }, { 0x00000080 }, /* CLONE_NEWTIME */
};

static int check_dangerous(const struct moat_policy *p, struct moat_findings *f)
{
	/* personality(ADDR_NO_RANDOMIZE), personality(READ_IMPLIES_EXEC). */
	static const uint64_t pers[][6] = { { 0x0040000 }, { 0x0400000 } };
	char act[48];
	long rule;
	int err = 0;

	for (size_t i = 0; !err && i < sizeof(dangerous) / sizeof(dangerous[0]); i++) {
		const char *sc = dangerous[i].name;

		if (!exists(p, sc) || !allowed(p, sc, NULL, 0, &rule))
			continue;
		moat_action_format(rule >= 0 ? p->rules[rule].action : p->default_action, act,
				   sizeof(act));
		err = add(f, "dangerous-syscall", dangerous[i].severity, sc, loc_of(p, rule),
			  dangerous[i].why, "%s is allowed%s (%s)", sc,
			  rule >= 0 && p->rules[rule].ncmps ? " for some arguments" : "",
			  rule >= 0 ? act : "by the default action");
	}
	for (int k = 0; !err && k < 2; k++) {
		const char *sc = k ? "unshare" : "clone";

		if (!exists(p, sc) ||
		    !(k ? allowed(p, sc, unshare_ns, sizeof(unshare_ns) / sizeof(unshare_ns[0]),
				  &rule)
			: allowed(p, sc, clone_ns, sizeof(clone_ns) / sizeof(clone_ns[0]), &rule)))
			continue;
		err = add(f, "namespaces", MOAT_DIAG_WARNING, sc, loc_of(p, rule),
			  "new namespaces (user namespaces above all) open kernel interfaces "
			  "normally reserved to root; check arg0 with "
			  "'arg0 & (CLONE_NEWUSER|CLONE_NEWNS|...) == 0'",
			  "%s can create namespaces (CLONE_NEW* flags are allowed)", sc);
	}
	if (!err && exists(p, "personality") && allowed(p, "personality", pers, 2, &rule))
		err = add(f, "personality", MOAT_DIAG_WARNING, "personality", loc_of(p, rule),
			  "ADDR_NO_RANDOMIZE turns ASLR off and READ_IMPLIES_EXEC makes data "
			  "executable; container defaults allow only 0, PER_LINUX32 (8), "
			  "UNAME26 (0x20000), their OR and the query 0xffffffff",
			  "personality is unrestricted (ADDR_NO_RANDOMIZE is allowed)");
	return err;
}

static int check_abis(const struct moat_policy *p, struct moat_findings *f)
{
	uint32_t arches = moat_policy_arches(p);
	struct moat_loc loc = { p->nfiles ? p->files[0] : NULL, 0, 0 };
	int err = 0;

	/* Only where the native ABI is x86_64 are i386 and x32 an extra door. */
	if (!(arches & MOAT_ARCH_BIT(MOAT_ARCH_X86_64)))
		return 0;
	if (arches & MOAT_ARCH_BIT(MOAT_ARCH_I386))
		err = add(f, "compat-abi", MOAT_DIAG_WARNING, NULL, loc,
			  "an x86_64 process can still enter the kernel through int 0x80 with "
			  "the i386 table; unless the sandbox runs 32-bit programs, leave i386 out "
			  "(its syscalls then get the badarch action)",
			  "the policy allows the i386 ABI on x86_64");
	if (!err && (arches & MOAT_ARCH_BIT(MOAT_ARCH_X32)))
		err = add(f, "compat-abi", MOAT_DIAG_WARNING, NULL, loc,
			  "x32 numbers (with __X32_SYSCALL_BIT) are a second table on x86_64; "
			  "almost nothing uses x32: leave it out unless you need it",
			  "the policy allows the x32 ABI");
	return err;
}

static int check_enosys(const struct moat_policy *p, struct moat_findings *f)
{
	struct moat_action u = p->unknown_action;
	static const uint64_t zero[1][6] = { { 0 } };
	struct moat_action c3;
	char act[48];
	long rule, crule = -1;
	bool clone_checked = false;
	int err = 0;

	if (u.kind == MOAT_ACT_ERRNO && u.data != ENOSYS) {
		moat_action_format(u, act, sizeof(act));
		err = add(f, "unknown-not-enosys", MOAT_DIAG_WARNING, NULL, p->unknown_loc,
			  "libc falls back to an older syscall only on ENOSYS; with another "
			  "errno, programs fail on syscalls newer than the policy (write "
			  "'unknown errno ENOSYS')",
			  "syscalls unknown to the policy get '%s', not ENOSYS", act);
	}
	if (err || !exists(p, "clone3"))
		return err;
	for (size_t i = 0; i < p->nrules; i++)
		if (!strcmp(p->rules[i].syscall, "clone") && p->rules[i].ncmps) {
			clone_checked = true;
			crule = (long)i;
			break;
		}
	c3 = moat_policy_decide(p, "clone3", zero[0], &rule);
	if (c3.kind == MOAT_ACT_ERRNO && c3.data == ENOSYS)
		return 0;
	moat_action_format(c3, act, sizeof(act));
	if (permits(c3) && clone_checked)
		return add(f, "clone3", MOAT_DIAG_ERROR, "clone3", loc_of(p, rule),
			   "clone3 passes its flags in memory, where seccomp cannot read them: "
			   "allowing it bypasses the checks on clone's flags; answer 'errno ENOSYS "
			   "clone3' and libc falls back to clone",
			   "clone3 is allowed while clone's flags are checked (rule at line %u)",
			   p->rules[crule].loc.line);
	if (!permits(c3))
		return add(f, "clone3", MOAT_DIAG_WARNING, "clone3", loc_of(p, rule),
			   "glibc 2.34+ and other libcs try clone3 first and fall back to clone "
			   "only on ENOSYS: any other answer breaks thread and process creation",
			   "clone3 gets '%s', not ENOSYS", act);
	return 0;
}

static const char *intern(const struct moat_policy *p, const char *file)
{
	for (size_t i = 0; file && i < p->nfiles; i++)
		if (!strcmp(p->files[i], file))
			return p->files[i];
	return NULL;
}

/* Validation findings: errors make the policy invalid; shadowed/duplicate rules. */
static int check_valid(const struct moat_policy *p, struct moat_findings *f)
{
	struct moat_diags d;
	int err;

	moat_diags_init(&d);
	err = moat_policy_validate(p, &d);
	if (err == -EINVAL)
		err = 0;
	for (size_t i = 0; !err && i < d.n; i++) {
		const struct moat_diag *g = &d.v[i];
		struct moat_loc loc = { intern(p, g->file), g->line, g->col };
		bool shadow = strstr(g->msg, "shadowed") || strstr(g->msg, "duplicate");

		if (g->level == MOAT_DIAG_NOTE)
			continue;
		err = add(
			f,
			g->level == MOAT_DIAG_ERROR ? "invalid"
			: shadow		    ? "shadowed"
						    : "lint",
			g->level, NULL, loc,
			shadow ? "for one syscall the first matching rule decides: a rule that "
				 "can never match first is dead code, and often a mistake in order"
			       : "the policy cannot be compiled as written",
			"%s", g->msg);
	}
	moat_diags_free(&d);
	return err;
}

static int check_baseline(const struct moat_policy *p, const struct moat_check_opts *o,
			  struct moat_findings *f)
{
	enum moat_arch native = moat_arch_native();
	size_t n = moat_syscall_count(native), count = 0;
	long first = -1;
	char *list = NULL;
	size_t size = 0;
	FILE *m;
	int err = 0;

	m = open_memstream(&list, &size);
	if (!m)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *name;
		uint32_t nr;
		long rule;

		if (moat_syscall_at(native, i, &name, &nr))
			continue;
		if (!allowed(p, name, NULL, 0, &rule) || allowed(o->baseline, name, NULL, 0, NULL))
			continue;
		fprintf(m, "%s%s", count ? " " : "", name);
		if (!count)
			first = rule;
		count++;
	}
	if (fclose(m) || !list) {
		free(list);
		return -ENOMEM;
	}
	if (count)
		err = add(f, "beyond-baseline", MOAT_DIAG_NOTE, NULL, loc_of(p, first),
			  "a syscall the container default denies is either not needed by "
			  "ordinary programs or dangerous in a container; make sure each is needed",
			  "allows %zu syscall%s that %s denies: %s", count, count == 1 ? "" : "s",
			  o->baseline_name ? o->baseline_name : "the container default", list);
	free(list);
	return err;
}

int moat_policy_check(const struct moat_policy *p, const struct moat_check_opts *opts,
		      struct moat_findings *out)
{
	struct moat_check_opts none = { 0 };
	char act[48];
	int err;

	if (!opts)
		opts = &none;
	err = check_valid(p, out);
	if (!err && permits(p->default_action)) {
		moat_action_format(p->default_action, act, sizeof(act));
		err = add(out, "allow-by-default", MOAT_DIAG_ERROR, NULL, p->default_loc,
			  why_default, "the default action is '%s': the policy is a deny-list",
			  act);
	}
	if (!err)
		err = check_dangerous(p, out);
	if (!err)
		err = check_abis(p, out);
	if (!err)
		err = check_enosys(p, out);
	if (!err && opts->baseline)
		err = check_baseline(p, opts, out);
	return err;
}
