// SPDX-License-Identifier: MIT
/* Syscall tables: lookups both ways, per arch, and syscall_NNN. */
#include <errno.h>
#include <string.h>

#include "moat/syscalls.h"
#include "testutil.h"

static void test_known_numbers(void **state)
{
	/* Facts from the kernel's syscall tables. */
	assert_int_equal(moat_syscall_nr(MOAT_ARCH_X86_64, "read"), 0);
	assert_int_equal(moat_syscall_nr(MOAT_ARCH_X86_64, "getppid"), 110);
	assert_int_equal(moat_syscall_nr(MOAT_ARCH_X86_64, "clone3"), 435);
	assert_int_equal(moat_syscall_nr(MOAT_ARCH_I386, "getppid"), 64);
	assert_int_equal(moat_syscall_nr(MOAT_ARCH_I386, "socketcall"), 102);
	assert_int_equal(moat_syscall_nr(MOAT_ARCH_X32, "read"), 0x40000000);
	assert_int_equal(moat_syscall_nr(MOAT_ARCH_AARCH64, "openat"), 56);
	assert_int_equal(moat_syscall_nr(MOAT_ARCH_AARCH64, "open"), -ENOENT);
	assert_int_equal(moat_syscall_nr(MOAT_ARCH_X86_64, "no_such_call"), -ENOENT);
}

static void test_names(void **state)
{
	assert_string_equal(moat_syscall_name(MOAT_ARCH_X86_64, 59), "execve");
	assert_string_equal(moat_syscall_name(MOAT_ARCH_I386, 11), "execve");
	assert_null(moat_syscall_name(MOAT_ARCH_X86_64, 100000));
}

static void test_round_trip_every_entry(void **state)
{
	for (int a = 0; a < MOAT_ARCH__COUNT; a++) {
		size_t n = moat_syscall_count(a);
		uint32_t prev = 0;

		assert_true(n > 300);
		for (size_t i = 0; i < n; i++) {
			const char *name;
			uint32_t nr;

			assert_int_equal(moat_syscall_at(a, i, &name, &nr), 0);
			assert_true(i == 0 || nr > prev);
			prev = nr;
			assert_int_equal(moat_syscall_nr(a, name), nr);
			assert_string_equal(moat_syscall_name(a, nr), name);
			assert_true(moat_syscall_known_anywhere(name));
		}
		assert_int_equal(moat_syscall_max(a), prev);
	}
}

static void test_unnamed_numbers(void **state)
{
	char buf[32];
	uint32_t nr;

	moat_syscall_format(MOAT_ARCH_X86_64, 999, buf, sizeof(buf));
	assert_string_equal(buf, "syscall_999");
	assert_int_equal(moat_syscall_parse(MOAT_ARCH_X86_64, "syscall_999", &nr), 0);
	assert_int_equal(nr, 999);
	assert_int_equal(moat_syscall_parse(MOAT_ARCH_X86_64, "syscall_", &nr), -EINVAL);
	assert_int_equal(moat_syscall_parse(MOAT_ARCH_X86_64, "syscall_1x", &nr), -EINVAL);
	assert_int_equal(moat_syscall_parse(MOAT_ARCH_X86_64, "nope", &nr), -ENOENT);
	assert_int_equal(moat_syscall_parse(MOAT_ARCH_X86_64, "openat", &nr), 0);
	assert_int_equal(nr, 257);
}

static void test_arches(void **state)
{
	enum moat_arch a;

	assert_int_equal(moat_arch_parse("amd64", &a), 0);
	assert_int_equal(a, MOAT_ARCH_X86_64);
	assert_int_equal(moat_arch_parse("SCMP_ARCH_X86", &a), 0);
	assert_int_equal(a, MOAT_ARCH_I386);
	assert_int_equal(moat_arch_parse("arm64", &a), 0);
	assert_int_equal(a, MOAT_ARCH_AARCH64);
	assert_int_equal(moat_arch_parse("mips", &a), -EINVAL);
	assert_int_equal(moat_arch_audit(MOAT_ARCH_X32), moat_arch_audit(MOAT_ARCH_X86_64));
	assert_int_equal(moat_arch_audit(MOAT_ARCH_I386), 0x40000003);
	assert_false(moat_syscall_known_anywhere("not_a_syscall"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_numbers),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_round_trip_every_entry),
		cmocka_unit_test(test_unnamed_numbers),
		cmocka_unit_test(test_arches),
	};
	return MOAT_RUN_TESTS(tests);
}
