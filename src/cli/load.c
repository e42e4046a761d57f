// SPDX-License-Identifier: MIT
/* cli_load_policy: moat_policy_load with the diagnostics printed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct moat_policy *cli_load_policy(const char *path, const struct moat_oci_opts *oci)
{
	struct moat_policy *p = NULL;
	struct moat_diags diags;
	int err;

	moat_diags_init(&diags);
	err = moat_policy_load(path, NULL, oci, &p, &diags);
	cli_print_diags(&diags);
	if (err && !diags.nerrors)
		fprintf(stderr, "moat: %s: %s\n", path, strerror(-err));
	moat_diags_free(&diags);
	return err ? NULL : p;
}
