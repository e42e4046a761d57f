#!/bin/sh
# SPDX-License-Identifier: MIT
# moat top on the real kernel: per-syscall counts equal strace -f -c's,
# one JSON document per interval, filters, percentiles within the buckets.
set -u
. "$(dirname "$0")/../lib.sh"
case $MOAT in /*) ;; *) MOAT=$PWD/$MOAT ;; esac
H=$(cd "$BUILD" && pwd)/tests/helpers

[ "$(id -u)" = 0 ] || skip_all "moat top needs root (eBPF)"
tmp=$(mktemp -d)
mpid=
trap '[ -n "$mpid" ] && kill $mpid 2>/dev/null; rm -rf "$tmp"' EXIT

start() {
	# the previous run's "tracing" must not be taken for this one's
	rm -f "$tmp/err"
	"$MOAT" top "$@" >"$tmp/out" 2>"$tmp/err" &
	mpid=$!
	i=0
	while ! grep -q tracing "$tmp/err" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
stop() {
	kill -INT $mpid
	wait $mpid
	rc=$?
	mpid=
}

start --comm syscall_mix -i 0.2
(cd "$tmp" && "$H/syscall_mix")
sleep 0.3
stop
check "exit status 0 on SIGINT" eval '[ $rc = 0 ]'
check "not a terminal: JSON documents, several intervals" \
	eval 'jq -e .processes "$tmp/out" >/dev/null && [ "$(grep -c . "$tmp/out")" -ge 2 ]'
(cd "$tmp" && strace -f -c -o "$tmp/strace.txt" "$H/syscall_mix")
awk '$4 ~ /^[0-9]+$/ && $NF != "total" { print $NF, $4, (NF == 6 ? $5 : 0) }' "$tmp/strace.txt" |
	grep -Ev '^(execve|exit|exit_group) ' | sort >"$tmp/want"
jq -r '.processes[].syscalls[] | "\(.syscall) \(.calls) \(.errors)"' "$tmp/out" |
	awk '{ c[$1] += $2; e[$1] += $3 } END { for (k in c) print k, c[k], e[k] }' |
	grep -Ev '^(execve|exit|exit_group) ' | sort >"$tmp/got"
check "strace saw the program (sanity)" eval 'grep -q "^getppid 100 0$" "$tmp/want"'
check "per-syscall calls and errors summed over intervals equal strace -f -c's" \
	eval 'diff "$tmp/want" "$tmp/got" >&2'
check "two processes (the program and its child), exit_group counted once each" \
	eval '[ "$(jq -r ".processes[] | select(.syscalls[] | .syscall == \"exit_group\" and .calls == 1) | .pid" "$tmp/out" | sort -u | wc -l)" = 2 ]'
check "a process's calls are the sum of its syscalls' calls" \
	eval 'jq -e "[.processes[] | .calls == ([.syscalls[].calls] | add)] | all" "$tmp/out" | grep -qv false'
check "the document's calls and errors are the sum over processes" \
	eval 'jq -e "(.calls == ([.processes[].calls] | add // 0)) and (.errors == ([.processes[].errors] | add // 0))" "$tmp/out" | grep -qv false'
check "p50 <= p99, both within the total of a single-call row" \
	eval 'jq -e "[.processes[].syscalls[] | select(.calls == 1) | .p50_ns == .p99_ns and .p99_ns <= 2 * .total_ns + 1] | all" "$tmp/out" | grep -qv false'
check "nothing lost" eval 'jq -e ".lost == 0" "$tmp/out" | grep -qv false'

# -e: only getppid; Ctrl-C prints the last partial interval, so every call is in.
start --comm getppid_flood -e getppid -i 0.5 --json
"$H/getppid_flood" 12345
stop
check "-e getppid: exactly the 12345 getppid calls, nothing else" \
	eval '[ "$(jq -r ".processes[].syscalls[] | \"\(.syscall) \(.calls)\"" "$tmp/out" | awk "{ c[\$1] += \$2 } END { for (k in c) print k, c[k] }")" = "getppid 12345" ]'
# -n: a fixed number of intervals, then moat stops by itself.
"$MOAT" top --comm nothing-runs -i 0.1 -n 2 >"$tmp/out2" 2>/dev/null
rc=$?
check "-n 2: two documents, exit 0" eval '[ $rc = 0 ] && [ "$(grep -c . "$tmp/out2")" = 2 ]'
"$MOAT" top --comm this-name-is-too-long 2>/dev/null
rc=$?
check "a comm longer than 15 bytes is a usage error" eval '[ $rc = 2 ]'
# int 0x80 from a 64-bit program: an i386 call, counted as such (i386 dup2 is
# 63, which natively is uname: it must not be counted as that)
if [ "$(uname -m)" = x86_64 ]; then
	# a successful exec exits as the new program's native execve: counted
	# as what was called, with its duration
	start -e execve,execveat -i 0.2
	sh -c "echo \$\$ >$tmp/pid1; exec $H/sandbox_probe int80-execve"
	sh -c "echo \$\$ >$tmp/pid2; exec $H/sandbox_probe execveat"
	sleep 0.3
	stop
	rows() { jq -r --argjson pid "$(cat "$1")" '.processes[] | select(.pid == $pid) | .syscalls[] | "\(.syscall) \(.calls) \(.timed)"' "$tmp/out" | sort | tr "\n" " "; }
	check "int 0x80 execve: execve[i386] 1, timed (beside sh's two execve)" \
		eval '[ "$(rows "$tmp/pid1")" = "execve 2 2 execve[i386] 1 1 " ]'
	check "execveat: counted as execveat, timed, not as execve" \
		eval '[ "$(rows "$tmp/pid2")" = "execve 2 2 execveat 1 1 " ]'
	start --comm sandbox_probe -e dup2,uname -i 0.2
	"$H/sandbox_probe" int80-dup2 >/dev/null
	sleep 0.3
	stop
	check "int 0x80 dup2: one dup2[i386] call, no uname" \
		eval '[ "$(jq -r ".processes[].syscalls[] | \"\(.syscall) \(.calls)\"" "$tmp/out" | sort | uniq | tr "\n" " ")" = "dup2[i386] 1 " ]'
else
	ok "int 0x80 # SKIP not x86_64"
fi

# a call seccomp answered never reaches sys_enter: still counted, as an error,
# untimed (no entry to take a duration from)
printf 'default allow\nerrno EACCES getppid\n' >"$tmp/deny.moat"
start --comm sandbox_probe -e getppid -i 0.2
timeout 10 "$MOAT" run -q -p "$tmp/deny.moat" -- "$H/sandbox_probe" getppid >"$tmp/probe.out" 2>"$tmp/probe.err"
sleep 0.3
stop
check "seccomp-denied getppid: the program got EACCES" eval 'grep -qx getppid=EACCES "$tmp/probe.out"'
check "seccomp-denied getppid: counted once, as an error, untimed" \
	eval '[ "$(jq -r ".processes[].syscalls[] | \"\(.syscall) \(.calls) \(.errors) \(.timed) \(.p99_ns)\"" "$tmp/out" | tr "\n" " ")" = "getppid 1 1 0 0 " ]'

# rt_sigreturn: its exit sees the restored number, its entry names it
start --comm sandbox_probe -e tgkill,rt_sigreturn -i 0.2
"$H/sandbox_probe" handle:10 >/dev/null
sleep 0.3
stop
check "after a signal handler: one tgkill and one rt_sigreturn, both timed" \
	eval '[ "$(jq -r ".processes[].syscalls[] | \"\(.syscall) \(.calls) \(.timed)\"" "$tmp/out" | sort | tr "\n" " ")" = "rt_sigreturn 1 1 tgkill 1 1 " ]'
tap_plan
