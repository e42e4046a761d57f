#!/bin/sh
# SPDX-License-Identifier: MIT
# A short tour of moat on this machine: the record -> check -> run loop on a
# real program, the compiler, tracing and the kernel's features.
# Usage: demo.sh path/to/moat   (as root for the eBPF parts)
set -u
MOAT=$(readlink -f "${1:-build/moat}")
D=$(mktemp -d /tmp/moat-demo.XXXXXX)
trap 'rm -rf "$D"' EXIT
PODMAN=/usr/share/containers/seccomp.json

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step() { printf '\033[36m$ %s\033[0m\n' "$*"; "$@"; }
has() { "$MOAT" help "$1" >/dev/null 2>&1; }
root() { [ "$(id -u)" = 0 ]; }

step "$MOAT" --version

say "1. What this kernel supports (probed for real)"
step "$MOAT" features

say "2. Docker/Podman's default profile, read as a .moat policy"
step "$MOAT" convert "$PODMAN" --to moat -o "$D/podman.moat" 2>/dev/null
head -25 "$D/podman.moat"
echo "... ($(wc -l <"$D/podman.moat") lines)"

say "3. Compiled by moat's compiler: a search tree, cached allows cost ~0"
step "$MOAT" compile "$PODMAN" --stats
step "$MOAT" explain "$PODMAN" personality 0xffffffff

# A real program: archive some files with tar+gzip (runs gzip through a shell).
mkdir -p "$D/src"
cp /etc/hostname /etc/passwd "$D/src/"
APP="tar czf $D/out.tgz -C $D/src ."

if has record && root; then
	say "4. Record what tar really does (eBPF, whole process tree)"
	step "$MOAT" record -o "$D/tar.moat" -- $APP
	sed -n '1,30p' "$D/tar.moat"
	say "5. Lint the recorded policy"
	step "$MOAT" check "$D/tar.moat" --baseline "$PODMAN" || true
	POLICY=$D/tar.moat
else
	say "4. A hand-written policy for tar (moat record needs root)"
	cat >"$D/tar.moat" <<'P'
default errno EPERM
errno ENOSYS clone3
allow read write close openat newfstatat fstat lseek mmap munmap mprotect brk
allow execve exit_group arch_prctl
P
	POLICY=$D/tar.moat
fi

say "6. Complain mode: everything runs, violations reported as 'would deny'"
step "$MOAT" run --mode complain -q -p "$POLICY" -- $APP

say "7. Enforce: the program runs under the policy; each violation reported by name"
step "$MOAT" run -p "$POLICY" -- $APP
echo "exit status: $?"
step "$MOAT" run -p "$POLICY" -- sh -c "echo hello from a sandboxed shell; id -u"

if root; then
	say "8. Trace a program's whole process tree with eBPF (strace-like, no ptrace)"
	step "$MOAT" trace -e openat,execve,clone,wait4 -- $APP
fi

say "9. seccomp or eBPF: what does each cost on this kernel? (moat bench --quick)"
if root; then step "$MOAT" bench --quick; fi
echo
echo "Done. See README.md and docs/ for more."
