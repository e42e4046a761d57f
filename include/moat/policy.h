/* SPDX-License-Identifier: MIT */
/*
 * The policy model: what every source (.moat text, OCI JSON, a recording)
 * produces and every backend (cBPF compiler, OCI/SPO/.moat writers,
 * simulator) consumes.
 *
 * Semantics (documented in docs/policy-language.md):
 *  - A policy covers a set of architectures. A syscall arriving on another
 *    architecture gets badarch_action (kill-process by default).
 *  - Rules name a syscall, an optional condition (all comparisons must hold:
 *    AND) and an action. OR is expressed as several rules.
 *  - For one syscall the FIRST rule, in policy order, whose condition holds
 *    decides. Rules for different syscalls never interact.
 *  - A syscall without a matching rule gets default_action; a number that
 *    the syscall table does not know gets unknown_action (ENOSYS by default,
 *    so that libc falls back for syscalls newer than the policy).
 *  - Arguments are compared as unsigned 64-bit values, as OCI and
 *    libseccomp do.
 */
#ifndef MOAT_POLICY_H
#define MOAT_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "moat/syscalls.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Ordered from strictest to most permissive, as the kernel ranks them. */
enum moat_action_kind {
	MOAT_ACT_KILL_PROCESS = 0,
	MOAT_ACT_KILL_THREAD,
	MOAT_ACT_TRAP,
	MOAT_ACT_ERRNO,
	MOAT_ACT_NOTIFY,
	MOAT_ACT_TRACE,
	MOAT_ACT_LOG,
	MOAT_ACT_ALLOW,
	MOAT_ACT__COUNT,
};

struct moat_action {
	uint32_t kind; /* enum moat_action_kind */
	uint32_t data; /* errno (<= 4095) for ERRNO, tracer value for TRACE */
};

/* SECCOMP_RET_* word for A. */
uint32_t moat_action_ret(struct moat_action a);
/* Inverse of moat_action_ret; -EINVAL for an action word the kernel lacks. */
int moat_action_from_ret(uint32_t ret, struct moat_action *out);
/* "allow", "errno EPERM", "kill", "trace 7", ... as written in .moat. */
int moat_action_format(struct moat_action a, char *buf, size_t size);
bool moat_action_equal(struct moat_action a, struct moat_action b);

enum moat_cmp_op {
	MOAT_OP_EQ = 0,
	MOAT_OP_NE,
	MOAT_OP_LT,
	MOAT_OP_LE,
	MOAT_OP_GT,
	MOAT_OP_GE,
	MOAT_OP_MASKED_EQ, /* (arg & mask) == value */
	MOAT_OP_IN,	   /* arg is one of set[] */
	MOAT_OP__COUNT,
};

struct moat_cmp {
	uint8_t arg; /* 0..5 */
	uint8_t op;  /* enum moat_cmp_op */
	uint64_t value;
	uint64_t mask; /* MASKED_EQ only */
	uint64_t *set; /* IN only: sorted, no duplicates, owned */
	uint32_t nset;
};

/* Where something came from; file points into the policy's file list. */
struct moat_loc {
	const char *file;
	uint32_t line;
	uint32_t col;
};

struct moat_rule {
	char *syscall; /* table name, or "syscall_NNN" for a bare number */
	struct moat_action action;
	struct moat_cmp *cmps; /* AND of all; ncmps == 0: unconditional */
	uint32_t ncmps;
	struct moat_loc loc;
	char *comment; /* optional, kept by writers (e.g. counts from record) */
};

/* A syscall frequency observed by `moat record`, for the compiler's tree. */
struct moat_freq {
	char *syscall;
	uint64_t count;
};

/* Filter flags requested by the policy (OCI "flags"). */
#define MOAT_FLAG_LOG (1u << 0)		  /* SECCOMP_FILTER_FLAG_LOG */
#define MOAT_FLAG_SPEC_ALLOW (1u << 1)	  /* SECCOMP_FILTER_FLAG_SPEC_ALLOW */
#define MOAT_FLAG_WAIT_KILLABLE (1u << 2) /* SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV */
#define MOAT_FLAG_TSYNC (1u << 3)	  /* SECCOMP_FILTER_FLAG_TSYNC */

struct moat_policy {
	struct moat_action default_action;
	struct moat_action unknown_action;
	struct moat_action badarch_action;
	struct moat_loc default_loc, unknown_loc, badarch_loc;
	uint32_t arches; /* MOAT_ARCH_BIT set; 0 = native arch only */

	struct moat_rule *rules;
	size_t nrules, rules_cap;

	struct moat_freq *freq;
	size_t nfreq, freq_cap;

	uint32_t flags;	     /* MOAT_FLAG_* */
	char *listener_path; /* OCI listenerPath, NULL if none */
	char *listener_metadata;

	/* Interned file names that moat_loc.file points to. */
	char **files;
	size_t nfiles;
};

struct moat_policy *moat_policy_new(void); /* NULL + errno on ENOMEM */
void moat_policy_free(struct moat_policy *p);
/* Deep copy; NULL + errno. */
struct moat_policy *moat_policy_dup(const struct moat_policy *p);

/* Returns a stable pointer for NAME owned by the policy; NULL on ENOMEM. */
const char *moat_policy_intern_file(struct moat_policy *p, const char *name);

/*
 * Appends a rule (deep-copies syscall, cmps and their sets; sorts and dedups
 * IN sets). loc.file is interned. 0 or -ENOMEM / -EINVAL (arg > 5, bad op).
 */
int moat_policy_add_rule(struct moat_policy *p, const char *syscall, struct moat_action action,
			 const struct moat_cmp *cmps, uint32_t ncmps, struct moat_loc loc,
			 const char *comment);
/* Adds COUNT to the frequency of SYSCALL. 0 or -ENOMEM. */
int moat_policy_add_freq(struct moat_policy *p, const char *syscall, uint64_t count);
/* Architectures the policy covers (arches, or the native one when empty). */
uint32_t moat_policy_arches(const struct moat_policy *p);

void moat_rule_release(struct moat_rule *r); /* frees what a rule owns */

/* ---- Diagnostics: the library never prints; callers format these. ---- */

enum moat_diag_level {
	MOAT_DIAG_ERROR = 0,
	MOAT_DIAG_WARNING,
	MOAT_DIAG_NOTE,
};

struct moat_diag {
	int level;
	char *file;	    /* NULL when not about a file */
	uint32_t line, col; /* 1-based; 0 when unknown */
	uint32_t len;	    /* length of the token to underline, >= 1 */
	char *msg;
	char *source_line; /* copy of the offending line, NULL if none */
	char *chain;	   /* "included from a.moat:3\n..." or NULL */
};

struct moat_diags {
	struct moat_diag *v;
	size_t n, cap;
	size_t nerrors;
};

void moat_diags_init(struct moat_diags *d);
void moat_diags_free(struct moat_diags *d);
/* printf-style; copies everything. Returns 0 or -ENOMEM. */
int moat_diags_add(struct moat_diags *d, int level, const char *file, uint32_t line, uint32_t col,
		   uint32_t len, const char *source_line, const char *chain, const char *fmt, ...)
	__attribute__((format(printf, 9, 10)));
/*
 * "file:line:col: error: msg\n  source line\n  ^~~~\n" (+ chain), malloc'd
 * into *out. 0 or -ENOMEM.
 */
int moat_diag_format(const struct moat_diag *d, char **out);

/* ---- Model operations (src/policy/model.c, validate.c, merge.c) ---- */

/*
 * Checks a policy: errno values <= 4095, arg index <= 5, syscalls known on
 * at least one covered arch, and contradictions (two rules for the same
 * syscall and the same condition with different actions: both locations are
 * reported). Returns 0, or -EINVAL with diagnostics added to DIAGS.
 */
int moat_policy_validate(const struct moat_policy *p, struct moat_diags *diags);
/* Adds SRC's rules, arches and frequencies to DST. 0 or -ENOMEM. */
int moat_policy_merge(struct moat_policy *dst, const struct moat_policy *src);
/*
 * Rewrites P into canonical form: rules grouped by syscall (sorted by name),
 * order kept within a syscall, comparisons sorted, duplicates and rules
 * shadowed by an earlier unconditional rule removed. Two policies with the
 * same meaning and the same rule structure canonicalize to equal policies.
 */
int moat_policy_canonicalize(struct moat_policy *p);
/* Compares two canonical policies (locations and comments ignored). */
bool moat_policy_equal(const struct moat_policy *a, const struct moat_policy *b);

/* (arg & mask) == value, <, in {...}: one comparison on one argument value. */
bool moat_cmp_holds(const struct moat_cmp *c, uint64_t x);
/*
 * The rule of P that decides syscall NR on ARCH with ARGS, by the policy's
 * semantics (first matching rule; i386 compares the low 32 bits of each
 * argument, as its syscalls do): its index, or -1 when no rule matches and
 * default_action or unknown_action applies. Rules with the same verdict
 * share one ret in a compiled program, whose origin names the first of
 * them: explain and violation reports use this to name the exact rule.
 */
long moat_policy_deciding_rule(const struct moat_policy *p, enum moat_arch arch, uint32_t nr,
			       const uint64_t args[6]);

/* ---- Sources and writers ---- */

struct moat_parse_opts {
	/* Directories searched for include "x" after the including file's own. */
	const char *const *include_dirs;
	size_t ninclude_dirs;
};

/* .moat text (src/policy/parse.c). -EINVAL with DIAGS on bad input. */
int moat_policy_parse_file(const char *path, const struct moat_parse_opts *opts,
			   struct moat_policy **out, struct moat_diags *diags);
int moat_policy_parse_string(const char *name, const char *text, size_t len,
			     const struct moat_parse_opts *opts, struct moat_policy **out,
			     struct moat_diags *diags);
/* Policy as .moat text, malloc'd. 0 or -ENOMEM. */
int moat_policy_to_moat(const struct moat_policy *p, char **out);

/* Options for reading OCI profiles (src/policy/oci.c). */
struct moat_oci_opts {
	uint64_t caps;	       /* capability set for includes/excludes.caps (bit = CAP_*) */
	uint32_t kernel_major; /* 0: the running kernel */
	uint32_t kernel_minor;
	bool host_arch_only; /* keep only the native arch and its sub-arches */
};

int moat_oci_import(const char *name, const char *json, size_t len,
		    const struct moat_oci_opts *opts, struct moat_policy **out,
		    struct moat_diags *diags);
/* OCI runtime-spec seccomp JSON, malloc'd. 0, -ENOMEM, -EOPNOTSUPP. */
int moat_oci_export(const struct moat_policy *p, char **out);
/* Kubernetes Security Profiles Operator SeccompProfile YAML. */
int moat_spo_export(const struct moat_policy *p, const char *name, char **out);

/*
 * Any policy file: OCI JSON when the content starts with '{' (after
 * blanks), .moat text otherwise. OCI_OPTS may be NULL (defaults).
 */
int moat_policy_load(const char *path, const struct moat_parse_opts *opts,
		     const struct moat_oci_opts *oci_opts, struct moat_policy **out,
		     struct moat_diags *diags);

#ifdef __cplusplus
}
#endif
#endif
