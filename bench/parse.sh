#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds bench/parse against libmoat and runs it on Podman's default profile.
# Markdown table on stdout (docs/performance.md, section "Policy parser").
set -eu
cd "$(dirname "$0")/.."
make -s -j2 lib
cc -O2 -std=gnu11 -D_GNU_SOURCE -Iinclude -o build/bench-parse bench/parse.c build/libmoat.a \
	-lbpf -lelf -lz -ljansson
build/bench-parse "${1:-/usr/share/containers/seccomp.json}"
