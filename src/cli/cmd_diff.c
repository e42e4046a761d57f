// SPDX-License-Identifier: MIT
/* moat diff: where two policies decide differently (compiled and simulated). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/json_out.h"
#include "moat/diff.h"
#include "moat/oci.h"

MOAT_CMD(diff, "show where two policies decide differently (.moat or OCI)");

const char help_diff[] =
	"usage: moat diff A B [--json] [--caps CAP,...] [-I DIR]...\n"
	"\n"
	"Compiles A and B (.moat or OCI JSON) and runs both programs in moat's\n"
	"simulator on every syscall of every architecture they cover, with witness\n"
	"arguments (zeros, all ones, and values that satisfy each rule's condition),\n"
	"plus a number past the syscall table, an x32 number and a foreign\n"
	"architecture. Each difference is printed once, with the architectures it\n"
	"shows on, example arguments when only some arguments differ, both answers\n"
	"and the rule (or default) of each policy that gives them.\n"
	"\n"
	"  --json   an array of differences on stdout\n"
	"  --caps CAP,...\n"
	"           capabilities the container has, for OCI profiles' includes/\n"
	"           excludes \"caps\" (both sides; default: none)\n"
	"  -I DIR   look for include \"FILE\" in DIR too, after the including file's\n"
	"           directory (repeatable, searched in order; for both policies)\n"
	"\n"
	"Exit status: 0 same meaning, 1 differences (or bad input), 2 usage.\n";

static const char *kind_name(uint32_t k)
{
	static const char *const names[] = { "syscall", "unknown", "x32", "badarch", "arch" };

	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "?";
}

static void answer(uint32_t ret, char *buf, size_t size)
{
	struct moat_action a;

	if (moat_action_from_ret(ret, &a) == 0)
		moat_action_format(a, buf, size);
	else
		snprintf(buf, size, "0x%08x", ret);
}

static void arches_list(uint32_t set, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = 0;
	for (int a = 0; a < MOAT_ARCH__COUNT; a++)
		if (set & MOAT_ARCH_BIT(a))
			used += (size_t)snprintf(buf + used, size > used ? size - used : 0, "%s%s",
						 used ? ", " : "", moat_arch_name(a));
}

/* "syscall read on x86_64, i386" / "arg0=0x10 arg2=0x9" */
static void subject(const struct moat_difference *x, char *buf, size_t size)
{
	char arches[64];
	size_t used;

	arches_list(x->arches, arches, sizeof(arches));
	switch (x->kind) {
	case MOAT_DIFF_SYSCALL:
		used = (size_t)snprintf(buf, size, "%s [%s]", x->syscall, arches);
		break;
	case MOAT_DIFF_UNKNOWN:
		used = (size_t)snprintf(buf, size, "numbers past the syscall table [%s]", arches);
		break;
	case MOAT_DIFF_X32:
		used = (size_t)snprintf(buf, size, "x32 numbers (e.g. %s) on x86_64", x->syscall);
		break;
	case MOAT_DIFF_ARCH:
		used = (size_t)snprintf(buf, size, "architecture %s (covered by one policy only)",
					arches);
		break;
	default:
		used = (size_t)snprintf(buf, size, "other architectures");
		break;
	}
	if (x->kind == MOAT_DIFF_SYSCALL && x->args_matter) {
		used += (size_t)snprintf(buf + used, size > used ? size - used : 0, " with");
		for (int i = 0; i < 6; i++)
			if (x->args[i])
				used += (size_t)snprintf(buf + used, size > used ? size - used : 0,
							 " arg%d=0x%" PRIx64, i, x->args[i]);
		if (!memcmp(x->args, (uint64_t[6]){ 0 }, sizeof(x->args)))
			snprintf(buf + used, size > used ? size - used : 0, " all arguments 0");
	}
}

static void print_loc(const char *label, struct moat_loc l)
{
	if (l.file && l.line)
		printf("  %s %s:%u:%u\n", label, l.file, l.line, l.col ? l.col : 1);
	else if (l.file)
		printf("  %s %s (built-in default)\n", label, l.file);
	else
		printf("  %s (built-in default)\n", label);
}

/* Difference I of CTX (struct moat_diff) as a JSON object. */
static json_t *difference_json(const void *ctx, size_t i)
{
	const struct moat_difference *x = &((const struct moat_diff *)ctx)->v[i];
	json_t *o, *ar = json_array(), *args = json_array();
	char a[48], b[48];

	for (int k = 0; k < MOAT_ARCH__COUNT && ar; k++)
		if (x->arches & MOAT_ARCH_BIT(k))
			json_array_append_new(ar, json_string(moat_arch_name(k)));
	for (int k = 0; k < 6 && args && x->args_matter; k++)
		json_array_append_new(args, json_integer((json_int_t)x->args[k]));
	answer(x->ret[0], a, sizeof(a));
	answer(x->ret[1], b, sizeof(b));
	o = json_pack("{s:s, s:s?, s:o, s:o, s:s, s:s, s:s?, s:i, s:s?, s:i}", "kind",
		      kind_name(x->kind), "syscall", x->syscall, "arches", ar, "args",
		      x->args_matter ? args : json_null(), "a", a, "b", b, "a_file", x->loc[0].file,
		      "a_line", (int)x->loc[0].line, "b_file", x->loc[1].file, "b_line",
		      (int)x->loc[1].line);
	if (!x->args_matter)
		json_decref(args);
	return o;
}

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "caps", required_argument, NULL, 'c' },
		{ "include-dir", required_argument, NULL, 'I' },
		{ NULL, 0, NULL, 0 },
	};
	struct moat_oci_opts oci = { 0 };
	struct moat_policy *p[2] = { NULL, NULL };
	struct moat_diags diags;
	struct moat_diff d;
	bool json = false;
	int c, err, rc = MOAT_EXIT_FAIL;

	if (cli_wants_help(argc, argv))
		return MOAT_EXIT_OK;
	optind = 1;
	while ((c = getopt_long(argc, argv, "I:", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'c':
			if (cli_parse_caps("diff", optarg, &oci.caps))
				return MOAT_EXIT_USAGE;
			break;
		case 'I':
			if (cli_add_include_dir(optarg))
				return MOAT_EXIT_USAGE;
			break;
		default:
			fprintf(stderr,
				"usage: moat diff A B [--json] [--caps CAP,...] [-I DIR]\n");
			return MOAT_EXIT_USAGE;
		}
	}
	if (optind != argc - 2) {
		fprintf(stderr, "moat diff: expected two policy files (see 'moat diff --help')\n");
		return MOAT_EXIT_USAGE;
	}
	for (int k = 0; k < 2; k++) {
		p[k] = cli_load_policy(argv[optind + k], &oci);
		if (!p[k])
			goto out;
	}
	moat_diags_init(&diags);
	moat_diff_init(&d);
	err = moat_policy_diff(p[0], p[1], &d, &diags);
	cli_print_diags(&diags);
	moat_diags_free(&diags);
	if (err) {
		if (!diags.nerrors)
			fprintf(stderr, "moat diff: %s\n", strerror(-err));
	} else if (json) {
		if (cli_json_print_array(d.n, difference_json, &d) == 0)
			rc = d.n ? MOAT_EXIT_FAIL : MOAT_EXIT_OK;
	} else {
		for (size_t i = 0; i < d.n; i++) {
			const struct moat_difference *x = &d.v[i];
			char what[256], a[48], b[48];

			subject(x, what, sizeof(what));
			answer(x->ret[0], a, sizeof(a));
			answer(x->ret[1], b, sizeof(b));
			printf("%s: %s -> %s\n", what, a, b);
			print_loc("A:", x->loc[0]);
			print_loc("B:", x->loc[1]);
		}
		printf(d.n == 1 ? "%zu difference\n" : "%zu differences\n", d.n);
		rc = d.n ? MOAT_EXIT_FAIL : MOAT_EXIT_OK;
	}
	moat_diff_free(&d);
out:
	moat_policy_free(p[0]);
	moat_policy_free(p[1]);
	return rc;
}
