// SPDX-License-Identifier: MIT
/* Lookups in the generated constant table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "moat/decode.h"

int moat_const_lookup(const char *name, uint64_t *value)
{
	/* ~1000 entries, looked up only while parsing: a scan is enough. */
	for (size_t i = 0; i < moat_consts_gen_count; i++) {
		if (!strcmp(moat_consts_gen[i].name, name)) {
			*value = moat_consts_gen[i].value;
			return 0;
		}
	}
	return -ENOENT;
}

const char *moat_errno_name(int err)
{
	const char *best = NULL;

	if (err <= 0)
		return NULL;
	/* Several names share a number (EAGAIN/EWOULDBLOCK): prefer the shortest. */
	for (size_t i = 0; i < moat_consts_gen_count; i++) {
		const struct moat_const *c = &moat_consts_gen[i];

		if (c->group[0] == 'E' && !c->group[1] && c->value == (uint64_t)err &&
		    (!best || strlen(c->name) < strlen(best) ||
		     (strlen(c->name) == strlen(best) && strcmp(c->name, best) < 0)))
			best = c->name;
	}
	return best;
}

int moat_errno_parse(const char *s, int *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		v = strtoul(s, &end, 0);
		if (errno || *end || v > 4095)
			return -EINVAL;
		*out = (int)v;
		return 0;
	}
	for (size_t i = 0; i < moat_consts_gen_count; i++) {
		const struct moat_const *c = &moat_consts_gen[i];

		if (c->group[0] == 'E' && !c->group[1] && !strcmp(c->name, s) && c->value <= 4095) {
			*out = (int)c->value;
			return 0;
		}
	}
	return -EINVAL;
}
