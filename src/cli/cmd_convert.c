// SPDX-License-Identifier: MIT
/* moat convert: a policy from one format to another (.moat, OCI JSON, SPO YAML). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "moat/oci.h"
#include "moat/util.h"

MOAT_CMD(convert, "convert a policy between .moat, OCI/Docker JSON and SPO YAML");

const char help_convert[] =
	"usage: moat convert IN [-o OUT] [--to moat|oci|spo] [--caps CAP,...] [--kernel X.Y]\n"
	"                    [--host-arch] [--name NAME] [-I DIR]...\n"
	"\n"
	"Reads IN (a .moat policy or an OCI/Docker/Podman seccomp JSON profile, told\n"
	"apart by content) and writes it in another format, to OUT or stdout. OUT is\n"
	"replaced atomically. The policy is validated and written in canonical form.\n"
	"\n"
	"  -o, --output OUT   write to OUT instead of stdout\n"
	"  --to FORMAT        moat (.moat text), oci (runtime-spec JSON) or spo\n"
	"                     (Kubernetes Security Profiles Operator SeccompProfile);\n"
	"                     default: oci for .moat input, moat for JSON input\n"
	"  --caps CAP,...     capabilities the container has, for the profile's\n"
	"                     includes/excludes \"caps\" (default: none)\n"
	"  --kernel X.Y       kernel version for includes/excludes \"minKernel\"\n"
	"                     (default: the running kernel)\n"
	"  --host-arch        keep only this machine's architecture (and its\n"
	"                     sub-architectures) from the profile's archMap\n"
	"  --name NAME        metadata.name of the SeccompProfile (default: OUT's base\n"
	"                     name, or moat-profile)\n"
	"  -I, --include-dir DIR\n"
	"                     look for include \"FILE\" in DIR too, after the including\n"
	"                     file's directory (repeatable, searched in order)\n"
	"\n"
	"Warnings say what the target format cannot keep (e.g. OCI has no action for\n"
	"unknown syscall numbers). docs/oci.md explains how each OCI field is read.\n"
	"Exit status: 0 written, 1 invalid input or not expressible, 2 usage.\n";

/* A Kubernetes name from OUT's base name: lower case, [a-z0-9.-]. */
static char *name_from_path(const char *out)
{
	const char *base = out ? strrchr(out, '/') : NULL;
	char *name, *dot;

	if (!out || !strcmp(out, "-"))
		return strdup("moat-profile");
	base = base ? base + 1 : out;
	name = strdup(base);
	if (!name)
		return NULL;
	dot = strrchr(name, '.');
	if (dot && dot != name)
		*dot = 0;
	for (char *c = name; *c; c++) {
		*c = (char)tolower((unsigned char)*c);
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '.')
			*c = '-';
	}
	while (*name && !isalnum((unsigned char)name[strlen(name) - 1]))
		name[strlen(name) - 1] = 0;
	if (!*name || !isalnum((unsigned char)*name)) {
		free(name);
		return strdup("moat-profile");
	}
	return name;
}

/* The default output is the other format: is IN JSON (first non-blank byte '{')? */
static bool input_is_json(const char *path)
{
	char *data;
	size_t len;
	bool json;

	if (moat_read_file(path, 0, &data, &len))
		return false;
	json = data[strspn(data, " \t\r\n")] == '{';
	free(data);
	return json;
}

int cmd_convert(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "to", required_argument, NULL, 't' },
		{ "caps", required_argument, NULL, 'c' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "host-arch", no_argument, NULL, 'H' },
		{ "name", required_argument, NULL, 'n' },
		{ "include-dir", required_argument, NULL, 'I' },
		{ NULL, 0, NULL, 0 },
	};
	struct moat_oci_opts oci = { 0 };
	const char *out = NULL, *to = NULL, *in, *name = NULL;
	struct moat_policy *p = NULL;
	struct moat_diags d;
	char *text = NULL, *autoname = NULL;
	int c, err, rc = MOAT_EXIT_FAIL;

	if (cli_wants_help(argc, argv))
		return MOAT_EXIT_OK;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:I:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'c':
			if (cli_parse_caps("convert", optarg, &oci.caps))
				return MOAT_EXIT_USAGE;
			break;
		case 'k':
			if (moat_kernel_version_parse(optarg, &oci.kernel_major,
						      &oci.kernel_minor) ||
			    !oci.kernel_major) {
				fprintf(stderr, "moat convert: --kernel wants X.Y, not '%s'\n",
					optarg);
				return MOAT_EXIT_USAGE;
			}
			break;
		case 'H':
			oci.host_arch_only = true;
			break;
		case 'n':
			name = optarg;
			break;
		case 'I':
			if (cli_add_include_dir(optarg))
				return MOAT_EXIT_USAGE;
			break;
		default:
			fprintf(stderr,
				"usage: moat convert IN [-o OUT] [--to moat|oci|spo] ...\n");
			return MOAT_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr,
			"moat convert: expected one input file (see 'moat convert --help')\n");
		return MOAT_EXIT_USAGE;
	}
	in = argv[optind];
	if (to && strcmp(to, "moat") && strcmp(to, "oci") && strcmp(to, "spo")) {
		fprintf(stderr, "moat convert: --to wants moat, oci or spo, not '%s'\n", to);
		return MOAT_EXIT_USAGE;
	}
	if (!to)
		to = input_is_json(in) ? "moat" : "oci";

	p = cli_load_policy(in, &oci);
	if (!p)
		return MOAT_EXIT_FAIL;
	moat_diags_init(&d);
	err = moat_policy_validate(p, &d);
	if (!err)
		err = moat_policy_canonicalize(p);
	if (!err && strcmp(to, "moat"))
		err = moat_oci_check(
			p, strcmp(to, "spo") ? MOAT_OCI_TARGET_OCI : MOAT_OCI_TARGET_SPO, &d);
	cli_print_diags(&d);
	moat_diags_free(&d);
	if (err == -ENOMEM)
		fprintf(stderr, "moat convert: %s\n", strerror(ENOMEM));
	if (err)
		goto out;

	if (!strcmp(to, "moat")) {
		err = moat_policy_to_moat(p, &text);
	} else if (!strcmp(to, "oci")) {
		err = moat_oci_export(p, &text);
	} else {
		if (!name)
			name = autoname = name_from_path(out);
		err = name ? moat_spo_export(p, name, &text) : -ENOMEM;
		if (err == -EINVAL)
			fprintf(stderr,
				"moat convert: '%s' is not a Kubernetes name (lower case letters, "
				"digits, '-' and '.')\n",
				name);
	}
	if (err) {
		if (err != -EINVAL)
			fprintf(stderr, "moat convert: cannot write %s: %s\n", to, strerror(-err));
		goto out;
	}
	if (cli_write_output(out, text, strlen(text)) == 0)
		rc = MOAT_EXIT_OK;
out:
	free(text);
	free(autoname);
	moat_policy_free(p);
	return rc;
}
