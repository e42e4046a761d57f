/* SPDX-License-Identifier: MIT */
/* JSON on stdout for the CLI's --json outputs (check, diff). */
#ifndef MOAT_CLI_JSON_OUT_H
#define MOAT_CLI_JSON_OUT_H

#include <jansson.h>
#include <stddef.h>

/*
 * Prints an array of N elements, MAKE(CTX, i) each (a new reference; NULL
 * for out of memory), on stdout: indented, keys in insertion order, then a
 * newline. 0 or -ENOMEM (nothing printed).
 */
int cli_json_print_array(size_t n, json_t *(*make)(const void *ctx, size_t i), const void *ctx);

#endif
