// SPDX-License-Identifier: MIT
/* The model's core: construction, copies, actions, diagnostics, atomic files. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "moat/decode.h"
#include "moat/policy.h"
#include "moat/util.h"
#include "testutil.h"

static void test_defaults_fail_closed(void **state)
{
	struct moat_policy *p = moat_policy_new();

	assert_non_null(p);
	assert_int_equal(p->default_action.kind, MOAT_ACT_ERRNO);
	assert_int_equal(p->default_action.data, EPERM);
	assert_int_equal(p->unknown_action.kind, MOAT_ACT_ERRNO);
	assert_int_equal(p->unknown_action.data, ENOSYS);
	assert_int_equal(p->badarch_action.kind, MOAT_ACT_KILL_PROCESS);
	assert_int_equal(moat_policy_arches(p), MOAT_ARCH_BIT(MOAT_ARCH_X86_64));
	moat_policy_free(p);
	moat_policy_free(NULL);
}

static void test_add_rule_copies_and_sorts_sets(void **state)
{
	struct moat_policy *p = moat_policy_new(), *q;
	uint64_t set[] = { 10, 2, 10, 7 };
	struct moat_cmp c = { .arg = 0, .op = MOAT_OP_IN, .set = set, .nset = 4 };
	struct moat_loc loc = { "a.moat", 3, 7 };

	assert_int_equal(moat_policy_add_rule(p, "socket",
					      (struct moat_action){ MOAT_ACT_ALLOW, 0 }, &c, 1, loc,
					      "seen 5 times"),
			 0);
	set[0] = 99; /* the policy owns a copy */
	assert_int_equal(p->rules[0].cmps[0].nset, 3);
	assert_int_equal(p->rules[0].cmps[0].set[0], 2);
	assert_int_equal(p->rules[0].cmps[0].set[1], 7);
	assert_int_equal(p->rules[0].cmps[0].set[2], 10);
	assert_string_equal(p->rules[0].loc.file, "a.moat");
	assert_ptr_not_equal(p->rules[0].loc.file, loc.file);

	q = moat_policy_dup(p);
	assert_non_null(q);
	assert_int_equal(q->nrules, 1);
	assert_string_equal(q->rules[0].comment, "seen 5 times");
	assert_int_equal(q->rules[0].cmps[0].set[2], 10);
	assert_ptr_not_equal(q->rules[0].cmps[0].set, p->rules[0].cmps[0].set);
	moat_policy_free(p);
	moat_policy_free(q);
}

static void test_add_rule_rejects_bad_input(void **state)
{
	struct moat_policy *p = moat_policy_new();
	struct moat_cmp c = { .arg = 6, .op = MOAT_OP_EQ };
	struct moat_cmp e = { .arg = 0, .op = MOAT_OP_IN, .nset = 0 };
	struct moat_loc loc = { 0 };
	struct moat_action allow = { MOAT_ACT_ALLOW, 0 };

	assert_int_equal(moat_policy_add_rule(p, "read", allow, &c, 1, loc, NULL), -EINVAL);
	assert_int_equal(moat_policy_add_rule(p, "read", allow, &e, 1, loc, NULL), -EINVAL);
	assert_int_equal(moat_policy_add_rule(p, "", allow, NULL, 0, loc, NULL), -EINVAL);
	assert_int_equal(
		moat_policy_add_rule(p, "read", (struct moat_action){ 99, 0 }, NULL, 0, loc, NULL),
		-EINVAL);
	assert_int_equal(p->nrules, 0);
	moat_policy_free(p);
}

static void test_freq_accumulates(void **state)
{
	struct moat_policy *p = moat_policy_new();

	assert_int_equal(moat_policy_add_freq(p, "read", 5), 0);
	assert_int_equal(moat_policy_add_freq(p, "write", 1), 0);
	assert_int_equal(moat_policy_add_freq(p, "read", 7), 0);
	assert_int_equal(p->nfreq, 2);
	assert_int_equal(p->freq[0].count, 12);
	moat_policy_free(p);
}

static void test_action_words(void **state)
{
	struct moat_action a;
	char buf[64];

	/* Values from linux/seccomp.h. */
	assert_int_equal(moat_action_ret((struct moat_action){ MOAT_ACT_ERRNO, 1 }), 0x00050001);
	assert_int_equal(moat_action_ret((struct moat_action){ MOAT_ACT_KILL_PROCESS, 0 }),
			 0x80000000);
	assert_int_equal(moat_action_ret((struct moat_action){ MOAT_ACT_NOTIFY, 0 }), 0x7fc00000);
	assert_int_equal(moat_action_from_ret(0x7ff00000, &a), 0);
	assert_int_equal(a.kind, MOAT_ACT_TRACE);
	assert_int_equal(moat_action_from_ret(0x00050026, &a), 0);
	assert_true(moat_action_equal(a, (struct moat_action){ MOAT_ACT_ERRNO, 38 }));
	assert_int_equal(moat_action_from_ret(0x12340000, &a), -EINVAL);
	moat_action_format((struct moat_action){ MOAT_ACT_ERRNO, ENOSYS }, buf, sizeof(buf));
	assert_string_equal(buf, "errno ENOSYS");
	moat_action_format((struct moat_action){ MOAT_ACT_ERRNO, 4000 }, buf, sizeof(buf));
	assert_string_equal(buf, "errno 4000");
	moat_action_format((struct moat_action){ MOAT_ACT_KILL_PROCESS, 0 }, buf, sizeof(buf));
	assert_string_equal(buf, "kill");
}

static void test_constants_from_headers(void **state)
{
	uint64_t v;
	int e;

	assert_int_equal(moat_const_lookup("AF_INET6", &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(moat_const_lookup("PROT_EXEC", &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(moat_const_lookup("TCGETS", &v), 0);
	assert_int_equal(v, 0x5401);
	assert_int_equal(moat_const_lookup("NOT_A_CONSTANT", &v), -ENOENT);
	assert_string_equal(moat_errno_name(11), "EAGAIN");
	assert_string_equal(moat_errno_name(1), "EPERM");
	assert_null(moat_errno_name(0));
	assert_int_equal(moat_errno_parse("ENOSYS", &e), 0);
	assert_int_equal(e, 38);
	assert_int_equal(moat_errno_parse("4095", &e), 0);
	assert_int_equal(moat_errno_parse("4096", &e), -EINVAL);
	assert_int_equal(moat_errno_parse("EBOGUS", &e), -EINVAL);
}

static void test_diag_format_with_caret(void **state)
{
	struct moat_diags d;
	char *text;

	moat_diags_init(&d);
	assert_int_equal(moat_diags_add(&d, MOAT_DIAG_ERROR, "web.moat", 4, 7, 4,
					"allow reed write\n", "  included from main.moat:2",
					"unknown syscall '%s'", "reed"),
			 0);
	assert_int_equal(d.nerrors, 1);
	assert_int_equal(moat_diag_format(&d.v[0], &text), 0);
	assert_string_equal(text, "web.moat:4:7: error: unknown syscall 'reed'\n"
				  "  allow reed write\n"
				  "        ^~~~\n"
				  "  included from main.moat:2\n");
	free(text);
	moat_diags_free(&d);
}

static void test_atomic_write_and_read(void **state)
{
	char dir[] = "/tmp/moat-test-XXXXXX", path[128], *data;
	size_t len;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.json", dir);
	assert_int_equal(moat_write_file_atomic(path, "{}\n", 3, 0600), 0);
	assert_int_equal(moat_read_file(path, 0, &data, &len), 0);
	assert_int_equal(len, 3);
	assert_string_equal(data, "{}\n");
	free(data);
	assert_int_equal(moat_read_file(path, 2, &data, &len), -EFBIG);
	/* A directory that does not exist: an error, and nothing half-written. */
	assert_int_equal(moat_write_file_atomic("/nonexistent-dir/x", "a", 1, 0600), -ENOENT);
	assert_int_equal(moat_read_file("/nonexistent-file", 0, &data, &len), -ENOENT);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_fail_closed),
		cmocka_unit_test(test_add_rule_copies_and_sorts_sets),
		cmocka_unit_test(test_add_rule_rejects_bad_input),
		cmocka_unit_test(test_freq_accumulates),
		cmocka_unit_test(test_action_words),
		cmocka_unit_test(test_constants_from_headers),
		cmocka_unit_test(test_diag_format_with_caret),
		cmocka_unit_test(test_atomic_write_and_read),
	};
	return MOAT_RUN_TESTS(tests);
}
