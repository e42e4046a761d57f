#!/bin/sh
# SPDX-License-Identifier: MIT
# moat groups: lists the built-in groups, shows one, fails on an unknown name.
. "$(dirname "$0")/../lib.sh"

out=$("$MOAT" groups)
t $? "moat groups exits 0"
echo "$out" | grep -Eq '^@inet +10  IPv4 and IPv6 sockets'
t $? "lists @inet with its member count and summary"
for g in io-uring privileged module mount debug obsolete clock system-service basic-io process \
	network file-system stdio rpath wpath cpath inet unix dns proc exec id tty; do
	echo "$out" | grep -q "^@$g " || { echo "# missing @$g"; false; }
	t $? "lists @$g"
done

out=$("$MOAT" groups @mount)
t $? "moat groups @mount exits 0"
echo "$out" | grep -q '^@mount: mounting'
t $? "shows the summary"
echo "$out" | grep -q '^syscalls (13):'
t $? "counts the members"
echo "$out" | grep -qw 'pivot_root'
t $? "lists the members"

"$MOAT" groups inet | grep -q 'allow socket if arg0 in {AF_INET, AF_INET6}'
t $? "shows the group's source with conditions (name without @)"

"$MOAT" groups nope >/dev/null 2>&1
[ $? = 1 ]
t $? "an unknown group exits 1"
"$MOAT" groups nope 2>&1 | grep -q "no group 'nope'"
t $? "and says so"
"$MOAT" groups --help | grep -q '^usage: moat groups'
t $? "--help"

# Nothing here needs privileges.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$MOAT" groups dns |
		grep -q '^@dns: '
	t $? "works as user nobody"
else
	skip "works as user nobody" "not root"
fi
tap_plan
