#!/bin/sh
# tests/run.sh — runs every test suite and prints one summary line, "N passed, N failed".
# Each suite prints one line per check: "ok - NAME" or "not ok - NAME: why" (other lines are
# shown as they are).  Run from the repository root after `make`; `make test` does both.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
export DLC="$BUILD/dlc" BUILD
out=$(mktemp)
trap 'rm -f "$out"' EXIT

suite() {   # suite NAME COMMAND...
    name=$1; shift
    printf '== %s\n' "$name"
    t0=$(date +%s)
    "$@" 2>&1 | tee -a "$out" | grep -v '^ok - ' || true
    n=$(grep -c "^ok - " "$out" 2>/dev/null || true)
    printf '   (%s checks passed so far; %s s)\n' "$n" $(($(date +%s) - t0))
}

suite runtime "$BUILD/tests/test_runtime" tests/unit/data
suite gemm "$BUILD/tests/test_gemm"
suite errors tests/errors/run.sh
suite fuzz tests/errors/fuzz.sh
suite gradcheck tests/gradcheck/run.sh
suite parity "$BUILD/tests/parity" tests/fixtures
suite cli tests/cli/run.sh
suite build tests/build/run.sh

passed=$(grep -c '^ok - ' "$out" || true)
failed=$(grep -c '^not ok - ' "$out" || true)
if [ "$failed" != 0 ]; then
    echo "failures:"
    grep '^not ok - ' "$out"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
