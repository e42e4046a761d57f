// SPDX-License-Identifier: MIT
/*
 * OCI runtime-spec / Docker / Podman seccomp JSON in and out, and the
 * Kubernetes Security Profiles Operator's SeccompProfile YAML out.
 * docs/oci.md is the reference for how each field is read.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "moat/oci.h"
#include "moat/policy.h"

/* ---- Capabilities and kernel versions ---- */

#define CAP(x) [x] = #x
static const char *const cap_names[] = {
	CAP(CAP_CHOWN),
	CAP(CAP_DAC_OVERRIDE),
	CAP(CAP_DAC_READ_SEARCH),
	CAP(CAP_FOWNER),
	CAP(CAP_FSETID),
	CAP(CAP_KILL),
	CAP(CAP_SETGID),
	CAP(CAP_SETUID),
	CAP(CAP_SETPCAP),
	CAP(CAP_LINUX_IMMUTABLE),
	CAP(CAP_NET_BIND_SERVICE),
	CAP(CAP_NET_BROADCAST),
	CAP(CAP_NET_ADMIN),
	CAP(CAP_NET_RAW),
	CAP(CAP_IPC_LOCK),
	CAP(CAP_IPC_OWNER),
	CAP(CAP_SYS_MODULE),
	CAP(CAP_SYS_RAWIO),
	CAP(CAP_SYS_CHROOT),
	CAP(CAP_SYS_PTRACE),
	CAP(CAP_SYS_PACCT),
	CAP(CAP_SYS_ADMIN),
	CAP(CAP_SYS_BOOT),
	CAP(CAP_SYS_NICE),
	CAP(CAP_SYS_RESOURCE),
	CAP(CAP_SYS_TIME),
	CAP(CAP_SYS_TTY_CONFIG),
	CAP(CAP_MKNOD),
	CAP(CAP_LEASE),
	CAP(CAP_AUDIT_WRITE),
	CAP(CAP_AUDIT_CONTROL),
	CAP(CAP_SETFCAP),
	CAP(CAP_MAC_OVERRIDE),
	CAP(CAP_MAC_ADMIN),
	CAP(CAP_SYSLOG),
	CAP(CAP_WAKE_ALARM),
	CAP(CAP_BLOCK_SUSPEND),
	CAP(CAP_AUDIT_READ),
	CAP(CAP_PERFMON),
	CAP(CAP_BPF),
	CAP(CAP_CHECKPOINT_RESTORE),
};
#undef CAP
#define NCAPS (sizeof(cap_names) / sizeof(cap_names[0]))

int moat_cap_parse(const char *name, unsigned *cap)
{
	for (unsigned i = 0; i < NCAPS; i++) {
		if (!cap_names[i])
			continue;
		if (!strcasecmp(name, cap_names[i]) || !strcasecmp(name, cap_names[i] + 4)) {
			*cap = i;
			return 0;
		}
	}
	return -ENOENT;
}

const char *moat_cap_name(unsigned cap)
{
	return cap < NCAPS ? cap_names[cap] : NULL;
}

int moat_kernel_version_parse(const char *s, uint32_t *major, uint32_t *minor)
{
	unsigned long a, b;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	a = strtoul(s, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	b = strtoul(end + 1, &end, 10);
	/* "6.18", "6.18.3", "6.18.0-rc1": the rest does not matter for minKernel. */
	if (*end && *end != '.' && *end != '-' && *end != '+')
		return -EINVAL;
	if (a > UINT32_MAX || b > UINT32_MAX)
		return -EINVAL;
	*major = (uint32_t)a;
	*minor = (uint32_t)b;
	return 0;
}

/* ---- Locating a JSON value in the text, for line:col in diagnostics ---- */

/*
 * jansson keeps no positions, so diagnostics find the byte offset of a value
 * again by walking the (already validated) text. NPOS: not found.
 */
#define NPOS ((size_t)-1)

static size_t skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

static size_t skip_string(const char *s, size_t len, size_t i)
{
	for (i++; i < len && s[i] != '"'; i++)
		if (s[i] == '\\')
			i++;
	return i < len ? i + 1 : len;
}

static size_t skip_value(const char *s, size_t len, size_t i)
{
	size_t depth = 0;

	if (i >= len)
		return len;
	if (s[i] == '"')
		return skip_string(s, len, i);
	if (s[i] != '{' && s[i] != '[') {
		while (i < len && !strchr(",}] \t\r\n", s[i]))
			i++;
		return i;
	}
	for (; i < len; i++) {
		if (s[i] == '"') {
			i = skip_string(s, len, i) - 1;
		} else if (s[i] == '{' || s[i] == '[') {
			depth++;
		} else if (s[i] == '}' || s[i] == ']') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return len;
}

/* Offset of member KEY's value in the object at OFF. */
static size_t loc_member(const char *s, size_t len, size_t off, const char *key)
{
	size_t i, klen = strlen(key);

	if (off == NPOS || off >= len || s[off] != '{')
		return NPOS;
	i = skip_ws(s, len, off + 1);
	while (i < len && s[i] == '"') {
		size_t end = skip_string(s, len, i);
		bool match = end - i == klen + 2 && !memcmp(s + i + 1, key, klen);

		i = skip_ws(s, len, end);
		if (i >= len || s[i] != ':')
			return NPOS;
		i = skip_ws(s, len, i + 1);
		if (match)
			return i;
		i = skip_ws(s, len, skip_value(s, len, i));
		if (i < len && s[i] == ',')
			i = skip_ws(s, len, i + 1);
	}
	return NPOS;
}

/* Offset of element IDX in the array at OFF. */
static size_t loc_elem(const char *s, size_t len, size_t off, size_t idx)
{
	size_t i;

	if (off == NPOS || off >= len || s[off] != '[')
		return NPOS;
	i = skip_ws(s, len, off + 1);
	for (size_t k = 0; i < len && s[i] != ']'; k++) {
		if (k == idx)
			return i;
		i = skip_ws(s, len, skip_value(s, len, i));
		if (i < len && s[i] == ',')
			i = skip_ws(s, len, i + 1);
	}
	return NPOS;
}

/* Offset of the element after the one at OFF in an array; NPOS at the end. */
static size_t next_elem(const char *s, size_t len, size_t off)
{
	size_t i;

	if (off == NPOS)
		return NPOS;
	i = skip_ws(s, len, skip_value(s, len, off));
	if (i >= len || s[i] != ',')
		return NPOS;
	return skip_ws(s, len, i + 1);
}

/* ---- Import ---- */

struct oci_in {
	const char *name;
	const char *text;
	size_t len;
	struct moat_diags *diags;
	struct moat_policy *p;
	uint64_t caps;
	uint32_t kmajor, kminor;
	uint32_t targets; /* arches includes/excludes.arches are evaluated against */
	bool host_only;	  /* keep only the native arch and its sub-arches */
	int err;	  /* -ENOMEM once memory ran out */
	size_t *lines;	  /* offsets where lines start, built on first use */
	size_t nlines;
	uint64_t seen[64]; /* hash bits of syscall names with a rule: skips most scans */
};

static unsigned name_hash(const char *s)
{
	unsigned h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h % (64 * 64);
}

/* Copy of the line starting at B (inside TEXT of LEN bytes, not NUL-terminated). */
static char *line_dup(const char *text, size_t len, const char *b)
{
	size_t rest = len - (size_t)(b - text);
	const char *nl = memchr(b, '\n', rest);

	return strndup(b, nl ? (size_t)(nl - b) : rest);
}

static void loc_of(struct oci_in *in, size_t off, uint32_t *line, uint32_t *col, const char **bol)
{
	size_t lo = 0, hi;

	/* A line index once, then binary search: profiles hold hundreds of names. */
	if (!in->lines) {
		size_t n = 1;

		for (size_t i = 0; i < in->len; i++)
			n += in->text[i] == '\n';
		in->lines = malloc(n * sizeof(*in->lines));
		if (!in->lines) {
			in->err = -ENOMEM;
			*line = *col = 1;
			*bol = in->text;
			return;
		}
		in->lines[in->nlines++] = 0;
		for (size_t i = 0; i < in->len; i++)
			if (in->text[i] == '\n')
				in->lines[in->nlines++] = i + 1;
	}
	hi = in->nlines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (in->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	*line = (uint32_t)lo + 1;
	*col = (uint32_t)(off - in->lines[lo]) + 1;
	*bol = in->text + in->lines[lo];
}

static void diag(struct oci_in *in, int level, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void diag(struct oci_in *in, int level, size_t off, const char *fmt, ...)
{
	uint32_t line = 0, col = 0, len = 1;
	char *msg = NULL, *src = NULL;
	const char *bol;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		in->err = -ENOMEM;
		return;
	}
	if (off != NPOS && off < in->len) {
		size_t end = skip_value(in->text, in->len, off);

		loc_of(in, off, &line, &col, &bol);
		src = line_dup(in->text, in->len, bol);
		len = (uint32_t)(end - off);
		if (len < 1 || memchr(in->text + off, '\n', end - off))
			len = 1;
	}
	if (moat_diags_add(in->diags, level, in->name, line, col, len, src, NULL, "%s", msg))
		in->err = -ENOMEM;
	free(msg);
	free(src);
}

struct act_name {
	const char *name;
	uint32_t kind;
};

static const struct act_name act_names[] = {
	/* libseccomp's SCMP_ACT_KILL is KILL_THREAD (runc maps it the same way). */
	{ "SCMP_ACT_KILL", MOAT_ACT_KILL_THREAD },
	{ "SCMP_ACT_KILL_THREAD", MOAT_ACT_KILL_THREAD },
	{ "SCMP_ACT_KILL_PROCESS", MOAT_ACT_KILL_PROCESS },
	{ "SCMP_ACT_TRAP", MOAT_ACT_TRAP },
	{ "SCMP_ACT_ERRNO", MOAT_ACT_ERRNO },
	{ "SCMP_ACT_TRACE", MOAT_ACT_TRACE },
	{ "SCMP_ACT_ALLOW", MOAT_ACT_ALLOW },
	{ "SCMP_ACT_LOG", MOAT_ACT_LOG },
	{ "SCMP_ACT_NOTIFY", MOAT_ACT_NOTIFY },
};

static const char *const op_names[MOAT_OP__COUNT] = {
	[MOAT_OP_EQ] = "SCMP_CMP_EQ",
	[MOAT_OP_NE] = "SCMP_CMP_NE",
	[MOAT_OP_LT] = "SCMP_CMP_LT",
	[MOAT_OP_LE] = "SCMP_CMP_LE",
	[MOAT_OP_GT] = "SCMP_CMP_GT",
	[MOAT_OP_GE] = "SCMP_CMP_GE",
	[MOAT_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

static const char *const arch_names[MOAT_ARCH__COUNT] = {
	[MOAT_ARCH_X86_64] = "SCMP_ARCH_X86_64",
	[MOAT_ARCH_I386] = "SCMP_ARCH_X86",
	[MOAT_ARCH_X32] = "SCMP_ARCH_X32",
	[MOAT_ARCH_AARCH64] = "SCMP_ARCH_AARCH64",
};

static const struct {
	const char *name;
	uint32_t flag;
} flag_names[] = {
	{ "SECCOMP_FILTER_FLAG_TSYNC", MOAT_FLAG_TSYNC },
	{ "SECCOMP_FILTER_FLAG_LOG", MOAT_FLAG_LOG },
	{ "SECCOMP_FILTER_FLAG_SPEC_ALLOW", MOAT_FLAG_SPEC_ALLOW },
	{ "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", MOAT_FLAG_WAIT_KILLABLE },
};

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

/* An unsigned integer up to MAX; a diagnostic and false otherwise. */
static bool get_uint(struct oci_in *in, const json_t *v, size_t off, const char *what, uint64_t max,
		     uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max) {
		if (json_is_integer(v))
			diag(in, MOAT_DIAG_ERROR, off,
			     "%s must be 0..%" PRIu64 ", not %" JSON_INTEGER_FORMAT, what, max,
			     json_integer_value(v));
		else
			diag(in, MOAT_DIAG_ERROR, off, "%s must be an integer, not %s", what,
			     type_name(v));
		return false;
	}
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/* ACTION (a string) with its errnoRet (may be NULL) into *out. */
static bool get_action(struct oci_in *in, const json_t *action, size_t aoff, const json_t *ret,
		       size_t roff, const char *what, struct moat_action *out)
{
	const char *s;
	uint64_t data = 1; /* runc: EPERM when errnoRet is not given */
	size_t i;

	if (!json_is_string(action)) {
		diag(in, MOAT_DIAG_ERROR, aoff, "%s must be a string (SCMP_ACT_*), not %s", what,
		     type_name(action));
		return false;
	}
	s = json_string_value(action);
	for (i = 0; i < sizeof(act_names) / sizeof(act_names[0]); i++)
		if (!strcmp(s, act_names[i].name))
			break;
	if (i == sizeof(act_names) / sizeof(act_names[0])) {
		diag(in, MOAT_DIAG_ERROR, aoff,
		     "unknown action '%s' (SCMP_ACT_KILL, KILL_PROCESS, KILL_THREAD, TRAP, ERRNO, "
		     "TRACE, ALLOW, LOG or NOTIFY)",
		     s);
		return false;
	}
	out->kind = act_names[i].kind;
	out->data = 0;
	if (ret && !json_is_null(ret)) {
		if (out->kind != MOAT_ACT_ERRNO && out->kind != MOAT_ACT_TRACE) {
			diag(in, MOAT_DIAG_WARNING, roff,
			     "errno value ignored: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE use it");
			return true;
		}
		if (!get_uint(in, ret, roff, "errno value",
			      out->kind == MOAT_ACT_ERRNO ? 4095 : 0xffff, &data))
			return false;
	}
	if (out->kind == MOAT_ACT_ERRNO || out->kind == MOAT_ACT_TRACE)
		out->data = (uint32_t)data;
	return true;
}

/* Is the string array V (NULL: empty) well-formed? Calls MATCH on each string. */
static bool each_string(struct oci_in *in, const json_t *v, size_t off, const char *what)
{
	size_t i;
	json_t *e;

	if (!v || json_is_null(v))
		return true;
	if (!json_is_array(v)) {
		diag(in, MOAT_DIAG_ERROR, off, "%s must be an array of strings, not %s", what,
		     type_name(v));
		return false;
	}
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e)) {
			diag(in, MOAT_DIAG_ERROR, loc_elem(in->text, in->len, off, i),
			     "%s must hold strings, not %s", what, type_name(e));
			return false;
		}
	}
	return true;
}

static bool arch_matches(const char *name, uint32_t set)
{
	enum moat_arch a;

	return moat_arch_parse(name, &a) == 0 && (set & MOAT_ARCH_BIT(a));
}

/*
 * One includes/excludes object. Sets *passes to whether the entry applies:
 * for includes every listed part must hold; for excludes any part excludes.
 * Returns false after a diagnostic for a malformed object.
 */
static bool eval_filter(struct oci_in *in, const json_t *f, size_t off, bool include, bool *passes)
{
	const char *key;
	json_t *v;
	bool all = true, any = false;

	*passes = true;
	if (!f || json_is_null(f))
		return true;
	if (!json_is_object(f)) {
		diag(in, MOAT_DIAG_ERROR, off, "%s must be an object, not %s",
		     include ? "includes" : "excludes", type_name(f));
		return false;
	}
	json_object_foreach((json_t *)f, key, v)
	{
		size_t voff = loc_member(in->text, in->len, off, key);
		size_t i;
		json_t *e;

		if (!strcmp(key, "caps")) {
			bool all_caps = true, any_cap = false;

			if (!each_string(in, v, voff, "caps"))
				return false;
			json_array_foreach(v, i, e)
			{
				unsigned cap;
				bool has;

				if (moat_cap_parse(json_string_value(e), &cap)) {
					diag(in, MOAT_DIAG_WARNING,
					     loc_elem(in->text, in->len, voff, i),
					     "unknown capability '%s': treated as not held",
					     json_string_value(e));
					has = false;
				} else {
					has = cap < 64 && (in->caps & (1ull << cap));
				}
				all_caps &= has;
				any_cap |= has;
			}
			if (json_array_size(v)) {
				all &= all_caps;
				any |= any_cap;
			}
		} else if (!strcmp(key, "arches")) {
			bool match = false;

			if (!each_string(in, v, voff, "arches"))
				return false;
			json_array_foreach(v, i, e) match |=
				arch_matches(json_string_value(e), in->targets);
			if (json_array_size(v)) {
				all &= match;
				any |= match;
			}
		} else if (!strcmp(key, "minKernel")) {
			uint32_t ma, mi;
			bool newer;

			if (json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
				continue;
			if (!json_is_string(v) ||
			    moat_kernel_version_parse(json_string_value(v), &ma, &mi)) {
				diag(in, MOAT_DIAG_ERROR, voff,
				     "minKernel must be a string \"MAJOR.MINOR\"");
				return false;
			}
			newer = in->kmajor > ma || (in->kmajor == ma && in->kminor >= mi);
			all &= newer;
			any |= newer;
		} else {
			diag(in, MOAT_DIAG_WARNING, voff, "unknown field '%s' in %s ignored", key,
			     include ? "includes" : "excludes");
		}
	}
	*passes = include ? all : !any;
	return true;
}

static bool known_on(const char *name, uint32_t arches)
{
	for (int a = 0; a < MOAT_ARCH__COUNT; a++)
		if ((arches & MOAT_ARCH_BIT(a)) && moat_syscall_nr(a, name) >= 0)
			return true;
	return false;
}

/* Parses one args[] element into *c. */
static bool get_arg(struct oci_in *in, const json_t *a, size_t off, struct moat_cmp *c)
{
	json_t *index = json_object_get(a, "index"), *op = json_object_get(a, "op");
	json_t *value = json_object_get(a, "value"), *two = json_object_get(a, "valueTwo");
	uint64_t idx, v = 0, v2 = 0;
	const char *key;
	json_t *x;
	int o;

	if (!json_is_object(a)) {
		diag(in, MOAT_DIAG_ERROR, off, "args must hold objects, not %s", type_name(a));
		return false;
	}
	json_object_foreach((json_t *)a, key, x) if (strcmp(key, "index") && strcmp(key, "op") &&
						     strcmp(key, "value") &&
						     strcmp(key, "valueTwo"))
		diag(in, MOAT_DIAG_WARNING, loc_member(in->text, in->len, off, key),
		     "unknown field '%s' in args ignored", key);
	if (!index || !op) {
		diag(in, MOAT_DIAG_ERROR, off, "an argument needs \"index\" and \"op\"");
		return false;
	}
	if (!get_uint(in, index, loc_member(in->text, in->len, off, "index"), "index", 5, &idx))
		return false;
	if (value && !get_uint(in, value, loc_member(in->text, in->len, off, "value"), "value",
			       INT64_MAX, &v))
		return false;
	if (two && !get_uint(in, two, loc_member(in->text, in->len, off, "valueTwo"), "valueTwo",
			     INT64_MAX, &v2))
		return false;
	for (o = 0; o < MOAT_OP__COUNT; o++)
		if (op_names[o] && json_is_string(op) &&
		    !strcmp(json_string_value(op), op_names[o]))
			break;
	if (o == MOAT_OP__COUNT) {
		if (json_is_string(op))
			diag(in, MOAT_DIAG_ERROR, loc_member(in->text, in->len, off, "op"),
			     "unknown operator '%s' (SCMP_CMP_NE, LT, LE, EQ, GE, GT or MASKED_EQ)",
			     json_string_value(op));
		else
			diag(in, MOAT_DIAG_ERROR, loc_member(in->text, in->len, off, "op"),
			     "op must be a string (SCMP_CMP_*), not %s", type_name(op));
		return false;
	}
	memset(c, 0, sizeof(*c));
	c->arg = (uint8_t)idx;
	c->op = (uint8_t)o;
	if (o == MOAT_OP_MASKED_EQ) {
		/* OCI (like libseccomp): value is the mask, valueTwo the datum. */
		c->mask = v;
		c->value = v2;
	} else {
		c->value = v;
	}
	return true;
}

static bool cmp_same(const struct moat_cmp *a, const struct moat_cmp *b)
{
	return a->arg == b->arg && a->op == b->op && a->value == b->value &&
	       (a->op != MOAT_OP_MASKED_EQ || a->mask == b->mask);
}

/* Same comparisons in any order (imported rules hold no IN). */
static bool cond_same(const struct moat_cmp *a, uint32_t na, const struct moat_cmp *b, uint32_t nb)
{
	if (na != nb)
		return false;
	for (uint32_t i = 0; i < na; i++) {
		bool found = false;

		for (uint32_t j = 0; j < nb && !found; j++)
			found = cmp_same(&a[i], &b[j]);
		if (!found)
			return false;
	}
	return true;
}

static void add_rule(struct oci_in *in, const char *name, struct moat_action act,
		     const struct moat_cmp *c, uint32_t n, size_t off, const char *comment)
{
	struct moat_loc loc = { in->name, 0, 0 };
	const char *bol;
	char a1[48], a2[48];
	int err;

	unsigned h = name_hash(name);

	if (off != NPOS)
		loc_of(in, off, &loc.line, &loc.col, &bol);
	for (size_t i = 0; (in->seen[h / 64] >> (h % 64)) & 1 && i < in->p->nrules; i++) {
		const struct moat_rule *e = &in->p->rules[i];
		bool same_act = moat_action_equal(e->action, act);

		if (strcmp(e->syscall, name))
			continue;
		moat_action_format(e->action, a1, sizeof(a1));
		moat_action_format(act, a2, sizeof(a2));
		if (!e->ncmps || cond_same(e->cmps, e->ncmps, c, n)) {
			/*
			 * Dead in both readings: libseccomp keeps the first
			 * unconditional rule and absorbs later ones; moat's first
			 * match does the same. Drop it, and say so when the entry
			 * meant something else (Podman's setns without CAP_SYS_ADMIN).
			 */
			if (!same_act)
				diag(in, MOAT_DIAG_WARNING, off,
				     "'%s' for '%s' never applies: an earlier entry (line %u) "
				     "already gives '%s' %s",
				     a2, name, e->loc.line, a1,
				     e->ncmps ? "for the same arguments" : "unconditionally");
			return;
		}
		if (!n && !same_act) {
			diag(in, MOAT_DIAG_WARNING, off,
			     "unconditional '%s' for '%s' after a conditional '%s' (line %u): "
			     "libseccomp (runc, crun) lets it override the conditional rules, "
			     "moat applies them in file order",
			     a2, name, a1, e->loc.line);
			break;
		}
	}
	err = moat_policy_add_rule(in->p, name, act, c, n, loc, comment);
	if (err)
		in->err = err;
	in->seen[h / 64] |= 1ull << (h % 64);
}

static void import_entry(struct oci_in *in, const json_t *e, size_t off, size_t idx)
{
	json_t *names = json_object_get(e, "names"), *name = json_object_get(e, "name");
	json_t *args, *comment, *v;
	struct moat_cmp cmps[64];
	struct moat_action act;
	size_t names_off, i;
	uint32_t ncmps = 0;
	bool inc, exc, repeated = false;
	const char *key, *cmt = NULL;

	if (!json_is_object(e)) {
		diag(in, MOAT_DIAG_ERROR, off, "syscalls[%zu] must be an object, not %s", idx,
		     type_name(e));
		return;
	}
	json_object_foreach((json_t *)e, key, v)
	{
		static const char *const known[] = { "names",	 "name",     "action",
						     "errnoRet", "args",     "comment",
						     "includes", "excludes", "errno" };
		bool ok = false;

		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			ok |= !strcmp(key, known[i]);
		if (!ok)
			diag(in, MOAT_DIAG_WARNING, loc_member(in->text, in->len, off, key),
			     "unknown field '%s' in syscalls[%zu] ignored", key, idx);
	}
	if (!json_object_get(e, "action")) {
		diag(in, MOAT_DIAG_ERROR, off, "syscalls[%zu] has no \"action\"", idx);
		return;
	}
	if (!get_action(in, json_object_get(e, "action"),
			loc_member(in->text, in->len, off, "action"),
			json_object_get(e, "errnoRet"),
			loc_member(in->text, in->len, off, "errnoRet"), "action", &act))
		return;
	comment = json_object_get(e, "comment");
	if (comment && !json_is_null(comment)) {
		if (!json_is_string(comment)) {
			diag(in, MOAT_DIAG_ERROR, loc_member(in->text, in->len, off, "comment"),
			     "comment must be a string, not %s", type_name(comment));
			return;
		}
		if (*json_string_value(comment))
			cmt = json_string_value(comment);
	}
	/* "name" is the single-syscall form of Docker's first profile format. */
	if (!names && name) {
		if (!json_is_string(name)) {
			diag(in, MOAT_DIAG_ERROR, loc_member(in->text, in->len, off, "name"),
			     "name must be a string, not %s", type_name(name));
			return;
		}
	} else if (!names) {
		diag(in, MOAT_DIAG_ERROR, off, "syscalls[%zu] has no \"names\"", idx);
		return;
	}
	names_off = loc_member(in->text, in->len, off, names ? "names" : "name");
	if (names && !each_string(in, names, names_off, "names"))
		return;

	args = json_object_get(e, "args");
	if (args && !json_is_null(args)) {
		size_t aoff = loc_member(in->text, in->len, off, "args");

		if (!json_is_array(args)) {
			diag(in, MOAT_DIAG_ERROR, aoff, "args must be an array, not %s",
			     type_name(args));
			return;
		}
		if (json_array_size(args) > sizeof(cmps) / sizeof(cmps[0])) {
			diag(in, MOAT_DIAG_ERROR, aoff, "too many args (at most %zu)",
			     sizeof(cmps) / sizeof(cmps[0]));
			return;
		}
		json_array_foreach(args, i, v)
		{
			if (!get_arg(in, v, loc_elem(in->text, in->len, aoff, i), &cmps[ncmps]))
				return;
			for (uint32_t k = 0; k < ncmps; k++)
				repeated |= cmps[k].arg == cmps[ncmps].arg;
			ncmps++;
		}
	}
	if (!eval_filter(in, json_object_get(e, "includes"),
			 loc_member(in->text, in->len, off, "includes"), true, &inc) ||
	    !eval_filter(in, json_object_get(e, "excludes"),
			 loc_member(in->text, in->len, off, "excludes"), false, &exc))
		return;
	if (!inc || !exc)
		return; /* not for these capabilities / architectures / kernel */

	size_t noff = names ? loc_elem(in->text, in->len, names_off, 0) : names_off;

	for (size_t n = 0; n < (names ? json_array_size(names) : 1);
	     n++, noff = names ? next_elem(in->text, in->len, noff) : noff) {
		const char *sc = names ? json_string_value(json_array_get(names, n))
				       : json_string_value(name);

		if (!known_on(sc, moat_policy_arches(in->p))) {
			/* runc skips names libseccomp cannot resolve; say so instead of silently. */
			diag(in, MOAT_DIAG_WARNING, noff,
			     "syscall '%s' is unknown on the profile's architectures: skipped", sc);
			continue;
		}
		if (!repeated) {
			add_rule(in, sc, act, cmps, ncmps, noff, cmt);
			continue;
		}
		/*
		 * runc: when an argument index appears twice in one entry, each
		 * comparison becomes its own rule (OR), not one AND.
		 */
		for (uint32_t k = 0; k < ncmps; k++)
			add_rule(in, sc, act, &cmps[k], 1, noff, cmt);
	}
}

/* The ABIs a kernel of arch A also runs (what archMap calls sub-architectures). */
static uint32_t host_subs(enum moat_arch a)
{
	return a == MOAT_ARCH_X86_64 ? MOAT_ARCH_BIT(MOAT_ARCH_I386) | MOAT_ARCH_BIT(MOAT_ARCH_X32)
				     : 0;
}

/* Architectures from "architectures" or "archMap". */
static void import_arches(struct oci_in *in, const json_t *root, size_t top)
{
	json_t *list = json_object_get(root, "architectures");
	json_t *map = json_object_get(root, "archMap");
	size_t loff = loc_member(in->text, in->len, top, "architectures");
	size_t moff = loc_member(in->text, in->len, top, "archMap");
	enum moat_arch native = moat_arch_native();
	bool given = false;
	size_t i;
	json_t *e;

	if (list && !json_is_null(list) && json_array_size(list) && map && !json_is_null(map) &&
	    json_array_size(map)) {
		/* Docker refuses this combination too. */
		diag(in, MOAT_DIAG_ERROR, moff,
		     "both \"architectures\" and \"archMap\" are given: use one of them");
		return;
	}
	if (list && !json_is_null(list) && each_string(in, list, loff, "architectures")) {
		json_array_foreach(list, i, e)
		{
			enum moat_arch a;

			given = true;
			if (moat_arch_parse(json_string_value(e), &a)) {
				diag(in, MOAT_DIAG_WARNING, loc_elem(in->text, in->len, loff, i),
				     "architecture '%s' is not supported by moat: ignored",
				     json_string_value(e));
				continue;
			}
			if (in->host_only && a != native && !(host_subs(native) & MOAT_ARCH_BIT(a)))
				continue;
			in->p->arches |= MOAT_ARCH_BIT(a);
			/* Listed arches are all "the host" an entry's arches may name. */
			if (!in->host_only || a == native)
				in->targets |= MOAT_ARCH_BIT(a);
		}
	} else if (map && !json_is_null(map)) {
		if (!json_is_array(map)) {
			diag(in, MOAT_DIAG_ERROR, moff, "archMap must be an array, not %s",
			     type_name(map));
			return;
		}
		json_array_foreach(map, i, e)
		{
			size_t eoff = loc_elem(in->text, in->len, moff, i);
			json_t *arch = json_object_get(e, "architecture");
			json_t *subs = json_object_get(e, "subArchitectures");
			size_t soff = loc_member(in->text, in->len, eoff, "subArchitectures");
			enum moat_arch a;
			size_t k;
			json_t *s;

			if (!json_is_object(e) || !json_is_string(arch)) {
				diag(in, MOAT_DIAG_ERROR, eoff,
				     "archMap entries need a string \"architecture\"");
				return;
			}
			if (!each_string(in, subs, soff, "subArchitectures"))
				return;
			given = true;
			/* Only primary arches moat knows; the rest is for other hosts. */
			if (moat_arch_parse(json_string_value(arch), &a))
				continue;
			if (in->host_only && a != native)
				continue;
			in->p->arches |= MOAT_ARCH_BIT(a);
			in->targets |= MOAT_ARCH_BIT(a);
			json_array_foreach(subs, k, s)
			{
				enum moat_arch sa;

				if (moat_arch_parse(json_string_value(s), &sa) == 0)
					in->p->arches |= MOAT_ARCH_BIT(sa);
			}
		}
	}
	if (given && !in->p->arches)
		diag(in, MOAT_DIAG_ERROR, list ? loff : moff,
		     "none of the profile's architectures is supported by moat "
		     "(x86_64, x86, x32, aarch64)");
	if (!in->targets)
		in->targets = MOAT_ARCH_BIT(native);
}

static bool running_kernel(uint32_t *major, uint32_t *minor)
{
	struct utsname u;

	return uname(&u) == 0 && moat_kernel_version_parse(u.release, major, minor) == 0;
}

int moat_oci_import(const char *name, const char *json, size_t len,
		    const struct moat_oci_opts *opts, struct moat_policy **out,
		    struct moat_diags *diags)
{
	struct moat_oci_opts defaults = { 0 };
	struct oci_in in = { .name = name, .text = json, .len = len, .diags = diags };
	size_t errors = diags->nerrors, top;
	json_error_t jerr;
	json_t *root, *v;
	const char *key;

	if (!opts)
		opts = &defaults;
	in.caps = opts->caps;
	in.kmajor = opts->kernel_major;
	in.kminor = opts->kernel_minor;
	if (!in.kmajor && !running_kernel(&in.kmajor, &in.kminor))
		in.kmajor = in.kminor = 0;
	in.host_only = opts->host_arch_only;

	/* Duplicate keys are an error: which one a runtime takes is not defined. */
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		char *src = NULL;

		if (jerr.line > 0) {
			const char *b = json;

			for (int l = 1; l < jerr.line && b; l++) {
				b = memchr(b, '\n', len - (size_t)(b - json));
				if (b)
					b++;
			}
			if (b && b <= json + len)
				src = line_dup(json, len, b);
		}
		if (moat_diags_add(diags, MOAT_DIAG_ERROR, name,
				   jerr.line > 0 ? (uint32_t)jerr.line : 0,
				   jerr.column > 0 ? (uint32_t)jerr.column : 1, 1, src, NULL,
				   "invalid JSON: %s", jerr.text)) {
			free(src);
			return -ENOMEM;
		}
		free(src);
		return -EINVAL;
	}
	top = skip_ws(json, len, 0);
	if (!json_is_object(root)) {
		diag(&in, MOAT_DIAG_ERROR, top, "an OCI seccomp profile is a JSON object, not %s",
		     type_name(root));
		json_decref(root);
		free(in.lines);
		return in.err ? in.err : -EINVAL;
	}
	in.p = moat_policy_new();
	if (!in.p) {
		json_decref(root);
		return -ENOMEM;
	}

	json_object_foreach(root, key, v)
	{
		static const char *const known[] = {
			"defaultAction", "defaultErrnoRet", "defaultErrno",
			"architectures", "archMap",	    "syscalls",
			"flags",	 "listenerPath",    "listenerMetadata",
		};
		bool ok = false;

		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			ok |= !strcmp(key, known[i]);
		if (!ok)
			diag(&in, MOAT_DIAG_WARNING, loc_member(json, len, top, key),
			     "unknown field '%s' ignored", key);
	}

	v = json_object_get(root, "defaultAction");
	if (!v) {
		diag(&in, MOAT_DIAG_ERROR, top, "the profile has no \"defaultAction\"");
	} else {
		size_t off = loc_member(json, len, top, "defaultAction");
		const char *bol;

		if (get_action(&in, v, off, json_object_get(root, "defaultErrnoRet"),
			       loc_member(json, len, top, "defaultErrnoRet"), "defaultAction",
			       &in.p->default_action)) {
			/*
			 * OCI has no separate action for numbers the table does not
			 * know: libseccomp gives them the default action.
			 */
			in.p->unknown_action = in.p->default_action;
			loc_of(&in, off, &in.p->default_loc.line, &in.p->default_loc.col, &bol);
			in.p->default_loc.file = moat_policy_intern_file(in.p, name);
			in.p->unknown_loc = in.p->default_loc;
		}
	}

	import_arches(&in, root, top);

	v = json_object_get(root, "flags");
	if (v && !json_is_null(v)) {
		size_t off = loc_member(json, len, top, "flags"), i;
		json_t *f;

		if (each_string(&in, v, off, "flags")) {
			json_array_foreach(v, i, f)
			{
				size_t k;

				for (k = 0; k < sizeof(flag_names) / sizeof(flag_names[0]); k++)
					if (!strcmp(json_string_value(f), flag_names[k].name))
						break;
				if (k == sizeof(flag_names) / sizeof(flag_names[0]))
					diag(&in, MOAT_DIAG_ERROR, loc_elem(json, len, off, i),
					     "unknown flag '%s' (SECCOMP_FILTER_FLAG_TSYNC, LOG, "
					     "SPEC_ALLOW or WAIT_KILLABLE_RECV)",
					     json_string_value(f));
				else
					in.p->flags |= flag_names[k].flag;
			}
		}
	}
	for (int k = 0; k < 2; k++) {
		const char *field = k ? "listenerMetadata" : "listenerPath";
		char **dst = k ? &in.p->listener_metadata : &in.p->listener_path;

		v = json_object_get(root, field);
		if (!v || json_is_null(v))
			continue;
		if (!json_is_string(v)) {
			diag(&in, MOAT_DIAG_ERROR, loc_member(json, len, top, field),
			     "%s must be a string, not %s", field, type_name(v));
			continue;
		}
		if (*json_string_value(v) && !(*dst = strdup(json_string_value(v))))
			in.err = -ENOMEM;
	}

	v = json_object_get(root, "syscalls");
	if (v && !json_is_null(v)) {
		size_t off = loc_member(json, len, top, "syscalls"), i;
		json_t *e;

		if (!json_is_array(v)) {
			diag(&in, MOAT_DIAG_ERROR, off, "syscalls must be an array, not %s",
			     type_name(v));
		} else {
			size_t eoff = loc_elem(json, len, off, 0);

			json_array_foreach(v, i, e)
			{
				if (in.err)
					break;
				import_entry(&in, e, eoff, i);
				eoff = next_elem(json, len, eoff);
			}
		}
	}
	json_decref(root);
	free(in.lines);
	if (in.err || diags->nerrors > errors) {
		moat_policy_free(in.p);
		return in.err ? in.err : -EINVAL;
	}
	*out = in.p;
	return 0;
}

/* ---- What a target can express ---- */

static int cdiag(struct moat_diags *d, int level, const struct moat_rule *r, const char *fmt,
		 const char *a, const char *b)
{
	return moat_diags_add(d, level, r ? r->loc.file : NULL, r ? r->loc.line : 0,
			      r ? r->loc.col : 0, r ? (uint32_t)strlen(r->syscall) : 1, NULL, NULL,
			      fmt, a, b);
}

/* Can both comparisons (on the same argument) hold for one value? False only when sure. */
static bool cmps_may_overlap(const struct moat_cmp *x, const struct moat_cmp *y)
{
	const struct moat_cmp *t;

	if (x->arg != y->arg)
		return true;
	if (y->op == MOAT_OP_EQ || (y->op == MOAT_OP_IN && x->op != MOAT_OP_EQ)) {
		t = x;
		x = y;
		y = t;
	}
	if (x->op == MOAT_OP_EQ || x->op == MOAT_OP_IN) {
		const uint64_t *vals = x->op == MOAT_OP_EQ ? &x->value : x->set;
		uint32_t n = x->op == MOAT_OP_EQ ? 1 : x->nset;

		/* Some value of X's set satisfies Y? */
		for (uint32_t i = 0; i < n; i++) {
			uint64_t v = vals[i];
			bool ok = false;

			switch (y->op) {
			case MOAT_OP_EQ:
				ok = v == y->value;
				break;
			case MOAT_OP_NE:
				ok = v != y->value;
				break;
			case MOAT_OP_LT:
				ok = v < y->value;
				break;
			case MOAT_OP_LE:
				ok = v <= y->value;
				break;
			case MOAT_OP_GT:
				ok = v > y->value;
				break;
			case MOAT_OP_GE:
				ok = v >= y->value;
				break;
			case MOAT_OP_MASKED_EQ:
				ok = (v & y->mask) == y->value;
				break;
			case MOAT_OP_IN:
				for (uint32_t k = 0; k < y->nset; k++)
					ok |= y->set[k] == v;
				break;
			}
			if (ok)
				return true;
		}
		return false;
	}
	if (x->op == MOAT_OP_MASKED_EQ && y->op == MOAT_OP_MASKED_EQ && x->mask == y->mask)
		return x->value == y->value;
	return true;
}

static bool rules_may_overlap(const struct moat_rule *a, const struct moat_rule *b)
{
	for (uint32_t i = 0; i < a->ncmps; i++)
		for (uint32_t j = 0; j < b->ncmps; j++)
			if (!cmps_may_overlap(&a->cmps[i], &b->cmps[j]))
				return false;
	return true;
}

/* The syscall runs (logged or not). */
static bool action_permits(struct moat_action a)
{
	return a.kind == MOAT_ACT_ALLOW || a.kind == MOAT_ACT_LOG;
}

int moat_oci_check(const struct moat_policy *p, enum moat_oci_target target,
		   struct moat_diags *diags)
{
	size_t errors = diags->nerrors;
	char a1[48], a2[48];
	int err = 0;

	if (target == MOAT_OCI_TARGET_SPO && p->default_action.kind == MOAT_ACT_ERRNO &&
	    p->default_action.data != EPERM) {
		moat_action_format(p->default_action, a1, sizeof(a1));
		err = moat_diags_add(
			diags, MOAT_DIAG_WARNING, p->default_loc.file, p->default_loc.line,
			p->default_loc.col, 1, NULL, NULL,
			"SeccompProfile has no defaultErrnoRet: the default '%s' becomes "
			"'errno EPERM'",
			a1);
	}
	if (!err && !moat_action_equal(p->unknown_action, p->default_action)) {
		moat_action_format(p->unknown_action, a1, sizeof(a1));
		moat_action_format(p->default_action, a2, sizeof(a2));
		err = moat_diags_add(diags, MOAT_DIAG_WARNING,
				     p->unknown_loc.file ? p->unknown_loc.file
				     : p->nfiles	 ? p->files[0]
							 : NULL,
				     p->unknown_loc.line, p->unknown_loc.col, 1, NULL, NULL,
				     "OCI has no action for unknown syscall numbers: '%s' is lost, "
				     "they get the default action '%s'",
				     a1, a2);
	}
	for (size_t j = 0; !err && j < p->nrules; j++) {
		const struct moat_rule *r = &p->rules[j];
		uint32_t seen = 0;

		if (!strncmp(r->syscall, "syscall_", 8)) {
			err = cdiag(diags, MOAT_DIAG_ERROR, r,
				    "'%s': OCI profiles name syscalls, they cannot hold a bare "
				    "number%s",
				    r->syscall, "");
			continue;
		}
		for (uint32_t i = 0; !err && i < r->ncmps; i++) {
			if (seen & (1u << r->cmps[i].arg)) {
				char arg[8];

				snprintf(arg, sizeof(arg), "arg%u", r->cmps[i].arg);
				err = cdiag(diags, MOAT_DIAG_ERROR, r,
					    "rule for '%s' compares %s twice: runc ORs comparisons "
					    "on one argument, so OCI cannot express this AND",
					    r->syscall, arg);
			}
			seen |= 1u << r->cmps[i].arg;
		}
		if (!err && target == MOAT_OCI_TARGET_SPO && r->ncmps > 6)
			err = cdiag(diags, MOAT_DIAG_ERROR, r,
				    "rule for '%s' has more than 6 comparisons (SeccompProfile "
				    "allows 6)%s",
				    r->syscall, "");
		/*
		 * libseccomp (runc, crun) does not apply rules in file order: an
		 * unconditional rule absorbs the conditional ones of its syscall,
		 * and more specific conditions are checked first. Say where the
		 * two readings may differ.
		 */
		for (size_t i = 0; !err && i < j; i++) {
			const struct moat_rule *e = &p->rules[i];

			if (strcmp(e->syscall, r->syscall) ||
			    moat_action_equal(e->action, r->action) || !rules_may_overlap(e, r))
				continue;
			moat_action_format(e->action, a1, sizeof(a1));
			/*
			 * runc skips rules with the default action, so only an
			 * unconditional rule with another action overrides for sure:
			 * "errno EPERM clone if C" then "allow clone" would become
			 * "allow clone" in the runtime. Refuse where that widens what
			 * runs; warn where the runtime would only be stricter.
			 */
			if (!r->ncmps && e->ncmps &&
			    !moat_action_equal(r->action, p->default_action) &&
			    action_permits(r->action) && !action_permits(e->action)) {
				moat_action_format(r->action, a2, sizeof(a2));
				err = moat_diags_add(diags, MOAT_DIAG_ERROR, r->loc.file,
						     r->loc.line, r->loc.col,
						     (uint32_t)strlen(r->syscall), NULL, NULL,
						     "unconditional '%s' for '%s' after a "
						     "conditional '%s': runc/crun "
						     "(libseccomp) would let it override the "
						     "conditional rule; write "
						     "the remaining cases as conditions",
						     a2, r->syscall, a1);
				break;
			}
			err = cdiag(
				diags, MOAT_DIAG_WARNING, r,
				"rule for '%s' overlaps an earlier rule with another action "
				"('%s'): runc/crun (libseccomp) may not apply them in file order",
				r->syscall, a1);
			break;
		}
	}
	if (err)
		return err;
	return diags->nerrors > errors ? -EOPNOTSUPP : 0;
}

/* ---- Export ---- */

/*
 * jansson holds signed 64-bit integers; values from 2^63 are written as
 * unsigned decimals by replacing a marker string after dumping.
 */
#define BIG_MARK "\x01moat-u64:"

static json_t *json_u64(uint64_t v)
{
	char buf[48];

	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(buf, sizeof(buf), BIG_MARK "%" PRIu64 "\x01", v);
	return json_string(buf);
}

static int jset(json_t *o, const char *key, json_t *v)
{
	return v && json_object_set_new(o, key, v) == 0 ? 0 : -ENOMEM;
}

static int jappend(json_t *a, json_t *v)
{
	return v && json_array_append_new(a, v) == 0 ? 0 : -ENOMEM;
}

static const char *action_name(struct moat_action a)
{
	for (size_t i = 1; i < sizeof(act_names) / sizeof(act_names[0]); i++)
		if (act_names[i].kind == a.kind)
			return act_names[i].name;
	return "SCMP_ACT_KILL_PROCESS";
}

static int set_action(json_t *o, const char *key, const char *retkey, struct moat_action a,
		      bool ret_as_string)
{
	int err = jset(o, key, json_string(action_name(a)));
	char buf[16];

	if (err || (a.kind != MOAT_ACT_ERRNO && a.kind != MOAT_ACT_TRACE) || !retkey)
		return err;
	if (!ret_as_string)
		return jset(o, retkey, json_integer(a.data));
	snprintf(buf, sizeof(buf), "%u", a.data);
	return jset(o, retkey, json_string(buf));
}

/* Writes rule R as entries: one per combination of IN values. */
static int export_rule(json_t *list, const struct moat_rule *r, bool spo)
{
	uint32_t idx[6] = { 0 }, n = r->ncmps;
	int err = 0;

	for (;;) {
		json_t *e = json_object(), *names = json_array(), *args = json_array();

		if (!e || !names || !args) {
			json_decref(e);
			json_decref(names);
			json_decref(args);
			return -ENOMEM;
		}
		err = jappend(names, json_string(r->syscall));
		if (!err)
			err = jset(e, "names", names);
		else
			json_decref(names);
		if (!err)
			err = set_action(e, "action", "errnoRet", r->action, spo);
		for (uint32_t i = 0; !err && i < n; i++) {
			const struct moat_cmp *c = &r->cmps[i];
			json_t *a = json_object();
			uint64_t v = c->value, v2 = 0;
			int op = c->op;

			if (op == MOAT_OP_IN) {
				op = MOAT_OP_EQ;
				v = c->set[idx[i]];
			} else if (op == MOAT_OP_MASKED_EQ) {
				v = c->mask;
				v2 = c->value;
			}
			err = a ? 0 : -ENOMEM;
			if (!err)
				err = jset(a, "index", json_integer(c->arg));
			if (!err)
				err = jset(a, "value", json_u64(v));
			if (!err)
				err = jset(a, "valueTwo", json_u64(v2));
			if (!err)
				err = jset(a, "op", json_string(op_names[op]));
			if (!err)
				err = jappend(args, a);
			else
				json_decref(a);
		}
		if (!err)
			err = jset(e, "args", args);
		else
			json_decref(args);
		if (!err && r->comment && !spo)
			err = jset(e, "comment", json_string(r->comment));
		if (!err)
			err = jappend(list, e);
		else
			json_decref(e);
		if (err)
			return err;
		/* Next combination of IN values (odometer over the IN comparisons). */
		uint32_t i;

		for (i = 0; i < n; i++) {
			if (r->cmps[i].op != MOAT_OP_IN)
				continue;
			if (++idx[i] < r->cmps[i].nset)
				break;
			idx[i] = 0;
		}
		if (i == n)
			return 0;
	}
}

/* The profile as a jansson tree (canonical form of P), for JSON or YAML. */
static int export_tree(const struct moat_policy *src, bool spo, json_t **out)
{
	struct moat_policy *p = moat_policy_dup(src);
	struct moat_diags d;
	json_t *root = NULL, *arches, *list, *flags;
	uint32_t set;
	int err;

	if (!p)
		return -ENOMEM;
	moat_diags_init(&d);
	err = moat_policy_canonicalize(p);
	if (!err)
		err = moat_oci_check(p, spo ? MOAT_OCI_TARGET_SPO : MOAT_OCI_TARGET_OCI, &d);
	moat_diags_free(&d);
	if (!err) {
		root = json_object();
		err = root ? 0 : -ENOMEM;
	}
	if (!err)
		err = set_action(root, "defaultAction", spo ? NULL : "defaultErrnoRet",
				 p->default_action, false);
	set = moat_policy_arches(p);
	arches = json_array();
	for (int a = 0; !err && a < MOAT_ARCH__COUNT; a++)
		if (set & MOAT_ARCH_BIT(a))
			err = jappend(arches, json_string(arch_names[a]));
	if (!err)
		err = jset(root, "architectures", arches);
	else
		json_decref(arches);
	if (!err && p->flags) {
		flags = json_array();
		for (size_t i = 0; !err && i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (p->flags & flag_names[i].flag)
				err = jappend(flags, json_string(flag_names[i].name));
		if (!err)
			err = jset(root, "flags", flags);
		else
			json_decref(flags);
	}
	if (!err && p->listener_path)
		err = jset(root, "listenerPath", json_string(p->listener_path));
	if (!err && p->listener_metadata)
		err = jset(root, "listenerMetadata", json_string(p->listener_metadata));

	list = json_array();
	err = err ? err : list ? 0 : -ENOMEM;
	/*
	 * Conditional rules first, in policy order; then the unconditional ones
	 * grouped by action. In canonical form a syscall's unconditional rule is
	 * its last, so its rules keep their order.
	 */
	for (size_t i = 0; !err && i < p->nrules; i++)
		if (p->rules[i].ncmps)
			err = export_rule(list, &p->rules[i], spo);
	for (size_t i = 0; !err && i < p->nrules; i++) {
		const struct moat_rule *r = &p->rules[i];
		json_t *e, *names;
		bool done = false;

		if (r->ncmps)
			continue;
		for (size_t k = 0; k < i; k++)
			done |= !p->rules[k].ncmps &&
				moat_action_equal(p->rules[k].action, r->action);
		if (done)
			continue; /* this action's entry is already written */
		e = json_object();
		names = json_array();
		err = e && names ? 0 : -ENOMEM;
		for (size_t k = i; !err && k < p->nrules; k++)
			if (!p->rules[k].ncmps && moat_action_equal(p->rules[k].action, r->action))
				err = jappend(names, json_string(p->rules[k].syscall));
		if (!err)
			err = jset(e, "names", names);
		else
			json_decref(names);
		if (!err)
			err = set_action(e, "action", "errnoRet", r->action, spo);
		if (!err)
			err = jappend(list, e);
		else
			json_decref(e);
	}
	if (!err)
		err = jset(root, "syscalls", list);
	else
		json_decref(list);
	moat_policy_free(p);
	if (err) {
		json_decref(root);
		return err;
	}
	*out = root;
	return 0;
}

/* Replaces every "\u0001moat-u64:N\u0001" string in TEXT by the bare number N. */
static void unmark_big(char *text)
{
	const char *mark = "\"\\u0001moat-u64:";
	char *r = text, *w = text, *m;

	while ((m = strstr(r, mark))) {
		char *num = m + strlen(mark), *end = strstr(num, "\\u0001\"");

		if (!end)
			break;
		memmove(w, r, (size_t)(m - r));
		w += m - r;
		memmove(w, num, (size_t)(end - num));
		w += end - num;
		r = end + strlen("\\u0001\"");
	}
	memmove(w, r, strlen(r) + 1);
}

int moat_oci_export(const struct moat_policy *p, char **out)
{
	json_t *root;
	char *text, *res;
	int err = export_tree(p, false, &root);

	if (err)
		return err;
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text)
		return -ENOMEM;
	unmark_big(text);
	/* json_dumps' memory comes from jansson's allocator: hand out our own. */
	if (asprintf(&res, "%s\n", text) < 0) {
		free(text);
		return -ENOMEM;
	}
	free(text);
	*out = res;
	return 0;
}

/* ---- SPO YAML: a small emitter over the same tree ---- */

static void yaml_scalar(FILE *f, const json_t *v)
{
	const char *s;

	if (json_is_integer(v)) {
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return;
	}
	s = json_string_value(v);
	if (!strncmp(s, BIG_MARK, strlen(BIG_MARK))) {
		fprintf(f, "%.*s", (int)(strcspn(s + strlen(BIG_MARK), "\x01")),
			s + strlen(BIG_MARK));
		return;
	}
	/* Double-quoted YAML: the escapes JSON uses are valid here too. */
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void yaml_value(FILE *f, const json_t *v, int indent);

static void yaml_object(FILE *f, const json_t *o, int indent, bool first_inline)
{
	const char *key;
	json_t *v;
	bool first = true;

	json_object_foreach((json_t *)o, key, v)
	{
		if (!(first && first_inline))
			fprintf(f, "%*s", indent, "");
		first = false;
		fprintf(f, "%s:", key);
		if (json_is_object(v) || (json_is_array(v) && json_array_size(v))) {
			fputc('\n', f);
			yaml_value(f, v, indent + 2);
		} else if (json_is_array(v)) {
			fprintf(f, " []\n");
		} else {
			fputc(' ', f);
			yaml_scalar(f, v);
			fputc('\n', f);
		}
	}
}

static void yaml_value(FILE *f, const json_t *v, int indent)
{
	size_t i;
	json_t *e;

	if (json_is_object(v)) {
		yaml_object(f, v, indent, false);
		return;
	}
	json_array_foreach(v, i, e)
	{
		fprintf(f, "%*s- ", indent, "");
		if (json_is_object(e)) {
			yaml_object(f, e, indent + 2, true);
		} else {
			yaml_scalar(f, e);
			fputc('\n', f);
		}
	}
}

/* Kubernetes object names: DNS subdomain (RFC 1123), at most 253 characters. */
static bool k8s_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 253 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')) ||
	    s[n - 1] == '-' || s[n - 1] == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '.'))
			return false;
	return true;
}

int moat_spo_export(const struct moat_policy *p, const char *name, char **out)
{
	json_t *spec;
	char *buf = NULL;
	size_t size = 0;
	FILE *f;
	int err;

	if (!name || !k8s_name_ok(name))
		return -EINVAL;
	err = export_tree(p, true, &spec);
	if (err)
		return err;
	f = open_memstream(&buf, &size);
	if (!f) {
		json_decref(spec);
		return -ENOMEM;
	}
	fprintf(f,
		"apiVersion: security-profiles-operator.x-k8s.io/v1beta1\n"
		"kind: SeccompProfile\n"
		"metadata:\n"
		"  name: %s\n"
		"spec:\n",
		name);
	yaml_value(f, spec, 2);
	json_decref(spec);
	if (fclose(f) || !buf) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	return 0;
}
