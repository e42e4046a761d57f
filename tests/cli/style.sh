#!/bin/sh
# SPDX-License-Identifier: MIT
# The tree keeps the repository's .clang-format style. Prints TAP.
cd "${MOAT_ROOT:-.}"
if ! command -v clang-format >/dev/null; then
	echo "ok 1 - make format-check # SKIP clang-format not installed"
elif make -s format-check >/tmp/moat-style.$$ 2>&1; then
	echo "ok 1 - make format-check"
else
	sed 's/^/# /' /tmp/moat-style.$$ | head -40
	echo "not ok 1 - make format-check"
fi
rm -f /tmp/moat-style.$$
echo "1..1"
