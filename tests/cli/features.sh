#!/bin/sh
# SPDX-License-Identifier: MIT
# moat features / moat --version: the JSON describes this machine, as root and
# as an unprivileged user. Expected facts come from uname, bpftool's own
# probes and DESIGN.md's description of the CI kernel, not from moat.
set -u
. "$(dirname "$0")/../lib.sh"
jqt() { jq -e "$@" >/dev/null 2>&1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"

# field ID KEY: one field of one feature from $tmp/root.json
field() { jq -r --arg id "$1" --arg k "$2" '.features[] | select(.id == $id) | .[$k] // empty' "${3:-$tmp/root.json}"; }

check "--version prints the version" sh -c "'$MOAT' --version | grep -Eq '^moat [0-9]+\.[0-9]+\.[0-9]+\$'"

"$MOAT" features --json >"$tmp/root.json" 2>"$tmp/err"
check "features --json exits 0" test $? -eq 0
check "the JSON parses" jqt . "$tmp/root.json"
check "no stderr output" test ! -s "$tmp/err"
check "kernel equals uname -r" test "$(jq -r .kernel "$tmp/root.json")" = "$(uname -r)"
check "kernel.version detail equals uname -r" test "$(field kernel.version detail)" = "$(uname -r)"
check "arch equals uname -m" test "$(jq -r .arch "$tmp/root.json")" = "$(uname -m)"
check "every feature has an id, a known status and a detail" jqt '
	.features | length > 30 and all(.[]; (.id | length > 0) and (.detail | length > 0) and
		(.status == "available" or .status == "missing" or .status == "error"))' "$tmp/root.json"
check "every missing feature says what moat loses" jqt '
	all(.features[] | select(.status == "missing"); (.impact | length) > 0 and (.errno != null))' "$tmp/root.json"
check "ids are unique" jqt '(.features | map(.id) | unique | length) == (.features | length)' "$tmp/root.json"

# seccomp: present on every kernel moat supports (3.17+; notify 5.0, ADDFD 5.9).
for id in seccomp.filter seccomp.action.kill_process seccomp.action.errno seccomp.action.user_notif \
	seccomp.action.log seccomp.flag.new_listener seccomp.notify.sizes seccomp.notify.round_trip \
	seccomp.notify.addfd; do
	check "$id available" test "$(field $id status)" = available
done

if [ "$(id -u)" = 0 ]; then
	check "root: priv.root available" test "$(field priv.root status)" = available
	check "root: ringbuf available" test "$(field bpf.map.ringbuf status)" = available
	# bpftool's own probe is the independent oracle for map and program types.
	if command -v bpftool >/dev/null && bpftool feature probe kernel >"$tmp/bpftool" 2>/dev/null; then
		rb=missing
		grep -q "map_type ringbuf is available" "$tmp/bpftool" && rb=available
		check "ringbuf agrees with bpftool feature probe" test "$(field bpf.map.ringbuf status)" = $rb
		tp=missing
		grep -q "program_type tracepoint is available" "$tmp/bpftool" && tp=available
		check "tracepoint program agrees with bpftool feature probe" test "$(field bpf.prog.tracepoint status)" = $tp
	else
		skip "ringbuf agrees with bpftool feature probe" "bpftool feature probe unavailable"
		skip "tracepoint program agrees with bpftool feature probe" "bpftool feature probe unavailable"
	fi
	check "root: tp_btf/sys_enter loads" test "$(field bpf.prog.tp_btf status)" = available
	# DESIGN.md: this kernel refuses trampolines (fentry, lsm) with EPERM.
	if [ "$(field bpf.prog.fentry status)" = available ]; then
		skip "fentry refused with EPERM" "fentry loads on this kernel"
	else
		check "fentry reported missing with EPERM (not a crash)" \
			test "$(field bpf.prog.fentry status)/$(field bpf.prog.fentry errno)" = missing/EPERM
	fi
	lockdown_truth=$(unshare -m sh -c 'mount --make-rprivate / && mount -t securityfs none /sys/kernel/security 2>/dev/null; sed -n "s/.*\[\(.*\)\].*/\1/p" /sys/kernel/security/lockdown' 2>/dev/null)
	if [ -n "$lockdown_truth" ]; then
		check "lockdown mode is the kernel's ($lockdown_truth)" sh -c "jq -r '.features[] | select(.id == \"security.lockdown\") | .detail' '$tmp/root.json' | grep -q '^$lockdown_truth '"
	else
		skip "lockdown mode is the kernel's" "cannot read securityfs here"
	fi
else
	for t in "root: priv.root" "root: ringbuf" "ringbuf vs bpftool" "tracepoint vs bpftool" "root: tp_btf" "fentry EPERM" "lockdown"; do
		skip "$t" "not root"
	done
fi

check "unprivileged_bpf_disabled matches /proc" sh -c \
	"jq -r '.features[] | select(.id == \"sysctl.unprivileged_bpf_disabled\") | .detail' '$tmp/root.json' | grep -q \"^\$(cat /proc/sys/kernel/unprivileged_bpf_disabled) \""
check "table output lists the kernel" sh -c "'$MOAT' features | grep -Eq '^kernel.version +available +$(uname -r)\$'"
"$MOAT" features --bogus >/dev/null 2>&1
check "unknown argument is a usage error (2)" test $? -eq 2

# Unprivileged: seccomp still works, the BPF probes say "not permitted".
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$MOAT" features --json >"$tmp/nobody.json" 2>"$tmp/err"
	check "nobody: exits 0" test $? -eq 0
	check "nobody: JSON parses" jqt . "$tmp/nobody.json"
	check "nobody: priv.root missing" test "$(field priv.root status "$tmp/nobody.json")" = missing
	check "nobody: seccomp.notify.round_trip still available" \
		test "$(field seccomp.notify.round_trip status "$tmp/nobody.json")" = available
	if [ "$(cat /proc/sys/kernel/unprivileged_bpf_disabled)" != 0 ]; then
		for id in bpf.map.ringbuf bpf.prog.tracepoint bpf.prog.tp_btf bpf.prog.fentry; do
			check "nobody: $id missing with EPERM" \
				test "$(field $id status "$tmp/nobody.json")/$(field $id errno "$tmp/nobody.json")" = missing/EPERM
		done
	else
		skip "nobody: BPF probes not permitted" "unprivileged BPF is enabled here"
	fi
	check "nobody: BTF still readable" test "$(field bpf.btf status "$tmp/nobody.json")" = "$(field bpf.btf status)"
else
	skip "nobody: features" "needs root to switch to nobody"
fi

tap_plan
