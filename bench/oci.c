// SPDX-License-Identifier: MIT
/*
 * Cost of moat's OCI path on a real profile: import (jansson parse + model),
 * canonicalize, export, the .moat writer and parser, and moat diff of a
 * profile against its .moat form. Median of N runs, CPU microseconds.
 * Run by bench/oci.sh, never by the test suite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "moat/diff.h"
#include "moat/policy.h"
#include "moat/util.h"

#define RUNS 201

static double now_us(void)
{
	struct timespec t;

	/* CPU time of this process: the machine is shared, wall time is noise. */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/usr/share/containers/seccomp.json";
	double t_imp[RUNS], t_can[RUNS], t_exp[RUNS], t_wr[RUNS], t_parse[RUNS], t_diff[21];
	struct moat_diags d;
	char *json, *out, *text = NULL;
	size_t len;

	if (moat_read_file(path, 0, &json, &len)) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	moat_diags_init(&d);
	for (int i = 0; i < RUNS; i++) {
		struct moat_policy *p = NULL, *q = NULL;
		double t0 = now_us(), t1, t2, t3, t4, t5;

		if (moat_oci_import(path, json, len, NULL, &p, &d))
			return 1;
		t1 = now_us();
		moat_policy_canonicalize(p);
		t2 = now_us();
		if (moat_oci_export(p, &out))
			return 1;
		t3 = now_us();
		free(text);
		if (moat_policy_to_moat(p, &text))
			return 1;
		t4 = now_us();
		if (moat_policy_parse_string("p.moat", text, strlen(text), NULL, &q, &d))
			return 1;
		t5 = now_us();
		t_imp[i] = t1 - t0;
		t_can[i] = t2 - t1;
		t_exp[i] = t3 - t2;
		t_wr[i] = t4 - t3;
		t_parse[i] = t5 - t4;
		if (i < 21) {
			struct moat_diff df;

			moat_diff_init(&df);
			t0 = now_us();
			moat_policy_diff(p, q, &df, &d);
			t_diff[i] = now_us() - t0;
			moat_diff_free(&df);
		}
		free(out);
		moat_policy_free(p);
		moat_policy_free(q);
		moat_diags_free(&d);
		moat_diags_init(&d);
	}
	printf("| step (%s, %zu bytes) | median µs |\n|---|---|\n", path, len);
	printf("| OCI import (jansson + model) | %.0f |\n", median(t_imp, RUNS));
	printf("| canonicalize | %.0f |\n", median(t_can, RUNS));
	printf("| OCI export | %.0f |\n", median(t_exp, RUNS));
	printf("| .moat writer | %.0f |\n", median(t_wr, RUNS));
	printf("| .moat parse of that text | %.0f |\n", median(t_parse, RUNS));
	printf("| moat diff JSON vs .moat (2 compiles + simulation) | %.0f |\n",
	       median(t_diff, 21));
	free(text);
	free(json);
	return 0;
}
