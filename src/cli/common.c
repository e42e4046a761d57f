// SPDX-License-Identifier: MIT
/* Output helpers shared by the subcommands: usage, diagnostics, files. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "moat/util.h"

void cli_usage(FILE *f)
{
	size_t n;
	const struct moat_cmd *cmds = cli_commands(&n);

	fprintf(f, "usage: moat COMMAND [ARGS...]\n\n"
		   "Linux syscall security with seccomp and eBPF together.\n\nCommands:\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\n'moat help COMMAND' or 'moat COMMAND --help' for details; "
		   "'moat --version'.\nExit codes: 0 ok, 1 failure or findings, 2 usage; "
		   "moat run: the command's own status, 125-127 for moat's failures.\n");
}

int cli_command_help(const char *name, FILE *f)
{
	size_t n;
	const struct moat_cmd *cmds = cli_commands(&n);

	for (size_t i = 0; i < n; i++) {
		if (!strcmp(cmds[i].name, name)) {
			fputs(cmds[i].help, f);
			return 0;
		}
	}
	return -1;
}

bool cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			cli_command_help(argv[0], stdout);
			return true;
		}
	}
	return false;
}

MOAT_CMD(help, "show help for a command");

const char help_help[] = "usage: moat help [COMMAND]\n\n"
			 "Shows the list of commands, or the full help of COMMAND.\n";

int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		cli_usage(stdout);
		return MOAT_EXIT_OK;
	}
	if (cli_command_help(argv[1], stdout) < 0) {
		fprintf(stderr, "moat: unknown command '%s' (see 'moat --help')\n", argv[1]);
		return MOAT_EXIT_USAGE;
	}
	return MOAT_EXIT_OK;
}

void cli_print_diags(const struct moat_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		char *text;

		if (moat_diag_format(&d->v[i], &text) == 0) {
			fputs(text, stderr);
			free(text);
		} else {
			fprintf(stderr, "moat: %s\n", d->v[i].msg);
		}
	}
}

int cli_write_output(const char *path, const char *data, size_t len)
{
	int err;

	if (!path || !strcmp(path, "-")) {
		if (fwrite(data, 1, len, stdout) != len || fflush(stdout)) {
			fprintf(stderr, "moat: writing to stdout: %s\n", strerror(errno));
			return -1;
		}
		return 0;
	}
	err = moat_write_file_atomic(path, data, len, 0644);
	if (err) {
		fprintf(stderr, "moat: cannot write %s: %s\n", path, strerror(-err));
		return -1;
	}
	return 0;
}
