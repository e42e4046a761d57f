#!/bin/sh
# SPDX-License-Identifier: MIT
# The curated profiles of profiles/ on the real programs they were made for,
# run as user nobody under `moat run`: each program behaves as without moat
# (same output, exit status and files) with no violation reported, and each
# profile denies, by name, what its header says it forbids. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"

[ -x "$MOAT" ] && [ -d "$ROOT/profiles" ] || skip_all "moat is not built"

# Everything nobody reads or runs lives in a world-readable temp dir; W is
# where nobody writes.
T=$(mktemp -d /tmp/moat-profiles-test.XXXXXX)
chmod 755 "$T"
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
[ -n "${KEEP:-}" ] && trap - EXIT
cp "$MOAT" "$T/moat"
cp "$ROOT"/profiles/*.moat "$T/"
chmod 755 "$T/moat"
chmod 644 "$T"/*.moat
M=$T/moat
W=$T/w
mkdir "$W" "$T/src"
chmod 777 "$W"
i=1
while [ $i -le 300 ]; do
	echo "$((i * 7919 % 101)) line $i"
	i=$((i + 1))
done >"$T/src/in.txt"
printf '{"a": 1}\n' >"$T/src/data.json"
cat >"$T/script.py" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    lines = f.read().splitlines()
json.dump({"lines": len(lines), "words": sum(len(l.split()) for l in lines),
           "first": lines[0] if lines else None}, sys.stdout)
sys.stdout.write("\n")
EOF
chmod -R a+rX "$T"

# The programs run as nobody with a fixed environment (HOME set: see
# profiles/python-script.moat), every one under `timeout 60`.
nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
		env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=/nonexistent timeout 60 "$@"
}
# In W as nobody: `in_w DIR CMD...` runs CMD in W/DIR.
in_w() {
	d=$W/$1
	shift
	mkdir -p "$d" && chmod 777 "$d" && (cd "$d" && nobody "$@")
}
# A report is clean when it is empty: the profile's own `errno ENOSYS clone3`
# (glibc's thread and posix_spawn calls try clone3 first) is an explicit errno
# rule, which moat run counts in its summary and does not report.
clean_report() {
	[ -f "$1" ] && [ ! -s "$1" ]
}

PY=/usr/bin/python3
# 1. python-script.moat: a script reading a file, printing JSON.
if [ -x "$PY" ]; then
	in_w py0 "$PY" "$T/script.py" "$T/src/in.txt" >"$T/py.out0" 2>"$T/py.err0"
	rc0=$?
	in_w py1 "$M" run -p "$T/python-script.moat" --report "$W/py.rep" -- \
		"$PY" "$T/script.py" "$T/src/in.txt" >"$T/py.out1" 2>"$T/py.err1"
	rc1=$?
	check "python-script: exit status as without moat ($rc0)" [ "$rc0" -eq 0 -a "$rc1" -eq "$rc0" ]
	check "python-script: same output" cmp -s "$T/py.out0" "$T/py.out1"
	check "python-script: output is the JSON" grep -q '"lines": 300' "$T/py.out1"
	check "python-script: no violation reported" clean_report "$W/py.rep"
	in_w py2 "$M" run -p "$T/python-script.moat" -- "$PY" -c \
		'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM)' >/dev/null 2>"$T/err"
	check "python-script: denies socket(AF_INET), by name" \
		grep -q 'socket(AF_INET, SOCK_STREAM.*denied by .*python-script.moat' "$T/err"
	in_w py3 "$M" run -p "$T/python-script.moat" -- "$PY" -c \
		'import os; os.system("true")' >/dev/null 2>"$T/err"
	check "python-script: denies starting a process (clone), by name" \
		grep -Eq '(clone|vfork)\(.*denied by .*python-script.moat' "$T/err"
else
	skip "python-script profile" "$PY not installed"
fi

# 2. shell-pipeline.moat: sh -c 'cat | sort | uniq -c | gzip > out.gz'.
PIPE="cat $T/src/in.txt | sort | uniq -c | sort -rn | head -5; cat $T/src/in.txt | sort | uniq -c | gzip > out.gz"
in_w sh0 sh -c "$PIPE" >"$T/sh.out0" 2>&1
rc0=$?
in_w sh1 "$M" run -p "$T/shell-pipeline.moat" --report "$W/sh.rep" -- sh -c "$PIPE" \
	>"$T/sh.out1" 2>"$T/sh.err1"
rc1=$?
check "shell-pipeline: exit status as without moat ($rc0)" [ "$rc0" -eq 0 -a "$rc1" -eq "$rc0" ]
check "shell-pipeline: same output" cmp -s "$T/sh.out0" "$T/sh.out1"
check "shell-pipeline: same out.gz" cmp -s "$W/sh0/out.gz" "$W/sh1/out.gz"
check "shell-pipeline: no violation reported" clean_report "$W/sh.rep"
# dash's `wait` for a job still running: wait4(WNOHANG), then rt_sigsuspend
# (which the recording had not seen). The background cat blocks on a FIFO
# until the writer below opens it, so the shell is waiting by then or soon.
mkfifo "$W/fifo"
chmod 666 "$W/fifo"
in_w sh2 "$M" run -p "$T/shell-pipeline.moat" --report "$W/sh2.rep" -- \
	sh -c "cat $W/fifo > got & wait; cat got" >"$T/sh.out2" 2>"$T/err" &
WAITER=$!
# Open the FIFO only once the shell sleeps in rt_sigsuspend (/proc/PID/syscall,
# first field: 130 on x86_64), so that this path is the one taken.
sigsuspended=no
tries=0
while [ $tries -lt 600 ] && [ $sigsuspended = no ]; do
	for p in $(pgrep -f "cat $W/fifo"); do
		if [ "$(cat /proc/$p/comm 2>/dev/null)" = sh ] &&
			[ "$(cut -d' ' -f1 /proc/$p/syscall 2>/dev/null)" = 130 ]; then
			sigsuspended=yes
		fi
	done
	tries=$((tries + 1))
	[ $sigsuspended = no ] && sleep 0.1
done
timeout 60 sh -c "echo through-the-fifo >'$W/fifo'"
wait $WAITER
rc=$?
if [ "$(uname -m)" = x86_64 ]; then
	check "shell-pipeline: the shell's wait sat in rt_sigsuspend" [ $sigsuspended = yes ]
fi
check "shell-pipeline: a background job and wait work (exit 0)" [ "$rc" -eq 0 ]
check "shell-pipeline: wait returned after the job" grep -qx through-the-fifo "$T/sh.out2"
check "shell-pipeline: wait reports no violation" clean_report "$W/sh2.rep"
in_w sh3 "$M" run -p "$T/shell-pipeline.moat" -- sh -c 'whoami | cat; mkdir d' >/dev/null 2>"$T/err"
check "shell-pipeline: denies socket (whoami's nscd lookup), by name" \
	grep -q 'socket(AF_UNIX.*denied by .*shell-pipeline.moat' "$T/err"
check "shell-pipeline: denies mkdir, by name" grep -q 'mkdir("d".*denied by' "$T/err"

# 3. tar-gzip.moat: create, list and extract a .tgz.
mkdir -p "$W/tar0/x" "$W/tar1/x"
chown -R nobody "$W/tar0" "$W/tar1"
in_w tar0 tar czf a.tgz -C "$T/src" . >/dev/null 2>&1
rc0=$?
in_w tar1 "$M" run -p "$T/tar-gzip.moat" --report "$W/tar.rep" -- tar czf a.tgz -C "$T/src" . \
	>/dev/null 2>"$T/tar.err1"
rc1=$?
check "tar-gzip: create: exit status as without moat ($rc0)" [ "$rc0" -eq 0 -a "$rc1" -eq "$rc0" ]
in_w tar0 tar tzvf a.tgz >"$T/tar.list0" 2>&1
in_w tar1 "$M" run -p "$T/tar-gzip.moat" --report "$W/tar.rep2" -- tar tzvf a.tgz >"$T/tar.list1" \
	2>"$T/err"
check "tar-gzip: list: same listing (names, modes, owners, times)" cmp -s "$T/tar.list0" "$T/tar.list1"
in_w tar1 "$M" run -p "$T/tar-gzip.moat" --report "$W/tar.rep3" -- tar xzf a.tgz -C x >/dev/null \
	2>"$T/err"
rc1=$?
check "tar-gzip: extract: exit 0" [ "$rc1" -eq 0 ]
check "tar-gzip: extracted files equal the originals" diff -r "$T/src" "$W/tar1/x"
cat "$W/tar.rep" "$W/tar.rep2" "$W/tar.rep3" >"$W/tar.all"
check "tar-gzip: no violation reported" clean_report "$W/tar.all"
mkdir -p "$W/tar2/x"
chown -R nobody "$W/tar2"
cp "$W/tar1/a.tgz" "$W/tar2/"
in_w tar2 "$M" run -p "$T/tar-gzip.moat" -- tar xzf a.tgz -C x --same-owner >/dev/null 2>"$T/err"
# An explicit errno rule: named in the summary's errno-rule rows, not reported one by one.
check "tar-gzip: denies changing owners (fchown), by name in the summary" \
	sh -c "grep -q 'answered by errno rules' '$T/err' && grep -Eq '^moat: +[0-9]+ +fchown +EPERM' '$T/err'"

# 4. http-server.moat: python3 -m http.server on 127.0.0.1, files read-only.
# `serve PORT [moat run ARGS]` starts a server as nobody in the background.
serve() {
	port=$1
	shift
	rm -f "$T/server.pid"
	# The pid file names `timeout` (setpriv and env exec): SIGTERM to it
	# reaches moat run, which forwards it to the server.
	(cd "$W" && exec sh -c 'echo $$ >"$0"; exec "$@"' "$T/server.pid" \
		setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
		env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=/nonexistent timeout 60 \
		"$@" "$PY" -m http.server --bind 127.0.0.1 -d "$T/src" "$port" >/dev/null 2>&1) &
	SERVER=$!
	# Up when it answers: a bounded number of tries, no time threshold.
	tries=0
	while ! curl -s -o /dev/null "http://127.0.0.1:$port/" && [ $tries -lt 200 ]; do
		tries=$((tries + 1))
		sleep 0.1
	done
}
fetch() { # fetch PORT TAG: the three answers to compare
	curl -s "http://127.0.0.1:$1/in.txt" >"$T/web.file.$2"
	curl -s "http://127.0.0.1:$1/" >"$T/web.list.$2"
	curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$1/nope" >"$T/web.404.$2"
}
stop() { # SIGTERM (Python's default action: it dies of it)
	kill -TERM "$(cat "$T/server.pid")" 2>/dev/null
	wait "$SERVER" 2>/dev/null
	SERVER=
}
if [ -x "$PY" ] && command -v curl >/dev/null; then
	P0=$((20000 + $$ % 20000))
	P1=$((P0 + 1))
	serve "$P0"
	fetch "$P0" 0
	stop
	serve "$P1" "$M" run -p "$T/http-server.moat" --report "$W/web.rep" --
	fetch "$P1" 1
	stop
	check "http-server: serves the file as without moat" \
		sh -c "cmp -s '$T/web.file.0' '$T/web.file.1' && cmp -s '$T/src/in.txt' '$T/web.file.1'"
	check "http-server: same directory listing" cmp -s "$T/web.list.0" "$T/web.list.1"
	check "http-server: same 404" sh -c "grep -qx 404 '$T/web.404.1' && cmp -s '$T/web.404.0' '$T/web.404.1'"
	check "http-server: no violation reported" clean_report "$W/web.rep"
	in_w web2 "$M" run -p "$T/http-server.moat" -- "$PY" -c \
		'import os; os.fork() or os.execv("/bin/sh", ["sh", "-c", "true"])' >/dev/null 2>"$T/err"
	check "http-server: denies fork (clone), so no shell, by name" \
		grep -q 'clone(.*denied by .*http-server.moat' "$T/err"
	in_w web3 "$M" run -p "$T/http-server.moat" -- "$PY" -c \
		'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)' >/dev/null 2>"$T/err"
	check "http-server: denies a UDP socket, by name" \
		grep -q 'socket(AF_INET, SOCK_DGRAM.*denied by .*http-server.moat' "$T/err"
else
	skip "http-server profile" "python3 or curl not installed"
fi

# 5. Every profile lints clean.
for p in "$ROOT"/profiles/*.moat; do
	check "moat check $(basename "$p"): no error" sh -c "'$M' check '$p' >/dev/null 2>&1"
done

tap_plan
