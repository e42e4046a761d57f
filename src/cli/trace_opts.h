/* SPDX-License-Identifier: MIT */
/* Options shared by `moat trace` and `moat top`: the task and syscall filters. */
#ifndef MOAT_CLI_TRACE_OPTS_H
#define MOAT_CLI_TRACE_OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "moat/trace.h"

struct cli_trace_opts {
	struct moat_trace_filter filter;
	uint32_t *nrs; /* owned copy behind filter.syscalls */
};

/*
 * One filter option: 'p' PID, 'c' CGROUP, 'C' comm, 'e' syscall list.
 * Prints what is wrong and returns -1 on bad input.
 */
int cli_trace_opt(struct cli_trace_opts *co, int opt, const char *arg);
void cli_trace_opts_free(struct cli_trace_opts *co);
/*
 * -p PID names a process that exists (TOOL for the message). A dead target
 * would be waited for forever with nothing to show. 0, or -1 said why.
 */
int cli_trace_check_target(const struct cli_trace_opts *co, const char *tool);
/* "64K", "8M", "4096": bytes. 0 or -1. */
int cli_parse_size(const char *s, size_t *out);
/* Explains why loading TOOL failed (errno ERR). */
void cli_trace_load_error(const char *tool, int err, const struct moat_trace_filter *f);
/* SIGINT/SIGTERM/SIGHUP set a flag that the poll loops check. 0 or -1. */
int cli_trace_install_stop_handlers(void);
bool cli_trace_stop_requested(void);
/* `moat trace --seccomp`: runs until stopped; returns an exit code. */
int cli_seccomp_watch(const struct cli_trace_opts *co, FILE *out, bool json);

#endif
