#!/bin/sh
# SPDX-License-Identifier: MIT
# moat trace / moat top overhead on a getppid loop with an event per syscall,
# side by side with strace and bpftrace, and the sustained event rate written
# to a file. Run as root by hand (never in the test suite):
#   sh bench/trace.sh [RUNS]        (default 5; best of RUNS per line)
# Prints a Markdown table: per getppid, the traced thread's CPU ns (load from
# other processes does not count; but a ptrace tracer's work happens outside
# the thread, so for strace only the wall-clock column is meaningful) and the
# wall-clock ns; best of RUNS each, ratios against bare. The loop is pinned to
# the last CPU (the tracers' readers run on the others), as in `moat bench`,
# whose floor scenarios (hooks, a clock read) follow in the same run.
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-5}
N=2000000      # loop iterations for the cheap tracers
NSLOW=100000   # for strace
MOAT=$PWD/build/moat
mkdir -p build/bench
cc -O2 -Wall -o build/bench/getppid_loop bench/getppid_loop.c
G=$PWD/build/bench/getppid_loop
tmp=$(mktemp -d)
mounted=
cleanup() {
	[ -n "${tpid:-}" ] && kill "$tpid" 2>/dev/null
	[ -n "$mounted" ] && umount /sys/kernel/tracing 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

CPU=$(($(nproc) - 1))
# best N CMD...: "CPU WALL", the lowest of each over $RUNS runs of the loop.
best() {
	n=$1
	shift
	for _ in $(seq "$RUNS"); do "$@" taskset -c $CPU "$G" "$n"; done >"$tmp/runs"
	echo "$(sort -n -k1 "$tmp/runs" | head -1 | cut -d' ' -f1) $(sort -n -k2 "$tmp/runs" | head -1 | cut -d' ' -f2)"
}
plain() { "$@"; }

# under TOOL-START-CMD: starts a tracer in the background, waits for it to attach.
wait_ready() {
	i=0
	until grep -q "$1" "$tmp/err" 2>/dev/null || [ $i -ge 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
stop_tracer() {
	kill -INT "$tpid" 2>/dev/null || true
	wait "$tpid" 2>/dev/null || true
	tpid=
}

bare=$(best $N plain)
row() {
	set -- "$1" ${2% *} ${2#* } ${bare% *} ${bare#* }
	printf '| %s | %s | %.2fx | %s | %.2fx |\n' "$1" "$2" "$(echo "$2 / $4" | bc -l)" "$3" \
		"$(echo "$3 / $5" | bc -l)"
}

echo "| tracer (getppid loop, an event per syscall) | CPU ns/call | vs bare | wall ns/call | vs bare |"
echo "|---|---|---|---|---|"
row "bare (no tracer)" "$bare"

# traced LABEL ARGS...: the loop under moat trace --comm getppid_loop -e getppid ARGS
traced() {
	label=$1
	shift
	"$MOAT" trace --comm getppid_loop -e getppid "$@" 2>"$tmp/err" &
	tpid=$!
	wait_ready tracing
	v=$(best $N plain)
	stop_tracer
	row "$label" "$v"
}

traced "moat trace -e getppid -o FILE (text)" -o "$tmp/trace.txt"
timed=$v
moat_lost=$(sed -n 's/^moat trace: \([0-9]*\) events, \([0-9]*\) lost$/\2/p' "$tmp/err")
traced "moat trace --no-durations -e getppid -o FILE (text)" --no-durations -o "$tmp/trace.txt"
untimed=$v
traced "moat trace --no-time -e getppid -o FILE (text)" --no-time -o "$tmp/trace.txt"
notime=$v
traced "moat trace -e getppid --json -o FILE" --json -o "$tmp/trace.json"

"$MOAT" top --comm getppid_loop -i 1 --json >/dev/null 2>"$tmp/err" &
tpid=$!
wait_ready tracing
v=$(best $N plain)
stop_tracer
row "moat top (in-kernel counts + latency histograms)" "$v"

strace_v=$(best $NSLOW strace -f -qq -e trace=getppid -o /dev/null)
row "strace -f -e trace=getppid -o /dev/null" "$strace_v"

if ! grep -q ' /sys/kernel/tracing ' /proc/mounts; then
	# bpftrace's tracepoints need tracefs; moat's tp_btf programs do not.
	mount -t tracefs nodev /sys/kernel/tracing && mounted=1
fi
if command -v bpftrace >/dev/null; then
	bpftrace -o "$tmp/bt.txt" -e 'tracepoint:raw_syscalls:sys_enter /comm == "getppid_loop"/ { printf("%d %d\n", tid, args->id); }' 2>"$tmp/err" &
	tpid=$!
	sleep 3 # bpftrace prints "Attaching" before it is attached; give it time
	v=$(best $N plain)
	stop_tracer
	row "bpftrace printf per sys_enter (-o FILE)" "$v"
	bpftrace -e 'tracepoint:raw_syscalls:sys_enter /comm == "getppid_loop"/ { @[args->id] = count(); }' >/dev/null 2>"$tmp/err" &
	tpid=$!
	sleep 3
	v=$(best $N plain)
	stop_tracer
	row "bpftrace count per syscall (in-kernel map)" "$v"
fi

# Sustained rate written to a file: a long flood, every event kept (lost = 0
# required), rate = events / wall time of the flood; and the reader's own
# cost: events per CPU second of the moat process.
NF=5000000
"$MOAT" trace --comm getppid_loop -e getppid -o "$tmp/flood.txt" 2>"$tmp/err" &
tpid=$!
wait_ready tracing
t0=$(date +%s.%N)
"$G" $NF >/dev/null
t1=$(date +%s.%N)
ticks=$(awk '{ print $14 + $15 }' /proc/$tpid/stat)
stop_tracer
hz=$(getconf CLK_TCK)
got=$(sed -n 's/^moat trace: \([0-9]*\) events, \([0-9]*\) lost$/\1/p' "$tmp/err")
lost=$(sed -n 's/^moat trace: \([0-9]*\) events, \([0-9]*\) lost$/\2/p' "$tmp/err")
echo
echo "| sustained flood to a file | value |"
echo "|---|---|"
echo "| events received / lost | $got / $lost (of $NF) |"
echo "| file size | $(du -m "$tmp/flood.txt" | cut -f1) MiB |"
printf '| events/s (received / wall time of the flood) | %.0f |\n' "$(echo "$got / ($t1 - $t0)" | bc -l)"
printf '| events per CPU second of the reader (moat) | %.0f |\n' \
	"$(echo "$got / ($ticks / $hz)" | bc -l)"
# strace against moat trace, wall clock: the ratio of the times per call,
# and the ratio of what each adds to a bare call (the overhead).
vs_strace() {
	set -- "$1" ${2#* } ${strace_v#* } ${bare#* }
	printf '| %s | %.0fx | %.0fx |\n' "$1" "$(echo "$3 / $2" | bc -l)" \
		"$(echo "($3 - $4) / ($2 - $4)" | bc -l)"
}
echo
echo "| strace -f against | time per call | overhead (time added to a bare call) |"
echo "|---|---|---|"
vs_strace "moat trace (durations)" "$timed"
vs_strace "moat trace --no-durations" "$untimed"
vs_strace "moat trace --no-time" "$notime"

# The floors in the same run: what any tracer hooking the syscall
# tracepoints pays here before it records anything.
echo
"$MOAT" bench --only bare,ebpf-empty,ebpf-empty-exit,ebpf-empty-pair,ebpf-clock --runs "$RUNS" \
	--cpu $CPU 2>/dev/null | sed -n '/^MECHANISM/,$p'
echo
echo "moat trace lost during the overhead runs: ${moat_lost:-?}"
printf 'machine: %s, %s CPUs, load %s\n' "$(uname -r)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
