// SPDX-License-Identifier: MIT
/* moat trace: strace-like lines from eBPF, every lost event counted. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/trace_opts.h"
#include "moat/spawn.h"
#include "moat/trace.h"
#include "cli/trace_summary.h"

MOAT_CMD(trace, "strace-like syscall tracing with eBPF (and seccomp kills/traps)");

const char help_trace[] =
	"usage: moat trace [-p PID | -c CGROUP | --comm NAME | -- CMD [ARGS...]]\n"
	"                  [-e SYSCALL,...] [--failed] [--no-durations | --no-time]\n"
	"                  [--summary] [--json] [-o FILE]\n"
	"                  [-b BYTES] [-s BYTES]\n"
	"       moat trace --seccomp [-p PID | -c CGROUP | --comm NAME] [--json] [-o FILE]\n\n"
	"Prints one line per system call: time, pid/tid, command name, the call with\n"
	"its arguments (strings read at entry), the result or errno name and the time\n"
	"spent in the call. Entry and exit are paired and filters applied in the\n"
	"kernel (eBPF, per-CPU rings); no ptrace, so the traced programs run at\n"
	"nearly full speed. Calls a seccomp filter answered are shown too (no\n"
	"duration: they never entered). Without a filter every process is traced.\n\n"
	"  -- CMD [ARGS...]     run CMD and trace it and every process it forks, from\n"
	"                       its execve on; moat exits with CMD's status when the\n"
	"                       whole tree has exited (125-127: CMD could not run)\n"
	"  -p, --pid PID        trace this process (all its threads); stops when it exits\n"
	"  -c, --cgroup CGROUP  trace the tasks of a cgroup v2 directory and below it\n"
	"                       (a path, or relative to the cgroup2 mount)\n"
	"      --comm NAME      trace tasks with this name (as in /proc/PID/comm)\n"
	"  -e, --syscalls LIST  only these syscalls (comma-separated names)\n"
	"      --failed         only calls that returned an error\n"
	"      --no-durations   do not time calls: the cheapest trace (entries are hooked\n"
	"                       only for string arguments and exit); lines show the\n"
	"                       time of the exit\n"
	"      --no-time        no clock at all: no timestamps, no durations, lines\n"
	"                       in the exact order of the calls' exits (JSON: \"seq\");\n"
	"                       the cheapest trace, as strace without -t\n"
	"      --summary        no lines: a table per syscall when tracing stops (calls,\n"
	"                       errors, time), as strace -c -f\n"
	"      --json           one JSON object per line (with --summary, one document)\n"
	"  -o, --output FILE    write the trace to FILE (a stream, written as it comes)\n"
	"  -b, --buffer-size N  bytes of each CPU's ring, a power of 2 from 4K to 4M\n"
	"                       (default 4M up to 8 CPUs, 32M in all beyond; K/M suffixes)\n"
	"  -s, --data-size N    bytes shown of the data of read, write and the like\n"
	"                       (read at exit), 0 to 256; 0: none, the pointer\n"
	"                       (default 32, as strace)\n"
	"      --seccomp        report seccomp kills and traps system-wide instead\n"
	"                       (any sandbox: Docker, systemd, moat run, ...)\n\n"
	"Events the kernel could not hand over (a full buffer) are counted per CPU\n"
	"and shown where they happened (\"--- N events lost ---\", or {\"lost\":N} in\n"
	"JSON); the totals are printed to stderr when tracing stops (Ctrl-C).\n"
	"Needs root (CAP_BPF and CAP_PERFMON).\n";

struct trace_out {
	FILE *f;
	struct trace_summary *summary; /* --summary: counted, not printed */
	const char *name;	       /* for messages: the -o path, or "stdout" */
	bool write_failed;
	bool json;
	char line[4096];
};

static int on_event(const struct moat_trace_event *ev, void *ctx)
{
	struct trace_out *o = ctx;
	int n;

	if (o->summary)
		return trace_summary_add(o->summary, ev);
	n = o->json ? moat_trace_format_json(ev, o->line, sizeof(o->line))
		    : moat_trace_format(ev, o->line, sizeof(o->line));
	if (n >= (int)sizeof(o->line))
		n = sizeof(o->line) - 1;
	o->line[n] = '\n';
	if (fwrite_unlocked(o->line, 1, (size_t)n + 1, o->f) != (size_t)n + 1) {
		o->write_failed = true;
		return errno ? -errno : -EIO;
	}
	return 0;
}

static int on_lost(uint64_t n, bool at_end, void *ctx)
{
	struct trace_out *o = ctx;

	if (o->summary)
		return 0; /* the summary's total says it */
	if (o->json)
		fprintf(o->f, "{\"lost\":%llu%s}\n", (unsigned long long)n,
			at_end ? ",\"at_end\":true" : "");
	else
		fprintf(o->f, "--- %llu events lost%s ---\n", (unsigned long long)n,
			at_end ? " (after the last event of their CPU)" : "");
	return ferror(o->f) ? -EIO : 0;
}

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = 1;
}

int cli_trace_install_stop_handlers(void)
{
	struct sigaction sa = { 0 };

	/*
	 * SA_RESTART: a write blocked on a slow reader resumes instead of failing
	 * with EINTR (which would lose output); epoll_wait and nanosleep are never
	 * restarted, so the poll loops still see the flag at once.
	 */
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGHUP, &sa, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

bool cli_trace_stop_requested(void)
{
	return stop_requested;
}

/* True once process PIDFD has exited (pidfd < 0: never). */
static bool target_gone(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return pidfd >= 0 && poll(&p, 1, 0) == 1;
}

int cmd_trace(int argc, char **argv)
{
	enum {
		OPT_COMM = 256,
		OPT_FAILED,
		OPT_JSON,
		OPT_SECCOMP,
		OPT_UNTIMED,
		OPT_NO_TIME,
		OPT_SUMMARY
	};
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "comm", required_argument, NULL, OPT_COMM },
		{ "syscalls", required_argument, NULL, 'e' },
		{ "failed", no_argument, NULL, OPT_FAILED },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "output", required_argument, NULL, 'o' },
		{ "buffer-size", required_argument, NULL, 'b' },
		{ "data-size", required_argument, NULL, 's' },
		{ "seccomp", no_argument, NULL, OPT_SECCOMP },
		{ "no-durations", no_argument, NULL, OPT_UNTIMED },
		{ "no-time", no_argument, NULL, OPT_NO_TIME },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ 0 },
	};
	struct cli_trace_opts co = { 0 };
	struct moat_trace_opts topts = { 0 };
	struct moat_trace_stats st;
	struct trace_out out = { 0 };
	struct moat_trace *t = NULL;
	struct moat_spawn *sp = NULL;
	const char *outpath = NULL;
	char **cmd = NULL;
	bool seccomp = false, cmd_done = false, summary = false;
	int rc = MOAT_EXIT_FAIL, pidfd = -1, c, err, status = 0;

	if (cli_wants_help(argc, argv))
		return MOAT_EXIT_OK;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:c:e:o:b:s:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
		case 'c':
		case 'e':
		case OPT_COMM:
			if (cli_trace_opt(&co, c == OPT_COMM ? 'C' : c, optarg))
				goto usage;
			break;
		case 'b':
			/* Checked here too: the library's EINVAL could not say which option. */
			if (cli_parse_size(optarg, &topts.buffer_bytes) ||
			    topts.buffer_bytes < 4096 || topts.buffer_bytes > (4u << 20) ||
			    (topts.buffer_bytes & (topts.buffer_bytes - 1))) {
				fprintf(stderr,
					"moat trace: bad buffer size '%s' (bytes per CPU: a power "
					"of 2 from 4K to 4M)\n",
					optarg);
				goto usage;
			}
			break;
		case 's': {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' ||
			    v > MOAT_TRACE_DATA_MAX) {
				fprintf(stderr, "moat trace: bad data size '%s' (bytes: 0 to %d)\n",
					optarg, MOAT_TRACE_DATA_MAX);
				goto usage;
			}
			topts.data_bytes = v ? v : MOAT_TRACE_NO_DATA;
			break;
		}
		case OPT_FAILED:
			topts.failed_only = true;
			break;
		case OPT_UNTIMED:
			topts.untimed = true;
			break;
		case OPT_NO_TIME:
			topts.no_time = true;
			break;
		case OPT_SUMMARY:
			summary = true;
			break;
		case OPT_JSON:
			out.json = true;
			break;
		case 'o':
			outpath = optarg;
			break;
		case OPT_SECCOMP:
			seccomp = true;
			break;
		default:
			goto usage;
		}
	}
	if (optind < argc) {
		if (seccomp || co.filter.pid) {
			fprintf(stderr, "moat trace: a command does not go with %s\n",
				seccomp ? "--seccomp" : "-p");
			goto usage;
		}
		cmd = argv + optind;
	}
	if (cli_trace_check_target(&co, "trace"))
		goto out;
	out.f = stdout;
	out.name = "stdout";
	if (outpath && strcmp(outpath, "-")) {
		out.name = outpath;
		/* A stream read while it grows (tail -f), so not written atomically. */
		out.f = fopen(outpath, "we");
		if (!out.f) {
			fprintf(stderr, "moat trace: cannot open %s: %s\n", outpath,
				strerror(errno));
			goto out;
		}
	}
	setvbuf(out.f, NULL, _IOFBF, 1 << 20);
	if (cli_trace_install_stop_handlers())
		goto out;
	if (seccomp) {
		if (co.filter.syscalls || topts.failed_only || topts.untimed || topts.no_time ||
		    summary) {
			fprintf(stderr,
				"moat trace: --seccomp takes no -e, --failed, --no-durations, "
				"--no-time or --summary\n");
			goto usage;
		}
		rc = cli_seccomp_watch(&co, out.f, out.json);
		goto out;
	}
	topts.filter = co.filter;
	if (summary && !(out.summary = trace_summary_new())) {
		fprintf(stderr, "moat trace: %s\n", strerror(ENOMEM));
		goto out;
	}
	if (cmd) {
		/* The child waits before execve until it is in the tracked set. */
		err = moat_spawn_new(cmd, &sp);
		if (err) {
			fprintf(stderr, "moat trace: %s: %s\n", cmd[0], strerror(-err));
			rc = err == -ENOENT   ? MOAT_EXIT_NOENT
			     : err == -EACCES ? MOAT_EXIT_NOEXEC
					      : MOAT_EXIT_SANDBOX;
			goto out;
		}
		topts.follow = true;
	}
	t = moat_trace_new(&topts, &(struct moat_trace_ops){ on_event, on_lost, &out });
	if (!t) {
		cli_trace_load_error("trace", errno, &co.filter);
		if (cmd)
			rc = MOAT_EXIT_SANDBOX; /* CMD never ran */
		goto out;
	}
	if (co.filter.pid) {
		pidfd = (int)syscall(SYS_pidfd_open, co.filter.pid, 0);
		/* Gone since it was checked: nothing more will come. */
		if (pidfd < 0 && errno == ESRCH)
			stop_requested = 1;
	}
	if (cmd) {
		err = moat_trace_track_spawned(t, moat_spawn_pid(sp));
		if (err) {
			fprintf(stderr, "moat trace: cannot follow %s: %s\n", cmd[0],
				strerror(-err));
			rc = MOAT_EXIT_SANDBOX;
			goto out;
		}
		err = moat_spawn_release(sp);
		if (err) {
			fprintf(stderr, "moat trace: %s: %s\n", cmd[0], strerror(-err));
			rc = err == -ENOENT ? MOAT_EXIT_NOENT : MOAT_EXIT_NOEXEC;
			cmd_done = true; /* reaped by moat_spawn_release */
			goto stop;
		}
	}
	fprintf(stderr, "moat trace: tracing%s (Ctrl-C to stop)\n",
		co.filter.pid || co.filter.comm || co.filter.cgroup || cmd ? "" : " every process");
	rc = MOAT_EXIT_OK;
	while (!stop_requested && !target_gone(pidfd)) {
		if (cmd) {
			/* Done when CMD has exited and so has every process it forked. */
			if (!cmd_done && moat_spawn_wait(sp, &status, WNOHANG) == 0)
				cmd_done = true;
			if (cmd_done && moat_trace_tracked_count(t) == 0)
				break;
		}
		/* The timeout bounds how long a record waits below the wake-up threshold. */
		err = moat_trace_poll(t, 100);
		if (err == -EPIPE)
			break; /* the reader went away (moat trace | head): a normal end */
		if (err < 0) {
			if (out.write_failed)
				fprintf(stderr, "moat trace: writing to %s: %s\n", out.name,
					strerror(-err));
			else
				fprintf(stderr, "moat trace: %s\n", strerror(-err));
			rc = MOAT_EXIT_FAIL;
			break;
		}
		fflush(out.f);
	}
stop:
	err = moat_trace_stop(t);
	if (err && err != -EPIPE && rc == MOAT_EXIT_OK) {
		fprintf(stderr, "moat trace: %s\n", strerror(-err));
		rc = MOAT_EXIT_FAIL;
	}
	moat_trace_stats(t, &st);
	if (out.summary) {
		err = trace_summary_print(out.summary, out.f, out.json, st.lost);
		if (err && rc == MOAT_EXIT_OK) {
			fprintf(stderr, "moat trace: writing to %s: %s\n", out.name,
				strerror(-err));
			rc = MOAT_EXIT_FAIL;
		}
	}
	if (fflush(out.f) && errno != EPIPE) {
		fprintf(stderr, "moat trace: writing to %s: %s\n", out.name, strerror(errno));
		rc = MOAT_EXIT_FAIL;
	}
	fprintf(stderr, "moat trace: %llu events, %llu lost\n", (unsigned long long)st.received,
		(unsigned long long)st.lost);
	if (st.untracked)
		fprintf(stderr, "moat trace: %llu forked processes not traced (tracked set full)\n",
			(unsigned long long)st.untracked);
	if (cmd && rc == MOAT_EXIT_OK) {
		/* Stopped early (Ctrl-C): CMD got the signal too; collect its status. */
		if (!cmd_done && moat_spawn_wait(sp, &status, WNOHANG) == 0)
			cmd_done = true;
		if (cmd_done)
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	goto out;
usage:
	rc = MOAT_EXIT_USAGE;
	fprintf(stderr, "(see 'moat trace --help')\n");
out:
	moat_spawn_free(sp); /* kills a CMD still running after Ctrl-C */
	moat_trace_free(t);
	if (pidfd >= 0)
		close(pidfd);
	if (out.f && out.f != stdout)
		fclose(out.f);
	trace_summary_free(out.summary);
	cli_trace_opts_free(&co);
	return rc;
}
