// SPDX-License-Identifier: MIT
/*
 * bench/parse: the .moat parser and writer next to the OCI JSON path on the
 * same policy (Podman's default profile): jansson's json_loads alone (the
 * floor of any JSON reader), moat_oci_import, moat_policy_to_moat, and
 * moat_policy_parse_string of that text. CPU time, best of N rounds.
 * Run by bench/parse.sh; results go to docs/performance.md.
 *
 *   bench/parse OCI.json
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "moat/policy.h"
#include "moat/util.h"

#define ROUNDS 200

static double cpu_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#define BEST(var, stmt)                               \
	do {                                          \
		var = 1e9;                            \
		for (int r_ = 0; r_ < ROUNDS; r_++) { \
			double t0_ = cpu_now(), t1_;  \
			stmt;                         \
			t1_ = cpu_now();              \
			if (t1_ - t0_ < var)          \
				var = t1_ - t0_;      \
		}                                     \
	} while (0)

static void fail(const char *what)
{
	fprintf(stderr, "bench/parse: %s failed\n", what);
	exit(1);
}

int main(int argc, char **argv)
{
	double t_json, t_oci, t_write, t_parse, t_group;
	struct moat_policy *p = NULL, *q;
	struct moat_diags d;
	char *json, *text = NULL;
	const char *ss = "include @system-service\n";
	size_t len;

	if (argc < 2 || moat_read_file(argv[1], 0, &json, &len))
		fail("reading the profile");
	moat_diags_init(&d);
	if (moat_oci_import(argv[1], json, len, NULL, &p, &d) || moat_policy_to_moat(p, &text))
		fail("import");
	BEST(t_json, {
		json_t *j = json_loadb(json, len, 0, NULL);
		if (!j)
			fail("json_loadb");
		json_decref(j);
	});
	BEST(t_oci, {
		if (moat_oci_import(argv[1], json, len, NULL, &q, &d))
			fail("moat_oci_import");
		moat_policy_free(q);
	});
	BEST(t_write, {
		char *t;
		if (moat_policy_to_moat(p, &t))
			fail("moat_policy_to_moat");
		free(t);
	});
	BEST(t_parse, {
		if (moat_policy_parse_string("podman.moat", text, strlen(text), NULL, &q, &d))
			fail("moat_policy_parse_string");
		moat_policy_free(q);
	});
	BEST(t_group, {
		if (moat_policy_parse_string("ss.moat", ss, strlen(ss), NULL, &q, &d))
			fail("include @system-service");
		moat_policy_free(q);
	});
	printf("| step (%s: %zu rules, %zu bytes of JSON, %zu of .moat) | best of %d, us | vs "
	       "json_loadb |\n|---|---:|---:|\n",
	       argv[1], p->nrules, len, strlen(text), ROUNDS);
	printf("| jansson json_loadb (parse only, no model) | %.1f | 1.00x |\n", t_json * 1e6);
	printf("| moat_oci_import (JSON to model) | %.1f | %.2fx |\n", t_oci * 1e6, t_oci / t_json);
	printf("| moat_policy_to_moat (model to .moat) | %.1f | %.2fx |\n", t_write * 1e6,
	       t_write / t_json);
	printf("| moat_policy_parse_string (.moat to model) | %.1f | %.2fx |\n", t_parse * 1e6,
	       t_parse / t_json);
	printf("| `include @system-service` (parse, %s) | %.1f | %.2fx |\n",
	       "373 syscalls, groups deduplicated", t_group * 1e6, t_group / t_json);
	moat_diags_free(&d);
	moat_policy_free(p);
	free(text);
	free(json);
	return 0;
}
