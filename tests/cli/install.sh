#!/bin/sh
# SPDX-License-Identifier: MIT
# `make install` honours PREFIX and DESTDIR; the installed moat runs and its
# man pages render. Prints TAP.
set -u
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
make -s install DESTDIR="$D" PREFIX=/opt/moat-test >"$D.log" 2>&1
check "make install DESTDIR PREFIX succeeds" [ $? -eq 0 ]
rm -f "$D.log"
check "binary under DESTDIR/PREFIX/bin" [ -x "$D/opt/moat-test/bin/moat" ]
check "the installed binary runs" sh -c "'$D/opt/moat-test/bin/moat' --version >/dev/null"
check "library and headers installed" [ -f "$D/opt/moat-test/lib/libmoat.a" -a -f "$D/opt/moat-test/include/moat/policy.h" ]
check "moat(1) installed" [ -s "$D/opt/moat-test/share/man/man1/moat.1" ]
check "moat(1) documents every command" sh -c "
	for c in \$('$D/opt/moat-test/bin/moat' --help | awk '/^Commands:/{on=1;next} on&&/^  [a-z]/{print \$1}'); do
		grep -q \"^.SS \$c\$\" '$D/opt/moat-test/share/man/man1/moat.1' || exit 1
	done"
check "moat-policy(5) installed" [ -s "$D/opt/moat-test/share/man/man5/moat-policy.5" ]
check "moat(1) renders without warnings" sh -c "! man --warnings -l '$D/opt/moat-test/share/man/man1/moat.1' 2>&1 >/dev/null | grep -q ."
check "nothing installed outside DESTDIR" [ ! -e /opt/moat-test ]
tap_plan
