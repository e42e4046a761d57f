// SPDX-License-Identifier: MIT
/* moat check: every finding, with a policy that triggers it and one that does not. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "moat/check.h"
#include "moat/policy.h"
#include "testutil.h"

static struct moat_policy *parse(const char *text)
{
	struct moat_policy *p = NULL;
	struct moat_diags d;

	moat_diags_init(&d);
	assert_int_equal(moat_policy_parse_string("t.moat", text, strlen(text), NULL, &p, &d), 0);
	moat_diags_free(&d);
	return p;
}

/* Findings of TEXT (checked against BASELINE when given). */
static void run(const char *text, const char *baseline, struct moat_findings *f)
{
	struct moat_policy *p = parse(text), *b = baseline ? parse(baseline) : NULL;
	struct moat_check_opts o = { .baseline = b, .baseline_name = "the baseline" };

	moat_findings_init(f);
	assert_int_equal(moat_policy_check(p, &o, f), 0);
	moat_policy_free(p);
	moat_policy_free(b);
}

static const struct moat_finding *find(const struct moat_findings *f, const char *id,
				       const char *syscall)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].id, id) &&
		    (!syscall || (f->v[i].syscall && !strcmp(f->v[i].syscall, syscall))))
			return &f->v[i];
	return NULL;
}

/* The base of every "clean" policy: x86_64 only, ENOSYS for the unknown and clone3. */
#define CLEAN                                                                           \
	"default errno EPERM\nunknown errno ENOSYS\narch x86_64\nerrno ENOSYS clone3\n" \
	"allow read write\n"

static void test_clean(void **state)
{
	struct moat_findings f;

	run(CLEAN, NULL, &f);
	assert_int_equal(f.n, 0);
	moat_findings_free(&f);
}

static void test_allow_by_default(void **state)
{
	struct moat_findings f;
	const struct moat_finding *x;

	run("default allow\nunknown errno ENOSYS\narch x86_64\nerrno ENOSYS clone3\n"
	    "errno EPERM ptrace\n",
	    NULL, &f);
	x = find(&f, "allow-by-default", NULL);
	assert_non_null(x);
	assert_int_equal(x->severity, MOAT_DIAG_ERROR);
	assert_string_equal(x->msg, "the default action is 'allow': the policy is a deny-list");
	assert_int_equal(x->loc.line, 1);
	assert_int_equal(f.nerrors >= 1, 1);
	/* Dangerous syscalls that nothing denies are allowed by the default. */
	x = find(&f, "dangerous-syscall", "bpf");
	assert_non_null(x);
	assert_string_equal(x->msg, "bpf is allowed (by the default action)");
	assert_null(find(&f, "dangerous-syscall", "ptrace"));
	moat_findings_free(&f);

	run(CLEAN, NULL, &f);
	assert_null(find(&f, "allow-by-default", NULL));
	moat_findings_free(&f);
}

static void test_dangerous(void **state)
{
	static const char *const names[] = {
		"ptrace",
		"process_vm_writev",
		"bpf",
		"perf_event_open",
		"kexec_load",
		"kexec_file_load",
		"init_module",
		"finit_module",
		"delete_module",
		"mount",
		"umount2",
		"pivot_root",
		"move_mount",
		"fsopen",
		"keyctl",
		"add_key",
		"userfaultfd",
		"io_uring_setup",
		"io_uring_enter",
		"io_uring_register",
	};
	struct moat_findings f;
	char text[512];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct moat_finding *x;
		bool kernel = strstr(names[i], "kexec") || strstr(names[i], "module");

		snprintf(text, sizeof(text), CLEAN "log %s\n", names[i]);
		run(text, NULL, &f);
		x = find(&f, "dangerous-syscall", names[i]);
		assert_non_null(x);
		assert_int_equal(x->severity, kernel ? MOAT_DIAG_ERROR : MOAT_DIAG_WARNING);
		assert_int_equal(x->loc.line, 6);
		moat_findings_free(&f);

		/* Denied explicitly, or left to the default: no finding. */
		snprintf(text, sizeof(text), CLEAN "kill %s\n", names[i]);
		run(text, NULL, &f);
		assert_null(find(&f, "dangerous-syscall", NULL));
		moat_findings_free(&f);
	}
	/* Allowed for some arguments only: still a finding, at that rule. */
	run(CLEAN "allow ptrace if arg0 == 16\n", NULL, &f);
	assert_string_equal(find(&f, "dangerous-syscall", "ptrace")->msg,
			    "ptrace is allowed for some arguments (allow)");
	moat_findings_free(&f);
}

static void test_namespaces(void **state)
{
	struct moat_findings f;

	run(CLEAN "allow clone unshare\n", NULL, &f);
	assert_non_null(find(&f, "namespaces", "clone"));
	assert_non_null(find(&f, "namespaces", "unshare"));
	moat_findings_free(&f);
	/* Docker's mask: no CLONE_NEW* bit may be set. */
	run(CLEAN "allow clone if arg0 & 0x7E020000 == 0\n"
		  "allow unshare if arg0 & 0x7E020080 == 0\n",
	    NULL, &f);
	assert_null(find(&f, "namespaces", NULL));
	moat_findings_free(&f);
	/* A mask that forgets CLONE_NEWUSER. */
	run(CLEAN "allow unshare if arg0 & 0x6E020080 == 0\n", NULL, &f);
	assert_non_null(find(&f, "namespaces", "unshare"));
	moat_findings_free(&f);
}

static void test_personality(void **state)
{
	struct moat_findings f;

	run(CLEAN "allow personality\n", NULL, &f);
	assert_non_null(find(&f, "personality", "personality"));
	moat_findings_free(&f);
	run(CLEAN "allow personality if arg0 in {0, 8, 0x20000, 0x20008, 0xffffffff}\n", NULL, &f);
	assert_null(find(&f, "personality", NULL));
	moat_findings_free(&f);
}

static void test_compat_abi(void **state)
{
	struct moat_findings f;

	run("default errno EPERM\nunknown errno ENOSYS\narch x86_64 i386 x32\n"
	    "errno ENOSYS clone3\nallow read\n",
	    NULL, &f);
	assert_string_equal(find(&f, "compat-abi", NULL)->msg,
			    "the policy allows the i386 ABI on x86_64");
	assert_string_equal(f.v[f.n - 1].msg, "the policy allows the x32 ABI");
	moat_findings_free(&f);
	/* aarch64 alone: no compat finding. */
	run("default errno EPERM\nunknown errno ENOSYS\narch aarch64\nerrno ENOSYS clone3\n"
	    "allow read\n",
	    NULL, &f);
	assert_null(find(&f, "compat-abi", NULL));
	moat_findings_free(&f);
}

static void test_unknown_not_enosys(void **state)
{
	struct moat_findings f;
	const struct moat_finding *x;

	run("default errno EPERM\nunknown errno EPERM\narch x86_64\nerrno ENOSYS clone3\n", NULL,
	    &f);
	x = find(&f, "unknown-not-enosys", NULL);
	assert_non_null(x);
	assert_string_equal(x->msg, "syscalls unknown to the policy get 'errno EPERM', not ENOSYS");
	assert_int_equal(x->loc.line, 2);
	moat_findings_free(&f);
	run(CLEAN, NULL, &f);
	assert_null(find(&f, "unknown-not-enosys", NULL));
	moat_findings_free(&f);
}

static void test_clone3(void **state)
{
	struct moat_findings f;
	const struct moat_finding *x;

	/* clone3 allowed while clone's flags are checked: a bypass, an error. */
	run("default errno EPERM\nunknown errno ENOSYS\narch x86_64\n"
	    "allow clone if arg0 & 0x7E020000 == 0\nallow clone3\n",
	    NULL, &f);
	x = find(&f, "clone3", "clone3");
	assert_non_null(x);
	assert_int_equal(x->severity, MOAT_DIAG_ERROR);
	assert_string_equal(x->msg, "clone3 is allowed while clone's flags are checked (rule at "
				    "line 4)");
	assert_int_equal(x->loc.line, 5);
	moat_findings_free(&f);
	/* clone3 left to "default errno EPERM": glibc does not fall back. */
	run("default errno EPERM\nunknown errno ENOSYS\narch x86_64\nallow read\n", NULL, &f);
	x = find(&f, "clone3", "clone3");
	assert_non_null(x);
	assert_int_equal(x->severity, MOAT_DIAG_WARNING);
	assert_string_equal(x->msg, "clone3 gets 'errno EPERM', not ENOSYS");
	moat_findings_free(&f);
	run(CLEAN "allow clone if arg0 & 0x7E020000 == 0\n", NULL, &f);
	assert_null(find(&f, "clone3", NULL));
	moat_findings_free(&f);
}

static void test_shadowed(void **state)
{
	struct moat_findings f;
	const struct moat_finding *x;

	run(CLEAN "allow close\nerrno EPERM close if arg0 == 0\n", NULL, &f);
	x = find(&f, "shadowed", NULL);
	assert_non_null(x);
	assert_int_equal(x->loc.line, 7);
	assert_int_equal(x->severity, MOAT_DIAG_WARNING);
	moat_findings_free(&f);
	run(CLEAN "errno EPERM close if arg0 == 0\nallow close\n", NULL, &f);
	assert_null(find(&f, "shadowed", NULL));
	moat_findings_free(&f);
}

static void test_beyond_baseline(void **state)
{
	struct moat_findings f;
	const struct moat_finding *x;
	const char *base = "default errno EPERM\narch x86_64\nallow read write close\n";

	run(CLEAN "allow close getpid\n", base, &f);
	x = find(&f, "beyond-baseline", NULL);
	assert_non_null(x);
	assert_int_equal(x->severity, MOAT_DIAG_NOTE);
	assert_string_equal(x->msg, "allows 1 syscall that the baseline denies: getpid");
	moat_findings_free(&f);
	run(CLEAN "allow close\n", base, &f);
	assert_null(find(&f, "beyond-baseline", NULL));
	moat_findings_free(&f);
}

static void test_decide(void **state)
{
	struct moat_policy *p = parse("default errno EPERM\narch x86_64\n"
				      "errno EACCES kill if arg1 == 9\nallow kill\n");
	uint64_t a[6] = { 0, 9 };
	long rule;
	struct moat_action r = moat_policy_decide(p, "kill", a, &rule);

	assert_int_equal(r.kind, MOAT_ACT_ERRNO);
	assert_int_equal(r.data, EACCES);
	assert_int_equal(rule, 0);
	a[1] = 15;
	assert_int_equal(moat_policy_decide(p, "kill", a, &rule).kind, MOAT_ACT_ALLOW);
	assert_int_equal(rule, 1);
	assert_int_equal(moat_policy_decide(p, "read", a, &rule).kind, MOAT_ACT_ERRNO);
	assert_int_equal(rule, -1);
	moat_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_allow_by_default),
		cmocka_unit_test(test_dangerous),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_personality),
		cmocka_unit_test(test_compat_abi),
		cmocka_unit_test(test_unknown_not_enosys),
		cmocka_unit_test(test_clone3),
		cmocka_unit_test(test_shadowed),
		cmocka_unit_test(test_beyond_baseline),
		cmocka_unit_test(test_decide),
	};

	return MOAT_RUN_TESTS(tests);
}
