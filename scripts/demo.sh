#!/bin/sh
# SPDX-License-Identifier: MIT
# A short tour of what moat does on this machine. Usage: demo.sh path/to/moat
set -u
MOAT=${1:-build/moat}
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
step "$MOAT" --version
step "$MOAT" --help
