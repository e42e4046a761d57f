// SPDX-License-Identifier: MIT
/* Recordings as data, and the policies generated from them (no kernel needed). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "testutil.h"
#include "moat/record.h"

#define X64 MOAT_ARCH_X86_64

static uint32_t nr_of(enum moat_arch a, const char *name)
{
	int64_t nr = moat_syscall_nr(a, name);

	assert_true(nr >= 0);
	return (uint32_t)nr;
}

static void count(struct moat_recording *r, enum moat_arch a, const char *name, uint64_t n)
{
	assert_int_equal(moat_recording_add_count(r, a, nr_of(a, name), n), 0);
}

static void value(struct moat_recording *r, const char *name, uint32_t arg, uint64_t v)
{
	assert_int_equal(moat_recording_add_value(r, X64, nr_of(X64, name), arg, v), 0);
}

/* The rules for NAME, in order; returns how many. */
static size_t rules_of(const struct moat_policy *p, const char *name, const struct moat_rule **v,
		       size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nrules; i++)
		if (!strcmp(p->rules[i].syscall, name) && n < max)
			v[n++] = &p->rules[i];
	return n;
}

static uint64_t freq_of(const struct moat_policy *p, const char *name)
{
	for (size_t i = 0; i < p->nfreq; i++)
		if (!strcmp(p->freq[i].syscall, name))
			return p->freq[i].count;
	return 0;
}

static void test_values_sorted_unique(void **state)
{
	struct moat_recording *r = moat_recording_new();
	const struct moat_rec_values *v;

	value(r, "ioctl", 1, 0x5413);
	value(r, "ioctl", 1, 0x541b);
	value(r, "ioctl", 1, 0x5401);
	value(r, "ioctl", 1, 0x5413);
	value(r, "socket", 0, AF_INET);
	v = moat_recording_values(r, X64, nr_of(X64, "ioctl"), 1);
	assert_non_null(v);
	assert_int_equal(v->n, 3);
	assert_int_equal(v->v[0], 0x5401);
	assert_int_equal(v->v[1], 0x5413);
	assert_int_equal(v->v[2], 0x541b);
	assert_null(moat_recording_values(r, X64, nr_of(X64, "ioctl"), 0));
	assert_int_equal(moat_recording_add_value(r, X64, 1, 6, 0), -EINVAL);
	assert_int_equal(moat_recording_add_count(r, X64, MOAT_RECORD_NR_MAX, 1), -EINVAL);
	moat_recording_free(r);
	moat_recording_free(NULL);
}

static void test_merge_recordings(void **state)
{
	struct moat_recording *a = moat_recording_new(), *b = moat_recording_new();

	count(a, X64, "read", 3);
	count(b, X64, "read", 4);
	count(b, MOAT_ARCH_I386, "getpid", 2);
	value(a, "prctl", 0, 1);
	value(b, "prctl", 0, 2);
	b->losses.values_full = 5;
	b->losses.missed = 2; /* runs the kernel skipped count as losses too */
	assert_int_equal(moat_recording_merge(a, b), 0);
	assert_int_equal(a->counts[X64][nr_of(X64, "read")], 7);
	assert_int_equal(a->counts[MOAT_ARCH_I386][nr_of(MOAT_ARCH_I386, "getpid")], 2);
	assert_int_equal(moat_recording_values(a, X64, nr_of(X64, "prctl"), 0)->n, 2);
	assert_int_equal(moat_recording_lost(a), 7);
	assert_int_equal(a->losses.missed, 2);
	moat_recording_free(a);
	moat_recording_free(b);
}

static void test_argmask(void **state)
{
	assert_int_equal(moat_record_argmask("socket"), 0x7);
	assert_int_equal(moat_record_argmask("ioctl"), 0x2);
	assert_int_equal(moat_record_argmask("openat"), 0x4);
	assert_int_equal(moat_record_argmask("setsockopt"), 0x6);
	assert_int_equal(moat_record_argmask("read"), 0);
}

static void test_generate_exact_sorted(void **state)
{
	struct moat_recording *r = moat_recording_new();
	struct moat_policy *p;
	const struct moat_rule *v[4];

	count(r, X64, "write", 10);
	count(r, X64, "read", 1);
	count(r, X64, "exit_group", 1);
	assert_int_equal(moat_policy_from_recording(r, NULL, &p, NULL), 0);
	assert_int_equal(p->default_action.kind, MOAT_ACT_ERRNO);
	assert_int_equal(p->default_action.data, EPERM);
	assert_int_equal(p->unknown_action.kind, MOAT_ACT_ERRNO);
	assert_int_equal(p->unknown_action.data, ENOSYS);
	assert_int_equal(p->arches, MOAT_ARCH_BIT(X64));
	/* clone3 was not seen: answered ENOSYS all the same, so libc falls back. */
	assert_int_equal(p->nrules, 4);
	assert_string_equal(p->rules[0].syscall, "clone3");
	assert_int_equal(p->rules[0].action.kind, MOAT_ACT_ERRNO);
	assert_int_equal(p->rules[0].action.data, ENOSYS);
	assert_string_equal(p->rules[1].syscall, "exit_group");
	assert_string_equal(p->rules[2].syscall, "read");
	assert_string_equal(p->rules[3].syscall, "write");
	for (size_t i = 1; i < 4; i++) {
		assert_int_equal(p->rules[i].action.kind, MOAT_ACT_ALLOW);
		assert_int_equal(p->rules[i].ncmps, 0);
	}
	assert_string_equal(p->rules[3].comment, "10 calls");
	assert_string_equal(p->rules[2].comment, "1 call");
	assert_int_equal(freq_of(p, "write"), 10);
	assert_int_equal(rules_of(p, "open", v, 4), 0);
	moat_policy_free(p);
	moat_recording_free(r);
}

static void test_generate_compat_kept_apart(void **state)
{
	struct moat_recording *r = moat_recording_new();
	struct moat_policy *p;

	count(r, X64, "getppid", 5);
	count(r, MOAT_ARCH_I386, "getppid", 2);
	count(r, MOAT_ARCH_I386, "socketcall", 1);
	assert_int_equal(moat_policy_from_recording(r, NULL, &p, NULL), 0);
	assert_int_equal(p->arches, MOAT_ARCH_BIT(X64) | MOAT_ARCH_BIT(MOAT_ARCH_I386));
	assert_int_equal(p->nrules, 3);
	assert_string_equal(p->rules[0].syscall, "clone3");
	assert_string_equal(p->rules[1].syscall, "getppid");
	assert_string_equal(p->rules[1].comment, "7 calls (x86_64 5, i386 2)");
	assert_string_equal(p->rules[2].syscall, "socketcall");
	assert_string_equal(p->rules[2].comment, "1 call (i386)");
	moat_policy_free(p);
	moat_recording_free(r);
}

static void test_generate_clone3_enosys(void **state)
{
	struct moat_recording *r = moat_recording_new();
	struct moat_generate_opts o = { .args = true };
	const struct moat_rule *v[4];
	struct moat_policy *p;

	count(r, X64, "clone3", 2);
	value(r, "clone3", 0, 0x3d0f00);
	assert_int_equal(moat_policy_from_recording(r, &o, &p, NULL), 0);
	assert_int_equal(rules_of(p, "clone3", v, 4), 1);
	assert_int_equal(v[0]->action.kind, MOAT_ACT_ERRNO);
	assert_int_equal(v[0]->action.data, ENOSYS);
	/* clone is allowed with exactly the flags clone3 was given. */
	assert_int_equal(rules_of(p, "clone", v, 4), 1);
	assert_int_equal(v[0]->action.kind, MOAT_ACT_ALLOW);
	assert_int_equal(v[0]->ncmps, 1);
	assert_int_equal(v[0]->cmps[0].op, MOAT_OP_IN);
	assert_int_equal(v[0]->cmps[0].nset, 1);
	assert_int_equal(v[0]->cmps[0].set[0], 0x3d0f00);
	/* Sorted: clone before clone3. */
	assert_string_equal(p->rules[0].syscall, "clone");
	moat_policy_free(p);

	/* A clone3-only flag (CLONE_INTO_CGROUP): clone cannot stand in. */
	value(r, "clone3", 0, 0x200000000ull);
	assert_int_equal(moat_policy_from_recording(r, &o, &p, NULL), 0);
	assert_int_equal(rules_of(p, "clone3", v, 4), 1);
	assert_int_equal(v[0]->action.kind, MOAT_ACT_ALLOW);
	assert_int_equal(rules_of(p, "clone", v, 4), 0);
	moat_policy_free(p);

	o.keep_clone3 = true;
	moat_recording_free(r);
	r = moat_recording_new();
	count(r, X64, "clone3", 1);
	assert_int_equal(moat_policy_from_recording(r, &o, &p, NULL), 0);
	assert_int_equal(rules_of(p, "clone3", v, 4), 1);
	assert_int_equal(v[0]->action.kind, MOAT_ACT_ALLOW);
	moat_policy_free(p);
	moat_recording_free(r);
}

static void test_generate_args(void **state)
{
	struct moat_recording *r = moat_recording_new();
	struct moat_generate_opts o = { .args = true };
	const struct moat_rule *v[4];
	struct moat_policy *p;

	count(r, X64, "socket", 3);
	value(r, "socket", 0, AF_UNIX);
	value(r, "socket", 0, AF_INET6);
	value(r, "socket", 1, SOCK_STREAM);
	count(r, X64, "mprotect", 2);
	value(r, "mprotect", 2, PROT_READ);
	value(r, "mprotect", 2, PROT_READ | PROT_WRITE);
	count(r, X64, "mmap", 2);
	value(r, "mmap", 2, PROT_READ | PROT_EXEC);
	count(r, X64, "openat", 4);
	value(r, "openat", 2, O_RDONLY | O_CLOEXEC);
	value(r, "openat", 2, O_RDONLY | O_DIRECTORY);
	value(r, "openat", 2, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC);
	count(r, X64, "futex", 9);
	value(r, "futex", 1, 128);
	count(r, X64, "setsockopt", 1);
	value(r, "setsockopt", 1, SOL_SOCKET);
	value(r, "setsockopt", 2, SO_REUSEADDR);
	assert_int_equal(moat_policy_from_recording(r, &o, &p, NULL), 0);

	assert_int_equal(rules_of(p, "socket", v, 4), 1);
	assert_int_equal(v[0]->ncmps, 1);
	assert_int_equal(v[0]->cmps[0].arg, 0);
	assert_int_equal(v[0]->cmps[0].op, MOAT_OP_IN);
	assert_int_equal(v[0]->cmps[0].nset, 2);
	assert_int_equal(v[0]->cmps[0].set[0], AF_UNIX);
	assert_int_equal(v[0]->cmps[0].set[1], AF_INET6);

	/* Never PROT_EXEC: forbidden; PROT_EXEC seen: no condition. */
	assert_int_equal(rules_of(p, "mprotect", v, 4), 1);
	assert_int_equal(v[0]->ncmps, 1);
	assert_int_equal(v[0]->cmps[0].op, MOAT_OP_MASKED_EQ);
	assert_int_equal(v[0]->cmps[0].mask, PROT_EXEC);
	assert_int_equal(v[0]->cmps[0].value, 0);
	assert_int_equal(rules_of(p, "mmap", v, 4), 1);
	assert_int_equal(v[0]->ncmps, 0);

	/* One rule per access-mode/O_CREAT/O_TRUNC combination. */
	assert_int_equal(rules_of(p, "openat", v, 4), 2);
	assert_int_equal(v[0]->cmps[0].op, MOAT_OP_MASKED_EQ);
	assert_int_equal(v[0]->cmps[0].mask, O_ACCMODE | O_CREAT | O_TRUNC);
	assert_int_equal(v[0]->cmps[0].value, O_RDONLY);
	assert_int_equal(v[1]->cmps[0].value, O_WRONLY | O_CREAT | O_TRUNC);
	assert_string_equal(v[0]->comment, "4 calls");

	assert_int_equal(rules_of(p, "futex", v, 4), 1);
	assert_int_equal(v[0]->ncmps, 0);
	assert_int_equal(rules_of(p, "setsockopt", v, 4), 1);
	assert_int_equal(v[0]->ncmps, 2);
	assert_int_equal(v[0]->cmps[0].arg, 1);
	assert_int_equal(v[0]->cmps[1].arg, 2);
	moat_policy_free(p);
	moat_recording_free(r);
}

static void test_generate_lost_values_no_args(void **state)
{
	struct moat_recording *r = moat_recording_new();
	struct moat_generate_opts o = { .args = true };
	struct moat_diags d;
	struct moat_policy *p;

	moat_diags_init(&d);
	count(r, X64, "socket", 1);
	value(r, "socket", 0, AF_UNIX);
	r->losses.values_full = 1;
	assert_int_equal(moat_policy_from_recording(r, &o, &p, &d), 0);
	assert_int_equal(p->nrules, 2);
	assert_string_equal(p->rules[1].syscall, "socket");
	assert_int_equal(p->rules[1].ncmps, 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].level, MOAT_DIAG_WARNING);
	assert_non_null(strstr(d.v[0].msg, "lost"));
	moat_policy_free(p);
	moat_recording_free(r);
	moat_diags_free(&d);
}

static void test_union(void **state)
{
	struct moat_recording *r1 = moat_recording_new(), *r2 = moat_recording_new();
	struct moat_generate_opts o = { .args = true };
	struct moat_policy *a, *b;
	const struct moat_rule *v[4];

	count(r1, X64, "read", 2);
	count(r1, X64, "socket", 1);
	value(r1, "socket", 0, AF_UNIX);
	count(r1, X64, "prctl", 1);
	value(r1, "prctl", 0, 3);
	count(r2, X64, "write", 3);
	count(r2, X64, "read", 5);
	count(r2, X64, "socket", 1);
	value(r2, "socket", 0, AF_INET);
	count(r2, X64, "prctl", 1);
	assert_int_equal(moat_policy_from_recording(r1, &o, &a, NULL), 0);
	o.args = false; /* prctl unconditional in the second recording */
	assert_int_equal(moat_policy_from_recording(r2, &o, &b, NULL), 0);
	assert_int_equal(moat_policy_union(a, b), 0);

	assert_int_equal(rules_of(a, "read", v, 4), 1);
	assert_string_equal(v[0]->comment, "7 calls");
	assert_int_equal(freq_of(a, "read"), 7);
	assert_int_equal(rules_of(a, "write", v, 4), 1);
	/* Unconditional in one recording: unconditional in the union. */
	assert_int_equal(rules_of(a, "prctl", v, 4), 1);
	assert_int_equal(v[0]->ncmps, 0);
	/* b's socket is unconditional (no --args): it wins too. */
	assert_int_equal(rules_of(a, "socket", v, 4), 1);
	assert_int_equal(v[0]->ncmps, 0);
	for (size_t i = 1; i < a->nrules; i++)
		assert_true(strcmp(a->rules[i - 1].syscall, a->rules[i].syscall) <= 0);
	for (size_t i = 1; i < a->nfreq; i++)
		assert_true(strcmp(a->freq[i - 1].syscall, a->freq[i].syscall) < 0);
	moat_policy_free(a);
	moat_policy_free(b);

	/* Both conditional: ORed, each kept once. */
	o.args = true;
	assert_int_equal(moat_policy_from_recording(r1, &o, &a, NULL), 0);
	assert_int_equal(moat_policy_from_recording(r2, &o, &b, NULL), 0);
	assert_int_equal(moat_policy_union(a, b), 0);
	assert_int_equal(moat_policy_union(a, b), 0);
	assert_int_equal(rules_of(a, "socket", v, 4), 2);
	assert_int_equal(v[0]->cmps[0].set[0], AF_UNIX);
	assert_int_equal(v[1]->cmps[0].set[0], AF_INET);
	assert_string_equal(v[0]->comment, "3 calls");
	assert_null(v[1]->comment);
	moat_policy_free(a);
	moat_policy_free(b);
	moat_recording_free(r1);
	moat_recording_free(r2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_sorted_unique),
		cmocka_unit_test(test_merge_recordings),
		cmocka_unit_test(test_argmask),
		cmocka_unit_test(test_generate_exact_sorted),
		cmocka_unit_test(test_generate_compat_kept_apart),
		cmocka_unit_test(test_generate_clone3_enosys),
		cmocka_unit_test(test_generate_args),
		cmocka_unit_test(test_generate_lost_values_no_args),
		cmocka_unit_test(test_union),
	};

	return MOAT_RUN_TESTS(tests);
}
