#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages moat needs to build, test and benchmark,
# when they are missing. Idempotent: does nothing when all are present.
set -eu
PKGS="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libjansson-dev pkg-config
libcmocka-dev libseccomp-dev seccomp bats strace bpftrace linux-perf hyperfine bubblewrap
golang-github-containers-common python3 clang-format libclang-rt-14-dev jq util-linux procps
sqlite3 tar gzip curl iproute2 runc time"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "bootstrap: missing packages:$missing; run 'make bootstrap' as root (apt-get)" >&2
	exit 1
fi
echo "bootstrap: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
