#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# moat check: findings with place and explanation, --json, exit codes.

bats_require_minimum_version 1.5.0

setup() {
	MOAT=${MOAT:-$BATS_TEST_DIRNAME/../../build/moat}
	PODMAN=/usr/share/containers/seccomp.json
	T=$(mktemp -d)
}

teardown() {
	rm -rf "$T"
}

@test "check: a clean allow-list has no finding and exits 0" {
	printf 'default errno EPERM\nunknown errno ENOSYS\narch x86_64\nerrno ENOSYS clone3\nallow read write exit_group\n' >"$T/ok.moat"
	run "$MOAT" check "$T/ok.moat" --baseline none
	[ "$status" -eq 0 ]
	[ "$output" = "0 errors, 0 warnings, 0 notes" ]
}

@test "check: allow-by-default is an error with its line, and exit 1" {
	printf 'default allow\nunknown errno ENOSYS\narch x86_64\nerrno ENOSYS clone3\nkill ptrace\n' >"$T/deny.moat"
	run "$MOAT" check "$T/deny.moat" --baseline none
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/deny.moat:1:"*": error: the default action is 'allow': the policy is a deny-list [allow-by-default]"* ]]
	[[ "$output" == *"  why: every syscall the policy does not list runs"* ]]
}

@test "check: a dangerous syscall is named at its rule with a caret" {
	printf 'default errno EPERM\nunknown errno ENOSYS\narch x86_64\nerrno ENOSYS clone3\nallow read bpf\n' >"$T/b.moat"
	run "$MOAT" check "$T/b.moat" --baseline none
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$T/b.moat:5:12: warning: bpf is allowed (allow) [dangerous-syscall]" ]
	[ "${lines[1]}" = "  allow read bpf" ]
	[ "${lines[2]}" = "             ^~~" ]
	[ "${lines[4]}" = "0 errors, 1 warning, 0 notes" ]
}

@test "check: --json gives every field" {
	printf 'default errno EPERM\nunknown errno EPERM\narch x86_64\nerrno ENOSYS clone3\nallow kexec_load\n' >"$T/j.moat"
	run "$MOAT" check "$T/j.moat" --baseline none --json
	[ "$status" -eq 1 ]
	echo "$output" | jq -e 'length == 2'
	echo "$output" | jq -e '.[] | select(.id == "dangerous-syscall") | .severity == "error" and .syscall == "kexec_load" and .line == 5 and (.explanation | length > 10)'
	echo "$output" | jq -e '.[] | select(.id == "unknown-not-enosys") | .severity == "warning" and .line == 2'
}

@test "check: Podman's default profile: no error, the known soft spots as warnings" {
	[ -r "$PODMAN" ] || skip "no $PODMAN"
	run --separate-stderr "$MOAT" check "$PODMAN" --baseline none --json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '[.[] | select(.severity == "error")] | length == 0'
	echo "$output" | jq -e '[.[] | select(.id == "namespaces") | .syscall] == ["clone", "unshare"]'
	echo "$output" | jq -e '[.[] | select(.syscall == "ptrace")][0].line > 0'
}

@test "check: what a policy allows beyond Podman's default" {
	[ -r "$PODMAN" ] || skip "no $PODMAN"
	printf 'default errno ENOSYS\narch x86_64\nallow read reboot\nallow swapon acct\n' >"$T/r.moat"
	run "$MOAT" check "$T/r.moat"
	[ "$status" -eq 0 ]
	# reboot is in Podman's allow list; acct and swapon are not. Sorted by number.
	[[ "$output" == *"r.moat:4:14: note: allows 2 syscalls that Podman's default profile denies: acct swapon [beyond-baseline]"* ]]
}

@test "check: bad input and usage" {
	printf 'allow frob\n' >"$T/e.moat"
	run "$MOAT" check "$T/e.moat"
	[ "$status" -eq 1 ]
	[[ "$output" == *"e.moat:1:7: error:"* ]]
	run "$MOAT" check
	[ "$status" -eq 2 ]
	run "$MOAT" check "$T/e.moat" --baseline "$T/missing.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot read the baseline"* ]]
}
