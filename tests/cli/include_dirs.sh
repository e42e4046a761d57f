#!/bin/sh
# SPDX-License-Identifier: MIT
# -I DIR (include directories) on every command that reads a policy: an
# include found only through -I works, directories are searched in order
# after the including file's own, and without -I the error names the file
# and line of the include. Prints TAP.
. "$(dirname "$0")/../lib.sh"
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
mkdir "$d/p" "$d/lib" "$d/lib2" "$d/out"
# main.moat includes common.moat, which is not next to it: only in lib (allow) and lib2 (EACCES).
printf 'default errno EPERM\narch x86_64\ninclude "common.moat"\n' >"$d/p/main.moat"
printf 'allow getppid\n' >"$d/lib/common.moat"
printf 'errno EACCES getppid\n' >"$d/lib2/common.moat"
printf 'default errno EPERM\narch x86_64\nallow getppid\n' >"$d/flat.moat"
# For moat run: everything allowed but what the include says.
printf 'default allow\ninclude "deny.moat"\n' >"$d/p/run.moat"
printf 'errno EACCES getppid\n' >"$d/lib/deny.moat"

# Without -I: exit 1 and the error at the include's file:line:col, for each command.
for cmd in "compile -o $d/out/x.bpf" "check --baseline none" "explain %s getppid" \
	"diff %s $d/flat.moat" "convert --to oci"; do
	# explain and diff take the policy first: %s marks where it goes.
	case $cmd in
	*%s*) set -- $(printf "$cmd" "$d/p/main.moat") ;;
	*) set -- $cmd "$d/p/main.moat" ;;
	esac
	"$MOAT" "$@" >/dev/null 2>"$d/err"
	rc=$?
	[ $rc = 1 ] && grep -q "^$d/p/main.moat:3:9: error: cannot find include file \"common.moat\"" "$d/err"
	t $? "moat $1 without -I: exit 1, the error names main.moat:3:9 (got $rc)"
	"$MOAT" "$@" -I "$d/lib" >/dev/null 2>"$d/err"
	rc=$?
	[ $rc = 0 ] && ! grep -q error "$d/err"
	t $? "moat $1 -I DIR: the include is found (got $rc)"
done

"$MOAT" explain -I "$d/lib" "$d/p/main.moat" getppid >"$d/out/e" 2>&1
grep -q '^verdict: allow' "$d/out/e" && grep -q "rule $d/lib/common.moat:1: allow getppid" "$d/out/e"
t $? "explain names the rule in the file found through -I"
"$MOAT" explain -I "$d/lib2" -I "$d/lib" "$d/p/main.moat" getppid >"$d/out/e" 2>&1
grep -q '^verdict: errno EACCES' "$d/out/e"
t $? "-I directories are searched in the order given (lib2 first)"
"$MOAT" explain "-I$d/lib" "--include-dir=$d/lib2" "$d/p/main.moat" getppid >"$d/out/e" 2>&1
grep -q '^verdict: allow' "$d/out/e"
t $? "-IDIR and --include-dir=DIR forms, in order"
# The including file's own directory comes first.
printf 'errno ENOENT getppid\n' >"$d/p/common.moat"
"$MOAT" explain -I "$d/lib" "$d/p/main.moat" getppid >"$d/out/e" 2>&1
grep -q '^verdict: errno ENOENT' "$d/out/e"
t $? "a file next to the including one wins over -I"
rm "$d/p/common.moat"
"$MOAT" convert --to moat -I "$d/lib" "$d/p/main.moat" >"$d/out/m" 2>/dev/null
grep -qx 'allow getppid' "$d/out/m"
t $? "convert: the included rule is in the output"
"$MOAT" diff -I "$d/lib" "$d/p/main.moat" "$d/flat.moat" >"$d/out/diff" 2>&1
grep -qx '0 differences' "$d/out/diff"
t $? "diff: the policy read through -I means the same as the flat one"

# Bad -I: usage errors (2), said at once.
"$MOAT" compile -I "$d/nowhere" "$d/p/main.moat" -o "$d/out/x.bpf" 2>"$d/err"
[ $? = 2 ] && grep -q "^moat: -I $d/nowhere: No such file or directory" "$d/err"
t $? "-I of a missing directory: exit 2 and says so"
"$MOAT" check -I "$d/flat.moat" "$d/p/main.moat" 2>"$d/err"
[ $? = 2 ] && grep -q "not a directory" "$d/err"
t $? "-I of a file: exit 2, not a directory"
"$MOAT" explain "$d/p/main.moat" getppid -I 2>"$d/err"
[ $? = 2 ]
t $? "-I without a value: exit 2"

# moat run reads its policy the same way (a sandbox failure, 125, without it).
timeout 30 "$MOAT" run -p "$d/p/run.moat" -- true 2>"$d/err"
rc=$?
[ $rc = 125 ] && grep -q "^$d/p/run.moat:2:9: error: cannot find include file \"deny.moat\"" "$d/err"
t $? "run without -I: 125, the error names run.moat:2:9 (got $rc)"
timeout 30 "$MOAT" run -I "$d/lib" -p "$d/p/run.moat" -- sh -c 'exit 7' 2>"$d/err"
t $([ $? = 7 ] && echo 0 || echo 1) "run -I DIR: the command runs under the policy (its exit status 7)"
# moat record --merge reads policies too (no recording: merge only).
"$MOAT" record --merge "$d/p/main.moat" -I "$d/lib" >"$d/out/r" 2>"$d/err"
[ $? = 0 ] && grep -qx 'allow getppid' "$d/out/r"
t $? "record --merge -I DIR: the merged policy has the included rule"

tap_plan
