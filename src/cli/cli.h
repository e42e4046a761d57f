/* SPDX-License-Identifier: MIT */
/* The CLI's shared pieces: the command table, exit codes, output helpers. */
#ifndef MOAT_CLI_H
#define MOAT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "moat/policy.h"

/*
 * Exit codes (docs/exit-codes.md). `moat run` returns the command's own
 * status (128+N for signal N) and uses 125-127 for its own failures, as
 * env(1) and container runtimes do, so they never collide with a 0-124 exit.
 */
#define MOAT_EXIT_OK 0
#define MOAT_EXIT_FAIL 1      /* bad input, failed operation, findings (check, diff) */
#define MOAT_EXIT_USAGE 2     /* bad command line */
#define MOAT_EXIT_SANDBOX 125 /* moat run: the sandbox could not be set up; CMD never ran */
#define MOAT_EXIT_NOEXEC 126  /* moat run: CMD found but could not be executed */
#define MOAT_EXIT_NOENT 127   /* moat run: CMD not found */

struct moat_cmd {
	const char *name;
	int (*fn)(int argc, char **argv); /* argv[0] is the command name */
	const char *summary;
	const char *help; /* full text for `moat help NAME` and NAME --help */
};

const struct moat_cmd *cli_commands(size_t *n);
void cli_usage(FILE *f);
/* Prints the command's full help to F. -1 if unknown. */
int cli_command_help(const char *name, FILE *f);
/* True when argv has -h/--help (before a "--"); prints help to stdout. */
bool cli_wants_help(int argc, char **argv);

/* Prints every diagnostic to stderr, formatted with caret lines. */
void cli_print_diags(const struct moat_diags *d);
/*
 * Loads a policy (.moat or OCI JSON by content). On failure prints the
 * diagnostics (or "moat: PATH: strerror") and returns NULL.
 */
struct moat_policy *cli_load_policy(const char *path, const struct moat_oci_opts *oci);
/*
 * -I DIR: a directory where cli_load_policy looks for `include "FILE"` after
 * the including file's own, in command-line order. 0, or -1 after printing
 * why (not a directory). cli_include_opt handles ARGV[*I] when it is -I DIR,
 * -IDIR, --include-dir DIR or --include-dir=DIR (1, *I past the value), is
 * not (0), or is bad (-1, printed). cli_parse_opts: for moat_policy_load.
 */
int cli_add_include_dir(const char *dir);
int cli_include_opt(int argc, char **argv, int *i);
const struct moat_parse_opts *cli_parse_opts(void);
/*
 * --caps CAP,... (names as in capabilities(7), with or without CAP_, or
 * "all") into *CAPS (bit = CAP_*), for OCI profiles' includes/excludes. 0,
 * or -errno after printing "moat CMD: unknown capability 'X'".
 */
int cli_parse_caps(const char *cmd, const char *list, uint64_t *caps);
/* Writes DATA to PATH atomically ("-" = stdout); prints an error on failure. 0/-1. */
int cli_write_output(const char *path, const char *data, size_t len);

/*
 * A subcommand is a file src/cli/cmd_NAME.c that defines
 * int cmd_NAME(int argc, char **argv) and const char help_NAME[], and holds
 * one line starting with MOAT_CMD(NAME, "summary"); at file scope. The build
 * collects those lines into the command table (build/gen/commands.h): adding
 * a command touches no shared file.
 */
#define MOAT_CMD(name, summary)                \
	int cmd_##name(int argc, char **argv); \
	extern const char help_##name[]

#endif
