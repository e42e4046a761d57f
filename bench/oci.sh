#!/bin/sh
# SPDX-License-Identifier: MIT
# The OCI path's cost on Podman's profile (bench/oci.c), and whole commands
# side by side with jq reading the same file (hyperfine). Markdown on stdout.
set -eu
cd "$(dirname "$0")/.."
make -s -j2 all
cc -O2 -std=gnu11 -D_GNU_SOURCE -Iinclude -o build/bench-oci bench/oci.c \
	build/libmoat.a -lbpf -lelf -lz -ljansson
P=${1:-/usr/share/containers/seccomp.json}
build/bench-oci "$P"
if command -v hyperfine >/dev/null; then
	hyperfine -N --warmup 5 --runs 50 --export-markdown /dev/stdout \
		"jq -c . $P" \
		"build/moat convert $P --to oci" \
		"build/moat convert $P --to moat" 2>/dev/null | grep '^|'
fi
