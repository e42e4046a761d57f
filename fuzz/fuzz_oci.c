// SPDX-License-Identifier: MIT
/*
 * OCI import must never crash on any input, and whatever it accepts must
 * survive export -> import unchanged in meaning (canonical forms equal).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "moat/oci.h"
#include "moat/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct moat_oci_opts opts = { .kernel_major = 5, .kernel_minor = 10 };
	struct moat_policy *p = NULL, *q = NULL;
	struct moat_diags d, d2;
	char *json = NULL, *yaml = NULL;
	int err;

	/* The first byte picks the capability set, so includes/excludes are exercised. */
	if (size) {
		opts.caps = data[0] & 1 ? ~0ull : data[0] & 2 ? 1ull << 21 : 0;
		opts.host_arch_only = data[0] & 4;
	}
	moat_diags_init(&d);
	moat_diags_init(&d2);
	err = moat_oci_import("fuzz.json", (const char *)data, size, &opts, &p, &d);
	for (size_t i = 0; i < d.n; i++) {
		char *s;

		if (moat_diag_format(&d.v[i], &s) == 0)
			free(s);
	}
	if (err)
		goto out;
	moat_policy_validate(p, &d);
	if (moat_policy_canonicalize(p))
		goto out;
	err = moat_oci_export(p, &json);
	if (err == -EOPNOTSUPP || err == -ENOMEM)
		goto out;
	if (err)
		abort();
	if (moat_oci_import("export.json", json, strlen(json), &opts, &q, &d2))
		abort();
	if (moat_policy_canonicalize(q) || !moat_policy_equal(p, q))
		abort();
	if (moat_spo_export(p, "fuzz", &yaml) == 0)
		free(yaml);
out:
	free(json);
	moat_policy_free(p);
	moat_policy_free(q);
	moat_diags_free(&d);
	moat_diags_free(&d2);
	return 0;
}
