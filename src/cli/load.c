// SPDX-License-Identifier: MIT
/*
 * cli_load_policy: moat_policy_load with the diagnostics printed, and the
 * include directories given with -I, shared by every command that reads a
 * policy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "moat/oci.h"

/* -I directories in command-line order; the strings are argv's (live until exit). */
static const char **include_dirs;
static size_t ninclude_dirs;
static struct moat_parse_opts parse_opts;

int cli_add_include_dir(const char *dir)
{
	const char **v;
	struct stat st;

	if (!dir || !*dir) {
		fprintf(stderr, "moat: -I needs a directory\n");
		return -1;
	}
	/* Said now, not as "cannot find include file" later. */
	if (stat(dir, &st)) {
		fprintf(stderr, "moat: -I %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "moat: -I %s: not a directory\n", dir);
		return -1;
	}
	v = realloc(include_dirs, (ninclude_dirs + 1) * sizeof(*v));
	if (!v) {
		fprintf(stderr, "moat: %s\n", strerror(ENOMEM));
		return -1;
	}
	include_dirs = v;
	include_dirs[ninclude_dirs++] = dir;
	parse_opts.include_dirs = include_dirs;
	parse_opts.ninclude_dirs = ninclude_dirs;
	return 0;
}

int cli_include_opt(int argc, char **argv, int *i)
{
	const char *a = argv[*i];

	if (strncmp(a, "-I", 2) && strcmp(a, "--include-dir") && strncmp(a, "--include-dir=", 14))
		return 0;
	if (!strcmp(a, "-I") || !strcmp(a, "--include-dir")) {
		if (*i + 1 >= argc) {
			fprintf(stderr, "moat: %s needs a directory\n", a);
			return -1;
		}
		return cli_add_include_dir(argv[++*i]) ? -1 : 1;
	}
	return cli_add_include_dir(a[1] == 'I' ? a + 2 : a + 14) ? -1 : 1;
}

int cli_parse_caps(const char *cmd, const char *list, uint64_t *caps)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int err = 0;

	if (!copy) {
		fprintf(stderr, "moat %s: %s\n", cmd, strerror(ENOMEM));
		return -ENOMEM;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned cap;

		if (!strcasecmp(tok, "all")) {
			*caps = ~0ull;
			continue;
		}
		if (moat_cap_parse(tok, &cap)) {
			fprintf(stderr, "moat %s: unknown capability '%s'\n", cmd, tok);
			err = -EINVAL;
			break;
		}
		*caps |= 1ull << cap;
	}
	free(copy);
	return err;
}

const struct moat_parse_opts *cli_parse_opts(void)
{
	return &parse_opts;
}

struct moat_policy *cli_load_policy(const char *path, const struct moat_oci_opts *oci)
{
	struct moat_policy *p = NULL;
	struct moat_diags diags;
	int err;

	moat_diags_init(&diags);
	err = moat_policy_load(path, cli_parse_opts(), oci, &p, &diags);
	cli_print_diags(&diags);
	if (err && !diags.nerrors)
		fprintf(stderr, "moat: %s: %s\n", path, strerror(-err));
	moat_diags_free(&diags);
	return err ? NULL : p;
}
