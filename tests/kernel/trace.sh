#!/bin/sh
# SPDX-License-Identifier: MIT
# moat trace on the real kernel: counts against strace -f -c, JSON lines,
# filters, and loss accounting when a flood overruns the ring buffer.
set -u
. "$(dirname "$0")/../lib.sh"
case $MOAT in /*) ;; *) MOAT=$PWD/$MOAT ;; esac
H=$(cd "$BUILD" && pwd)/tests/helpers

[ "$(id -u)" = 0 ] || skip_all "moat trace needs root (eBPF)"
tmp=$(mktemp -d)
mpid=
trap '[ -n "$mpid" ] && kill $mpid 2>/dev/null; rm -rf "$tmp"' EXIT

# counts JSON: "syscall calls errors" per syscall of a JSON trace, as strace -c
# lists them (execve and exit calls left out: strace -c counts them apart)
counts() {
	jq -r 'select(.syscall) | "\(.syscall) \(if .errno then 1 else 0 end)"' "$1" |
		awk '{ c[$1]++; e[$1] += $2 } END { for (k in c) print k, c[k], e[k] }' |
		grep -Ev '^(execve|exit|exit_group) ' | sort
}

# start ARGS...: moat trace ARGS in the background (stdout $tmp/out), once attached.
start() {
	rm -f "$tmp/out" "$tmp/err"
	"$MOAT" trace "$@" >"$tmp/out" 2>"$tmp/err" &
	mpid=$!
	i=0
	while ! grep -q tracing "$tmp/err" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
# stop: SIGINT, wait; the status is in $rc.
stop() {
	kill -INT $mpid
	wait $mpid
	rc=$?
	mpid=
}

# --- counts against strace -f -c (the program, its thread and its child)
start --comm syscall_mix --json
check "attached" eval 'grep -q tracing "$tmp/err"'
(cd "$tmp" && "$H/syscall_mix")
stop
check "exit status 0 on SIGINT" eval '[ $rc = 0 ]'
check "every line is JSON" eval 'jq -e . "$tmp/out" >/dev/null'
mv "$tmp/out" "$tmp/trace.json"
(cd "$tmp" && strace -f -c -o "$tmp/strace.txt" "$H/syscall_mix")
# "name calls errors", sorted; execve is left out (moat sees its entry under
# the shell's name), exit/exit_group too (strace -c does not count them).
awk '$4 ~ /^[0-9]+$/ && $NF != "total" { print $NF, $4, (NF == 6 ? $5 : 0) }' "$tmp/strace.txt" |
	grep -Ev '^(execve|exit|exit_group) ' | sort >"$tmp/want"
counts "$tmp/trace.json" >"$tmp/got"
check "strace saw the program (sanity)" eval 'grep -q "^getppid 100 0$" "$tmp/want"'
check "per-syscall calls and errors equal strace -f -c's" eval 'diff "$tmp/want" "$tmp/got" >&2'
# --summary: the same counts as a table in strace -c's own format (the same
# awk reads both), and as one JSON document
(cd "$tmp" && "$MOAT" trace --summary -o "$tmp/sum.txt" -- "$H/syscall_mix" >/dev/null 2>"$tmp/err")
awk '$4 ~ /^[0-9]+$/ && $NF != "total" { print $NF, $4, (NF == 6 ? $5 : 0) }' "$tmp/sum.txt" |
	grep -Ev '^(execve|exit|exit_group) ' | sort >"$tmp/got_sum"
check "--summary: the table's calls and errors equal strace -f -c's" eval 'diff "$tmp/want" "$tmp/got_sum" >&2'
check "--summary: a total line, no event lines" \
	eval 'grep -q "^100.00 .* total$" "$tmp/sum.txt" && ! grep -q " getppid() = " "$tmp/sum.txt"'
(cd "$tmp" && "$MOAT" trace --summary --json --no-time -o "$tmp/sum.json" -- "$H/syscall_mix" >/dev/null 2>"$tmp/err")
check "--summary --json: one document; calls is the rows' sum; getppid 100; untimed: no total_ns" \
	eval '[ "$(wc -l <"$tmp/sum.json")" = 1 ] &&
	      jq -e "(.calls == ([.syscalls[].calls] | add)) and (.syscalls[] | select(.syscall == \"getppid\") | .calls == 100) and (has(\"total_ns\") | not) and .lost == 0" "$tmp/sum.json" >/dev/null'
check "exit_group of the process and its child, no result" \
	eval '[ "$(jq -r "select(.syscall == \"exit_group\" and (has(\"ret\") | not)) | .pid" "$tmp/trace.json" | sort -u | wc -l)" = 2 ]'
check "the thread's calls carry its tid" \
	eval '[ "$(jq -r "select(.syscall == \"getpid\") | select(.tid != .pid) | .tid" "$tmp/trace.json" | sort -u | wc -l)" = 1 ]'
check "failed openat has errno ENOENT and ret -2" \
	eval '[ "$(jq -c "select(.syscall == \"openat\" and .errno == \"ENOENT\" and .ret == -2)" "$tmp/trace.json" | wc -l)" = 10 ]'
check "durations and timestamps are numbers" \
	eval 'jq -e "select(.syscall == \"getppid\") | (.dur_ns >= 0 and .ts_ns > 1600000000000000000)" "$tmp/trace.json" | grep -qv false'

# --- strings read at entry, flags and constants by name
start --comm syscall_mix -e openat --json
(cd "$tmp" && "$H/syscall_mix" /etc/hostname)
stop
check "openat of /etc/hostname: path read, dirfd and flags by name" \
	eval 'jq -e "select(.args[1] == \"/etc/hostname\") | .args[0] == \"AT_FDCWD\" and .args[2] == \"O_RDONLY|O_CLOEXEC\" and .ret >= 0" "$tmp/out" | grep -qx true'
check "failing opens show the path too" \
	eval '[ "$(jq -r "select(.errno == \"ENOENT\") | .args[1]" "$tmp/out" | sort -u)" = /nonexistent/moat-test ]'

# --- -- CMD: the program from its execve on (path read at entry), its
# children followed, moat's own glue not shown, CMD's exit status returned
(cd "$tmp" && "$MOAT" trace --json -o "$tmp/cmd.json" -- sh -c "$H/syscall_mix; exit 7" 2>"$tmp/err")
rc=$?
check "-- CMD: moat exits with CMD's status" eval '[ $rc = 7 ]'
check "-- CMD: the first event is CMD's execve, with its path" \
	eval 'head -1 "$tmp/cmd.json" | jq -e ".syscall == \"execve\" and .args[0] == \"/usr/bin/sh\" and .ret == 0" >/dev/null'
check "-- CMD: the forked program's execve, path and all" \
	eval '[ "$(jq -r "select(.syscall == \"execve\") | .args[0]" "$tmp/cmd.json" | tail -1)" = "$H/syscall_mix" ]'
check "-- CMD: three processes (sh, the program, its child)" \
	eval '[ "$(jq -r .pid "$tmp/cmd.json" | sort -u | wc -l)" = 3 ]'
check "-- CMD: the grandchild's 7 getuid are there" \
	eval '[ "$(jq -r "select(.syscall == \"getuid\" and .comm == \"syscall_mix\") | .pid" "$tmp/cmd.json" | wc -l)" = 7 ]'
check "-- CMD: nothing from moat itself" eval '! jq -r .comm "$tmp/cmd.json" | grep -q "^moat$"'
(cd "$tmp" && "$MOAT" trace -- /nonexistent/cmd 2>/dev/null)
rc=$?
check "-- CMD: a missing command exits 127" eval '[ $rc = 127 ]'

# --- text lines, -e and --failed
start --comm syscall_mix -e openat,getuid --failed
(cd "$tmp" && "$H/syscall_mix")
stop
check "--failed -e openat,getuid: the 10 failed openat only" \
	eval '[ "$(grep -c " openat(.*) = -1 ENOENT (No such file or directory) <[0-9]*\.[0-9]\{6\}>$" "$tmp/out")" = 10 ] && [ "$(grep -c . "$tmp/out")" = 10 ]'
check "text line: time pid/tid comm" \
	eval 'head -1 "$tmp/out" | grep -Eq "^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} [0-9]+/[0-9]+ syscall_mix openat\("'
check "summary on stderr" eval 'grep -q "^moat trace: 10 events, 0 lost$" "$tmp/err"'

# --- a lone event is written while tracing runs, not only when it stops
# (it stays below the reader's wake-up threshold)
start --comm getppid_flood -e getppid
"$H/getppid_flood" 1
i=0
while ! grep -q getppid "$tmp/out" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "a lone event shows up while tracing runs" eval 'grep -q " getppid(" "$tmp/out"'
stop

# --- -p: one process only, and moat stops by itself when it exits
# The target waits for moat to attach (a go file), however slow the machine.
sh -c 'while [ ! -e "$1" ]; do sleep 0.05; done; for i in 1 2 3; do cat /dev/null; done' sh "$tmp/go" &
target=$!
start -p $target --json
touch "$tmp/go"
wait $target
i=0
while kill -0 $mpid 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "-p: moat exits when the process does" eval '! kill -0 $mpid 2>/dev/null'
stop 2>/dev/null
check "-p: only that pid" eval '[ -s "$tmp/out" ] && [ "$(jq -r .pid "$tmp/out" | sort -u)" = "$target" ]'
check "-p: the process forks (vfork/clone) and waits (wait4)" \
	eval 'jq -r .syscall "$tmp/out" | grep -Eq "^(v?fork|clone3?)$" && jq -r .syscall "$tmp/out" | grep -q "^wait4$"'

# --- -c: a cgroup v2 directory
cg2=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
if [ -n "$cg2" ] && mkdir "$cg2/moat-test-$$" 2>/dev/null; then
	cg=$cg2/moat-test-$$
	start -c "$cg" -e getppid --json
	sh -c "echo \$\$ > $cg/cgroup.procs; exec $H/getppid_flood 50"
	"$H/getppid_flood" 30 # outside the cgroup
	stop
	check "-c: the 50 getppid made inside the cgroup, none of the 30 outside" \
		eval '[ "$(jq -r .syscall "$tmp/out" | grep -c getppid)" = 50 ]'
	rmdir "$cg"
	"$MOAT" trace -c /nonexistent-cgroup 2>"$tmp/err"
	rc=$?
	check "-c: a missing cgroup is an error" eval '[ $rc = 1 ] && grep -q "no cgroup" "$tmp/err"'
else
	ok "-c: cgroup filter # SKIP no writable cgroup2 mount"
fi

# --- a flood overrunning a 4 KiB ring buffer whose reader is stalled: every
# getppid is either received or counted lost, and losses show in the stream.
N=200000
mkfifo "$tmp/fifo"
# The reader opens the fifo at once but reads only after the flood: moat
# blocks writing, the ring fills up, records are lost.
(exec 3<"$tmp/fifo"; while [ ! -e "$tmp/done" ]; do sleep 0.05; done; cat <&3 >"$tmp/flood") &
reader=$!
"$MOAT" trace --comm getppid_flood -e getppid -b 4K --json >"$tmp/fifo" 2>"$tmp/err" &
mpid=$!
i=0
while ! grep -q tracing "$tmp/err" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
"$H/getppid_flood" $N
touch "$tmp/done"
stop
wait $reader
got=$(jq -r 'select(.syscall == "getppid") | .pid' "$tmp/flood" | wc -l)
lost=$(jq -r 'select(.lost) | .lost' "$tmp/flood" | awk '{ s += $1 } END { print s + 0 }')
echo "# flood: $got received, $lost lost in the stream; $(tail -1 "$tmp/err")"
check "flood: moat exits 0" eval '[ $rc = 0 ]'
check "flood: events were lost (the buffer overran)" eval '[ "$lost" -gt 0 ]'
check "flood: received + lost in the stream = $N syscalls" eval '[ $((got + lost)) = $N ]'
check "flood: the summary says the same" \
	eval 'grep -q "^moat trace: $got events, $lost lost$" "$tmp/err"'
# --- a call that sleeps leaves its CPU (its entry moves from the CPU's slot to
# the thread's storage at sched_switch): its duration is still measured
"$MOAT" trace --json -e clock_nanosleep,nanosleep -o "$tmp/sleep.json" -- sleep 0.2 2>"$tmp/err"
check "a sleeping call's duration: clock_nanosleep of sleep 0.2 took >= 0.2 s" \
	eval 'jq -e "select(.syscall | test(\"nanosleep\")) | .dur_ns >= 200000000 and .dur_ns < 20000000000" "$tmp/sleep.json" | grep -qx true'

# --- --no-durations: the same calls, untimed (no entry hook for most of them)
start --comm syscall_mix --json --no-durations
(cd "$tmp" && "$H/syscall_mix")
stop
counts "$tmp/out" >"$tmp/got2"
check "--no-durations: per-syscall calls and errors equal strace -f -c's" eval 'diff "$tmp/want" "$tmp/got2" >&2'
check "--no-durations: no duration in any record" \
	eval '[ -s "$tmp/out" ] && ! grep -q dur_ns "$tmp/out"'
check "--no-durations: exit_group still written (at entry)" \
	eval '[ "$(jq -r "select(.syscall == \"exit_group\") | .pid" "$tmp/out" | sort -u | wc -l)" = 2 ]'
start --comm syscall_mix -e openat --no-durations
(cd "$tmp" && "$H/syscall_mix" /etc/hostname)
stop
check "--no-durations: text lines end with the result, paths still read" \
	eval 'grep -q "openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY|O_CLOEXEC) = [0-9]*$" "$tmp/out" && ! grep -q "<" "$tmp/out"'

# --- calls a seccomp filter answered never reach sys_enter: still traced
P=$H/sandbox_probe
printf 'default allow\nerrno EACCES getppid\n' >"$tmp/deny.moat"
"$MOAT" trace --json -e getppid -o "$tmp/sec.json" -- "$MOAT" run -q -p "$tmp/deny.moat" -- "$P" getppid \
	>"$tmp/sec.out" 2>"$tmp/err"
check "seccomp-denied call: the program got EACCES" eval 'grep -qx getppid=EACCES "$tmp/sec.out"'
check "seccomp-denied call: traced with its errno, untimed (no entry)" \
	eval '[ "$(jq -c "select(.comm == \"sandbox_probe\")" "$tmp/sec.json")" != "" ] &&
	 jq -e "select(.comm == \"sandbox_probe\") | .errno == \"EACCES\" and .ret == -13 and (has(\"dur_ns\") | not)" "$tmp/sec.json" | grep -qvx false'

# --- int 0x80 (i386 ABI): i386 number and argument registers; rt_sigreturn named
if [ "$(uname -m)" = x86_64 ]; then
	"$MOAT" trace --json -e dup2,tgkill,rt_sigreturn -o "$tmp/abi.json" -- "$P" int80-dup2 handle:10 \
		>"$tmp/abi.out" 2>"$tmp/err"
	check "int 0x80 dup2(1, 77): i386 call, its arguments from ebx/ecx, result 77" \
		eval 'jq -e "select(.syscall == \"dup2\") | .arch == \"i386\" and .nr == 63 and .args == [\"1\", \"77\"] and .ret == 77" "$tmp/abi.json" | grep -qx true'
	check "rt_sigreturn after the handler: named (the number is gone at exit), after tgkill" \
		eval '[ "$(jq -r .syscall "$tmp/abi.json" | tr "\n" " ")" = "dup2 tgkill rt_sigreturn " ]'
	"$MOAT" trace -e dup2 --no-durations -o "$tmp/abi.txt" -- "$P" int80-dup2 >"$tmp/abi.out" 2>"$tmp/err"
	check "int 0x80 in text: dup2[i386](1, 77) = 77" eval 'grep -q " dup2\[i386\](1, 77) = 77$" "$tmp/abi.txt"'
	# a successful exec leaves the new program's registers, and the kernel
	# makes an int 0x80 execve of a 64-bit program exit as the native execve
	"$MOAT" trace --json -e execve -o "$tmp/x32.json" -- "$P" int80-execve >"$tmp/abi.out" 2>"$tmp/err"
	check "int 0x80 execve: the i386 call (nr 11) with its path, argv read as 32-bit pointers, timed" \
		eval 'jq -e "select(.comm == \"true\") | .arch == \"i386\" and .nr == 11 and .args[0] == \"/bin/true\" and .argv == [\"/bin/true\", \"i386-argv\"] and .ret == 0 and .dur_ns > 0" "$tmp/x32.json" | grep -qx true'
else
	ok "int 0x80 # SKIP not x86_64"
fi

# --- execve: arguments as the call had them (the registers at exit are the
# new program's), argv read at entry as strace shows it
"$MOAT" trace --json -e execve,execveat -o "$tmp/exec.json" -- sh -c "/bin/true a 'b c'; /bin/true 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; exec $P execveat" \
	>"$tmp/exec.out" 2>"$tmp/err"
check "execve: argv as a list, the environment pointer kept from the entry (not NULL)" \
	eval '[ "$(jq -c "select(.argv[1] == \"a\") | [.args[0], .argv, (.args[2] != \"NULL\")]" "$tmp/exec.json")" = "[\"/bin/true\",[\"/bin/true\",\"a\",\"b c\"],true]" ]'
check "execve: 17 arguments, 16 read, argv_truncated" \
	eval '[ "$(jq -c "select(.argv[1] == \"1\") | [(.argv | length), .argv[15], .argv_truncated]" "$tmp/exec.json")" = "[16,\"15\",true]" ]'
check "execveat: named so (its exit says execve), path and argv from its entry" \
	eval '[ "$(jq -c "select(.syscall == \"execveat\") | [.args[0], .args[1], .argv, .ret]" "$tmp/exec.json")" = "[\"AT_FDCWD\",\"/bin/true\",[\"/bin/true\",\"via-execveat\"],0]" ]'
"$MOAT" trace -e execve -o "$tmp/exec.txt" -- sh -c "/bin/true a 'b c' 1 2 3 4 5 6 7 8 9 10 11 12 13 14; /bin/true $(seq -s- 1 200)" \
	>"$tmp/exec.out" 2>"$tmp/err"
check "execve in text: [\"/bin/true\", \"a\", \"b c\", ..., \"13\", ...]" \
	eval 'grep -q "execve(\"/bin/true\", \[\"/bin/true\", \"a\", \"b c\", \"1\", .*\"13\", \.\.\.\], 0x[0-9a-f]*) = 0" "$tmp/exec.txt"'
check "execve in text: an argument cut at 255 bytes ends in \"...\"" \
	eval 'grep -q "execve(\"/bin/true\", \[\"/bin/true\", \"1-2-3-[0-9-]*\"\.\.\.\], 0x" "$tmp/exec.txt"'

# --- read/write data, read at exit (a read's data is there only then), as
# strace shows it: 32 bytes by default, -s to change, 0 for none
D=0123456789abcdefghijklmnopqrstuvwxyzABCDEF
"$MOAT" trace -e write,read -o "$tmp/data.txt" -- sh -c "printf $D >$tmp/d; cat $tmp/d >/dev/null; $P read-badfd" \
	>/dev/null 2>"$tmp/err"
check "write: its first 32 bytes, '...' as the data goes on" \
	eval 'grep -q " write(1, \"0123456789abcdefghijklmnopqrstuv\"\.\.\., 42) = 42 <" "$tmp/data.txt"'
check "read: the bytes it returned; then the end of the file, \"\"" \
	eval 'grep -q " cat read(3, \"0123456789abcdefghijklmnopqrstuv\"\.\.\., [0-9]*) = 42 <" "$tmp/data.txt" &&
	      grep -q " cat read(3, \"\", [0-9]*) = 0 <" "$tmp/data.txt"'
check "a failed read: no data, its pointer" \
	eval 'grep -q " read(999, 0x[0-9a-f]*, 16) = -1 EBADF " "$tmp/data.txt"'
"$MOAT" trace -e write -s 4 --json -o "$tmp/data.json" -- sh -c "printf $D >$tmp/d; printf 'a\\0\\377' >$tmp/d" \
	>/dev/null 2>"$tmp/err"
check "JSON, -s 4: data_hex of the first 4 bytes, data_truncated; binary bytes kept" \
	eval '[ "$(jq -c "[.data_hex, .data_truncated]" "$tmp/data.json" | tr "\n" " ")" = "[\"30313233\",true] [\"6100ff\",null] " ]'
"$MOAT" trace -e write -s 0 -o "$tmp/data0.txt" -- sh -c "printf $D >$tmp/d" >/dev/null 2>"$tmp/err"
check "-s 0: the pointer, no data" eval 'grep -q " write(1, 0x[0-9a-f]*, 42) = 42 <" "$tmp/data0.txt"'

# --- connect/bind: the socket address read at exit, shown by family (even
# with -s 0: it is no data)
"$MOAT" trace -e connect -s 0 -o "$tmp/conn.txt" -- "$P" connects >/dev/null 2>"$tmp/err"
check "connect AF_INET: {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr(\"127.0.0.1\")}" \
	eval 'grep -q "connect([0-9]*, {sa_family=AF_INET, sin_port=htons(9), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 ECONNREFUSED" "$tmp/conn.txt"'
check "connect AF_INET6, AF_UNIX path and abstract name" \
	eval 'grep -q "{sa_family=AF_INET6, sin6_port=htons(9), sin6_addr=inet_pton(\"::1\")}, 28)" "$tmp/conn.txt" &&
	      grep -q "{sa_family=AF_UNIX, sun_path=\"/nonexistent/moat.sock\"}, 110) = -1 ENOENT" "$tmp/conn.txt" &&
	      grep -q "{sa_family=AF_UNIX, sun_path=@\"moat-abstract\"}, 16)" "$tmp/conn.txt"'
"$MOAT" trace -e connect --json -o "$tmp/conn.json" -- "$P" connects >/dev/null 2>"$tmp/err"
check "connect in JSON: sockaddr objects (family, addr, port / path)" \
	eval '[ "$(jq -c .sockaddr "$tmp/conn.json" | grep -v null | tr "\n" " ")" = "{\"family\":\"AF_INET\",\"addr\":\"127.0.0.1\",\"port\":9} {\"family\":\"AF_INET6\",\"addr\":\"::1\",\"port\":9} {\"family\":\"AF_UNIX\",\"path\":\"/nonexistent/moat.sock\"} {\"family\":\"AF_UNIX\",\"path\":\"@moat-abstract\"} " ]'

# accept4/getsockname/getpeername: the address the kernel filled, as long as
# the socklen_t it left says
"$MOAT" trace -e accept4,getsockname,getpeername -o "$tmp/acc.txt" -- "$P" accepts >"$tmp/acc.out" 2>"$tmp/err"
lport=$(sed -n 's/^listen=//p' "$tmp/acc.out")
cport=$(sed -n 's/^client=//p' "$tmp/acc.out")
check "accept4: the client's address (port $cport), getsockname: the listener's (port $lport)" \
	eval '[ -n "$cport" ] && grep -q "accept4([0-9]*, {sa_family=AF_INET, sin_port=htons($cport), sin_addr=inet_addr(\"127.0.0.1\")}, 0x[0-9a-f]*, SOCK_CLOEXEC) = [0-9]" "$tmp/acc.txt" &&
	      grep -q "getsockname([0-9]*, {sa_family=AF_INET, sin_port=htons($lport), " "$tmp/acc.txt" &&
	      grep -q "getpeername([0-9]*, {sa_family=AF_INET, sin_port=htons($cport), " "$tmp/acc.txt"'

# --- stat/fstat/newfstatat and statx: what the kernel filled, read at exit
# on success (file type and mode, size, a device's number)
printf 12345 >"$tmp/five"
chmod 640 "$tmp/five"
"$MOAT" trace -e newfstatat,fstat,statx -o "$tmp/stat.txt" -- sh -c "cat $tmp/five; stat $tmp/five /dev/null /nonexistent" \
	>/dev/null 2>"$tmp/err"
check "cat's fstat of a 5-byte file: {st_mode=S_IFREG|0640, st_size=5, ...}" \
	eval 'grep -q " cat \(newfstatat\|fstat\)(3, .*{st_mode=S_IFREG|0640, st_size=5, \.\.\.}" "$tmp/stat.txt"'
check "statx: stx_ fields; /dev/null by its device number; a failed one shows its pointer" \
	eval 'grep -q "statx(AT_FDCWD, \"$tmp/five\", .*{stx_mode=S_IFREG|0640, stx_size=5, \.\.\.}) = 0" "$tmp/stat.txt" &&
	      grep -q "statx(AT_FDCWD, \"/dev/null\", .*{stx_mode=S_IFCHR|0666, stx_rdev=makedev(0x1, 0x3), \.\.\.}) = 0" "$tmp/stat.txt" &&
	      grep -q "statx(AT_FDCWD, \"/nonexistent\", .*, 0x[0-9a-f]*) = -1 ENOENT" "$tmp/stat.txt"'
"$MOAT" trace -e statx --json -o "$tmp/stat.json" -- stat /dev/null >/dev/null 2>"$tmp/err"
check "statx in JSON: a stat object (mode, size, device number)" \
	eval '[ "$(jq -c "select(.args[1] == \"/dev/null\") | .stat" "$tmp/stat.json")" = "{\"mode\":\"S_IFCHR|0666\",\"size\":0,\"rdev_major\":1,\"rdev_minor\":3}" ]'

# --- several CPUs' rings merged by time: three floods at once, every
# record's time at or after the one before it (--no-durations: lines show
# the exit time, the order the rings are merged in)
# three_floods ARGS...: moat trace ARGS while three processes make 100000
# getppid each, at once, on several CPUs
three_floods() {
	start --comm getppid_flood -e getppid "$@"
	"$H/getppid_flood" 100000 &
	f1=$!
	"$H/getppid_flood" 100000 &
	f2=$!
	"$H/getppid_flood" 100000
	wait $f1 $f2
	stop
}
three_floods --no-durations --json
jq -r 'select(.ts_ns) | "\(.ts_ns) \(.pid)"' "$tmp/out" >"$tmp/order"
awk 'NR > 1 && $1 < p { inv++ } NR > 1 && $2 != q { sw++ } { p = $1; q = $2 }
	END { printf "# merge: %d records, %d switches between processes, %d out of order\n", NR, sw, inv }' \
	"$tmp/order"
check "merge: records of three processes on several CPUs, in time order" \
	eval '[ "$(wc -l <"$tmp/order")" -gt 1000 ] && awk "NR > 1 && \$1 < p { exit 1 } { p = \$1 }" "$tmp/order"'
check "merge: received + lost = 300000" \
	eval '[ $(( $(wc -l <"$tmp/order") + $(jq -r "select(.lost) | .lost" "$tmp/out" | awk "{ s += \$1 } END { print s + 0 }") )) = 300000 ]'

# --- --no-time: no clock; the records are numbered instead (after a record
# has its room, so lost ones take no number) and merged by number: the
# stream must be 0, 1, 2, ... without a gap or a repeat
three_floods --no-time --json
jq -r 'select(.syscall) | .seq' "$tmp/out" >"$tmp/seq"
check "--no-time merge: sequence numbers 0..N-1 in order, each once" \
	eval '[ "$(wc -l <"$tmp/seq")" -gt 1000 ] && awk "\$1 != NR - 1 { exit 1 }" "$tmp/seq"'
check "--no-time merge: received + lost = 300000" \
	eval '[ $(( $(wc -l <"$tmp/seq") + $(jq -r "select(.lost) | .lost" "$tmp/out" | awk "{ s += \$1 } END { print s + 0 }") )) = 300000 ]'
check "--no-time: no ts_ns, no dur_ns" eval '! grep -q "ts_ns\|dur_ns" "$tmp/out"'
start --comm syscall_mix --json --no-time
(cd "$tmp" && "$H/syscall_mix")
stop
counts "$tmp/out" >"$tmp/got3"
check "--no-time: per-syscall calls and errors equal strace -f -c's" eval 'diff "$tmp/want" "$tmp/got3" >&2'
start --comm syscall_mix -e openat --no-time
(cd "$tmp" && "$H/syscall_mix" /etc/hostname)
stop
check "--no-time: text lines start with pid/tid, no time, no duration" \
	eval 'grep -q "^[0-9]*/[0-9]* syscall_mix openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY|O_CLOEXEC) = [0-9]*$" "$tmp/out"'
"$MOAT" trace --seccomp --no-time 2>"$tmp/err"
rc=$?
check "--seccomp --no-time: a usage error" eval '[ $rc = 2 ] && grep -q "no-time" "$tmp/err"'

# --- a dead target: said so at once, no output file, no endless wait
rm -f "$tmp/dead.txt"
timeout 10 "$MOAT" trace -p 999999 -o "$tmp/dead.txt" 2>"$tmp/err"
rc=$?
check "-p of no process: exit 1, 'no process', no output file" \
	eval '[ $rc = 1 ] && grep -q "no process 999999" "$tmp/err" && [ ! -e "$tmp/dead.txt" ]'
timeout 10 "$MOAT" top -p 999999 2>"$tmp/err" >/dev/null
rc=$?
check "moat top -p of no process: exit 1, 'no process'" \
	eval '[ $rc = 1 ] && grep -q "no process 999999" "$tmp/err"'
# an output that fills up: said so, by name, exit 1
timeout 20 "$MOAT" trace -o /dev/full -e getppid -- "$H/getppid_flood" 100000 2>"$tmp/err"
rc=$?
check "-o /dev/full: exit 1, 'writing to /dev/full: No space left on device'" \
	eval '[ $rc = 1 ] && grep -q "writing to /dev/full: No space left on device" "$tmp/err"'

# --- unprivileged: a clear error, not a crash
if command -v setpriv >/dev/null; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$MOAT" trace -e getppid 2>"$tmp/err"
	rc=$?
	check "as nobody: exit 1, told to run as root" eval '[ $rc = 1 ] && grep -q "run as root" "$tmp/err"'
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$MOAT" top -n 1 2>"$tmp/err"
	rc=$?
	check "moat top as nobody: exit 1, told to run as root" eval '[ $rc = 1 ] && grep -q "run as root" "$tmp/err"'
fi
tap_plan
