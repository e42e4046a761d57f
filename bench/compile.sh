#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds bench/compile against libmoat and runs it on Podman's default
# profile, bench/policies/*.moat and moat's curated profiles. Markdown tables
# on stdout.
set -eu
cd "$(dirname "$0")/.."
make -s -j2 lib
cc -O2 -std=gnu11 -D_GNU_SOURCE -Iinclude -o build/bench-compile bench/compile.c \
	build/libmoat.a -lbpf -lelf -lz -ljansson -lseccomp
set -- /usr/share/containers/seccomp.json "$@"
for f in bench/policies/*.moat profiles/*.moat; do
	[ -e "$f" ] && set -- "$@" "$f"
done
build/bench-compile "$@"
