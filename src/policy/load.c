// SPDX-License-Identifier: MIT
/*
 * moat_policy_load: any policy file. OCI JSON and .moat are told apart by
 * content, not by file name: a JSON profile is an object, so its first
 * non-blank byte is '{', which can never start a .moat statement.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "moat/policy.h"
#include "moat/util.h"
#include "policy/parse.h"

int moat_policy_load(const char *path, const struct moat_parse_opts *opts,
		     const struct moat_oci_opts *oci_opts, struct moat_policy **out,
		     struct moat_diags *diags)
{
	char *data = NULL, *real;
	size_t len = 0, i;
	int err;

	if (!path || !out || !diags)
		return -EINVAL;
	err = moat_read_file(path, MOAT_PARSE_MAX_FILE, &data, &len);
	if (err == -EFBIG) {
		err = moat_diags_add(diags, MOAT_DIAG_ERROR, path, 0, 0, 0, NULL, NULL,
				     "policy larger than %u MiB", MOAT_PARSE_MAX_FILE >> 20);
		return err ? err : -EINVAL;
	}
	if (err)
		return err;
	for (i = 0; i < len && strchr(" \t\r\n", data[i]) && data[i]; i++)
		;
	if (i < len && data[i] == '{') {
		err = moat_oci_import(path, data, len, oci_opts, out, diags);
	} else {
		real = realpath(path, NULL);
		err = moat_parse_text(path, data, len, real, opts, false, out, diags);
		free(real);
	}
	free(data);
	return err;
}
