// SPDX-License-Identifier: MIT
/* Built-in syscall groups: lookup and membership. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moat/groups.h"
#include "moat/policy.h"
#include "policy/parse.h"

const struct moat_group *moat_group_find(const char *name)
{
	size_t lo = 0, hi = moat_groups_gen_count;

	if (name && name[0] == '@')
		name++;
	while (name && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, moat_groups_gen[mid].name);

		if (!c)
			return &moat_groups_gen[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	errno = ENOENT;
	return NULL;
}

size_t moat_group_count(void)
{
	return moat_groups_gen_count;
}

const struct moat_group *moat_group_at(size_t i)
{
	return i < moat_groups_gen_count ? &moat_groups_gen[i] : NULL;
}

int moat_group_members(const struct moat_group *g, char **out)
{
	struct moat_policy *p = NULL;
	struct moat_diags d;
	char *buf = NULL, *name;
	size_t size = 0;
	FILE *f;
	int err;

	moat_diags_init(&d);
	if (asprintf(&name, "@%s", g->name) < 0)
		return -ENOMEM;
	/* Every spelling, for all architectures. */
	err = moat_parse_text(name, g->text, strlen(g->text), name, NULL, true, &p, &d);
	free(name);
	moat_diags_free(&d);
	if (err)
		return err;
	f = open_memstream(&buf, &size);
	if (!f) {
		moat_policy_free(p);
		return -ENOMEM;
	}
	for (size_t i = 0; i < p->nrules; i++) {
		size_t j;

		for (j = 0; j < i; j++)
			if (!strcmp(p->rules[j].syscall, p->rules[i].syscall))
				break;
		if (j == i)
			fprintf(f, "%s%s", size || ftell(f) ? " " : "", p->rules[i].syscall);
	}
	moat_policy_free(p);
	if (fclose(f) || !buf) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}
