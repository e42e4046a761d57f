/* SPDX-License-Identifier: MIT */
/* Small shared helpers of libmoat: files and strings. */
#ifndef MOAT_UTIL_H
#define MOAT_UTIL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Reads a whole file (at most MAX bytes; 0 = 64 MiB) into a NUL-terminated
 * malloc'd buffer. 0 or -errno (-EFBIG when larger than MAX).
 */
int moat_read_file(const char *path, size_t max, char **data, size_t *len);
/*
 * Writes LEN bytes to PATH through a temporary file in the same directory,
 * fsync and rename: readers never see a half-written file. 0 or -errno.
 */
int moat_write_file_atomic(const char *path, const void *data, size_t len, int mode);

#ifdef __cplusplus
}
#endif
#endif
