// SPDX-License-Identifier: MIT
/*
 * moat run: runs a command under a policy; every syscall the policy denies
 * is reported by name (stderr, and JSON lines with --report).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "moat/compile.h"
#include "moat/decode.h"
#include "moat/sandbox.h"

MOAT_CMD(run, "run a command under a policy, reporting each violation");

const char help_run[] =
	"usage: moat run [-p POLICY.moat | --oci PROFILE.json] [-I DIR]... [--mode MODE]\n"
	"                [--report FILE] [--max-reports N] [--report-errno-rules] [--quiet]\n"
	"                [--] CMD [ARG...]\n"
	"\n"
	"Runs CMD under the policy's seccomp filter (no_new_privs is set: setuid\n"
	"binaries gain nothing). Works unprivileged; needs no eBPF and no auditd.\n"
	"Each syscall the policy denies is reported on stderr: time, pid, comm,\n"
	"the call with decoded arguments, the rule that denied it (file:line) and\n"
	"the answer given. A summary by syscall follows at exit. In an allow-list\n"
	"(a default that denies), a call answered by an explicit errno rule (e.g.\n"
	"`errno ENOSYS clone3`) is the policy's deliberate answer, not a violation:\n"
	"it is counted in the summary, not reported one by one. In a deny-list\n"
	"(default allow) the errno rules are the denials and are reported.\n"
	"\n"
	"  -p, --policy FILE  the policy (.moat, or OCI JSON: told apart by content)\n"
	"      --oci FILE     an OCI/Docker seccomp profile (same as -p)\n"
	"  -I, --include-dir DIR\n"
	"                     look for the policy's include \"FILE\" in DIR too, after\n"
	"                     the including file's directory (repeatable, in order)\n"
	"  -m, --mode MODE    enforce (default): denied calls fail with the policy's\n"
	"                     errno, kill rules kill; complain: every call proceeds,\n"
	"                     reported as \"would deny\"; kill: the process making a\n"
	"                     denied call is killed after the report\n"
	"  -r, --report FILE  also write each violation as a JSON line to FILE\n"
	"  -q, --quiet        no line per violation (the summary stays)\n"
	"      --max-reports N\n"
	"                     report the first N (default 10, 0: all) violations of\n"
	"                     each (pid, syscall, rule) one by one; the rest are\n"
	"                     counted and printed as one \"repeated N more times\"\n"
	"                     line per key (each second while it lasts, and at exit)\n"
	"      --report-errno-rules\n"
	"                     report calls answered by explicit errno rules too, as\n"
	"                     violations\n"
	"\n"
	"Exit status: CMD's own (128+N when killed by signal N); 125 when the\n"
	"sandbox could not be set up (CMD never ran), 126 when CMD could not be\n"
	"executed, 127 when it was not found. INT TERM HUP QUIT USR1 USR2 WINCH\n"
	"sent to moat are forwarded to CMD. If moat itself dies, CMD keeps\n"
	"running and every call the policy denies fails with ENOSYS: the sandbox\n"
	"never opens (docs/run.md).\n";

struct summary_row {
	char name[64];
	uint64_t count;
	char answer[64];
};

/*
 * One (pid, syscall, rule) key of the flood limiter: a target that retries a
 * denied call in a loop (dash's `wait` on an EPERM rt_sigsuspend) makes
 * millions of identical violations. The first max_reports of each key are
 * reported one by one, the rest counted here and printed as one line per
 * key: bounded output, nothing dropped silently.
 *
 * The table holds at most FLOOD_MAX_KEYS keys (~620 bytes each, twice as
 * many slots): a long run forks new pids without end. When it is full, the
 * keys of pids that are gone go first, then the least recently seen ones;
 * a key prints its counted rest before it goes, so every violation is still
 * on some line, and the summary's totals are kept apart. A key that comes
 * back starts again (its next max_reports reported one by one).
 */
#define FLOOD_MAX_KEYS 1024
struct flood_key {
	pid_t pid;
	uint32_t arch;
	int32_t nr;
	uint32_t origin_kind, origin_rule;
	bool used;
	uint64_t seen;	  /* violations of this key so far */
	uint64_t pending; /* counted since the last line printed for it */
	uint64_t last_seq;
	struct timespec last_time;
	pid_t tgid;
	char comm[16];
	char label[64];
	char answer[64];
	char rule[256];
	char action[64];
	const char *file;
	uint32_t line;
	bool would_deny, logged;
};

struct run_ctx {
	enum moat_run_mode mode;
	bool report_errno_rules;   /* report errno-rule answers as violations */
	unsigned long max_reports; /* per key; 0: unlimited */
	struct flood_key *keys;	   /* open addressing, nkeys_cap a power of 2 */
	size_t nkeys, nkeys_cap;
	uint64_t npending; /* sum of the keys' pending */
	struct timespec last_flush;
	bool quiet;
	FILE *report;
	const char *report_path;
	bool report_failed;
	struct summary_row *rows;
	size_t nrows, cap;
	/* Calls answered by explicit errno rules, when not reported: counted by syscall. */
	struct summary_row *erows;
	size_t nerows, ecap;
	uint64_t errno_answered;
	uint64_t total;
	uint64_t logged; /* log rules: reported, not violations */
};

static void syscall_label(const struct moat_violation *v, char *buf, size_t size)
{
	if (v->syscall)
		snprintf(buf, size, "%s", v->syscall);
	else
		snprintf(buf, size, "syscall_%" PRIu32, (uint32_t)v->nr);
	if (v->arch != (uint32_t)moat_arch_native()) {
		size_t n = strlen(buf);

		snprintf(buf + n, size - n, "[%s]",
			 v->arch < MOAT_ARCH__COUNT ? moat_arch_name(v->arch) : "?arch");
	}
}

/* One argument as words: constants by name, strings read from memory quoted. */
static void format_arg(const struct moat_violation *v, const struct moat_syscall_sig *sig, int i,
		       char *buf, size_t size)
{
	const struct moat_violation_str *s = &v->str[i];

	if (s->present && !s->err) {
		int n = moat_decode_string(s->data, s->len, buf, size);

		if (s->truncated && n >= 0 && (size_t)n + 3 < size)
			strcat(buf, "...");
		return;
	}
	if (sig) {
		/* As its other arguments say: fcntl's third by its command. */
		moat_decode_call_arg(sig, v->args, i, buf, size);
		return;
	}
	snprintf(buf, size, "%#" PRIx64, v->args[i]);
}

static int nargs_of(const struct moat_syscall_sig *sig)
{
	return sig ? (sig->nargs > 6 ? 6 : sig->nargs) : 6;
}

/* moat_errno_name walks a table: remember the answers (one per violation). */
static const char *errno_name_cached(int e)
{
	static const char *names[256];
	static bool known[256];

	if (e < 0 || e >= 256)
		return moat_errno_name(e);
	if (!known[e]) {
		names[e] = moat_errno_name(e);
		known[e] = true;
	}
	return names[e];
}

static void format_answer(const struct moat_violation *v, char *buf, size_t size)
{
	const char *en;

	switch (v->answer) {
	case MOAT_ANSWER_ERRNO:
		en = errno_name_cached(v->error);
		if (v->error == 0)
			snprintf(buf, size, "returned 0");
		else if (en)
			snprintf(buf, size, "%s", en);
		else
			snprintf(buf, size, "errno %d", v->error);
		break;
	case MOAT_ANSWER_CONTINUE:
		snprintf(buf, size, "%s", v->would_deny ? "allowed (complain)" : "allowed (log)");
		break;
	case MOAT_ANSWER_KILLED:
		snprintf(buf, size, "process killed");
		break;
	default:
		snprintf(buf, size, "caller gone");
		break;
	}
}

static void format_rule(const struct moat_violation *v, char *buf, size_t size)
{
	char act[64];
	const char *what;

	moat_action_format(v->action, act, sizeof(act));
	switch (v->origin.kind) {
	case MOAT_ORIGIN_RULE:
		what = "rule";
		break;
	case MOAT_ORIGIN_DEFAULT:
		what = "default";
		break;
	case MOAT_ORIGIN_UNKNOWN:
		what = "unknown-syscall default";
		break;
	case MOAT_ORIGIN_BADARCH:
	case MOAT_ORIGIN_X32:
		what = "other-architecture default";
		break;
	default:
		snprintf(buf, size, "(rule not found: denied)");
		return;
	}
	if (v->loc)
		snprintf(buf, size, "%s:%" PRIu32 " (%s %s)", v->loc->file, v->loc->line, what,
			 act);
	else
		snprintf(buf, size, "built-in %s (%s)", what, act);
}

static void time_iso(const struct timespec *t, char *buf, size_t size)
{
	struct tm tm;
	size_t n;

	gmtime_r(&t->tv_sec, &tm);
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%06ldZ", t->tv_nsec / 1000);
}

/* Counts (NAME, ANSWER) in the table *ROWS of *N rows (room for *CAP). */
static void summary_add(struct summary_row **rows, size_t *n, size_t *cap, const char *name,
			const char *answer)
{
	for (size_t i = 0; i < *n; i++) {
		if (!strcmp((*rows)[i].name, name) && !strcmp((*rows)[i].answer, answer)) {
			(*rows)[i].count++;
			return;
		}
	}
	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 16;
		struct summary_row *r = realloc(*rows, ncap * sizeof(*r));

		if (!r)
			return; /* the total still counts it */
		*rows = r;
		*cap = ncap;
	}
	snprintf((*rows)[*n].name, sizeof((*rows)[0].name), "%s", name);
	snprintf((*rows)[*n].answer, sizeof((*rows)[0].answer), "%s", answer);
	(*rows)[(*n)++].count = 1;
}

/*
 * An explicit errno rule is the policy's deliberate answer (Podman's
 * `errno ENOSYS clone3` makes glibc fall back to clone), not a violation.
 * Only when that errno is what the call got: in complain mode the call ran
 * and in kill mode its process was killed, which the user must see.
 */
static bool errno_rule_answer(const struct moat_violation *v)
{
	return v->origin.kind == MOAT_ORIGIN_RULE && v->action.kind == MOAT_ACT_ERRNO &&
	       v->answer == MOAT_ANSWER_ERRNO;
}

static void write_json(struct run_ctx *c, const struct moat_violation *v, const char *label,
		       const struct moat_syscall_sig *sig, const char *answer)
{
	char ts[64], buf[1024], act[64];
	json_t *o = json_object(), *args = json_array(), *raw = json_array(), *rule;
	char *line;

	if (!o || !args || !raw)
		goto fail;
	time_iso(&v->time, ts, sizeof(ts));
	for (int i = 0; i < nargs_of(sig); i++) {
		format_arg(v, sig, i, buf, sizeof(buf));
		json_array_append_new(args, json_string(buf));
	}
	for (int i = 0; i < 6; i++)
		json_array_append_new(raw, json_integer((json_int_t)v->args[i]));
	moat_action_format(v->action, act, sizeof(act));
	rule = json_pack("{s:s, s:s?, s:i}", "action", act, "file", v->loc ? v->loc->file : NULL,
			 "line", v->loc ? (json_int_t)v->loc->line : 0);
	json_object_set_new(o, "seq", json_integer((json_int_t)v->seq));
	json_object_set_new(o, "time", json_string(ts));
	json_object_set_new(o, "pid", json_integer(v->pid));
	json_object_set_new(o, "tgid", json_integer(v->tgid));
	json_object_set_new(o, "comm", json_string(v->comm));
	json_object_set_new(
		o, "arch",
		json_string(v->arch < MOAT_ARCH__COUNT ? moat_arch_name(v->arch) : "unknown"));
	json_object_set_new(o, "syscall", json_string(label));
	json_object_set_new(o, "nr", json_integer(v->nr));
	json_object_set_new(o, "args", args);
	json_object_set_new(o, "raw_args", raw);
	args = raw = NULL;
	if (rule)
		json_object_set_new(o, "rule", rule);
	json_object_set_new(o, "mode", json_string(moat_run_mode_name(c->mode)));
	json_object_set_new(o, "answer", json_string(answer));
	json_object_set_new(o, "would_deny", json_boolean(v->would_deny));
	/* Invalid UTF-8 from the target's memory is escaped by moat_decode_string. */
	line = json_dumps(o, JSON_COMPACT);
	if (!line)
		goto fail;
	/* One line per write, flushed: a live log that `tail -f` can follow. */
	if (fprintf(c->report, "%s\n", line) < 0 || fflush(c->report))
		c->report_failed = true;
	free(line);
	json_decref(o);
	return;
fail:
	json_decref(o);
	json_decref(args);
	json_decref(raw);
	c->report_failed = true;
}

static size_t flood_hash(pid_t pid, uint32_t arch, int32_t nr, uint32_t kind, uint32_t rule)
{
	uint64_t h = (uint64_t)(uint32_t)pid * 0x9e3779b97f4a7c15ull;

	h ^= ((uint64_t)arch << 32 | (uint32_t)nr) * 0xc2b2ae3d27d4eb4full;
	h ^= ((uint64_t)kind << 32 | rule) * 0x165667b19e3779f9ull;
	return (size_t)(h ^ (h >> 29));
}

static struct flood_key *flood_slot(struct flood_key *tab, size_t cap, pid_t pid, uint32_t arch,
				    int32_t nr, uint32_t kind, uint32_t rule)
{
	size_t i = flood_hash(pid, arch, nr, kind, rule) & (cap - 1);

	for (;; i = (i + 1) & (cap - 1)) {
		struct flood_key *k = &tab[i];

		if (!k->used || (k->pid == pid && k->arch == arch && k->nr == nr &&
				 k->origin_kind == kind && k->origin_rule == rule))
			return k;
	}
}

static void flood_print(struct run_ctx *c, struct flood_key *k);

/* The used keys of C moved into a new table of CAP slots (open addressing cannot delete). */
static int flood_rehash(struct run_ctx *c, size_t cap)
{
	struct flood_key *tab = calloc(cap, sizeof(*tab));

	if (!tab)
		return -ENOMEM;
	for (size_t i = 0; i < c->nkeys_cap; i++) {
		struct flood_key *o = &c->keys[i];

		if (o->used)
			*flood_slot(tab, cap, o->pid, o->arch, o->nr, o->origin_kind,
				    o->origin_rule) = *o;
	}
	free(c->keys);
	c->keys = tab;
	c->nkeys_cap = cap;
	return 0;
}

static int seq_cmp(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* Drops K after printing its counted rest. */
static void flood_drop(struct run_ctx *c, struct flood_key *k)
{
	flood_print(c, k);
	k->used = false;
	c->nkeys--;
}

/*
 * The table is full: drop the keys of pids that are gone, and if that frees
 * less than half, the least recently seen keys down to half. A pid that is
 * reused by a new process keeps its keys a while longer: harmless.
 */
static int flood_prune(struct run_ctx *c)
{
	uint64_t *seqs, cut;
	size_t n = 0, keep = FLOOD_MAX_KEYS / 2;

	for (size_t i = 0; i < c->nkeys_cap; i++) {
		struct flood_key *k = &c->keys[i];

		/* ESRCH only: EPERM means the pid exists under another uid. */
		if (k->used && kill(k->pid, 0) && errno == ESRCH)
			flood_drop(c, k);
	}
	if (c->nkeys > keep) {
		seqs = malloc(c->nkeys * sizeof(*seqs));
		if (!seqs)
			return -ENOMEM;
		for (size_t i = 0; i < c->nkeys_cap; i++)
			if (c->keys[i].used)
				seqs[n++] = c->keys[i].last_seq;
		qsort(seqs, n, sizeof(*seqs), seq_cmp);
		/* Sequence numbers are unique: exactly n - keep keys are older than cut. */
		cut = seqs[n - keep];
		free(seqs);
		for (size_t i = 0; i < c->nkeys_cap; i++)
			if (c->keys[i].used && c->keys[i].last_seq < cut)
				flood_drop(c, &c->keys[i]);
	}
	if (!c->quiet)
		fflush(stderr);
	return flood_rehash(c, c->nkeys_cap);
}

/* The key of V, created (seen 0) if new; NULL when out of memory. */
static struct flood_key *flood_find(struct run_ctx *c, const struct moat_violation *v)
{
	uint32_t kind = (uint32_t)v->origin.kind, rule = v->origin.rule;
	struct flood_key *k;

	k = c->keys ? flood_slot(c->keys, c->nkeys_cap, v->pid, v->arch, v->nr, kind, rule) : NULL;
	if (k && k->used)
		return k;
	if (c->nkeys >= FLOOD_MAX_KEYS && flood_prune(c))
		return NULL;
	if (2 * (c->nkeys + 1) > c->nkeys_cap &&
	    flood_rehash(c, c->nkeys_cap ? 2 * c->nkeys_cap : 64))
		return NULL;
	k = flood_slot(c->keys, c->nkeys_cap, v->pid, v->arch, v->nr, kind, rule);
	if (!k->used) {
		k->used = true;
		k->pid = v->pid;
		k->arch = v->arch;
		k->nr = v->nr;
		k->origin_kind = kind;
		k->origin_rule = rule;
		c->nkeys++;
	}
	return k;
}

/* One line (stderr) and one JSON record (--report) for K's counted violations. */
static void flood_print(struct run_ctx *c, struct flood_key *k)
{
	char ts[64];

	if (!k->pending)
		return;
	time_iso(&k->last_time, ts, sizeof(ts));
	if (!c->quiet)
		fprintf(stderr,
			"moat: %s pid %d (%s) %s() %s by %s: %s, repeated %" PRIu64
			" more time%s (%" PRIu64 " in all)\n",
			ts + 11, (int)k->pid, k->comm, k->label,
			k->would_deny ? "would be denied"
			: k->logged   ? "logged"
				      : "denied",
			k->rule, k->answer, k->pending, k->pending == 1 ? "" : "s", k->seen);
	if (c->report) {
		json_t *o = json_pack(
			"{s:I, s:I, s:I, s:s, s:i, s:i, s:s, s:s, s:i, s:{s:s, s:s?, s:i},"
			" s:s, s:s, s:b}",
			"repeated", (json_int_t)k->pending, "total", (json_int_t)k->seen,
			"last_seq", (json_int_t)k->last_seq, "time", ts, "pid", (int)k->pid, "tgid",
			(int)k->tgid, "comm", k->comm, "syscall", k->label, "nr", (int)k->nr,
			"rule", "action", k->action, "file", k->file, "line", (int)k->line, "mode",
			moat_run_mode_name(c->mode), "answer", k->answer, "would_deny",
			(int)k->would_deny);
		char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;

		if (!line || fprintf(c->report, "%s\n", line) < 0 || fflush(c->report))
			c->report_failed = true;
		free(line);
		json_decref(o);
	}
	c->npending -= k->pending;
	k->pending = 0;
}

static void flood_flush(struct run_ctx *c)
{
	for (size_t i = 0; i < c->nkeys_cap && c->npending; i++)
		if (c->keys[i].used)
			flood_print(c, &c->keys[i]);
	if (!c->quiet)
		fflush(stderr);
	clock_gettime(CLOCK_MONOTONIC, &c->last_flush);
}

/*
 * Counts V against its key. True when it is beyond the first max_reports
 * of the key: counted (printed later as "repeated"), not reported alone.
 */
static bool flood_count(struct run_ctx *c, const struct moat_violation *v, const char *label,
			const char *answer)
{
	struct flood_key *k;
	struct timespec now;

	if (!c->max_reports)
		return false;
	k = flood_find(c, v);
	if (!k)
		return false; /* out of memory: report it in full rather than lose it */
	k->seen++;
	k->last_seq = v->seq;
	k->last_time = v->time;
	if (k->seen <= c->max_reports) {
		if (k->seen == 1) {
			/* What the "repeated" line says: as in the first report. */
			k->tgid = v->tgid;
			snprintf(k->comm, sizeof(k->comm), "%s", v->comm);
			snprintf(k->label, sizeof(k->label), "%s", label);
			snprintf(k->answer, sizeof(k->answer), "%s", answer);
			format_rule(v, k->rule, sizeof(k->rule));
			moat_action_format(v->action, k->action, sizeof(k->action));
			k->file = v->loc ? v->loc->file : NULL;
			k->line = v->loc ? v->loc->line : 0;
			k->would_deny = v->would_deny;
			k->logged = v->answer == MOAT_ANSWER_CONTINUE && !v->would_deny;
		}
		return false;
	}
	k->pending++;
	c->npending++;
	/* While a flood lasts, one line per key and second (vDSO clock: cheap). */
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > c->last_flush.tv_sec + 1 ||
	    (now.tv_sec == c->last_flush.tv_sec + 1 && now.tv_nsec >= c->last_flush.tv_nsec))
		flood_flush(c);
	return true;
}

static void on_violation(const struct moat_violation *v, void *ctx)
{
	struct run_ctx *c = ctx;
	const struct moat_syscall_sig *sig = v->syscall ? moat_syscall_sig(v->syscall) : NULL;
	char label[64], answer[64], rule[512], arg[1024], ts[64];

	syscall_label(v, label, sizeof(label));
	format_answer(v, answer, sizeof(answer));
	if (!c->report_errno_rules && errno_rule_answer(v)) {
		c->errno_answered++;
		summary_add(&c->erows, &c->nerows, &c->ecap, label, answer);
		return;
	}
	if (v->answer == MOAT_ANSWER_CONTINUE && !v->would_deny)
		c->logged++;
	else
		c->total++;
	summary_add(&c->rows, &c->nrows, &c->cap, label, answer);
	if (flood_count(c, v, label, answer))
		return;
	if (c->report)
		write_json(c, v, label, sig, answer);
	if (c->quiet)
		return;
	format_rule(v, rule, sizeof(rule));
	time_iso(&v->time, ts, sizeof(ts));
	fprintf(stderr, "moat: %s pid %d (%s) %s(", ts + 11, (int)v->pid, v->comm, label);
	/* As strace and moat trace: the arguments the call uses (open's mode with O_CREAT). */
	for (int i = 0; i < (sig ? moat_call_nargs(sig, v->args) : 6); i++) {
		format_arg(v, sig, i, arg, sizeof(arg));
		fprintf(stderr, "%s%s", i ? ", " : "", arg);
	}
	fprintf(stderr, ") %s by %s: %s\n",
		v->would_deny			    ? "would be denied"
		: v->answer == MOAT_ANSWER_CONTINUE ? "logged"
						    : "denied",
		rule, answer);
	fflush(stderr);
}

/*
 * complain -> enforce: the rule that would let every reported native call
 * through, for the user to review and paste (calls of other ABIs are left
 * out: allowing those is rarely what anyone wants).
 */
static void print_suggestion(const struct run_ctx *c)
{
	size_t col = 0, n = 0;

	for (size_t i = 0; i < c->nrows; i++) {
		const char *name = c->rows[i].name;
		bool seen = false;

		if (strchr(name, '[') || strcmp(c->rows[i].answer, "allowed (complain)"))
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(c->rows[j].name, name);
		if (seen)
			continue;
		if (n++ == 0) {
			fprintf(stderr,
				"moat: to allow all of them, review and add to the policy:\n");
			col = 0;
		}
		if (col == 0 || col + strlen(name) > 90) {
			fprintf(stderr, "%sallow", col ? "\n" : "");
			col = 5;
		}
		fprintf(stderr, " %s", name);
		col += 1 + strlen(name);
	}
	if (n)
		fputc('\n', stderr);
}

static void print_summary(struct run_ctx *c, const struct moat_sandbox_stats *st)
{
	if (c->total == 0 && c->logged == 0 && st->lost == 0 && c->errno_answered == 0)
		return;
	fprintf(stderr, "moat: %" PRIu64 " violation%s", c->total, c->total == 1 ? "" : "s");
	if (c->logged)
		fprintf(stderr, ", %" PRIu64 " logged call%s", c->logged,
			c->logged == 1 ? "" : "s");
	fprintf(stderr, " (%s mode)\n", moat_run_mode_name(c->mode));
	for (size_t i = 0; i < c->nrows; i++)
		fprintf(stderr, "moat:   %8" PRIu64 "  %-24s %s\n", c->rows[i].count,
			c->rows[i].name, c->rows[i].answer);
	if (c->errno_answered)
		fprintf(stderr,
			"moat: %" PRIu64
			" call%s answered by errno rules (the policy's own answer, "
			"not reported; --report-errno-rules reports them)\n",
			c->errno_answered, c->errno_answered == 1 ? "" : "s");
	for (size_t i = 0; i < c->nerows; i++)
		fprintf(stderr, "moat:   %8" PRIu64 "  %-24s %s\n", c->erows[i].count,
			c->erows[i].name, c->erows[i].answer);
	if (c->mode == MOAT_RUN_COMPLAIN)
		print_suggestion(c);
	if (st->lost)
		fprintf(stderr,
			"moat: %" PRIu64 " violation%s could not be reported in full (the caller "
			"vanished first)\n",
			st->lost, st->lost == 1 ? "" : "s");
	if (c->report_failed)
		fprintf(stderr, "moat: writing %s failed: the report is incomplete\n",
			c->report_path);
}

/*
 * moat run shows a policy's errors; its warnings (a profile written for
 * other architectures warns a lot) are counted, and `moat check` shows them.
 */
static void print_errors(const struct moat_diags *d, const char *path)
{
	size_t warnings = 0;

	for (size_t i = 0; i < d->n; i++) {
		char *text;

		if (d->v[i].level != MOAT_DIAG_ERROR) {
			warnings += d->v[i].level == MOAT_DIAG_WARNING;
			continue;
		}
		if (moat_diag_format(&d->v[i], &text) == 0) {
			fputs(text, stderr);
			free(text);
		} else {
			fprintf(stderr, "moat: %s\n", d->v[i].msg);
		}
	}
	if (warnings && !d->nerrors)
		fprintf(stderr, "moat: %s: %zu warning%s (see 'moat check %s')\n", path, warnings,
			warnings == 1 ? "" : "s", path);
}

/*
 * The policy (.moat or OCI JSON, told apart by content), with only its
 * errors shown (see print_errors). NULL on failure.
 */
static struct moat_policy *load_policy(const char *path)
{
	struct moat_policy *p = NULL;
	struct moat_diags d;
	int err;

	moat_diags_init(&d);
	err = moat_policy_load(path, cli_parse_opts(), NULL, &p, &d);
	print_errors(&d, path);
	if (err && !d.nerrors)
		fprintf(stderr, "moat: %s: %s\n", path, strerror(-err));
	moat_diags_free(&d);
	return err ? NULL : p;
}

static int exit_for_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return MOAT_EXIT_SANDBOX;
}

static const char *stage_hint(enum moat_spawn_stage stage, int err)
{
	switch (stage) {
	case MOAT_STAGE_NNP:
		return "this kernel refuses no_new_privs; moat cannot sandbox without it";
	case MOAT_STAGE_FILTER:
		if (err == EINVAL)
			return "the kernel refused the filter or its flags (user notification "
			       "needs "
			       "Linux 5.7+ here; is CONFIG_SECCOMP_FILTER set?)";
		if (err == ENOMEM)
			return "too many seccomp filters stacked on this process tree (32768 "
			       "instructions at most): run moat from a less filtered parent";
		if (err == EACCES)
			return "seccomp needs no_new_privs or CAP_SYS_ADMIN";
		if (err == EBUSY)
			return "a seccomp supervisor already watches this process tree (moat run "
			       "inside moat run, or a container's seccomp agent), and the kernel "
			       "allows only one: run moat outside it";
		return "the kernel refused the seccomp filter";
	case MOAT_STAGE_CLONE:
		if (err == EAGAIN)
			return "process limit reached (ulimit -u)";
		return "could not create the child process";
	case MOAT_STAGE_SETUP:
		return "moat could not prepare its own resources";
	default:
		return NULL;
	}
}

static int report_failure(const char *cmd, enum moat_spawn_stage stage, int err)
{
	const char *hint = stage_hint(stage, err);

	if (stage == MOAT_STAGE_RESOLVE || stage == MOAT_STAGE_EXEC) {
		if (err == ENOENT) {
			fprintf(stderr, "moat: %s: command not found\n", cmd);
			return MOAT_EXIT_NOENT;
		}
		fprintf(stderr, "moat: cannot execute %s: %s%s\n", cmd, strerror(err),
			stage == MOAT_STAGE_EXEC && err == EPERM
				? " (the policy must allow execve for the command to start)"
				: "");
		return MOAT_EXIT_NOEXEC;
	}
	fprintf(stderr, "moat: %s failed: %s; %s was not run\n", moat_spawn_stage_name(stage),
		strerror(err), cmd);
	if (hint)
		fprintf(stderr, "moat: %s\n", hint);
	return MOAT_EXIT_SANDBOX;
}

int cmd_run(int argc, char **argv)
{
	const char *policy_path = NULL, *report_path = NULL;
	struct run_ctx ctx = { .mode = MOAT_RUN_ENFORCE, .max_reports = 10 };
	struct moat_compile_opts copts = { .optimize = 1 };
	struct moat_sandbox_opts sopts = { 0 };
	struct moat_sandbox_stats stats;
	struct moat_policy *policy = NULL;
	struct moat_sandbox *sb = NULL;
	struct moat_prog *prog = NULL;
	struct moat_diags diags;
	int i, r, st, ret = MOAT_EXIT_SANDBOX, err;
	enum moat_spawn_stage stage;

	if (cli_wants_help(argc, argv))
		return MOAT_EXIT_OK;
	moat_diags_init(&diags);
	/* Options end at "--" or at the first word that is not one: CMD's own. */
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			ctx.quiet = true;
			continue;
		}
		if (!strcmp(a, "--report-errno-rules")) {
			ctx.report_errno_rules = true;
			continue;
		}
		r = cli_include_opt(argc, argv, &i);
		if (r < 0)
			goto usage;
		if (r > 0)
			continue;
		if (!strcmp(a, "-p") || !strcmp(a, "--policy") || !strcmp(a, "--oci")) {
			if (!val)
				goto missing;
			if (policy_path) {
				fprintf(stderr, "moat run: only one policy (-p or --oci)\n");
				goto usage;
			}
			policy_path = val;
		} else if (!strcmp(a, "-m") || !strcmp(a, "--mode")) {
			if (!val)
				goto missing;
			if (moat_run_mode_parse(val, &ctx.mode) < 0) {
				fprintf(stderr,
					"moat run: unknown mode '%s' (enforce, complain or kill)\n",
					val);
				goto usage;
			}
		} else if (!strcmp(a, "--max-reports")) {
			char *end;

			if (!val)
				goto missing;
			errno = 0;
			ctx.max_reports = strtoul(val, &end, 10);
			if (errno || end == val || *end || val[0] == '-') {
				fprintf(stderr,
					"moat run: --max-reports needs a number (0: no limit), "
					"not '%s'\n",
					val);
				goto usage;
			}
		} else if (!strcmp(a, "-r") || !strcmp(a, "--report")) {
			if (!val)
				goto missing;
			report_path = val;
		} else {
			fprintf(stderr, "moat run: unknown option '%s'\n", a);
			goto usage;
		}
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "moat run: no command given\n");
		goto usage;
	}
	if (!policy_path) {
		fprintf(stderr,
			"moat run: a policy is needed (-p POLICY.moat or --oci PROFILE.json)\n");
		goto usage;
	}

	/* From here, every failure is a sandbox failure: CMD never runs. */
	policy = load_policy(policy_path);
	if (!policy)
		goto out;
	/*
	 * In a deny-list (default allow) the errno rules are the denials
	 * themselves: they are what the user wants to see reported.
	 */
	if (policy->default_action.kind == MOAT_ACT_ALLOW)
		ctx.report_errno_rules = true;
	copts.notify_mask = moat_sandbox_notify_mask(ctx.mode);
	r = moat_compile(policy, &copts, &prog, &diags);
	print_errors(&diags, policy_path);
	if (r) {
		fprintf(stderr, "moat: %s: cannot compile the policy: %s; %s was not run\n",
			policy_path, strerror(-r), argv[i]);
		goto out;
	}
	if (report_path) {
		ctx.report_path = report_path;
		ctx.report = fopen(report_path, "we");
		if (!ctx.report) {
			fprintf(stderr, "moat: cannot write %s: %s; %s was not run\n", report_path,
				strerror(errno), argv[i]);
			goto out;
		}
	}
	sopts.prog = prog;
	sopts.policy = policy;
	sopts.mode = ctx.mode;
	sopts.forward_signals = true;
	if (policy->flags & MOAT_FLAG_LOG)
		sopts.filter_flags |= SECCOMP_FILTER_FLAG_LOG;
	if (policy->flags & MOAT_FLAG_SPEC_ALLOW)
		sopts.filter_flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
	sb = moat_sandbox_new(&sopts);
	if (!sb) {
		fprintf(stderr, "moat: %s; %s was not run\n", strerror(errno), argv[i]);
		goto out;
	}
	fflush(stdout);
	fflush(stderr);
	r = moat_sandbox_spawn(sb, argv + i, NULL);
	if (r) {
		stage = moat_sandbox_failure(sb, &err);
		ret = report_failure(argv[i], stage, err);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &ctx.last_flush);
	r = moat_sandbox_supervise(sb, on_violation, &ctx, &st);
	flood_flush(&ctx); /* the counted rest, before the summary */
	moat_sandbox_stats(sb, &stats);
	print_summary(&ctx, &stats);
	if (r) {
		fprintf(stderr, "moat: supervising %s failed: %s; it was killed\n", argv[i],
			strerror(-r));
		ret = MOAT_EXIT_SANDBOX;
		goto out;
	}
	stage = moat_sandbox_failure(sb, &err);
	if (stage != MOAT_STAGE_NONE)
		ret = report_failure(argv[i], stage, err);
	else
		ret = exit_for_status(st);
	/* trap rules are the kernel's in enforce mode: say where a SIGSYS came from. */
	if (stage == MOAT_STAGE_NONE && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
		fprintf(stderr,
			"moat: %s was killed by SIGSYS: a trap rule of the policy, or a seccomp "
			"filter outside moat (rerun with --mode complain to see which call)\n",
			argv[i]);
	goto out;

missing:
	fprintf(stderr, "moat run: option '%s' needs a value\n", argv[i]);
usage:
	fprintf(stderr, "usage: moat run [-p POLICY] [--mode MODE] [--report FILE] "
			"[--max-reports N] [--report-errno-rules] [--quiet] [--] CMD [ARG...]\n");
	ret = MOAT_EXIT_SANDBOX; /* not 2: CMD's own status could be 2 */
out:
	moat_sandbox_free(sb);
	if (ctx.report && fclose(ctx.report) && !ctx.report_failed)
		fprintf(stderr, "moat: writing %s failed: %s\n", report_path, strerror(errno));
	free(ctx.rows);
	free(ctx.erows);
	free(ctx.keys);
	moat_prog_free(prog);
	moat_policy_free(policy);
	moat_diags_free(&diags);
	return ret;
}
