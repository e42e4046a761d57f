// SPDX-License-Identifier: MIT
/* moat: the thin CLI. Each subcommand lives in src/cli/cmd_<name>.c. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* Declarations, then the table, from the MOAT_CMD lines of src/cli/cmd_*.c. */
#undef MOAT_CMD
#define MOAT_CMD(n, summary)                \
	int cmd_##n(int argc, char **argv); \
	extern const char help_##n[];
#include "commands.h"
#undef MOAT_CMD
#define MOAT_CMD(n, summary) { #n, cmd_##n, summary, help_##n },

static const struct moat_cmd commands[] = {
#include "commands.h"
};

const struct moat_cmd *cli_commands(size_t *n)
{
	*n = sizeof(commands) / sizeof(commands[0]);
	return commands;
}

int main(int argc, char **argv)
{
	size_t n;
	const struct moat_cmd *cmds = cli_commands(&n);

	if (argc < 2) {
		cli_usage(stderr);
		return MOAT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("moat %s\n", MOAT_VERSION);
		return MOAT_EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_usage(stdout);
		return MOAT_EXIT_OK;
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "moat: unknown command '%s' (see 'moat --help')\n", argv[1]);
	return MOAT_EXIT_USAGE;
}
