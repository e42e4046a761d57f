# SPDX-License-Identifier: MIT
# TAP helpers shared by the scripts of tests/kernel and tests/cli. Each script
# starts with
#   . "$(dirname "$0")/../lib.sh"
# which sets MOAT (the moat binary), ROOT (the repository) and BUILD (the
# build directory) from what tests/run.sh exports, or to defaults for a run
# by hand from the repository root, and defines:
#   ok DESC, nok DESC        a test that passed, failed
#   skip DESC WHY            a test that could not run here, and why
#   check DESC CMD [ARG...]  ok when CMD succeeds, nok otherwise
#   t STATUS DESC            ok when STATUS (usually $?) is 0, nok otherwise
#   skip_all WHY             one skipped test for the whole script, the plan,
#                            and exit: nothing can run here (tests/run.sh
#                            counts a script without any ok line as failed)
#   wait_grep PATTERN FILE [SECONDS]
#                            waits until FILE has a line matching PATTERN
#                            (default at most 10 s); 1 when it never does
#   tap_plan                 the closing "1..N" line
MOAT=${MOAT:-build/moat}
ROOT=${MOAT_ROOT:-$PWD}
BUILD=${MOAT_BUILD:-$ROOT/build}
n=0
ok() {
	n=$((n + 1))
	echo "ok $n - $*"
}
nok() {
	n=$((n + 1))
	echo "not ok $n - $*"
}
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
check() {
	_tap_desc=$1
	shift
	if "$@"; then ok "$_tap_desc"; else nok "$_tap_desc"; fi
}
t() {
	if [ "$1" = 0 ]; then ok "$2"; else nok "$2"; fi
}
skip_all() {
	skip "${0##*/}" "$*"
	tap_plan
	exit 0
}
wait_grep() {
	_tap_i=0
	while ! grep -q -- "$1" "$2" 2>/dev/null; do
		[ $_tap_i -lt $((${3:-10} * 20)) ] || return 1
		sleep 0.05
		_tap_i=$((_tap_i + 1))
	done
}
tap_plan() {
	echo "1..$n"
}
