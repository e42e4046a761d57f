// SPDX-License-Identifier: MIT
/* moat features: what this kernel supports, probed for real. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "moat/decode.h"
#include "moat/features.h"

MOAT_CMD(features, "show what this kernel supports (probed for real)");

const char help_features[] =
	"usage: moat features [--json]\n\n"
	"Probes this kernel the way moat uses it: seccomp actions and filter flags\n"
	"(installed in forked children), a user-notification round trip, kernel BTF,\n"
	"ringbuf maps, eBPF program loads (tracepoint, raw_tracepoint, tp_btf,\n"
	"fentry, BPF LSM), Landlock, lockdown, BPF sysctls and privileges.\n"
	"Each missing feature says what moat loses without it.\n\n"
	"  --json   one JSON object: {moat_version, kernel, arch, features: [...]}\n\n"
	"Exit status 0 when the probes ran (whatever they found), 1 otherwise.\n";

static json_t *features_json(const struct moat_features *f)
{
	json_t *root = json_object(), *arr = json_array();

	if (!root || !arr)
		goto fail;
	if (json_object_set_new(root, "moat_version", json_string(MOAT_VERSION)) ||
	    json_object_set_new(root, "kernel", json_string(f->kernel_release)) ||
	    json_object_set_new(root, "arch", json_string(f->machine)))
		goto fail;
	for (size_t i = 0; i < f->n; i++) {
		const struct moat_feature *x = &f->v[i];
		const char *en = x->err ? moat_errno_name(x->err) : NULL;
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", x->id, "title", x->title,
				      "status", moat_feature_status_name(x->status), "detail",
				      x->detail, "impact", x->impact);

		if (!o)
			goto fail;
		if (x->err &&
		    json_object_set_new(o, "errno", en ? json_string(en) : json_integer(x->err))) {
			json_decref(o);
			goto fail;
		}
		if (json_array_append_new(arr, o))
			goto fail;
	}
	if (json_object_set_new(root, "features", arr))
		goto fail_root;
	return root;
fail:
	json_decref(arr);
fail_root:
	json_decref(root);
	return NULL;
}

static void print_table(const struct moat_features *f)
{
	printf("moat %s on Linux %s (%s)\n\n", MOAT_VERSION, f->kernel_release, f->machine);
	printf("%-34s %-9s %s\n", "FEATURE", "STATUS", "DETAIL");
	for (size_t i = 0; i < f->n; i++) {
		const struct moat_feature *x = &f->v[i];

		printf("%-34s %-9s %s\n", x->id, moat_feature_status_name(x->status), x->detail);
		if (x->status != MOAT_FEATURE_AVAILABLE && x->impact && *x->impact)
			printf("%-34s %-9s -> %s\n", "", "", x->impact);
	}
}

int cmd_features(int argc, char **argv)
{
	struct moat_features *f;
	bool json = false;
	int err;

	if (cli_wants_help(argc, argv))
		return MOAT_EXIT_OK;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else {
			fprintf(stderr, "moat features: unknown argument '%s'\n%s", argv[i],
				help_features);
			return MOAT_EXIT_USAGE;
		}
	}
	/* Children are forked by the probes: unflushed stdio must not be written twice. */
	fflush(NULL);
	err = moat_features_probe(&f);
	if (err) {
		fprintf(stderr, "moat features: %s\n", strerror(-err));
		return MOAT_EXIT_FAIL;
	}
	if (json) {
		json_t *j = features_json(f);
		char *s = j ? json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		int rc = MOAT_EXIT_FAIL;

		if (s) {
			rc = cli_write_output("-", s, strlen(s)) || cli_write_output("-", "\n", 1)
				     ? MOAT_EXIT_FAIL
				     : MOAT_EXIT_OK;
		} else {
			fprintf(stderr, "moat features: out of memory\n");
		}
		free(s);
		json_decref(j);
		moat_features_free(f);
		return rc;
	}
	print_table(f);
	moat_features_free(f);
	return MOAT_EXIT_OK;
}
