// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for what moat trace shows of bytes a traced program
 * controls: strings, argv lists, read/write data and socket addresses. Any
 * input must format without a crash or a read past its length, and every
 * JSON line must parse.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moat/decode.h"
#include "moat/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const calls[] = { "connect", "execve",     "write", "openat",
					     "bind",	"newfstatat", "statx", "accept4" };
	struct moat_trace_event ev = { 0 };
	char *copy, line[8192];
	size_t room;
	uint8_t sel;
	json_t *j;

	if (size < 2)
		return 0;
	sel = data[0];
	room = data[1];
	data += 2;
	size -= 2;
	/* An exact-size copy: ASan catches any read past the bytes given. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);

	/* The decoders alone, with every output size from 0 up. */
	moat_decode_sockaddr(copy, size, line, room);
	moat_decode_string(copy, size, line, room);
	moat_decode_stat(copy, size, sel & 1, line, room);

	ev.name = calls[sel % (sizeof(calls) / sizeof(calls[0]))];
	ev.sig = moat_syscall_sig(ev.name);
	ev.arch = moat_arch_native();
	ev.timed = sel & 0x10;
	ev.no_time = sel & 0x20;
	ev.ret = (sel & 0x40) ? -13 : 3;
	ev.str[0].arg = -1;
	ev.str[1].arg = -1;
	if (ev.sig && ev.sig->nargs > 1) {
		/* The bytes as the call's structure argument, else its second. */
		struct moat_trace_str *s = &ev.str[1];

		s->arg = 1;
		for (int i = 0; i < ev.sig->nargs; i++)
			if (ev.sig->args[i].kind == MOAT_ARG_STAT_OUT ||
			    ev.sig->args[i].kind == MOAT_ARG_STATX_OUT)
				s->arg = i;
		s->data = copy;
		s->len = size;
		s->truncated = sel & 0x80;
		s->list = !strcmp(ev.name, "execve");
		s->raw = !s->list && strcmp(ev.name, "openat");
		if (!s->raw && !s->list && s->len > 255)
			s->len = 255; /* a string is at most 255 bytes */
	}
	moat_trace_format(&ev, line, sizeof(line));
	moat_trace_format(&ev, line, room); /* cut short: snprintf semantics */
	moat_trace_format_json(&ev, line, sizeof(line));
	/* \u0000 is valid JSON; jansson wants to be told. */
	j = json_loads(line, JSON_ALLOW_NUL, NULL);
	if (!j) {
		fprintf(stderr, "JSON that does not parse: %s\n", line);
		abort();
	}
	json_decref(j);
	free(copy);
	return 0;
}
