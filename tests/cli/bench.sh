#!/bin/sh
# SPDX-License-Identifier: MIT
# moat bench with a tiny iteration count: JSON structure and the verdicts of
# the mechanisms (denied calls really got EPERM, BPF really counted, ptrace
# really stopped). No timing assertion: timings on a shared machine are noise.
# strace -c is the independent witness of what the denied calls returned.
set -u
. "$(dirname "$0")/../lib.sh"
jqt() { jq -e "$@" >/dev/null 2>&1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
# sc NAME EXPR: jq EXPR holds for scenario NAME of $tmp/b.json
sc() { jqt --arg n "$1" ".scenarios[] | select(.name == \$n) | $2" "${3:-$tmp/b.json}"; }

only=getppid-bare,seccomp-cached,getppid-seccomp-argcheck,getppid-seccomp-denied,rw-seccomp-denied
only=$only,getppid-seccomp-linear-denied,getppid-seccomp-stack2,getppid-seccomp-notify
only=$only,getppid-ebpf-count,getppid-ebpf-ringbuf,getppid-ptrace
"$MOAT" bench --iterations 1000 --runs 2 --only "$only" --json >"$tmp/b.json" 2>"$tmp/err"
rc=$?
if [ "$(id -u)" = 0 ]; then
	check "bench exits 0" test $rc -eq 0
else
	check "bench exits 0 or 1" test $rc -le 1
fi
check "JSON parses" jqt . "$tmp/b.json"
check "kernel is uname -r" test "$(jq -r .kernel "$tmp/b.json")" = "$(uname -r)"
check "context: load average and foreign syscall tracers" jqt '(.load_average | type) == "number" and ((.other_syscall_tracers | type) == "number" or .other_syscall_tracers == null)' "$tmp/b.json"
if [ "$(id -u)" = 0 ]; then
	# Root may list BPF links: a count, not "unknown" (the number itself races with others' tracers).
	check "root: other syscall tracers counted" test "$(jq .other_syscall_tracers "$tmp/b.json")" -ge 0
fi
check "exactly the selected scenarios, in order" test "$(jq -r '[.scenarios[].name] | join(",")' "$tmp/b.json")" = \
	"getppid-bare,getppid-seccomp-cached,rw-seccomp-cached,getppid-seccomp-argcheck,getppid-seccomp-denied,rw-seccomp-denied,getppid-seccomp-linear-denied,getppid-seccomp-stack2,getppid-seccomp-notify,getppid-ebpf-count,getppid-ebpf-ringbuf,getppid-ptrace"
check "every ran scenario has iterations 1000, 2 runs, min <= median <= max" jqt '
	all(.scenarios[] | select(.status == "ok");
		.iterations == 1000 and .runs == 2 and .ns_per_syscall.min > 0 and
		.ns_per_syscall.min <= .ns_per_syscall.median and
		.ns_per_syscall.median <= .ns_per_syscall.max)' "$tmp/b.json"
check "bare has ratio 1" sc getppid-bare '.ratio == 1'
check "rw has no bare run: ratio null" sc rw-seccomp-cached '.ratio == null'
for s in getppid-bare getppid-seccomp-cached rw-seccomp-cached getppid-seccomp-argcheck \
	getppid-seccomp-stack2 getppid-seccomp-notify; do
	check "$s: ok, allowed, verdict right" sc $s '.status == "ok" and .verdict.expected == "allow" and .verdict.ok'
done
for s in getppid-seccomp-denied rw-seccomp-denied getppid-seccomp-linear-denied; do
	check "$s: every call got errno EPERM" sc $s '.status == "ok" and .verdict.expected == "errno EPERM" and .verdict.ok and (.verdict.detail | test("^([0-9]+)/\\1 calls returned -1 with errno EPERM"))'
done
# 100 warm-up + 2 x 1000 timed iterations, one getppid each.
check "cached filter is on the kernel's action cache" sc getppid-seccomp-cached '.verdict.detail | test("cache eligible")'
check "notify: one notification per call" sc getppid-seccomp-notify '.verdict.detail | test("2100 notifications answered")'
check "stack2: two filters installed" sc getppid-seccomp-stack2 '.verdict.detail | test("2 filters")'
if [ "$(id -u)" = 0 ]; then
	check "ebpf-count: the map counted every getppid" sc getppid-ebpf-count '.status == "ok" and .verdict.ok and (.verdict.detail | test("counted 2100 per"))'
	check "ebpf-ringbuf: every call produced an event or a counted drop" sc getppid-ebpf-ringbuf '.status == "ok" and .verdict.ok'
	check "ptrace: two stops per call" sc getppid-ptrace '.status == "ok" and .verdict.ok'
else
	skip "ebpf/ptrace verdicts as root" "not root"
	skip "ebpf/ptrace verdicts as root" "not root"
	skip "ebpf/ptrace verdicts as root" "not root"
fi

# The independent witness: strace counts getppid calls and their errors.
if command -v strace >/dev/null; then
	strace -f -qq -c -U calls,errors,name -e trace=getppid -o "$tmp/st" \
		"$MOAT" bench --iterations 1000 --runs 1 --only getppid-seccomp-denied --json >/dev/null 2>&1
	# 1100 measured calls; a few more come from moat itself (its feature probe, the runner).
	line=$(awk '$NF == "getppid" { print ($1 >= 1100 && $1 <= 1110) ? "calls-ok" : $1, $2 }' "$tmp/st")
	check "strace: 1100 getppid calls failed (denied)" test "$line" = "calls-ok 1100"
	strace -f -qq -c -U calls,errors,name -e trace=getppid -o "$tmp/st" \
		"$MOAT" bench --iterations 1000 --runs 1 --only getppid-seccomp-argcheck --json >/dev/null 2>&1
	line=$(awk '$NF == "getppid" { print ($1 >= 1100 && $1 <= 1110) ? "calls-ok" : $1, NF == 2 ? 0 : $2 }' "$tmp/st")
	check "strace: 1100 getppid calls, none failed (arg-checked allow)" test "$line" = "calls-ok 0"
else
	skip "strace witness" "no strace"
	skip "strace witness" "no strace"
fi

if [ "$(id -u)" = 0 ]; then
	"$MOAT" bench --realtime --iterations 1000 --runs 1 --only getppid-bare --json >"$tmp/rt.json" 2>/dev/null
	check "--realtime: measured under SCHED_FIFO" jqt '.realtime == true and .scenarios[0].status == "ok"' "$tmp/rt.json"
fi
"$MOAT" bench --only nothing-like-this --json >/dev/null 2>&1
check "--only selecting nothing is a usage error" test $? -eq 2
"$MOAT" bench --iterations 0 >/dev/null 2>&1
check "--iterations 0 is a usage error" test $? -eq 2
check "--list names the scenarios" sh -c "'$MOAT' bench --list | grep -qx getppid-ebpf-ringbuf"
check "table output" sh -c "'$MOAT' bench --iterations 1000 --runs 1 --only getppid-bare 2>/dev/null | grep -Eq '^bare +[0-9]'"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$MOAT" bench --iterations 1000 --runs 1 \
		--only getppid-seccomp-denied,getppid-ebpf-count --json >"$tmp/nobody.json" 2>/dev/null
	check "nobody: exits 0 (skips are not failures)" test $? -eq 0
	check "nobody: seccomp still measured and denied" sc getppid-seccomp-denied '.status == "ok" and .verdict.ok' "$tmp/nobody.json"
	if [ "$(cat /proc/sys/kernel/unprivileged_bpf_disabled)" != 0 ]; then
		check "nobody: eBPF skipped, saying why" sc getppid-ebpf-count '.status == "skipped" and (.reason | test("EPERM"))' "$tmp/nobody.json"
	else
		skip "nobody: eBPF skipped" "unprivileged BPF enabled"
	fi
else
	skip "nobody: bench" "needs root to switch to nobody"
fi
tap_plan
