#!/bin/sh
# SPDX-License-Identifier: MIT
# moat record next to its peers, side by side in one run (root: eBPF, perf):
#   bare | moat record | moat record of another process | bpftrace counting
#   per syscall | strace -f -c | perf trace -s
# on two workloads (bench/record_loop.c), in CPU time charged to the
# workload — it includes the eBPF programs run in its context at each
# syscall, and not the waiting for a core on a shared machine:
#   getppid  ns of CPU per syscall, min of RUNS (median, max)
#   job      a realistic job: tar of /usr/include piped into gzip -1, then
#            sqlite3 making 300 autocommit inserts on /dev/shm; ms of CPU of
#            the whole tree per job, min of RUNS (median, max)
# Usage: sh bench/record.sh [ITERATIONS] [RUNS]    Prints a markdown table.
set -eu
cd "$(dirname "$0")/.."
N=${1:-1000000}
R=${2:-7}
SLOW=$((N / 100)) # strace and perf trace are ~1000x slower per syscall
MOAT=${MOAT:-build/moat}
mkdir -p build/bench
cc -O2 -o build/bench/record_loop bench/record_loop.c
L=build/bench/record_loop
J=build/bench/record_job.sh
res=$(mktemp)
tmp=$(mktemp -d /dev/shm/moat-bench.XXXXXX)
trap 'rm -rf "$res" "$tmp"; [ -n "${bg:-}" ] && kill "$bg" 2>/dev/null; true' EXIT

cat >"$J" <<JOB
#!/bin/sh
tar cf - -C /usr include 2>/dev/null | gzip -1 >/dev/null
rm -f "$tmp/db"
sqlite3 "$tmp/db" 'create table t(a, b)'
j=0 q=""
while [ \$j -lt 300 ]; do q="\$q insert into t values (\$j, 'row \$j');"; j=\$((j + 1)); done
sqlite3 "$tmp/db" "\$q"
JOB

run() { # name workload cmd...: appends "name workload min median max"
	name=$1 wl=$2
	shift 2
	out=$("$@" 2>/dev/null | tail -1) || out=""
	[ -n "$out" ] && echo "$name $wl $out" >>"$res" || echo "$name $wl failed" >&2
}
work() { # workload iterations
	if [ "$1" = getppid ]; then echo "$L getppid $2 $R"; else echo "$L run $R sh $J"; fi
}

for wl in getppid job; do
	run bare $wl $(work $wl $N)
	run "moat-record" $wl "$MOAT" record -q -o /dev/null -- $(work $wl $N)
	# What every other process pays while a recording runs: one hash lookup.
	"$MOAT" record -q -o /dev/null -- sleep 1000 &
	bg=$!
	sleep 2
	run "moat-record-other" $wl $(work $wl $N)
	kill -INT $bg 2>/dev/null || true
	wait $bg 2>/dev/null || true
	bg=
	if command -v bpftrace >/dev/null; then
		bpftrace -e 'tracepoint:raw_syscalls:sys_enter { @[args->id] = count(); }' >/dev/null 2>&1 &
		bg=$!
		sleep 6 # attached once the probes are compiled and loaded
		run "bpftrace-count" $wl $(work $wl $N)
		kill -INT $bg 2>/dev/null || true
		wait $bg 2>/dev/null || true
		bg=
	fi
	n=$N
	[ $wl = getppid ] && n=$SLOW
	# ptrace: the traced task's CPU time misses the tracer's; wall time is what users see,
	# so these two rows are lower bounds.
	run "strace-f-c" $wl strace -f -c -o /dev/null $(work $wl $n)
	run "perf-trace-s" $wl perf trace -s -o /dev/null -- $(work $wl $n)
done

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $(uname -r)"
echo
echo "| tool | getppid ns CPU/syscall, min (median-max) | vs bare | added ns | job ms CPU, min (median-max) | vs bare |"
echo "|---|---|---|---|---|---|"
awk '{ m[$1, $2] = $3; md[$1, $2] = $4; hi[$1, $2] = $5; if (!($1 in ord)) { ord[$1] = ++n; name[n] = $1 } }
END {
	for (i = 1; i <= n; i++) {
		t = name[i]; line = "| " t
		if ((t, "getppid") in m)
			line = line sprintf(" | %.1f (%.1f-%.1f) | %.2fx | %+.1f", m[t, "getppid"], md[t, "getppid"], hi[t, "getppid"], m[t, "getppid"] / m["bare", "getppid"], m[t, "getppid"] - m["bare", "getppid"])
		else line = line " | - | - | -"
		if ((t, "job") in m)
			line = line sprintf(" | %.1f (%.1f-%.1f) | %+.1f%%", m[t, "job"], md[t, "job"], hi[t, "job"], (m[t, "job"] / m["bare", "job"] - 1) * 100)
		else line = line " | - | -"
		print line " |"
	}
}' "$res"
