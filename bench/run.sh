#!/bin/sh
# SPDX-License-Identifier: MIT
# `moat run` costs, measured side by side (run by hand after `make`):
#  1. a getppid loop bare, under `moat run` (allowed syscalls) and under the
#     same profile compiled by libseccomp (ns per call, ratio to bare);
#  2. the cost of one reported violation (notification round trip), against
#     the same denial answered by the kernel alone and by a minimal
#     supervisor that only receives and answers (bench/notify_floor.c);
#  3. start-up time added by `moat run` (hyperfine).
# The profile: the unconditional allow list of Podman's default profile
# (/usr/share/containers/seccomp.json), restricted to x86_64 names,
# default errno EPERM. Writes bench/out/run.txt.
set -eu
cd "$(dirname "$0")/.."
B=${B:-build}
OUT=bench/out
mkdir -p "$OUT"
N=${N:-2000000}
NV=${NV:-20000}
cc -O2 -o "$OUT/run_loop" bench/run_loop.c -lseccomp
cc -O2 -o "$OUT/notify_floor" bench/notify_floor.c

jq -r '.syscalls[] | select(.action == "SCMP_ACT_ALLOW" and (.args | length) == 0
	and (.includes | length) == 0 and (.excludes | length) == 0) | .names[]' \
	/usr/share/containers/seccomp.json | sort -u >"$OUT/podman-names.txt"
awk 'NF == 2 { print $1 }' data/syscalls/x86_64.tbl | sort -u >"$OUT/x86_64-names.txt"
# + arch_prctl, which Podman allows in a per-architecture entry and every
# dynamically linked x86_64 program needs at start (found with --mode complain).
{
	comm -12 "$OUT/podman-names.txt" "$OUT/x86_64-names.txt"
	echo arch_prctl
} | sort -u >"$OUT/allow.txt"
{
	echo "default errno EPERM"
	sed 's/^/allow /' "$OUT/allow.txt"
} >"$OUT/allow.moat"
grep -vx getppid "$OUT/allow.txt" >"$OUT/allow-no-getppid.txt"
{
	echo "default errno EPERM"
	sed 's/^/allow /' "$OUT/allow-no-getppid.txt"
} >"$OUT/deny-getppid.moat"

ns() { sed -n 's/^ns_per_call //p'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
min() { sort -n | head -1; }
R=${R:-5} # rounds: this machine is shared, so configurations alternate and the minimum is kept

: >"$OUT/samples.txt"
for r in $(seq "$R"); do
	echo "bare $("$OUT/run_loop" "$N" | ns)"
	echo "lsc $("$OUT/run_loop" --libseccomp "$OUT/allow.txt" "$N" | ns)"
	echo "moat $("$B/moat" run -p "$OUT/allow.moat" -- "$OUT/run_loop" "$N" | ns)"
	echo "kerr $("$OUT/run_loop" --libseccomp "$OUT/allow-no-getppid.txt" "$NV" | ns)"
	echo "viol $("$B/moat" run -q -p "$OUT/deny-getppid.moat" -- "$OUT/run_loop" "$NV" 2>/dev/null | ns)"
	echo "violr $("$B/moat" run -p "$OUT/deny-getppid.moat" -- "$OUT/run_loop" "$NV" 2>/dev/null | ns)"
	echo "floor $("$OUT/notify_floor" "$NV" | ns)"
done >>"$OUT/samples.txt"
pick() { awk -v k="$1" '$1 == k { print $2 }' "$OUT/samples.txt" | min; }
bare=$(pick bare)
lsc=$(pick lsc)
moat=$(pick moat)
kerr=$(pick kerr)
viol=$(pick viol)
violr=$(pick violr)
floor=$(pick floor)

{
	echo "profile: $(wc -l <"$OUT/allow.txt") allowed syscalls (Podman default, unconditional), default errno EPERM"
	echo "getppid loop, ns per call (min of $R runs, each best of 3 x $N):"
	echo "  bare                  $bare"
	echo "  libseccomp filter     $lsc  ($(ratio "$lsc" "$bare")x)"
	echo "  moat run              $moat  ($(ratio "$moat" "$bare")x)"
	echo "denied getppid, ns per call (min of $R runs, each best of 3 x $NV):"
	echo "  kernel errno (libseccomp)          $kerr"
	echo "  minimal supervisor (notify_floor)  $floor"
	echo "  moat run, reported (--quiet)       $viol"
	echo "  moat run, reported (line to /dev/null) $violr"
	echo "  => one reported violation costs $(awk -v a="$viol" -v b="$kerr" 'BEGIN { printf "%.1f", (a - b) / 1000 }') us more than a kernel errno"
} | tee "$OUT/run.txt"

# Start-up: /bin/true bare, moat's own process start (--version), moat run
# with a one-line policy (what the sandbox adds) and with the 308-rule
# profile (+ parsing and compiling it). Medians: this machine is shared.
printf 'default allow\nerrno EPERM ptrace\n' >"$OUT/small.moat"
if command -v hyperfine >/dev/null; then
	hyperfine -N --warmup 20 --runs 300 --export-json "$OUT/run-startup.json" \
		"/bin/true" "$B/moat --version" "$B/moat run -p $OUT/small.moat -- /bin/true" \
		"$B/moat run -p $OUT/allow.moat -- /bin/true" >/dev/null
	jq -r '.results[] | "  \(.command): median \(.median * 1000 | . * 100 | round / 100) ms, min \(.min * 1000 | . * 100 | round / 100) ms"' \
		"$OUT/run-startup.json" | { echo "start-up (hyperfine, 300 runs):"; cat; } | tee -a "$OUT/run.txt"
fi
