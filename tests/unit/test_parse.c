// SPDX-License-Identifier: MIT
/* The .moat parser: exact models for good input, exact diagnostics for bad input. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "moat/groups.h"
#include "moat/policy.h"

/* ---- helpers ---- */

static struct moat_policy *parse_ok(const char *text)
{
	struct moat_policy *p = NULL;
	struct moat_diags d;
	int err;

	moat_diags_init(&d);
	err = moat_policy_parse_string("t.moat", text, strlen(text), NULL, &p, &d);
	if (err) {
		for (size_t i = 0; i < d.n; i++) {
			char *s;

			if (!moat_diag_format(&d.v[i], &s)) {
				print_error("%s", s);
				free(s);
			}
		}
	}
	assert_int_equal(err, 0);
	assert_int_equal(d.n, 0);
	assert_non_null(p);
	moat_diags_free(&d);
	return p;
}

/* All diagnostics, formatted and concatenated. */
static char *all_diags(const struct moat_diags *d)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	for (size_t i = 0; i < d->n; i++) {
		char *s;

		assert_int_equal(moat_diag_format(&d->v[i], &s), 0);
		fputs(s, f);
		free(s);
	}
	fclose(f);
	return buf;
}

static void expect_diags_named(const char *name, const char *text, size_t len,
			       const struct moat_parse_opts *o, const char *want)
{
	struct moat_policy *p = (struct moat_policy *)0x1;
	struct moat_diags d;
	char *got;
	int err;

	moat_diags_init(&d);
	err = moat_policy_parse_string(name, text, len, o, &p, &d);
	assert_int_equal(err, -EINVAL);
	/* Out-params are written only on success. */
	assert_ptr_equal(p, (struct moat_policy *)0x1);
	got = all_diags(&d);
	if (strcmp(got, want))
		print_error("input:\n%s\ngot:\n%s\nwant:\n%s\n", text, got, want);
	assert_string_equal(got, want);
	free(got);
	moat_diags_free(&d);
}

static void expect_diags(const char *text, const char *want)
{
	expect_diags_named("t.moat", text, strlen(text), NULL, want);
}

static void expect_cmp(const struct moat_cmp *c, unsigned arg, unsigned op, uint64_t value)
{
	assert_int_equal(c->arg, arg);
	assert_int_equal(c->op, op);
	assert_true(c->value == value);
}

static void expect_rule(const struct moat_rule *r, const char *sc, unsigned kind, uint32_t data,
			uint32_t ncmps, uint32_t line, uint32_t col)
{
	assert_string_equal(r->syscall, sc);
	assert_int_equal(r->action.kind, kind);
	assert_int_equal(r->action.data, data);
	assert_int_equal(r->ncmps, ncmps);
	assert_int_equal(r->loc.line, line);
	assert_int_equal(r->loc.col, col);
}

/* Exact equality of everything the language expresses (locations aside). */
static void expect_same_policy(const struct moat_policy *a, const struct moat_policy *b)
{
	assert_true(moat_action_equal(a->default_action, b->default_action));
	assert_true(moat_action_equal(a->unknown_action, b->unknown_action));
	assert_true(moat_action_equal(a->badarch_action, b->badarch_action));
	assert_int_equal(a->arches, b->arches);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->nrules, b->nrules);
	for (size_t i = 0; i < a->nrules; i++) {
		const struct moat_rule *x = &a->rules[i], *y = &b->rules[i];

		assert_string_equal(x->syscall, y->syscall);
		assert_true(moat_action_equal(x->action, y->action));
		assert_int_equal(x->ncmps, y->ncmps);
		for (uint32_t k = 0; k < x->ncmps; k++) {
			const struct moat_cmp *c = &x->cmps[k], *e = &y->cmps[k];

			assert_int_equal(c->arg, e->arg);
			assert_int_equal(c->op, e->op);
			if (c->op == MOAT_OP_IN) {
				assert_int_equal(c->nset, e->nset);
				assert_memory_equal(c->set, e->set, c->nset * sizeof(uint64_t));
			} else {
				assert_true(c->value == e->value);
			}
			if (c->op == MOAT_OP_MASKED_EQ)
				assert_true(c->mask == e->mask);
		}
		if (x->comment || y->comment)
			assert_string_equal(x->comment ? x->comment : "",
					    y->comment ? y->comment : "");
	}
	assert_int_equal(a->nfreq, b->nfreq);
	for (size_t i = 0; i < a->nfreq; i++) {
		assert_string_equal(a->freq[i].syscall, b->freq[i].syscall);
		assert_true(a->freq[i].count == b->freq[i].count);
	}
}

static bool has_rule(const struct moat_policy *p, const char *sc)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (!strcmp(p->rules[i].syscall, sc))
			return true;
	return false;
}

/* ---- good input: exact model ---- */

static void test_header(void **state)
{
	struct moat_policy *p = parse_ok("# a comment\n"
					 "\n"
					 "default kill-thread\n"
					 "unknown errno 38   # ENOSYS by number\n"
					 "badarch trap\n"
					 "arch amd64 x86 x32\n"
					 "arch arm64\n"
					 "flags log tsync\n"
					 "flags spec-allow wait-killable\n");

	assert_int_equal(p->default_action.kind, MOAT_ACT_KILL_THREAD);
	assert_int_equal(p->unknown_action.kind, MOAT_ACT_ERRNO);
	assert_int_equal(p->unknown_action.data, ENOSYS);
	assert_int_equal(p->badarch_action.kind, MOAT_ACT_TRAP);
	assert_int_equal(p->default_loc.line, 3);
	assert_int_equal(p->default_loc.col, 1);
	assert_string_equal(p->default_loc.file, "t.moat");
	assert_int_equal(p->unknown_loc.line, 4);
	assert_int_equal(p->badarch_loc.line, 5);
	assert_int_equal(p->arches,
			 MOAT_ARCH_BIT(MOAT_ARCH_X86_64) | MOAT_ARCH_BIT(MOAT_ARCH_I386) |
				 MOAT_ARCH_BIT(MOAT_ARCH_X32) | MOAT_ARCH_BIT(MOAT_ARCH_AARCH64));
	assert_int_equal(p->flags, MOAT_FLAG_LOG | MOAT_FLAG_TSYNC | MOAT_FLAG_SPEC_ALLOW |
					   MOAT_FLAG_WAIT_KILLABLE);
	assert_int_equal(p->nrules, 0);
	moat_policy_free(p);
}

static void test_defaults_kept(void **state)
{
	struct moat_policy *p = parse_ok("allow read\n");

	/* Nothing said: the model's secure defaults. */
	assert_int_equal(p->default_action.kind, MOAT_ACT_ERRNO);
	assert_int_equal(p->default_action.data, EPERM);
	assert_int_equal(p->unknown_action.kind, MOAT_ACT_ERRNO);
	assert_int_equal(p->unknown_action.data, ENOSYS);
	assert_int_equal(p->badarch_action.kind, MOAT_ACT_KILL_PROCESS);
	assert_int_equal(p->arches, 0);
	moat_policy_free(p);
}

static void test_actions(void **state)
{
	struct moat_policy *p = parse_ok("allow read write\n"
					 "errno EPERM ptrace\n"
					 "errno 0 setuid\n"
					 "errno 4095 setgid\n"
					 "kill kexec_load\n"
					 "kill-process reboot\n"
					 "kill-thread swapon\n"
					 "trap bpf\n"
					 "log personality\n"
					 "notify mount\n"
					 "trace 65535 umount2\n"
					 "allow syscall_999 syscall_007\n");

	assert_int_equal(p->nrules, 14);
	expect_rule(&p->rules[0], "read", MOAT_ACT_ALLOW, 0, 0, 1, 7);
	expect_rule(&p->rules[1], "write", MOAT_ACT_ALLOW, 0, 0, 1, 12);
	expect_rule(&p->rules[2], "ptrace", MOAT_ACT_ERRNO, EPERM, 0, 2, 13);
	expect_rule(&p->rules[3], "setuid", MOAT_ACT_ERRNO, 0, 0, 3, 9);
	expect_rule(&p->rules[4], "setgid", MOAT_ACT_ERRNO, 4095, 0, 4, 12);
	expect_rule(&p->rules[5], "kexec_load", MOAT_ACT_KILL_PROCESS, 0, 0, 5, 6);
	expect_rule(&p->rules[6], "reboot", MOAT_ACT_KILL_PROCESS, 0, 0, 6, 14);
	expect_rule(&p->rules[7], "swapon", MOAT_ACT_KILL_THREAD, 0, 0, 7, 13);
	expect_rule(&p->rules[8], "bpf", MOAT_ACT_TRAP, 0, 0, 8, 6);
	expect_rule(&p->rules[9], "personality", MOAT_ACT_LOG, 0, 0, 9, 5);
	expect_rule(&p->rules[10], "mount", MOAT_ACT_NOTIFY, 0, 0, 10, 8);
	expect_rule(&p->rules[11], "umount2", MOAT_ACT_TRACE, 65535, 0, 11, 13);
	expect_rule(&p->rules[12], "syscall_999", MOAT_ACT_ALLOW, 0, 0, 12, 7);
	/* One spelling per number. */
	expect_rule(&p->rules[13], "syscall_7", MOAT_ACT_ALLOW, 0, 0, 12, 19);
	moat_policy_free(p);

	p = parse_ok("allow syscall_007\n");
	expect_rule(&p->rules[0], "syscall_7", MOAT_ACT_ALLOW, 0, 0, 1, 7);
	moat_policy_free(p);
}

static void test_conditions(void **state)
{
	struct moat_policy *p = parse_ok(
		"allow socket if arg0 in {AF_UNIX, AF_INET6, AF_INET, AF_INET}\n"
		"allow mmap mprotect if arg2 & PROT_EXEC == 0\n"
		"allow openat if arg2 == O_WRONLY|O_CREAT && arg0 == -100\n"
		"allow read if arg0 != 3 && arg1 < 0x10 && arg2 <= 010 && arg3 > 1 && arg4 >= 2\n"
		"allow write if arg5 == 0xffffffffffffffff\n"
		"allow fcntl if arg1 & 1 != 0\n");
	const struct moat_rule *r;

	assert_int_equal(p->nrules, 7);
	r = &p->rules[0];
	expect_rule(r, "socket", MOAT_ACT_ALLOW, 0, 1, 1, 7);
	assert_int_equal(r->cmps[0].op, MOAT_OP_IN);
	assert_int_equal(r->cmps[0].arg, 0);
	/* Sorted, duplicates removed. */
	assert_int_equal(r->cmps[0].nset, 3);
	assert_true(r->cmps[0].set[0] == 1 && r->cmps[0].set[1] == 2 && r->cmps[0].set[2] == 10);

	expect_rule(&p->rules[1], "mmap", MOAT_ACT_ALLOW, 0, 1, 2, 7);
	expect_rule(&p->rules[2], "mprotect", MOAT_ACT_ALLOW, 0, 1, 2, 12);
	for (int i = 1; i <= 2; i++) {
		expect_cmp(&p->rules[i].cmps[0], 2, MOAT_OP_MASKED_EQ, 0);
		assert_true(p->rules[i].cmps[0].mask == 4);
	}
	r = &p->rules[3];
	expect_rule(r, "openat", MOAT_ACT_ALLOW, 0, 2, 3, 7);
	expect_cmp(&r->cmps[0], 2, MOAT_OP_EQ, 0101);
	expect_cmp(&r->cmps[1], 0, MOAT_OP_EQ, (uint64_t)-100);

	r = &p->rules[4];
	expect_rule(r, "read", MOAT_ACT_ALLOW, 0, 5, 4, 7);
	expect_cmp(&r->cmps[0], 0, MOAT_OP_NE, 3);
	expect_cmp(&r->cmps[1], 1, MOAT_OP_LT, 16);
	expect_cmp(&r->cmps[2], 2, MOAT_OP_LE, 8);
	expect_cmp(&r->cmps[3], 3, MOAT_OP_GT, 1);
	expect_cmp(&r->cmps[4], 4, MOAT_OP_GE, 2);

	expect_cmp(&p->rules[5].cmps[0], 5, MOAT_OP_EQ, UINT64_MAX);
	/* A single-bit '!=' mask is the '==' of the other bit value. */
	expect_cmp(&p->rules[6].cmps[0], 1, MOAT_OP_MASKED_EQ, 1);
	assert_true(p->rules[6].cmps[0].mask == 1);
	moat_policy_free(p);
}

static void test_or_expansion(void **state)
{
	struct moat_policy *p = parse_ok(
		"allow ioctl if arg1 == TCGETS || arg1 == FIONREAD\n"
		"errno EPERM read write if (arg0 == 1 || arg0 == 2) && (arg1 == 3 || arg2 == 4)\n");
	const struct moat_rule *r = p->rules;

	/* Line 1: two rules, same action and location, in order. */
	assert_int_equal(p->nrules, 2 + 2 * 4);
	expect_rule(&r[0], "ioctl", MOAT_ACT_ALLOW, 0, 1, 1, 7);
	expect_rule(&r[1], "ioctl", MOAT_ACT_ALLOW, 0, 1, 1, 7);
	expect_cmp(&r[0].cmps[0], 1, MOAT_OP_EQ, 0x5401);
	expect_cmp(&r[1].cmps[0], 1, MOAT_OP_EQ, 0x541b);
	/* Line 2: distributed, syscall by syscall. */
	for (int s = 0; s < 2; s++) {
		const struct moat_rule *q = &r[2 + 4 * s];
		static const unsigned a2[4][2] = { { 1, 1 }, { 1, 2 }, { 2, 1 }, { 2, 2 } };

		for (int k = 0; k < 4; k++) {
			expect_rule(&q[k], s ? "write" : "read", MOAT_ACT_ERRNO, EPERM, 2, 2,
				    s ? 18 : 13);
			expect_cmp(&q[k].cmps[0], 0, MOAT_OP_EQ, a2[k][0]);
			if (a2[k][1] == 1)
				expect_cmp(&q[k].cmps[1], 1, MOAT_OP_EQ, 3);
			else
				expect_cmp(&q[k].cmps[1], 2, MOAT_OP_EQ, 4);
		}
	}
	moat_policy_free(p);

	/* && binds tighter than ||. */
	p = parse_ok("allow read if arg0 == 1 || arg1 == 2 && arg2 == 3\n");
	assert_int_equal(p->nrules, 2);
	assert_int_equal(p->rules[0].ncmps, 1);
	assert_int_equal(p->rules[1].ncmps, 2);
	moat_policy_free(p);
}

static void test_compatible_same_arg(void **state)
{
	/* The same argument twice is fine when both can hold. */
	struct moat_policy *p = parse_ok("allow read if arg0 >= 3 && arg0 < 10 && arg0 != 5\n"
					 "allow read if arg0 in {1, 2, 3} && arg0 != 2\n"
					 "allow read if arg0 & 1 == 1 && arg0 & 2 == 0\n"
					 "allow read if arg0 == 3 && arg0 & 1 == 1\n");

	assert_int_equal(p->nrules, 4);
	assert_int_equal(p->rules[0].ncmps, 3);
	moat_policy_free(p);
}

static void test_comments_and_freq(void **state)
{
	struct moat_policy *p = parse_ok("allow read write   # seen 12 times  \n"
					 "freq read 12\n"
					 "freq read 3\n"
					 "freq syscall_500 18446744073709551615\n");

	assert_int_equal(p->nrules, 2);
	assert_string_equal(p->rules[0].comment, "seen 12 times");
	assert_string_equal(p->rules[1].comment, "seen 12 times");
	assert_int_equal(p->nfreq, 2);
	assert_string_equal(p->freq[0].syscall, "read");
	assert_true(p->freq[0].count == 15);
	assert_true(p->freq[1].count == UINT64_MAX);
	moat_policy_free(p);
}

static void test_crlf_and_no_final_newline(void **state)
{
	struct moat_policy *p = parse_ok("allow read\r\n\tallow   write");

	assert_int_equal(p->nrules, 2);
	expect_rule(&p->rules[1], "write", MOAT_ACT_ALLOW, 0, 0, 2, 10);
	moat_policy_free(p);
}

/* ---- bad input: exact diagnostics ---- */

static const struct {
	const char *in, *out;
} bad[] = {
	{ "alow read\n", "t.moat:1:1: error: unknown action or keyword 'alow' (did you mean "
			 "'allow'?)\n  alow read\n  ^~~~\n" },
	{ "allow opne\n", "t.moat:1:7: error: unknown syscall 'opne' (did you mean 'open'?)\n"
			  "  allow opne\n        ^~~~\n" },
	{ "allow zzzzzzzzzz\n", "t.moat:1:7: error: unknown syscall 'zzzzzzzzzz'\n  allow "
				"zzzzzzzzzz\n        ^~~~~~~~~~\n" },
	{ "errno EPRM read\n", "t.moat:1:7: error: unknown errno name 'EPRM' (did you mean "
			       "'EPERM'?)\n  errno EPRM read\n        ^~~~\n" },
	{ "errno 4096 read\n", "t.moat:1:7: error: errno value 4096 out of range (0 to 4095)\n"
			       "  errno 4096 read\n        ^~~~\n" },
	{ "errno -1 read\n", "t.moat:1:7: error: errno value -1 out of range (0 to 4095)\n"
			     "  errno -1 read\n        ^~\n" },
	{ "errno\n", "t.moat:1:6: error: expected an errno name or number after 'errno', found "
		     "end of line\n  errno\n       ^\n" },
	{ "trace 70000 read\n", "t.moat:1:7: error: trace value 70000 out of range (0 to 65535)\n"
				"  trace 70000 read\n        ^~~~~\n" },
	{ "allow\n",
	  "t.moat:1:6: error: expected a syscall name or a @group, found end of line\n  allow\n"
	  "       ^\n" },
	{ "allow read if arg6 == 1\n",
	  "t.moat:1:15: error: no argument 'arg6': seccomp sees six arguments, arg0 to arg5\n"
	  "  allow read if arg6 == 1\n                ^~~~\n" },
	{ "allow read if arg0 ==\n", "t.moat:1:22: error: expected a number or a constant after "
				     "'==', found end of line\n  allow read if arg0 ==\n"
				     "                       ^\n" },
	{ "allow read if arg0 == 1 && arg0 == 2\n",
	  "t.moat:1:28: error: contradictory condition: no value of arg0 satisfies all its "
	  "comparisons joined by '&&'\n  allow read if arg0 == 1 && arg0 == 2\n"
	  "                             ^~~~~~~~~\n" },
	{ "allow read if arg1 > 5 && arg1 < 3\n",
	  "t.moat:1:27: error: contradictory condition: no value of arg1 satisfies all its "
	  "comparisons joined by '&&'\n  allow read if arg1 > 5 && arg1 < 3\n"
	  "                            ^~~~~~~~\n" },
	{ "allow read if arg0 in {1, 2} && arg0 == 3\n",
	  "t.moat:1:33: error: contradictory condition: no value of arg0 satisfies all its "
	  "comparisons joined by '&&'\n  allow read if arg0 in {1, 2} && arg0 == 3\n"
	  "                                  ^~~~~~~~~\n" },
	{ "allow read if arg0 & 1 == 1 && arg0 & 3 == 2\n",
	  "t.moat:1:32: error: contradictory condition: no value of arg0 satisfies all its "
	  "comparisons joined by '&&'\n  allow read if arg0 & 1 == 1 && arg0 & 3 == 2\n"
	  "                                 ^~~~~~~~~~~~~\n" },
	{ "allow read if arg0 < 0\n", "t.moat:1:15: error: this comparison can never be true\n"
				      "  allow read if arg0 < 0\n                ^~~~~~~~\n" },
	{ "allow read if arg0 in {}\n", "t.moat:1:23: error: empty set: the condition could "
					"never be true\n  allow read if arg0 in {}\n"
					"                        ^~\n" },
	{ "allow read if arg0 in {1, 2\n",
	  "t.moat:1:23: error: unterminated set: expected '}'\n  allow read if arg0 in {1, 2\n"
	  "                        ^~~~~\n" },
	{ "allow read if arg0 in {1 2}\n",
	  "t.moat:1:26: error: expected ',' or '}' in the set, found '2'\n"
	  "  allow read if arg0 in {1 2}\n                           ^\n" },
	{ "allow read if arg0 == 0x1ffffffffffffffff\n",
	  "t.moat:1:23: error: number does not fit in 64 bits\n"
	  "  allow read if arg0 == 0x1ffffffffffffffff\n                        "
	  "^~~~~~~~~~~~~~~~~~~\n" },
	{ "allow read if arg0 == 18446744073709551616\n",
	  "t.moat:1:23: error: number does not fit in 64 bits\n"
	  "  allow read if arg0 == 18446744073709551616\n                        "
	  "^~~~~~~~~~~~~~~~~~~~\n" },
	{ "allow read if arg0 == -9223372036854775809\n",
	  "t.moat:1:23: error: negative number does not fit in 64 bits\n"
	  "  allow read if arg0 == -9223372036854775809\n                        "
	  "^~~~~~~~~~~~~~~~~~~~\n" },
	{ "allow read if arg0 == 09\n",
	  "t.moat:1:23: error: invalid digit in octal number\n  allow read if arg0 == 09\n"
	  "                        ^~\n" },
	{ "allow read if arg0 == 12abc\n",
	  "t.moat:1:23: error: invalid number\n  allow read if arg0 == 12abc\n"
	  "                        ^~~~~\n" },
	{ "allow read if arg0 = 1\n",
	  "t.moat:1:20: error: '=' is not an operator (did you mean '=='?)\n"
	  "  allow read if arg0 = 1\n                     ^\n" },
	{ "allow read $\n", "t.moat:1:12: error: unexpected character '$'\n  allow read $\n"
			    "             ^\n" },
	{ "allow read if arg0 & 1 == 2\n",
	  "t.moat:1:15: error: the value has bits outside the mask: the comparison is never "
	  "true\n  allow read if arg0 & 1 == 2\n                ^~~~~~~~~~~~~\n" },
	{ "allow read if arg0 & 3 != 1\n",
	  "t.moat:1:24: error: '!=' after a mask needs a single-bit mask; write the alternatives "
	  "with '||'\n  allow read if arg0 & 3 != 1\n                         ^~\n" },
	{ "allow read if (arg0 == 1\n", "t.moat:1:15: error: unbalanced '(': expected ')'\n"
					"  allow read if (arg0 == 1\n                ^\n" },
	{ "allow read if arg0 == 1)\n",
	  "t.moat:1:24: error: unbalanced ')'\n"
	  "  allow read if arg0 == 1)\n                         ^\n" },
	{ "allow read if arg0 == AF_INTE\n",
	  "t.moat:1:23: error: unknown constant 'AF_INTE' (did you mean 'AF_INET'?)\n"
	  "  allow read if arg0 == AF_INTE\n                        ^~~~~~~\n" },
	{ "allow read if arg0 == O_WRONLY|\n",
	  "t.moat:1:32: error: expected a number or a constant after '|', found end of line\n"
	  "  allow read if arg0 == O_WRONLY|\n                                 ^\n" },
	{ "allow read if\n", "t.moat:1:14: error: expected a condition after 'if', found end of "
			     "line\n  allow read if\n               ^\n" },
	{ "allow read if foo == 1\n",
	  "t.moat:1:15: error: expected a comparison of an argument (arg0 to arg5), found 'foo'\n"
	  "  allow read if foo == 1\n                ^~~\n" },
	{ "allow read if arg0 1\n",
	  "t.moat:1:20: error: expected a comparison operator (== != < <= > >= & in), found '1'\n"
	  "  allow read if arg0 1\n                     ^\n" },
	{ "allow read if arg0 == 1 arg1 == 2\n",
	  "t.moat:1:25: error: expected '&&', '||' or the end of the line, found 'arg1'\n"
	  "  allow read if arg0 == 1 arg1 == 2\n                          ^~~~\n" },
	{ "include \"nope.moat\"\n", "t.moat:1:9: error: cannot find include file \"nope.moat\"\n"
				     "  include \"nope.moat\"\n          ^~~~~~~~~~~\n" },
	{ "include \"nope.moat\n", "t.moat:1:9: error: unterminated string\n"
				   "  include \"nope.moat\n          ^~~~~~~~~~\n" },
	{ "include @clok\n", "t.moat:1:9: error: unknown group '@clok' (did you mean '@clock'?) "
			     "(see 'moat groups')\n  include @clok\n          ^~~~~\n" },
	{ "include\n", "t.moat:1:8: error: expected a file name in quotes or a @group after "
		       "'include', found end of line\n  include\n         ^\n" },
	{ "include @clock extra\n", "t.moat:1:16: error: unexpected 'extra' at the end of the "
				    "statement\n  include @clock extra\n                 ^~~~~\n" },
	{ "default allow\ndefault kill\n", "t.moat:2:1: error: 'default' is already set (at "
					   "t.moat:1)\n  default kill\n  ^~~~~~~\n" },
	{ "badarch allow\n", "t.moat:1:1: error: 'badarch allow' would let other ABIs bypass the "
			     "policy\n  badarch allow\n  ^~~~~~~\n" },
	{ "badarch log\n", "t.moat:1:1: error: 'badarch log' would let other ABIs bypass the "
			   "policy\n  badarch log\n  ^~~~~~~\n" },
	{ "default fly\n", "t.moat:1:9: error: unknown action 'fly'\n  default fly\n"
			   "          ^~~\n" },
	{ "arch sparc\n", "t.moat:1:6: error: unknown architecture 'sparc' (known: x86_64, i386, "
			  "x32, aarch64)\n  arch sparc\n       ^~~~~\n" },
	{ "flags fast\n", "t.moat:1:7: error: unknown flag 'fast' (known: log, spec-allow, "
			  "wait-killable, tsync)\n  flags fast\n        ^~~~\n" },
	{ "freq read\n", "t.moat:1:10: error: expected a count after the syscall name, found end "
			 "of line\n  freq read\n           ^\n" },
	{ "allow syscall_4294967296\n",
	  "t.moat:1:7: error: 'syscall_4294967296': syscall_NNN needs a decimal number up to "
	  "4294967295\n  allow syscall_4294967296\n        ^~~~~~~~~~~~~~~~~~\n" },
	{ "{\n", "t.moat:1:1: error: expected an action or a keyword, found '{'\n  {\n  ^\n" },
	/* Several errors, each line recovered on its own; good lines between them. */
	{ "allow read\nallow nope1\nallow write\nkill nope2 if arg0 == 1\n",
	  "t.moat:2:7: error: unknown syscall 'nope1'\n  allow nope1\n"
	  "        ^~~~~\nt.moat:4:6: error: unknown syscall 'nope2'\n"
	  "  kill nope2 if arg0 == 1\n       ^~~~~\n" },
};

static void test_bad_inputs(void **state)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_diags(bad[i].in, bad[i].out);
}

static void test_nul_byte(void **state)
{
	static const char text[] = "allow read\nallow \0write\n";

	expect_diags_named("t.moat", text, sizeof(text) - 1, NULL,
			   "t.moat:2:7: error: unexpected character 0x00\n  allow \n        ^\n");
}

static void test_nesting_bound(void **state)
{
	char text[256] = "allow read if ";
	size_t n = strlen(text);

	for (int i = 0; i < 40; i++)
		text[n++] = '(';
	strcpy(text + n, "arg0 == 1\n");
	expect_diags(text, "t.moat:1:47: error: parentheses nested too deeply (more than 32)\n"
			   "  allow read if (((((((((((((((((((((((((((((((((((((((("
			   "arg0 == 1\n"
			   "                                                ^\n");
}

static void test_alternatives_bound(void **state)
{
	/* (a||b) && (c||d) && ... 9 times: 512 alternatives, over the 256 bound. */
	char text[1024] = "allow read if ";

	for (int i = 0; i < 9; i++)
		strcat(text, i ? " && (arg1 == 1 || arg1 == 2)" : "(arg0 == 1 || arg0 == 2)");
	strcat(text, "\n");
	struct moat_policy *p = NULL;
	struct moat_diags d;

	moat_diags_init(&d);
	assert_int_equal(moat_policy_parse_string("t.moat", text, strlen(text), NULL, &p, &d),
			 -EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].msg, "condition too complex (more than 256 alternatives)");
	moat_diags_free(&d);
}

static void test_values_bound(void **state)
{
	/* 8 factors of (in {1024 values} || in {1024 values}): 256 alternatives of 8 sets,
	 * 2 Mi values once expanded, over the 1 Mi bound. */
	size_t cap = 200000, n;
	char *text = malloc(cap);
	struct moat_policy *p = NULL;
	struct moat_diags d;

	n = (size_t)sprintf(text, "allow read if ");
	for (int f = 0; f < 8; f++) {
		n += (size_t)sprintf(text + n, "%s(", f ? " && " : "");
		for (int alt = 0; alt < 2; alt++) {
			n += (size_t)sprintf(text + n, "%sarg0 in {", alt ? " || " : "");
			for (int v = 0; v < 1024; v++)
				n += (size_t)sprintf(text + n, "%s%d", v ? ", " : "", v + alt);
			n += (size_t)sprintf(text + n, "}");
		}
		n += (size_t)sprintf(text + n, ")");
	}
	strcpy(text + n, "\n");
	moat_diags_init(&d);
	assert_int_equal(moat_policy_parse_string("t.moat", text, strlen(text), NULL, &p, &d),
			 -EINVAL);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].msg,
			    "policy too large (more than 1048576 values in sets once expanded)");
	moat_diags_free(&d);
	free(text);
}

static void test_error_limit(void **state)
{
	struct moat_diags d;
	struct moat_policy *p = NULL;
	char *text = malloc(200 * 12 + 1);

	text[0] = 0;
	for (int i = 0; i < 200; i++)
		strcat(text, "allow nope\n");
	moat_diags_init(&d);
	assert_int_equal(moat_policy_parse_string("t.moat", text, strlen(text), NULL, &p, &d),
			 -EINVAL);
	assert_int_equal(d.n, 51);
	assert_string_equal(d.v[50].msg, "too many errors (more than 50), giving up");
	moat_diags_free(&d);
	free(text);
}

/* ---- includes ---- */

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup_dir(void **state)
{
	char sub[128];

	strcpy(tmpdir, "/tmp/moat-test-parse-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(sub, sizeof(sub), "%s/lib", tmpdir);
	mkdir(sub, 0700);
	write_file("main.moat", "default kill\n"
				"include \"common.moat\"\n"
				"allow close\n"
				"include \"shared.moat\"\n");
	write_file("common.moat", "allow read\nallow write if arg0 == 1\n");
	write_file("lib/shared.moat", "errno EPERM ptrace\ninclude \"helper.moat\"\n");
	write_file("lib/helper.moat", "log personality\n");
	write_file("cyc1.moat", "allow read\ninclude \"cyc2.moat\"\n");
	write_file("cyc2.moat", "allow write\n\ninclude \"cyc1.moat\"\n");
	write_file("bad-inc.moat", "allow read\ninclude \"bad.moat\"\n");
	write_file("bad.moat", "# bad\nallow reed\n");
	write_file("self.moat", "include \"self.moat\"\n");
	return 0;
}

static int teardown_dir(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int parse_path(const char *name, const struct moat_parse_opts *o, struct moat_policy **p,
		      char **diags)
{
	char path[256];
	struct moat_diags d;
	int err;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	moat_diags_init(&d);
	err = moat_policy_parse_file(path, o, p, &d);
	*diags = all_diags(&d);
	moat_diags_free(&d);
	return err;
}

static void test_include_files(void **state)
{
	char lib[128], *diags, want[256];
	const char *dirs[1] = { lib };
	struct moat_parse_opts o = { dirs, 1 };
	struct moat_policy *p = NULL;

	snprintf(lib, sizeof(lib), "%s/lib", tmpdir);
	/* shared.moat is only found through the include directories. */
	assert_int_equal(parse_path("main.moat", NULL, &p, &diags), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s/main.moat:4:9: error: cannot find include file "
		 "\"shared.moat\"\n  include \"shared.moat\"\n          ^~~~~~~~~~~~~\n",
		 tmpdir);
	assert_string_equal(diags, want);
	free(diags);

	assert_int_equal(parse_path("main.moat", &o, &p, &diags), 0);
	assert_string_equal(diags, "");
	free(diags);
	assert_int_equal(p->nrules, 5);
	assert_int_equal(p->default_action.kind, MOAT_ACT_KILL_PROCESS);
	snprintf(want, sizeof(want), "%s/common.moat", tmpdir);
	expect_rule(&p->rules[0], "read", MOAT_ACT_ALLOW, 0, 0, 1, 7);
	assert_string_equal(p->rules[0].loc.file, want);
	expect_rule(&p->rules[1], "write", MOAT_ACT_ALLOW, 0, 1, 2, 7);
	expect_rule(&p->rules[2], "close", MOAT_ACT_ALLOW, 0, 0, 3, 7);
	expect_rule(&p->rules[3], "ptrace", MOAT_ACT_ERRNO, EPERM, 0, 1, 13);
	snprintf(want, sizeof(want), "%s/lib/shared.moat", tmpdir);
	assert_string_equal(p->rules[3].loc.file, want);
	/* helper.moat is relative to shared.moat, which lives in lib/. */
	expect_rule(&p->rules[4], "personality", MOAT_ACT_LOG, 0, 0, 1, 5);
	snprintf(want, sizeof(want), "%s/lib/helper.moat", tmpdir);
	assert_string_equal(p->rules[4].loc.file, want);
	moat_policy_free(p);
}

static void test_include_cycle(void **state)
{
	struct moat_policy *p = NULL;
	char *diags, want[1024];

	assert_int_equal(parse_path("cyc1.moat", NULL, &p, &diags), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s/cyc2.moat:3:9: error: include cycle: %s/cyc1.moat -> %s/cyc2.moat -> "
		 "%s/cyc1.moat\n  include \"cyc1.moat\"\n          ^~~~~~~~~~~\n"
		 "  included from %s/cyc1.moat:2\n",
		 tmpdir, tmpdir, tmpdir, tmpdir, tmpdir);
	assert_string_equal(diags, want);
	free(diags);

	assert_int_equal(parse_path("self.moat", NULL, &p, &diags), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s/self.moat:1:9: error: include cycle: %s/self.moat -> %s/self.moat\n"
		 "  include \"self.moat\"\n          ^~~~~~~~~~~\n",
		 tmpdir, tmpdir, tmpdir);
	assert_string_equal(diags, want);
	free(diags);
}

static void test_include_error_chain(void **state)
{
	struct moat_policy *p = NULL;
	char *diags, want[1024];

	assert_int_equal(parse_path("bad-inc.moat", NULL, &p, &diags), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s/bad.moat:2:7: error: unknown syscall 'reed' (did you mean 'read'?)\n"
		 "  allow reed\n        ^~~~\n  included from %s/bad-inc.moat:2\n",
		 tmpdir, tmpdir);
	assert_string_equal(diags, want);
	free(diags);
}

static void test_include_depth(void **state)
{
	/* A chain of 20 files, each including the next: over the depth bound. */
	char name[32], text[64];
	struct moat_policy *p = NULL;
	char *diags;

	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "d%d.moat", i);
		snprintf(text, sizeof(text), "allow read\ninclude \"d%d.moat\"\n", i + 1);
		write_file(name, text);
	}
	write_file("d20.moat", "allow write\n");
	assert_int_equal(parse_path("d0.moat", NULL, &p, &diags), -EINVAL);
	assert_non_null(strstr(diags, "/d15.moat:2:9: error: includes nested too deeply (more "
				      "than 16 levels)\n"));
	assert_non_null(strstr(diags, "  included from "));
	free(diags);
}

static void test_include_from_string(void **state)
{
	/* A string's includes resolve against the directory in its name. */
	char name[128];
	struct moat_policy *p = NULL;
	struct moat_diags d;
	const char *text = "include \"common.moat\"\n";

	snprintf(name, sizeof(name), "%s/virtual.moat", tmpdir);
	moat_diags_init(&d);
	assert_int_equal(moat_policy_parse_string(name, text, strlen(text), NULL, &p, &d), 0);
	assert_int_equal(p->nrules, 2);
	moat_policy_free(p);
	moat_diags_free(&d);
}

static void test_load_by_content(void **state)
{
	struct moat_policy *p = NULL;
	struct moat_diags d;
	char path[256], want[512], *got;

	moat_diags_init(&d);
	/* .moat by content, whatever the name says. */
	write_file("policy.json", "# not json\nallow read\n");
	snprintf(path, sizeof(path), "%s/policy.json", tmpdir);
	assert_int_equal(moat_policy_load(path, NULL, NULL, &p, &d), 0);
	assert_int_equal(p->nrules, 1);
	moat_policy_free(p);
	p = NULL;

	/* OCI JSON: '{' first after blanks. */
	write_file("oci.moat", "\n  \t{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
			       "[{\"names\": [\"read\", \"write\"], \"action\": "
			       "\"SCMP_ACT_ALLOW\"}]}\n");
	snprintf(path, sizeof(path), "%s/oci.moat", tmpdir);
	assert_int_equal(moat_policy_load(path, NULL, NULL, &p, &d), 0);
	assert_true(has_rule(p, "read") && has_rule(p, "write"));
	assert_int_equal(p->default_action.kind, MOAT_ACT_ERRNO);
	moat_policy_free(p);
	p = NULL;

	/* .moat errors come back as diagnostics naming the file. */
	snprintf(path, sizeof(path), "%s/bad.moat", tmpdir);
	assert_int_equal(moat_policy_load(path, NULL, NULL, &p, &d), -EINVAL);
	got = all_diags(&d);
	snprintf(want, sizeof(want),
		 "%s/bad.moat:2:7: error: unknown syscall 'reed' (did you mean 'read'?)\n"
		 "  allow reed\n        ^~~~\n",
		 tmpdir);
	assert_string_equal(got, want);
	free(got);
	moat_diags_free(&d);

	/* A missing file is an errno, for the caller to word. */
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	assert_int_equal(moat_policy_load(path, NULL, NULL, &p, &d), -ENOENT);
	assert_null(p);
	/* A self-include is a cycle at once, as with parse_file. */
	snprintf(path, sizeof(path), "%s/self.moat", tmpdir);
	assert_int_equal(moat_policy_load(path, NULL, NULL, &p, &d), -EINVAL);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.v[0].msg, "include cycle"));
	moat_diags_free(&d);
}

/* ---- groups ---- */

static void test_include_group(void **state)
{
	struct moat_policy *p = parse_ok("include @clock\nallow read\n");

	assert_true(p->nrules >= 2);
	/* Locations point into the group. */
	assert_string_equal(p->rules[0].loc.file, "@clock");
	assert_int_equal(p->rules[0].loc.line, 2);
	assert_string_equal(p->rules[p->nrules - 1].loc.file, "t.moat");
	moat_policy_free(p);
}

static void test_all_groups_parse(void **state)
{
	assert_true(moat_group_count() >= 24);
	for (size_t i = 0; i < moat_group_count(); i++) {
		const struct moat_group *g = moat_group_at(i);
		char text[128], *members;
		struct moat_policy *p;

		/* Sorted for the binary search, each with a summary. */
		if (i)
			assert_true(strcmp(moat_group_at(i - 1)->name, g->name) < 0);
		assert_true(strlen(g->summary) > 10);
		assert_ptr_equal(moat_group_find(g->name), g);
		snprintf(text, sizeof(text), "include @%s\n", g->name);
		p = parse_ok(text);
		assert_true(p->nrules > 0);
		moat_policy_free(p);
		assert_int_equal(moat_group_members(g, &members), 0);
		assert_true(strlen(members) > 0);
		free(members);
	}
	assert_null(moat_group_find("nope"));
	assert_null(moat_group_at(moat_group_count()));
}

static void test_group_facts(void **state)
{
	const struct moat_group *g = moat_group_find("@privileged");
	struct moat_policy *p;
	char *m;

	/* @privileged includes @clock and @module, as systemd's does. */
	assert_non_null(g);
	assert_int_equal(moat_group_members(g, &m), 0);
	assert_non_null(strstr(m, "settimeofday"));
	assert_non_null(strstr(m, "finit_module"));
	assert_non_null(strstr(m, "kexec_load"));
	free(m);

	/* @inet: socket only for AF_INET and AF_INET6. */
	p = parse_ok("include @inet\n");
	expect_rule(&p->rules[0], "socket", MOAT_ACT_ALLOW, 0, 1, 2, 7);
	assert_string_equal(p->rules[0].loc.file, "@inet");
	assert_int_equal(p->rules[0].cmps[0].op, MOAT_OP_IN);
	assert_int_equal(p->rules[0].cmps[0].nset, 2);
	assert_true(p->rules[0].cmps[0].set[0] == 2 && p->rules[0].cmps[0].set[1] == 10);
	moat_policy_free(p);

	/* @system-service leaves io_uring out; @stdio never maps executable memory. */
	p = parse_ok("include @system-service\n");
	assert_true(has_rule(p, "read") && has_rule(p, "openat") && has_rule(p, "socket"));
	assert_false(has_rule(p, "io_uring_setup"));
	assert_false(has_rule(p, "mount") || has_rule(p, "init_module") || has_rule(p, "reboot"));
	moat_policy_free(p);
	p = parse_ok("include @stdio\n");
	for (size_t i = 0; i < p->nrules; i++) {
		const struct moat_rule *r = &p->rules[i];

		if (!strcmp(r->syscall, "mmap") || !strcmp(r->syscall, "mprotect")) {
			assert_int_equal(r->ncmps, 1);
			expect_cmp(&r->cmps[0], 2, MOAT_OP_MASKED_EQ, 0);
			assert_true(r->cmps[0].mask == 4);
		}
		assert_false(!strcmp(r->syscall, "open") || !strcmp(r->syscall, "execve"));
	}
	moat_policy_free(p);
}

static void test_groups_follow_arches(void **state)
{
	struct moat_policy *p;
	struct moat_diags d;

	/* aarch64 has no open, only openat; x86_64 has no chown32 or _llseek. */
	p = parse_ok("include @rpath\ninclude @basic-io\narch aarch64\n");
	assert_false(has_rule(p, "open"));
	assert_true(has_rule(p, "openat"));
	moat_policy_free(p);
	p = parse_ok("include @system-service\n");
	assert_false(has_rule(p, "chown32") || has_rule(p, "_llseek"));
	assert_true(has_rule(p, "chown") && has_rule(p, "lseek"));
	/* So a policy made of groups validates on its arch. */
	moat_diags_init(&d);
	assert_int_equal(moat_policy_validate(p, &d), 0);
	/* Not even a warning: overlapping groups (close is in @basic-io and @file-system) are
	 * deduplicated. */
	assert_int_equal(d.n, 0);
	{
		int nclose = 0;

		for (size_t i = 0; i < p->nrules; i++)
			nclose += !strcmp(p->rules[i].syscall, "close");
		assert_int_equal(nclose, 1);
	}
	moat_diags_free(&d);
	moat_policy_free(p);
	p = parse_ok("arch x86_64 i386\ninclude @basic-io\n");
	assert_true(has_rule(p, "_llseek") && has_rule(p, "lseek"));
	moat_policy_free(p);
	/* What the user writes is never dropped: validation decides. */
	p = parse_ok("allow chown32\n");
	assert_true(has_rule(p, "chown32"));
	moat_policy_free(p);
}

static void test_group_as_syscall_list(void **state)
{
	/* A group under another action: its syscalls, its own conditions kept. */
	struct moat_policy *p = parse_ok("errno EPERM @mount read\n"
					 "kill @inet if arg1 == 1\n");
	size_t n_mount = 0;

	for (size_t i = 0; i < p->nrules; i++) {
		const struct moat_rule *r = &p->rules[i];

		assert_string_equal(r->loc.file, "t.moat");
		if (r->loc.line == 1) {
			assert_int_equal(r->action.kind, MOAT_ACT_ERRNO);
			assert_int_equal(r->ncmps, 0);
			n_mount++;
		}
	}
	/* 13 in @mount, less umount (i386 only: this policy covers x86_64), and read. */
	assert_int_equal(moat_arch_native(), MOAT_ARCH_X86_64);
	assert_int_equal(n_mount, 13);
	assert_false(has_rule(p, "umount"));
	expect_rule(&p->rules[0], "mount", MOAT_ACT_ERRNO, EPERM, 0, 1, 13);
	expect_rule(&p->rules[12], "read", MOAT_ACT_ERRNO, EPERM, 0, 1, 20);
	/* socket: the group's arg0 in {...} AND the rule's arg1 == 1. */
	expect_rule(&p->rules[13], "socket", MOAT_ACT_KILL_PROCESS, 0, 2, 2, 6);
	assert_int_equal(p->rules[13].cmps[0].op, MOAT_OP_IN);
	expect_cmp(&p->rules[13].cmps[1], 1, MOAT_OP_EQ, 1);
	expect_rule(&p->rules[14], "bind", MOAT_ACT_KILL_PROCESS, 0, 1, 2, 6);
	moat_policy_free(p);

	/* Overlapping groups in one statement: chroot once. */
	p = parse_ok("errno EPERM @privileged @mount chroot\n");
	n_mount = 0;
	for (size_t i = 0; i < p->nrules; i++)
		n_mount += !strcmp(p->rules[i].syscall, "chroot");
	assert_int_equal(n_mount, 2); /* one from the groups, one written by hand */
	moat_policy_free(p);

	/* The arch line may come after: i386 keeps umount. */
	p = parse_ok("errno EPERM @mount\narch i386\n");
	assert_true(has_rule(p, "umount"));
	moat_policy_free(p);

	/* Contradicting the group's own constraint drops that rule, no error. */
	p = parse_ok("errno EPERM @inet if arg0 == AF_UNIX\n");
	assert_false(has_rule(p, "socket"));
	assert_true(has_rule(p, "bind"));
	moat_policy_free(p);

	expect_diags("allow @nope read\n", "t.moat:1:7: error: unknown group '@nope' (see 'moat "
					   "groups')\n  allow @nope read\n        ^~~~~\n");
}

/* ---- the writer ---- */

static void round_trip(const char *text)
{
	struct moat_policy *a = parse_ok(text), *b;
	char *out1, *out2;

	assert_int_equal(moat_policy_to_moat(a, &out1), 0);
	b = parse_ok(out1);
	expect_same_policy(a, b);
	/* And equal for the model's own comparison, once canonical. */
	{
		struct moat_policy *ca = moat_policy_dup(a), *cb = moat_policy_dup(b);

		assert_non_null(ca);
		assert_non_null(cb);
		assert_int_equal(moat_policy_canonicalize(ca), 0);
		assert_int_equal(moat_policy_canonicalize(cb), 0);
		assert_true(moat_policy_equal(ca, cb));
		moat_policy_free(ca);
		moat_policy_free(cb);
	}
	/* Deterministic and stable: writing the re-read policy gives the same text. */
	assert_int_equal(moat_policy_to_moat(b, &out2), 0);
	assert_string_equal(out1, out2);
	free(out1);
	free(out2);
	moat_policy_free(a);
	moat_policy_free(b);
}

static void test_writer_exact(void **state)
{
	struct moat_policy *p = parse_ok(
		"default kill\nunknown errno ENOSYS\nbadarch kill-thread\narch x86_64 i386\n"
		"flags log tsync\n"
		"allow read write close\n"
		"allow socket if arg0 in {AF_INET6, AF_INET}\n"
		"allow mmap mprotect if arg2 & PROT_EXEC == 0\n"
		"allow openat if arg0 == -100 && arg2 == O_WRONLY|O_CREAT  # from record\n"
		"errno 1234 bpf\n"
		"errno EACCES setuid if arg0 != 0 || arg0 > 0x10000\n"
		"trace 3 ptrace\n"
		"freq read 10\n");
	char *out;

	assert_int_equal(moat_policy_to_moat(p, &out), 0);
	assert_string_equal(out, "default kill\n"
				 "unknown errno ENOSYS\n"
				 "badarch kill-thread\n"
				 "arch x86_64 i386\n"
				 "flags log tsync\n"
				 "\n"
				 "allow read write close\n"
				 "allow socket if arg0 in {2, 10}\n"
				 "allow mmap mprotect if arg2 & 0x4 == 0\n"
				 "allow openat if arg0 == -100 && arg2 == 65  # from record\n"
				 "errno 1234 bpf\n"
				 "errno EACCES setuid if arg0 != 0\n"
				 "errno EACCES setuid if arg0 > 0x10000\n"
				 "trace 3 ptrace\n"
				 "\n"
				 "freq read 10\n");
	free(out);
	moat_policy_free(p);
}

static void test_writer_wraps_long_lines(void **state)
{
	struct moat_policy *p = moat_policy_new();
	char name[32], *out, *line;
	struct moat_loc loc = { 0 };
	size_t lines = 0;

	/* Rules built directly: the writer must not depend on the parser. */
	for (int i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "syscall_%d", 1000 + i);
		assert_int_equal(moat_policy_add_rule(p, name,
						      (struct moat_action){ MOAT_ACT_ALLOW, 0 },
						      NULL, 0, loc, NULL),
				 0);
	}
	assert_int_equal(moat_policy_to_moat(p, &out), 0);
	for (line = out; (line = strchr(line, '\n')); line++) {
		char *next = strchr(line + 1, '\n');

		assert_true(!next || next - line - 1 <= 100);
		lines++;
	}
	assert_true(lines > 4);
	free(out);
	round_trip("allow syscall_1 syscall_2\n");
	moat_policy_free(p);
}

static void test_round_trips(void **state)
{
	round_trip("allow read\n");
	round_trip("default errno 0\nunknown kill\narch aarch64 x32\nflags spec-allow "
		   "wait-killable\n");
	round_trip("allow socket if arg0 in {AF_UNIX, AF_INET, AF_INET6} && arg1 & 0xf == 1\n"
		   "allow ioctl if arg1 == TCGETS || arg1 == FIONREAD\n"
		   "allow read if arg0 < 0x100000000 && arg1 <= 1 && arg2 > 2 && arg3 >= 3 && "
		   "arg4 != -1 && arg5 == 0xffffffff\n"
		   "kill-thread kexec_load\nlog personality\nnotify mount\ntrace 9 umount2\n"
		   "allow syscall_5000  # a comment\n"
		   "errno EPERM read\nallow read\nerrno EPERM read\n"
		   "freq read 1\nfreq write 18446744073709551615\n");
	round_trip("include @clock\n");
}

static void test_writer_comment_newline(void **state)
{
	struct moat_policy *p = moat_policy_new(), *q;
	struct moat_loc loc = { 0 };
	char *out;

	assert_int_equal(moat_policy_add_rule(p, "read", (struct moat_action){ MOAT_ACT_ALLOW, 0 },
					      NULL, 0, loc, "two\nlines"),
			 0);
	assert_int_equal(moat_policy_to_moat(p, &out), 0);
	q = parse_ok(out);
	assert_int_equal(q->nrules, 1);
	assert_string_equal(q->rules[0].comment, "two lines");
	free(out);
	moat_policy_free(p);
	moat_policy_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_defaults_kept),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_or_expansion),
		cmocka_unit_test(test_compatible_same_arg),
		cmocka_unit_test(test_comments_and_freq),
		cmocka_unit_test(test_crlf_and_no_final_newline),
		cmocka_unit_test(test_bad_inputs),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_nesting_bound),
		cmocka_unit_test(test_alternatives_bound),
		cmocka_unit_test(test_values_bound),
		cmocka_unit_test(test_error_limit),
		cmocka_unit_test_setup_teardown(test_include_files, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_include_cycle, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_include_error_chain, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_include_depth, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_include_from_string, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_by_content, setup_dir, teardown_dir),
		cmocka_unit_test(test_include_group),
		cmocka_unit_test(test_all_groups_parse),
		cmocka_unit_test(test_group_facts),
		cmocka_unit_test(test_group_as_syscall_list),
		cmocka_unit_test(test_groups_follow_arches),
		cmocka_unit_test(test_writer_exact),
		cmocka_unit_test(test_writer_wraps_long_lines),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_writer_comment_newline),
	};

	return MOAT_RUN_TESTS(tests);
}
