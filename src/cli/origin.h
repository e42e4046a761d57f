/* SPDX-License-Identifier: MIT */
/* Naming where a compiled verdict comes from (compile --disasm, explain). */
#ifndef MOAT_CLI_ORIGIN_H
#define MOAT_CLI_ORIGIN_H

#include <stdio.h>

#include "moat/compile.h"

/*
 * "rule t.moat:3", "rules t.moat:2 (+5 more)" (rules sharing a verdict share
 * a ret), "default t.moat:1", "unknown syscall", "foreign arch", "x32 syscall".
 */
void cli_origin_short(const struct moat_policy *p, struct moat_origin o, char *buf, size_t size);
/*
 * Prints the deciding rule as "  FILE:LINE: TEXT" where TEXT is the source
 * line when the file can be read, else the rule as moat writes it.
 */
void cli_origin_print(FILE *f, const struct moat_policy *p, struct moat_origin o);
/* "-O0" "-O1" "-O2" "--linear": 1 when ARG was one of them (OPTS updated). */
int cli_parse_opt_level(const char *arg, struct moat_compile_opts *opts);

#endif
