#!/bin/sh
# SPDX-License-Identifier: MIT
# .moat files through the CLI: includes next to the file, groups, and exact
# diagnostics (file:line:col, the line, a caret, the include chain) on stderr.
. "$(dirname "$0")/../lib.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/lib"

cat >"$dir/main.moat" <<'M'
default errno EPERM
arch x86_64
include @stdio
include "lib/net.moat"
errno EPERM @privileged
M
cat >"$dir/lib/net.moat" <<'M'
include "inet.moat"
M
printf 'include @inet\nallow socket if arg0 == AF_UNIX\n' >"$dir/lib/inet.moat"

"$MOAT" compile "$dir/main.moat" -o "$dir/out.bpf" 2>"$dir/err"
t $? "a policy with file and group includes compiles"
[ -s "$dir/out.bpf" ] && [ ! -s "$dir/err" ]
t $? "writes the program, says nothing"

# The same policy as OCI JSON: socket keeps both conditions (inet's set, then AF_UNIX).
"$MOAT" convert --to oci "$dir/main.moat" -o "$dir/out.json" 2>/dev/null
t $? "converts to OCI JSON"
grep -q '"socket"' "$dir/out.json"
t $? "the included rules are in the JSON"

printf 'allow read\nallow conect\n' >"$dir/lib/inet.moat"
"$MOAT" compile "$dir/main.moat" -o "$dir/out.bpf" 2>"$dir/err"
t $([ $? = 1 ] && echo 0 || echo 1) "an error in an included file fails with status 1"
cat >"$dir/want" <<W
$dir/lib/inet.moat:2:7: error: unknown syscall 'conect' (did you mean 'connect'?)
  allow conect
        ^~~~~~
  included from $dir/lib/net.moat:1
  included from $dir/main.moat:4
W
cmp -s "$dir/err" "$dir/want"
rc=$?
t $rc "the diagnostic names the file, line, column, caret and include chain"
[ $rc = 0 ] || diff "$dir/want" "$dir/err" | sed 's/^/# /'

printf 'allow read if arg0 == 1 && arg0 == 2\nerrno 4096 write\nallow close if arg6 == 0\n' \
	>"$dir/bad.moat"
"$MOAT" check "$dir/bad.moat" >/dev/null 2>"$dir/err"
t $([ $? = 1 ] && echo 0 || echo 1) "moat check fails on a policy that does not parse"
[ "$(grep -c ': error: ' "$dir/err")" = 3 ]
t $? "all three bad lines are reported"
grep -q "bad.moat:2:7: error: errno value 4096 out of range (0 to 4095)" "$dir/err"
t $? "errno 4096 is out of range"
tap_plan
