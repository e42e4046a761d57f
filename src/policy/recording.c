// SPDX-License-Identifier: MIT
/* A recording of what a program did: counts and argument value sets (plain data). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "moat/record.h"

struct moat_recording *moat_recording_new(void)
{
	struct moat_recording *r = calloc(1, sizeof(*r));

	if (!r)
		errno = ENOMEM;
	return r;
}

void moat_recording_free(struct moat_recording *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nvalues; i++)
		free(r->values[i].v);
	free(r->values);
	free(r);
}

int moat_recording_add_count(struct moat_recording *r, enum moat_arch arch, uint32_t nr, uint64_t n)
{
	if ((unsigned)arch >= MOAT_ARCH__COUNT || nr >= MOAT_RECORD_NR_MAX)
		return -EINVAL;
	r->counts[arch][nr] += n;
	return 0;
}

static int key_cmp(uint32_t arch, uint32_t nr, uint32_t arg, const struct moat_rec_values *v)
{
	if (arch != v->arch)
		return arch < v->arch ? -1 : 1;
	if (nr != v->nr)
		return nr < v->nr ? -1 : 1;
	if (arg != v->arg)
		return arg < v->arg ? -1 : 1;
	return 0;
}

/* Index of the set for the key, or where to insert it (*found false). */
static size_t values_find(const struct moat_recording *r, uint32_t arch, uint32_t nr, uint32_t arg,
			  bool *found)
{
	size_t lo = 0, hi = r->nvalues;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(arch, nr, arg, &r->values[mid]);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	*found = false;
	return lo;
}

const struct moat_rec_values *moat_recording_values(const struct moat_recording *r,
						    enum moat_arch arch, uint32_t nr, uint32_t arg)
{
	bool found;
	size_t i = values_find(r, arch, nr, arg, &found);

	return found ? &r->values[i] : NULL;
}

int moat_recording_add_value(struct moat_recording *r, enum moat_arch arch, uint32_t nr,
			     uint32_t arg, uint64_t value)
{
	struct moat_rec_values *set;
	size_t lo = 0, hi;
	bool found;
	size_t i;

	if ((unsigned)arch >= MOAT_ARCH__COUNT || nr >= MOAT_RECORD_NR_MAX || arg > 5)
		return -EINVAL;
	i = values_find(r, arch, nr, arg, &found);
	if (!found) {
		if (r->nvalues == r->values_cap) {
			size_t cap = r->values_cap ? r->values_cap * 2 : 16;
			struct moat_rec_values *v = realloc(r->values, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			r->values = v;
			r->values_cap = cap;
		}
		memmove(&r->values[i + 1], &r->values[i], (r->nvalues - i) * sizeof(*r->values));
		r->values[i] = (struct moat_rec_values){ .arch = arch, .nr = nr, .arg = arg };
		r->nvalues++;
	}
	set = &r->values[i];
	/* Sorted insert: sets stay small (distinct flag values), and sorted is what writers need. */
	hi = set->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (set->v[mid] == value)
			return 0;
		if (set->v[mid] < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 4;
		uint64_t *v = realloc(set->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		set->v = v;
		set->cap = cap;
	}
	memmove(&set->v[lo + 1], &set->v[lo], (set->n - lo) * sizeof(*set->v));
	set->v[lo] = value;
	set->n++;
	return 0;
}

int moat_recording_merge(struct moat_recording *dst, const struct moat_recording *src)
{
	for (unsigned a = 0; a < MOAT_ARCH__COUNT; a++)
		for (unsigned nr = 0; nr < MOAT_RECORD_NR_MAX; nr++)
			dst->counts[a][nr] += src->counts[a][nr];
	for (size_t i = 0; i < src->nvalues; i++) {
		const struct moat_rec_values *s = &src->values[i];

		for (size_t j = 0; j < s->n; j++) {
			int err = moat_recording_add_value(dst, s->arch, s->nr, s->arg, s->v[j]);

			if (err)
				return err;
		}
	}
	dst->losses.values_full += src->losses.values_full;
	dst->losses.nr_range += src->losses.nr_range;
	dst->losses.track_full += src->losses.track_full;
	dst->losses.arg_read += src->losses.arg_read;
	dst->losses.missed += src->losses.missed;
	return 0;
}

uint64_t moat_recording_lost(const struct moat_recording *r)
{
	return r->losses.values_full + r->losses.nr_range + r->losses.track_full +
	       r->losses.arg_read + r->losses.missed;
}

/* Flag-like arguments: small sets of distinct values, meaningful for a policy. */
static const struct {
	const char *name;
	uint32_t mask;
} argspecs[] = {
	{ "clone", 1u << 0 }, /* flags (clone3: clone_args.flags) */
	{ "clone3", 1u << 0 },
	{ "fcntl", 1u << 1 }, /* cmd */
	{ "fcntl64", 1u << 1 },
	{ "futex", 1u << 1 }, /* op */
	{ "futex_time64", 1u << 1 },
	{ "getsockopt", 1u << 1 | 1u << 2 }, /* level, optname */
	{ "ioctl", 1u << 1 },		     /* request */
	{ "madvise", 1u << 2 },		     /* advice */
	{ "mmap", 1u << 2 },		     /* prot */
	{ "mmap2", 1u << 2 },
	{ "mprotect", 1u << 2 }, /* prot */
	{ "open", 1u << 1 },	 /* access mode and flags */
	{ "openat", 1u << 2 },
	{ "personality", 1u << 0 }, /* persona */
	{ "pkey_mprotect", 1u << 2 },
	{ "prctl", 1u << 0 },			   /* option */
	{ "setsockopt", 1u << 1 | 1u << 2 },	   /* level, optname */
	{ "socket", 1u << 0 | 1u << 1 | 1u << 2 }, /* domain, type, protocol */
	{ "socketpair", 1u << 0 | 1u << 1 | 1u << 2 },
};

uint32_t moat_record_argmask(const char *name)
{
	for (size_t i = 0; i < sizeof(argspecs) / sizeof(argspecs[0]); i++)
		if (!strcmp(argspecs[i].name, name))
			return argspecs[i].mask;
	return 0;
}
