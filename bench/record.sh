#!/bin/sh
# SPDX-License-Identifier: MIT
# moat record next to its peers, side by side in one run (root: eBPF, perf):
#   bare | moat record | bpftrace counting per syscall | strace -f -c | perf trace -s
# on two workloads:
#   getppid  bench/syscall_loop.c: ns per syscall (median of RUNS, min-max)
#   work     a realistic job, timed from inside (so moat record's load is not
#            in it): tar of /usr/include piped into gzip -1, then sqlite3
#            making 300 autocommit inserts on /dev/shm; ms per job
# Also the floor: `moat bench` ebpf-empty (an empty tp_btf program) on getppid.
# Usage: sh bench/record.sh [ITERATIONS] [RUNS]    Prints a markdown table.
set -eu
cd "$(dirname "$0")/.."
N=${1:-2000000}
R=${2:-7}
SLOW=$((N / 200)) # strace and perf trace are ~1000x slower per syscall
MOAT=${MOAT:-build/moat}
mkdir -p build/bench
cc -O2 -o build/bench/syscall_loop bench/syscall_loop.c -lseccomp
L=build/bench/syscall_loop
W=build/bench/record_work.sh
res=$(mktemp)
tmp=$(mktemp -d /dev/shm/moat-bench.XXXXXX)
trap 'rm -rf "$res" "$tmp"; [ -n "${bt:-}" ] && kill "$bt" 2>/dev/null; true' EXIT

# The realistic job: prints "median min max" ms over RUNS runs, measured inside.
cat >"$W" <<'WORK'
#!/bin/sh
runs=$1 tmp=$2
i=0
while [ $i -lt "$runs" ]; do
	t0=$(date +%s%N)
	tar cf - -C /usr include 2>/dev/null | gzip -1 >/dev/null
	rm -f "$tmp/db"
	sqlite3 "$tmp/db" 'create table t(a, b)'
	j=0 q=""
	while [ $j -lt 300 ]; do q="$q insert into t values ($j, 'row $j');"; j=$((j + 1)); done
	sqlite3 "$tmp/db" "$q"
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000))
	i=$((i + 1))
done | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f %.1f %.1f\n", v[int((NR + 1) / 2)] / 1000, v[1] / 1000, v[NR] / 1000 }'
WORK

run() { # name workload cmd...: appends "name workload median min max"
	name=$1 wl=$2
	shift 2
	out=$("$@" 2>/dev/null | tail -1) || out=""
	[ -n "$out" ] && echo "$name $wl $out" >>"$res" || echo "$name $wl failed" >&2
}
loop() { # workload label
	if [ "$1" = getppid ]; then echo "$L getppid $2 $R"; else echo "sh $W $R $tmp"; fi
}

for wl in getppid work; do
	n=$N
	run bare $wl $(loop $wl $n)
	run "moat-record" $wl "$MOAT" record -q -o /dev/null -- $(loop $wl $n)
	if command -v bpftrace >/dev/null; then
		bpftrace -e 'tracepoint:raw_syscalls:sys_enter { @[args->id] = count(); }' >/dev/null 2>&1 &
		bt=$!
		sleep 5 # attached once the probes are compiled and loaded
		run "bpftrace-count" $wl $(loop $wl $n)
		kill -INT "$bt" 2>/dev/null || true
		wait "$bt" 2>/dev/null || true
		bt=
	fi
	[ $wl = getppid ] && n=$SLOW
	run "strace-f-c" $wl strace -f -c -o /dev/null $(loop $wl $n)
	run "perf-trace-s" $wl perf trace -s -o /dev/null -- $(loop $wl $n)
done
floor=$("$MOAT" bench --json --runs "$R" --only getppid-bare,getppid-ebpf-empty 2>/dev/null |
	jq -r '.scenarios[] | "\(.name) \(.ns_per_syscall.median | floor)"' 2>/dev/null || true)

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| tool | getppid ns/syscall (min-max) | vs bare | added ns | realistic job ms (min-max) | vs bare |"
echo "|---|---|---|---|---|---|"
awk '{ m[$1, $2] = $3; lo[$1, $2] = $4; hi[$1, $2] = $5; if (!($1 in ord)) { ord[$1] = ++n; name[n] = $1 } }
END {
	for (i = 1; i <= n; i++) {
		t = name[i]; line = "| " t
		if ((t, "getppid") in m)
			line = line sprintf(" | %.0f (%.0f-%.0f) | %.2fx | %+.0f", m[t, "getppid"], lo[t, "getppid"], hi[t, "getppid"], m[t, "getppid"] / m["bare", "getppid"], m[t, "getppid"] - m["bare", "getppid"])
		else line = line " | - | - | -"
		if ((t, "work") in m)
			line = line sprintf(" | %.1f (%.1f-%.1f) | %+.1f%%", m[t, "work"], lo[t, "work"], hi[t, "work"], (m[t, "work"] / m["bare", "work"] - 1) * 100)
		else line = line " | - | -"
		print line " |"
	}
}' "$res"
[ -n "$floor" ] && { echo; echo "moat bench, same run (getppid ns): $floor" | tr '\n' ' '; echo; }
