/* SPDX-License-Identifier: MIT */
/*
 * Named constants and argument decoding, shared by the .moat parser (names
 * in conditions), `moat run`'s violation reports and `moat trace`.
 */
#ifndef MOAT_DECODE_H
#define MOAT_DECODE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct moat_const {
	const char *name;  /* "AF_INET" */
	uint64_t value;
	const char *group; /* "AF", "O", "PROT", "IOCTL", "E", ... */
};

/* The table generated from the system headers (src/decode/consts_gen.c). */
extern const struct moat_const moat_consts_gen[];
extern const size_t moat_consts_gen_count;

/* Value of a named constant. 0 or -ENOENT. */
int moat_const_lookup(const char *name, uint64_t *value);
/* "EPERM" for 1, NULL when the number has no name. */
const char *moat_errno_name(int err);
/* "EPERM" or a number 0..4095. 0 or -EINVAL. */
int moat_errno_parse(const char *s, int *out);

#ifdef __cplusplus
}
#endif
#endif
