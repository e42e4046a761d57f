// SPDX-License-Identifier: MIT
/* Model operations: validate (exact diagnostics), merge, canonicalize, equal. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "moat/policy.h"
#include "testutil.h"

#define ALLOW ((struct moat_action){ MOAT_ACT_ALLOW, 0 })
#define KILL ((struct moat_action){ MOAT_ACT_KILL_PROCESS, 0 })
#define EPERM_ ((struct moat_action){ MOAT_ACT_ERRNO, EPERM })
#define LOG ((struct moat_action){ MOAT_ACT_LOG, 0 })

static struct moat_loc at(uint32_t line)
{
	return (struct moat_loc){ "t.moat", line, 1 };
}

static struct moat_cmp eq(uint8_t arg, uint64_t v)
{
	return (struct moat_cmp){ .arg = arg, .op = MOAT_OP_EQ, .value = v };
}

static struct moat_cmp op(uint8_t arg, uint8_t o, uint64_t v)
{
	return (struct moat_cmp){ .arg = arg, .op = o, .value = v };
}

static void add(struct moat_policy *p, const char *sc, struct moat_action a,
		const struct moat_cmp *c, uint32_t n, uint32_t line)
{
	assert_int_equal(moat_policy_add_rule(p, sc, a, c, n, at(line), NULL), 0);
}

/* The formatted diagnostic I, first line only. */
static char *diag_line(const struct moat_diags *d, size_t i)
{
	static char buf[512];
	char *s;

	assert_true(i < d->n);
	assert_int_equal(moat_diag_format(&d->v[i], &s), 0);
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(s, "\n"), s);
	free(s);
	return buf;
}

static void test_validate_ok(void **state)
{
	struct moat_policy *p = moat_policy_new();
	struct moat_diags d;
	struct moat_cmp c[2] = { eq(0, 1), op(1, MOAT_OP_GT, 5) };

	moat_diags_init(&d);
	p->arches = MOAT_ARCH_BIT(MOAT_ARCH_X86_64);
	add(p, "read", ALLOW, NULL, 0, 1);
	add(p, "socket", ALLOW, c, 2, 2);
	add(p, "socket", EPERM_, NULL, 0, 3);
	add(p, "syscall_999", KILL, NULL, 0, 4);
	assert_int_equal(moat_policy_validate(p, &d), 0);
	assert_int_equal(d.n, 0);
	moat_diags_free(&d);
	moat_policy_free(p);
}

static void test_validate_errno_range(void **state)
{
	struct moat_policy *p = moat_policy_new();
	struct moat_diags d;

	moat_diags_init(&d);
	add(p, "read", ((struct moat_action){ MOAT_ACT_ERRNO, 4096 }), NULL, 0, 7);
	assert_int_equal(moat_policy_validate(p, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(diag_line(&d, 0),
			    "t.moat:7:1: error: rule for 'read': invalid action 'errno 4096' "
			    "(errno must be 0..4095, trace data 0..65535)");
	moat_diags_free(&d);

	moat_diags_init(&d);
	p->rules[0].action.data = 4095;
	p->default_action.data = 5000;
	assert_int_equal(moat_policy_validate(p, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(diag_line(&d, 0), "error: default action: invalid action 'errno 5000' "
					      "(errno must be 0..4095, trace data 0..65535)");
	moat_diags_free(&d);
	moat_policy_free(p);
}

static void test_validate_arg_index(void **state)
{
	struct moat_policy *p = moat_policy_new();
	struct moat_diags d;
	struct moat_cmp c = eq(0, 1);

	moat_diags_init(&d);
	add(p, "ioctl", ALLOW, &c, 1, 3);
	/* add_rule refuses arg 6; a model built by hand can still hold one. */
	p->rules[0].cmps[0].arg = 6;
	assert_int_equal(moat_policy_validate(p, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(diag_line(&d, 0),
			    "t.moat:3:1: error: rule for 'ioctl': argument index 6 out of range "
			    "(0..5)");
	moat_diags_free(&d);
	moat_policy_free(p);
}

static void test_validate_unknown_syscall(void **state)
{
	struct moat_policy *p = moat_policy_new();
	struct moat_diags d;

	moat_diags_init(&d);
	p->arches = MOAT_ARCH_BIT(MOAT_ARCH_AARCH64);
	add(p, "frobnicate", ALLOW, NULL, 0, 1);
	add(p, "open", ALLOW, NULL, 0, 2); /* x86 only: aarch64 has openat */
	add(p, "openat", ALLOW, NULL, 0, 3);
	assert_int_equal(moat_policy_validate(p, &d), -EINVAL);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.nerrors, 2);
	assert_string_equal(diag_line(&d, 0), "t.moat:1:1: error: unknown syscall 'frobnicate'");
	assert_string_equal(diag_line(&d, 1),
			    "t.moat:2:1: error: syscall 'open' does not exist on any "
			    "architecture of the policy");
	/* Covering x86_64 too makes open valid. */
	moat_diags_free(&d);
	moat_diags_init(&d);
	p->arches |= MOAT_ARCH_BIT(MOAT_ARCH_X86_64);
	moat_rule_release(&p->rules[0]);
	p->rules[0] = p->rules[2];
	p->nrules = 2;
	assert_int_equal(moat_policy_validate(p, &d), 0);
	moat_diags_free(&d);
	moat_policy_free(p);
}

static void test_validate_contradiction(void **state)
{
	struct moat_policy *p = moat_policy_new();
	struct moat_diags d;
	struct moat_cmp c1[2] = { eq(0, 1), eq(1, 2) };
	struct moat_cmp c2[2] = { eq(1, 2), eq(0, 1) }; /* same condition, other order */

	moat_diags_init(&d);
	add(p, "kill", ALLOW, c1, 2, 4);
	add(p, "read", ALLOW, NULL, 0, 5);
	add(p, "kill", EPERM_, c2, 2, 9);
	assert_int_equal(moat_policy_validate(p, &d), -EINVAL);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.nerrors, 1);
	assert_string_equal(diag_line(&d, 0),
			    "t.moat:9:1: error: contradictory rules for 'kill': 'errno EPERM' "
			    "here, 'allow' earlier for the same condition");
	assert_string_equal(diag_line(&d, 1), "t.moat:4:1: note: the earlier rule for 'kill' is "
					      "here");
	moat_diags_free(&d);
	moat_policy_free(p);
}

static void test_validate_shadowed_and_duplicate(void **state)
{
	struct moat_policy *p = moat_policy_new();
	struct moat_diags d;
	struct moat_cmp c = eq(0, 1);

	moat_diags_init(&d);
	add(p, "write", LOG, NULL, 0, 1);
	add(p, "write", EPERM_, &c, 1, 2);
	add(p, "close", ALLOW, &c, 1, 3);
	add(p, "close", ALLOW, &c, 1, 4);
	/* Warnings only: the policy is valid. */
	assert_int_equal(moat_policy_validate(p, &d), 0);
	assert_int_equal(d.n, 4);
	assert_int_equal(d.nerrors, 0);
	assert_string_equal(diag_line(&d, 0),
			    "t.moat:2:1: warning: rule for 'write' (errno EPERM) is shadowed by "
			    "an earlier unconditional rule (log): it never decides");
	assert_string_equal(diag_line(&d, 1), "t.moat:1:1: note: the earlier rule for 'write' is "
					      "here");
	assert_string_equal(diag_line(&d, 2),
			    "t.moat:4:1: warning: duplicate rule for 'close' (allow): it never "
			    "decides");
	assert_string_equal(diag_line(&d, 3), "t.moat:3:1: note: the earlier rule for 'close' is "
					      "here");
	moat_diags_free(&d);
	moat_policy_free(p);
}

static void test_validate_source_line(void **state)
{
	char path[] = "/tmp/moat-test-model-XXXXXX";
	int fd = mkstemp(path);
	struct moat_policy *p = moat_policy_new();
	struct moat_diags d;
	char *s;
	const char text[] = "allow read\nallow   frob\n";

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
	close(fd);
	moat_diags_init(&d);
	assert_int_equal(moat_policy_add_rule(p, "frob", ALLOW, NULL, 0,
					      (struct moat_loc){ path, 2, 9 }, NULL),
			 0);
	assert_int_equal(moat_policy_validate(p, &d), -EINVAL);
	assert_int_equal(moat_diag_format(&d.v[0], &s), 0);
	assert_non_null(strstr(s, ":2:9: error: unknown syscall 'frob'\n  allow   frob\n"
				  "          ^~~~\n"));
	free(s);
	unlink(path);
	moat_diags_free(&d);
	moat_policy_free(p);
}

static void test_merge(void **state)
{
	struct moat_policy *a = moat_policy_new(), *b = moat_policy_new();
	struct moat_cmp c = eq(0, 3);

	a->arches = MOAT_ARCH_BIT(MOAT_ARCH_X86_64);
	a->default_action = KILL;
	add(a, "read", ALLOW, NULL, 0, 1);
	assert_int_equal(moat_policy_add_freq(a, "read", 10), 0);
	b->arches = MOAT_ARCH_BIT(MOAT_ARCH_AARCH64);
	b->default_action = ALLOW;
	b->flags = MOAT_FLAG_LOG;
	assert_non_null(b->listener_path = strdup("/run/l.sock"));
	add(b, "write", ALLOW, &c, 1, 2);
	add(b, "read", EPERM_, NULL, 0, 3);
	assert_int_equal(moat_policy_add_freq(b, "read", 5), 0);
	assert_int_equal(moat_policy_add_freq(b, "write", 7), 0);

	assert_int_equal(moat_policy_merge(a, b), 0);
	/* DST keeps its default action; SRC's rules come after DST's. */
	assert_int_equal(a->default_action.kind, MOAT_ACT_KILL_PROCESS);
	assert_int_equal(a->arches,
			 MOAT_ARCH_BIT(MOAT_ARCH_X86_64) | MOAT_ARCH_BIT(MOAT_ARCH_AARCH64));
	assert_int_equal(a->nrules, 3);
	assert_string_equal(a->rules[0].syscall, "read");
	assert_int_equal(a->rules[0].action.kind, MOAT_ACT_ALLOW);
	assert_string_equal(a->rules[1].syscall, "write");
	assert_int_equal(a->rules[1].cmps[0].value, 3);
	assert_string_equal(a->rules[2].syscall, "read");
	assert_int_equal(a->rules[2].action.kind, MOAT_ACT_ERRNO);
	assert_string_equal(a->rules[1].loc.file, "t.moat");
	assert_int_equal(a->nfreq, 2);
	assert_string_equal(a->freq[0].syscall, "read");
	assert_int_equal(a->freq[0].count, 15);
	assert_int_equal(a->freq[1].count, 7);
	assert_int_equal(a->flags, MOAT_FLAG_LOG);
	assert_string_equal(a->listener_path, "/run/l.sock");
	/* SRC is untouched. */
	assert_int_equal(b->nrules, 2);
	moat_policy_free(a);
	moat_policy_free(b);
}

static void test_merge_native_arch(void **state)
{
	struct moat_policy *a = moat_policy_new(), *b = moat_policy_new();

	assert_int_equal(moat_policy_merge(a, b), 0);
	assert_int_equal(a->arches, 0); /* both native: stays "native" */
	b->arches = MOAT_ARCH_BIT(MOAT_ARCH_I386);
	assert_int_equal(moat_policy_merge(a, b), 0);
	assert_int_equal(a->arches,
			 MOAT_ARCH_BIT(moat_arch_native()) | MOAT_ARCH_BIT(MOAT_ARCH_I386));
	moat_policy_free(a);
	moat_policy_free(b);
}

static void test_canonicalize(void **state)
{
	struct moat_policy *p = moat_policy_new();
	uint64_t one[1] = { 7 };
	struct moat_cmp in1 = { .arg = 0, .op = MOAT_OP_IN, .set = one, .nset = 1 };
	struct moat_cmp c_ba[2] = { op(2, MOAT_OP_NE, 9), eq(0, 16) };
	struct moat_cmp c_ab[2] = { eq(0, 16), op(2, MOAT_OP_NE, 9) };
	struct moat_cmp e1 = eq(0, 1), e2 = eq(0, 2), e3 = eq(0, 3), g = op(0, MOAT_OP_GT, 100);

	add(p, "write", ALLOW, &in1, 1, 1);  /* IN {7} -> EQ 7 */
	add(p, "socket", ALLOW, c_ba, 2, 2); /* cmps sorted */
	add(p, "read", ALLOW, NULL, 0, 3);
	add(p, "socket", EPERM_, c_ab, 2, 4);	 /* same condition: dead */
	add(p, "read", EPERM_, &e1, 1, 5);	 /* after unconditional: dead */
	add(p, "personality", ALLOW, &e1, 1, 6); /* three EQ fold into IN */
	add(p, "personality", ALLOW, &e2, 1, 7);
	add(p, "personality", ALLOW, &e3, 1, 8);
	add(p, "personality", EPERM_, &g, 1, 9);
	add(p, "personality", ALLOW, &e2, 1, 10); /* duplicate condition: dead */
	add(p, "write", ALLOW, &in1, 1, 11);	  /* duplicate: dead */

	assert_int_equal(moat_policy_canonicalize(p), 0);
	assert_int_equal(p->nrules, 5);
	assert_string_equal(p->rules[0].syscall, "personality");
	assert_int_equal(p->rules[0].ncmps, 1);
	assert_int_equal(p->rules[0].cmps[0].op, MOAT_OP_IN);
	assert_int_equal(p->rules[0].cmps[0].nset, 3);
	assert_int_equal(p->rules[0].cmps[0].set[0], 1);
	assert_int_equal(p->rules[0].cmps[0].set[2], 3);
	assert_string_equal(p->rules[1].syscall, "personality");
	assert_int_equal(p->rules[1].cmps[0].op, MOAT_OP_GT);
	assert_string_equal(p->rules[2].syscall, "read");
	assert_int_equal(p->rules[2].ncmps, 0);
	assert_string_equal(p->rules[3].syscall, "socket");
	assert_int_equal(p->rules[3].action.kind, MOAT_ACT_ALLOW);
	assert_int_equal(p->rules[3].cmps[0].arg, 0);
	assert_int_equal(p->rules[3].cmps[1].arg, 2);
	assert_string_equal(p->rules[4].syscall, "write");
	assert_int_equal(p->rules[4].cmps[0].op, MOAT_OP_EQ);
	assert_int_equal(p->rules[4].cmps[0].value, 7);
	assert_null(p->rules[4].cmps[0].set);
	/* Idempotent. */
	struct moat_policy *q = moat_policy_dup(p);

	assert_int_equal(moat_policy_canonicalize(q), 0);
	assert_true(moat_policy_equal(p, q));
	moat_policy_free(q);
	moat_policy_free(p);
}

static void test_fold_only_neighbours(void **state)
{
	struct moat_policy *p = moat_policy_new();
	struct moat_cmp e1 = eq(0, 1), e2 = eq(0, 2), r = op(0, MOAT_OP_LE, 2);

	/* Folding e2 over the LE rule would make arg0 == 2 allowed: must not happen. */
	add(p, "kill", ALLOW, &e1, 1, 1);
	add(p, "kill", EPERM_, &r, 1, 2);
	add(p, "kill", ALLOW, &e2, 1, 3);
	assert_int_equal(moat_policy_canonicalize(p), 0);
	assert_int_equal(p->nrules, 3);
	assert_int_equal(p->rules[0].cmps[0].op, MOAT_OP_EQ);
	assert_int_equal(p->rules[2].cmps[0].value, 2);
	moat_policy_free(p);
}

static void test_fold_then_dedup(void **state)
{
	struct moat_policy *p = moat_policy_new();
	uint64_t s12[2] = { 1, 2 };
	struct moat_cmp in12 = { .arg = 1, .op = MOAT_OP_IN, .set = s12, .nset = 2 };
	struct moat_cmp e1 = eq(1, 1), e2 = eq(1, 2), ko = op(1, MOAT_OP_GT, 9);

	add(p, "ioctl", ALLOW, &in12, 1, 1);
	add(p, "ioctl", EPERM_, &ko, 1, 2);
	add(p, "ioctl", ALLOW, &e1, 1, 3);
	add(p, "ioctl", ALLOW, &e2, 1, 4);
	/* e1+e2 fold into IN {1,2}: the same condition as rule 1, so dead. */
	assert_int_equal(moat_policy_canonicalize(p), 0);
	assert_int_equal(p->nrules, 2);
	assert_int_equal(p->rules[0].cmps[0].nset, 2);
	assert_int_equal(p->rules[1].action.kind, MOAT_ACT_ERRNO);
	moat_policy_free(p);
}

static void test_drop_default_tail(void **state)
{
	struct moat_policy *p = moat_policy_new();
	struct moat_cmp e1 = eq(0, 1);

	/* default errno EPERM: the last unconditional EPERM after a condition decides nothing. */
	add(p, "socket", ALLOW, &e1, 1, 1);
	add(p, "socket", EPERM_, NULL, 0, 2);
	add(p, "ptrace", EPERM_, NULL, 0, 3); /* alone: kept, it says what was meant */
	add(p, "kill", ALLOW, &e1, 1, 4);
	add(p, "kill", KILL, NULL, 0, 5); /* not the default action: kept */
	assert_int_equal(moat_policy_canonicalize(p), 0);
	assert_int_equal(p->nrules, 4);
	assert_string_equal(p->rules[0].syscall, "kill");
	assert_int_equal(p->rules[1].action.kind, MOAT_ACT_KILL_PROCESS);
	assert_string_equal(p->rules[2].syscall, "ptrace");
	assert_string_equal(p->rules[3].syscall, "socket");
	assert_int_equal(p->rules[3].ncmps, 1);
	moat_policy_free(p);
}

static void test_equal(void **state)
{
	struct moat_policy *a = moat_policy_new(), *b = moat_policy_new();
	struct moat_cmp c = eq(0, 1), c2 = eq(0, 2);

	add(a, "read", ALLOW, &c, 1, 1);
	assert_int_equal(moat_policy_add_rule(b, "read", ALLOW, &c, 1,
					      (struct moat_loc){ "other", 9, 9 }, "a comment"),
			 0);
	assert_true(moat_policy_equal(a, b)); /* locations and comments ignored */
	a->arches = MOAT_ARCH_BIT(moat_arch_native());
	assert_true(moat_policy_equal(a, b)); /* 0 is the native arch */
	b->rules[0].cmps[0] = c2;
	assert_false(moat_policy_equal(a, b));
	b->rules[0].cmps[0] = c;
	b->rules[0].action = EPERM_;
	assert_false(moat_policy_equal(a, b));
	b->rules[0].action = ALLOW;
	b->unknown_action = EPERM_;
	assert_false(moat_policy_equal(a, b));
	b->unknown_action = a->unknown_action;
	b->flags = MOAT_FLAG_TSYNC;
	assert_false(moat_policy_equal(a, b));
	b->flags = 0;
	assert_non_null(b->listener_path = strdup("/x"));
	assert_false(moat_policy_equal(a, b));
	moat_policy_free(a);
	moat_policy_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_ok),
		cmocka_unit_test(test_validate_errno_range),
		cmocka_unit_test(test_validate_arg_index),
		cmocka_unit_test(test_validate_unknown_syscall),
		cmocka_unit_test(test_validate_contradiction),
		cmocka_unit_test(test_validate_shadowed_and_duplicate),
		cmocka_unit_test(test_validate_source_line),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_merge_native_arch),
		cmocka_unit_test(test_canonicalize),
		cmocka_unit_test(test_fold_only_neighbours),
		cmocka_unit_test(test_fold_then_dedup),
		cmocka_unit_test(test_drop_default_tail),
		cmocka_unit_test(test_equal),
	};

	return MOAT_RUN_TESTS(tests);
}
