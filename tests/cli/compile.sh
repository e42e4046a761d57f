#!/bin/sh
# SPDX-License-Identifier: MIT
# moat compile and moat explain from the command line: formats, stats,
# disassembly, explain's verdict and deciding rule, -E2BIG naming the
# costly rules, usage errors.
set -u
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/web.moat" <<'POLICY'
default errno EPERM
allow read write close fstat futex exit_group
allow socket if arg0 in {AF_UNIX, AF_INET, AF_INET6}
allow mmap mprotect if arg2 & PROT_EXEC == 0
errno ENOSYS clone3
kill ptrace
POLICY

check "compile -o writes a raw program" "$MOAT" compile "$tmp/web.moat" -o "$tmp/web.bpf"
raw=$(wc -c <"$tmp/web.bpf")
"$MOAT" compile "$tmp/web.moat" --format hex -o "$tmp/web.hex"
check "hex has one line per 8 raw bytes" [ "$(wc -l <"$tmp/web.hex")" -eq $((raw / 8)) ]
# The first instruction loads seccomp_data.arch: code 0x20, k 4.
check "hex starts with ld [4]" [ "$(head -1 "$tmp/web.hex")" = "0020 00 00 00000004" ]
"$MOAT" compile "$tmp/web.moat" --format c -o "$tmp/web.c"
cat >"$tmp/main.c" <<'C'
#include "web.c"
int main(void) { return (int)(sizeof(moat_filter) / sizeof(moat_filter[0])); }
C
if cc -o "$tmp/main" "$tmp/main.c" 2>"$tmp/cc.err"; then
	"$tmp/main"
	check "C array compiles and has the raw length" [ $? -eq $(((raw / 8) % 256)) ]
else
	nok "C array does not compile: $(head -3 "$tmp/cc.err")"
fi
check "raw to stdout equals -o" sh -c "'$MOAT' compile '$tmp/web.moat' | cmp -s - '$tmp/web.bpf'"

"$MOAT" compile "$tmp/web.moat" --stats >"$tmp/stats"
check "--stats gives length" grep -q "^length: $((raw / 8)) instructions" "$tmp/stats"
check "--stats counts cache-allowed syscalls (6 unconditional allows)" \
	grep -q "^x86_64: .* 6 allowed by the kernel's action cache" "$tmp/stats"
"$MOAT" compile "$tmp/web.moat" --disasm >"$tmp/dis"
check "--disasm has one line per instruction" [ "$(wc -l <"$tmp/dis")" -eq $((raw / 8)) ]
check "--disasm names the rule of a ret" grep -q "ret ERRNO(38).*rule $tmp/web.moat:5" "$tmp/dis"

out=$("$MOAT" explain "$tmp/web.moat" socket AF_INET)
check "explain: socket(AF_INET) allowed" sh -c "echo '$out' | grep -qx 'verdict: allow'"
check "explain: names line 3 and its text" \
	sh -c "echo '$out' | grep -q 'rule $tmp/web.moat:3: allow socket if arg0 in'"
check "explain: trace ends with the ret" sh -c "echo '$out' | tail -1 | grep -q 'ret ALLOW'"
out=$("$MOAT" explain "$tmp/web.moat" socket AF_NETLINK)
check "explain: socket(AF_NETLINK) denied by the default" \
	sh -c "echo '$out' | grep -qx 'verdict: errno EPERM' && echo '$out' | grep -q 'default $tmp/web.moat:1'"
out=$("$MOAT" explain "$tmp/web.moat" mprotect 0 4096 'PROT_READ|PROT_EXEC')
check "explain: constants OR-ed in arguments" sh -c "echo '$out' | grep -qx 'verdict: errno EPERM'"
out=$("$MOAT" explain "$tmp/web.moat" ptrace)
check "explain: kill" sh -c "echo '$out' | grep -qx 'verdict: kill'"
out=$("$MOAT" explain "$tmp/web.moat" syscall_999)
check "explain: unknown number gets unknown action" \
	sh -c "echo '$out' | grep -qx 'verdict: errno ENOSYS' && echo '$out' | grep -q 'unknown syscall'"
out=$("$MOAT" explain "$tmp/web.moat" read --arch i386)
check "explain --arch i386: foreign arch" sh -c "echo '$out' | grep -q 'foreign arch'"
out=$("$MOAT" explain "$tmp/web.moat" read --x32)
check "explain --x32: x32 rejected" sh -c "echo '$out' | grep -q 'x32 syscall'"

# Too big: 150 rules with 40-value sets. The error names the costly lines.
{
	echo "default errno EPERM"
	i=0
	while [ $i -lt 150 ]; do
		printf 'allow ioctl if arg0 == %d && arg1 in {' $i
		j=0
		while [ $j -lt 40 ]; do
			printf '%d, ' $((4096 + j * 17 + i * 1000))
			j=$((j + 1))
		done
		echo '1}'
		i=$((i + 1))
	done
} >"$tmp/big.moat"
"$MOAT" compile "$tmp/big.moat" -o "$tmp/big.bpf" 2>"$tmp/err"
rc=$?
check "over 4096 instructions: exit 1" [ $rc -eq 1 ]
check "over 4096 instructions: says so" grep -q "over the kernel's limit of 4096" "$tmp/err"
check "over 4096 instructions: names a costly rule by file:line" \
	grep -q "^$tmp/big.moat:[0-9]*:[0-9]*: note: rule for 'ioctl'" "$tmp/err"
check "over 4096 instructions: no output file" [ ! -e "$tmp/big.bpf" ]

"$MOAT" compile >/dev/null 2>&1
check "compile without policy: usage (2)" [ $? -eq 2 ]
"$MOAT" compile "$tmp/web.moat" --format elf >/dev/null 2>&1
check "unknown format: usage (2)" [ $? -eq 2 ]
"$MOAT" explain "$tmp/web.moat" not_a_syscall >/dev/null 2>&1
check "explain unknown syscall: usage (2)" [ $? -eq 2 ]
"$MOAT" compile "$tmp/missing.moat" -o "$tmp/x" 2>/dev/null
check "missing policy: exit 1" [ $? -eq 1 ]
tap_plan
