// SPDX-License-Identifier: MIT
/*
 * cli_load_policy: any policy file, told apart by content (OCI JSON starts
 * with '{' after blanks, anything else is .moat), diagnostics printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "moat/util.h"

struct moat_policy *cli_load_policy(const char *path, const struct moat_oci_opts *oci)
{
	struct moat_policy *p = NULL;
	struct moat_diags diags;
	char *data;
	size_t len;
	int err;

	err = moat_read_file(path, 0, &data, &len);
	if (err) {
		fprintf(stderr, "moat: %s: %s\n", path, strerror(-err));
		return NULL;
	}
	moat_diags_init(&diags);
	if (data[strspn(data, " \t\r\n")] == '{')
		err = moat_oci_import(path, data, len, oci, &p, &diags);
	else /* by path, so that include "x.moat" is found next to the file */
		err = moat_policy_parse_file(path, NULL, &p, &diags);
	free(data);
	cli_print_diags(&diags);
	if (err && !diags.nerrors)
		fprintf(stderr, "moat: %s: %s\n", path, strerror(-err));
	moat_diags_free(&diags);
	return err ? NULL : p;
}
