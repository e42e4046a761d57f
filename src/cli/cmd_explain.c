// SPDX-License-Identifier: MIT
/* moat explain: what a policy does with one syscall, and why. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/origin.h"
#include "moat/compile.h"
#include "moat/decode.h"

MOAT_CMD(explain, "show the verdict of a policy for a syscall and the rule that decides");

const char help_explain[] =
	"usage: moat explain POLICY SYSCALL [ARG...] [--arch ARCH] [-O0|-O1|-O2]\n"
	"                    [-I DIR]...\n\n"
	"Compiles POLICY, runs the program on the simulator for SYSCALL (a name,\n"
	"syscall_NNN or a number) with arguments ARG (numbers, -1, constants such\n"
	"as AF_INET, or A|B; missing ones are 0), and prints the verdict, the\n"
	"rule that decides (file:line and its text) or the default that applies,\n"
	"and the instructions executed.\n\n"
	"  --arch ARCH   x86_64 (default: the native arch), i386, x32, aarch64\n"
	"  --x32         same as --arch x32\n"
	"  -I DIR        look for include \"FILE\" in DIR too, after the including\n"
	"                file's directory (repeatable, searched in order)\n";

/* "123", "-100", "0x10", "AF_INET", "O_RDONLY|O_CLOEXEC". */
static int parse_arg(const char *s, uint64_t *out)
{
	char *copy = strdup(s), *tok, *save = NULL;
	uint64_t v = 0;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, "|", &save); tok && !err; tok = strtok_r(NULL, "|", &save)) {
		uint64_t x;
		char *end;

		errno = 0;
		if (tok[0] == '-')
			x = (uint64_t)strtoll(tok, &end, 0);
		else
			x = strtoull(tok, &end, 0);
		if (errno || end == tok || *end)
			err = moat_const_lookup(tok, &x) ? -EINVAL : 0;
		v |= x;
	}
	free(copy);
	if (!err)
		*out = v;
	return err;
}

static void print_verdict(uint32_t ret)
{
	struct moat_action a;
	char buf[64];

	if ((ret & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF) {
		printf("verdict: notify (reported to moat's supervisor)\n");
		return;
	}
	if (moat_action_from_ret(ret, &a)) {
		printf("verdict: %#x\n", ret);
		return;
	}
	moat_action_format(a, buf, sizeof(buf));
	printf("verdict: %s\n", buf);
}

static int explain(const struct moat_policy *p, const struct moat_compile_opts *opts,
		   enum moat_arch arch, const char *sc, uint32_t nr, const uint64_t *args)
{
	struct moat_seccomp_data d = { .nr = (int32_t)nr, .arch = moat_arch_audit(arch) };
	struct moat_sim_result r = { 0 };
	struct moat_origin origin;
	struct moat_prog *prog = NULL;
	struct moat_diags diags;
	char *text = NULL, *line, *save = NULL;
	char name[64];
	size_t *lines = NULL, nlines = 0;
	int err;

	memcpy(d.args, args, sizeof(d.args));
	moat_diags_init(&diags);
	err = moat_compile(p, opts, &prog, &diags);
	cli_print_diags(&diags);
	moat_diags_free(&diags);
	if (err) {
		fprintf(stderr, "moat: explain: cannot compile: %s\n", strerror(-err));
		return -1;
	}
	r.trace = calloc(prog->len + 1, sizeof(*r.trace));
	r.trace_cap = prog->len + 1;
	lines = calloc(prog->len + 1, sizeof(*lines));
	if (!r.trace || !lines || moat_sim_run(prog, &d, &r) || moat_disasm(prog, &text)) {
		fprintf(stderr, "moat: explain: simulation failed\n");
		err = -1;
		goto out;
	}
	moat_syscall_format(arch, nr, name, sizeof(name));
	printf("%s %s (nr %u", moat_arch_name(arch), name, nr);
	if (strcmp(name, sc) && strncmp(sc, "syscall_", 8))
		printf(", given as %s", sc);
	printf(") args");
	for (int i = 0; i < 6; i++)
		printf(" %#llx", (unsigned long long)args[i]);
	printf("\n");
	print_verdict(r.ret);
	printf("decided by:\n");
	origin = prog->origin[r.ret_pc];
	if (origin.kind == MOAT_ORIGIN_RULE) {
		/* The ret is shared by the rules with this verdict: name the exact one. */
		long rule = moat_policy_deciding_rule(p, arch, nr, args);

		if (rule >= 0 && moat_action_ret(p->rules[rule].action) == r.ret)
			origin.rule = (uint32_t)rule;
	}
	cli_origin_print(stdout, p, origin);
	/* One disassembly line per instruction: index them, print the executed ones. */
	for (line = strtok_r(text, "\n", &save); line && nlines < prog->len;
	     line = strtok_r(NULL, "\n", &save))
		lines[nlines++] = (size_t)(line - text);
	printf("trace (%zu instructions executed):\n", r.executed);
	for (size_t i = 0; i < r.trace_len; i++) {
		size_t pc = r.trace[i];

		if (pc < nlines)
			printf("  %s\n", text + lines[pc]);
	}
out:
	free(text);
	free(lines);
	free(r.trace);
	moat_prog_free(prog);
	return err;
}

int cmd_explain(int argc, char **argv)
{
	struct moat_compile_opts opts = { .optimize = 1 };
	enum moat_arch arch = moat_arch_native();
	const char *path = NULL, *sc = NULL;
	uint64_t args[6] = { 0 };
	int nargs = 0, ret;
	struct moat_policy *p;
	uint32_t nr;
	char *end;

	if (cli_wants_help(argc, argv))
		return MOAT_EXIT_OK;
	for (int i = 1, r; i < argc; i++) {
		const char *a = argv[i];

		if ((!strcmp(a, "--arch") && i + 1 < argc) || !strncmp(a, "--arch=", 7)) {
			const char *v = a[6] == '=' ? a + 7 : argv[++i];

			if (moat_arch_parse(v, &arch)) {
				fprintf(stderr, "moat: explain: unknown arch '%s'\n", v);
				return MOAT_EXIT_USAGE;
			}
		} else if (!strcmp(a, "--x32")) {
			arch = MOAT_ARCH_X32;
		} else if (cli_parse_opt_level(a, &opts)) {
			continue;
		} else if ((r = cli_include_opt(argc, argv, &i))) {
			if (r < 0)
				return MOAT_EXIT_USAGE;
		} else if (a[0] == '-' && a[1] && !path) {
			fprintf(stderr, "moat: explain: unknown option '%s'\n", a);
			return MOAT_EXIT_USAGE;
		} else if (!path) {
			path = a;
		} else if (!sc) {
			sc = a;
		} else if (nargs < 6) {
			if (parse_arg(a, &args[nargs])) {
				fprintf(stderr,
					"moat: explain: bad argument '%s' (a number or a "
					"constant such as AF_INET)\n",
					a);
				return MOAT_EXIT_USAGE;
			}
			nargs++;
		} else {
			fprintf(stderr, "moat: explain: at most 6 arguments\n");
			return MOAT_EXIT_USAGE;
		}
	}
	if (!path || !sc) {
		fprintf(stderr, "usage: moat explain POLICY SYSCALL [ARG...] [--arch ARCH]\n");
		return MOAT_EXIT_USAGE;
	}
	errno = 0;
	nr = (uint32_t)strtoul(sc, &end, 0);
	if (errno || end == sc || *end) {
		if (moat_syscall_parse(arch, sc, &nr)) {
			fprintf(stderr, "moat: explain: '%s' is not a syscall on %s\n", sc,
				moat_arch_name(arch));
			return MOAT_EXIT_USAGE;
		}
	}
	/* x32 numbers carry __X32_SYSCALL_BIT, as the kernel hands them to seccomp. */
	if (arch == MOAT_ARCH_X32)
		nr |= MOAT_X32_SYSCALL_BIT;
	p = cli_load_policy(path, NULL);
	if (!p)
		return MOAT_EXIT_FAIL;
	ret = explain(p, &opts, arch, sc, nr, args) ? MOAT_EXIT_FAIL : MOAT_EXIT_OK;
	moat_policy_free(p);
	return ret;
}
