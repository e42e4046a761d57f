// SPDX-License-Identifier: MIT
/* moat trace --seccomp: prints what the seccomp watcher reports. */
#include <errno.h>
#include <string.h>

#include "cli/trace_opts.h"
#include "cli/cli.h"

struct watch_out {
	FILE *f;
	bool json;
	char line[1024];
};

static int on_event(const struct moat_seccomp_event *ev, void *ctx)
{
	struct watch_out *o = ctx;
	int n = o->json ? moat_seccomp_format_json(ev, o->line, sizeof(o->line))
			: moat_seccomp_format(ev, o->line, sizeof(o->line));

	if (n >= (int)sizeof(o->line))
		n = sizeof(o->line) - 1;
	o->line[n] = '\n';
	fwrite(o->line, 1, (size_t)n + 1, o->f);
	/* Rare and important: show each report at once. */
	return fflush(o->f) ? -errno : 0;
}

static int on_lost(uint64_t n, bool at_end, void *ctx)
{
	struct watch_out *o = ctx;

	if (o->json)
		fprintf(o->f, "{\"lost\":%llu}\n", (unsigned long long)n);
	else
		fprintf(o->f, "--- %llu seccomp events lost ---\n", (unsigned long long)n);
	return fflush(o->f) ? -errno : 0;
}

int cli_seccomp_watch(const struct cli_trace_opts *co, FILE *out, bool json)
{
	struct watch_out o = { .f = out, .json = json };
	struct moat_seccomp_watch *w;
	struct moat_trace_stats st;
	int rc = MOAT_EXIT_OK, err;

	w = moat_seccomp_watch_new(&co->filter,
				   &(struct moat_seccomp_ops){ on_event, on_lost, &o });
	if (!w) {
		cli_trace_load_error("trace --seccomp", errno, &co->filter);
		return MOAT_EXIT_FAIL;
	}
	fprintf(stderr, "moat trace: watching seccomp kills and traps (Ctrl-C to stop)\n");
	while (!cli_trace_stop_requested()) {
		err = moat_seccomp_watch_poll(w, 200);
		if (err < 0) {
			fprintf(stderr, "moat trace: %s\n", strerror(-err));
			rc = MOAT_EXIT_FAIL;
			break;
		}
	}
	err = moat_seccomp_watch_stop(w);
	if (err && rc == MOAT_EXIT_OK) {
		fprintf(stderr, "moat trace: %s\n", strerror(-err));
		rc = MOAT_EXIT_FAIL;
	}
	moat_seccomp_watch_stats(w, &st);
	fprintf(stderr, "moat trace: %llu seccomp events, %llu lost\n",
		(unsigned long long)st.received, (unsigned long long)st.lost);
	moat_seccomp_watch_free(w);
	return rc;
}
