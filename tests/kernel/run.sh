#!/bin/sh
# SPDX-License-Identifier: MIT
# `moat run` on the real kernel, through the CLI: real policies compiled and
# installed, real processes (tests/helpers/sandbox_probe prints what the
# kernel answered each call). Unprivileged cases run as user nobody.
# Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
PROBE_SRC=$BUILD/tests/helpers/sandbox_probe

[ -x "$MOAT" ] && [ -x "$PROBE_SRC" ] || skip_all "moat or the probe is not built"

# Everything nobody must read or run lives in a world-readable temp dir.
T=$(mktemp -d /tmp/moat-run-test.XXXXXX)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
cp "$MOAT" "$T/moat"
cp "$PROBE_SRC" "$T/sandbox_probe"
M=$T/moat
P=$T/sandbox_probe
chmod 755 "$M" "$P"
W=$T/w # where nobody may write
mkdir "$W"
chmod 777 "$W"

cat >"$T/deny.moat" <<'EOF'
# test policy: everything allowed but a few calls
default allow
errno EACCES getppid
errno EPERM io_uring_setup io_uring_enter io_uring_register
errno ENOSYS clone3
errno EPERM mkdir
EOF
cat >"$T/kill.moat" <<'EOF'
default allow
kill getppid
EOF
cat >"$T/noexec.moat" <<'EOF'
default allow
errno EPERM execve
EOF
printf 'default allow\nlog getpid\nnotify getppid\n' >"$T/lognotify.moat"
printf 'default errno EPERM\nallow @stdio @rpath @prot-exec @exec\nerrno EACCES mkdir if arg1 == 0700\nerrno ENOENT mkdir\n' \
	>"$T/merged.moat"
chmod 644 "$T"/*.moat

# Every command under a policy is bounded: a policy that makes the program loop must not hang CI.
as_nobody() { timeout 60 setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
# The errno rules of deny.moat stand for violations in most tests: report them (see 6b).
R=--report-errno-rules

# 1. allowed calls work, a denied one fails with the errno and is reported by name.
as_nobody "$M" run $R -p "$T/deny.moat" -- "$P" getpid getppid >"$T/out" 2>"$T/err"
rc=$?
check "enforce (nobody): exit status 0" [ $rc -eq 0 ]
check "enforce: allowed getpid works" grep -qx 'getpid=ok' "$T/out"
check "enforce: denied getppid returns EACCES" grep -qx 'getppid=EACCES' "$T/out"
check "enforce: report names getppid, the rule's file:line and the answer" \
	grep -q "getppid(.*deny.moat:3.*EACCES" "$T/err"
check "enforce: report names the process" grep -q "(sandbox_probe) getppid" "$T/err"
check "enforce: summary by syscall at exit" grep -Eq 'moat: +1 +getppid +EACCES' "$T/err"

# Rules routed to moat share one `ret USER_NOTIF` in the filter (with the default too): the
# answer and the report must still come from the exact rule, by the policy's first-match order.
as_nobody "$M" run $R -p "$T/merged.moat" -- "$P" "mkdir:$W/m1" "mkdir755:$W/m2" io_uring_setup \
	>"$T/out" 2>"$T/err"
check "same routed verdict: mkdir 0700 gets its rule's EACCES" grep -qx 'mkdir=EACCES' "$T/out"
check "same routed verdict: mkdir 0755 gets the next rule's ENOENT" grep -qx 'mkdir755=ENOENT' "$T/out"
check "same routed verdict: an unlisted call gets the default's EPERM" \
	grep -qx 'io_uring_setup=EPERM' "$T/out"
check "same routed verdict: each reported with its own line" \
	sh -c "grep -q 'mkdir(\"$W/m1\", 0700) denied by .*merged.moat:3' '$T/err' &&
		grep -q 'mkdir(\"$W/m2\", 0755) denied by .*merged.moat:4' '$T/err' &&
		grep -q 'io_uring_setup(.*merged.moat:1 (default' '$T/err'"

# 2. paths are read from the target's memory and shown.
as_nobody "$M" run $R -p "$T/deny.moat" -- "$P" "mkdir:$W/newdir" >"$T/out" 2>"$T/err"
check "enforce: mkdir denied with EPERM" grep -qx 'mkdir=EPERM' "$T/out"
check "enforce: the path argument is shown" grep -q "mkdir(\"$W/newdir\"" "$T/err"
check "enforce: the directory was not created" [ ! -e "$W/newdir" ]

# 3. complain: the call proceeds and is reported as "would be denied".
as_nobody "$M" run --mode complain -p "$T/deny.moat" -- "$P" getppid "mkdir:$W/newdir" \
	>"$T/out" 2>"$T/err"
check "complain: getppid proceeds" grep -qx 'getppid=ok' "$T/out"
check "complain: mkdir proceeds" [ -d "$W/newdir" ]
check "complain: reported as would be denied" grep -q "getppid(.*would be denied" "$T/err"
check "complain: proposes the allow line" grep -qx "allow getppid mkdir" "$T/err"

# log rules are allowed and reported; a notify rule is a violation (EPERM in enforce).
as_nobody "$M" run -p "$T/lognotify.moat" -- "$P" getpid getppid >"$T/out" 2>"$T/err"
check "log rule: the call runs" grep -qx 'getpid=ok' "$T/out"
check "log rule: reported as logged" grep -q "getpid() logged by .*lognotify.moat:2.*allowed (log)" "$T/err"
check "notify rule: denied with EPERM" grep -qx 'getppid=EPERM' "$T/out"
check "notify rule: reported" grep -q "getppid() denied by .*lognotify.moat:3" "$T/err"

# 4. kill mode and kill rules: the process is killed after the report.
as_nobody "$M" run --mode kill -p "$T/deny.moat" -- "$P" getpid getppid getpid >"$T/out" 2>"$T/err"
rc=$?
check "kill mode: exit status 137 (SIGKILL)" [ $rc -eq 137 ]
check "kill mode: nothing ran after the denied call" [ "$(cat "$T/out")" = "getpid=ok" ]
check "kill mode: the call was reported" grep -q "getppid(.*process killed" "$T/err"
as_nobody "$M" run -p "$T/kill.moat" -- "$P" getppid >"$T/out" 2>"$T/err"
rc=$?
check "enforce with a kill rule: killed (137) and reported" \
	sh -c "[ $rc -eq 137 ] && grep -q 'getppid(.*kill.moat:2' '$T/err'"

# trap rules stay the kernel's in enforce mode (SIGSYS, which user space cannot forge).
printf 'default allow\ntrap getppid\n' >"$T/trap.moat"
chmod 644 "$T/trap.moat"
as_nobody "$M" run -p "$T/trap.moat" -- "$P" getppid >"$T/out" 2>"$T/err"
rc=$?
check "trap rule: killed by SIGSYS (159)" [ $rc -eq 159 ]
check "trap rule: moat says where SIGSYS came from" grep -q "killed by SIGSYS: a trap rule" "$T/err"
as_nobody "$M" run --mode complain -p "$T/trap.moat" -- "$P" getppid >"$T/out" 2>"$T/err"
check "trap rule in complain mode: reported, and the call runs" \
	sh -c "grep -qx 'getppid=ok' '$T/out' && grep -q 'getppid() would be denied by .*trap.moat:2' '$T/err'"

# 5. every thread of a multi-threaded program, and fork+exec children.
as_nobody "$M" run $R -p "$T/deny.moat" -- "$P" threads:4 >"$T/out" 2>"$T/err"
check "threads: all 4 threads got EACCES" [ "$(grep -c 'thread-getppid=EACCES' "$T/out")" -eq 4 ]
check "threads: 4 reports from 4 different thread ids" \
	[ "$(grep 'getppid(' "$T/err" | sed 's/.* pid \([0-9]*\) .*/\1/' | sort -u | wc -l)" -eq 4 ]
as_nobody "$M" run $R -p "$T/deny.moat" -- "$P" fork-getppid forkexec-getppid >"$T/out" 2>"$T/err"
check "fork: the child is filtered" grep -qx 'child-getppid=EACCES' "$T/out"
check "fork+exec: the exec'd grandchild is filtered" grep -qx 'getppid=EACCES' "$T/out"
check "fork+exec: both reported" [ "$(grep -c 'getppid(' "$T/err")" -eq 2 ]

# 6. escape attempts.
as_nobody "$M" run -p "$T/deny.moat" -- "$P" x32-getpid >"$T/out" 2>"$T/err"
rc=$?
check "x32 syscall number: killed (the policy has no x32)" sh -c "[ $rc -eq 137 ] || [ $rc -eq 159 ]"
check "x32: reported as getpid[x32]" grep -q "getpid\[x32\](" "$T/err"
as_nobody "$M" run -p "$T/deny.moat" -- "$P" int80-getppid >"$T/out" 2>"$T/err"
rc=$?
check "int 0x80 (i386 ABI): killed" sh -c "[ $rc -eq 137 ] || [ $rc -eq 159 ]"
check "int 0x80: never returned to the program" [ ! -s "$T/out" ]
check "int 0x80: reported as getppid[i386]" grep -q "getppid\[i386\](" "$T/err"
as_nobody "$M" run -p "$T/deny.moat" -- "$P" io_uring_setup clone3 threads:2 >"$T/out" 2>"$T/err"
check "io_uring_setup denied" grep -qx 'io_uring_setup=EPERM' "$T/out"
check "clone3 answered ENOSYS" grep -qx 'clone3=ENOSYS' "$T/out"
check "threads still start (glibc falls back from clone3 to clone)" \
	[ "$(grep -c 'thread-getppid=EACCES' "$T/out")" -eq 2 ]

# 6b. An explicit errno rule is the policy's answer, not a violation: counted, not reported,
# unless --report-errno-rules (Podman's profile answers clone3 with `errno ENOSYS` for glibc).
# An allow-list: the errno rules come first (first match wins; the groups allow clone3).
printf 'default errno EPERM\nerrno ENOSYS clone3\nerrno EACCES getppid if arg0 == 1\nallow @stdio @rpath @prot-exec @exec\n' \
	>"$T/clone3.moat"
chmod 644 "$T/clone3.moat"
timeout 60 setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$M" run \
	-p "$T/clone3.moat" -- "$P" clone3 getpid >"$T/out" 2>"$T/err"
check "errno rule: exit 0, clone3 answered ENOSYS" \
	sh -c "[ $? -eq 0 ] && grep -qx 'clone3=ENOSYS' '$T/out'"
check "errno rule: no violation line by default" sh -c "! grep -q 'clone3(' '$T/err'"
check "errno rule: the summary counts it apart from violations" \
	sh -c "grep -q '^moat: 0 violations' '$T/err' &&
		grep -q '^moat: 1 call answered by errno rules' '$T/err' &&
		grep -Eq '^moat: +1 +clone3 +ENOSYS' '$T/err'"
timeout 60 setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$M" run \
	--report-errno-rules -p "$T/clone3.moat" -- "$P" clone3 >"$T/out" 2>"$T/err"
check "--report-errno-rules: one violation line naming the rule" \
	[ "$(grep -c 'clone3(.*) denied by .*clone3.moat:2 (rule errno ENOSYS): ENOSYS$' "$T/err")" -eq 1 ]
check "--report-errno-rules: counted as a violation" \
	sh -c "grep -q '^moat: 1 violation (enforce mode)' '$T/err' && ! grep -q 'answered by errno' '$T/err'"
# In a deny-list (default allow) the errno rules are the denials: reported without the option.
timeout 60 setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$M" run \
	-p "$T/deny.moat" -- "$P" clone3 >"$T/out" 2>"$T/err"
check "deny-list: its errno rule is a violation, reported" \
	sh -c "grep -q 'clone3(.*) denied by .*deny.moat:5 (rule errno ENOSYS): ENOSYS$' '$T/err' &&
		grep -q '^moat: 1 violation (enforce mode)' '$T/err'"
# The default is no explicit rule: a call it denies is still a violation, reported.
timeout 60 setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$M" run \
	-p "$T/merged.moat" -- "$P" io_uring_setup >"$T/out" 2>"$T/err"
check "errno default: still reported" grep -q 'io_uring_setup(.*merged.moat:1 (default' "$T/err"
# In complain mode the call runs instead of getting the errno: reported as would be denied.
timeout 60 setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$M" run \
	--mode complain -p "$T/clone3.moat" -- "$P" clone3 >"$T/out" 2>"$T/err"
check "errno rule in complain mode: reported as would be denied" \
	sh -c "grep -q 'clone3(.*) would be denied by .*clone3.moat:2' '$T/err' &&
		! grep -q 'answered by errno' '$T/err'"

# 7. killing the supervisor never opens the sandbox: denied calls get ENOSYS.
rm -f "$T/go"
# (setpriv itself in the background, not the shell function: $! must be moat.)
setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$M" run -p "$T/deny.moat" -- \
	"$P" ready "wait-file:$T/go" getppid getpid >"$T/out" 2>"$T/err" &
mpid=$!
wait_grep ready "$T/out"
kill -KILL $mpid
wait $mpid 2>/dev/null
touch "$T/go"
wait_grep '^getpid=' "$T/out"
check "supervisor killed: the denied call fails with ENOSYS" grep -qx 'getppid=ENOSYS' "$T/out"
check "supervisor killed: allowed calls still work" grep -qx 'getpid=ok' "$T/out"

# 8. transparency: exit statuses, signals, stdio, shells and pipelines.
timeout 60 "$M" run -p "$T/deny.moat" -- "$P" exit:42 >/dev/null 2>&1
check "exit status passed through (42)" [ $? -eq 42 ]
timeout 60 "$M" run -p "$T/deny.moat" -- "$P" raise:15 >/dev/null 2>&1
check "death by SIGTERM gives 143" [ $? -eq 143 ]
timeout 60 "$M" run -p "$T/deny.moat" -- moat-no-such-command >/dev/null 2>"$T/err"
check "command not found: 127" [ $? -eq 127 ]
check "command not found: says so" grep -q "command not found" "$T/err"
timeout 60 "$M" run -p "$T/deny.moat" -- "$T/deny.moat" >/dev/null 2>&1
check "not executable: 126" [ $? -eq 126 ]
timeout 60 "$M" run $R -p "$T/noexec.moat" -- "$P" getpid >"$T/out" 2>"$T/err"
rc=$?
check "policy denying execve: 126, the command never ran" sh -c "[ $rc -eq 126 ] && [ ! -s '$T/out' ]"
check "policy denying execve: reported by name" grep -q "execve(.*noexec.moat:2" "$T/err"
timeout 60 "$M" run -p "$T/deny.moat" -- "$M" run -p "$T/deny.moat" -- "$P" getpid >"$T/out" 2>"$T/err"
rc=$?
check "filter refused (nested supervisor, EBUSY): 125 and the command never ran" \
	sh -c "[ $rc -eq 125 ] && [ ! -s '$T/out' ]"
check "filter refused: says which step failed and what to do" \
	sh -c "grep -q 'installing the seccomp filter failed' '$T/err' && grep -q 'run moat outside it' '$T/err'"
timeout 60 "$M" run -p "$T/missing.moat" -- "$P" exit:0 >/dev/null 2>&1
check "unreadable policy: 125" [ $? -eq 125 ]
timeout 60 "$M" run --mode audit -p "$T/deny.moat" -- "$P" exit:0 >/dev/null 2>&1
check "bad option: 125 (never a code CMD could return)" [ $? -eq 125 ]

out=$(echo hello | timeout 60 "$M" run -p "$T/deny.moat" -- sh -c 'tr a-z A-Z | cat; exit 3' 2>/dev/null)
rc=$?
check "stdin/stdout untouched through a shell pipeline" [ "$out" = "HELLO" ]
check "shell exit status (3)" [ $rc -eq 3 ]

"$M" run -p "$T/deny.moat" -- "$P" wait-usr1 >"$T/out" 2>"$T/err" &
mpid=$!
wait_grep ready "$T/out"
kill -USR1 $mpid
wait $mpid
rc=$?
check "SIGUSR1 forwarded to the command" grep -qx 'got-usr1' "$T/out"
check "after a forwarded signal, status 0" [ $rc -eq 0 ]

# 9. setuid binaries gain nothing (no_new_privs).
cp "$P" "$T/suid_probe"
chown root:root "$T/suid_probe" && chmod 4755 "$T/suid_probe"
if [ "$(as_nobody "$T/suid_probe" euid)" = "euid=0" ]; then
	check "setuid root binary under moat (nobody): euid stays 65534" \
		[ "$(as_nobody "$M" run -p "$T/deny.moat" -- "$T/suid_probe" euid 2>/dev/null)" = "euid=65534" ]
else
	skip "setuid root binary under moat" "setuid has no effect here (nosuid mount?)"
fi

# OCI profiles work the same way (told apart by content): Podman's default profile.
PODMAN=/usr/share/containers/seccomp.json
if [ -r "$PODMAN" ]; then
	as_nobody "$M" run --oci "$PODMAN" -- "$P" getpid io_uring_setup >"$T/out" 2>"$T/err"
	check "--oci: allowed getpid works" grep -qx 'getpid=ok' "$T/out"
	check "--oci: io_uring_setup gets the profile's default errno (ENOSYS)" \
		grep -qx 'io_uring_setup=ENOSYS' "$T/out"
	check "--oci: reported with the JSON file's line" \
		grep -q "io_uring_setup(.*seccomp.json:[0-9]* (default errno ENOSYS): ENOSYS" "$T/err"
else
	skip "--oci with Podman's profile" "$PODMAN not installed"
fi

# 10. --report writes one JSON line per violation.
if command -v jq >/dev/null; then
	as_nobody "$M" run $R -q -p "$T/deny.moat" --report "$W/r.jsonl" -- "$P" getppid getppid \
		>/dev/null 2>"$T/err"
	check "--report: two JSON lines" [ "$(jq -c . "$W/r.jsonl" | wc -l)" -eq 2 ]
	check "--report: syscall, rule line and answer" \
		[ "$(jq -r '[.syscall, .rule.line, .answer] | join(" ")' "$W/r.jsonl" | sort -u)" = "getppid 3 EACCES" ]
	check "--report: sequence numbers 1, 2" [ "$(jq -r .seq "$W/r.jsonl" | tr '\n' ' ')" = "1 2 " ]
	check "--quiet: no per-violation line" sh -c "! grep -q 'getppid(' '$T/err'"
else
	skip "--report" "jq not installed"
fi

# 11. A flood of one violation (a target retrying a denied call in a loop):
# the first --max-reports (default 10) one by one, the rest counted on
# "repeated N more times" lines, exact totals in the summary and the JSON.
FLOOD_SRC=$BUILD/tests/helpers/getppid_flood
if [ -x "$FLOOD_SRC" ] && command -v jq >/dev/null; then
	cp "$FLOOD_SRC" "$T/getppid_flood"
	chmod 755 "$T/getppid_flood"
	timeout 60 setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$M" run \
		$R -p "$T/deny.moat" --report "$W/flood.jsonl" -- "$T/getppid_flood" 100000 \
		>/dev/null 2>"$T/err"
	rc=$?
	check "flood: the command ran to the end (exit 0)" [ "$rc" -eq 0 ]
	check "flood: 10 getppid lines one by one" \
		[ "$(grep -c 'getppid() denied by .*: EACCES$' "$T/err")" -eq 10 ]
	check "flood: the repeated lines count the other 99990 exactly" \
		[ "$(sed -n 's/.*getppid() denied by .*, repeated \([0-9]*\) more times.*/\1/p' "$T/err" |
			awk '{ s += $1 } END { print s + 0 }')" -eq 99990 ]
	check "flood: the last repeated line says 100000 in all" \
		sh -c "grep 'repeated' '$T/err' | tail -1 | grep -q '(100000 in all)'"
	check "flood: the summary keeps the exact total" grep -Eq 'moat: +100000 +getppid +EACCES' "$T/err"
	check "flood: stderr stays small" [ "$(wc -l <"$T/err")" -lt 200 ]
	check "flood: --report has 10 full records" \
		[ "$(jq -c 'select(.syscall == "getppid" and (has("repeated") | not))' "$W/flood.jsonl" | wc -l)" -eq 10 ]
	check "flood: --report repeated records sum to 99990" \
		[ "$(jq -s 'map(.repeated // 0) | add' "$W/flood.jsonl")" -eq 99990 ]
	as_nobody "$M" run $R -p "$T/deny.moat" --max-reports 3 -- "$T/getppid_flood" 50 \
		>/dev/null 2>"$T/err"
	check "--max-reports 3: 3 lines, then 47 counted" \
		sh -c "[ \$(grep -c 'getppid() denied.*EACCES\$' '$T/err') -eq 3 ] && grep -q 'repeated 47 more times (50 in all)' '$T/err'"
	as_nobody "$M" run $R -p "$T/deny.moat" --max-reports 0 -- "$T/getppid_flood" 50 \
		>/dev/null 2>"$T/err"
	check "--max-reports 0: every one of 50 reported, none counted" \
		sh -c "[ \$(grep -c 'getppid() denied.*EACCES\$' '$T/err') -eq 50 ] && ! grep -q repeated '$T/err'"
	as_nobody "$M" run -p "$T/deny.moat" --max-reports x -- "$T/getppid_flood" 1 \
		>/dev/null 2>"$T/err"
	check "--max-reports x: refused (125)" [ $? -eq 125 ]
else
	skip "violation flood" "getppid_flood or jq missing"
fi

# 12. The flood limiter's key table is bounded (FLOOD_MAX_KEYS = 1024 in cmd_run.c): more
# distinct (pid, syscall) keys than that, and every violation still counted exactly.
SPREAD_SRC=$BUILD/tests/helpers/key_spread
if [ -x "$SPREAD_SRC" ]; then
	cp "$SPREAD_SRC" "$T/key_spread"
	chmod 755 "$T/key_spread"
	printf 'default allow\n' >"$T/allow.moat" # numbers past the table: unknown -> ENOSYS
	chmod 644 "$T/allow.moat"
	# spread MODE COUNT: key_spread MODE 1000 COUNT 12 under moat (stderr in $T/err).
	spread() {
		timeout 60 setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$M" run \
			-p "$T/allow.moat" -- "$T/key_spread" "$1" 1000 "$2" 12 >/dev/null 2>"$T/err"
	}
	# The sum of the "repeated N more times" counts, and how many distinct KEYs (sed
	# group: pid or syscall) have such a line.
	repeated_sum() {
		sed -n 's/.*(key_spread) syscall_[0-9]*() denied .*, repeated \([0-9]*\) more times\{0,1\} .*/\1/p' \
			"$T/err" | awk '{ s += $1 } END { print s + 0 }'
	}
	repeated_keys() {
		sed -n "s/.*pid \([0-9]*\) (key_spread) \(syscall_[0-9]*\)() denied .*repeated.*/\\$1/p" \
			"$T/err" | sort -u | wc -l
	}
	# 1500 numbers x 12 calls in one process: the least recently seen keys go.
	spread nrs 1500
	check "key table: 1500 numbers x 12 calls ran to the end" [ $? -eq 0 ]
	check "key table: 10 lines one by one for each of the 1500 numbers" \
		[ "$(grep -c '(key_spread) syscall_[0-9]*(.*) denied by .*: ENOSYS$' "$T/err")" -eq 15000 ]
	check "key table: the repeated lines count the other 3000 exactly" [ "$(repeated_sum)" -eq 3000 ]
	check "key table: a repeated line for each number" [ "$(repeated_keys 2)" -eq 1500 ]
	check "key table: the summary's total is exact" grep -q '^moat: 18000 violations' "$T/err"
	# 2000 short-lived processes: the keys of pids that are gone go.
	spread pids 2000
	check "key table: 2000 processes x 12 calls ran to the end" [ $? -eq 0 ]
	check "key table: 2000 processes, repeated lines count 4000 exactly" [ "$(repeated_sum)" -eq 4000 ]
	check "key table: a repeated line for each of the 2000 pids" [ "$(repeated_keys 1)" -eq 2000 ]
	check "key table: 2000 processes, summary total exact" \
		grep -Eq '^moat: +24000 +syscall_1000 +ENOSYS' "$T/err"
	# Memory: moat's peak RSS with 5000 keys stays within 4 MB of its peak with 20
	# (an unbounded table of ~620-byte keys with twice as many slots: over 10 MB more).
	if [ -x /usr/bin/time ]; then
		rss() {
			/usr/bin/time -f 'rss %M' timeout 60 "$M" run -q -p "$T/allow.moat" -- \
				"$T/key_spread" pids 1000 "$1" 1 2>&1 >/dev/null | sed -n 's/^rss //p'
		}
		small=$(rss 20)
		big=$(rss 5000)
		# No number (moat failed): fail.
		check "key table: peak RSS with 5000 keys within 4 MB of 20 keys ($small -> $big KB)" \
			[ $((${big:-999999} - ${small:-0})) -lt 4096 ]
	else
		skip "key table memory" "/usr/bin/time not installed"
	fi
else
	skip "flood key table" "key_spread not built"
fi

tap_plan
