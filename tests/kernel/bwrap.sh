#!/bin/sh
# SPDX-License-Identifier: MIT
# A raw filter from `moat compile` loaded by `bwrap --seccomp 3 ... 3<file`
# behaves as `moat explain` says: for each probe, the verdict explain prints
# (allow / errno NAME / kill) is what the real syscall does under bwrap.
set -u
. "$(dirname "$0")/../lib.sh"
PROBE="$BUILD/tests/helpers/sysprobe"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
why=""
command -v bwrap >/dev/null || why="bwrap not installed"
[ -z "$why" ] && ! bwrap --ro-bind / / --dev /dev --proc /proc -- /bin/true 2>/dev/null &&
	why="bwrap cannot create a sandbox here"

cat >"$tmp/p.moat" <<'POLICY'
# Everything a dynamically linked program needs is allowed; the probes are not.
default allow
errno EXDEV getppid
errno EMLINK close if arg0 == 1000
errno ENOTTY close if arg0 > 0xffffffff
errno EDOM dup if arg0 in {1001, 1003}
errno ESPIPE lseek if arg2 & 0x8 == 0x8
errno ERANGE syscall_1000
kill getpgid if arg0 == 424242
POLICY

if "$MOAT" compile "$tmp/p.moat" -o "$tmp/p.bpf" 2>"$tmp/err"; then
	ok "moat compile writes a raw filter"
else
	nok "moat compile writes a raw filter: $(cat "$tmp/err")"
fi
size=$(wc -c <"$tmp/p.bpf" 2>/dev/null || echo 0)
if [ "$size" -gt 0 ] && [ $((size % 8)) -eq 0 ]; then
	ok "raw filter is whole struct sock_filter records ($size bytes)"
else
	nok "raw filter size $size is not a multiple of 8"
fi

# probe SYSCALL NR ARGS...: compare explain's verdict with bwrap's reality.
probe() {
	name=$1 nr=$2
	shift 2
	if [ -n "$why" ]; then
		skip "$name $*" "$why"
		return
	fi
	verdict=$("$MOAT" explain "$tmp/p.moat" "$name" "$@" | sed -n 's/^verdict: //p')
	real=$(bwrap --ro-bind / / --dev /dev --proc /proc --seccomp 3 -- "$PROBE" "$nr" "$@" \
		3<"$tmp/p.bpf" 2>/dev/null)
	rc=$?
	case "$verdict" in
	allow) want=$("$PROBE" "$nr" "$@") ;; # the same call, unfiltered
	errno*) want=$verdict ;;
	kill*) want="killed" ;;
	*) want="?$verdict" ;;
	esac
	# Killed by SIGSYS: bwrap reports the child's death as status 128+31.
	[ $rc -ge 128 ] && [ -z "$real" ] && real="killed"
	if [ "$real" = "$want" ]; then
		ok "$name $*: explain says '$verdict', bwrap's filter did '$real'"
	else
		nok "$name $*: explain says '$verdict' (expected '$want'), bwrap's filter did '$real'"
	fi
}

probe getppid 110
probe getpid 39
probe close 3 1000
probe close 3 0x1000003e8
probe close 3 999
probe dup 32 1001
probe dup 32 1002
probe dup 32 1003
probe lseek 8 1004 0 8
probe lseek 8 1004 0 1
probe syscall_1000 1000
probe syscall_999 999
probe getpgid 121 424242
probe getpgid 121 0
tap_plan
