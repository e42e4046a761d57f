// SPDX-License-Identifier: MIT
/*
 * Recording -> policy: exactly what was seen is allowed, everything else is
 * denied (EPERM) and numbers moat does not know get ENOSYS. Output order is
 * stable (rules sorted by syscall name) so recorded profiles diff cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "moat/record.h"

#define CLONE_HIGH_FLAGS 0xffffffff00000000ull /* clone3-only flags: clone cannot pass them */
/* Open flags a condition keeps: read/write access, creating, truncating. */
#define OPEN_COND_MASK ((uint64_t)(O_ACCMODE | O_CREAT | O_TRUNC))

/* One syscall name of the recording, all arches together. */
struct seen {
	char name[32];
	uint64_t count;
	uint64_t per_arch[MOAT_ARCH__COUNT];
};

static int seen_cmp(const void *a, const void *b)
{
	return strcmp(((const struct seen *)a)->name, ((const struct seen *)b)->name);
}

static struct seen *seen_find(struct seen *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

/* Union over arches of the values of NAME's argument ARG into *SET. 0/-ENOMEM. */
static int values_union(const struct moat_recording *r, const char *name, uint32_t arg,
			uint64_t **set, uint32_t *n)
{
	for (unsigned a = 0; a < MOAT_ARCH__COUNT; a++) {
		int64_t nr = moat_syscall_nr(a, name);
		const struct moat_rec_values *vs;

		if (nr < 0)
			continue;
		vs = moat_recording_values(r, a, (uint32_t)nr & ~MOAT_X32_SYSCALL_BIT, arg);
		if (!vs || !vs->n)
			continue;
		uint64_t *v = realloc(*set, (*n + vs->n) * sizeof(*v));

		if (!v)
			return -ENOMEM;
		memcpy(v + *n, vs->v, vs->n * sizeof(*v));
		*set = v;
		*n += vs->n;
	}
	return 0;
}

static void format_count(const struct seen *s, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%" PRIu64 " call%s", s->count, s->count == 1 ? "" : "s");
	unsigned narch = 0;

	for (unsigned a = 0; a < MOAT_ARCH__COUNT; a++)
		narch += s->per_arch[a] != 0;
	if (narch < 2 && !s->per_arch[moat_arch_native()] && narch) {
		/* Only a foreign ABI used it: say which. */
		for (unsigned a = 0; a < MOAT_ARCH__COUNT; a++)
			if (s->per_arch[a] && n > 0 && (size_t)n < size)
				n += snprintf(buf + n, size - n, " (%s)", moat_arch_name(a));
		return;
	}
	if (narch < 2)
		return;
	for (unsigned a = 0, first = 1; a < MOAT_ARCH__COUNT; a++) {
		if (!s->per_arch[a] || n < 0 || (size_t)n >= size)
			continue;
		n += snprintf(buf + n, size - n, "%s%s %" PRIu64, first ? " (" : ", ",
			      moat_arch_name(a), s->per_arch[a]);
		first = 0;
	}
	if (n > 0 && (size_t)n < size)
		snprintf(buf + n, size - n, ")");
}

static const struct moat_action allow = { MOAT_ACT_ALLOW, 0 };

/* Stable sort of the rules by syscall name: order within a syscall is meaning. */
static void sort_rules(struct moat_policy *p)
{
	for (size_t i = 1; i < p->nrules; i++) {
		struct moat_rule r = p->rules[i];
		size_t j = i;

		for (; j > 0 && strcmp(p->rules[j - 1].syscall, r.syscall) > 0; j--)
			p->rules[j] = p->rules[j - 1];
		p->rules[j] = r;
	}
}

/* Rules for NAME with argument conditions; 1 when none apply (unconditional). */
static int add_arg_rules(struct moat_policy *p, const struct moat_recording *r, const char *name,
			 const char *comment, const uint64_t *extra, uint32_t nextra)
{
	struct moat_loc loc = { 0 };
	struct moat_cmp cmps[2] = { 0 };
	uint64_t *set = NULL, *set2 = NULL;
	uint32_t n = 0, n2 = 0;
	int err = 1;

	if (!strcmp(name, "socket") || !strcmp(name, "socketpair") || !strcmp(name, "prctl") ||
	    !strcmp(name, "personality") || !strcmp(name, "clone") || !strcmp(name, "ioctl") ||
	    !strcmp(name, "fcntl") || !strcmp(name, "fcntl64")) {
		/* Enumerations: the program asks for a fixed few; a set of exact values. */
		uint32_t arg = (!strcmp(name, "ioctl") || !strncmp(name, "fcntl", 5)) ? 1 : 0;

		err = values_union(r, name, arg, &set, &n);
		if (err)
			goto out;
		if (nextra) {
			uint64_t *v = realloc(set, (n + nextra) * sizeof(*v));

			if (!v) {
				err = -ENOMEM;
				goto out;
			}
			memcpy(v + n, extra, nextra * sizeof(*v));
			set = v;
			n += nextra;
		}
		err = 1;
		if (!n)
			goto out;
		cmps[0] = (struct moat_cmp){ .arg = arg, .op = MOAT_OP_IN, .set = set, .nset = n };
		err = moat_policy_add_rule(p, name, allow, cmps, 1, loc, comment);
	} else if (!strcmp(name, "setsockopt") || !strcmp(name, "getsockopt")) {
		/* Levels and names are recorded apart: their product is a superset, so safe. */
		err = values_union(r, name, 1, &set, &n);
		if (!err)
			err = values_union(r, name, 2, &set2, &n2);
		if (err)
			goto out;
		err = 1;
		if (!n || !n2)
			goto out;
		cmps[0] = (struct moat_cmp){ .arg = 1, .op = MOAT_OP_IN, .set = set, .nset = n };
		cmps[1] = (struct moat_cmp){ .arg = 2, .op = MOAT_OP_IN, .set = set2, .nset = n2 };
		err = moat_policy_add_rule(p, name, allow, cmps, 2, loc, comment);
	} else if (!strcmp(name, "mmap") || !strcmp(name, "mmap2") || !strcmp(name, "mprotect") ||
		   !strcmp(name, "pkey_mprotect")) {
		/*
		 * Exact prot sets would be brittle; what matters is whether the
		 * program ever maps code. If it never did, forbid PROT_EXEC.
		 */
		err = values_union(r, name, 2, &set, &n);
		if (err)
			goto out;
		err = 1;
		if (!n)
			goto out;
		for (uint32_t i = 0; i < n; i++)
			if (set[i] & PROT_EXEC)
				goto out;
		cmps[0] = (struct moat_cmp){
			.arg = 2, .op = MOAT_OP_MASKED_EQ, .mask = PROT_EXEC, .value = 0
		};
		err = moat_policy_add_rule(p, name, allow, cmps, 1, loc, comment);
	} else if (!strcmp(name, "open") || !strcmp(name, "openat")) {
		/*
		 * Flags such as O_CLOEXEC or O_NONBLOCK vary between call sites;
		 * access mode, O_CREAT and O_TRUNC say what the program may do to
		 * files. One rule per combination seen (rules are ORed).
		 */
		uint32_t arg = !strcmp(name, "open") ? 1 : 2, k = 0;

		err = values_union(r, name, arg, &set, &n);
		if (err)
			goto out;
		err = 1;
		if (!n)
			goto out;
		for (uint32_t i = 0; i < n; i++)
			set[i] &= OPEN_COND_MASK;
		for (uint32_t i = 0; i < n; i++) {
			uint32_t j;

			for (j = 0; j < k && set[j] != set[i]; j++)
				;
			if (j == k)
				set[k++] = set[i];
		}
		/* Ascending, for a stable order in the output. */
		for (uint32_t i = 1; i < k; i++)
			for (uint32_t j = i; j > 0 && set[j - 1] > set[j]; j--) {
				uint64_t t = set[j];

				set[j] = set[j - 1];
				set[j - 1] = t;
			}
		for (uint32_t i = 0; i < k; i++) {
			cmps[0] = (struct moat_cmp){ .arg = arg,
						     .op = MOAT_OP_MASKED_EQ,
						     .mask = OPEN_COND_MASK,
						     .value = set[i] };
			err = moat_policy_add_rule(p, name, allow, cmps, 1, loc,
						   i ? NULL : comment);
			if (err)
				goto out;
		}
	}
	/* futex and madvise ops depend on contention and allocator state: no condition. */
out:
	free(set);
	free(set2);
	return err;
}

int moat_policy_from_recording(const struct moat_recording *r,
			       const struct moat_generate_opts *opts, struct moat_policy **out,
			       struct moat_diags *diags)
{
	struct moat_generate_opts defaults = { 0 };
	struct moat_loc loc = { 0 };
	struct moat_policy *p;
	struct seen *seen = NULL, *s;
	size_t nseen = 0, cap = 0;
	uint64_t *clone3_flags = NULL;
	uint32_t nclone3 = 0;
	bool args, replace_clone3 = false;
	int err = 0;

	if (!opts)
		opts = &defaults;
	args = opts->args;
	if (args && (r->losses.values_full || r->losses.arg_read)) {
		/* An incomplete value set would deny what the program does: fail open here, loudly. */
		args = false;
		if (diags)
			moat_diags_add(diags, MOAT_DIAG_WARNING, NULL, 0, 0, 1, NULL, NULL,
				       "argument values were lost (%" PRIu64 " dropped, %" PRIu64
				       " unreadable): no argument conditions generated",
				       r->losses.values_full, r->losses.arg_read);
	}
	p = moat_policy_new();
	if (!p)
		return -ENOMEM;
	p->arches = 0;
	for (unsigned a = 0; a < MOAT_ARCH__COUNT; a++) {
		for (uint32_t nr = 0; nr < MOAT_RECORD_NR_MAX; nr++) {
			char buf[32];

			if (!r->counts[a][nr])
				continue;
			p->arches |= MOAT_ARCH_BIT(a);
			moat_syscall_format(a, a == MOAT_ARCH_X32 ? nr | MOAT_X32_SYSCALL_BIT : nr,
					    buf, sizeof(buf));
			s = seen_find(seen, nseen, buf);
			if (!s) {
				if (nseen == cap) {
					size_t c = cap ? cap * 2 : 64;
					struct seen *v = realloc(seen, c * sizeof(*v));

					if (!v) {
						err = -ENOMEM;
						goto out;
					}
					seen = v;
					cap = c;
				}
				s = &seen[nseen++];
				memset(s, 0, sizeof(*s));
				snprintf(s->name, sizeof(s->name), "%s", buf);
			}
			s->count += r->counts[a][nr];
			s->per_arch[a] += r->counts[a][nr];
		}
	}
	if (!p->arches)
		p->arches = MOAT_ARCH_BIT(moat_arch_native());
	qsort(seen, nseen, sizeof(*seen), seen_cmp);

	if (seen_find(seen, nseen, "clone3") && !opts->keep_clone3) {
		/*
		 * seccomp cannot look into struct clone_args, so clone3 is
		 * answered ENOSYS and libc retries with clone, whose flags are a
		 * register. Only possible when no clone3-only flag was used.
		 */
		err = values_union(r, "clone3", 0, &clone3_flags, &nclone3);
		if (err)
			goto out;
		replace_clone3 = true;
		for (uint32_t i = 0; i < nclone3; i++)
			if (clone3_flags[i] & CLONE_HIGH_FLAGS)
				replace_clone3 = false;
	}

	for (size_t i = 0; i < nseen; i++) {
		char comment[160];

		s = &seen[i];
		format_count(s, comment, sizeof(comment));
		err = moat_policy_add_freq(p, s->name, s->count);
		if (err)
			goto out;
		if (replace_clone3 && !strcmp(s->name, "clone3")) {
			strncat(comment, "; ENOSYS: libc falls back to clone",
				sizeof(comment) - strlen(comment) - 1);
			err = moat_policy_add_rule(p, "clone3",
						   (struct moat_action){ MOAT_ACT_ERRNO, ENOSYS },
						   NULL, 0, loc, comment);
			if (err)
				goto out;
			continue;
		}
		if (args) {
			bool is_clone = !strcmp(s->name, "clone");

			err = add_arg_rules(p, r, s->name, comment, is_clone ? clone3_flags : NULL,
					    is_clone && replace_clone3 ? nclone3 : 0);
			if (err < 0)
				goto out;
			if (!err)
				continue;
		}
		err = moat_policy_add_rule(p, s->name, allow, NULL, 0, loc, comment);
		if (err)
			goto out;
	}
	if (replace_clone3 && !seen_find(seen, nseen, "clone")) {
		/* The fallback target: clone with the flags clone3 was given. */
		err = 1;
		if (args)
			err = add_arg_rules(p, r, "clone", "fallback of clone3", clone3_flags,
					    nclone3);
		if (err < 0)
			goto out;
		if (err)
			err = moat_policy_add_rule(p, "clone", allow, NULL, 0, loc,
						   "fallback of clone3");
		if (err)
			goto out;
		sort_rules(p);
	}
	if (!seen_find(seen, nseen, "clone3") && !opts->keep_clone3) {
		/*
		 * Not used in this recording, but a libc (glibc >= 2.34) or a
		 * later run may try it first: ENOSYS, not the default EPERM, makes
		 * it fall back to clone instead of failing thread creation.
		 */
		err = moat_policy_add_rule(p, "clone3",
					   (struct moat_action){ MOAT_ACT_ERRNO, ENOSYS }, NULL, 0,
					   loc, "not seen; ENOSYS: libc falls back to clone");
		if (err)
			goto out;
		sort_rules(p);
	}
out:
	free(seen);
	free(clone3_flags);
	if (err) {
		moat_policy_free(p);
		return err;
	}
	*out = p;
	return 0;
}

static bool cmp_equal(const struct moat_cmp *a, const struct moat_cmp *b)
{
	if (a->arg != b->arg || a->op != b->op || a->value != b->value || a->mask != b->mask ||
	    a->nset != b->nset)
		return false;
	return !a->nset || !memcmp(a->set, b->set, a->nset * sizeof(*a->set));
}

static bool rule_equal(const struct moat_rule *a, const struct moat_rule *b)
{
	if (strcmp(a->syscall, b->syscall) || !moat_action_equal(a->action, b->action) ||
	    a->ncmps != b->ncmps)
		return false;
	for (uint32_t i = 0; i < a->ncmps; i++)
		if (!cmp_equal(&a->cmps[i], &b->cmps[i]))
			return false;
	return true;
}

static bool allows_all(const struct moat_policy *p, const char *name)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (!strcmp(p->rules[i].syscall, name) && !p->rules[i].ncmps &&
		    p->rules[i].action.kind == MOAT_ACT_ALLOW)
			return true;
	return false;
}

/* Drops DST's rules for NAME other than its unconditional allow. */
static void keep_only_allow(struct moat_policy *p, const char *name)
{
	size_t k = 0;
	bool kept = false;

	for (size_t i = 0; i < p->nrules; i++) {
		struct moat_rule *r = &p->rules[i];

		if (!strcmp(r->syscall, name) &&
		    (kept || r->ncmps || r->action.kind != MOAT_ACT_ALLOW)) {
			moat_rule_release(r);
			continue;
		}
		if (!strcmp(r->syscall, name))
			kept = true;
		p->rules[k++] = *r;
	}
	p->nrules = k;
}

/* Within one syscall, allow rules come before the others (an errno fallback last). */
static void allows_first(struct moat_policy *p)
{
	for (size_t i = 1; i < p->nrules; i++) {
		struct moat_rule r = p->rules[i];
		size_t j = i;

		if (r.action.kind != MOAT_ACT_ALLOW)
			continue;
		for (; j > 0 && !strcmp(p->rules[j - 1].syscall, r.syscall) &&
		       p->rules[j - 1].action.kind != MOAT_ACT_ALLOW;
		     j--)
			p->rules[j] = p->rules[j - 1];
		p->rules[j] = r;
	}
}

int moat_policy_union(struct moat_policy *dst, const struct moat_policy *src)
{
	int err;

	dst->arches = moat_policy_arches(dst) | moat_policy_arches(src);
	for (size_t i = 0; i < src->nrules; i++) {
		const struct moat_rule *r = &src->rules[i];
		bool dup = false;

		if (allows_all(dst, r->syscall))
			continue;
		if (!r->ncmps && r->action.kind == MOAT_ACT_ALLOW) {
			/* Unconditional in one recording: the union needs no condition. */
			err = moat_policy_add_rule(dst, r->syscall, r->action, NULL, 0, r->loc,
						   NULL);
			if (err)
				return err;
			keep_only_allow(dst, r->syscall);
			continue;
		}
		for (size_t j = 0; j < dst->nrules && !dup; j++)
			dup = rule_equal(&dst->rules[j], r);
		if (dup)
			continue;
		err = moat_policy_add_rule(dst, r->syscall, r->action, r->cmps, r->ncmps, r->loc,
					   NULL);
		if (err)
			return err;
	}
	/* clone3 answered ENOSYS in one and allowed in the other: allowed wins above. */
	for (size_t i = 0; i < src->nfreq; i++) {
		err = moat_policy_add_freq(dst, src->freq[i].syscall, src->freq[i].count);
		if (err)
			return err;
	}
	/* Frequencies by name too: the written table must not depend on merge order. */
	for (size_t i = 1; i < dst->nfreq; i++) {
		struct moat_freq f = dst->freq[i];
		size_t j = i;

		for (; j > 0 && strcmp(dst->freq[j - 1].syscall, f.syscall) > 0; j--)
			dst->freq[j] = dst->freq[j - 1];
		dst->freq[j] = f;
	}
	sort_rules(dst);
	allows_first(dst);
	/* Count comments from the merged frequency table, on each syscall's first rule. */
	for (size_t i = 0; i < dst->nrules; i++) {
		struct moat_rule *r = &dst->rules[i];
		char buf[64];

		if (i && !strcmp(dst->rules[i - 1].syscall, r->syscall)) {
			free(r->comment);
			r->comment = NULL;
			continue;
		}
		for (size_t j = 0; j < dst->nfreq; j++) {
			if (strcmp(dst->freq[j].syscall, r->syscall))
				continue;
			snprintf(buf, sizeof(buf), "%" PRIu64 " call%s", dst->freq[j].count,
				 dst->freq[j].count == 1 ? "" : "s");
			char *c = strdup(buf);

			if (!c)
				return -ENOMEM;
			free(r->comment);
			r->comment = c;
		}
	}
	return 0;
}
