// SPDX-License-Identifier: MIT
/*
 * Loading a policy file for convert and check: .moat or OCI JSON by content.
 * Interim: cli_load_policy (cli.h) and moat_policy_load are on their way from
 * other branches; these two functions go once they land.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/policy_input.h"
#include "moat/util.h"

bool cli_policy_is_json(const char *path)
{
	char *data;
	size_t len;
	bool json = false;

	if (moat_read_file(path, 0, &data, &len))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r')
			continue;
		json = data[i] == '{';
		break;
	}
	free(data);
	return json;
}

struct moat_policy *cli_policy_input(const char *path, const struct moat_oci_opts *oci, bool quiet)
{
	struct moat_policy *p = NULL;
	struct moat_diags d;
	char *data;
	size_t len;
	int err;

	err = moat_read_file(path, 0, &data, &len);
	if (err) {
		fprintf(stderr, "moat: %s: %s\n", path, strerror(-err));
		return NULL;
	}
	moat_diags_init(&d);
	if (cli_policy_is_json(path))
		err = moat_oci_import(path, data, len, oci, &p, &d);
	else
		err = moat_policy_parse_file(path, NULL, &p, &d); /* includes relative to PATH */
	if (!quiet)
		cli_print_diags(&d);
	if (err && (err == -ENOMEM || !d.nerrors))
		fprintf(stderr, "moat: %s: %s\n", path, strerror(-err));
	moat_diags_free(&d);
	free(data);
	return err ? NULL : p;
}
