// SPDX-License-Identifier: MIT
/* moat top: per process and per syscall statistics kept in the kernel. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/trace_opts.h"
#include "moat/trace.h"

MOAT_CMD(top, "per process and per syscall counts, errors and latency (eBPF)");

const char help_top[] =
	"usage: moat top [-p PID | -c CGROUP | --comm NAME] [-e SYSCALL,...] [-i SECONDS]\n"
	"                [-n COUNT] [--json]\n\n"
	"Counts system calls per process and per syscall in the kernel (eBPF): calls,\n"
	"errors, total time and p50/p99 latency (log2 histograms, so within 2x).\n"
	"On a terminal the table refreshes every interval; otherwise one JSON\n"
	"document per interval is written (as with --json). Ctrl-C prints the last,\n"
	"partial interval and stops.\n\n"
	"  -p, --pid PID        only this process\n"
	"  -c, --cgroup CGROUP  only tasks of this cgroup v2 directory and below\n"
	"      --comm NAME      only tasks with this name\n"
	"  -e, --syscalls LIST  only these syscalls (comma-separated names)\n"
	"  -i, --interval SECS  seconds between refreshes (default 1, fractions allowed)\n"
	"  -n, --count N        stop after N intervals\n"
	"      --json           one JSON document per interval, even on a terminal\n\n"
	"Needs root (CAP_BPF and CAP_PERFMON).\n";

/* "1.23ms": 3 significant digits, fits in 8 columns. */
static const char *fmt_ns(uint64_t ns, char *buf, size_t size)
{
	static const char *const unit[] = { "ns", "us", "ms", "s" };
	double v = (double)ns;
	int u = 0;

	while (v >= 1000 && u < 3) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%.0f%s", v, unit[u]);
	else
		snprintf(buf, size, "%.*f%s", v < 10 ? 2 : v < 100 ? 1 : 0, v, unit[u]);
	return buf;
}

static void print_table(const struct moat_top_snapshot *s, bool clear)
{
	char t1[16], t2[16], t3[16], when[16];
	struct winsize ws = { 0 };
	int lines = 40, cols = 100, nproc, nrow;
	time_t sec = (time_t)(s->ts_ns / 1000000000);
	struct tm tm;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 8) {
		lines = ws.ws_row;
		cols = ws.ws_col;
	}
	localtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (clear)
		fputs("\033[H\033[J", stdout);
	printf("moat top  %s  interval %.2fs  %llu calls  %llu errors  %llu lost\n\n", when,
	       (double)s->interval_ns / 1e9, (unsigned long long)s->calls,
	       (unsigned long long)s->errors, (unsigned long long)s->lost);
	/* A third of the screen for processes, the rest for (process, syscall) rows. */
	nproc = (lines - 6) / 3;
	nrow = lines - 6 - nproc - 1;
	printf("%7s %-15s %10s %8s %8s %8s %8s\n", "PID", "COMM", "CALLS", "ERRORS", "TIME", "P50",
	       "P99");
	for (size_t i = 0; i < s->nprocs && (int)i < nproc; i++) {
		const struct moat_top_row *r = &s->procs[i];

		printf("%7u %-15s %10llu %8llu %8s %8s %8s\n", r->pid, r->comm,
		       (unsigned long long)r->calls, (unsigned long long)r->errors,
		       fmt_ns(r->total_ns, t1, sizeof(t1)), fmt_ns(r->p50_ns, t2, sizeof(t2)),
		       fmt_ns(r->p99_ns, t3, sizeof(t3)));
	}
	printf("\n%7s %-15s %-*s %10s %8s %8s %8s %8s\n", "PID", "COMM", cols > 110 ? 22 : 16,
	       "SYSCALL", "CALLS", "ERRORS", "TIME", "P50", "P99");
	for (size_t i = 0; i < s->nrows && (int)i < nrow; i++) {
		const struct moat_top_row *r = &s->rows[i];

		printf("%7u %-15s %-*s %10llu %8llu %8s %8s %8s\n", r->pid, r->comm,
		       cols > 110 ? 22 : 16, r->name, (unsigned long long)r->calls,
		       (unsigned long long)r->errors, fmt_ns(r->total_ns, t1, sizeof(t1)),
		       fmt_ns(r->p50_ns, t2, sizeof(t2)), fmt_ns(r->p99_ns, t3, sizeof(t3)));
	}
	fflush(stdout);
}

/* A task name may hold any byte: keep JSON valid (jansson wants UTF-8). */
static json_t *comm_json(const char *comm)
{
	char c[16];

	snprintf(c, sizeof(c), "%s", comm);
	for (char *p = c; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	return json_string(c);
}

static json_t *stats_json(const struct moat_top_row *r)
{
	return json_pack("{sIsIsIsIsIsI}", "calls", (json_int_t)r->calls, "errors",
			 (json_int_t)r->errors, "timed", (json_int_t)r->timed, "total_ns",
			 (json_int_t)r->total_ns, "p50_ns", (json_int_t)r->p50_ns, "p99_ns",
			 (json_int_t)r->p99_ns);
}

static int print_json(const struct moat_top_snapshot *s)
{
	json_t *doc, *procs;
	char *text;

	procs = json_array();
	for (size_t i = 0; procs && i < s->nprocs; i++) {
		const struct moat_top_row *p = &s->procs[i];
		json_t *o = stats_json(p), *calls = json_array();

		/* rows are by time: the process's syscalls keep that order. */
		for (size_t j = 0; o && calls && j < s->nrows; j++) {
			const struct moat_top_row *r = &s->rows[j];
			json_t *c;

			if (r->pid != p->pid)
				continue;
			c = stats_json(r);
			if (c) {
				json_object_set_new(c, "syscall", json_string(r->name));
				json_object_set_new(c, "nr", json_integer(r->nr));
			}
			json_array_append_new(calls, c);
		}
		if (o) {
			json_object_set_new(o, "pid", json_integer(p->pid));
			json_object_set_new(o, "comm", comm_json(p->comm));
			json_object_set_new(o, "syscalls", calls);
		} else {
			json_decref(calls);
		}
		json_array_append_new(procs, o);
	}
	doc = json_pack("{sIsIsIsIsIso}", "ts_ns", (json_int_t)s->ts_ns, "interval_ns",
			(json_int_t)s->interval_ns, "calls", (json_int_t)s->calls, "errors",
			(json_int_t)s->errors, "lost", (json_int_t)s->lost, "processes", procs);
	if (!doc)
		return -ENOMEM;
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (!text)
		return -ENOMEM;
	puts(text);
	free(text);
	return fflush(stdout) ? -errno : 0;
}

int cmd_top(int argc, char **argv)
{
	enum { OPT_COMM = 256, OPT_JSON };
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "comm", required_argument, NULL, OPT_COMM },
		{ "syscalls", required_argument, NULL, 'e' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ 0 },
	};
	struct cli_trace_opts co = { 0 };
	struct moat_top_snapshot snap;
	struct moat_top *t = NULL;
	double interval = 1.0;
	long count = -1;
	bool json = false;
	int rc = MOAT_EXIT_FAIL, c, err;
	char *end;

	if (cli_wants_help(argc, argv))
		return MOAT_EXIT_OK;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:c:e:i:n:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
		case 'c':
		case 'e':
		case OPT_COMM:
			if (cli_trace_opt(&co, c == OPT_COMM ? 'C' : c, optarg))
				goto usage;
			break;
		case 'i':
			errno = 0;
			interval = strtod(optarg, &end);
			if (errno || *end || !isfinite(interval) || interval < 0.01 ||
			    interval > 86400) {
				fprintf(stderr, "moat top: bad interval '%s' (0.01 to 86400 s)\n",
					optarg);
				goto usage;
			}
			break;
		case 'n':
			errno = 0;
			count = strtol(optarg, &end, 10);
			if (errno || *end || count < 1) {
				fprintf(stderr, "moat top: bad count '%s'\n", optarg);
				goto usage;
			}
			break;
		case OPT_JSON:
			json = true;
			break;
		default:
			goto usage;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "moat top: unexpected argument '%s'\n", argv[optind]);
		goto usage;
	}
	if (!json && !isatty(STDOUT_FILENO))
		json = true;
	if (cli_trace_check_target(&co, "top"))
		goto out;
	if (cli_trace_install_stop_handlers())
		goto out;
	t = moat_top_new(&(struct moat_top_opts){ .filter = co.filter });
	if (!t) {
		cli_trace_load_error("top", errno, &co.filter);
		goto out;
	}
	fprintf(stderr, "moat top: tracing (Ctrl-C to stop)\n");
	rc = MOAT_EXIT_OK;
	for (long i = 0; count < 0 || i < count; i++) {
		struct timespec ts = { (time_t)interval,
				       (long)((interval - (double)(time_t)interval) * 1e9) };

		/* nanosleep is never restarted after a handler: a signal ends the sleep. */
		while (!cli_trace_stop_requested() && nanosleep(&ts, &ts) && errno == EINTR)
			;
		err = moat_top_read(t, &snap);
		if (!err) {
			if (json)
				err = print_json(&snap);
			else
				print_table(&snap, true);
		}
		if (err) {
			fprintf(stderr, "moat top: %s\n", strerror(-err));
			rc = MOAT_EXIT_FAIL;
			break;
		}
		if (cli_trace_stop_requested())
			break;
	}
	goto out;
usage:
	rc = MOAT_EXIT_USAGE;
	fprintf(stderr, "(see 'moat top --help')\n");
out:
	moat_top_free(t);
	cli_trace_opts_free(&co);
	return rc;
}
