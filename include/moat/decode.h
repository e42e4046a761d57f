/* SPDX-License-Identifier: MIT */
/*
 * Named constants and argument decoding, shared by the .moat parser (names
 * in conditions), `moat run`'s violation reports and `moat trace`.
 */
#ifndef MOAT_DECODE_H
#define MOAT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct moat_const {
	const char *name; /* "AF_INET" */
	uint64_t value;
	const char *group; /* "AF", "O", "PROT", "IOCTL", "E", ... */
};

/* The table generated from the system headers (src/decode/consts_gen.c). */
extern const struct moat_const moat_consts_gen[];
extern const size_t moat_consts_gen_count;

/* Value of a named constant. 0 or -ENOENT. */
int moat_const_lookup(const char *name, uint64_t *value);
/* "EPERM" for 1, NULL when the number has no name. */
const char *moat_errno_name(int err);
/* "EPERM" or a number 0..4095. 0 or -EINVAL. */
int moat_errno_parse(const char *s, int *out);

/* ---- Syscall signatures and argument decoding (src/decode/args.c) ---- */

enum moat_arg_kind {
	MOAT_ARG_NONE = 0,
	MOAT_ARG_INT,	 /* signed decimal */
	MOAT_ARG_UINT,	 /* unsigned decimal (sizes, counts) */
	MOAT_ARG_HEX,	 /* opaque number */
	MOAT_ARG_PTR,	 /* address: NULL or 0x... */
	MOAT_ARG_FD,	 /* file descriptor (AT_FDCWD for dirfds) */
	MOAT_ARG_PATH,	 /* NUL-terminated path in the target's memory */
	MOAT_ARG_STR,	 /* NUL-terminated string in the target's memory */
	MOAT_ARG_FLAGS,	 /* OR of constants of GROUP: "O_RDONLY|O_CLOEXEC" */
	MOAT_ARG_ENUM,	 /* one constant of GROUP: "AF_INET" */
	MOAT_ARG_MODE,	 /* octal file mode */
	MOAT_ARG_SIGNAL, /* signal number: "SIGTERM" */
	/*
	 * Data buffers, formatted as pointers here; moat trace shows their
	 * first bytes. BUF_IN: data given to the kernel, as many bytes as the
	 * next argument says (write). BUF_OUT: filled by the kernel, as many
	 * bytes as the call returns (read).
	 */
	MOAT_ARG_BUF_IN,
	MOAT_ARG_BUF_OUT,
	/* A socket address given to the kernel, its length in the next argument (connect). */
	MOAT_ARG_SOCKADDR,
	/* Filled by the kernel on success: a struct stat (fstat), a struct statx. */
	MOAT_ARG_STAT_OUT,
	MOAT_ARG_STATX_OUT,
	/*
	 * A socket address the kernel fills (accept), its length in the
	 * socklen_t the next argument points to (value-result).
	 */
	MOAT_ARG_SOCKADDR_OUT,
};

struct moat_arg_sig {
	uint8_t kind;	   /* enum moat_arg_kind */
	const char *group; /* constant group for FLAGS/ENUM ("O", "PROT", "IOCTL") */
	const char *name;  /* argument name as in the man page ("flags") */
};

struct moat_syscall_sig {
	const char *name;
	uint8_t nargs;
	struct moat_arg_sig args[6];
};

/* Signature of NAME, or NULL when moat has none (decode as 6 hex words). */
const struct moat_syscall_sig *moat_syscall_sig(const char *name);
/*
 * The signature table in name order, for listings and tests: count, then the
 * i-th. Besides the generated groups, FLAGS may name "O_FLAGS": the O_ bits of
 * calls that take no access mode (pipe2, dup3), so 0 is "0", not O_RDONLY.
 */
size_t moat_syscall_sig_count(void);
const struct moat_syscall_sig *moat_syscall_sig_at(size_t i);
/*
 * Formats one argument value by its kind (no memory is read here: PATH and
 * STR format as pointers; callers that can read memory use moat_decode_string).
 * Returns the length needed (snprintf semantics).
 */
int moat_decode_arg(const struct moat_arg_sig *a, uint64_t v, char *buf, size_t size);
/*
 * How many of SIG's arguments a call with ARGS uses, as strace shows it:
 * open/openat's mode only with O_CREAT or O_TMPFILE, fcntl's third only for
 * the commands that take one. SIG NULL: 6.
 */
int moat_call_nargs(const struct moat_syscall_sig *sig, const uint64_t *args);
/*
 * Argument I of a call with ARGS, decoded as the other arguments say (fcntl's
 * third by its command: FD_CLOEXEC, O_ flags, a signal, an fd, a pointer),
 * else as moat_decode_arg. snprintf semantics.
 */
int moat_decode_call_arg(const struct moat_syscall_sig *sig, const uint64_t *args, int i, char *buf,
			 size_t size);
/* The bytes of a struct stat or struct statx moat shows: their first MOAT_STAT_LEN. */
#define MOAT_STAT_LEN 144
struct moat_stat {
	uint32_t mode;
	uint64_t size;
	uint32_t rdev_major, rdev_minor; /* character and block devices */
};
/* 0, or -EINVAL when LEN (< MOAT_STAT_LEN) cannot hold them. STATX: a struct statx. */
int moat_stat_parse(const void *data, size_t len, bool statx, struct moat_stat *st);
/* "S_IFREG|0644": the file type by name, then the permission bits. snprintf semantics. */
int moat_decode_file_mode(uint32_t mode, char *buf, size_t size);
/*
 * As strace shows it: {st_mode=S_IFREG|0644, st_size=42107, ...}, with
 * st_rdev=makedev(0x1, 0x3) for devices (stx_ names for statx). snprintf
 * semantics; -EINVAL as moat_stat_parse.
 */
int moat_decode_stat(const void *data, size_t len, bool statx, char *buf, size_t size);
/* Quotes and escapes S (LEN bytes) as C-style "..." , truncating with "...". */
int moat_decode_string(const char *s, size_t len, char *buf, size_t size);

/* A socket address (LEN bytes of a struct sockaddr), taken apart. */
struct moat_sockaddr {
	int family;		 /* AF_* */
	const char *family_name; /* "AF_INET"; NULL when moat has no name for it */
	char addr[46];		 /* AF_INET, AF_INET6: the address as text */
	int port;		 /* AF_INET, AF_INET6: the port; else -1 */
	/* AF_UNIX: the path (abstract: from its second byte), PATH_LEN bytes. */
	char path[108];
	size_t path_len;
	bool abstract;		    /* AF_UNIX: an abstract name (first byte 0) */
	bool unnamed;		    /* AF_UNIX: no path at all */
	uint32_t nl_pid, nl_groups; /* AF_NETLINK */
};
/* 0, or -EINVAL when LEN cannot hold the family or the family's address. */
int moat_sockaddr_parse(const void *data, size_t len, struct moat_sockaddr *sa);
/*
 * As strace shows it: {sa_family=AF_INET, sin_port=htons(80),
 * sin_addr=inet_addr("1.2.3.4")}. snprintf semantics; -EINVAL as above.
 */
int moat_decode_sockaddr(const void *data, size_t len, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
