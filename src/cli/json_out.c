// SPDX-License-Identifier: MIT
/* JSON arrays on stdout: one place for the --json outputs of check and diff. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/json_out.h"

int cli_json_print_array(size_t n, json_t *(*make)(const void *ctx, size_t i), const void *ctx)
{
	json_t *arr = json_array();
	char *s;

	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		/* Steals the element, and fails on NULL (out of memory in MAKE). */
		if (json_array_append_new(arr, make(ctx, i))) {
			json_decref(arr);
			return -ENOMEM;
		}
	}
	s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(arr);
	if (!s)
		return -ENOMEM;
	puts(s);
	free(s);
	return 0;
}
