#!/bin/sh
# SPDX-License-Identifier: MIT
# moat trace --seccomp reports kills and traps of a filter that a program
# installed itself (no moat involved), for each way the kernel carries them.
set -u
. "$(dirname "$0")/../lib.sh"
case $MOAT in /*) ;; *) MOAT=$PWD/$MOAT ;; esac
B=$(cd "$BUILD" && pwd)
HELPER=$B/tests/helpers/seccomp_self
# check_eval DESC SHELL-CODE: ok when the code, run in this shell, succeeds.
check_eval() { if eval "$2"; then ok "$1"; else nok "$1"; fi; }

[ "$(id -u)" = 0 ] || skip_all "needs root"
tmp=$(mktemp -d)
trap 'kill $wpid 2>/dev/null; rm -rf "$tmp"' EXIT

"$MOAT" trace --seccomp --json -o "$tmp/out" 2>"$tmp/err" &
wpid=$!
check "watcher started" wait_grep watching "$tmp/err"

# run CASE...: runs the helper, records "pid status" in $tmp/CASE.
run() {
	name=$(echo "$*" | tr ' ' _)
	# A subshell takes the shell's "Bad system call" report.
	("$HELPER" "$@") 2>/dev/null &
	p=$!
	wait $p 2>/dev/null
	echo "$p $?" >"$tmp/$name"
}
run kill_process
run kill_thread
run trap
run trap_nohandler
run kill_process mt
run kill_thread mt
run trap mt
sleep 0.3
kill -INT $wpid
wait $wpid
check_eval "watcher exits 0" '[ $? -eq 0 ]'
check_eval "output is JSON lines" 'jq -e . "$tmp/out" >/dev/null'

# expect CASE STATUS JQ-CONDITION: the helper's status, then its record.
expect() {
	case=$1 want=$2 cond=$3
	read -r pid status <"$tmp/$case"
	check_eval "$case: helper status $status (want $want)" '[ "$status" = "$want" ]'
	got=$(jq -c "select(.pid == $pid)" "$tmp/out")
	check_eval "$case: one record, $cond" \
		'[ "$(echo "$got" | grep -c .)" = 1 ] && echo "$got" | jq -e "$cond and .syscall == \"getppid\" and .comm == \"seccomp_self\"" >/dev/null'
}
# 159 = 128 + SIGSYS: the process died of the filter.
expect kill_process 159 '.action == "kill" and .via == "signal" and .process_died'
expect kill_thread 159 '.action == "kill" and .via == "signal" and .process_died'
expect trap 0 '.action == "trap" and .ret_data == 42'
expect trap_nohandler 159 '.action == "trap" and .ret_data == 42'
expect kill_process_mt 159 '.action == "kill" and .via == "signal" and .process_died and .tid != .pid'
# KILL_THREAD on one thread of two: do_exit without any signal; the process lives.
expect kill_thread_mt 0 '.action == "kill" and .via == "exit" and (.process_died | not) and .tid != .pid'
expect trap_mt 0 '.action == "trap" and .tid != .pid'
check_eval "no loss reported" 'grep -q "0 lost" "$tmp/err" && ! grep -q "\"lost\"" "$tmp/out"'
tap_plan
