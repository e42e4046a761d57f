/* SPDX-License-Identifier: MIT */
/* Interim policy loading for convert and check (see policy_input.c). */
#ifndef MOAT_CLI_POLICY_INPUT_H
#define MOAT_CLI_POLICY_INPUT_H

#include <stdbool.h>

#include "moat/policy.h"

/* Does the file's first non-blank character say JSON ('{')? */
bool cli_policy_is_json(const char *path);
/*
 * Loads PATH (.moat or OCI JSON); prints diagnostics unless QUIET (a failure
 * is always reported); NULL on failure.
 */
struct moat_policy *cli_policy_input(const char *path, const struct moat_oci_opts *oci,
				     bool quiet);

#endif
