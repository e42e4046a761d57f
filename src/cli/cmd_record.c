// SPDX-License-Identifier: MIT
/* moat record: learn a least-privilege policy from a running program with eBPF. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "cli/cli.h"
#include "moat/record.h"
#include "moat/spawn.h"

MOAT_CMD(record, "learn a policy from what a program does (eBPF)");

const char help_record[] =
	"usage: moat record [OPTIONS] -- CMD [ARG...]\n"
	"       moat record [OPTIONS] --pid PID | --cgroup PATH\n"
	"       moat record [OPTIONS] --merge FILE...\n"
	"\n"
	"Records every syscall of CMD and of all its threads, children and execs,\n"
	"from its execve on, with eBPF (in-kernel counts: no event per syscall), and\n"
	"writes a least-privilege policy: exactly the syscalls seen are allowed,\n"
	"others get EPERM, syscalls unknown to moat ENOSYS. Each rule carries its\n"
	"count; the frequency table is kept for the compiler. Output is sorted, so\n"
	"profiles diff cleanly. Needs root (CAP_BPF and CAP_PERFMON).\n"
	"\n"
	"  -o, --output FILE     write the policy to FILE (default: stdout)\n"
	"  -f, --format FMT      moat (default), oci (runc/crun/podman JSON) or spo\n"
	"                        (Kubernetes Security Profiles Operator SeccompProfile)\n"
	"      --name NAME       metadata.name of the spo profile (default: CMD's name)\n"
	"  -m, --merge FILE...   union with existing profiles (.moat or OCI JSON);\n"
	"                        without CMD/--pid/--cgroup, merges only\n"
	"  -I, --include-dir DIR where --merge's policies find include \"FILE\" after\n"
	"                        their own directory (repeatable, in order)\n"
	"  -a, --args            argument conditions from the values seen where safe:\n"
	"                        socket domain, ioctl request, prctl option, fcntl cmd,\n"
	"                        clone flags, personality, [gs]etsockopt level/name,\n"
	"                        open access mode/O_CREAT/O_TRUNC, no PROT_EXEC for\n"
	"                        mmap/mprotect if never used\n"
	"      --keep-clone3     allow clone3 (default: ENOSYS, libc falls back to clone)\n"
	"  -p, --pid PID         attach to a running process and its descendants;\n"
	"                        stops when it exits or on Ctrl-C\n"
	"  -c, --cgroup PATH     record every process of a cgroup v2 (and below);\n"
	"                        stops on Ctrl-C\n"
	"  -d, --duration SECS   stop after SECS seconds\n"
	"      --max-pids N      size of the tracked process set (default 8192)\n"
	"      --max-values N    size of the argument value set (default 16384)\n"
	"  -q, --quiet           no summary on stderr\n"
	"\n"
	"Losses (a full set, a number out of range) are counted and reported, never\n"
	"silent; with losses of argument values, no argument condition is written.\n"
	"Exit: 0 profile written, 1 failure, 2 usage, 126/127 CMD not executable/found.\n";

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void on_sigchld(int sig)
{
	/* Only interrupts ppoll: the exit is read with waitpid. */
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's own chatter only when asked for: moat reports errors itself. */
	if (!getenv("MOAT_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

struct record_args {
	const char *out, *format, *name, *cgroup;
	const char **merge;
	size_t nmerge;
	pid_t pid;
	double duration;
	struct moat_generate_opts gen;
	struct moat_record_opts rec;
	bool quiet;
	char **cmd;
};

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || v == 0 || v > UINT32_MAX)
		return -1;
	*out = v;
	return 0;
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "moat record: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr,
		"\nusage: moat record [OPTIONS] -- CMD [ARG...] (see 'moat record --help')\n");
	return MOAT_EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct record_args *a)
{
	int i;

	a->merge = calloc(argc, sizeof(*a->merge));
	if (!a->merge)
		return MOAT_EXIT_FAIL;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--")) {
			i++;
			break;
		}
		if (o[0] != '-')
			break; /* CMD without "--" */
		int r = cli_include_opt(argc, argv, &i);

		if (r < 0)
			return MOAT_EXIT_USAGE;
		if (r > 0)
			continue;
		if (!strcmp(o, "-a") || !strcmp(o, "--args")) {
			a->gen.args = true;
		} else if (!strcmp(o, "--keep-clone3")) {
			a->gen.keep_clone3 = true;
		} else if (!strcmp(o, "-q") || !strcmp(o, "--quiet")) {
			a->quiet = true;
		} else if (!strcmp(o, "-m") || !strcmp(o, "--merge")) {
			if (!v || v[0] == '-')
				return usage_error("%s needs at least one FILE", o);
			while (i + 1 < argc && argv[i + 1][0] != '-')
				a->merge[a->nmerge++] = argv[++i];
		} else {
			/* Options with one value. */
			if (!v)
				return usage_error("%s needs a value", o);
			if (!strcmp(o, "-o") || !strcmp(o, "--output")) {
				a->out = v;
			} else if (!strcmp(o, "-f") || !strcmp(o, "--format")) {
				if (strcmp(v, "moat") && strcmp(v, "oci") && strcmp(v, "spo"))
					return usage_error("unknown format '%s' (moat, oci, spo)",
							   v);
				a->format = v;
			} else if (!strcmp(o, "--name")) {
				a->name = v;
			} else if (!strcmp(o, "-p") || !strcmp(o, "--pid")) {
				uint32_t pid;

				if (parse_u32(v, &pid) || pid > INT_MAX)
					return usage_error("bad pid '%s'", v);
				a->pid = pid;
			} else if (!strcmp(o, "-c") || !strcmp(o, "--cgroup")) {
				a->cgroup = v;
			} else if (!strcmp(o, "-d") || !strcmp(o, "--duration")) {
				char *end;

				a->duration = strtod(v, &end);
				if (*end || !(a->duration > 0))
					return usage_error("bad duration '%s'", v);
			} else if (!strcmp(o, "--max-pids")) {
				if (parse_u32(v, &a->rec.max_pids))
					return usage_error("bad --max-pids '%s'", v);
			} else if (!strcmp(o, "--max-values")) {
				if (parse_u32(v, &a->rec.max_values))
					return usage_error("bad --max-values '%s'", v);
			} else {
				return usage_error("unknown option '%s'", o);
			}
			i++;
		}
	}
	if (i < argc)
		a->cmd = argv + i;
	if (!!a->cmd + !!a->pid + !!a->cgroup > 1)
		return usage_error("%s", "give one of CMD, --pid and --cgroup");
	if (!a->cmd && !a->pid && !a->cgroup && !a->nmerge)
		return usage_error("%s", "nothing to record: give CMD, --pid, --cgroup or --merge");
	a->rec.cgroup_path = a->cgroup;
	return -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Waits for FD (a pidfd, or -1) to become readable, a stop signal, or the
 * deadline. SIGINT/SIGTERM are blocked outside ppoll, so none is lost
 * between the check and the wait.
 */
static void wait_stop(int fd, double duration, const sigset_t *unblocked)
{
	double end = duration > 0 ? now() + duration : 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (!stop_signal) {
		struct timespec ts, *tsp = NULL;
		int n;

		if (end) {
			double left = end - now();

			if (left <= 0)
				return;
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
			tsp = &ts;
		}
		n = ppoll(&pfd, fd >= 0 ? 1 : 0, tsp, unblocked);
		if (n > 0)
			return;
	}
}

/* The command's process tree: waits for CMD, forwarding stop signals to it. */
static int run_cmd(struct moat_recorder *rec, struct record_args *a, const sigset_t *unblocked,
		   int *cmd_status)
{
	struct moat_spawn *sp;
	int err, status;
	bool forwarded = false;
	double end = a->duration > 0 ? now() + a->duration : 0;

	err = moat_spawn_new(a->cmd, &sp);
	if (err) {
		fprintf(stderr, "moat record: %s: %s\n", a->cmd[0], strerror(-err));
		return err == -ENOENT	? MOAT_EXIT_NOENT
		       : err == -EACCES ? MOAT_EXIT_NOEXEC
					: MOAT_EXIT_FAIL;
	}
	/* Registered before it may exec: recorded from its execve on, nothing missed. */
	err = moat_recorder_track_spawned(rec, moat_spawn_pid(sp));
	if (err) {
		fprintf(stderr, "moat record: cannot track pid %d: %s\n", (int)moat_spawn_pid(sp),
			strerror(-err));
		moat_spawn_free(sp);
		return MOAT_EXIT_FAIL;
	}
	err = moat_spawn_release(sp);
	if (err) {
		fprintf(stderr, "moat record: cannot execute %s: %s\n", a->cmd[0], strerror(-err));
		moat_spawn_free(sp);
		return err == -ENOENT ? MOAT_EXIT_NOENT : MOAT_EXIT_NOEXEC;
	}
	if (!a->quiet)
		fprintf(stderr, "moat record: recording %s (pid %d) and its descendants\n",
			a->cmd[0], (int)moat_spawn_pid(sp));
	for (;;) {
		pid_t pid = moat_spawn_pid(sp);
		int r = moat_spawn_wait(sp, &status, WNOHANG);

		if (!r)
			break;
		if (r != -EAGAIN && r != -EINTR) {
			status = 0;
			break;
		}
		if ((stop_signal || (end && now() >= end)) && !forwarded) {
			/* Ctrl-C on a terminal reached CMD already; a kill of moat alone did not. */
			kill(pid, stop_signal ? stop_signal : SIGTERM);
			forwarded = true;
		}
		/* SIGCHLD wakes ppoll up (it is unblocked there); 100 ms is a backstop. */
		struct timespec ts = { 0, 100 * 1000 * 1000 };

		ppoll(NULL, 0, &ts, unblocked);
	}
	moat_spawn_free(sp);
	*cmd_status = status;
	return 0;
}

/* Prints the losses; they make a recording incomplete, so they are never silent. */
static void report_losses(const struct moat_recording *r)
{
	const struct moat_record_losses *l = &r->losses;

	if (l->track_full)
		fprintf(stderr,
			"moat record: warning: %" PRIu64 " new processes were not followed "
			"(process set full; raise --max-pids): the profile misses their syscalls\n",
			l->track_full);
	if (l->values_full)
		fprintf(stderr,
			"moat record: warning: %" PRIu64 " argument values were dropped "
			"(value set full; raise --max-values)\n",
			l->values_full);
	if (l->arg_read)
		fprintf(stderr,
			"moat record: warning: %" PRIu64 " clone3 calls had unreadable flags\n",
			l->arg_read);
	if (l->missed)
		fprintf(stderr,
			"moat record: warning: %" PRIu64 " syscalls were not counted (the "
			"kernel skipped the program: it was already running on that CPU)\n",
			l->missed);
	if (l->nr_range)
		fprintf(stderr,
			"moat record: warning: %" PRIu64 " syscalls with numbers >= %u were "
			"not counted (they get the unknown action)\n",
			l->nr_range, MOAT_RECORD_NR_MAX);
}

/* A DNS label for the spo profile's metadata.name, from CMD's base name. */
static void spo_name(const struct record_args *a, char *buf, size_t size)
{
	const char *src = a->name;
	size_t n = 0;

	if (!src && a->cmd) {
		src = strrchr(a->cmd[0], '/');
		src = src ? src + 1 : a->cmd[0];
	}
	if (!src)
		src = "moat-recorded";
	if (a->name) {
		snprintf(buf, size, "%s", a->name);
		return;
	}
	for (; *src && n + 1 < size && n < 63; src++) {
		char c = tolower((unsigned char)*src);

		if (isalnum((unsigned char)c))
			buf[n++] = c;
		else if (n && buf[n - 1] != '-')
			buf[n++] = '-';
	}
	while (n && buf[n - 1] == '-')
		n--;
	if (!n)
		n = snprintf(buf, size, "moat-recorded");
	buf[n] = 0;
}

/* "# moat record -- CMD ARGS" header: deterministic (no time, no pid). */
static int with_header(const struct record_args *a, char **text)
{
	char *buf = NULL, *old = *text;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	fprintf(f, "# Recorded by moat record");
	if (a->gen.args)
		fprintf(f, " --args");
	if (a->cmd) {
		fprintf(f, " --");
		for (char **p = a->cmd; *p; p++)
			fprintf(f, " %s", *p);
	} else if (a->cgroup) {
		fprintf(f, " --cgroup %s", a->cgroup);
	} else if (a->pid) {
		fprintf(f, " --pid");
	}
	for (size_t i = 0; i < a->nmerge; i++)
		fprintf(f, "%s %s", i ? "" : " --merge", a->merge[i]);
	fprintf(f, "\n%s", old);
	if (fclose(f))
		return -ENOMEM;
	free(old);
	*text = buf;
	return 0;
}

static int record(struct record_args *a, struct moat_recording **out, int *cmd_status)
{
	struct moat_recorder *rec = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, unblocked;
	int err, rc = MOAT_EXIT_FAIL, pidfd = -1;

	libbpf_set_print(libbpf_quiet);
	err = moat_recorder_new(&a->rec, &rec);
	if (err) {
		if (err == -EPERM)
			fprintf(stderr,
				"moat record: loading eBPF needs root (CAP_BPF and "
				"CAP_PERFMON): %s\n",
				strerror(-err));
		else if (err == -EOPNOTSUPP)
			fprintf(stderr, "moat record: this kernel cannot run moat's eBPF "
					"recorder (needs BTF and tp_btf)\n");
		else if (a->cgroup)
			fprintf(stderr, "moat record: %s: %s\n", a->cgroup,
				err == -EINVAL ? "not a cgroup v2 directory" : strerror(-err));
		else
			fprintf(stderr, "moat record: cannot start the recorder: %s\n",
				strerror(-err));
		return MOAT_EXIT_FAIL;
	}
	/* Stop signals and SIGCHLD only wake ppoll: no lost wake-up between check and wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &unblocked);
	sigdelset(&unblocked, SIGINT);
	sigdelset(&unblocked, SIGTERM);
	sigdelset(&unblocked, SIGHUP);
	sigdelset(&unblocked, SIGCHLD);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &(struct sigaction){ .sa_handler = on_sigchld }, NULL);

	if (a->cmd) {
		rc = run_cmd(rec, a, &unblocked, cmd_status);
		if (rc)
			goto cleanup;
	} else if (a->pid) {
		pidfd = syscall(SYS_pidfd_open, a->pid, 0);
		if (pidfd < 0) {
			fprintf(stderr, "moat record: pid %d: %s\n", (int)a->pid, strerror(errno));
			goto cleanup;
		}
		err = moat_recorder_track_pid(rec, a->pid);
		if (err) {
			fprintf(stderr, "moat record: cannot track pid %d: %s\n", (int)a->pid,
				strerror(-err));
			goto cleanup;
		}
		if (!a->quiet)
			fprintf(stderr,
				"moat record: recording pid %d and its descendants; Ctrl-C to "
				"stop\n",
				(int)a->pid);
		wait_stop(pidfd, a->duration, &unblocked);
	} else {
		if (!a->quiet)
			fprintf(stderr, "moat record: recording cgroup %s; Ctrl-C to stop\n",
				a->cgroup);
		wait_stop(-1, a->duration, &unblocked);
	}
	err = moat_recorder_collect(rec, out);
	if (err) {
		fprintf(stderr, "moat record: reading the recording: %s\n", strerror(-err));
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (pidfd >= 0)
		close(pidfd);
	moat_recorder_free(rec);
	sigprocmask(SIG_SETMASK, &unblocked, NULL);
	return rc;
}

int cmd_record(int argc, char **argv)
{
	struct record_args a = { .format = "moat" };
	struct moat_recording *r = NULL;
	struct moat_policy *p = NULL;
	struct moat_diags diags;
	char *text = NULL;
	int rc, err, cmd_status = 0;

	if (cli_wants_help(argc, argv))
		return MOAT_EXIT_OK;
	moat_diags_init(&diags);
	rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		goto out;
	rc = MOAT_EXIT_FAIL;
	if (a.cmd || a.pid || a.cgroup) {
		rc = record(&a, &r, &cmd_status);
		if (rc)
			goto out;
		rc = MOAT_EXIT_FAIL;
		report_losses(r);
		err = moat_policy_from_recording(r, &a.gen, &p, &diags);
		cli_print_diags(&diags);
		if (err) {
			fprintf(stderr, "moat record: %s\n", strerror(-err));
			goto out;
		}
	}
	for (size_t i = 0; i < a.nmerge; i++) {
		struct moat_policy *m = cli_load_policy(a.merge[i], NULL);

		if (!m)
			goto out;
		if (!p) {
			/* Merging only: the first file is the base. */
			p = m;
			continue;
		}
		err = moat_policy_union(p, m);
		moat_policy_free(m);
		if (err) {
			fprintf(stderr, "moat record: merging %s: %s\n", a.merge[i],
				strerror(-err));
			goto out;
		}
	}
	if (!strcmp(a.format, "oci")) {
		err = moat_oci_export(p, &text);
	} else if (!strcmp(a.format, "spo")) {
		char name[64];

		spo_name(&a, name, sizeof(name));
		err = moat_spo_export(p, name, &text);
	} else {
		err = moat_policy_to_moat(p, &text);
		if (!err)
			err = with_header(&a, &text);
	}
	if (err) {
		fprintf(stderr, "moat record: writing the %s profile: %s\n", a.format,
			strerror(-err));
		goto out;
	}
	if (cli_write_output(a.out, text, strlen(text)))
		goto out;
	if (!a.quiet && r) {
		uint64_t total = 0;

		for (unsigned x = 0; x < MOAT_ARCH__COUNT; x++)
			for (unsigned nr = 0; nr < MOAT_RECORD_NR_MAX; nr++)
				total += r->counts[x][nr];
		fprintf(stderr, "moat record: %" PRIu64 " syscalls, %zu rules%s%s%s\n", total,
			p->nrules, a.out ? " written to " : "", a.out ? a.out : "",
			moat_recording_lost(r) ? " (INCOMPLETE: see the warnings above)" : "");
		if (a.cmd && cmd_status &&
		    !(WIFSIGNALED(cmd_status) && WTERMSIG(cmd_status) == SIGINT))
			fprintf(stderr, "moat record: note: %s exited with %s %d\n", a.cmd[0],
				WIFSIGNALED(cmd_status) ? "signal" : "status",
				WIFSIGNALED(cmd_status) ? WTERMSIG(cmd_status)
							: WEXITSTATUS(cmd_status));
	}
	rc = MOAT_EXIT_OK;
out:
	free(text);
	moat_policy_free(p);
	moat_recording_free(r);
	moat_diags_free(&diags);
	free(a.merge);
	return rc;
}
