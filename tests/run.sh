#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs moat's whole suite and ends with "N passed, N failed[, N skipped]".
# Every part speaks TAP (cmocka with CMOCKA_MESSAGE_OUTPUT=TAP, bats --tap,
# scripts in tests/kernel and tests/cli): this script counts the lines.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
export MOAT="$PWD/$B/moat" MOAT_ROOT="$PWD" MOAT_BUILD="$PWD/$B"
export CMOCKA_MESSAGE_OUTPUT=TAP
log=$(mktemp)
trap 'rm -f "$log"' EXIT
pass=0 fail=0 skip=0

# count NAME: reads TAP on stdin, echoes it, adds to the totals in $log.
count() {
	awk -v name="$1" '
	/^ok / { if (tolower($0) ~ /# skip/) s++; else p++ }
	/^not ok / { l = tolower($0)
		# cmocka prints skipped cases as "not ok N # SKIP name".
		if (l ~ /# skip/) s++
		else if (l ~ /# todo/) p++
		else { f++; print "FAILED in " name ": " $0 > "/dev/stderr" } }
	{ print }
	END { printf "%d %d %d\n", p, f, s >> "'"$log"'" }'
}


part() {
	name=$1
	shift
	echo "# --- $name"
	out=$(mktemp)
	"$@" >"$out" 2>&1
	rc=$?
	count "$name" <"$out"
	if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out"; then
		echo "not ok - $name exited with status $rc" | count "$name"
	fi
	if ! grep -qE '^(not )?ok' "$out" && [ $rc -eq 0 ]; then
		echo "not ok - $name ran no test" | count "$name"
	fi
	rm -f "$out"
}

for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	part "unit/$(basename "$t")" "$t"
done

for t in tests/kernel/*.sh tests/cli/*.sh; do
	[ -f "$t" ] || continue
	part "$t" sh "$t"
done

if ls tests/cli/*.bats >/dev/null 2>&1; then
	part "cli (bats)" bats --tap tests/cli
fi

if [ "${MOAT_TEST_SAN:-1}" = 1 ] && [ "$B" = build ]; then
	# The same unit tests under ASan+UBSan (leaks included).
	if make -s SAN=1 WERROR=-Werror tests >/dev/null 2>"$log.san"; then
		for t in build-san/tests/test_*; do
			[ -x "$t" ] || continue
			ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
				part "san/$(basename "$t")" "$t"
		done
	else
		cat "$log.san"
		echo "not ok - make SAN=1 failed" | count san
	fi
	rm -f "$log.san"
fi

if [ "${MOAT_TEST_FUZZ:-1}" = 1 ] && ls fuzz/fuzz_*.c >/dev/null 2>&1; then
	if make -s fuzz >/dev/null 2>"$log.fuzz"; then
		for f in build-fuzz/fuzz_*; do
			n=$(basename "$f")
			corpus=fuzz/corpus/${n#fuzz_}
			mkdir -p "$corpus"
			work=$(mktemp -d)
			# A fixed count, not a time: the same work on any machine.
			if "$f" -runs="${MOAT_FUZZ_RUNS:-20000}" -max_len=4096 "$work" "$corpus" >"$log.f" 2>&1; then
				echo "ok - fuzz $n"
			else
				tail -30 "$log.f"
				echo "not ok - fuzz $n"
			fi | count "fuzz/$n"
			rm -rf "$work" "$log.f"
		done
	else
		cat "$log.fuzz"
		echo "not ok - make fuzz failed" | count fuzz
	fi
	rm -f "$log.fuzz"
fi

awk '{ p += $1; f += $2; s += $3 } END {
	if (p + f == 0) { print "0 passed, 1 failed (no test ran)"; exit 1 }
	if (s) printf "%d passed, %d failed, %d skipped\n", p, f, s
	else printf "%d passed, %d failed\n", p, f
	exit f ? 1 : 0 }' "$log"
