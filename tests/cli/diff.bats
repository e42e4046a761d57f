#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# moat diff: same meaning exits 0, differences are shown with both places, exit 1.

bats_require_minimum_version 1.5.0

setup() {
	MOAT=${MOAT:-$BATS_TEST_DIRNAME/../../build/moat}
	PODMAN=/usr/share/containers/seccomp.json
	T=$(mktemp -d)
}

teardown() {
	rm -rf "$T"
}

@test "diff: the same meaning written differently: no difference, exit 0" {
	printf 'default errno EPERM\narch x86_64\nallow read write\nallow socket if arg0 in {1, 2}\n' >"$T/a.moat"
	printf 'default errno EPERM\narch x86_64\nallow socket if arg0 == 2\nallow socket if arg0 == 1\nallow write read\n' >"$T/b.moat"
	run "$MOAT" diff "$T/a.moat" "$T/b.moat"
	[ "$status" -eq 0 ]
	[ "$output" = "0 differences" ]
}

@test "diff: each difference with its arguments and both rules, exit 1" {
	printf 'default errno EPERM\narch x86_64\nallow read write\nallow kill if arg1 != 9\n' >"$T/a.moat"
	printf 'default errno EPERM\narch x86_64\nallow read\nerrno EACCES write\nallow kill\n' >"$T/b.moat"
	run "$MOAT" diff "$T/a.moat" "$T/b.moat"
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "write [x86_64]: allow -> errno EACCES" ]
	[ "${lines[1]}" = "  A: $T/a.moat:3:12" ]
	[ "${lines[2]}" = "  B: $T/b.moat:4:14" ]
	[ "${lines[3]}" = "kill [x86_64] with arg1=0x9: errno EPERM -> allow" ]
	[ "${lines[4]}" = "  A: $T/a.moat:1:1" ]
	[ "${lines[6]}" = "2 differences" ]
}

@test "diff: --json" {
	printf 'default errno EPERM\narch x86_64\nallow read\n' >"$T/a.moat"
	printf 'default errno EPERM\narch x86_64 i386\nallow read\n' >"$T/b.moat"
	run --separate-stderr "$MOAT" diff "$T/a.moat" "$T/b.moat" --json
	[ "$status" -eq 1 ]
	echo "$output" | jq -e 'length == 1 and .[0].kind == "arch" and .[0].arches == ["i386"] and .[0].a == "kill" and .[0].b == "errno EPERM"'
}

@test "diff: Podman's JSON and its .moat conversion mean the same" {
	[ -r "$PODMAN" ] || skip "no $PODMAN"
	"$MOAT" convert "$PODMAN" --to moat -o "$T/p.moat" 2>/dev/null
	run --separate-stderr "$MOAT" diff "$PODMAN" "$T/p.moat"
	[ "$status" -eq 0 ]
	[ "$output" = "0 differences" ]
	# With a capability the profile allows more: diff sees exactly those syscalls.
	"$MOAT" convert "$PODMAN" --caps CAP_SYS_TIME --to moat -o "$T/time.moat" 2>/dev/null
	run --separate-stderr "$MOAT" diff "$T/p.moat" "$T/time.moat" --json
	[ "$status" -eq 1 ]
	# Podman's CAP_SYS_TIME entry: clock_settime, clock_settime64, settimeofday, stime.
	echo "$output" | jq -e '[.[].syscall] | sort == ["clock_settime", "clock_settime64", "settimeofday", "stime"]'
	echo "$output" | jq -e '[.[] | select(.syscall == "stime")][0].arches == ["i386"]'
	echo "$output" | jq -e 'all(.[]; .a == "errno EPERM" and .b == "allow")'
	# diff --caps reads the JSON side with that capability too.
	run --separate-stderr "$MOAT" diff --caps CAP_SYS_TIME "$PODMAN" "$T/time.moat"
	[ "$status" -eq 0 ]
	[ "$output" = "0 differences" ]
	run --separate-stderr "$MOAT" diff "$PODMAN" "$T/time.moat"
	[ "$status" -eq 1 ]
	run --separate-stderr "$MOAT" diff --caps CAP_NOPE "$PODMAN" "$T/time.moat"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unknown capability 'CAP_NOPE'"* ]]
}

@test "diff: bad input and usage" {
	printf 'allow frob\n' >"$T/bad.moat"
	printf 'default allow\n' >"$T/ok.moat"
	run "$MOAT" diff "$T/bad.moat" "$T/ok.moat"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.moat:1:7: error:"* ]]
	run "$MOAT" diff "$T/ok.moat"
	[ "$status" -eq 2 ]
}
