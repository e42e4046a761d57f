// SPDX-License-Identifier: MIT
/* OCI seccomp JSON: import of every field, errors, export, round trips, SPO YAML. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "moat/oci.h"
#include "moat/policy.h"
#include "moat/util.h"
#include "testutil.h"

static char *read_data(const char *rel, size_t *len)
{
	const char *root = getenv("MOAT_ROOT");
	char path[512];
	char *data;

	if (rel[0] == '/')
		snprintf(path, sizeof(path), "%s", rel);
	else
		snprintf(path, sizeof(path), "%s/%s", root ? root : ".", rel);
	assert_int_equal(moat_read_file(path, 0, &data, len), 0);
	return data;
}

static struct moat_policy *import_ok(const char *rel, const struct moat_oci_opts *o,
				     struct moat_diags *d)
{
	struct moat_policy *p = NULL;
	size_t len;
	char *data = read_data(rel, &len);

	moat_diags_init(d);
	assert_int_equal(moat_oci_import(rel, data, len, o, &p, d), 0);
	free(data);
	assert_non_null(p);
	return p;
}

/* Imports a string that must fail; returns the first diagnostic, formatted (first line). */
static const char *import_err(const char *json)
{
	static char buf[512];
	struct moat_policy *p = NULL;
	struct moat_diags d;
	char *s;

	moat_diags_init(&d);
	assert_int_equal(moat_oci_import("t.json", json, strlen(json), NULL, &p, &d), -EINVAL);
	assert_null(p);
	assert_true(d.nerrors >= 1);
	for (size_t i = 0; i < d.n; i++) {
		if (d.v[i].level != MOAT_DIAG_ERROR)
			continue;
		assert_int_equal(moat_diag_format(&d.v[i], &s), 0);
		snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(s, "\n"), s);
		free(s);
		break;
	}
	moat_diags_free(&d);
	return buf;
}

static const struct moat_rule *rule(const struct moat_policy *p, const char *sc, size_t nth)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (!strcmp(p->rules[i].syscall, sc) && nth-- == 0)
			return &p->rules[i];
	return NULL;
}

static size_t nrules_for(const struct moat_policy *p, const char *sc)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nrules; i++)
		n += !strcmp(p->rules[i].syscall, sc);
	return n;
}

static void test_actions(void **state)
{
	struct moat_diags d;
	struct moat_policy *p = import_ok("tests/data/oci/actions.json", NULL, &d);
	static const struct {
		const char *sc;
		uint32_t kind, data;
	} want[] = {
		{ "read", MOAT_ACT_ALLOW, 0 },	      { "write", MOAT_ACT_LOG, 0 },
		{ "close", MOAT_ACT_ERRNO, EPERM },   { "open", MOAT_ACT_ERRNO, EACCES },
		{ "stat", MOAT_ACT_TRACE, 7 },	      { "fstat", MOAT_ACT_TRACE, 1 },
		{ "lstat", MOAT_ACT_TRAP, 0 },	      { "poll", MOAT_ACT_KILL_THREAD, 0 },
		{ "lseek", MOAT_ACT_KILL_THREAD, 0 }, { "mmap", MOAT_ACT_KILL_PROCESS, 0 },
		{ "mprotect", MOAT_ACT_NOTIFY, 0 },
	};

	assert_int_equal(d.n, 0);
	assert_int_equal(p->default_action.kind, MOAT_ACT_KILL_PROCESS);
	assert_int_equal(p->unknown_action.kind, MOAT_ACT_KILL_PROCESS);
	assert_int_equal(p->arches, MOAT_ARCH_BIT(MOAT_ARCH_X86_64));
	assert_int_equal(p->nrules, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct moat_rule *r = rule(p, want[i].sc, 0);

		assert_non_null(r);
		assert_int_equal(r->action.kind, want[i].kind);
		assert_int_equal(r->action.data, want[i].data);
		assert_int_equal(r->ncmps, 0);
	}
	/* Each rule knows the line and column of its name. */
	assert_int_equal(rule(p, "read", 0)->loc.line, 5);
	assert_int_equal(rule(p, "read", 0)->loc.col, 15);
	assert_string_equal(p->listener_path, "/run/moat/agent.sock");
	assert_string_equal(p->listener_metadata, "profile=test");
	moat_diags_free(&d);
	moat_policy_free(p);
}

static void test_ops(void **state)
{
	struct moat_diags d;
	struct moat_policy *p = import_ok("tests/data/oci/ops.json", NULL, &d);
	static const struct {
		const char *sc;
		uint8_t arg, op;
		uint64_t value;
	} want[] = {
		{ "read", 0, MOAT_OP_EQ, 3 },  { "write", 1, MOAT_OP_NE, 4 },
		{ "close", 2, MOAT_OP_LT, 5 }, { "fstat", 3, MOAT_OP_LE, 6 },
		{ "lseek", 4, MOAT_OP_GE, 7 }, { "mmap", 5, MOAT_OP_GT, 8 },
	};
	const struct moat_rule *r;

	assert_int_equal(d.n, 0);
	assert_int_equal(p->default_action.kind, MOAT_ACT_ERRNO);
	assert_int_equal(p->default_action.data, ENOSYS);
	assert_int_equal(p->arches,
			 MOAT_ARCH_BIT(MOAT_ARCH_X86_64) | MOAT_ARCH_BIT(MOAT_ARCH_AARCH64));
	assert_int_equal(p->flags, MOAT_FLAG_LOG | MOAT_FLAG_SPEC_ALLOW | MOAT_FLAG_WAIT_KILLABLE |
					   MOAT_FLAG_TSYNC);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		r = rule(p, want[i].sc, 0);
		assert_non_null(r);
		assert_int_equal(r->ncmps, 1);
		assert_int_equal(r->cmps[0].arg, want[i].arg);
		assert_int_equal(r->cmps[0].op, want[i].op);
		assert_int_equal(r->cmps[0].value, want[i].value);
	}
	/* MASKED_EQ: "value" is the mask, "valueTwo" the datum. */
	r = rule(p, "mprotect", 0);
	assert_int_equal(r->cmps[0].op, MOAT_OP_MASKED_EQ);
	assert_int_equal(r->cmps[0].mask, 4);
	assert_int_equal(r->cmps[0].value, 0);
	/* Two args with different indexes: one rule, AND. */
	assert_int_equal(nrules_for(p, "ioctl"), 1);
	r = rule(p, "ioctl", 0);
	assert_int_equal(r->ncmps, 2);
	assert_int_equal(r->cmps[1].value, 21505);
	/* The same index twice: runc makes a rule of each comparison (OR). */
	assert_int_equal(nrules_for(p, "kill"), 2);
	assert_int_equal(rule(p, "kill", 0)->ncmps, 1);
	assert_int_equal(rule(p, "kill", 0)->cmps[0].value, 9);
	assert_int_equal(rule(p, "kill", 1)->ncmps, 1);
	assert_int_equal(rule(p, "kill", 1)->cmps[0].value, 19);
	moat_diags_free(&d);
	moat_policy_free(p);
}

static void test_archmap_and_filters(void **state)
{
	struct moat_oci_opts o = { .kernel_major = 4, .kernel_minor = 4 };
	struct moat_diags d;
	struct moat_policy *p;
	const uint32_t all = MOAT_ARCH_BIT(MOAT_ARCH_X86_64) | MOAT_ARCH_BIT(MOAT_ARCH_I386) |
			     MOAT_ARCH_BIT(MOAT_ARCH_X32) | MOAT_ARCH_BIT(MOAT_ARCH_AARCH64);

	/* No capabilities, kernel 4.4. */
	p = import_ok("tests/data/oci/filters.json", &o, &d);
	assert_int_equal(p->arches, all); /* s390x is not moat's: left out */
	assert_int_equal(nrules_for(p, "bpf"), 1);
	assert_int_equal(rule(p, "bpf", 0)->action.kind, MOAT_ACT_ERRNO);
	assert_int_equal(nrules_for(p, "ptrace"), 0);	      /* caps missing, kernel < 4.8 */
	assert_int_equal(nrules_for(p, "io_uring_setup"), 1); /* excluded from 5.1 on */
	assert_int_equal(nrules_for(p, "arch_prctl"), 1);     /* amd64 is covered */
	assert_int_equal(nrules_for(p, "s390_runtime_instr"), 0);
	/* Excluded for amd64 and arm64: applies on none of the primary arches. */
	assert_int_equal(nrules_for(p, "getpid"), 0);
	assert_int_equal(d.n, 0);
	moat_diags_free(&d);
	moat_policy_free(p);

	/* CAP_SYS_ADMIN only, kernel 5.10. */
	o.caps = 1ull << 21;
	o.kernel_major = 5;
	o.kernel_minor = 10;
	p = import_ok("tests/data/oci/filters.json", &o, &d);
	assert_int_equal(nrules_for(p, "bpf"), 1);
	assert_int_equal(rule(p, "bpf", 0)->action.kind, MOAT_ACT_ALLOW);
	/* includes.caps needs every listed cap; minKernel 4.8 holds. */
	assert_int_equal(nrules_for(p, "ptrace"), 1);
	assert_int_equal(nrules_for(p, "io_uring_setup"), 0);
	moat_diags_free(&d);
	moat_policy_free(p);

	/* Both capabilities: the caps entry for ptrace too (the later one is a duplicate). */
	o.caps |= 1ull << 19;
	o.kernel_major = 4;
	o.kernel_minor = 8; /* minKernel is ">=" */
	p = import_ok("tests/data/oci/filters.json", &o, &d);
	assert_int_equal(nrules_for(p, "ptrace"), 1);
	assert_int_equal(d.n, 0);
	moat_diags_free(&d);
	moat_policy_free(p);
}

static void test_host_arch_only(void **state)
{
	struct moat_oci_opts o = { .host_arch_only = true };
	struct moat_diags d;
	struct moat_policy *p = import_ok("tests/data/oci/filters.json", &o, &d);

	if (moat_arch_native() == MOAT_ARCH_X86_64)
		assert_int_equal(p->arches, MOAT_ARCH_BIT(MOAT_ARCH_X86_64) |
						    MOAT_ARCH_BIT(MOAT_ARCH_I386) |
						    MOAT_ARCH_BIT(MOAT_ARCH_X32));
	else
		assert_int_equal(p->arches, MOAT_ARCH_BIT(moat_arch_native()));
	moat_diags_free(&d);
	moat_policy_free(p);
}

static void test_order_and_unknown_names(void **state)
{
	struct moat_diags d;
	struct moat_policy *p = import_ok("tests/data/oci/order.json", NULL, &d);
	char *s;

	/* File order kept within a syscall. */
	assert_int_equal(nrules_for(p, "socket"), 3);
	assert_int_equal(rule(p, "socket", 0)->action.kind, MOAT_ACT_ERRNO);
	assert_int_equal(rule(p, "socket", 0)->action.data, EINVAL);
	assert_int_equal(rule(p, "socket", 1)->cmps[0].op, MOAT_OP_NE);
	assert_string_equal(rule(p, "clone", 0)->comment, "no namespaces");
	assert_int_equal(rule(p, "clone", 0)->cmps[0].mask, 2114060288);
	/* Unknown names are skipped, as runc does, with a warning at the name. */
	assert_null(rule(p, "no_such_syscall", 0));
	assert_non_null(rule(p, "write", 0));
	assert_int_equal(d.n, 1);
	assert_int_equal(d.nerrors, 0);
	assert_int_equal(moat_diag_format(&d.v[0], &s), 0);
	assert_string_equal(s, "tests/data/oci/order.json:20:32: warning: syscall "
			       "'no_such_syscall' is unknown on the profile's architectures: "
			       "skipped\n"
			       "  \t\t{ \"names\": [\"read\", \"write\", \"no_such_syscall\"], "
			       "\"action\": \"SCMP_ACT_ALLOW\" }\n"
			       "  \t\t                             ^~~~~~~~~~~~~~~~~\n");
	free(s);
	moat_diags_free(&d);
	moat_policy_free(p);
}

static void test_dead_entries(void **state)
{
	const char *json = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
			   "[\"SCMP_ARCH_X86_64\"],\n"
			   "\"syscalls\": [\n"
			   "{\"names\": [\"setns\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
			   "{\"names\": [\"setns\"], \"action\": \"SCMP_ACT_ERRNO\"},\n"
			   "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
			   " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},\n"
			   "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_LOG\"}]}\n";
	struct moat_policy *p = NULL;
	struct moat_diags d;

	moat_diags_init(&d);
	assert_int_equal(moat_oci_import("t.json", json, strlen(json), NULL, &p, &d), 0);
	/* libseccomp keeps the first unconditional rule: so does moat, and says so. */
	assert_int_equal(nrules_for(p, "setns"), 1);
	assert_int_equal(rule(p, "setns", 0)->action.kind, MOAT_ACT_ALLOW);
	assert_int_equal(nrules_for(p, "read"), 2);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.v[0].msg, "'errno EPERM' for 'setns' never applies: an earlier "
					"entry (line 3) already gives 'allow' unconditionally");
	assert_int_equal(d.v[0].line, 4);
	assert_int_equal(d.v[1].line, 7);
	assert_string_equal(d.v[1].msg,
			    "unconditional 'log' for 'read' after a conditional 'allow' (line 5): "
			    "libseccomp (runc, crun) lets it override the conditional rules, moat "
			    "applies them in file order");
	moat_diags_free(&d);
	moat_policy_free(p);
}

static void test_errors(void **state)
{
	assert_string_equal(import_err("{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",,\n}"),
			    "t.json:2:37: error: invalid JSON: string or '}' expected near ','");
	assert_string_equal(import_err("[1, 2]"),
			    "t.json:1:1: error: an OCI seccomp profile is a JSON object, not an "
			    "array");
	assert_string_equal(import_err("{\"syscalls\": []}"),
			    "t.json:1:1: error: the profile has no \"defaultAction\"");
	assert_string_equal(import_err("{\"defaultAction\": 5}"),
			    "t.json:1:19: error: defaultAction must be a string (SCMP_ACT_*), not "
			    "an integer");
	assert_string_equal(import_err("{\"defaultAction\": \"SCMP_ACT_DENY\"}"),
			    "t.json:1:19: error: unknown action 'SCMP_ACT_DENY' (SCMP_ACT_KILL, "
			    "KILL_PROCESS, KILL_THREAD, TRAP, ERRNO, TRACE, ALLOW, LOG or NOTIFY)");
	assert_string_equal(import_err("{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
				       "\"defaultErrnoRet\": 5000}"),
			    "t.json:1:56: error: errno value must be 0..4095, not 5000");
	assert_string_equal(import_err("{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
				       "\"syscalls\": [{\"names\": [\"read\"], \"action\": "
				       "\"SCMP_ACT_ALLOW\",\n"
				       "  \"args\": [{\"index\": 6, \"op\": \"SCMP_CMP_EQ\"}]}]}"),
			    "t.json:3:22: error: index must be 0..5, not 6");
	assert_string_equal(import_err("{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
				       "\"syscalls\": [{\"names\": [\"read\"], \"action\": "
				       "\"SCMP_ACT_ALLOW\",\n"
				       "  \"args\": [{\"index\": 1, \"op\": \"SCMP_CMP_IN\"}]}]}"),
			    "t.json:3:31: error: unknown operator 'SCMP_CMP_IN' (SCMP_CMP_NE, LT, "
			    "LE, EQ, GE, GT or MASKED_EQ)");
	assert_string_equal(import_err("{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
				       "\"syscalls\": [{\"names\": \"read\", \"action\": "
				       "\"SCMP_ACT_ALLOW\"}]}"),
			    "t.json:2:24: error: names must be an array of strings, not a string");
	assert_string_equal(import_err("{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
				       "\"syscalls\": [{\"names\": [\"read\"]}]}"),
			    "t.json:2:14: error: syscalls[0] has no \"action\"");
	assert_string_equal(import_err("{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
				       "\"flags\": [\"SECCOMP_FILTER_FLAG_NOPE\"]}"),
			    "t.json:1:47: error: unknown flag 'SECCOMP_FILTER_FLAG_NOPE' "
			    "(SECCOMP_FILTER_FLAG_TSYNC, LOG, SPEC_ALLOW or WAIT_KILLABLE_RECV)");
	assert_string_equal(import_err("{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
				       "\"architectures\": [\"SCMP_ARCH_MIPS\"]}"),
			    "t.json:1:54: error: none of the profile's architectures is supported "
			    "by moat (x86_64, x86, x32, aarch64)");
	assert_string_equal(import_err("{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
				       "\"defaultAction\": \"SCMP_ACT_ALLOW\"}"),
			    "t.json:1:51: error: invalid JSON: duplicate object key near "
			    "'\"defaultAction\"'");
	assert_string_equal(import_err("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
				       "[{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", "
				       "\"includes\": {\"minKernel\": \"new\"}}]}"),
			    "t.json:1:124: error: minKernel must be a string \"MAJOR.MINOR\"");
}

/* Import -> canonicalize; export -> import -> canonicalize; must be equal. */
static void round_trip(const char *rel, const struct moat_oci_opts *o)
{
	struct moat_diags d, d2;
	struct moat_policy *p = import_ok(rel, o, &d), *q = NULL;
	char *json;

	assert_int_equal(moat_policy_canonicalize(p), 0);
	assert_int_equal(moat_oci_export(p, &json), 0);
	moat_diags_init(&d2);
	assert_int_equal(moat_oci_import("export.json", json, strlen(json), o, &q, &d2), 0);
	assert_int_equal(d2.n, 0); /* moat's own output is clean */
	assert_int_equal(moat_policy_canonicalize(q), 0);
	assert_true(moat_policy_equal(p, q));
	free(json);
	moat_diags_free(&d);
	moat_diags_free(&d2);
	moat_policy_free(p);
	moat_policy_free(q);
}

static void test_round_trip_files(void **state)
{
	struct moat_oci_opts caps = { .caps = ~0ull, .kernel_major = 6, .kernel_minor = 1 };

	round_trip("tests/data/oci/actions.json", NULL);
	round_trip("tests/data/oci/ops.json", NULL);
	round_trip("tests/data/oci/filters.json", NULL);
	round_trip("tests/data/oci/filters.json", &caps);
	round_trip("tests/data/oci/order.json", NULL);
}

static const char podman[] = "/usr/share/containers/seccomp.json";

static void test_podman_nothing_lost(void **state)
{
	struct moat_policy *p = NULL;
	struct moat_diags d;
	json_error_t jerr;
	json_t *root, *e, *n;
	size_t i, k, len, names = 0, rules = 0, warned = 0;
	char *data;

	if (moat_read_file(podman, 0, &data, &len)) {
		skip();
		return;
	}
	moat_diags_init(&d);
	assert_int_equal(moat_oci_import(podman, data, len, NULL, &p, &d), 0);
	/* Count independently with jansson: entries that apply without caps. */
	root = json_loads(data, 0, &jerr);
	assert_non_null(root);
	json_array_foreach(json_object_get(root, "syscalls"), i, e)
	{
		json_t *inc = json_object_get(e, "includes");
		json_t *arches = json_object_get(inc, "arches");
		bool ours = !json_array_size(json_object_get(inc, "caps"));
		size_t a;
		json_t *an;

		/* includes.arches: applies if it names amd64 or arm64 (the archMap primaries). */
		if (json_array_size(arches)) {
			bool hit = false;

			json_array_foreach(arches, a, an) hit |=
				!strcmp(json_string_value(an), "amd64") ||
				!strcmp(json_string_value(an), "arm64");
			ours &= hit;
		}
		if (!ours)
			continue;
		json_array_foreach(json_object_get(e, "names"), k, n)
		{
			const char *sc = json_string_value(n);
			bool found = false, warn = false;

			names++;
			for (size_t r = 0; r < p->nrules; r++)
				found |= !strcmp(p->rules[r].syscall, sc);
			for (size_t w = 0; w < d.n; w++)
				warn |= d.v[w].level == MOAT_DIAG_WARNING &&
					strstr(d.v[w].msg, sc) != NULL;
			/* Every name is a rule, or skipped with a warning naming it. */
			assert_true(found || warn);
			rules += found;
			warned += !found;
		}
	}
	assert_true(names > 400);
	assert_true(warned < 25);
	/* The only name with a warning and a rule: setns (allowed earlier, denied later). */
	assert_non_null(rule(p, "setns", 0));
	assert_int_equal(nrules_for(p, "setns"), 1);
	/* The personality values and the socket rules are all kept. */
	assert_int_equal(nrules_for(p, "personality"), 5);
	assert_int_equal(nrules_for(p, "socket"), 3);
	assert_int_equal(p->default_action.data, ENOSYS);
	json_decref(root);
	free(data);
	moat_diags_free(&d);
	moat_policy_free(p);
	(void)rules;
}

static void test_podman_round_trip(void **state)
{
	struct moat_oci_opts opts[] = {
		{ 0 },
		{ .caps = ~0ull },
		{ .caps = 1ull << 21,
		  .kernel_major = 4,
		  .kernel_minor = 0,
		  .host_arch_only = true },
	};

	if (access(podman, R_OK)) {
		skip();
		return;
	}
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		round_trip(podman, &opts[i]);
}

static struct moat_policy *policy_with(struct moat_action a, const char *sc,
				       const struct moat_cmp *c, uint32_t n)
{
	struct moat_policy *p = moat_policy_new();

	assert_non_null(p);
	p->arches = MOAT_ARCH_BIT(MOAT_ARCH_X86_64);
	assert_int_equal(moat_policy_add_rule(p, sc, a, c, n, (struct moat_loc){ 0 }, NULL), 0);
	return p;
}

static void test_export_shapes(void **state)
{
	uint64_t set[3] = { 2, 10, 1 };
	struct moat_cmp c[2] = {
		{ .arg = 0, .op = MOAT_OP_IN, .set = set, .nset = 3 },
		{ .arg = 2, .op = MOAT_OP_MASKED_EQ, .mask = 0xffffffff00000000ull, .value = 0 },
	};
	struct moat_policy *p =
		policy_with((struct moat_action){ MOAT_ACT_ALLOW, 0 }, "socket", c, 2);
	const struct moat_action eperm = { MOAT_ACT_ERRNO, EPERM };
	json_error_t jerr;
	json_t *root, *list;
	char *text;

	assert_int_equal(
		moat_policy_add_rule(p, "read", eperm, NULL, 0, (struct moat_loc){ 0 }, NULL), 0);
	assert_int_equal(
		moat_policy_add_rule(p, "write", eperm, NULL, 0, (struct moat_loc){ 0 }, NULL), 0);
	assert_int_equal(moat_oci_export(p, &text), 0);
	/* 2^64 - 2^32 is written as an unsigned decimal, as runc reads it. */
	assert_non_null(strstr(text, "\"value\": 18446744069414584320,"));
	free(text);

	/* The same without the big mask, checked structurally. */
	p->rules[0].cmps[1].mask = 4;
	assert_int_equal(moat_oci_export(p, &text), 0);
	root = json_loads(text, 0, &jerr);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "defaultAction")),
			    "SCMP_ACT_ERRNO");
	assert_int_equal(json_integer_value(json_object_get(root, "defaultErrnoRet")), EPERM);
	assert_string_equal(
		json_string_value(json_array_get(json_object_get(root, "architectures"), 0)),
		"SCMP_ARCH_X86_64");
	list = json_object_get(root, "syscalls");
	/* IN {1,2,10} -> three entries, then one grouped entry for read and write. */
	assert_int_equal(json_array_size(list), 4);
	for (size_t i = 0; i < 3; i++) {
		json_t *e = json_array_get(list, i), *args = json_object_get(e, "args");

		assert_string_equal(
			json_string_value(json_array_get(json_object_get(e, "names"), 0)),
			"socket");
		assert_int_equal(json_array_size(args), 2);
		assert_int_equal(
			json_integer_value(json_object_get(json_array_get(args, 0), "value")),
			i == 0	 ? 1
			: i == 1 ? 2
				 : 10);
		assert_string_equal(
			json_string_value(json_object_get(json_array_get(args, 1), "op")),
			"SCMP_CMP_MASKED_EQ");
		assert_int_equal(
			json_integer_value(json_object_get(json_array_get(args, 1), "value")), 4);
		assert_int_equal(
			json_integer_value(json_object_get(json_array_get(args, 1), "valueTwo")),
			0);
	}
	{
		json_t *e = json_array_get(list, 3), *names = json_object_get(e, "names");

		assert_int_equal(json_array_size(names), 2);
		assert_string_equal(json_string_value(json_array_get(names, 0)), "read");
		assert_string_equal(json_string_value(json_array_get(names, 1)), "write");
		assert_string_equal(json_string_value(json_object_get(e, "action")),
				    "SCMP_ACT_ERRNO");
		assert_int_equal(json_integer_value(json_object_get(e, "errnoRet")), EPERM);
	}
	json_decref(root);
	free(text);
	moat_policy_free(p);
}

static void test_export_refuses(void **state)
{
	struct moat_cmp two[2] = { { .arg = 1, .op = MOAT_OP_GE, .value = 5 },
				   { .arg = 1, .op = MOAT_OP_LE, .value = 10 } };
	struct moat_policy *p =
		policy_with((struct moat_action){ MOAT_ACT_ALLOW, 0 }, "kill", two, 2);
	struct moat_diags d;
	char *text = NULL;

	/* runc would OR two comparisons on one argument: not expressible. */
	assert_int_equal(moat_oci_export(p, &text), -EOPNOTSUPP);
	assert_null(text);
	moat_diags_init(&d);
	assert_int_equal(moat_oci_check(p, MOAT_OCI_TARGET_OCI, &d), -EOPNOTSUPP);
	assert_string_equal(d.v[d.n - 1].msg, "rule for 'kill' compares arg1 twice: runc ORs "
					      "comparisons on one argument, so OCI cannot "
					      "express this AND");
	moat_diags_free(&d);
	moat_policy_free(p);

	p = policy_with((struct moat_action){ MOAT_ACT_ALLOW, 0 }, "syscall_999", NULL, 0);
	assert_int_equal(moat_oci_export(p, &text), -EOPNOTSUPP);
	moat_policy_free(p);
}

static void test_check_warnings(void **state)
{
	struct moat_cmp e = { .arg = 0, .op = MOAT_OP_EQ, .value = 1 };
	struct moat_cmp ne = { .arg = 0, .op = MOAT_OP_NE, .value = 1 };
	struct moat_policy *p =
		policy_with((struct moat_action){ MOAT_ACT_ERRNO, EPERM }, "kill", &e, 1);
	struct moat_diags d;

	moat_diags_init(&d);
	/* Disjoint conditions: both readings agree, no warning. */
	assert_int_equal(moat_policy_add_rule(p, "kill", (struct moat_action){ MOAT_ACT_ALLOW, 0 },
					      &ne, 1, (struct moat_loc){ 0 }, NULL),
			 0);
	assert_int_equal(moat_oci_check(p, MOAT_OCI_TARGET_OCI, &d), 0);
	assert_int_equal(d.n, 1); /* only: unknown ENOSYS vs default EPERM */
	assert_string_equal(d.v[0].msg,
			    "OCI has no action for unknown syscall numbers: 'errno "
			    "ENOSYS' is lost, they get the default action 'errno EPERM'");
	moat_diags_free(&d);
	/* An unconditional rule after a conditional one: libseccomp reads it differently. */
	moat_diags_init(&d);
	p->unknown_action = p->default_action;
	assert_int_equal(moat_policy_add_rule(p, "kill", (struct moat_action){ MOAT_ACT_TRAP, 0 },
					      NULL, 0, (struct moat_loc){ 0 }, NULL),
			 0);
	/* The runtime would only be stricter (trap for everything): a warning. */
	assert_int_equal(moat_oci_check(p, MOAT_OCI_TARGET_OCI, &d), 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].msg, "rule for 'kill' overlaps an earlier rule with another "
					"action ('errno EPERM'): runc/crun (libseccomp) may not "
					"apply them in file order");
	moat_diags_free(&d);
	/* ... but an unconditional allow would override the conditional deny: refused. */
	moat_diags_init(&d);
	p->rules[2].action = (struct moat_action){ MOAT_ACT_LOG, 0 };
	assert_int_equal(moat_oci_check(p, MOAT_OCI_TARGET_OCI, &d), -EOPNOTSUPP);
	assert_string_equal(d.v[0].msg,
			    "unconditional 'log' for 'kill' after a conditional "
			    "'errno EPERM': runc/crun (libseccomp) would let it override "
			    "the conditional rule; write the remaining cases as conditions");
	moat_diags_free(&d);
	/* With the default action it is dropped by canonicalize, and all is exact. */
	moat_diags_init(&d);
	p->rules[2].action = p->default_action;
	assert_int_equal(moat_policy_canonicalize(p), 0);
	assert_int_equal(p->nrules, 2);
	assert_int_equal(moat_oci_check(p, MOAT_OCI_TARGET_OCI, &d), 0);
	assert_int_equal(d.n, 0);
	moat_diags_free(&d);
	moat_policy_free(p);
}

static void test_spo(void **state)
{
	struct moat_diags d;
	struct moat_policy *p = import_ok("tests/data/oci/order.json", NULL, &d);
	char *y;

	assert_int_equal(moat_spo_export(p, "Bad_Name", &y), -EINVAL);
	assert_int_equal(moat_spo_export(p, "web-profile", &y), 0);
	assert_non_null(strstr(y, "apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"
				  "kind: SeccompProfile\n"
				  "metadata:\n"
				  "  name: web-profile\n"
				  "spec:\n"
				  "  defaultAction: \"SCMP_ACT_ERRNO\"\n"
				  "  architectures:\n"
				  "    - \"SCMP_ARCH_X86_64\"\n"
				  "  syscalls:\n"
				  "    - names:\n"
				  "        - \"clone\"\n"
				  "      action: \"SCMP_ACT_ALLOW\"\n"
				  "      args:\n"
				  "        - index: 0\n"
				  "          value: 2114060288\n"
				  "          valueTwo: 0\n"
				  "          op: \"SCMP_CMP_MASKED_EQ\"\n"));
	/* SPO's errnoRet is a string; there is no defaultErrnoRet. */
	assert_non_null(strstr(y, "      action: \"SCMP_ACT_ERRNO\"\n"
				  "      errnoRet: \"22\"\n"));
	assert_null(strstr(y, "defaultErrnoRet"));
	free(y);
	moat_diags_free(&d);
	moat_policy_free(p);
}

static void test_caps_and_versions(void **state)
{
	unsigned cap;
	uint32_t ma, mi;

	assert_int_equal(moat_cap_parse("CAP_SYS_ADMIN", &cap), 0);
	assert_int_equal(cap, 21);
	assert_int_equal(moat_cap_parse("net_raw", &cap), 0);
	assert_int_equal(cap, 13);
	assert_int_equal(moat_cap_parse("CAP_CHECKPOINT_RESTORE", &cap), 0);
	assert_int_equal(cap, 40);
	assert_int_equal(moat_cap_parse("CAP_NOPE", &cap), -ENOENT);
	assert_string_equal(moat_cap_name(0), "CAP_CHOWN");
	assert_int_equal(moat_kernel_version_parse("6.18.0-rc1", &ma, &mi), 0);
	assert_int_equal(ma, 6);
	assert_int_equal(mi, 18);
	assert_int_equal(moat_kernel_version_parse("4.8", &ma, &mi), 0);
	assert_int_equal(mi, 8);
	assert_int_equal(moat_kernel_version_parse("4", &ma, &mi), -EINVAL);
	assert_int_equal(moat_kernel_version_parse("x.1", &ma, &mi), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_ops),
		cmocka_unit_test(test_archmap_and_filters),
		cmocka_unit_test(test_host_arch_only),
		cmocka_unit_test(test_order_and_unknown_names),
		cmocka_unit_test(test_dead_entries),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_round_trip_files),
		cmocka_unit_test(test_podman_nothing_lost),
		cmocka_unit_test(test_podman_round_trip),
		cmocka_unit_test(test_export_shapes),
		cmocka_unit_test(test_export_refuses),
		cmocka_unit_test(test_check_warnings),
		cmocka_unit_test(test_spo),
		cmocka_unit_test(test_caps_and_versions),
	};

	return MOAT_RUN_TESTS(tests);
}
