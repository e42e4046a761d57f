/* SPDX-License-Identifier: MIT */
/*
 * The syscalls the benchmark profile denies (what container runtimes deny,
 * and the measured calls, which the scenario's own rules then allow): one
 * list for `moat bench` (src/trace/bench.c) and for bench/syscall_loop.c,
 * which compiles the same profile with libseccomp, so that the two filters
 * compared side by side are the same policy.
 */
#ifndef MOAT_BENCH_DENIED_H
#define MOAT_BENCH_DENIED_H

static const char *const moat_bench_denied[] = {
	"getppid",
	"read",
	"write",
	"ptrace",
	"kexec_load",
	"kexec_file_load",
	"init_module",
	"finit_module",
	"delete_module",
	"reboot",
	"swapon",
	"swapoff",
	"mount",
	"umount2",
	"pivot_root",
	"bpf",
	"perf_event_open",
	"userfaultfd",
	"open_by_handle_at",
	"iopl",
	"ioperm",
	"acct",
	"settimeofday",
	"clock_settime",
	"clock_adjtime",
	"adjtimex",
	"keyctl",
	"add_key",
	"request_key",
	"quotactl",
	"lookup_dcookie",
	"syslog",
	"vhangup",
	"fsopen",
	"fsmount",
	"move_mount",
	"open_tree",
	"unshare",
	"setns",
};

#define MOAT_BENCH_NDENIED (sizeof(moat_bench_denied) / sizeof(moat_bench_denied[0]))

#endif
