#!/bin/sh
# SPDX-License-Identifier: MIT
# `moat record` round trips on the real kernel (root): real programs from
# Debian packages are recorded, then run under the recorded policy with
# `moat run`; they must behave the same with no violation (the planned
# clone3 -> ENOSYS fallback is the policy's own errno rule, not one). Counts are compared
# with `strace -f -c` on a deterministic helper. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
HELPER=$BUILD/tests/helpers/rec_syscalls

[ "$(id -u)" = 0 ] || skip_all "moat record needs root (eBPF)"
[ -x "$MOAT" ] && [ -x "$HELPER" ] || skip_all "moat or tests/helpers/rec_syscalls is not built"
T=$(mktemp -d /tmp/moat-record-test.XXXXXX)
trap 'rm -rf "$T"' EXIT

# violations REPORT: the syscalls moat run reported, one per line (the
# recorded policy's `errno ENOSYS clone3`, the planned fallback, is an errno
# rule: moat run counts such calls, it does not report them).
violations() {
	[ -s "$1" ] || return 0
	jq -r .syscall "$1"
}

# roundtrip NAME [RECORD-OPTIONS] -- CMD...: records CMD (stdout to
# $T/NAME.rec.out), runs it under the policy (stdout to $T/NAME.run.out);
# checks exit status, output and violations.
# The http round trips reuse one port: a run starts only once the last
# run's server is gone (outside the recorded program: no timing in it).
port_free() {
	[ -n "${PORT:-}" ] || return 0
	i=0
	while [ -n "$(ss -Htln "sport = :$PORT")" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

roundtrip() {
	name=$1
	shift
	opts=""
	while [ "$1" != "--" ]; do
		opts="$opts $1"
		shift
	done
	shift
	# Two recordings merged, as docs/record.md advises: a program's calls
	# depend on timing (a poll loop that sleeps or not, a join that waits
	# or not), and one run holds one side of each race only.
	# shellcheck disable=SC2086
	port_free
	"$MOAT" record -q $opts -o "$T/$name.first.moat" -- "$@" >/dev/null </dev/null 2>"$T/$name.rec.err"
	port_free
	# shellcheck disable=SC2086
	"$MOAT" record -q $opts --merge "$T/$name.first.moat" -o "$T/$name.moat" -- "$@" \
		>"$T/$name.rec.out" </dev/null 2>>"$T/$name.rec.err"
	rc1=$?
	check "$name: recorded (exit $rc1)" [ "$rc1" = 0 -a -s "$T/$name.moat" ]
	port_free
	# A denied call a program retries forever must fail the test, not hang it.
	timeout -k 5 120 "$MOAT" run -q -r "$T/$name.report" -p "$T/$name.moat" -- "$@" \
		>"$T/$name.run.out" </dev/null 2>"$T/$name.run.err"
	rc2=$?
	check "$name: runs under the recorded policy (exit $rc2)" [ "$rc2" = 0 ]
	v=$(violations "$T/$name.report")
	if [ -z "$v" ]; then ok "$name: no violation"; else nok "$name: violations: $(echo $v)"; fi
	check "$name: same output recorded and enforced" cmp -s "$T/$name.rec.out" "$T/$name.run.out"
	if ! cmp -s "$T/$name.rec.out" "$T/$name.run.out"; then
		diff "$T/$name.rec.out" "$T/$name.run.out" | head -10 | sed 's/^/# /'
		sed 's/^/# rec.err: /' "$T/$name.rec.err" | head -10
		sed 's/^/# run.err: /' "$T/$name.run.err" | head -10
	fi
}

# --- Counts against strace -f -c on the deterministic helper.
"$MOAT" record -q -o "$T/helper.moat" -- "$HELPER" >/dev/null 2>"$T/err"
# futex: whether pthread_join waits differs between the two runs.
sed -n 's/^freq \([a-z0-9_]*\) \([0-9]*\)$/\1 \2/p' "$T/helper.moat" |
	grep -v -e '^exit ' -e '^exit_group ' -e '^futex ' | sort >"$T/moat.counts"
strace -f -c -o "$T/strace.out" "$HELPER" >/dev/null 2>&1
# strace -c counts a call when it returns: exit and exit_group never do.
awk '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { print $NF, $4 }' "$T/strace.out" |
	grep -v -e '^exit ' -e '^exit_group ' -e '^futex ' | sort >"$T/strace.counts"
check "counts equal strace -f -c's on the helper ($(wc -l <"$T/moat.counts") syscalls)" \
	diff -u "$T/strace.counts" "$T/moat.counts"
check "the helper's own numbers: 1100 getppid, 50 gettid, 5 prctl, 4 socket, 1 execve" \
	sh -c "grep -qx 'getppid 1100' '$T/moat.counts' && grep -qx 'gettid 50' '$T/moat.counts' &&
		grep -qx 'prctl 5' '$T/moat.counts' && grep -qx 'socket 4' '$T/moat.counts' &&
		grep -qx 'execve 1' '$T/moat.counts'"
grep -q '^freq exit_group 2$' "$T/helper.moat" && ok "exit_group counted in parent and child (strace cannot)" ||
	nok "exit_group counted in parent and child"

# --- i386 calls (int 0x80) kept apart, and the policy covers the i386 ABI.
"$MOAT" record -q -o "$T/compat.moat" -- "$HELPER" --compat >/dev/null 2>&1
check "int 0x80 calls counted as i386" grep -q 'getppid.*i386 7' "$T/compat.moat"
check "the policy covers x86_64 and i386" grep -qx 'arch x86_64 i386' "$T/compat.moat"
"$MOAT" run -q -p "$T/helper.moat" -- "$HELPER" --compat >/dev/null 2>"$T/err"
rc=$?
check "a policy recorded without int 0x80 kills it (exit $rc, getppid[i386] reported)" \
	sh -c "[ $rc -gt 128 ] && grep -q 'getppid\[i386\].*killed' '$T/err'"

# --- The helper round trip, with and without --args, and with clone3 kept.
# Without the thread: a pthread_join that waits in one run and not in the
# other would make a call the recording never saw (that is what --merge of
# several recordings is for, not what this test checks).
roundtrip helper -- "$HELPER" --compat --no-thread
roundtrip helper-args --args -- "$HELPER" --compat --no-thread
"$MOAT" record -q --keep-clone3 -o "$T/keep3.moat" -- "$HELPER" >/dev/null 2>&1
check "--keep-clone3: clone3 allowed, not answered ENOSYS" \
	sh -c "grep -q '^allow.* clone3' '$T/keep3.moat' && ! grep -q '^errno ENOSYS clone3' '$T/keep3.moat'"
check "--args: socket limited to AF_UNIX and AF_INET" grep -q '^allow socket if arg0 in {1, 2}' "$T/helper-args.moat"
check "--args: mprotect without PROT_EXEC" grep -q '^allow mprotect if arg2 & 0x4 == 0' "$T/helper-args.moat"
"$MOAT" record -q --args -o "$T/thread-args.moat" -- "$HELPER" >/dev/null 2>&1
check "--args: clone3 answered ENOSYS, clone allowed with pthread_create's flags" \
	sh -c "grep -q '^allow clone if arg0 in {0x3d0f00' '$T/thread-args.moat' &&
		grep -q '^errno ENOSYS clone3' '$T/thread-args.moat'"

# --- A deterministic profile: the same program recorded twice gives the same rules
# in the same order (counts may differ). A single-threaded program: with threads,
# whether pthread_join waits (futex) depends on scheduling.
rules() { # one "action syscall [condition]" per line, comments and freq dropped
	sed -e 's/  #.*$//' -e '/^freq /d' -e '/^$/d' "$1" | awk '
	/^(allow|errno|kill|log|trap|trace)/ && $0 !~ / if / {
		a = $1; i = 2; if (a == "errno") { a = a " " $2; i = 3 }
		for (; i <= NF; i++) print a, $i; next }
	{ print }'
}
"$MOAT" record -q -o "$T/det1.moat" -- tar cf /dev/null -C "$ROOT" src >/dev/null 2>&1
"$MOAT" record -q -o "$T/det2.moat" -- tar cf /dev/null -C "$ROOT" src >/dev/null 2>&1
rules "$T/det1.moat" >"$T/r1"
rules "$T/det2.moat" >"$T/r2"
check "output is deterministic: two recordings, the same rules in the same order ($(wc -l <"$T/r1") lines)" \
	cmp -s "$T/r1" "$T/r2"

# --- Real programs from Debian packages.
PY=/usr/bin/python3
cat >"$T/script.py" <<'PY'
import hashlib, json, os, sys, tempfile
d = tempfile.mkdtemp()
p = os.path.join(d, "data.json")
with open(p, "w") as f:
    json.dump({"n": list(range(100))}, f)
with open(p) as f:
    data = json.load(f)
print(hashlib.sha256(json.dumps(data).encode()).hexdigest(), sum(data["n"]))
os.unlink(p)
os.rmdir(d)
PY
if [ -x $PY ]; then
	roundtrip python3 -- $PY "$T/script.py"
	roundtrip python3-args --args -- $PY "$T/script.py"
else
	skip "python3 round trip" "no /usr/bin/python3"
fi

if command -v sqlite3 >/dev/null; then
	cat >"$T/sql.sh" <<EOF
rm -f "$T/db.sqlite"
sqlite3 "$T/db.sqlite" 'create table t(a integer, b text); insert into t values (1, "x"), (2, "y"); create index i on t(b);'
sqlite3 "$T/db.sqlite" 'select sum(a), group_concat(b) from t;'
EOF
	roundtrip sqlite3 --args -- /bin/sh "$T/sql.sh"
else
	skip "sqlite3 round trip" "sqlite3 not installed"
fi

mkdir -p "$T/tree/sub"
seq 1 5000 >"$T/tree/numbers"
printf 'hello\n' >"$T/tree/sub/hello"
# tar runs gzip (fork + exec): the whole tree is recorded.
cat >"$T/tar.sh" <<EOF
cd "$T" && tar czf "$T/a.tgz" tree && tar tzf "$T/a.tgz" | sort && gzip -dc "$T/a.tgz" | wc -c
EOF
roundtrip tar-gzip -- /bin/sh "$T/tar.sh"

# A server and its client: python3 -m http.server on 127.0.0.1 and curl.
if [ -x $PY ] && command -v curl >/dev/null; then
	port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	mkdir -p "$T/www"
	printf 'served by http.server\n' >"$T/www/index.txt"
	cat >"$T/http.sh" <<EOF
cd "$T/www"
# Emptied here, before the server starts: its own redirection happens in the
# child, and the poll below must not find the previous run's line.
: >"$T/server.log"
$PY -u -m http.server --bind 127.0.0.1 $port >"$T/server.log" 2>&1 &
srv=\$!
# Wait until it listens ("Serving HTTP" is printed after listen()).
i=0
while ! grep -q Serving "$T/server.log" 2>/dev/null && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
curl -s http://127.0.0.1:$port/index.txt
# curl is done when the body arrived; the server still shuts its side down
# and closes. Wait for that, so every run makes the same calls.
i=0
while [ -n "\$(ss -Htn state established state close-wait sport = :$port)" ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
# No "wait": whether the shell then sleeps in rt_sigsuspend or finds the
# child already dead is a race, and a recording holds one side of it only.
kill \$srv
exit 0
EOF
	PORT=$port
	roundtrip http-server-curl -- /bin/sh "$T/http.sh"
	roundtrip http-server-curl-args --args -- /bin/sh "$T/http.sh"
	check "http: the page was served under the policy" grep -q 'served by http.server' "$T/http-server-curl.run.out"
	check "http: the server's syscalls are in the profile (accept4, bind, listen)" \
		sh -c "grep -q 'accept4' '$T/http-server-curl.moat' && grep -q 'listen' '$T/http-server-curl.moat'"
	check "http --args: socket domains limited to what was used" \
		grep -q '^allow socket if arg0 in {' "$T/http-server-curl-args.moat"
else
	skip "http.server + curl round trip" "python3 or curl missing"
fi

# --- --merge unions recordings: tar's create and extract, recorded apart.
mkdir -p "$T/x"
"$MOAT" record -q -o "$T/create.moat" -- tar czf "$T/m.tgz" -C "$T" tree >/dev/null 2>&1
"$MOAT" record -q -o "$T/extract.moat" -- tar xzf "$T/m.tgz" -C "$T/x" >/dev/null 2>&1
"$MOAT" record -q -o "$T/merged.moat" --merge "$T/create.moat" "$T/extract.moat" 2>"$T/err"
check "--merge without CMD writes the union" [ -s "$T/merged.moat" ]
rm -rf "$T/x" && mkdir -p "$T/x"
"$MOAT" run -q -r "$T/merge.report" -p "$T/merged.moat" -- tar czf "$T/m2.tgz" -C "$T" tree 2>/dev/null &&
	"$MOAT" run -q -r "$T/merge.report" -p "$T/merged.moat" -- tar xzf "$T/m2.tgz" -C "$T/x" 2>/dev/null
rc=$?
v=$(violations "$T/merge.report")
check "merged policy runs both create and extract (exit $rc, violations: $v)" [ "$rc" = 0 -a -z "$v" ]
freq() { sed -n "s/^freq $1 //p" "$2"; }
want=$(($(freq execve "$T/create.moat") + $(freq execve "$T/extract.moat")))
check "merged frequencies add up (execve: $want)" grep -qx "freq execve $want" "$T/merged.moat"
"$MOAT" run -q -r "$T/create-only.report" -p "$T/create.moat" -- tar xzf "$T/m2.tgz" -C "$T/x" >/dev/null 2>&1
v=$(violations "$T/create-only.report")
check "the create-only profile is not enough for extract (denied: $(echo $v | cut -c1-60))" [ -n "$v" ]
"$MOAT" record -q -o "$T/merge3.moat" --merge "$T/merged.moat" -- tar tzf "$T/m.tgz" >/dev/null 2>&1
"$MOAT" record -q -o "$T/list.moat" -- tar tzf "$T/m.tgz" >/dev/null 2>&1
want=$(($(freq execve "$T/merged.moat") + $(freq execve "$T/list.moat")))
check "--merge with a new recording: counts added to the existing ones (execve: $want)" \
	grep -qx "freq execve $want" "$T/merge3.moat"

# --- Other formats: OCI JSON (what runc/crun/podman load) and an SPO SeccompProfile.
"$MOAT" record -q -f oci -o "$T/helper.json" -- "$HELPER" --no-thread >/dev/null 2>&1
check "--format oci: JSON with defaultAction SCMP_ACT_ERRNO/EPERM and the syscalls" \
	sh -c "jq -e '.defaultAction == \"SCMP_ACT_ERRNO\" and ([.syscalls[].names[]] | index(\"getppid\") != null)' '$T/helper.json' >/dev/null"
"$MOAT" run -q -r "$T/oci.report" -p "$T/helper.json" -- "$HELPER" --no-thread >/dev/null 2>&1
rc=$?
v=$(violations "$T/oci.report")
check "--format oci: the JSON profile enforces the same (exit $rc, violations: $v)" [ "$rc" = 0 -a -z "$v" ]
"$MOAT" record -q -f spo -o "$T/helper.yaml" -- "$HELPER" >/dev/null 2>&1
check "--format spo: a SeccompProfile named after the command" \
	sh -c "grep -q '^kind: SeccompProfile' '$T/helper.yaml' && grep -q 'name: rec-syscalls' '$T/helper.yaml' && grep -q getppid '$T/helper.yaml'"

# --- runc loads the OCI profile. The filter is installed by runc's init before
# it execs the container's command, so the profile must hold runc init's last
# calls too: record `runc run` itself (its whole tree, the command included).
if command -v runc >/dev/null && command -v jq >/dev/null && cc -O2 -static -o "$T/static-helper" \
	"$ROOT/tests/helpers/rec_syscalls.c" -lpthread 2>/dev/null; then
	B=$T/bundle
	mkdir -p "$B/rootfs"
	cp "$T/static-helper" "$B/rootfs/helper"
	(cd "$B" && runc spec)
	jq '.process.args = ["/helper", "--no-thread"] | .process.terminal = false | .root.readonly = true' \
		"$B/config.json" >"$T/plain.json"
	cp "$T/plain.json" "$B/config.json"
	"$MOAT" record -q -f oci -o "$T/runc.json" -- runc run --bundle "$B" moat-rec-$$ >/dev/null 2>&1
	jq --slurpfile s "$T/runc.json" '.linux.seccomp = $s[0]' "$T/plain.json" >"$B/config.json"
	runc run --bundle "$B" moat-rec2-$$ >/dev/null 2>"$T/runc.err"
	rc=$?
	check "runc runs the container under the recorded OCI profile (exit $rc)" [ "$rc" = 0 ]
	# The helper's profile alone lacks runc init's calls: the filter is really there.
	"$MOAT" record -q -f oci -o "$T/alone.json" -- "$T/static-helper" >/dev/null 2>&1
	jq --slurpfile s "$T/alone.json" '.linux.seccomp = $s[0]' "$T/plain.json" >"$B/config.json"
	runc run --bundle "$B" moat-rec3-$$ >/dev/null 2>&1
	rc=$?
	check "runc installs it: the command's profile alone stops runc init (exit $rc)" [ "$rc" != 0 ]
	runc delete -f moat-rec3-$$ >/dev/null 2>&1
else
	skip "runc loads the OCI profile" "runc, jq or a static libc missing"
fi

# --- Attaching: --pid stops when the target exits.
mkfifo "$T/fifo"
sh -c 'exec 3<"$1"; read x <&3; /bin/true; exit 0' sh "$T/fifo" &
target=$!
"$MOAT" record --pid $target -o "$T/pid.moat" 2>"$T/pid.err" &
rec=$!
# It says so once attached (loading takes a while on a busy machine).
wait_grep 'recording pid' "$T/pid.err" 60
echo go >"$T/fifo"
i=0
while kill -0 $rec 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $rec 2>/dev/null; then
	kill -INT $rec
	nok "--pid: stops by itself when the target exits"
else
	ok "--pid: stops by itself when the target exits"
fi
wait $rec
check "--pid: the target's exec of /bin/true and its exit are recorded" \
	sh -c "grep -q execve '$T/pid.moat' && grep -q exit_group '$T/pid.moat'"

# --- --cgroup: every process of a cgroup v2 directory; --duration stops it.
CG=/sys/fs/cgroup/unified/moat-record-test-$$
if mkdir "$CG" 2>/dev/null; then
	"$MOAT" record --cgroup "$CG" --duration 4 -o "$T/cg.moat" 2>"$T/cg.err" &
	rec=$!
	wait_grep 'recording cgroup' "$T/cg.err" 60
	sh -c 'echo $$ >"$1/cgroup.procs" && exec /usr/bin/env true' sh "$CG"
	wait $rec
	rc=$?
	check "--cgroup --duration: stops by itself, profile written (exit $rc)" [ "$rc" = 0 -a -s "$T/cg.moat" ]
	# env tries each PATH entry: one failed execve per entry before the right one.
	ne=$(sed -n 's/^freq execve //p' "$T/cg.moat")
	check "--cgroup: the process moved in is recorded (env's and true's execve: $ne)" \
		sh -c "[ '${ne:-0}' -ge 2 ] && grep -q '^freq exit_group 1\$' '$T/cg.moat'"
	rmdir "$CG"
else
	skip "--cgroup" "no writable cgroup v2 at /sys/fs/cgroup/unified"
fi

# --- Ctrl-C stops a recording and still writes the profile.
"$MOAT" record -o "$T/int.moat" -- sleep 30 2>"$T/int.err" &
rec=$!
wait_grep 'recording sleep' "$T/int.err" 60
# "recording" is said before sleep runs: wait until it sleeps in its nanosleep.
i=0
while [ $i -lt 100 ]; do
	sp=$(pgrep -P $rec -x sleep)
	[ -n "$sp" ] && grep -q nanosleep /proc/$sp/wchan 2>/dev/null && break
	sleep 0.1
	i=$((i + 1))
done
kill -INT $rec
wait $rec
rc=$?
check "SIGINT: recording stops, the profile is written (exit $rc)" [ "$rc" = 0 -a -s "$T/int.moat" ]
check "SIGINT: sleep's clock_nanosleep is in the profile" grep -q nanosleep "$T/int.moat"

# --- Errors: precise, with the documented exit codes.
"$MOAT" record -o "$T/none.moat" -- moat-no-such-command-xyz 2>"$T/err"
check "a missing command exits 127" [ $? = 127 ]
check "... and names it" grep -q 'moat-no-such-command-xyz' "$T/err"
"$MOAT" record -f xml -- true 2>"$T/err"
check "an unknown format is a usage error (2)" [ $? = 2 ]
"$MOAT" record 2>"$T/err"
check "nothing to record is a usage error (2)" [ $? = 2 ]
if command -v setpriv >/dev/null; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$MOAT" record -- /bin/true 2>"$T/err"
	rc=$?
	check "unprivileged: fails (exit $rc) and says eBPF needs root" sh -c "[ $rc = 1 ] && grep -q 'needs root' '$T/err'"
fi
tap_plan
