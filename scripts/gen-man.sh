#!/bin/sh
# SPDX-License-Identifier: MIT
# Generates moat(1) from the CLI's own help texts, so the man page and
# `moat help CMD` never disagree. Usage: gen-man.sh path/to/moat OUT
set -eu
MOAT=$1
OUT=$2
esc() { sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/"; }
{
	echo '.TH MOAT 1 "" "moat '"$("$MOAT" --version | cut -d' ' -f2)"'" "User Commands"'
	echo '.SH NAME'
	echo 'moat \- Linux syscall security with seccomp and eBPF together'
	echo '.SH SYNOPSIS'
	echo '.B moat'
	echo '.I COMMAND'
	echo '.RI [ ARGS ...]'
	echo '.SH DESCRIPTION'
	echo 'moat records what a program really does with eBPF, enforces a least-privilege'
	echo 'seccomp policy on it, reports every violation by name, and observes the whole system.'
	echo 'Policies are written in the .moat language (see'
	echo '.BR moat-policy (5))'
	echo 'or taken from OCI/Docker seccomp profiles.'
	echo '.SH COMMANDS'
	"$MOAT" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' | while read -r c; do
		echo ".SS $c"
		echo '.nf'
		"$MOAT" help "$c" | esc
		echo '.fi'
	done
	echo '.SH EXIT STATUS'
	echo '0 success; 1 failure, invalid input or findings (check, diff); 2 usage error.'
	echo '.B moat run'
	echo "returns the command's own status (128+N when killed by signal N), 125 when the"
	echo 'sandbox could not be set up (the command never ran), 126 when the command could not'
	echo 'be executed and 127 when it was not found.'
	echo '.SH SEE ALSO'
	echo '.BR moat-policy (5),'
	echo '.BR seccomp (2),'
	echo '.BR bpf (2),'
	echo '.BR strace (1),'
	echo '.BR bwrap (1)'
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
