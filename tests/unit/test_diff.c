// SPDX-License-Identifier: MIT
/* moat diff: compiled and simulated comparison of two policies. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>

#include "moat/diff.h"
#include "moat/policy.h"
#include "moat/util.h"
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

static void diff(const char *a, const char *b, struct moat_diff *out)
{
	struct moat_policy *pa = parse(a), *pb = parse(b);
	struct moat_diags d;

	moat_diags_init(&d);
	moat_diff_init(out);
	assert_int_equal(moat_policy_diff(pa, pb, out, &d), 0);
	moat_diags_free(&d);
	moat_policy_free(pa);
	moat_policy_free(pb);
}

static const struct moat_difference *find(const struct moat_diff *d, uint32_t kind,
					  const char *syscall)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].kind == kind &&
		    (!syscall || (d->v[i].syscall && !strcmp(d->v[i].syscall, syscall))))
			return &d->v[i];
	return NULL;
}

#define HEAD "default errno EPERM\nunknown errno ENOSYS\narch x86_64\n"

static void test_same(void **state)
{
	struct moat_diff d;

	/* Different text, same meaning: order of syscalls, IN vs two rules. */
	diff(HEAD "allow read write\nallow socket if arg0 in {1, 2}\n",
	     HEAD "allow socket if arg0 == 1\nallow socket if arg0 == 2\nallow write\nallow read\n",
	     &d);
	assert_int_equal(d.n, 0);
	moat_diff_free(&d);
}

static void test_syscall_and_args(void **state)
{
	struct moat_diff d;
	const struct moat_difference *x;

	diff(HEAD "allow read write\nallow socket if arg0 == 1\n",
	     HEAD "allow read\nerrno EACCES write\nallow socket if arg0 in {1, 2}\n", &d);
	assert_int_equal(d.n, 2);
	x = find(&d, MOAT_DIFF_SYSCALL, "write");
	assert_non_null(x);
	assert_false(x->args_matter);
	assert_int_equal(x->arches, MOAT_ARCH_BIT(MOAT_ARCH_X86_64));
	assert_int_equal(x->ret[0], SECCOMP_RET_ALLOW);
	assert_int_equal(x->ret[1], SECCOMP_RET_ERRNO | EACCES);
	assert_int_equal(x->loc[0].line, 4);
	assert_int_equal(x->loc[1].line, 5);
	x = find(&d, MOAT_DIFF_SYSCALL, "socket");
	assert_non_null(x);
	assert_true(x->args_matter);
	assert_int_equal(x->args[0], 2);
	assert_int_equal(x->ret[0], SECCOMP_RET_ERRNO | EPERM);
	assert_int_equal(x->ret[1], SECCOMP_RET_ALLOW);
	assert_int_equal(x->loc[0].line, 1); /* A: the default decides */
	assert_int_equal(x->loc[1].line, 6);
	moat_diff_free(&d);
}

static void test_boundaries(void **state)
{
	struct moat_diff d;
	const struct moat_difference *x;

	/* The one value a != excludes. */
	diff(HEAD "allow kill if arg1 != 9\n", HEAD "allow kill\n", &d);
	assert_int_equal(d.n, 1);
	x = find(&d, MOAT_DIFF_SYSCALL, "kill");
	assert_true(x->args_matter);
	assert_int_equal(x->args[1], 9);
	moat_diff_free(&d);
	/* < against <=. */
	diff(HEAD "allow read if arg2 < 4096\n", HEAD "allow read if arg2 <= 4096\n", &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].args[2], 4096);
	moat_diff_free(&d);
	/* A mask bit. */
	diff(HEAD "allow mmap if arg2 & 0x4 == 0\n", HEAD "allow mmap if arg2 & 0x6 == 0\n", &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].args[2] & 0x6, 0x2);
	moat_diff_free(&d);
}

static void test_other_numbers_and_arches(void **state)
{
	struct moat_diff d;
	struct moat_policy *a = parse(HEAD "allow read\n"), *b = parse(HEAD "allow read\n");
	struct moat_diags g;
	const struct moat_difference *x;

	/* unknown: a number past the table. */
	b->unknown_action = (struct moat_action){ MOAT_ACT_ERRNO, EPERM };
	/* badarch: foreign architectures and x32 numbers. */
	b->badarch_action = (struct moat_action){ MOAT_ACT_ERRNO, EACCES };
	moat_diags_init(&g);
	moat_diff_init(&d);
	assert_int_equal(moat_policy_diff(a, b, &d, &g), 0);
	x = find(&d, MOAT_DIFF_UNKNOWN, NULL);
	assert_non_null(x);
	assert_int_equal(x->ret[0], SECCOMP_RET_ERRNO | ENOSYS);
	assert_int_equal(x->ret[1], SECCOMP_RET_ERRNO | EPERM);
	x = find(&d, MOAT_DIFF_BADARCH, NULL);
	assert_non_null(x);
	assert_int_equal(x->ret[0], SECCOMP_RET_KILL_PROCESS);
	assert_int_equal(x->ret[1], SECCOMP_RET_ERRNO | EACCES);
	assert_non_null(find(&d, MOAT_DIFF_X32, "read"));
	assert_int_equal(d.n, 3);
	moat_diff_free(&d);
	moat_diags_free(&g);
	moat_policy_free(a);
	moat_policy_free(b);

	/* One side covers i386: a single entry for the whole table. */
	diff(HEAD "allow read\n",
	     "default errno EPERM\nunknown errno ENOSYS\narch x86_64 i386\nallow read\n", &d);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].kind, MOAT_DIFF_ARCH);
	assert_int_equal(d.v[0].arches, MOAT_ARCH_BIT(MOAT_ARCH_I386));
	moat_diff_free(&d);
	/* Both cover i386: the difference shows on both arches, once. */
	diff("default errno EPERM\narch x86_64 i386\nallow getpid\n",
	     "default errno EPERM\narch x86_64 i386\nallow getppid\n", &d);
	assert_int_equal(d.n, 2);
	x = find(&d, MOAT_DIFF_SYSCALL, "getpid");
	assert_int_equal(x->arches,
			 MOAT_ARCH_BIT(MOAT_ARCH_X86_64) | MOAT_ARCH_BIT(MOAT_ARCH_I386));
	moat_diff_free(&d);
}

static void test_podman_against_its_moat_form(void **state)
{
	const char *path = "/usr/share/containers/seccomp.json";
	struct moat_policy *a = NULL, *b = NULL;
	struct moat_diags g;
	struct moat_diff d;
	char *json, *text;
	size_t len;

	if (moat_read_file(path, 0, &json, &len)) {
		skip();
		return;
	}
	moat_diags_init(&g);
	assert_int_equal(moat_oci_import(path, json, len, NULL, &a, &g), 0);
	assert_int_equal(moat_policy_canonicalize(a), 0);
	assert_int_equal(moat_policy_to_moat(a, &text), 0);
	assert_int_equal(moat_policy_parse_string("podman.moat", text, strlen(text), NULL, &b, &g),
			 0);
	moat_diff_init(&d);
	assert_int_equal(moat_policy_diff(a, b, &d, &g), 0);
	assert_int_equal(d.n, 0);
	moat_diff_free(&d);
	/* And one changed rule is found. */
	for (size_t i = 0; i < b->nrules; i++)
		if (!strcmp(b->rules[i].syscall, "mkdir"))
			b->rules[i].action = (struct moat_action){ MOAT_ACT_KILL_PROCESS, 0 };
	moat_diff_init(&d);
	assert_int_equal(moat_policy_diff(a, b, &d, &g), 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].syscall, "mkdir");
	assert_int_equal(d.v[0].arches,
			 MOAT_ARCH_BIT(MOAT_ARCH_X86_64) | MOAT_ARCH_BIT(MOAT_ARCH_I386) |
				 MOAT_ARCH_BIT(MOAT_ARCH_X32)); /* aarch64 has only mkdirat */
	moat_diff_free(&d);
	moat_diags_free(&g);
	free(text);
	free(json);
	moat_policy_free(a);
	moat_policy_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_syscall_and_args),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_other_numbers_and_arches),
		cmocka_unit_test(test_podman_against_its_moat_form),
	};

	return MOAT_RUN_TESTS(tests);
}
