#!/bin/sh
# SPDX-License-Identifier: MIT
# moat diff of Podman's profile against its own .moat conversion (the
# simulator runs both programs on every syscall of every architecture),
# side by side with the other whole commands on the same file (hyperfine).
# BEFORE=/path/to/an/older/moat adds that binary's diff for a ratio.
# Markdown on stdout.
set -eu
cd "$(dirname "$0")/.."
make -s -j2 all
P=${1:-/usr/share/containers/seccomp.json}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
build/moat convert "$P" -o "$T/p.moat" 2>/dev/null
set -- "build/moat diff $P $T/p.moat" "build/moat convert $P --to moat" "jq -c . $P"
[ -n "${BEFORE:-}" ] && set -- "$BEFORE diff $P $T/p.moat" "$@"
hyperfine -N --warmup 3 --runs 30 --export-markdown "$T/out.md" "$@" >/dev/null 2>&1
cat "$T/out.md"
