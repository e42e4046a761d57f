// SPDX-License-Identifier: MIT
/*
 * `moat trace --summary`: the events of a trace counted per syscall in user
 * space, printed when tracing stops, as strace -c -f does (calls, errors,
 * time in the calls, time per call).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/trace_summary.h"
#include "moat/syscalls.h"

/* Keys are (ABI, number): a few hundred at most, so a fixed table never fills. */
#define NSLOTS 4096

struct row {
	uint64_t key; /* arch << 32 | nr, + 1 (0: free) */
	char name[48];
	uint64_t calls, errors, timed, ns;
};

struct trace_summary {
	struct row *rows;
	size_t n;
	bool any_timed;
};

struct trace_summary *trace_summary_new(void)
{
	struct trace_summary *s = calloc(1, sizeof(*s));

	if (s && !(s->rows = calloc(NSLOTS, sizeof(*s->rows)))) {
		free(s);
		s = NULL;
	}
	return s;
}

void trace_summary_free(struct trace_summary *s)
{
	if (!s)
		return;
	free(s->rows);
	free(s);
}

int trace_summary_add(struct trace_summary *s, const struct moat_trace_event *ev)
{
	uint64_t key = ((uint64_t)ev->arch << 32 | ev->nr) + 1;
	size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 52) & (NSLOTS - 1);
	struct row *r;

	while (s->rows[i].key && s->rows[i].key != key)
		i = (i + 1) & (NSLOTS - 1);
	r = &s->rows[i];
	if (!r->key) {
		if (s->n + 1 >= NSLOTS)
			return -ENOMEM; /* cannot happen: fewer keys than slots */
		r->key = key;
		/* As the lines name it: an int 0x80 call is marked. */
		if (ev->arch != moat_arch_native())
			snprintf(r->name, sizeof(r->name), "%s[%s]", ev->name,
				 moat_arch_name(ev->arch));
		else
			snprintf(r->name, sizeof(r->name), "%s", ev->name);
		s->n++;
	}
	r->calls++;
	if (!ev->noreturn && ev->ret < 0 && ev->ret >= -4095)
		r->errors++;
	if (ev->timed) {
		r->timed++;
		r->ns += ev->dur_ns;
		s->any_timed = true;
	}
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns > y->ns ? -1 : 1;
	if (x->calls != y->calls)
		return x->calls > y->calls ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int print_json(const struct row *rows, size_t n, const struct row *total, FILE *f,
		      uint64_t lost, bool timed)
{
	json_t *o = json_object(), *a = json_array();
	int err = 0;

	if (!o || !a) {
		json_decref(o);
		json_decref(a);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n && !err; i++) {
		json_t *r =
			json_pack("{sssIsI}", "syscall", rows[i].name, "calls",
				  (json_int_t)rows[i].calls, "errors", (json_int_t)rows[i].errors);

		if (r && timed) {
			json_object_set_new(r, "timed", json_integer((json_int_t)rows[i].timed));
			json_object_set_new(r, "total_ns", json_integer((json_int_t)rows[i].ns));
		}
		if (!r || json_array_append_new(a, r))
			err = -ENOMEM;
	}
	json_object_set_new(o, "syscalls", a);
	json_object_set_new(o, "calls", json_integer((json_int_t)total->calls));
	json_object_set_new(o, "errors", json_integer((json_int_t)total->errors));
	if (timed)
		json_object_set_new(o, "total_ns", json_integer((json_int_t)total->ns));
	json_object_set_new(o, "lost", json_integer((json_int_t)lost));
	if (!err && (json_dumpf(o, f, JSON_COMPACT) || fputc('\n', f) == EOF))
		err = -EIO;
	json_decref(o);
	return err;
}

int trace_summary_print(struct trace_summary *s, FILE *f, bool json, uint64_t lost)
{
	static const char rule[] =
		"------ ----------- ----------- --------- --------- ----------------\n";
	struct row *rows = malloc((s->n ? s->n : 1) * sizeof(*rows)), total = { 0 };
	size_t n = 0;
	int err = 0;

	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < NSLOTS; i++)
		if (s->rows[i].key)
			rows[n++] = s->rows[i];
	qsort(rows, n, sizeof(*rows), by_time);
	for (size_t i = 0; i < n; i++) {
		total.calls += rows[i].calls;
		total.errors += rows[i].errors;
		total.timed += rows[i].timed;
		total.ns += rows[i].ns;
	}
	if (json) {
		err = print_json(rows, n, &total, f, lost, s->any_timed);
		free(rows);
		return err;
	}
	fprintf(f, "%% time     seconds  usecs/call     calls    errors syscall\n%s", rule);
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		char errs[24] = ""; /* blank for none, as strace */

		if (r->errors)
			snprintf(errs, sizeof(errs), "%llu", (unsigned long long)r->errors);
		if (s->any_timed)
			fprintf(f, "%6.2f %11.6f %11llu", total.ns ? 100.0 * r->ns / total.ns : 0.0,
				r->ns / 1e9,
				(unsigned long long)(r->timed ? r->ns / r->timed / 1000 : 0));
		else
			fprintf(f, "%6s %11s %11s", "-", "-", "-"); /* --no-durations, --no-time */
		fprintf(f, " %9llu %9s %s\n", (unsigned long long)r->calls, errs, r->name);
	}
	fputs(rule, f);
	if (s->any_timed)
		fprintf(f, "100.00 %11.6f %11llu", total.ns / 1e9,
			(unsigned long long)(total.timed ? total.ns / total.timed / 1000 : 0));
	else
		fprintf(f, "%6s %11s %11s", "-", "-", "-");
	fprintf(f, " %9llu %9llu total\n", (unsigned long long)total.calls,
		(unsigned long long)total.errors);
	if (lost)
		fprintf(f, "(%llu events lost: not counted above)\n", (unsigned long long)lost);
	free(rows);
	return ferror(f) ? -EIO : err;
}
