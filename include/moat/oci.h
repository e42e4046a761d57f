/* SPDX-License-Identifier: MIT */
/*
 * OCI / Docker seccomp profiles beyond the entry points in policy.h
 * (moat_oci_import, moat_oci_export, moat_spo_export): what a target format
 * can express, capability names, and the kernel version used for minKernel.
 * docs/oci.md describes how every field is read and written.
 */
#ifndef MOAT_OCI_H
#define MOAT_OCI_H

#include <stdbool.h>
#include <stdint.h>

#include "moat/policy.h"

#ifdef __cplusplus
extern "C" {
#endif

enum moat_oci_target {
	MOAT_OCI_TARGET_OCI = 0, /* runtime-spec / Docker / Podman JSON */
	MOAT_OCI_TARGET_SPO,	 /* Kubernetes Security Profiles Operator */
};

/*
 * Says what exporting P to TARGET would lose or change, as diagnostics at
 * the rules concerned: errors for what the format cannot express at all
 * (export then fails with -EOPNOTSUPP), warnings where runc/crun (libseccomp)
 * would read the result differently from moat's first-match order.
 * Returns 0, -EOPNOTSUPP (errors were added) or -ENOMEM.
 */
int moat_oci_check(const struct moat_policy *p, enum moat_oci_target target,
		   struct moat_diags *diags);

/* CAP_* name (with or without "CAP_", any case) to its number. 0 or -ENOENT. */
int moat_cap_parse(const char *name, unsigned *cap);
/* "CAP_SYS_ADMIN" for 21, NULL when unknown. */
const char *moat_cap_name(unsigned cap);
/* Parses "X.Y" (more components ignored). 0 or -EINVAL. */
int moat_kernel_version_parse(const char *s, uint32_t *major, uint32_t *minor);

#ifdef __cplusplus
}
#endif
#endif
