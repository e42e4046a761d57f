// SPDX-License-Identifier: MIT
/*
 * Text and JSON forms of a `moat trace` event. Hand-rolled appends instead of
 * one snprintf per field: the formatter runs once per event, up to millions
 * of times a second.
 */
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>

#include "moat/decode.h"
#include "moat/trace.h"

struct out {
	char *buf;
	size_t size;
	size_t len; /* length needed so far (may exceed size) */
};

static void put_mem(struct out *o, const char *s, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - o->len;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void put_str(struct out *o, const char *s)
{
	put_mem(o, s, strlen(s));
}

static void put_char(struct out *o, char c)
{
	if (o->len < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_u64(struct out *o, uint64_t v)
{
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put_mem(o, tmp + i, sizeof(tmp) - i);
}

static void put_s64(struct out *o, int64_t v)
{
	if (v < 0) {
		put_char(o, '-');
		put_u64(o, -(uint64_t)v);
	} else {
		put_u64(o, (uint64_t)v);
	}
}

static void put_hex(struct out *o, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[18];
	int i = sizeof(tmp);

	do {
		tmp[--i] = digits[v & 15];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	put_mem(o, tmp + i, sizeof(tmp) - i);
}

/* N decimal digits, zero-padded. */
static void put_fixed(struct out *o, uint64_t v, int n)
{
	char tmp[20];

	for (int i = n - 1; i >= 0; i--) {
		tmp[i] = (char)('0' + v % 10);
		v /= 10;
	}
	put_mem(o, tmp, (size_t)n);
}

static int finish(struct out *o)
{
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = 0;
	return (int)o->len;
}

/* "HH:MM:SS.uuuuuu" local time; localtime_r only when the second changes. */
static void put_time(struct out *o, uint64_t ts_ns)
{
	static __thread time_t cached_sec = -1;
	static __thread char cached[9];
	time_t sec = (time_t)(ts_ns / 1000000000);

	if (sec != cached_sec) {
		struct tm tm;

		localtime_r(&sec, &tm);
		strftime(cached, sizeof(cached), "%H:%M:%S", &tm);
		cached_sec = sec;
	}
	put_mem(o, cached, 8);
	put_char(o, '.');
	put_fixed(o, ts_ns % 1000000000 / 1000, 6);
}

static const struct moat_trace_str *str_of(const struct moat_trace_event *ev, int arg)
{
	for (int i = 0; i < MOAT_TRACE_NSTR; i++)
		if (ev->str[i].arg == arg)
			return &ev->str[i];
	return NULL;
}

/* A C-style quoted string, as strace shows it ("..." after one cut short). */
static void put_cstring(struct out *o, const struct moat_trace_str *s)
{
	/* At most 255 bytes, 4 per escaped byte, quotes and NUL. */
	char tmp[4 * 256 + 8];
	int n = moat_decode_string(s->data, s->len, tmp, sizeof(tmp));

	put_mem(o, tmp, n < (int)sizeof(tmp) ? (size_t)n : strlen(tmp));
	if (s->truncated)
		put_str(o, "...");
}

/*
 * Calls F(O, ELEMENT, LAST) for each element of list S (execve's argv);
 * an element cut short has no NUL and is the last.
 */
static void for_each_element(struct out *o, const struct moat_trace_str *s,
			     void (*f)(struct out *o, const struct moat_trace_str *e, bool first))
{
	size_t at = 0;

	while (at < s->len) {
		const char *p = s->data + at, *nul = memchr(p, 0, s->len - at);
		struct moat_trace_str e = { .arg = s->arg, .data = p };

		e.len = nul ? (size_t)(nul - p) : s->len - at;
		e.truncated = !nul;
		f(o, &e, at == 0);
		at += e.len + 1;
	}
}

static void put_text_element(struct out *o, const struct moat_trace_str *e, bool first)
{
	if (!first)
		put_str(o, ", ");
	put_cstring(o, e);
}

/* As strace shows argv: ["ls", "-l"], with ", ..." when elements were left out. */
static void put_list(struct out *o, const struct moat_trace_str *s)
{
	put_char(o, '[');
	for_each_element(o, s, put_text_element);
	/* Cut inside the last element: put_cstring said so; else elements are missing. */
	if (s->truncated && (!s->len || !s->data[s->len - 1]))
		put_str(o, s->len ? ", ..." : "...");
	put_char(o, ']');
}

static int nargs_of(const struct moat_trace_event *ev)
{
	return ev->sig ? ev->sig->nargs : 6;
}

/* One argument decoded by its signature (flags and constants by name). */
static void put_decoded(struct out *o, const struct moat_trace_event *ev, int i)
{
	char tmp[512];
	int n;

	if (!ev->sig) {
		put_hex(o, ev->args[i]);
		return;
	}
	n = moat_decode_call_arg(ev->sig, ev->args, i, tmp, sizeof(tmp));
	put_mem(o, tmp, n < (int)sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* The kind of argument S (raw bytes) is: a structure moat decodes, or data. */
static int raw_kind(const struct moat_trace_event *ev, const struct moat_trace_str *s)
{
	if (!s || !s->raw || s->fault || !ev->sig || s->arg < 0 || s->arg >= 6)
		return MOAT_ARG_NONE;
	return ev->sig->args[s->arg].kind;
}

static bool is_sockaddr(const struct moat_trace_event *ev, const struct moat_trace_str *s)
{
	return raw_kind(ev, s) == MOAT_ARG_SOCKADDR || raw_kind(ev, s) == MOAT_ARG_SOCKADDR_OUT;
}

static bool is_stat(const struct moat_trace_event *ev, const struct moat_trace_str *s)
{
	return raw_kind(ev, s) == MOAT_ARG_STAT_OUT || raw_kind(ev, s) == MOAT_ARG_STATX_OUT;
}

static void put_arg(struct out *o, const struct moat_trace_event *ev, int i)
{
	const struct moat_trace_str *s = str_of(ev, i);
	char tmp[512];
	int n;

	if (is_sockaddr(ev, s) || is_stat(ev, s)) {
		/* Too short for what it is: the pointer, as when unread. */
		n = is_stat(ev, s) ? moat_decode_stat(s->data, s->len,
						      raw_kind(ev, s) == MOAT_ARG_STATX_OUT, tmp,
						      sizeof(tmp))
				   : moat_decode_sockaddr(s->data, s->len, tmp, sizeof(tmp));
		if (n >= 0) {
			put_mem(o, tmp, n < (int)sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
			return;
		}
		put_decoded(o, ev, i);
	} else if (s && !s->fault) {
		s->list ? put_list(o, s) : put_cstring(o, s);
	} else {
		put_decoded(o, ev, i);
	}
}

/* Return values that are addresses (mmap and friends) read better in hex. */
static bool ret_is_address(int64_t ret)
{
	return ret >= 0x10000000;
}

/* TS_NS UINT64_MAX: no time (moat trace --no-time), the line starts with the pid. */
static void put_task(struct out *o, uint64_t ts_ns, uint32_t pid, uint32_t tid, const char *comm)
{
	if (ts_ns != UINT64_MAX) {
		put_time(o, ts_ns);
		put_char(o, ' ');
	}
	put_u64(o, pid);
	put_char(o, '/');
	put_u64(o, tid);
	put_char(o, ' ');
	put_str(o, comm);
}

int moat_trace_format(const struct moat_trace_event *ev, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	/* As strace: only the arguments the call uses (open's mode with O_CREAT). */
	int n = ev->sig ? moat_call_nargs(ev->sig, ev->args) : 6;

	put_task(&o, ev->no_time ? UINT64_MAX : ev->ts_ns, ev->pid, ev->tid, ev->comm);
	put_char(&o, ' ');
	put_str(&o, ev->name);
	/* As moat run names them: an int 0x80 call is not the native call of that number. */
	if (ev->arch != moat_arch_native()) {
		put_char(&o, '[');
		put_str(&o, moat_arch_name(ev->arch));
		put_char(&o, ']');
	}
	put_char(&o, '(');
	for (int i = 0; i < n; i++) {
		if (i)
			put_str(&o, ", ");
		put_arg(&o, ev, i);
	}
	put_str(&o, ") = ");
	if (ev->noreturn) {
		put_char(&o, '?');
		return finish(&o);
	}
	if (ev->ret < 0 && ev->ret >= -4095) {
		const char *name = moat_errno_name((int)-ev->ret);

		put_str(&o, "-1 ");
		if (name) {
			put_str(&o, name);
			put_str(&o, " (");
			put_str(&o, strerror((int)-ev->ret));
			put_char(&o, ')');
		} else {
			put_str(&o, "errno ");
			put_s64(&o, -ev->ret);
		}
	} else if (ret_is_address(ev->ret)) {
		put_hex(&o, (uint64_t)ev->ret);
	} else {
		put_s64(&o, ev->ret);
	}
	if (ev->timed) {
		put_str(&o, " <");
		put_u64(&o, ev->dur_ns / 1000000000);
		put_char(&o, '.');
		put_fixed(&o, ev->dur_ns % 1000000000 / 1000, 6);
		put_char(&o, '>');
	}
	return finish(&o);
}

/* A JSON string: escapes what JSON requires, replaces bytes that are not UTF-8. */
static void put_json_string(struct out *o, const char *s, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;

	put_char(o, '"');
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t len = 1;

		if (c == '"' || c == '\\') {
			put_char(o, '\\');
			put_char(o, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			put_str(o, "\\u00");
			put_char(o, digits[c >> 4]);
			put_char(o, digits[c & 15]);
		} else if (c < 0x80) {
			put_char(o, (char)c);
		} else {
			/* Lead byte and continuation bytes of one well-formed sequence. */
			if (c >= 0xc2 && c <= 0xdf)
				len = 2;
			else if (c >= 0xe0 && c <= 0xef)
				len = 3;
			else if (c >= 0xf0 && c <= 0xf4)
				len = 4;
			else
				len = 0;
			for (size_t k = 1; len && k < len; k++)
				if (i + k >= n || (p[i + k] & 0xc0) != 0x80)
					len = 0;
			/* Overlong 3/4-byte forms, surrogates and > U+10FFFF. */
			if (len == 3 &&
			    ((c == 0xe0 && p[i + 1] < 0xa0) || (c == 0xed && p[i + 1] >= 0xa0)))
				len = 0;
			if (len == 4 &&
			    ((c == 0xf0 && p[i + 1] < 0x90) || (c == 0xf4 && p[i + 1] >= 0x90)))
				len = 0;
			if (len) {
				put_mem(o, s + i, len);
			} else {
				put_str(o, "\\ufffd");
				len = 1;
			}
		}
		i += len;
	}
	put_char(o, '"');
}

/* "sockaddr":{"family":"AF_INET","addr":"1.2.3.4","port":80}, or {"path":...} for AF_UNIX. */
static void put_json_sockaddr(struct out *o, const struct moat_trace_str *s)
{
	struct moat_sockaddr sa;

	if (moat_sockaddr_parse(s->data, s->len, &sa))
		return;
	put_str(o, ",\"sockaddr\":{\"family\":");
	if (sa.family_name) {
		put_json_string(o, sa.family_name, strlen(sa.family_name));
	} else {
		put_u64(o, (uint64_t)sa.family);
	}
	if (sa.port >= 0) {
		put_str(o, ",\"addr\":");
		put_json_string(o, sa.addr, strlen(sa.addr));
		put_str(o, ",\"port\":");
		put_u64(o, (uint64_t)sa.port);
	} else if (sa.family == AF_UNIX && !sa.unnamed) {
		/* An abstract name: '@' first, as ss and strace show it. */
		char path[sizeof(sa.path) + 1];
		size_t n = 0;

		if (sa.abstract)
			path[n++] = '@';
		memcpy(path + n, sa.path, sa.path_len);
		put_str(o, ",\"path\":");
		put_json_string(o, path, n + sa.path_len);
	}
	put_char(o, '}');
}

/* "stat":{"mode":"S_IFREG|0644","size":42107}, rdev_major/minor for devices. */
static void put_json_stat(struct out *o, const struct moat_trace_str *s, bool statx)
{
	struct moat_stat st;
	char mode[48];

	if (moat_stat_parse(s->data, s->len, statx, &st))
		return;
	moat_decode_file_mode(st.mode, mode, sizeof(mode));
	put_str(o, ",\"stat\":{\"mode\":");
	put_json_string(o, mode, strlen(mode));
	/* off_t: signed, so that every JSON reader takes it as a 64-bit integer. */
	put_str(o, ",\"size\":");
	put_s64(o, (int64_t)st.size);
	if (S_ISCHR(st.mode) || S_ISBLK(st.mode)) {
		put_str(o, ",\"rdev_major\":");
		put_u64(o, st.rdev_major);
		put_str(o, ",\"rdev_minor\":");
		put_u64(o, st.rdev_minor);
	}
	put_char(o, '}');
}

static void put_json_element(struct out *o, const struct moat_trace_str *e, bool first)
{
	if (!first)
		put_char(o, ',');
	put_json_string(o, e->data, e->len);
}

int moat_trace_format_json(const struct moat_trace_event *ev, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	int n = nargs_of(ev);

	/* --no-time: the order, not a time. */
	put_str(&o, ev->no_time ? "{\"seq\":" : "{\"ts_ns\":");
	put_u64(&o, ev->no_time ? ev->seq : ev->ts_ns);
	put_str(&o, ",\"pid\":");
	put_u64(&o, ev->pid);
	put_str(&o, ",\"tid\":");
	put_u64(&o, ev->tid);
	put_str(&o, ",\"comm\":");
	put_json_string(&o, ev->comm, strlen(ev->comm));
	put_str(&o, ",\"syscall\":");
	put_json_string(&o, ev->name, strlen(ev->name));
	put_str(&o, ",\"nr\":");
	put_u64(&o, ev->nr);
	put_str(&o, ",\"arch\":\"");
	put_str(&o, moat_arch_name(ev->arch));
	put_str(&o, "\",\"args\":[");
	for (int i = 0; i < n; i++) {
		const struct moat_trace_str *s = str_of(ev, i);

		if (i)
			put_char(&o, ',');
		if (s && !s->fault && !s->list && !s->raw) {
			put_json_string(&o, s->data, s->len);
		} else {
			/* The decoded words are ASCII (names, numbers): no escaping needed. */
			put_char(&o, '"');
			put_decoded(&o, ev, i);
			put_char(&o, '"');
		}
	}
	put_char(&o, ']');
	for (int i = 0; i < MOAT_TRACE_NSTR; i++) {
		const struct moat_trace_str *s = &ev->str[i];

		if (s->arg < 0 || s->fault)
			continue;
		if (is_sockaddr(ev, s)) {
			put_json_sockaddr(&o, s);
			continue;
		}
		if (is_stat(ev, s)) {
			put_json_stat(&o, s, raw_kind(ev, s) == MOAT_ARG_STATX_OUT);
			continue;
		}
		/* Raw bytes (read/write data) in hex: JSON strings cannot carry any byte. */
		if (s->raw) {
			static const char hex[] = "0123456789abcdef";

			put_str(&o, ",\"data_hex\":\"");
			for (size_t k = 0; k < s->len; k++) {
				put_char(&o, hex[(unsigned char)s->data[k] >> 4]);
				put_char(&o, hex[(unsigned char)s->data[k] & 15]);
			}
			put_char(&o, '"');
			if (s->truncated)
				put_str(&o, ",\"data_truncated\":true");
			continue;
		}
		/* A list (execve's argv) beside args, which stay strings: the pointer there. */
		if (!s->list)
			continue;
		put_str(&o, ",\"argv\":[");
		for_each_element(&o, s, put_json_element);
		put_char(&o, ']');
		if (s->truncated)
			put_str(&o, ",\"argv_truncated\":true");
	}
	if (!ev->noreturn) {
		put_str(&o, ",\"ret\":");
		put_s64(&o, ev->ret);
		if (ev->ret < 0 && ev->ret >= -4095) {
			const char *name = moat_errno_name((int)-ev->ret);

			put_str(&o, ",\"errno\":");
			if (name)
				put_json_string(&o, name, strlen(name));
			else
				put_s64(&o, -ev->ret);
		}
		if (ev->timed) {
			put_str(&o, ",\"dur_ns\":");
			put_u64(&o, ev->dur_ns);
		}
	}
	put_char(&o, '}');
	return finish(&o);
}

int moat_seccomp_format(const struct moat_seccomp_event *ev, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };

	put_task(&o, ev->ts_ns, ev->pid, ev->tid, ev->comm);
	put_str(&o, ev->kind == MOAT_SECCOMP_TRAP ? " seccomp TRAP " : " seccomp KILL ");
	put_str(&o, ev->name);
	put_str(&o, " (");
	put_str(&o, moat_arch_name(ev->arch));
	put_str(&o, " nr ");
	put_u64(&o, ev->nr);
	put_str(&o, ")");
	if (ev->kind == MOAT_SECCOMP_TRAP) {
		put_str(&o, ": SIGSYS sent, data ");
		put_u64(&o, ev->ret_data);
	} else {
		put_str(&o, ev->process_died ? ": process killed" : ": thread killed");
		put_str(&o, ev->via_signal ? " (SIGSYS, core dump)" : " (exit without signal)");
	}
	return finish(&o);
}

int moat_seccomp_format_json(const struct moat_seccomp_event *ev, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };

	put_str(&o, "{\"ts_ns\":");
	put_u64(&o, ev->ts_ns);
	put_str(&o, ",\"pid\":");
	put_u64(&o, ev->pid);
	put_str(&o, ",\"tid\":");
	put_u64(&o, ev->tid);
	put_str(&o, ",\"comm\":");
	put_json_string(&o, ev->comm, strlen(ev->comm));
	put_str(&o,
		ev->kind == MOAT_SECCOMP_TRAP ? ",\"action\":\"trap\"" : ",\"action\":\"kill\"");
	put_str(&o, ",\"syscall\":");
	put_json_string(&o, ev->name, strlen(ev->name));
	put_str(&o, ",\"nr\":");
	put_u64(&o, ev->nr);
	put_str(&o, ",\"arch\":\"");
	put_str(&o, moat_arch_name(ev->arch));
	put_str(&o, "\",\"ret_data\":");
	put_u64(&o, ev->ret_data);
	if (ev->kind == MOAT_SECCOMP_KILL) {
		put_str(&o, ev->via_signal ? ",\"via\":\"signal\"" : ",\"via\":\"exit\"");
		put_str(&o,
			ev->process_died ? ",\"process_died\":true" : ",\"process_died\":false");
	}
	put_char(&o, '}');
	return finish(&o);
}
