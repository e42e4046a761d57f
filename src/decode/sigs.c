// SPDX-License-Identifier: MIT
/*
 * Signatures of the common x86_64 syscalls: argument names as in the man
 * pages (section 2) and how each is printed. Order here is by family for the
 * reader; moat_syscall_sig sorts an index once and bsearches it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "moat/decode.h"

/* clang-format off: one-line initializer macros read better than the formatter's blocks. */
// clang-format off
#define A_INT(n) { MOAT_ARG_INT, NULL, n }
#define A_UINT(n) { MOAT_ARG_UINT, NULL, n }
#define A_HEX(n) { MOAT_ARG_HEX, NULL, n }
#define A_PTR(n) { MOAT_ARG_PTR, NULL, n }
#define A_BUFIN(n) { MOAT_ARG_BUF_IN, NULL, n }
#define A_BUFOUT(n) { MOAT_ARG_BUF_OUT, NULL, n }
#define A_SOCKADDR(n) { MOAT_ARG_SOCKADDR, NULL, n }
#define A_STATOUT(n) { MOAT_ARG_STAT_OUT, NULL, n }
#define A_STATXOUT(n) { MOAT_ARG_STATX_OUT, NULL, n }
#define A_SOCKADDROUT(n) { MOAT_ARG_SOCKADDR_OUT, NULL, n }
#define A_FD(n) { MOAT_ARG_FD, NULL, n }
#define A_PATH(n) { MOAT_ARG_PATH, NULL, n }
#define A_STR(n) { MOAT_ARG_STR, NULL, n }
#define A_FLAGS(g, n) { MOAT_ARG_FLAGS, g, n }
#define A_ENUM(g, n) { MOAT_ARG_ENUM, g, n }
#define A_MODE(n) { MOAT_ARG_MODE, NULL, n }
#define A_SIG(n) { MOAT_ARG_SIGNAL, NULL, n }

#define NARGS(...) (sizeof((struct moat_arg_sig[]){ __VA_ARGS__ }) / sizeof(struct moat_arg_sig))
#define S(nm, ...) { nm, NARGS(__VA_ARGS__), { __VA_ARGS__ } }
#define S0(nm) { nm, 0, { { 0 } } }
// clang-format on

static const struct moat_syscall_sig sigs[] = {
	/* files and descriptors */
	S("read", A_FD("fd"), A_BUFOUT("buf"), A_UINT("count")),
	S("write", A_FD("fd"), A_BUFIN("buf"), A_UINT("count")),
	S("open", A_PATH("pathname"), A_FLAGS("O", "flags"), A_MODE("mode")),
	S("openat", A_FD("dirfd"), A_PATH("pathname"), A_FLAGS("O", "flags"), A_MODE("mode")),
	S("openat2", A_FD("dirfd"), A_PATH("pathname"), A_PTR("how"), A_UINT("size")),
	S("creat", A_PATH("pathname"), A_MODE("mode")),
	S("close", A_FD("fd")),
	S("close_range", A_UINT("first"), A_UINT("last"), A_HEX("flags")),
	S("stat", A_PATH("pathname"), A_STATOUT("statbuf")),
	S("fstat", A_FD("fd"), A_STATOUT("statbuf")),
	S("lstat", A_PATH("pathname"), A_STATOUT("statbuf")),
	S("newfstatat", A_FD("dirfd"), A_PATH("pathname"), A_STATOUT("statbuf"),
	  A_FLAGS("AT", "flags")),
	S("statx", A_FD("dirfd"), A_PATH("pathname"), A_FLAGS("AT", "flags"), A_HEX("mask"),
	  A_STATXOUT("statxbuf")),
	S("lseek", A_FD("fd"), A_INT("offset"), A_ENUM("SEEK", "whence")),
	S("pread64", A_FD("fd"), A_BUFOUT("buf"), A_UINT("count"), A_INT("offset")),
	S("pwrite64", A_FD("fd"), A_BUFIN("buf"), A_UINT("count"), A_INT("offset")),
	S("readv", A_FD("fd"), A_PTR("iov"), A_INT("iovcnt")),
	S("writev", A_FD("fd"), A_PTR("iov"), A_INT("iovcnt")),
	S("preadv", A_FD("fd"), A_PTR("iov"), A_INT("iovcnt"), A_UINT("pos_l"), A_UINT("pos_h")),
	S("pwritev", A_FD("fd"), A_PTR("iov"), A_INT("iovcnt"), A_UINT("pos_l"), A_UINT("pos_h")),
	S("preadv2", A_FD("fd"), A_PTR("iov"), A_INT("iovcnt"), A_UINT("pos_l"), A_UINT("pos_h"),
	  A_HEX("flags")),
	S("pwritev2", A_FD("fd"), A_PTR("iov"), A_INT("iovcnt"), A_UINT("pos_l"), A_UINT("pos_h"),
	  A_HEX("flags")),
	S("access", A_PATH("pathname"), A_FLAGS("OK", "mode")),
	S("faccessat", A_FD("dirfd"), A_PATH("pathname"), A_FLAGS("OK", "mode")),
	S("faccessat2", A_FD("dirfd"), A_PATH("pathname"), A_FLAGS("OK", "mode"),
	  A_FLAGS("AT_ACCESS", "flags")),
	S("dup", A_FD("oldfd")),
	S("dup2", A_FD("oldfd"), A_FD("newfd")),
	S("dup3", A_FD("oldfd"), A_FD("newfd"), A_FLAGS("O_FLAGS", "flags")),
	S("fcntl", A_FD("fd"), A_ENUM("F", "cmd"), A_HEX("arg")),
	S("flock", A_FD("fd"), A_FLAGS("LOCK", "operation")),
	S("fsync", A_FD("fd")),
	S("fdatasync", A_FD("fd")),
	S("truncate", A_PATH("path"), A_INT("length")),
	S("ftruncate", A_FD("fd"), A_INT("length")),
	S("getdents", A_FD("fd"), A_PTR("dirp"), A_UINT("count")),
	S("getdents64", A_FD("fd"), A_PTR("dirp"), A_UINT("count")),
	S("getcwd", A_PTR("buf"), A_UINT("size")),
	S("chdir", A_PATH("path")),
	S("fchdir", A_FD("fd")),
	S("chroot", A_PATH("path")),
	S("rename", A_PATH("oldpath"), A_PATH("newpath")),
	S("renameat", A_FD("olddirfd"), A_PATH("oldpath"), A_FD("newdirfd"), A_PATH("newpath")),
	S("renameat2", A_FD("olddirfd"), A_PATH("oldpath"), A_FD("newdirfd"), A_PATH("newpath"),
	  A_FLAGS("RENAME", "flags")),
	S("mkdir", A_PATH("pathname"), A_MODE("mode")),
	S("mkdirat", A_FD("dirfd"), A_PATH("pathname"), A_MODE("mode")),
	S("rmdir", A_PATH("pathname")),
	S("link", A_PATH("oldpath"), A_PATH("newpath")),
	S("linkat", A_FD("olddirfd"), A_PATH("oldpath"), A_FD("newdirfd"), A_PATH("newpath"),
	  A_FLAGS("AT", "flags")),
	S("unlink", A_PATH("pathname")),
	S("unlinkat", A_FD("dirfd"), A_PATH("pathname"), A_FLAGS("AT", "flags")),
	S("symlink", A_PATH("target"), A_PATH("linkpath")),
	S("symlinkat", A_PATH("target"), A_FD("newdirfd"), A_PATH("linkpath")),
	S("readlink", A_PATH("pathname"), A_BUFOUT("buf"), A_UINT("bufsiz")),
	S("readlinkat", A_FD("dirfd"), A_PATH("pathname"), A_BUFOUT("buf"), A_UINT("bufsiz")),
	S("chmod", A_PATH("pathname"), A_MODE("mode")),
	S("fchmod", A_FD("fd"), A_MODE("mode")),
	S("fchmodat", A_FD("dirfd"), A_PATH("pathname"), A_MODE("mode")),
	S("fchmodat2", A_FD("dirfd"), A_PATH("pathname"), A_MODE("mode"), A_FLAGS("AT", "flags")),
	S("chown", A_PATH("pathname"), A_INT("owner"), A_INT("group")),
	S("fchown", A_FD("fd"), A_INT("owner"), A_INT("group")),
	S("lchown", A_PATH("pathname"), A_INT("owner"), A_INT("group")),
	S("fchownat", A_FD("dirfd"), A_PATH("pathname"), A_INT("owner"), A_INT("group"),
	  A_FLAGS("AT", "flags")),
	S("umask", A_MODE("mask")),
	S("utimensat", A_FD("dirfd"), A_PATH("pathname"), A_PTR("times"), A_FLAGS("AT", "flags")),
	S("mknod", A_PATH("pathname"), A_MODE("mode"), A_HEX("dev")),
	S("mknodat", A_FD("dirfd"), A_PATH("pathname"), A_MODE("mode"), A_HEX("dev")),
	S("statfs", A_PATH("path"), A_PTR("buf")),
	S("fstatfs", A_FD("fd"), A_PTR("buf")),
	S0("sync"),
	S("syncfs", A_FD("fd")),
	S("fallocate", A_FD("fd"), A_FLAGS("FALLOC", "mode"), A_INT("offset"), A_INT("len")),
	S("fadvise64", A_FD("fd"), A_INT("offset"), A_INT("len"), A_INT("advice")),
	S("readahead", A_FD("fd"), A_INT("offset"), A_UINT("count")),
	S("sendfile", A_FD("out_fd"), A_FD("in_fd"), A_PTR("offset"), A_UINT("count")),
	S("copy_file_range", A_FD("fd_in"), A_PTR("off_in"), A_FD("fd_out"), A_PTR("off_out"),
	  A_UINT("len"), A_HEX("flags")),
	S("splice", A_FD("fd_in"), A_PTR("off_in"), A_FD("fd_out"), A_PTR("off_out"), A_UINT("len"),
	  A_HEX("flags")),
	S("tee", A_FD("fd_in"), A_FD("fd_out"), A_UINT("len"), A_HEX("flags")),
	S("ioctl", A_FD("fd"), A_ENUM("IOCTL", "request"), A_HEX("arg")),
	S("pipe", A_PTR("pipefd")),
	S("pipe2", A_PTR("pipefd"), A_FLAGS("O_FLAGS", "flags")),
	S("getxattr", A_PATH("path"), A_STR("name"), A_PTR("value"), A_UINT("size")),
	S("lgetxattr", A_PATH("path"), A_STR("name"), A_PTR("value"), A_UINT("size")),
	S("fgetxattr", A_FD("fd"), A_STR("name"), A_PTR("value"), A_UINT("size")),
	S("setxattr", A_PATH("path"), A_STR("name"), A_PTR("value"), A_UINT("size"),
	  A_FLAGS("XATTR", "flags")),
	S("lsetxattr", A_PATH("path"), A_STR("name"), A_PTR("value"), A_UINT("size"),
	  A_FLAGS("XATTR", "flags")),
	S("fsetxattr", A_FD("fd"), A_STR("name"), A_PTR("value"), A_UINT("size"),
	  A_FLAGS("XATTR", "flags")),
	S("listxattr", A_PATH("path"), A_PTR("list"), A_UINT("size")),
	S("flistxattr", A_FD("fd"), A_PTR("list"), A_UINT("size")),
	S("removexattr", A_PATH("path"), A_STR("name")),
	S("fremovexattr", A_FD("fd"), A_STR("name")),
	S("mount", A_PATH("source"), A_PATH("target"), A_STR("filesystemtype"),
	  A_FLAGS("MS", "mountflags"), A_PTR("data")),
	S("umount2", A_PATH("target"), A_FLAGS("MNT", "flags")),
	S("pivot_root", A_PATH("new_root"), A_PATH("put_old")),
	S("memfd_create", A_STR("name"), A_FLAGS("MFD", "flags")),
	S("inotify_init1", A_FLAGS("IN", "flags")),
	S("inotify_add_watch", A_FD("fd"), A_PATH("pathname"), A_HEX("mask")),
	S("inotify_rm_watch", A_FD("fd"), A_INT("wd")),
	S("eventfd", A_UINT("initval")),
	S("eventfd2", A_UINT("initval"), A_FLAGS("EFD", "flags")),
	S("timerfd_create", A_ENUM("CLOCK", "clockid"), A_FLAGS("TFD", "flags")),
	S("timerfd_settime", A_FD("fd"), A_FLAGS("TFD", "flags"), A_PTR("new_value"),
	  A_PTR("old_value")),
	S("timerfd_gettime", A_FD("fd"), A_PTR("curr_value")),
	S("signalfd4", A_FD("fd"), A_PTR("mask"), A_UINT("sizemask"), A_FLAGS("O_FLAGS", "flags")),
	S("fanotify_init", A_HEX("flags"), A_FLAGS("O", "event_f_flags")),
	S("name_to_handle_at", A_FD("dirfd"), A_PATH("pathname"), A_PTR("handle"),
	  A_PTR("mount_id"), A_FLAGS("AT", "flags")),
	S("open_by_handle_at", A_FD("mount_fd"), A_PTR("handle"), A_FLAGS("O", "flags")),
	/* polling */
	S("select", A_INT("nfds"), A_PTR("readfds"), A_PTR("writefds"), A_PTR("exceptfds"),
	  A_PTR("timeout")),
	S("pselect6", A_INT("nfds"), A_PTR("readfds"), A_PTR("writefds"), A_PTR("exceptfds"),
	  A_PTR("timeout"), A_PTR("sigmask")),
	S("poll", A_PTR("fds"), A_UINT("nfds"), A_INT("timeout")),
	S("ppoll", A_PTR("fds"), A_UINT("nfds"), A_PTR("tmo_p"), A_PTR("sigmask"),
	  A_UINT("sigsetsize")),
	S("epoll_create", A_INT("size")),
	S("epoll_create1", A_FLAGS("EPOLL", "flags")),
	S("epoll_ctl", A_FD("epfd"), A_ENUM("EPOLL", "op"), A_FD("fd"), A_PTR("event")),
	S("epoll_wait", A_FD("epfd"), A_PTR("events"), A_INT("maxevents"), A_INT("timeout")),
	S("epoll_pwait", A_FD("epfd"), A_PTR("events"), A_INT("maxevents"), A_INT("timeout"),
	  A_PTR("sigmask"), A_UINT("sigsetsize")),
	S("epoll_pwait2", A_FD("epfd"), A_PTR("events"), A_INT("maxevents"), A_PTR("timeout"),
	  A_PTR("sigmask"), A_UINT("sigsetsize")),
	/* sockets */
	S("socket", A_ENUM("AF", "domain"), A_FLAGS("SOCK", "type"), A_INT("protocol")),
	S("socketpair", A_ENUM("AF", "domain"), A_FLAGS("SOCK", "type"), A_INT("protocol"),
	  A_PTR("sv")),
	S("bind", A_FD("sockfd"), A_SOCKADDR("addr"), A_UINT("addrlen")),
	S("connect", A_FD("sockfd"), A_SOCKADDR("addr"), A_UINT("addrlen")),
	S("listen", A_FD("sockfd"), A_INT("backlog")),
	S("accept", A_FD("sockfd"), A_SOCKADDROUT("addr"), A_PTR("addrlen")),
	S("accept4", A_FD("sockfd"), A_SOCKADDROUT("addr"), A_PTR("addrlen"),
	  A_FLAGS("SOCK", "flags")),
	S("getsockname", A_FD("sockfd"), A_SOCKADDROUT("addr"), A_PTR("addrlen")),
	S("getpeername", A_FD("sockfd"), A_SOCKADDROUT("addr"), A_PTR("addrlen")),
	S("sendto", A_FD("sockfd"), A_BUFIN("buf"), A_UINT("len"), A_FLAGS("MSG", "flags"),
	  A_PTR("dest_addr"), A_UINT("addrlen")),
	S("recvfrom", A_FD("sockfd"), A_BUFOUT("buf"), A_UINT("len"), A_FLAGS("MSG", "flags"),
	  A_PTR("src_addr"), A_PTR("addrlen")),
	S("sendmsg", A_FD("sockfd"), A_PTR("msg"), A_FLAGS("MSG", "flags")),
	S("recvmsg", A_FD("sockfd"), A_PTR("msg"), A_FLAGS("MSG", "flags")),
	S("sendmmsg", A_FD("sockfd"), A_PTR("msgvec"), A_UINT("vlen"), A_FLAGS("MSG", "flags")),
	S("recvmmsg", A_FD("sockfd"), A_PTR("msgvec"), A_UINT("vlen"), A_FLAGS("MSG", "flags"),
	  A_PTR("timeout")),
	S("shutdown", A_FD("sockfd"), A_ENUM("SHUT", "how")),
	/* The option name's namespace depends on the level: a number here. */
	S("setsockopt", A_FD("sockfd"), A_ENUM("SOL", "level"), A_INT("optname"), A_PTR("optval"),
	  A_UINT("optlen")),
	S("getsockopt", A_FD("sockfd"), A_ENUM("SOL", "level"), A_INT("optname"), A_PTR("optval"),
	  A_PTR("optlen")),
	/* memory */
	S("mmap", A_PTR("addr"), A_UINT("length"), A_FLAGS("PROT", "prot"), A_FLAGS("MAP", "flags"),
	  A_FD("fd"), A_HEX("offset")),
	S("munmap", A_PTR("addr"), A_UINT("length")),
	S("mprotect", A_PTR("addr"), A_UINT("len"), A_FLAGS("PROT", "prot")),
	S("pkey_mprotect", A_PTR("addr"), A_UINT("len"), A_FLAGS("PROT", "prot"), A_INT("pkey")),
	S("madvise", A_PTR("addr"), A_UINT("length"), A_ENUM("MADV", "advice")),
	S("set_mempolicy", A_INT("mode"), A_PTR("nodemask"), A_UINT("maxnode")),
	S("get_mempolicy", A_PTR("mode"), A_PTR("nodemask"), A_UINT("maxnode"), A_PTR("addr"),
	  A_HEX("flags")),
	S("mbind", A_PTR("addr"), A_UINT("len"), A_INT("mode"), A_PTR("nodemask"),
	  A_UINT("maxnode"), A_HEX("flags")),
	S("mremap", A_PTR("old_address"), A_UINT("old_size"), A_UINT("new_size"),
	  A_FLAGS("MREMAP", "flags"), A_PTR("new_address")),
	S("brk", A_PTR("addr")),
	S("msync", A_PTR("addr"), A_UINT("length"), A_FLAGS("MSYNC", "flags")),
	S("mlock", A_PTR("addr"), A_UINT("len")),
	S("munlock", A_PTR("addr"), A_UINT("len")),
	S("mlockall", A_FLAGS("MCL", "flags")),
	S0("munlockall"),
	S("mincore", A_PTR("addr"), A_UINT("length"), A_PTR("vec")),
	S("membarrier", A_INT("cmd"), A_UINT("flags"), A_INT("cpu_id")),
	S("process_vm_readv", A_INT("pid"), A_PTR("local_iov"), A_UINT("liovcnt"),
	  A_PTR("remote_iov"), A_UINT("riovcnt"), A_UINT("flags")),
	S("process_vm_writev", A_INT("pid"), A_PTR("local_iov"), A_UINT("liovcnt"),
	  A_PTR("remote_iov"), A_UINT("riovcnt"), A_UINT("flags")),
	/* processes */
	S0("fork"),
	S0("vfork"),
	/* x86_64 order: flags, stack, parent_tid, child_tid, tls (see clone(2) NOTES). */
	S("clone", A_FLAGS("CLONE", "flags"), A_PTR("stack"), A_PTR("parent_tid"),
	  A_PTR("child_tid"), A_HEX("tls")),
	S("clone3", A_PTR("cl_args"), A_UINT("size")),
	S("execve", A_PATH("pathname"), A_PTR("argv"), A_PTR("envp")),
	S("execveat", A_FD("dirfd"), A_PATH("pathname"), A_PTR("argv"), A_PTR("envp"),
	  A_FLAGS("AT", "flags")),
	S("exit", A_INT("status")),
	S("exit_group", A_INT("status")),
	S("wait4", A_INT("pid"), A_PTR("wstatus"), A_FLAGS("W", "options"), A_PTR("rusage")),
	S("waitid", A_INT("idtype"), A_INT("id"), A_PTR("infop"), A_FLAGS("W", "options"),
	  A_PTR("rusage")),
	S("kill", A_INT("pid"), A_SIG("sig")),
	S("tkill", A_INT("tid"), A_SIG("sig")),
	S("tgkill", A_INT("tgid"), A_INT("tid"), A_SIG("sig")),
	S0("getpid"),
	S0("getppid"),
	S0("gettid"),
	S0("getuid"),
	S0("geteuid"),
	S0("getgid"),
	S0("getegid"),
	S("setuid", A_INT("uid")),
	S("setgid", A_INT("gid")),
	S("setreuid", A_INT("ruid"), A_INT("euid")),
	S("setregid", A_INT("rgid"), A_INT("egid")),
	S("setresuid", A_INT("ruid"), A_INT("euid"), A_INT("suid")),
	S("setresgid", A_INT("rgid"), A_INT("egid"), A_INT("sgid")),
	S("getresuid", A_PTR("ruid"), A_PTR("euid"), A_PTR("suid")),
	S("getresgid", A_PTR("rgid"), A_PTR("egid"), A_PTR("sgid")),
	S("setfsuid", A_INT("fsuid")),
	S("setfsgid", A_INT("fsgid")),
	S("getgroups", A_INT("size"), A_PTR("list")),
	S("setgroups", A_UINT("size"), A_PTR("list")),
	S0("setsid"),
	S("getsid", A_INT("pid")),
	S("setpgid", A_INT("pid"), A_INT("pgid")),
	S("getpgid", A_INT("pid")),
	S0("getpgrp"),
	S("prctl", A_ENUM("PR", "option"), A_HEX("arg2"), A_HEX("arg3"), A_HEX("arg4"),
	  A_HEX("arg5")),
	S("arch_prctl", A_ENUM("ARCH", "code"), A_HEX("addr")),
	S("set_tid_address", A_PTR("tidptr")),
	S("set_robust_list", A_PTR("head"), A_UINT("len")),
	S("get_robust_list", A_INT("pid"), A_PTR("head_ptr"), A_PTR("len_ptr")),
	S("unshare", A_FLAGS("CLONE", "flags")),
	S("setns", A_FD("fd"), A_FLAGS("CLONE", "nstype")),
	S("ptrace", A_ENUM("PTRACE", "request"), A_INT("pid"), A_PTR("addr"), A_HEX("data")),
	S("capget", A_PTR("hdrp"), A_PTR("datap")),
	S("capset", A_PTR("hdrp"), A_PTR("datap")),
	S("getrlimit", A_ENUM("RLIMIT", "resource"), A_PTR("rlim")),
	S("setrlimit", A_ENUM("RLIMIT", "resource"), A_PTR("rlim")),
	S("prlimit64", A_INT("pid"), A_ENUM("RLIMIT", "resource"), A_PTR("new_limit"),
	  A_PTR("old_limit")),
	S("getrusage", A_ENUM("RUSAGE", "who"), A_PTR("usage")),
	S("getpriority", A_ENUM("PRIO", "which"), A_INT("who")),
	S("setpriority", A_ENUM("PRIO", "which"), A_INT("who"), A_INT("prio")),
	S0("sched_yield"),
	S("sched_getaffinity", A_INT("pid"), A_UINT("cpusetsize"), A_PTR("mask")),
	S("sched_setaffinity", A_INT("pid"), A_UINT("cpusetsize"), A_PTR("mask")),
	S("sched_setscheduler", A_INT("pid"), A_ENUM("SCHED", "policy"), A_PTR("param")),
	S("sched_getscheduler", A_INT("pid")),
	S("sched_setparam", A_INT("pid"), A_PTR("param")),
	S("sched_getparam", A_INT("pid"), A_PTR("param")),
	S("sched_get_priority_max", A_ENUM("SCHED", "policy")),
	S("sched_get_priority_min", A_ENUM("SCHED", "policy")),
	S("uname", A_PTR("buf")),
	S("sysinfo", A_PTR("info")),
	S("personality", A_HEX("persona")),
	S("getcpu", A_PTR("cpu"), A_PTR("node"), A_PTR("tcache")),
	S("pidfd_open", A_INT("pid"), A_FLAGS("O_FLAGS", "flags")),
	S("pidfd_send_signal", A_FD("pidfd"), A_SIG("sig"), A_PTR("info"), A_UINT("flags")),
	S("pidfd_getfd", A_FD("pidfd"), A_INT("targetfd"), A_UINT("flags")),
	S("seccomp", A_ENUM("SECCOMP", "operation"), A_FLAGS("SECCOMP_FLAG", "flags"),
	  A_PTR("args")),
	S("bpf", A_INT("cmd"), A_PTR("attr"), A_UINT("size")),
	S("perf_event_open", A_PTR("attr"), A_INT("pid"), A_INT("cpu"), A_FD("group_fd"),
	  A_HEX("flags")),
	S("getrandom", A_BUFOUT("buf"), A_UINT("buflen"), A_FLAGS("GRND", "flags")),
	S("rseq", A_PTR("rseq"), A_UINT("rseq_len"), A_INT("flags"), A_HEX("sig")),
	S("landlock_create_ruleset", A_PTR("attr"), A_UINT("size"), A_HEX("flags")),
	S("landlock_add_rule", A_FD("ruleset_fd"), A_INT("rule_type"), A_PTR("rule_attr"),
	  A_HEX("flags")),
	S("landlock_restrict_self", A_FD("ruleset_fd"), A_HEX("flags")),
	S("io_uring_setup", A_UINT("entries"), A_PTR("p")),
	S("io_uring_enter", A_FD("fd"), A_UINT("to_submit"), A_UINT("min_complete"), A_HEX("flags"),
	  A_PTR("sig"), A_UINT("sz")),
	S("io_uring_register", A_FD("fd"), A_UINT("opcode"), A_PTR("arg"), A_UINT("nr_args")),
	S("reboot", A_HEX("magic"), A_HEX("magic2"), A_HEX("cmd"), A_PTR("arg")),
	S("init_module", A_PTR("module_image"), A_UINT("len"), A_STR("param_values")),
	S("finit_module", A_FD("fd"), A_STR("param_values"), A_HEX("flags")),
	S("delete_module", A_STR("name"), A_FLAGS("O_FLAGS", "flags")),
	S("syslog", A_INT("type"), A_PTR("bufp"), A_INT("len")),
	S("acct", A_PATH("filename")),
	S("sethostname", A_STR("name"), A_UINT("len")),
	S("setdomainname", A_STR("name"), A_UINT("len")),
	S("kcmp", A_INT("pid1"), A_INT("pid2"), A_INT("type"), A_UINT("idx1"), A_UINT("idx2")),
	/* signals */
	S("rt_sigaction", A_SIG("signum"), A_PTR("act"), A_PTR("oldact"), A_UINT("sigsetsize")),
	S("rt_sigprocmask", A_ENUM("SIGHOW", "how"), A_PTR("set"), A_PTR("oldset"),
	  A_UINT("sigsetsize")),
	S0("rt_sigreturn"),
	S("rt_sigsuspend", A_PTR("mask"), A_UINT("sigsetsize")),
	S("rt_sigpending", A_PTR("set"), A_UINT("sigsetsize")),
	S("rt_sigtimedwait", A_PTR("set"), A_PTR("info"), A_PTR("timeout"), A_UINT("sigsetsize")),
	S("rt_sigqueueinfo", A_INT("tgid"), A_SIG("sig"), A_PTR("info")),
	S("rt_tgsigqueueinfo", A_INT("tgid"), A_INT("tid"), A_SIG("sig"), A_PTR("info")),
	S("sigaltstack", A_PTR("ss"), A_PTR("old_ss")),
	S0("pause"),
	S("alarm", A_UINT("seconds")),
	S0("restart_syscall"),
	/* time */
	S("nanosleep", A_PTR("req"), A_PTR("rem")),
	S("clock_nanosleep", A_ENUM("CLOCK", "clockid"), A_FLAGS("TIMER", "flags"),
	  A_PTR("request"), A_PTR("remain")),
	S("clock_gettime", A_ENUM("CLOCK", "clockid"), A_PTR("tp")),
	S("clock_settime", A_ENUM("CLOCK", "clockid"), A_PTR("tp")),
	S("clock_getres", A_ENUM("CLOCK", "clockid"), A_PTR("res")),
	S("clock_adjtime", A_ENUM("CLOCK", "clk_id"), A_PTR("buf")),
	S("gettimeofday", A_PTR("tv"), A_PTR("tz")),
	S("settimeofday", A_PTR("tv"), A_PTR("tz")),
	S("time", A_PTR("tloc")),
	S("times", A_PTR("buf")),
	S("adjtimex", A_PTR("buf")),
	S("getitimer", A_ENUM("ITIMER", "which"), A_PTR("curr_value")),
	S("setitimer", A_ENUM("ITIMER", "which"), A_PTR("new_value"), A_PTR("old_value")),
	S("timer_create", A_ENUM("CLOCK", "clockid"), A_PTR("sevp"), A_PTR("timerid")),
	S("timer_settime", A_INT("timerid"), A_FLAGS("TIMER", "flags"), A_PTR("new_value"),
	  A_PTR("old_value")),
	S("timer_gettime", A_INT("timerid"), A_PTR("curr_value")),
	S("timer_getoverrun", A_INT("timerid")),
	S("timer_delete", A_INT("timerid")),
	/* System V and POSIX IPC, futexes */
	S("shmget", A_HEX("key"), A_UINT("size"), A_FLAGS("IPC", "shmflg")),
	S("shmat", A_INT("shmid"), A_PTR("shmaddr"), A_FLAGS("SHM", "shmflg")),
	S("shmdt", A_PTR("shmaddr")),
	S("shmctl", A_INT("shmid"), A_ENUM("IPC", "cmd"), A_PTR("buf")),
	S("msgget", A_HEX("key"), A_FLAGS("IPC", "msgflg")),
	S("msgsnd", A_INT("msqid"), A_PTR("msgp"), A_UINT("msgsz"), A_FLAGS("IPC", "msgflg")),
	S("msgrcv", A_INT("msqid"), A_PTR("msgp"), A_UINT("msgsz"), A_INT("msgtyp"),
	  A_FLAGS("MSGF", "msgflg")),
	S("msgctl", A_INT("msqid"), A_ENUM("IPC", "cmd"), A_PTR("buf")),
	S("semget", A_HEX("key"), A_INT("nsems"), A_FLAGS("IPC", "semflg")),
	S("semop", A_INT("semid"), A_PTR("sops"), A_UINT("nsops")),
	S("semtimedop", A_INT("semid"), A_PTR("sops"), A_UINT("nsops"), A_PTR("timeout")),
	S("semctl", A_INT("semid"), A_INT("semnum"), A_INT("cmd"), A_HEX("arg")),
	S("mq_open", A_STR("name"), A_FLAGS("O", "oflag"), A_MODE("mode"), A_PTR("attr")),
	S("mq_unlink", A_STR("name")),
	S("mq_timedsend", A_FD("mqdes"), A_PTR("msg_ptr"), A_UINT("msg_len"), A_UINT("msg_prio"),
	  A_PTR("abs_timeout")),
	S("mq_timedreceive", A_FD("mqdes"), A_PTR("msg_ptr"), A_UINT("msg_len"), A_PTR("msg_prio"),
	  A_PTR("abs_timeout")),
	S("mq_notify", A_FD("mqdes"), A_PTR("sevp")),
	S("mq_getsetattr", A_FD("mqdes"), A_PTR("newattr"), A_PTR("oldattr")),
	S("futex", A_PTR("uaddr"), A_ENUM("FUTEX", "futex_op"), A_INT("val"), A_PTR("timeout"),
	  A_PTR("uaddr2"), A_HEX("val3")),
	S("futex_waitv", A_PTR("waiters"), A_UINT("nr_futexes"), A_UINT("flags"), A_PTR("timeout"),
	  A_ENUM("CLOCK", "clockid")),
};

static const struct moat_syscall_sig *sorted[sizeof(sigs) / sizeof(sigs[0])];
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int cmp_sig_ptr(const void *a, const void *b)
{
	return strcmp((*(const struct moat_syscall_sig *const *)a)->name,
		      (*(const struct moat_syscall_sig *const *)b)->name);
}

static void sort_sigs(void)
{
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sorted[i] = &sigs[i];
	qsort(sorted, sizeof(sigs) / sizeof(sigs[0]), sizeof(sorted[0]), cmp_sig_ptr);
}

static int cmp_name_sig(const void *k, const void *e)
{
	return strcmp(k, (*(const struct moat_syscall_sig *const *)e)->name);
}

const struct moat_syscall_sig *moat_syscall_sig(const char *name)
{
	const struct moat_syscall_sig *const *p;

	if (!name)
		return NULL;
	pthread_once(&sorted_once, sort_sigs);
	p = bsearch(name, sorted, sizeof(sigs) / sizeof(sigs[0]), sizeof(sorted[0]), cmp_name_sig);
	return p ? *p : NULL;
}

size_t moat_syscall_sig_count(void)
{
	return sizeof(sigs) / sizeof(sigs[0]);
}

const struct moat_syscall_sig *moat_syscall_sig_at(size_t i)
{
	pthread_once(&sorted_once, sort_sigs);
	return i < sizeof(sigs) / sizeof(sigs[0]) ? sorted[i] : NULL;
}
