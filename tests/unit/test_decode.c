// SPDX-License-Identifier: MIT
/*
 * Argument decoding. Inputs are built from the libc/kernel header macros;
 * every expected string is written by hand from the man pages' facts
 * (open(2), socket(2), mmap(2), clone(2), futex(2), signal(7), ioctl_tty(2)...).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <linux/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <stddef.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <arpa/inet.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "moat/decode.h"
#include "moat/syscalls.h"
#include "testutil.h"

/* Decodes argument I of syscall SC. */
static const char *dec(const char *sc, int i, uint64_t v)
{
	static char buf[256];
	const struct moat_syscall_sig *s = moat_syscall_sig(sc);
	int n;

	assert_non_null(s);
	assert_true(i < s->nargs);
	n = moat_decode_arg(&s->args[i], v, buf, sizeof(buf));
	assert_int_equal((size_t)n, strlen(buf));
	return buf;
}

static void test_signatures(void **state)
{
	const struct moat_syscall_sig *s = moat_syscall_sig("openat");

	assert_non_null(s);
	assert_string_equal(s->name, "openat");
	assert_int_equal(s->nargs, 4);
	assert_int_equal(s->args[0].kind, MOAT_ARG_FD);
	assert_string_equal(s->args[0].name, "dirfd");
	assert_int_equal(s->args[1].kind, MOAT_ARG_PATH);
	assert_int_equal(s->args[2].kind, MOAT_ARG_FLAGS);
	assert_string_equal(s->args[2].group, "O");
	assert_int_equal(s->args[3].kind, MOAT_ARG_MODE);
	assert_int_equal(moat_syscall_sig("getppid")->nargs, 0);
	assert_int_equal(moat_syscall_sig("mmap")->nargs, 6);
	assert_null(moat_syscall_sig("no_such_call"));
	assert_null(moat_syscall_sig(""));
	assert_null(moat_syscall_sig(NULL));
}

/* Every signature names a real x86_64 syscall, in order, with kinds and groups that exist. */
static void test_signature_table(void **state)
{
	size_t n = moat_syscall_sig_count();
	const char *prev = "";

	assert_true(n >= 150);
	for (size_t i = 0; i < n; i++) {
		const struct moat_syscall_sig *s = moat_syscall_sig_at(i);

		assert_non_null(s);
		if (moat_syscall_nr(MOAT_ARCH_X86_64, s->name) < 0)
			fail_msg("%s is not an x86_64 syscall", s->name);
		assert_true(strcmp(prev, s->name) < 0);
		prev = s->name;
		assert_ptr_equal(moat_syscall_sig(s->name), s);
		assert_true(s->nargs <= 6);
		for (int a = 0; a < s->nargs; a++) {
			const struct moat_arg_sig *arg = &s->args[a];

			assert_true(arg->kind > MOAT_ARG_NONE &&
				    arg->kind <= MOAT_ARG_SOCKADDR_OUT);
			assert_non_null(arg->name);
			/* moat trace takes a BUF_IN's length from the next argument. */
			if ((arg->kind == MOAT_ARG_BUF_IN || arg->kind == MOAT_ARG_SOCKADDR) &&
			    (a + 1 >= s->nargs || s->args[a + 1].kind != MOAT_ARG_UINT))
				fail_msg("%s.%s: no length after the buffer", s->name, arg->name);
			/* ... a SOCKADDR_OUT's from where the next argument points. */
			if (arg->kind == MOAT_ARG_SOCKADDR_OUT &&
			    (a + 1 >= s->nargs || s->args[a + 1].kind != MOAT_ARG_PTR))
				fail_msg("%s.%s: no length pointer after it", s->name, arg->name);
			if (arg->kind == MOAT_ARG_FLAGS || arg->kind == MOAT_ARG_ENUM) {
				bool found = !strcmp(arg->group, "O_FLAGS") ||
					     !strcmp(arg->group, "AT_ACCESS");

				for (size_t c = 0; !found && c < moat_consts_gen_count; c++)
					found = !strcmp(moat_consts_gen[c].group, arg->group);
				if (!found)
					fail_msg("%s.%s: no constant group %s", s->name, arg->name,
						 arg->group);
			} else {
				assert_null(arg->group);
			}
		}
	}
}

static void test_open_flags(void **state)
{
	/* open(2): O_RDONLY is 0; the access mode is a number, not a bit. */
	assert_string_equal(dec("openat", 2, O_WRONLY | O_CREAT | O_TRUNC),
			    "O_WRONLY|O_CREAT|O_TRUNC");
	assert_string_equal(dec("openat", 2, O_RDONLY), "O_RDONLY");
	/* AT_EACCESS and AT_REMOVEDIR are the same bit: each call names its own. */
	assert_string_equal(dec("faccessat2", 3, AT_EACCESS | AT_SYMLINK_NOFOLLOW),
			    "AT_EACCESS|AT_SYMLINK_NOFOLLOW");
	assert_string_equal(dec("faccessat2", 3, 0), "0");
	assert_string_equal(dec("unlinkat", 2, AT_REMOVEDIR), "AT_REMOVEDIR");
	assert_string_equal(dec("openat", 2, O_RDONLY | O_CLOEXEC), "O_RDONLY|O_CLOEXEC");
	assert_string_equal(dec("open", 1, O_RDWR | O_APPEND), "O_RDWR|O_APPEND");
	assert_string_equal(dec("openat", 2, O_RDONLY | O_DIRECTORY | O_NOFOLLOW),
			    "O_RDONLY|O_DIRECTORY|O_NOFOLLOW");
	/* O_TMPFILE includes the O_DIRECTORY bit: one name, not two. */
	assert_string_equal(dec("openat", 2, O_RDWR | O_TMPFILE), "O_RDWR|O_TMPFILE");
	/* O_SYNC is __O_SYNC|O_DSYNC. */
	assert_string_equal(dec("openat", 2, O_WRONLY | O_SYNC), "O_WRONLY|O_SYNC");
	assert_string_equal(dec("openat", 2, O_WRONLY | O_DSYNC), "O_WRONLY|O_DSYNC");
	/* Bits no name covers stay visible. */
	assert_string_equal(dec("openat", 2, O_RDONLY | O_CLOEXEC | 0x40000000),
			    "O_RDONLY|O_CLOEXEC|0x40000000");
	assert_string_equal(dec("openat", 2, 3), "0x3"); /* invalid access mode 3 */
	/* pipe2/dup3 take no access mode. */
	assert_string_equal(dec("pipe2", 1, O_CLOEXEC | O_NONBLOCK), "O_NONBLOCK|O_CLOEXEC");
	assert_string_equal(dec("pipe2", 1, 0), "0");
	assert_string_equal(dec("dup3", 2, O_CLOEXEC), "O_CLOEXEC");
}

static void test_fds_and_ints(void **state)
{
	assert_string_equal(dec("openat", 0, (uint64_t)(int64_t)AT_FDCWD), "AT_FDCWD");
	/* AT_FDCWD passed as a 32-bit int in a zero-extended register. */
	assert_string_equal(dec("openat", 0, (uint32_t)AT_FDCWD), "AT_FDCWD");
	assert_string_equal(dec("read", 0, 3), "3");
	assert_string_equal(dec("read", 2, 4096), "4096");
	assert_string_equal(dec("read", 1, 0x7ffc1234), "0x7ffc1234");
	assert_string_equal(dec("read", 1, 0), "NULL");
	/* kill(2): pid -1 means every process we may signal. */
	assert_string_equal(dec("kill", 0, (uint64_t)-1), "-1");
	assert_string_equal(dec("kill", 0, 0xffffffffu), "-1");
	assert_string_equal(dec("lseek", 1, (uint64_t)-4096), "-4096");
	assert_string_equal(dec("lseek", 2, SEEK_END), "SEEK_END");
	assert_string_equal(dec("mmap", 5, 0x1000), "0x1000");
	assert_string_equal(dec("mmap", 4, (uint64_t)-1), "-1");
	/* PATH/STR are pointers here: reading the target's memory is the caller's job. */
	assert_string_equal(dec("openat", 1, 0x5555deadb000), "0x5555deadb000");
}

static void test_sockets(void **state)
{
	assert_string_equal(dec("socket", 0, AF_INET6), "AF_INET6");
	assert_string_equal(dec("socket", 0, AF_UNIX), "AF_UNIX");
	assert_string_equal(dec("socket", 0, AF_NETLINK), "AF_NETLINK");
	assert_string_equal(dec("socket", 1, SOCK_STREAM), "SOCK_STREAM");
	assert_string_equal(dec("socket", 1, SOCK_DGRAM | SOCK_CLOEXEC), "SOCK_DGRAM|SOCK_CLOEXEC");
	assert_string_equal(dec("socket", 1, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC),
			    "SOCK_SEQPACKET|SOCK_NONBLOCK|SOCK_CLOEXEC");
	assert_string_equal(dec("socket", 0, 4242), "4242");
	assert_string_equal(dec("accept4", 3, SOCK_CLOEXEC), "SOCK_CLOEXEC");
	assert_string_equal(dec("sendto", 3, MSG_DONTWAIT | MSG_NOSIGNAL),
			    "MSG_DONTWAIT|MSG_NOSIGNAL");
	assert_string_equal(dec("setsockopt", 1, SOL_SOCKET), "SOL_SOCKET");
	assert_string_equal(dec("shutdown", 1, SHUT_WR), "SHUT_WR");
}

static void test_memory(void **state)
{
	assert_string_equal(dec("mmap", 2, PROT_NONE), "PROT_NONE");
	assert_string_equal(dec("mmap", 2, PROT_READ | PROT_WRITE), "PROT_READ|PROT_WRITE");
	assert_string_equal(dec("mprotect", 2, PROT_READ | PROT_EXEC), "PROT_READ|PROT_EXEC");
	assert_string_equal(dec("mmap", 3, MAP_PRIVATE | MAP_ANONYMOUS),
			    "MAP_PRIVATE|MAP_ANONYMOUS");
	assert_string_equal(dec("mmap", 3, MAP_SHARED | MAP_FIXED), "MAP_SHARED|MAP_FIXED");
	assert_string_equal(dec("mmap", 3, MAP_PRIVATE | MAP_FIXED_NOREPLACE | MAP_STACK),
			    "MAP_PRIVATE|MAP_STACK|MAP_FIXED_NOREPLACE");
	assert_string_equal(dec("madvise", 2, MADV_DONTNEED), "MADV_DONTNEED");
	assert_string_equal(dec("madvise", 2, MADV_NORMAL), "MADV_NORMAL");
	assert_string_equal(dec("msync", 2, MS_SYNC), "MS_SYNC");
}

static void test_process(void **state)
{
	/* What glibc's fork() passes to clone (clone(2)): the exit signal in the low byte. */
	assert_string_equal(dec("clone", 0, CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD),
			    "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
	assert_string_equal(dec("clone", 0, CLONE_VM | CLONE_VFORK | SIGCHLD),
			    "CLONE_VM|CLONE_VFORK|SIGCHLD");
	assert_string_equal(dec("unshare", 0, CLONE_NEWUSER | CLONE_NEWNS),
			    "CLONE_NEWNS|CLONE_NEWUSER");
	/* CLONE_NEWTIME (0x80) sits in clone's signal byte: unshare only. */
	assert_string_equal(dec("unshare", 0, CLONE_NEWTIME), "CLONE_NEWTIME");
	assert_string_equal(dec("wait4", 2, WNOHANG), "WNOHANG");
	assert_string_equal(dec("wait4", 2, 0), "0");
	assert_string_equal(dec("prctl", 0, PR_SET_NO_NEW_PRIVS), "PR_SET_NO_NEW_PRIVS");
	assert_string_equal(dec("prctl", 0, PR_SET_SECCOMP), "PR_SET_SECCOMP");
	assert_string_equal(dec("prctl", 0, 1), "PR_SET_PDEATHSIG");
	assert_string_equal(dec("prctl", 0, 15), "PR_SET_NAME");
	assert_string_equal(dec("prctl", 0, 35), "PR_SET_MM");
	assert_string_equal(dec("ptrace", 0, 16), "PTRACE_ATTACH");
	assert_string_equal(dec("ptrace", 0, 0x4206), "PTRACE_SEIZE");
	assert_string_equal(dec("arch_prctl", 0, 0x1002), "ARCH_SET_FS");
	assert_string_equal(dec("prlimit64", 1, 7), "RLIMIT_NOFILE");
	assert_string_equal(dec("seccomp", 0, 1), "SECCOMP_SET_MODE_FILTER");
	assert_string_equal(dec("seccomp", 1, 1 | 8),
			    "SECCOMP_FILTER_FLAG_TSYNC|SECCOMP_FILTER_FLAG_NEW_LISTENER");
}

static void test_fcntl_futex(void **state)
{
	assert_string_equal(dec("fcntl", 1, F_DUPFD), "F_DUPFD");
	assert_string_equal(dec("fcntl", 1, F_SETFD), "F_SETFD");
	assert_string_equal(dec("fcntl", 1, F_GETLK), "F_GETLK");
	assert_string_equal(dec("fcntl", 1, F_DUPFD_CLOEXEC), "F_DUPFD_CLOEXEC");
	assert_string_equal(dec("fcntl", 1, F_ADD_SEALS), "F_ADD_SEALS");
	assert_string_equal(dec("futex", 1, FUTEX_WAIT), "FUTEX_WAIT");
	assert_string_equal(dec("futex", 1, FUTEX_WAKE | FUTEX_PRIVATE_FLAG), "FUTEX_WAKE_PRIVATE");
	assert_string_equal(
		dec("futex", 1, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME),
		"FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME");
	assert_string_equal(dec("flock", 1, LOCK_EX | LOCK_NB), "LOCK_EX|LOCK_NB");
	assert_string_equal(dec("access", 1, F_OK), "F_OK");
	assert_string_equal(dec("access", 1, X_OK), "X_OK");
	assert_string_equal(dec("unlinkat", 2, AT_REMOVEDIR), "AT_REMOVEDIR");
	assert_string_equal(dec("newfstatat", 3, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW),
			    "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH");
	assert_string_equal(dec("newfstatat", 3, 0), "0");
}

static void test_ioctl(void **state)
{
	/* ioctl_tty(2) / ioctl_fionread: requests by name, unknown ones in hex. */
	assert_string_equal(dec("ioctl", 1, TCGETS), "TCGETS");
	assert_string_equal(dec("ioctl", 1, TIOCGWINSZ), "TIOCGWINSZ");
	assert_string_equal(dec("ioctl", 1, TIOCSTI), "TIOCSTI");
	assert_string_equal(dec("ioctl", 1, FIOCLEX), "FIOCLEX");
	assert_string_equal(dec("ioctl", 1, 0xc0de1234), "0xc0de1234");
}

static void test_signals(void **state)
{
	/* signal(7): x86_64 numbers. */
	assert_string_equal(dec("kill", 1, SIGKILL), "SIGKILL");
	assert_string_equal(dec("kill", 1, 15), "SIGTERM");
	assert_string_equal(dec("kill", 1, 6), "SIGABRT");  /* not SIGIOT */
	assert_string_equal(dec("kill", 1, 17), "SIGCHLD"); /* not SIGCLD */
	assert_string_equal(dec("kill", 1, 29), "SIGIO");   /* not SIGPOLL */
	assert_string_equal(dec("kill", 1, 0), "0");
	assert_string_equal(dec("kill", 1, 32), "SIGRTMIN");
	assert_string_equal(dec("tgkill", 2, 34), "SIGRTMIN+2");
	assert_string_equal(dec("kill", 1, 65), "65");
	assert_string_equal(dec("rt_sigaction", 0, SIGSEGV), "SIGSEGV");
	assert_string_equal(dec("rt_sigprocmask", 0, SIG_SETMASK), "SIG_SETMASK");
}

static void test_modes(void **state)
{
	assert_string_equal(dec("openat", 3, 0644), "0644");
	assert_string_equal(dec("mkdir", 1, 0755), "0755");
	assert_string_equal(dec("chmod", 1, 04755), "04755");
	assert_string_equal(dec("umask", 0, 022), "022");
	assert_string_equal(dec("openat", 3, 0), "000");
	assert_string_equal(dec("mknod", 1, S_IFIFO | 0600), "S_IFIFO|0600");
	assert_string_equal(dec("shmget", 2, 01000 | 0600),
			    "IPC_CREAT|0600"); /* IPC_CREAT: 01000 */
}

static void test_buffer_sizes(void **state)
{
	const struct moat_arg_sig *a = &moat_syscall_sig("openat")->args[2];
	char small[8];
	int n;

	/* snprintf semantics: the full length is returned, the buffer holds a prefix. */
	n = moat_decode_arg(a, O_WRONLY | O_CREAT | O_TRUNC, small, sizeof(small));
	assert_int_equal(n, (int)strlen("O_WRONLY|O_CREAT|O_TRUNC"));
	assert_string_equal(small, "O_WRONL");
	n = moat_decode_arg(a, O_WRONLY | O_CREAT | O_TRUNC, NULL, 0);
	assert_int_equal(n, (int)strlen("O_WRONLY|O_CREAT|O_TRUNC"));
	/* No signature: a plain hex word. */
	n = moat_decode_arg(NULL, 255, small, sizeof(small));
	assert_string_equal(small, "0xff");
	assert_int_equal(n, 4);
}

static void test_strings(void **state)
{
	char buf[64];
	int n;

	n = moat_decode_string("/etc/passwd", 11, buf, sizeof(buf));
	assert_string_equal(buf, "\"/etc/passwd\"");
	assert_int_equal(n, 13);
	/* C escapes; other bytes as 3-digit octal so a following digit stays a digit. */
	moat_decode_string("a\"b\\c\n\t\0"
			   "1\x7f",
			   10, buf, sizeof(buf));
	assert_string_equal(buf, "\"a\\\"b\\\\c\\n\\t\\0001\\177\"");
	moat_decode_string("", 0, buf, sizeof(buf));
	assert_string_equal(buf, "\"\"");
	/* Truncation: the shown part is closed and followed by "...". */
	n = moat_decode_string("hello world", 11, buf, 10);
	assert_string_equal(buf, "\"hell\"...");
	assert_int_equal(n, 13);
	/* An escape is never cut in half. */
	moat_decode_string("ab\ncdef", 7, buf, 9);
	assert_string_equal(buf, "\"ab\"...");
	moat_decode_string("ab\ncdef", 7, buf, 10);
	assert_string_equal(buf, "\"ab\\n\"...");
	/* Exactly fitting: no dots. */
	moat_decode_string("abcdefg", 7, buf, 10);
	assert_string_equal(buf, "\"abcdefg\"");
	moat_decode_string("abcdefgh", 8, buf, 5);
	assert_string_equal(buf, "");
	n = moat_decode_string("abc", 3, NULL, 0);
	assert_int_equal(n, 5);
}

/* struct stat and statx as the kernel filled them. */
static void test_stat(void **state)
{
	struct stat st;
	struct statx sx;
	char buf[256];

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0640;
	st.st_size = 42107;
	assert_true(moat_decode_stat(&st, sizeof(st), false, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "{st_mode=S_IFREG|0640, st_size=42107, ...}");
	st.st_mode = S_IFCHR | 0666;
	st.st_rdev = makedev(1, 3);
	moat_decode_stat(&st, sizeof(st), false, buf, sizeof(buf));
	assert_string_equal(buf, "{st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}");
	memset(&sx, 0, sizeof(sx));
	sx.stx_mode = S_IFDIR | 01777;
	sx.stx_size = 4096;
	moat_decode_stat(&sx, MOAT_STAT_LEN, true, buf, sizeof(buf));
	assert_string_equal(buf, "{stx_mode=S_IFDIR|01777, stx_size=4096, ...}");
	/* Fewer bytes than moat reads: refused, nothing read past them. */
	assert_int_equal(moat_decode_stat(&sx, MOAT_STAT_LEN - 1, true, buf, sizeof(buf)), -EINVAL);
	moat_decode_file_mode(S_IFLNK | 0777, buf, sizeof(buf));
	assert_string_equal(buf, "S_IFLNK|0777");
	moat_decode_file_mode(0644, buf, sizeof(buf)); /* no type bits */
	assert_string_equal(buf, "0644");
}

/* Arguments shown as the call's other arguments say (strace's way). */
static void test_call_args(void **state)
{
	const struct moat_syscall_sig *f = moat_syscall_sig("fcntl"),
				      *o = moat_syscall_sig("openat");
	uint64_t a[6] = { 3, F_SETFD, FD_CLOEXEC };
	char buf[128];

	assert_int_equal(moat_call_nargs(f, a), 3);
	moat_decode_call_arg(f, a, 2, buf, sizeof(buf));
	assert_string_equal(buf, "FD_CLOEXEC");
	a[1] = F_SETFL;
	a[2] = O_NONBLOCK | O_APPEND;
	moat_decode_call_arg(f, a, 2, buf, sizeof(buf));
	assert_string_equal(buf, "O_APPEND|O_NONBLOCK");
	a[1] = F_DUPFD_CLOEXEC;
	a[2] = 10;
	moat_decode_call_arg(f, a, 2, buf, sizeof(buf));
	assert_string_equal(buf, "10");
	a[1] = F_SETSIG;
	a[2] = SIGIO;
	moat_decode_call_arg(f, a, 2, buf, sizeof(buf));
	assert_string_equal(buf, "SIGIO");
	a[1] = F_SETLK;
	a[2] = 0x7ffd0000;
	moat_decode_call_arg(f, a, 2, buf, sizeof(buf));
	assert_string_equal(buf, "0x7ffd0000");
	/* No third argument: not shown at all. */
	a[1] = F_GETFL;
	assert_int_equal(moat_call_nargs(f, a), 2);
	a[1] = F_GETFD;
	assert_int_equal(moat_call_nargs(f, a), 2);
	/* openat: the mode only with O_CREAT or O_TMPFILE. */
	a[2] = O_RDONLY | O_CLOEXEC;
	assert_int_equal(moat_call_nargs(o, a), 3);
	a[2] = O_WRONLY | O_CREAT;
	assert_int_equal(moat_call_nargs(o, a), 4);
	a[2] = O_RDWR | O_TMPFILE;
	assert_int_equal(moat_call_nargs(o, a), 4);
	/* Other calls: their own argument, untouched. */
	moat_decode_call_arg(o, a, 2, buf, sizeof(buf));
	assert_string_equal(buf, "O_RDWR|O_TMPFILE");
}

/* Socket addresses, as bytes a traced program passed: every length checked. */
static void test_sockaddr(void **state)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(443) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6,
				    .sin6_port = htons(8080),
				    .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_un un = { .sun_family = AF_UNIX, .sun_path = "/run/x.sock" };
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK, .nl_pid = 7, .nl_groups = 0x10 };
	struct moat_sockaddr sa;
	char buf[256];
	uint16_t fam;

	in.sin_addr.s_addr = htonl(0x0a000001);
	assert_true(moat_decode_sockaddr(&in, sizeof(in), buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "{sa_family=AF_INET, sin_port=htons(443), "
				 "sin_addr=inet_addr(\"10.0.0.1\")}");
	/* Too short for its family, or for any: refused, nothing read past LEN. */
	assert_int_equal(moat_decode_sockaddr(&in, sizeof(in) - 1, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(moat_decode_sockaddr(&in, 1, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(moat_sockaddr_parse(&in6, sizeof(in6), &sa), 0);
	assert_string_equal(sa.addr, "::1");
	assert_int_equal(sa.port, 8080);
	assert_string_equal(sa.family_name, "AF_INET6");
	moat_decode_sockaddr(&un, sizeof(un), buf, sizeof(buf));
	assert_string_equal(buf, "{sa_family=AF_UNIX, sun_path=\"/run/x.sock\"}");
	/* Abstract: a 0 byte first, the length says where it ends. */
	memcpy(un.sun_path, "\0ab\0c", 5);
	moat_decode_sockaddr(&un, offsetof(struct sockaddr_un, sun_path) + 5, buf, sizeof(buf));
	assert_string_equal(buf, "{sa_family=AF_UNIX, sun_path=@\"ab\\000c\"}");
	/* Unnamed: the family alone. */
	moat_decode_sockaddr(&un, sizeof(sa_family_t), buf, sizeof(buf));
	assert_string_equal(buf, "{sa_family=AF_UNIX}");
	moat_decode_sockaddr(&nl, sizeof(nl), buf, sizeof(buf));
	assert_string_equal(buf, "{sa_family=AF_NETLINK, nl_pid=7, nl_groups=0x10}");
	fam = 9999; /* no such family */
	moat_decode_sockaddr(&fam, sizeof(fam), buf, sizeof(buf));
	assert_string_equal(buf, "{sa_family=9999, ...}");
	/* snprintf semantics: the length needed, the text cut to the room. */
	assert_int_equal(moat_decode_sockaddr(&in, sizeof(in), buf, 8),
			 (int)strlen("{sa_family=AF_INET, sin_port=htons(443), "
				     "sin_addr=inet_addr(\"10.0.0.1\")}"));
	assert_string_equal(buf, "{sa_fam");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signatures),	cmocka_unit_test(test_sockaddr),
		cmocka_unit_test(test_call_args),	cmocka_unit_test(test_stat),
		cmocka_unit_test(test_signature_table), cmocka_unit_test(test_open_flags),
		cmocka_unit_test(test_fds_and_ints),	cmocka_unit_test(test_sockets),
		cmocka_unit_test(test_memory),		cmocka_unit_test(test_process),
		cmocka_unit_test(test_fcntl_futex),	cmocka_unit_test(test_ioctl),
		cmocka_unit_test(test_signals),		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_buffer_sizes),	cmocka_unit_test(test_strings),
	};

	return MOAT_RUN_TESTS(tests);
}
