#!/bin/sh
# SPDX-License-Identifier: MIT
# The peers next to `moat bench`: the same getppid / pipe rw loops
# (bench/syscall_loop.c) under libseccomp's filter for the same policy,
# strace -f -c, perf trace -s and bpftrace counting per syscall.
# Run by hand as root (bpftrace, perf): sh bench/bench_peers.sh [ITERATIONS] [RUNS]
# Prints a markdown table: ns per syscall, median (min-max), ratio to bare.
set -eu
cd "$(dirname "$0")/.."
N=${1:-2000000}
R=${2:-7}
SLOW=$((N / 200)) # strace and perf trace are ~1000x slower
mkdir -p build/bench
cc -O2 -o build/bench/syscall_loop bench/syscall_loop.c -lseccomp
L=build/bench/syscall_loop

row() { # name workload median min max
	echo "$1 $2 $3 $4 $5"
}
run() { # name workload cmd...
	name=$1 wl=$2
	shift 2
	out=$("$@") || { echo "$name $wl failed"; return; }
	row "$name" "$wl" $out
}

res=$(mktemp)
trap 'rm -f "$res"; [ -n "${bt:-}" ] && kill "$bt" 2>/dev/null; true' EXIT
for wl in getppid rw; do
	run bare $wl $L $wl "$N" "$R" >>"$res"
	run libseccomp-argcheck $wl $L $wl "$N" "$R" libseccomp-argcheck >>"$res"
	run libseccomp-cached $wl $L $wl "$N" "$R" libseccomp-cached >>"$res"
	if command -v strace >/dev/null; then
		run "strace-f-c" $wl strace -f -c -o /dev/null $L $wl "$SLOW" "$R" >>"$res"
	fi
	if command -v perf >/dev/null; then
		run "perf-trace-s" $wl perf trace -s -o /dev/null -- $L $wl "$SLOW" "$R" >>"$res" 2>/dev/null || true
	fi
	if command -v bpftrace >/dev/null; then
		bpftrace -e 'tracepoint:raw_syscalls:sys_enter { @[args->id] = count(); }' >/dev/null 2>&1 &
		bt=$!
		sleep 4 # attached once the probes are compiled and loaded
		run "bpftrace-count" $wl $L $wl "$N" "$R" >>"$res"
		kill -INT "$bt" 2>/dev/null || true
		wait "$bt" 2>/dev/null || true
		bt=
	fi
done

echo "| tool | getppid ns (min-max) | ratio | rw ns per call (min-max) | ratio |"
echo "|---|---|---|---|---|"
awk '{ k[$1] = 1; m[$1, $2] = $3; lo[$1, $2] = $4; hi[$1, $2] = $5; if (!($1 in ord)) { ord[$1] = ++n; name[n] = $1 } }
END {
	for (i = 1; i <= n; i++) {
		t = name[i]; line = "| " t
		split("getppid rw", ws, " ")
		for (j = 1; j <= 2; j++) {
			w = ws[j]
			if ((t, w) in m) line = line sprintf(" | %.0f (%.0f-%.0f) | %.2fx", m[t, w], lo[t, w], hi[t, w], m[t, w] / m["bare", w])
			else line = line " | - | -"
		}
		print line " |"
	}
}' "$res"
