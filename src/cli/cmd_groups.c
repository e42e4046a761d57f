// SPDX-License-Identifier: MIT
/* moat groups: the built-in syscall groups, their purpose and members. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "moat/groups.h"

MOAT_CMD(groups, "list the built-in syscall groups and their members");

const char help_groups[] =
	"usage: moat groups [NAME...]\n\n"
	"Without NAME, lists every built-in group (@name, what it is for, how many\n"
	"syscalls). With NAME (with or without '@'), shows the group's syscalls and its\n"
	"source, conditions included.\n\n"
	"A policy uses a group with `include @NAME` (the group's own rules) or as\n"
	"`ACTION @NAME` (its syscalls under ACTION, e.g. `errno EPERM @privileged`).\n";

static size_t count_words(const char *s)
{
	size_t n = 0;

	for (const char *p = s; *p; p++)
		if (*p != ' ' && (p == s || p[-1] == ' '))
			n++;
	return n;
}

/* Prints S (space-separated words) wrapped at 80 columns, indented by 2. */
static void print_wrapped(const char *s)
{
	size_t col = 0;
	const char *p = s;

	while (*p) {
		size_t len = strcspn(p, " ");

		if (col && col + 1 + len > 78) {
			fputc('\n', stdout);
			col = 0;
		}
		printf("%s%.*s", col ? " " : "  ", (int)len, p);
		col += len + 1;
		p += len;
		while (*p == ' ')
			p++;
	}
	fputc('\n', stdout);
}

static int show_group(const struct moat_group *g)
{
	char *members;

	if (moat_group_members(g, &members)) {
		fprintf(stderr, "moat: group @%s does not load\n", g->name);
		return -1;
	}
	printf("@%s: %s\n\nsyscalls (%zu):\n", g->name, g->summary, count_words(members));
	print_wrapped(members);
	printf("\nsource:\n%s", g->text);
	free(members);
	return 0;
}

int cmd_groups(int argc, char **argv)
{
	int rc = MOAT_EXIT_OK;

	if (cli_wants_help(argc, argv))
		return MOAT_EXIT_OK;
	if (argc < 2) {
		for (size_t i = 0; i < moat_group_count(); i++) {
			const struct moat_group *g = moat_group_at(i);
			char *members;

			if (moat_group_members(g, &members)) {
				fprintf(stderr, "moat: group @%s does not load\n", g->name);
				rc = MOAT_EXIT_FAIL;
				continue;
			}
			printf("@%-16s %3zu  %s\n", g->name, count_words(members), g->summary);
			free(members);
		}
		return rc;
	}
	for (int i = 1; i < argc; i++) {
		const struct moat_group *g = moat_group_find(argv[i]);

		if (argv[i][0] == '-') {
			fprintf(stderr, "moat groups: unknown option '%s'\n", argv[i]);
			return MOAT_EXIT_USAGE;
		}
		if (!g) {
			fprintf(stderr, "moat groups: no group '%s' (see 'moat groups')\n",
				argv[i]);
			rc = MOAT_EXIT_FAIL;
			continue;
		}
		if (i > 1)
			fputc('\n', stdout);
		if (show_group(g))
			rc = MOAT_EXIT_FAIL;
	}
	return rc;
}
