// SPDX-License-Identifier: MIT
/* moat bench: what a syscall costs under seccomp, eBPF and ptrace, measured here. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "moat/bench.h"

MOAT_CMD(bench, "measure syscall overhead: seccomp, eBPF, ptrace on this kernel");

const char help_bench[] =
	"usage: moat bench [--quick] [--json] [--iterations N] [--runs N] [--cpu N]\n"
	"                  [--only LIST] [--list]\n\n"
	"Measures nanoseconds per syscall, and the ratio to no mechanism, for two\n"
	"workloads: getppid, and a 1-byte write+read on a pipe (rw). Mechanisms:\n"
	"  bare                   nothing\n"
	"  seccomp-cached         moat's filter, allowed, on the kernel's action cache\n"
	"  seccomp-cached-spec-allow  the same with SECCOMP_FILTER_FLAG_SPEC_ALLOW (no\n"
	"                         forced Speculative Store Bypass mitigation)\n"
	"  seccomp-argcheck       moat's filter, allowed after argument checks\n"
	"  seccomp-denied         moat's filter, denied with errno EPERM\n"
	"  seccomp-linear[-denied] the same policy compiled as a linear chain\n"
	"  seccomp-stack1..4      1 to 4 stacked argument-checking filters\n"
	"  seccomp-notify         a user-notification round trip per call (CONTINUE)\n"
	"  ebpf-empty             an empty program on tp_btf/sys_enter\n"
	"  ebpf-empty-exit        an empty program on tp_btf/sys_exit\n"
	"  ebpf-empty-pair        empty programs on both (the floor of pairing entry\n"
	"                         and exit, as moat trace does for durations)\n"
	"  ebpf-clock             a clock read per call at exit (what a timestamp\n"
	"                         per event costs on top of ebpf-empty-exit)\n"
	"  ebpf-count             in-kernel counting per syscall (array map)\n"
	"  ebpf-ringbuf           one ringbuf event per syscall, consumed\n"
	"  ptrace                 stopping at every syscall entry and exit, as strace\n\n"
	"Each scenario runs in a forked child pinned to one CPU: warm-up, then timed\n"
	"runs; the median and the min-max spread are shown. Each also checks that the\n"
	"mechanism acted (denied calls got EPERM, every call was counted...).\n"
	"Features this kernel or user lacks are reported as skipped, with why.\n\n"
	"  --quick         3 short runs per scenario (the whole set in well under 30 s)\n"
	"  --json          results as JSON on stdout\n"
	"  --iterations N  iterations per timed run (default: calibrated per scenario)\n"
	"  --runs N        timed runs per scenario (default 9, --quick 3; max 31)\n"
	"  --cpu N         CPU to pin to (default: the last one allowed)\n"
	"  --realtime      measure under SCHED_FIFO (root): ordinary load cannot\n"
	"                  preempt the loop; for busy machines\n"
	"  --only LIST     comma-separated names: getppid-bare, a mechanism\n"
	"                  (seccomp-cached: both workloads) or a workload (rw)\n"
	"  --list          print the scenario names and exit\n\n"
	"Note: eBPF scenarios attach system-wide for their duration; every process\n"
	"pays the tracepoint while they run.\n";

struct progress_ctx {
	bool json;
};

static void progress(void *ctx, const struct moat_bench_result *r)
{
	/* Progress goes to stderr so that stdout stays a clean table or JSON. */
	if (r->skipped)
		fprintf(stderr, "moat bench: %-30s skipped: %s\n", r->name, r->reason);
	else if (r->failed)
		fprintf(stderr, "moat bench: %-30s FAILED: %s\n", r->name, r->reason);
	else
		fprintf(stderr, "moat bench: %-30s %8.1f ns%s\n", r->name, r->ns_median,
			r->verdict_ok ? "" : "  (verdict WRONG)");
	fflush(stderr);
}

static json_t *result_json(const struct moat_bench_result *r)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", r->name, "workload", r->workload,
			      "mechanism", r->mechanism, "title", r->title, "status",
			      r->skipped  ? "skipped"
			      : r->failed ? "failed"
					  : "ok");

	if (!o)
		return NULL;
	if (r->skipped || r->failed) {
		if (json_object_set_new(o, "reason", json_string(r->reason))) {
			json_decref(o);
			return NULL;
		}
		return o;
	}
	if (json_object_set_new(o, "iterations", json_integer((json_int_t)r->iterations)) ||
	    json_object_set_new(o, "runs", json_integer(r->runs)) ||
	    json_object_set_new(o, "ns_per_syscall",
				json_pack("{s:f, s:f, s:f}", "median", r->ns_median, "min",
					  r->ns_min, "max", r->ns_max)) ||
	    json_object_set_new(o, "ratio", r->ratio > 0 ? json_real(r->ratio) : json_null()) ||
	    json_object_set_new(o, "verdict",
				json_pack("{s:s, s:b, s:s}", "expected", r->expect, "ok",
					  r->verdict_ok, "detail", r->verdict))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int print_json(const struct moat_bench_report *rep)
{
	json_t *root =
		json_pack("{s:s, s:s, s:i, s:b, s:f, s:o}", "moat_version", MOAT_VERSION, "kernel",
			  rep->kernel, "cpu", rep->cpu, "realtime", rep->realtime, "load_average",
			  rep->loadavg, "other_syscall_tracers",
			  rep->other_tracers >= 0 ? json_integer(rep->other_tracers) : json_null());
	json_t *arr = json_array();
	char *s = NULL;
	int rc = MOAT_EXIT_FAIL;

	if (!root || !arr)
		goto out;
	for (size_t i = 0; i < rep->n; i++)
		if (json_array_append_new(arr, result_json(&rep->v[i])))
			goto out;
	if (json_object_set(root, "scenarios", arr))
		goto out;
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s && !cli_write_output("-", s, strlen(s)) && !cli_write_output("-", "\n", 1))
		rc = MOAT_EXIT_OK;
out:
	if (rc && !s)
		fprintf(stderr, "moat bench: out of memory\n");
	free(s);
	json_decref(arr);
	json_decref(root);
	return rc;
}

static const struct moat_bench_result *find(const struct moat_bench_report *rep, const char *mech,
					    const char *wl)
{
	for (size_t i = 0; i < rep->n; i++)
		if (!strcmp(rep->v[i].mechanism, mech) && !strcmp(rep->v[i].workload, wl))
			return &rep->v[i];
	return NULL;
}

static void cell(const struct moat_bench_result *r)
{
	char b[64];

	if (!r)
		snprintf(b, sizeof(b), "-");
	else if (r->skipped)
		snprintf(b, sizeof(b), "skipped");
	else if (r->failed)
		snprintf(b, sizeof(b), "FAILED");
	else if (r->ratio > 0)
		snprintf(b, sizeof(b), "%.0f (%.0f-%.0f) %.2fx%s", r->ns_median, r->ns_min,
			 r->ns_max, r->ratio, r->verdict_ok ? "" : " !");
	else
		snprintf(b, sizeof(b), "%.0f (%.0f-%.0f)%s", r->ns_median, r->ns_min, r->ns_max,
			 r->verdict_ok ? "" : " !");
	printf("  %-30s", b);
}

static void print_table(const struct moat_bench_report *rep)
{
	const char *seen[64];
	size_t nseen = 0;
	bool notes = false;

	printf("moat bench on Linux %s, pinned to CPU %d%s: ns per syscall, median (min-max) "
	       "ratio to bare\n",
	       rep->kernel, rep->cpu, rep->realtime ? " (SCHED_FIFO)" : "");
	printf("load average %.2f", rep->loadavg);
	if (rep->other_tracers > 0)
		printf("; WARNING: %d other eBPF program%s attached to sys_enter/sys_exit: every "
		       "syscall pays %s, all numbers are inflated",
		       rep->other_tracers, rep->other_tracers > 1 ? "s are" : " is",
		       rep->other_tracers > 1 ? "them" : "it");
	printf("\n\n");
	printf("%-24s  %-30s  %-30s\n", "MECHANISM", "getppid", "rw (write+read, per call)");
	for (size_t i = 0; i < rep->n; i++) {
		const char *m = rep->v[i].mechanism;
		bool dup = false;

		for (size_t j = 0; j < nseen; j++)
			dup = dup || !strcmp(seen[j], m);
		if (dup || nseen == 64)
			continue;
		seen[nseen++] = m;
		printf("%-24s", m);
		cell(find(rep, m, "getppid"));
		cell(find(rep, m, "rw"));
		printf("\n");
	}
	for (size_t i = 0; i < rep->n; i++) {
		const struct moat_bench_result *r = &rep->v[i];

		if (r->skipped || r->failed || !r->verdict_ok) {
			if (!notes)
				printf("\n");
			notes = true;
			printf("%s: %s%s\n", r->name,
			       r->skipped  ? "skipped: "
			       : r->failed ? "FAILED: "
					   : "verdict WRONG: ",
			       r->skipped || r->failed ? r->reason : r->verdict);
		}
	}
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || !*s || *end || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	struct moat_bench_opts o = { .cpu = -1 };
	struct moat_bench_report *rep = NULL;
	struct progress_ctx pc = { 0 };
	bool json = false, failed = false;
	uint64_t v;
	int err, rc;

	if (cli_wants_help(argc, argv))
		return MOAT_EXIT_OK;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;

		if (!strcmp(a, "--quick")) {
			o.quick = true;
		} else if (!strcmp(a, "--realtime")) {
			o.realtime = true;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--list")) {
			char name[64];

			for (size_t k = 0; k < moat_bench_scenario_count(); k++)
				if (moat_bench_scenario_name(k, name, sizeof(name)) > 0)
					printf("%s\n", name);
			return MOAT_EXIT_OK;
		} else if (!strcmp(a, "--iterations") && has_val) {
			if (parse_u64(argv[++i], &v) || v == 0)
				goto usage;
			o.iterations = v;
		} else if (!strcmp(a, "--runs") && has_val) {
			if (parse_u64(argv[++i], &v) || v == 0 || v > MOAT_BENCH_MAX_RUNS)
				goto usage;
			o.runs = (unsigned)v;
		} else if (!strcmp(a, "--cpu") && has_val) {
			if (parse_u64(argv[++i], &v) || v >= 4096)
				goto usage;
			o.cpu = (int)v;
		} else if (!strcmp(a, "--only") && has_val) {
			o.only = argv[++i];
		} else {
			goto usage;
		}
	}
	pc.json = json;
	o.progress = progress;
	o.ctx = &pc;
	/* The bench forks: stdio buffers must not be duplicated into children. */
	fflush(NULL);
	err = moat_bench_run(&o, &rep);
	if (err == -EINVAL) {
		fprintf(stderr, "moat bench: --only '%s' selects no scenario (see --list)\n",
			o.only ? o.only : "");
		return MOAT_EXIT_USAGE;
	}
	if (err) {
		fprintf(stderr, "moat bench: %s\n", strerror(-err));
		return MOAT_EXIT_FAIL;
	}
	for (size_t i = 0; i < rep->n; i++)
		failed =
			failed || rep->v[i].failed || (!rep->v[i].skipped && !rep->v[i].verdict_ok);
	if (json) {
		rc = print_json(rep);
	} else {
		print_table(rep);
		rc = MOAT_EXIT_OK;
	}
	moat_bench_report_free(rep);
	/* A mechanism that did not do what it claims makes the numbers worthless. */
	return rc ? rc : failed ? MOAT_EXIT_FAIL : MOAT_EXIT_OK;
usage:
	fprintf(stderr, "moat bench: bad argument '%s'\n%s", argv[argc > 1 ? 1 : 0], help_bench);
	return MOAT_EXIT_USAGE;
}
