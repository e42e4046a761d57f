// SPDX-License-Identifier: MIT
/* moat_trace_format / _json and moat_seccomp_format / _json on fixed events. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "testutil.h"
#include "moat/trace.h"

/* 2026-01-02 03:04:05.678901234 UTC, shown in UTC (TZ set in main). */
#define TS 1767323045678901234ull

static struct moat_trace_event base_event(void)
{
	struct moat_trace_event ev = { 0 };

	ev.ts_ns = TS;
	ev.dur_ns = 1234567; /* 0.001234 s */
	ev.timed = true;
	ev.pid = 100;
	ev.tid = 101;
	ev.nr = 110;
	ev.arch = MOAT_ARCH_X86_64;
	ev.name = "getppid";
	strcpy(ev.comm, "app");
	ev.ret = 42;
	for (int i = 0; i < MOAT_TRACE_NSTR; i++)
		ev.str[i].arg = -1;
	return ev;
}

static void test_text_success(void **state)
{
	struct moat_trace_event ev = base_event();
	char buf[512];
	int n = moat_trace_format(&ev, buf, sizeof(buf));

	assert_int_equal(n, (int)strlen(buf));
	assert_true(strncmp(buf, "03:04:05.678901 100/101 app getppid(", 36) == 0);
	assert_non_null(strstr(buf, ") = 42 <0.001234>"));
	assert_string_equal(buf + strlen(buf) - strlen(" = 42 <0.001234>"), " = 42 <0.001234>");
}

static void test_text_error_and_noreturn(void **state)
{
	struct moat_trace_event ev = base_event();
	char buf[512];

	ev.ret = -2;
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, ") = -1 ENOENT (No such file or directory) <0.001234>"));
	ev.ret = -4095 - 1; /* not an errno: a plain negative number */
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, ") = -4096 <"));
	ev.timed = false; /* the line ends with the result */
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf + strlen(buf) - 9, ") = -4096");
	ev.arch = MOAT_ARCH_I386; /* an int 0x80 call is marked as moat run marks it */
	ev.name = "dup2";
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, " dup2[i386]("));
	ev.arch = MOAT_ARCH_X86_64;
	ev.noreturn = true;
	ev.name = "exit_group";
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf + strlen(buf) - 4, " = ?");
}

static void test_text_string_escaped(void **state)
{
	struct moat_trace_event ev = base_event();
	char buf[512];

	ev.name = "openat";
	ev.str[0] = (struct moat_trace_str){ .arg = 1, .data = "/tmp/a\"b\n\x01", .len = 10 };
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, "(0x0, \"/tmp/a\\\"b\\n\\001\", 0x0"));
	ev.str[0].truncated = true;
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"/tmp/a\\\"b\\n\\001\"..."));
	/* A string that could not be read shows as its address. */
	ev.args[1] = 0xdead;
	ev.str[0].fault = true;
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, "0xdead"));
	assert_null(strstr(buf, "/tmp/a"));
}

static void test_text_decoded_by_signature(void **state)
{
	struct moat_trace_event ev = base_event();
	char buf[512];

	ev.name = "openat";
	ev.sig = moat_syscall_sig("openat");
	assert_non_null(ev.sig);
	ev.args[0] = (uint64_t)-100;
	ev.args[1] = 0x7ffd0000;
	ev.args[2] = 02000000; /* O_CLOEXEC */
	ev.ret = 3;
	ev.str[0] = (struct moat_trace_str){ .arg = 1, .data = "/etc/passwd", .len = 11 };
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "03:04:05.678901 100/101 app openat(AT_FDCWD, \"/etc/passwd\", "
				 "O_RDONLY|O_CLOEXEC) = 3 <0.001234>");
	/* the mode only when the flags use it, as strace shows it */
	ev.args[2] = 0101; /* O_WRONLY|O_CREAT */
	ev.args[3] = 0640;
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"/etc/passwd\", O_WRONLY|O_CREAT, 0640) = 3 <"));
	ev.args[2] = 020200002; /* O_TMPFILE|O_RDWR */
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"/etc/passwd\", O_RDWR|O_TMPFILE, 0640) = 3 <"));
	ev.name = "getppid";
	ev.sig = moat_syscall_sig("getppid");
	ev.str[0].arg = -1;
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, " getppid() = 3 <"));
}

static void test_text_truncation_snprintf_semantics(void **state)
{
	struct moat_trace_event ev = base_event();
	char full[512], small[20];
	int n = moat_trace_format(&ev, full, sizeof(full));
	int m = moat_trace_format(&ev, small, sizeof(small));

	assert_int_equal(n, m);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, full, sizeof(small) - 1);
	assert_int_equal(moat_trace_format(&ev, NULL, 0), n);
}

static void test_json_parses_and_escapes(void **state)
{
	struct moat_trace_event ev = base_event();
	json_error_t jerr;
	json_t *o;
	char buf[1024];

	ev.name = "openat";
	ev.ret = -13;
	/* invalid UTF-8 (\xff, a lone continuation byte), valid 2-byte é, a control char */
	ev.str[0] = (struct moat_trace_str){ .arg = 1, .data = "a\xff\x80\xc3\xa9\t\"", .len = 7 };
	ev.args[0] = (uint64_t)-100;
	moat_trace_format_json(&ev, buf, sizeof(buf));
	o = json_loads(buf, 0, &jerr);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "pid")), 100);
	assert_int_equal(json_integer_value(json_object_get(o, "tid")), 101);
	assert_int_equal(json_integer_value(json_object_get(o, "ret")), -13);
	assert_string_equal(json_string_value(json_object_get(o, "errno")), "EACCES");
	assert_string_equal(json_string_value(json_object_get(o, "syscall")), "openat");
	assert_string_equal(json_string_value(json_object_get(o, "comm")), "app");
	assert_string_equal(json_string_value(json_object_get(o, "arch")), "x86_64");
	assert_int_equal(json_integer_value(json_object_get(o, "dur_ns")), 1234567);
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "args"), 1)),
			    "a\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9\t\"");
	json_decref(o);
	ev.noreturn = true;
	moat_trace_format_json(&ev, buf, sizeof(buf));
	o = json_loads(buf, 0, &jerr);
	assert_non_null(o);
	assert_null(json_object_get(o, "ret"));
	assert_null(json_object_get(o, "dur_ns"));
	json_decref(o);
	/* Untimed (--no-durations, or no entry seen): a result, no duration. */
	ev.noreturn = false;
	ev.timed = false;
	moat_trace_format_json(&ev, buf, sizeof(buf));
	o = json_loads(buf, 0, &jerr);
	assert_non_null(o);
	assert_non_null(json_object_get(o, "ret"));
	assert_null(json_object_get(o, "dur_ns"));
	json_decref(o);
}

/* execve's argv: a list of NUL-ended elements, shown as strace does. */
static void test_argv_list(void **state)
{
	struct moat_trace_event ev = base_event();
	json_error_t jerr;
	json_t *o, *argv;
	char buf[1024];

	ev.name = "execve";
	ev.ret = 0;
	ev.args[1] = 0x7ffd1000;
	ev.str[0] = (struct moat_trace_str){ .arg = 0, .data = "/bin/ls", .len = 7 };
	ev.str[1] = (struct moat_trace_str){ .arg = 1, .data = "ls\0-l\0", .len = 6, .list = true };
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, " execve(\"/bin/ls\", [\"ls\", \"-l\"], "));
	/* more elements than were read */
	ev.str[1].truncated = true;
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, "[\"ls\", \"-l\", ...], "));
	/* the last element cut short (no NUL): the dots go after its quote */
	ev.str[1].data = "ls\0abc";
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, "[\"ls\", \"abc\"...], "));
	/* an empty element and an empty list */
	ev.str[1] = (struct moat_trace_str){ .arg = 1, .data = "ls\0\0", .len = 4, .list = true };
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, "[\"ls\", \"\"], "));
	ev.str[1].len = 0;
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"/bin/ls\", [], "));
	/* a fault: the pointer, decoded */
	ev.str[1].fault = true;
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\"/bin/ls\", 0x7ffd1000, "));

	/* JSON: args stay strings (the pointer), the list beside them */
	ev.str[1] = (struct moat_trace_str){ .arg = 1, .data = "ls\0-l\0", .len = 6, .list = true };
	moat_trace_format_json(&ev, buf, sizeof(buf));
	o = json_loads(buf, 0, &jerr);
	assert_non_null(o);
	assert_true(json_is_string(json_array_get(json_object_get(o, "args"), 1)));
	argv = json_object_get(o, "argv");
	assert_int_equal(json_array_size(argv), 2);
	assert_string_equal(json_string_value(json_array_get(argv, 0)), "ls");
	assert_string_equal(json_string_value(json_array_get(argv, 1)), "-l");
	assert_null(json_object_get(o, "argv_truncated"));
	json_decref(o);
	ev.str[1].truncated = true;
	moat_trace_format_json(&ev, buf, sizeof(buf));
	o = json_loads(buf, 0, &jerr);
	assert_non_null(o);
	assert_true(json_is_true(json_object_get(o, "argv_truncated")));
	json_decref(o);
}

/* --no-time: no time column; JSON carries seq instead of ts_ns. */
static void test_no_time(void **state)
{
	struct moat_trace_event ev = base_event();
	json_error_t jerr;
	json_t *o;
	char buf[512];

	ev.sig = moat_syscall_sig("getppid");
	ev.no_time = true;
	ev.timed = false;
	ev.seq = 77;
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "100/101 app getppid() = 42");
	moat_trace_format_json(&ev, buf, sizeof(buf));
	o = json_loads(buf, 0, &jerr);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "seq")), 77);
	assert_null(json_object_get(o, "ts_ns"));
	assert_null(json_object_get(o, "dur_ns"));
	json_decref(o);
}

/* read/write data: raw bytes, escaped in text, hex in JSON. */
static void test_raw_data(void **state)
{
	struct moat_trace_event ev = base_event();
	json_error_t jerr;
	json_t *o;
	char buf[1024];

	ev.name = "write";
	ev.sig = moat_syscall_sig("write");
	ev.args[0] = 1;
	ev.args[1] = 0x1000;
	ev.args[2] = 40;
	ev.ret = 40;
	ev.str[1] = (struct moat_trace_str){ .arg = 1, .data = "a\0\xff\n", .len = 4, .raw = true };
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, " write(1, \"a\\000\\377\\n\", 40) = 40 <"));
	ev.str[1].truncated = true;
	moat_trace_format(&ev, buf, sizeof(buf));
	assert_non_null(strstr(buf, " write(1, \"a\\000\\377\\n\"..., 40) = 40 <"));
	moat_trace_format_json(&ev, buf, sizeof(buf));
	o = json_loads(buf, 0, &jerr);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "data_hex")), "6100ff0a");
	assert_true(json_is_true(json_object_get(o, "data_truncated")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "args"), 1)),
			    "0x1000");
	json_decref(o);
}

static void test_seccomp_formats(void **state)
{
	struct moat_seccomp_event ev = { 0 };
	json_error_t jerr;
	char buf[512];
	json_t *o;

	ev.ts_ns = TS;
	ev.pid = 7;
	ev.tid = 8;
	ev.nr = 101;
	ev.arch = MOAT_ARCH_X86_64;
	ev.name = "ptrace";
	ev.kind = MOAT_SECCOMP_KILL;
	ev.via_signal = false;
	ev.process_died = false;
	strcpy(ev.comm, "victim");
	moat_seccomp_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "03:04:05.678901 7/8 victim seccomp KILL ptrace (x86_64 nr 101): "
				 "thread killed (exit without signal)");
	moat_seccomp_format_json(&ev, buf, sizeof(buf));
	o = json_loads(buf, 0, &jerr);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "action")), "kill");
	assert_string_equal(json_string_value(json_object_get(o, "via")), "exit");
	assert_true(json_is_false(json_object_get(o, "process_died")));
	json_decref(o);
	ev.kind = MOAT_SECCOMP_TRAP;
	ev.ret_data = 42;
	moat_seccomp_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "03:04:05.678901 7/8 victim seccomp TRAP ptrace (x86_64 nr 101): "
				 "SIGSYS sent, data 42");
}

static void test_new_rejects_bad_options(void **state)
{
	struct moat_trace_opts o = { 0 };
	struct moat_trace_ops ops = { 0 };

	/* Checked before anything is loaded: no privilege needed to see these. */
	o.buffer_bytes = 5000; /* not a power of 2 */
	errno = 0;
	assert_null(moat_trace_new(&o, &ops));
	assert_int_equal(errno, EINVAL);
	o.buffer_bytes = 2048; /* below a page */
	assert_null(moat_trace_new(&o, &ops));
	assert_int_equal(errno, EINVAL);
	o.buffer_bytes = 8u << 20; /* above the 4 MiB a map value can hold */
	assert_null(moat_trace_new(&o, &ops));
	assert_int_equal(errno, EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_success),
		cmocka_unit_test(test_text_error_and_noreturn),
		cmocka_unit_test(test_text_string_escaped),
		cmocka_unit_test(test_text_decoded_by_signature),
		cmocka_unit_test(test_text_truncation_snprintf_semantics),
		cmocka_unit_test(test_json_parses_and_escapes),
		cmocka_unit_test(test_argv_list),
		cmocka_unit_test(test_raw_data),
		cmocka_unit_test(test_no_time),
		cmocka_unit_test(test_seccomp_formats),
		cmocka_unit_test(test_new_rejects_bad_options),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return MOAT_RUN_TESTS(tests);
}
