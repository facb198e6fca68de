# tests/lib.sh — what the shell suites share.  Source it from the repository root after
# setting SUITE (the prefix of check names); it sets DLC, PY and a scratch directory T that is
# removed on exit, and defines the reporting helpers.
DLC=${DLC:-build/dlc}
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

ok() { echo "ok - $SUITE/$1"; }
fail() { echo "not ok - $SUITE/$1: $2"; }
# expect NAME STATUS PATTERN CMD...: the command's exit status, and a pattern in its output
expect() {
    name=$1 want=$2 pat=$3; shift 3
    got=$("$@" 2>&1); st=$?
    if [ "$st" != "$want" ]; then fail "$name" "exit $st, wanted $want: $(echo "$got" | head -3 | tr '\n' ' ')"
    elif ! echo "$got" | grep -q -- "$pat"; then fail "$name" "no '$pat' in: $(echo "$got" | head -3 | tr '\n' ' ')"
    else ok "$name"; fi
}
