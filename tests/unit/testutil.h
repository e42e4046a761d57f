/* SPDX-License-Identifier: MIT */
/* Shared bits for moat's cmocka unit tests. */
#ifndef MOAT_TESTUTIL_H
#define MOAT_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

/* Runs a group with TAP output so tests/run.sh can count every case. */
#define MOAT_RUN_TESTS(tests) cmocka_run_group_tests_name(__FILE__, tests, NULL, NULL)

#endif
