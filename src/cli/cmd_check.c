// SPDX-License-Identifier: MIT
/* moat check: lint a policy (findings with severity, explanation and place). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/json_out.h"
#include "moat/check.h"
#include "moat/oci.h"
#include "moat/util.h"

MOAT_CMD(check, "lint a policy: dangerous syscalls, bypasses, beyond the container default");

const char help_check[] =
	"usage: moat check POLICY [--json] [--baseline FILE|none] [--caps CAP,...]\n"
	"                  [-I DIR]...\n"
	"\n"
	"Lints POLICY (.moat or OCI JSON) and prints each finding with its severity,\n"
	"the line that causes it and why it matters:\n"
	"  allow-by-default    the default action allows (error)\n"
	"  dangerous-syscall   kexec_*, *_module (error); ptrace, process_vm_*, bpf,\n"
	"                      perf_event_open, keyctl, add_key, request_key,\n"
	"                      userfaultfd, io_uring_*, the mount family (warning)\n"
	"  namespaces          clone/unshare allowed with CLONE_NEW* flags\n"
	"  personality         personality allows ADDR_NO_RANDOMIZE\n"
	"  compat-abi          i386 or x32 covered on x86_64\n"
	"  unknown-not-enosys  unknown syscalls get an errno other than ENOSYS\n"
	"  clone3              clone3 allowed while clone's flags are checked (error),\n"
	"                      or denied with something other than ENOSYS\n"
	"  shadowed, invalid   rules that never match; validation errors\n"
	"  beyond-baseline     syscalls allowed that the container default denies\n"
	"\n"
	"  --json              one JSON object per finding, in an array on stdout\n"
	"  --baseline FILE     the container default to compare with (OCI JSON or\n"
	"                      .moat); default /usr/share/containers/seccomp.json when\n"
	"                      present; 'none' to skip\n"
	"  --caps CAP,...      capabilities for the profiles' includes/excludes\n"
	"  -I DIR              look for include \"FILE\" in DIR too, after the including\n"
	"                      file's directory (repeatable, searched in order)\n"
	"\n"
	"Exit status: 0 no error finding, 1 error findings or bad input, 2 usage.\n";

static const char default_baseline[] = "/usr/share/containers/seccomp.json";

static const char *level_name(int level)
{
	return level == MOAT_DIAG_ERROR ? "error" : level == MOAT_DIAG_WARNING ? "warning" : "note";
}

/* Line LINE of FILE (cached), for the caret; NULL when unavailable. */
static char *line_of(const char *file, uint32_t line)
{
	static char *text;
	static const char *cached;
	size_t len;
	const char *s;

	if (!file || !line)
		return NULL;
	if (cached != file) {
		free(text);
		text = NULL;
		cached = file;
		if (moat_read_file(file, 0, &text, &len))
			text = NULL;
	}
	for (s = text; s && --line;) {
		s = strchr(s, '\n');
		if (s)
			s++;
	}
	return s ? strndup(s, strcspn(s, "\n")) : NULL;
}

static void print_text(const struct moat_findings *f)
{
	size_t count[3] = { 0 };

	for (size_t i = 0; i < f->n; i++) {
		const struct moat_finding *x = &f->v[i];
		struct moat_diag d = {
			.level = x->severity,
			.file = (char *)x->loc.file,
			.line = x->loc.line,
			.col = x->loc.col,
			.len = x->syscall ? (uint32_t)strlen(x->syscall) : 1,
		};
		char *out;

		if (asprintf(&d.msg, "%s [%s]", x->msg, x->id) < 0)
			continue;
		d.source_line = line_of(x->loc.file, x->loc.line);
		/* Point at the syscall name on its line when it is there. */
		if (d.source_line && x->syscall && d.col) {
			char *at = strstr(d.source_line + d.col - 1, x->syscall);

			if (at)
				d.col = (uint32_t)(at - d.source_line) + 1;
		}
		if (moat_diag_format(&d, &out) == 0) {
			fputs(out, stdout);
			free(out);
		}
		printf("  why: %s\n", x->why);
		free(d.msg);
		free(d.source_line);
		count[x->severity < 3 ? x->severity : 2]++;
	}
	printf("%zu error%s, %zu warning%s, %zu note%s\n", count[0], count[0] == 1 ? "" : "s",
	       count[1], count[1] == 1 ? "" : "s", count[2], count[2] == 1 ? "" : "s");
}

/* Finding I of CTX (struct moat_findings) as a JSON object. */
static json_t *finding_json(const void *ctx, size_t i)
{
	const struct moat_finding *x = &((const struct moat_findings *)ctx)->v[i];

	return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:i, s:i}", "id", x->id, "severity",
			 level_name(x->severity), "message", x->msg, "explanation", x->why,
			 "syscall", x->syscall, "file", x->loc.file, "line", (int)x->loc.line,
			 "column", (int)x->loc.col);
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "caps", required_argument, NULL, 'c' },
		{ "include-dir", required_argument, NULL, 'I' },
		{ NULL, 0, NULL, 0 },
	};
	struct moat_oci_opts oci = { 0 };
	struct moat_check_opts opts = { 0 };
	struct moat_policy *p = NULL, *base = NULL;
	struct moat_findings f;
	const char *baseline = NULL;
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
		case 'b':
			baseline = optarg;
			break;
		case 'c':
			if (cli_parse_caps("check", optarg, &oci.caps))
				return MOAT_EXIT_USAGE;
			break;
		case 'I':
			if (cli_add_include_dir(optarg))
				return MOAT_EXIT_USAGE;
			break;
		default:
			fprintf(stderr,
				"usage: moat check POLICY [--json] [--baseline FILE|none]\n");
			return MOAT_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "moat check: expected one policy file (see 'moat check --help')\n");
		return MOAT_EXIT_USAGE;
	}
	if (!baseline && access(default_baseline, R_OK) == 0)
		baseline = default_baseline;
	if (baseline && strcmp(baseline, "none")) {
		struct moat_diags d;

		/* The baseline's own warnings are not the user's business here. */
		moat_diags_init(&d);
		if (moat_policy_load(baseline, cli_parse_opts(), &oci, &base, &d))
			base = NULL;
		moat_diags_free(&d);
		if (!base) {
			fprintf(stderr, "moat check: cannot read the baseline %s\n", baseline);
			return MOAT_EXIT_FAIL;
		}
		opts.baseline = base;
		opts.baseline_name =
			baseline == default_baseline ? "Podman's default profile" : baseline;
	}
	p = cli_load_policy(argv[optind], &oci);
	if (!p)
		goto out;
	moat_findings_init(&f);
	err = moat_policy_check(p, &opts, &f);
	if (err) {
		fprintf(stderr, "moat check: %s\n", strerror(-err));
	} else {
		if (json)
			err = cli_json_print_array(f.n, finding_json, &f);
		else
			print_text(&f);
		if (!err)
			rc = f.nerrors ? MOAT_EXIT_FAIL : MOAT_EXIT_OK;
	}
	moat_findings_free(&f);
out:
	moat_policy_free(p);
	moat_policy_free(base);
	return rc;
}
