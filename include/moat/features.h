/* SPDX-License-Identifier: MIT */
/*
 * What this kernel supports, probed for real (src/trace/features.c): every
 * seccomp action and filter flag is tried in a forked child, a user
 * notification makes a full round trip, eBPF programs of each type are
 * loaded. Used by `moat features` and by commands that pick a fallback.
 */
#ifndef MOAT_FEATURES_H
#define MOAT_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum moat_feature_status {
	MOAT_FEATURE_AVAILABLE = 0,
	MOAT_FEATURE_MISSING, /* the kernel lacks it or refuses it (err says why: EPERM...) */
	MOAT_FEATURE_ERROR,   /* the probe itself could not decide (fork failed, no securityfs) */
};

struct moat_feature {
	const char *id;	    /* stable key: "seccomp.action.user_notif", "bpf.prog.fentry" */
	const char *title;  /* for people: "SECCOMP_RET_USER_NOTIF" */
	int status;	    /* enum moat_feature_status */
	int err;	    /* errno behind MISSING/ERROR (EPERM, EINVAL...), 0 otherwise */
	char detail[128];   /* what was found: "6.18.44", "ABI 6", "load refused: EPERM" */
	const char *impact; /* what moat loses without it */
};

#define MOAT_FEATURES_MAX 64

struct moat_features {
	char kernel_release[65]; /* uname -r */
	char machine[65];	 /* uname -m */
	unsigned kernel_version[3];
	size_t n;
	struct moat_feature v[MOAT_FEATURES_MAX];
};

/* Runs every probe. 0 or -ENOMEM; individual failures are in the results. */
int moat_features_probe(struct moat_features **out);
void moat_features_free(struct moat_features *f);
/* The result for ID, or NULL. */
const struct moat_feature *moat_features_find(const struct moat_features *f, const char *id);
/* True when ID was probed and is available. */
bool moat_features_has(const struct moat_features *f, const char *id);
/* "available", "missing", "error". */
const char *moat_feature_status_name(int status);

#ifdef __cplusplus
}
#endif
#endif
