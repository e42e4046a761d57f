// SPDX-License-Identifier: MIT
/* The policy model: construction, ownership and copying. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "moat/policy.h"

struct moat_policy *moat_policy_new(void)
{
	struct moat_policy *p = calloc(1, sizeof(*p));

	if (!p) {
		errno = ENOMEM;
		return NULL;
	}
	/* Secure defaults: deny with EPERM, ENOSYS for the unknown, kill other ABIs. */
	p->default_action = (struct moat_action){ MOAT_ACT_ERRNO, EPERM };
	p->unknown_action = (struct moat_action){ MOAT_ACT_ERRNO, ENOSYS };
	p->badarch_action = (struct moat_action){ MOAT_ACT_KILL_PROCESS, 0 };
	return p;
}

void moat_rule_release(struct moat_rule *r)
{
	if (!r)
		return;
	for (uint32_t i = 0; i < r->ncmps; i++)
		free(r->cmps[i].set);
	free(r->cmps);
	free(r->syscall);
	free(r->comment);
	memset(r, 0, sizeof(*r));
}

void moat_policy_free(struct moat_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nrules; i++)
		moat_rule_release(&p->rules[i]);
	free(p->rules);
	for (size_t i = 0; i < p->nfreq; i++)
		free(p->freq[i].syscall);
	free(p->freq);
	for (size_t i = 0; i < p->nfiles; i++)
		free(p->files[i]);
	free(p->files);
	free(p->listener_path);
	free(p->listener_metadata);
	free(p);
}

const char *moat_policy_intern_file(struct moat_policy *p, const char *name)
{
	char **files;
	char *copy;

	if (!name)
		return NULL;
	for (size_t i = 0; i < p->nfiles; i++)
		if (!strcmp(p->files[i], name))
			return p->files[i];
	copy = strdup(name);
	if (!copy)
		return NULL;
	files = realloc(p->files, (p->nfiles + 1) * sizeof(*files));
	if (!files) {
		free(copy);
		return NULL;
	}
	p->files = files;
	p->files[p->nfiles++] = copy;
	return copy;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int copy_cmps(struct moat_cmp **out, const struct moat_cmp *cmps, uint32_t n)
{
	struct moat_cmp *v;

	*out = NULL;
	if (!n)
		return 0;
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		v[i] = cmps[i];
		v[i].set = NULL;
		v[i].nset = 0;
		if (cmps[i].arg > 5 || cmps[i].op >= MOAT_OP__COUNT)
			goto einval;
		if (cmps[i].op != MOAT_OP_IN)
			continue;
		if (!cmps[i].nset)
			goto einval;
		v[i].set = malloc(cmps[i].nset * sizeof(uint64_t));
		if (!v[i].set)
			goto enomem;
		memcpy(v[i].set, cmps[i].set, cmps[i].nset * sizeof(uint64_t));
		qsort(v[i].set, cmps[i].nset, sizeof(uint64_t), cmp_u64);
		/* Sorted and without duplicates: equal sets compare equal. */
		uint32_t k = 0;
		for (uint32_t j = 0; j < cmps[i].nset; j++)
			if (!k || v[i].set[k - 1] != v[i].set[j])
				v[i].set[k++] = v[i].set[j];
		v[i].nset = k;
	}
	*out = v;
	return 0;
einval:
	for (uint32_t i = 0; i < n; i++)
		free(v[i].set);
	free(v);
	return -EINVAL;
enomem:
	for (uint32_t i = 0; i < n; i++)
		free(v[i].set);
	free(v);
	return -ENOMEM;
}

int moat_policy_add_rule(struct moat_policy *p, const char *syscall, struct moat_action action,
			 const struct moat_cmp *cmps, uint32_t ncmps, struct moat_loc loc,
			 const char *comment)
{
	struct moat_rule r = { 0 };
	int err;

	if (!syscall || !*syscall || action.kind >= MOAT_ACT__COUNT)
		return -EINVAL;
	if (p->nrules == p->rules_cap) {
		size_t cap = p->rules_cap ? p->rules_cap * 2 : 16;
		struct moat_rule *v = realloc(p->rules, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->rules = v;
		p->rules_cap = cap;
	}
	err = copy_cmps(&r.cmps, cmps, ncmps);
	if (err)
		return err;
	r.ncmps = ncmps;
	r.action = action;
	r.loc = loc;
	r.syscall = strdup(syscall);
	if (!r.syscall)
		goto enomem;
	if (comment) {
		r.comment = strdup(comment);
		if (!r.comment)
			goto enomem;
	}
	if (loc.file) {
		r.loc.file = moat_policy_intern_file(p, loc.file);
		if (!r.loc.file)
			goto enomem;
	}
	p->rules[p->nrules++] = r;
	return 0;
enomem:
	moat_rule_release(&r);
	return -ENOMEM;
}

int moat_policy_add_freq(struct moat_policy *p, const char *syscall, uint64_t count)
{
	for (size_t i = 0; i < p->nfreq; i++) {
		if (!strcmp(p->freq[i].syscall, syscall)) {
			p->freq[i].count += count;
			return 0;
		}
	}
	if (p->nfreq == p->freq_cap) {
		size_t cap = p->freq_cap ? p->freq_cap * 2 : 32;
		struct moat_freq *v = realloc(p->freq, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->freq = v;
		p->freq_cap = cap;
	}
	p->freq[p->nfreq].syscall = strdup(syscall);
	if (!p->freq[p->nfreq].syscall)
		return -ENOMEM;
	p->freq[p->nfreq++].count = count;
	return 0;
}

uint32_t moat_policy_arches(const struct moat_policy *p)
{
	return p->arches ? p->arches : MOAT_ARCH_BIT(moat_arch_native());
}

static struct moat_loc reloc(struct moat_policy *p, struct moat_loc l, int *err)
{
	if (l.file) {
		l.file = moat_policy_intern_file(p, l.file);
		if (!l.file)
			*err = -ENOMEM;
	}
	return l;
}

struct moat_policy *moat_policy_dup(const struct moat_policy *src)
{
	struct moat_policy *p = moat_policy_new();
	int err = 0;

	if (!p)
		return NULL;
	p->default_action = src->default_action;
	p->unknown_action = src->unknown_action;
	p->badarch_action = src->badarch_action;
	p->arches = src->arches;
	p->flags = src->flags;
	p->default_loc = reloc(p, src->default_loc, &err);
	p->unknown_loc = reloc(p, src->unknown_loc, &err);
	p->badarch_loc = reloc(p, src->badarch_loc, &err);
	for (size_t i = 0; !err && i < src->nrules; i++) {
		const struct moat_rule *r = &src->rules[i];

		err = moat_policy_add_rule(p, r->syscall, r->action, r->cmps, r->ncmps, r->loc,
					   r->comment);
	}
	for (size_t i = 0; !err && i < src->nfreq; i++)
		err = moat_policy_add_freq(p, src->freq[i].syscall, src->freq[i].count);
	if (!err && src->listener_path && !(p->listener_path = strdup(src->listener_path)))
		err = -ENOMEM;
	if (!err && src->listener_metadata &&
	    !(p->listener_metadata = strdup(src->listener_metadata)))
		err = -ENOMEM;
	if (err) {
		moat_policy_free(p);
		errno = -err;
		return NULL;
	}
	return p;
}
