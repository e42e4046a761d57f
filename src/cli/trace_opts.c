// SPDX-License-Identifier: MIT
/* Filter options of `moat trace` and `moat top`. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli/trace_opts.h"
#include "moat/syscalls.h"

static int parse_syscalls(struct cli_trace_opts *co, const char *arg)
{
	enum moat_arch native = moat_arch_native();
	char *copy, *tok, *save = NULL;
	int rc = 0;

	/* strace spells it -e trace=a,b: accept that too. */
	if (!strncmp(arg, "trace=", 6))
		arg += 6;
	copy = strdup(arg);
	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint32_t nr, *v;

		if (moat_syscall_parse(native, tok, &nr)) {
			fprintf(stderr, "moat: unknown syscall '%s' on %s\n", tok,
				moat_arch_name(native));
			rc = -1;
			break;
		}
		v = realloc(co->nrs, (co->filter.nsyscalls + 1) * sizeof(*v));
		if (!v) {
			rc = -1;
			break;
		}
		co->nrs = v;
		co->nrs[co->filter.nsyscalls++] = nr;
		co->filter.syscalls = co->nrs;
	}
	free(copy);
	if (!rc && !co->filter.nsyscalls) {
		fprintf(stderr, "moat: -e needs at least one syscall name\n");
		rc = -1;
	}
	return rc;
}

int cli_trace_opt(struct cli_trace_opts *co, int opt, const char *arg)
{
	char *end;
	long v;

	switch (opt) {
	case 'p':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v <= 0 || v > 0x3fffffff) {
			fprintf(stderr, "moat: bad pid '%s'\n", arg);
			return -1;
		}
		co->filter.pid = (int)v;
		return 0;
	case 'c':
		co->filter.cgroup = arg;
		return 0;
	case 'C':
		if (!*arg || strlen(arg) > 15) {
			fprintf(stderr,
				"moat: --comm '%s': a task name has 1 to 15 bytes (see "
				"/proc/PID/comm)\n",
				arg);
			return -1;
		}
		co->filter.comm = arg;
		return 0;
	case 'e':
		return parse_syscalls(co, arg);
	}
	return -1;
}

int cli_trace_check_target(const struct cli_trace_opts *co, const char *tool)
{
	/* EPERM: it exists, owned by someone else (root traces it anyway). */
	if (co->filter.pid && kill((pid_t)co->filter.pid, 0) && errno == ESRCH) {
		fprintf(stderr, "moat %s: no process %d\n", tool, co->filter.pid);
		return -1;
	}
	return 0;
}

void cli_trace_opts_free(struct cli_trace_opts *co)
{
	free(co->nrs);
	co->nrs = NULL;
}

int cli_parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	if (*end)
		return -1;
	*out = (size_t)v;
	return 0;
}

void cli_trace_load_error(const char *tool, int err, const struct moat_trace_filter *f)
{
	switch (err) {
	case EPERM:
		fprintf(stderr,
			"moat %s: permission denied loading eBPF programs: run as root "
			"(needs CAP_BPF and CAP_PERFMON)\n",
			tool);
		break;
	case EOPNOTSUPP:
		fprintf(stderr,
			"moat %s: this kernel cannot run moat's eBPF programs (needs BTF, "
			"tp_btf, ring buffer and task storage; see 'moat features')\n",
			tool);
		break;
	case ENOENT:
		if (f->cgroup) {
			fprintf(stderr, "moat %s: no cgroup '%s'\n", tool, f->cgroup);
			break;
		}
		/* fall through */
	default:
		if (err == EINVAL && f->cgroup)
			fprintf(stderr, "moat %s: '%s' is not a cgroup v2 directory\n", tool,
				f->cgroup);
		else
			fprintf(stderr, "moat %s: cannot start: %s\n", tool, strerror(err));
	}
}
