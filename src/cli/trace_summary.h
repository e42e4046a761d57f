/* SPDX-License-Identifier: MIT */
/* `moat trace --summary`: per-syscall counts of a trace, as strace -c shows them. */
#ifndef MOAT_CLI_TRACE_SUMMARY_H
#define MOAT_CLI_TRACE_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "moat/trace.h"

struct trace_summary;

struct trace_summary *trace_summary_new(void);
/* Counts EV under its syscall (and ABI). 0 or -ENOMEM. */
int trace_summary_add(struct trace_summary *s, const struct moat_trace_event *ev);
/*
 * The table, by time spent (by calls when untimed), then the total; or one
 * JSON document. LOST: events the kernel could not hand over. 0 or -errno.
 */
int trace_summary_print(struct trace_summary *s, FILE *f, bool json, uint64_t lost);
void trace_summary_free(struct trace_summary *s);

#endif
