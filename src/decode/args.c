// SPDX-License-Identifier: MIT
/*
 * Syscall arguments to words: flags, constants, signals, modes, strings.
 *
 * `moat trace` formats an event per syscall, so lookups must be cheap: the
 * first call builds, once, a table per constant group (values sorted for
 * bsearch, flag bits ordered for a greedy decomposition) from the generated
 * table; every later lookup is a bsearch over ~60 group names and one over the
 * group's values. If that allocation fails, decoding falls back to numbers.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moat/decode.h"

struct dec_const {
	const char *name;
	uint64_t value;
};

struct dec_group {
	const char *name;
	struct dec_const *byval; /* sorted by value, one (preferred) name per value */
	size_t nval;
	struct dec_const *bits; /* flag candidates: non-zero, most bits first */
	size_t nbits;
};

static struct dec_group *groups;
static size_t ngroups;
static pthread_once_t groups_once = PTHREAD_ONCE_INIT;

/*
 * Names that are never printed for a value: aliases of another name
 * (SIGIOT is SIGABRT), masks and shifts (O_ACCMODE, MAP_TYPE), and values of
 * a different namespace that share the prefix (PR_SET_MM_* are arguments of
 * PR_SET_MM, not prctl options). They still parse in policies.
 */
static const char *const hidden_names[] = {
	"AF_FILE",
	"AF_LOCAL",
	"AF_ROUTE",
	"AF_MAX",
	"AT_FDCWD",
	"AT_STATX_SYNC_TYPE",
	"AT_EACCESS",
	"AT_STATX_SYNC_AS_STAT",
	"CLONE_ARGS_SIZE_VER0",
	"CLONE_ARGS_SIZE_VER1",
	"CLONE_ARGS_SIZE_VER2",
	"EDEADLOCK",
	"EWOULDBLOCK",
	"ENOTSUP",
	"F_GETLK64",
	"F_SETLK64",
	"F_SETLKW64",
	"FUTEX_32",
	"FUTEX_BITSET_MATCH_ANY",
	"FUTEX_CMD_MASK",
	"FUTEX_OWNER_DIED",
	"FUTEX_TID_MASK",
	"FUTEX_WAITERS",
	"FUTEX_WAITV_MAX",
	"FUTEX_PRIVATE_FLAG",
	"FUTEX_CLOCK_REALTIME",
	"MAP_ANON",
	"MAP_FILE",
	"MAP_FAILED",
	"MAP_TYPE",
	"MAP_HUGE_MASK",
	"MAP_HUGE_SHIFT",
	"MAP_SHARED",
	"MAP_PRIVATE",
	"MAP_SHARED_VALIDATE",
	"MS_MGC_VAL",
	"MS_MGC_MSK",
	"MS_RMT_MASK",
	"MSG_TRYHARD",
	"O_ACCMODE",
	"O_NDELAY",
	"O_FSYNC",
	"O_RSYNC",
	"O_RDONLY",
	"O_WRONLY",
	"O_RDWR",
	"RLIMIT_NLIMITS",
	"RLIMIT_OFILE",
	"RLIM_NLIMITS",
	"SHM_R",
	"SHM_W",
	"SIGCLD",
	"SIGIOT",
	"SIGPOLL",
	"SO_GET_FILTER",
	"SO_DETACH_BPF",
	"SOCK_STREAM",
	"SOCK_DGRAM",
	"SOCK_RAW",
	"SOCK_RDM",
	"SOCK_SEQPACKET",
	"SOCK_DCCP",
	"SOCK_PACKET",
	"SEEK_MAX",
	"IOCTL",
};

static bool hidden_prefix(const char *n)
{
	static const char *const prefixes[] = {
		"FUTEX_OP_",  "PR_SET_MM_",	"PR_FP_",	    "PR_FPEMU_",
		"PR_ENDIAN_", "PR_UNALIGN_",	"PR_TSC_",	    "PR_TIMING_",
		"PR_SPEC_",   "PR_MCE_KILL_",	"PR_CAP_AMBIENT_",  "PR_MTE_",
		"PR_PAC_AP",  "PR_SCHED_CORE_", "PR_SYS_DISPATCH_", "PR_TAGGED_",
		"PR_SVE_VL",  "PR_SME_VL",	"PR_SET_VMA_",	    "PR_SET_PTRACER_ANY",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t l = strlen(prefixes[i]);

		/* PR_MCE_KILL_GET is an option, PR_MCE_KILL_EARLY a value of it. */
		if (!strncmp(n, prefixes[i], l) && strcmp(n, "PR_MCE_KILL_GET"))
			return true;
	}
	/* *_ONEXEC, *_INHERIT, *_MASK, *_SHIFT are bits or masks inside arguments. */
	size_t l = strlen(n);
	return (l > 7 && !strcmp(n + l - 7, "_ONEXEC")) ||
	       (l > 8 && !strcmp(n + l - 8, "_INHERIT")) ||
	       (l > 5 && !strcmp(n + l - 5, "_MASK")) || (l > 6 && !strcmp(n + l - 6, "_SHIFT"));
}

static bool hidden(const char *n)
{
	for (size_t i = 0; i < sizeof(hidden_names) / sizeof(hidden_names[0]); i++)
		if (!strcmp(n, hidden_names[i]))
			return true;
	return hidden_prefix(n);
}

static int cmp_group_name(const void *a, const void *b)
{
	return strcmp(((const struct dec_group *)a)->name, ((const struct dec_group *)b)->name);
}

/* Several visible names for one value: the shortest, then the first in ASCII order. */
static int cmp_const_value(const void *a, const void *b)
{
	const struct dec_const *x = a, *y = b;
	size_t lx, ly;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	lx = strlen(x->name);
	ly = strlen(y->name);
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Greedy decomposition takes multi-bit names first (O_SYNC before O_DSYNC). */
static int cmp_const_bits(const void *a, const void *b)
{
	const struct dec_const *x = a, *y = b;
	int px = __builtin_popcountll(x->value), py = __builtin_popcountll(y->value);

	if (px != py)
		return px > py ? -1 : 1;
	return cmp_const_value(a, b);
}

static void free_groups(struct dec_group *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(g[i].byval);
		free(g[i].bits);
	}
	free(g);
}

static void build_groups(void)
{
	struct dec_group *g = NULL;
	size_t n = 0;

	/* Distinct group names (the generated table is small: n^2 is fine once). */
	for (size_t i = 0; i < moat_consts_gen_count; i++) {
		const char *gn = moat_consts_gen[i].group;
		size_t j;

		for (j = 0; j < n; j++)
			if (!strcmp(g[j].name, gn))
				break;
		if (j < n)
			continue;
		struct dec_group *ng = realloc(g, (n + 1) * sizeof(*g));

		if (!ng)
			goto fail;
		g = ng;
		memset(&g[n], 0, sizeof(g[n]));
		g[n++].name = gn;
	}
	for (size_t j = 0; j < n; j++) {
		size_t cnt = 0;

		for (size_t i = 0; i < moat_consts_gen_count; i++)
			if (!strcmp(moat_consts_gen[i].group, g[j].name) &&
			    !hidden(moat_consts_gen[i].name))
				cnt++;
		g[j].byval = calloc(cnt ? cnt : 1, sizeof(*g[j].byval));
		g[j].bits = calloc(cnt ? cnt : 1, sizeof(*g[j].bits));
		if (!g[j].byval || !g[j].bits)
			goto fail;
		for (size_t i = 0; i < moat_consts_gen_count; i++) {
			const struct moat_const *c = &moat_consts_gen[i];

			if (strcmp(c->group, g[j].name) || hidden(c->name))
				continue;
			g[j].byval[g[j].nval++] = (struct dec_const){ c->name, c->value };
			if (c->value)
				g[j].bits[g[j].nbits++] = (struct dec_const){ c->name, c->value };
		}
		qsort(g[j].byval, g[j].nval, sizeof(*g[j].byval), cmp_const_value);
		/* Keep the preferred name of each value only. */
		size_t w = 0;
		for (size_t i = 0; i < g[j].nval; i++)
			if (!w || g[j].byval[w - 1].value != g[j].byval[i].value)
				g[j].byval[w++] = g[j].byval[i];
		g[j].nval = w;
		qsort(g[j].bits, g[j].nbits, sizeof(*g[j].bits), cmp_const_bits);
		w = 0;
		for (size_t i = 0; i < g[j].nbits; i++)
			if (!w || g[j].bits[w - 1].value != g[j].bits[i].value)
				g[j].bits[w++] = g[j].bits[i];
		g[j].nbits = w;
	}
	qsort(g, n, sizeof(*g), cmp_group_name);
	groups = g;
	ngroups = n;
	return;
fail:
	free_groups(g, n);
}

static const struct dec_group *find_group(const char *name)
{
	struct dec_group key = { .name = name };

	if (!name)
		return NULL;
	pthread_once(&groups_once, build_groups);
	if (!groups)
		return NULL;
	return bsearch(&key, groups, ngroups, sizeof(*groups), cmp_group_name);
}

static int cmp_value_key(const void *k, const void *e)
{
	uint64_t v = *(const uint64_t *)k, ev = ((const struct dec_const *)e)->value;

	return v < ev ? -1 : v > ev;
}

static const char *group_name_of(const struct dec_group *g, uint64_t v)
{
	const struct dec_const *c;

	if (!g)
		return NULL;
	c = bsearch(&v, g->byval, g->nval, sizeof(*g->byval), cmp_value_key);
	return c ? c->name : NULL;
}

/* An snprintf that appends at *len and keeps counting past the end of buf. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

__attribute__((format(printf, 2, 3))) static void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->len < o->size ? o->buf + o->len : NULL,
		      o->len < o->size ? o->size - o->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

/* Plain text without going through vsnprintf: names are most of the output. */
static void out_puts(struct out *o, const char *str)
{
	size_t l = strlen(str);

	if (o->len < o->size) {
		size_t room = o->size - o->len - 1, c = l < room ? l : room;

		memcpy(o->buf + o->len, str, c);
		o->buf[o->len + c] = '\0';
	}
	o->len += l;
}

static void out_sep(struct out *o, bool *first)
{
	if (!*first)
		out_puts(o, "|");
	*first = false;
}

/*
 * An int argument: the x86_64 ABI leaves the upper half of the register
 * undefined for 32-bit types, and compilers load -1 as 0x00000000ffffffff.
 * A value whose upper half is zero is therefore read as a 32-bit int.
 */
static int64_t as_int(uint64_t v)
{
	if (v >> 32 == 0)
		return (int32_t)(uint32_t)v;
	return (int64_t)v;
}

static void put_signal(struct out *o, uint64_t v)
{
	int64_t s = as_int(v);
	const char *n = NULL;

	if (s > 0 && s < 32)
		n = group_name_of(find_group("SIG"), (uint64_t)s);
	if (n)
		out_puts(o, n);
	else if (s == 32)
		out_puts(o, "SIGRTMIN"); /* the kernel's SIGRTMIN, not glibc's (34) */
	else if (s > 32 && s <= 64)
		out_printf(o, "SIGRTMIN+%" PRId64, s - 32);
	else
		out_printf(o, "%" PRId64, s);
}

/* Greedy OR of the group's names over V; leftover bits as |0x...; 0 alone as "0". */
static void put_bits(struct out *o, const struct dec_group *g, uint64_t v, bool *first)
{
	if (g) {
		for (size_t i = 0; i < g->nbits && v; i++) {
			if ((v & g->bits[i].value) == g->bits[i].value) {
				out_sep(o, first);
				out_puts(o, g->bits[i].name);
				v &= ~g->bits[i].value;
			}
		}
	}
	if (v) {
		out_sep(o, first);
		out_printf(o, "0x%" PRIx64, v);
	}
}

static void put_mode_bits(struct out *o, uint64_t mode, bool *first)
{
	out_sep(o, first);
	out_printf(o, "%#03" PRIo64, mode); /* 0600, and 000 for none */
}

static void put_flags(struct out *o, const char *gname, uint64_t v)
{
	const struct dec_group *g = find_group(gname);
	bool first = true;

	if (!gname) {
		out_printf(o, "0x%" PRIx64, v);
		return;
	}
	if (!strcmp(gname, "O_FLAGS")) {
		/*
		 * Not a generated group: the O_ bits of calls that take no access
		 * mode (pipe2, dup3, signalfd4, pidfd_open), where 0 is "0".
		 */
		g = find_group("O");
	} else if (!strcmp(gname, "O")) {
		/* The access mode is a 2-bit number, not flags: O_RDONLY is 0. */
		static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR" };
		uint64_t m = v & 3;

		out_sep(o, &first);
		if (m < 3)
			out_puts(o, acc[m]);
		else
			out_puts(o, "0x3");
		v &= ~(uint64_t)3;
	} else if (!strcmp(gname, "AT_ACCESS")) {
		/*
		 * Not a generated group: faccessat2's flags, where 0x200 is
		 * AT_EACCESS (elsewhere the same bit is AT_REMOVEDIR).
		 */
		g = find_group("AT");
		if (v & 0x200) {
			out_sep(o, &first);
			out_puts(o, "AT_EACCESS");
			v &= ~(uint64_t)0x200;
		}
		if (!v && !first)
			return;
	} else if (!strcmp(gname, "SOCK")) {
		/* Low 4 bits: the type (SOCK_TYPE_MASK); above: SOCK_CLOEXEC/NONBLOCK. */
		static const char *const types[] = { NULL,	  "SOCK_STREAM", "SOCK_DGRAM",
						     "SOCK_RAW",  "SOCK_RDM",	 "SOCK_SEQPACKET",
						     "SOCK_DCCP", NULL,		 NULL,
						     NULL,	  "SOCK_PACKET" };
		uint64_t t = v & 0xf;

		/* accept4 shares the group: its flags carry no type. */
		if (t || !v) {
			out_sep(o, &first);
			if (t < sizeof(types) / sizeof(types[0]) && types[t])
				out_puts(o, types[t]);
			else
				out_printf(o, "%" PRIu64, t);
		}
		v &= ~(uint64_t)0xf;
		if (!v)
			return;
	} else if (!strcmp(gname, "MAP")) {
		/* MAP_TYPE (0xf) holds one sharing type, not bits. */
		static const char *const types[] = { NULL, "MAP_SHARED", "MAP_PRIVATE",
						     "MAP_SHARED_VALIDATE" };
		uint64_t t = v & 0xf;

		if (t) {
			out_sep(o, &first);
			if (t < 4)
				out_puts(o, types[t]);
			else
				out_printf(o, "0x%" PRIx64, t);
		}
		v &= ~(uint64_t)0xf;
	} else if (!strcmp(gname, "CLONE")) {
		/*
		 * clone's low byte is the exit signal (CSIGNAL). unshare and
		 * setns share the group: there the only valid low bit is
		 * CLONE_NEWTIME (0x80), which is no signal number (> 64).
		 */
		uint64_t sig = v & 0xff;

		if (sig >= 1 && sig <= 64) {
			put_bits(o, g, v & ~(uint64_t)0xff, &first);
			out_sep(o, &first);
			put_signal(o, sig);
			return;
		}
	} else if (!strcmp(gname, "IPC")) {
		/* shmget/msgget/semget: permission bits below the IPC_* flags. */
		uint64_t mode = v & 0777;

		v &= ~(uint64_t)0777;
		put_bits(o, g, v, &first);
		if (mode || first)
			put_mode_bits(o, mode, &first);
		return;
	} else if (!v && !strcmp(gname, "PROT")) {
		out_puts(o, "PROT_NONE");
		return;
	}
	if (!v) {
		/* A named zero (F_OK) says more than "0". */
		const char *zero = g && strcmp(gname, "O_FLAGS") ? group_name_of(g, 0) : NULL;

		if (first)
			out_puts(o, zero ? zero : "0");
		return;
	}
	put_bits(o, g, v, &first);
}

static void put_enum(struct out *o, const char *gname, uint64_t v)
{
	const struct dec_group *g = find_group(gname);
	const char *n = group_name_of(g, v);

	if (!n && v >> 32 == 0 && (v & 0x80000000u)) /* int held in a 32-bit register half */
		n = group_name_of(g, (uint64_t)(int64_t)(int32_t)(uint32_t)v);
	if (n) {
		out_puts(o, n);
		return;
	}
	if (gname && !strcmp(gname, "FUTEX")) {
		/* FUTEX_*_PRIVATE names are in the table; the clock bit is not. */
		const uint64_t clock_rt = 256;

		n = group_name_of(g, v & ~clock_rt);
		if (n && (v & clock_rt)) {
			out_printf(o, "%s|FUTEX_CLOCK_REALTIME", n);
			return;
		}
	}
	/* Ioctl requests are encoded numbers: hex reads better than decimal. */
	if (gname && !strcmp(gname, "IOCTL"))
		out_printf(o, "0x%" PRIx64, v);
	else
		out_printf(o, "%" PRId64, as_int(v));
}

static void put_mode(struct out *o, uint64_t v)
{
	/* File type bits (mknod) by name, the rest in octal as ls and chmod show it. */
	static const struct {
		uint32_t bits;
		const char *name;
	} types[] = {
		{ 0140000, "S_IFSOCK" }, { 0120000, "S_IFLNK" }, { 0100000, "S_IFREG" },
		{ 0060000, "S_IFBLK" },	 { 0040000, "S_IFDIR" }, { 0020000, "S_IFCHR" },
		{ 0010000, "S_IFIFO" },
	};
	uint32_t m = (uint32_t)v;

	if (v >> 32) {
		out_printf(o, "0x%" PRIx64, v);
		return;
	}
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if ((m & 0170000) == types[i].bits) {
			out_printf(o, "%s|", types[i].name);
			m &= ~0170000u;
			break;
		}
	}
	out_printf(o, "%#03o", m);
}

int moat_decode_arg(const struct moat_arg_sig *a, uint64_t v, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };
	int kind = a ? a->kind : MOAT_ARG_HEX;

	if (size)
		buf[0] = '\0';
	switch (kind) {
	case MOAT_ARG_INT:
		out_printf(&o, "%" PRId64, as_int(v));
		break;
	case MOAT_ARG_UINT:
		out_printf(&o, "%" PRIu64, v);
		break;
	case MOAT_ARG_FD: {
		int64_t fd = as_int(v);

		/* AT_FDCWD (-100): the *at() calls' "relative to the cwd". */
		if (fd == -100)
			out_puts(&o, "AT_FDCWD");
		else
			out_printf(&o, "%" PRId64, fd);
		break;
	}
	case MOAT_ARG_PTR:
	case MOAT_ARG_BUF_IN:
	case MOAT_ARG_BUF_OUT:
	case MOAT_ARG_SOCKADDR:
	case MOAT_ARG_STAT_OUT:
	case MOAT_ARG_STATX_OUT:
	case MOAT_ARG_SOCKADDR_OUT:
	case MOAT_ARG_PATH:
	case MOAT_ARG_STR:
		if (v)
			out_printf(&o, "0x%" PRIx64, v);
		else
			out_puts(&o, "NULL");
		break;
	case MOAT_ARG_FLAGS:
		put_flags(&o, a->group, v);
		break;
	case MOAT_ARG_ENUM:
		put_enum(&o, a->group, v);
		break;
	case MOAT_ARG_MODE:
		put_mode(&o, v);
		break;
	case MOAT_ARG_SIGNAL:
		put_signal(&o, v);
		break;
	case MOAT_ARG_HEX:
	default:
		/* As strace: 0 plainly (mmap's offset), else 0x... */
		out_printf(&o, "%#" PRIx64, v);
		break;
	}
	return o.len > (size_t)0x7fffffff ? 0x7fffffff : (int)o.len;
}

/* O_TMPFILE without the O_DIRECTORY it includes (asm-generic/fcntl.h). */
#define TMPFILE_BIT 020000000

static bool is_fcntl(const struct moat_syscall_sig *sig)
{
	return !strcmp(sig->name, "fcntl");
}

int moat_call_nargs(const struct moat_syscall_sig *sig, const uint64_t *args)
{
	int n;

	if (!sig)
		return 6;
	n = sig->nargs;
	/* open/openat: the mode is whatever the register held unless the flags use it. */
	if (n >= 2 && sig->args[n - 1].kind == MOAT_ARG_MODE &&
	    sig->args[n - 2].kind == MOAT_ARG_FLAGS && sig->args[n - 2].group &&
	    !strcmp(sig->args[n - 2].group, "O") && !(args[n - 2] & (O_CREAT | TMPFILE_BIT)))
		return n - 1;
	if (is_fcntl(sig)) {
		switch ((int)args[1]) {
		case F_GETFD:
		case F_GETFL:
		case F_GETOWN:
		case F_GETSIG:
		case F_GETLEASE:
		case F_GETPIPE_SZ:
		case F_GET_SEALS:
			return 2;
		default:
			break;
		}
	}
	return n;
}

int moat_decode_call_arg(const struct moat_syscall_sig *sig, const uint64_t *args, int i, char *buf,
			 size_t size)
{
	struct moat_arg_sig a;

	if (!sig || i < 0 || i >= sig->nargs)
		return moat_decode_arg(NULL, args[i < 0 || i > 5 ? 0 : i], buf, size);
	a = sig->args[i];
	if (is_fcntl(sig) && i == 2) {
		switch ((int)args[1]) {
		case F_SETFD:
			a = (struct moat_arg_sig){ MOAT_ARG_FLAGS, "FD", a.name };
			break;
		case F_SETFL:
			/* The access mode bits are ignored here: O_ bits only. */
			a = (struct moat_arg_sig){ MOAT_ARG_FLAGS, "O_FLAGS", a.name };
			break;
		case F_DUPFD:
		case F_DUPFD_CLOEXEC:
		case F_SETOWN:
		case F_SETPIPE_SZ:
		case F_SETLEASE:
			a = (struct moat_arg_sig){ MOAT_ARG_INT, NULL, a.name };
			break;
		case F_SETSIG:
			a = (struct moat_arg_sig){ MOAT_ARG_SIGNAL, NULL, a.name };
			break;
		case F_ADD_SEALS:
			a = (struct moat_arg_sig){ MOAT_ARG_FLAGS, "SEAL", a.name };
			break;
		case F_GETLK:
		case F_SETLK:
		case F_SETLKW:
		case F_OFD_GETLK:
		case F_OFD_SETLK:
		case F_OFD_SETLKW:
		case F_GETOWN_EX:
		case F_SETOWN_EX:
			a = (struct moat_arg_sig){ MOAT_ARG_PTR, NULL, a.name };
			break;
		default:
			break;
		}
	}
	return moat_decode_arg(&a, args[i], buf, size);
}

/* C escape of one byte into esc (at most 4 chars + NUL); returns its length. */
static size_t escape_byte(unsigned char c, char esc[5])
{
	static const char from[] = "\"\\\n\t\r\v\f", to[] = "\"\\ntrvf";
	const char *p = c ? strchr(from, c) : NULL;

	if (p) {
		esc[0] = '\\';
		esc[1] = to[p - from];
		esc[2] = '\0';
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		esc[0] = (char)c;
		esc[1] = '\0';
		return 1;
	}
	/* Always 3 octal digits, so that a following digit is not read as part of it. */
	snprintf(esc, 5, "\\%03o", c);
	return 4;
}

int moat_decode_string(const char *s, size_t len, char *buf, size_t size)
{
	size_t need = 2, w = 1;
	char esc[5];

	for (size_t i = 0; i < len; i++)
		need += escape_byte((unsigned char)s[i], esc);
	if (!size)
		return need > INT32_MAX ? INT32_MAX : (int)need;
	if (need + 1 <= size) {
		buf[0] = '"';
		for (size_t i = 0; i < len; i++) {
			size_t el = escape_byte((unsigned char)s[i], esc);

			memcpy(buf + w, esc, el);
			w += el;
		}
		memcpy(buf + w, "\"", 2);
	} else if (size >= 6) {
		/*
		 * Truncated like strace: "abc"... — the quote closes what was
		 * shown, the dots say there was more. Cut between escapes only.
		 */
		buf[0] = '"';
		for (size_t i = 0; i < len; i++) {
			size_t el = escape_byte((unsigned char)s[i], esc);

			if (w + el + 5 > size)
				break;
			memcpy(buf + w, esc, el);
			w += el;
		}
		memcpy(buf + w, "\"...", 5);
	} else {
		buf[0] = '\0'; /* no room for even ""... */
	}
	return need > INT32_MAX ? INT32_MAX : (int)need;
}
