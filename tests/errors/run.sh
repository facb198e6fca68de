#!/bin/sh
# tests/errors/run.sh — the error-message corpus.
#
# Every tests/errors/*.dlm is a model that is wrong in exactly one way.  Its first line says
# what `dlc check` must report:
#
#     # expect: LINE:COL: error: MESSAGE
#
# The test passes when `dlc check FILE` exits with status 1, the first line of its stderr is
# exactly `tests/errors/FILE:LINE:COL: error: ` followed by text that contains MESSAGE (a plain
# substring, no patterns), and stderr has a caret line (`    | ^~~`, see compiler/diag.c).
#
# Prints `ok - errors/NAME` or `not ok - errors/NAME: why` per file and always exits 0 (the
# caller counts the lines).  Runs from the repository root; DLC names the compiler
# (default build/dlc).
set -u
cd "$(dirname "$0")/../.." || exit 1
DLC=${DLC:-build/dlc}

err=$(mktemp)
trap 'rm -f "$err"' EXIT INT TERM

# A hung compiler must not hang the suite.
if command -v timeout >/dev/null 2>&1; then
    run_dlc() { timeout 10 "$DLC" check "$1"; }
else
    run_dlc() { "$DLC" check "$1"; }
fi

# Stderr lines may hold the very bytes a test feeds in; show them harmlessly.
printable() { printf '%s' "$1" | tr '\000-\037\177' '?'; }

if [ ! -x "$DLC" ]; then
    echo "not ok - errors/setup: no compiler at '$DLC' (run make, or set DLC)"
    exit 0
fi

for f in tests/errors/*.dlm; do
    [ -e "$f" ] || continue
    name=${f#tests/errors/}
    name=${name%.dlm}

    IFS= read -r head <"$f" || head=
    case $head in
        "# expect: "*) spec=${head#"# expect: "} ;;
        *) echo "not ok - errors/$name: first line is not '# expect: LINE:COL: error: MESSAGE'"; continue ;;
    esac
    loc=${spec%%": error: "*}
    msg=${spec#*": error: "}
    case $loc in
        *[!0-9:]* | :* | *: | *:*:* | "$spec") loc=bad ;;
        *:*) ;;
        *) loc=bad ;;
    esac
    if [ "$loc" = bad ] || [ -z "$msg" ]; then
        echo "not ok - errors/$name: cannot read the expectation '$(printable "$spec")'"
        continue
    fi

    run_dlc "$f" >/dev/null 2>"$err"
    status=$?
    first=$(sed -n 1p "$err")
    shown=$(printable "$first")
    [ -n "$shown" ] || shown="(no stderr)"
    prefix="$f:$loc: error: "
    rest=${first#"$prefix"}

    if grep -q 'internal compiler error' "$err"; then
        echo "not ok - errors/$name: internal compiler error (exit $status): $shown"
    elif [ "$status" = 124 ] && command -v timeout >/dev/null 2>&1; then
        echo "not ok - errors/$name: timed out after 10 s: $shown"
    elif [ "$status" -gt 128 ]; then
        echo "not ok - errors/$name: killed by signal $((status - 128)): $shown"
    elif [ "$status" != 1 ]; then
        echo "not ok - errors/$name: exit status $status, expected 1: $shown"
    elif [ "$rest" = "$first" ]; then
        case $first in
            "$f":*": error: "*) echo "not ok - errors/$name: wrong location, expected $loc: $shown" ;;
            *) echo "not ok - errors/$name: expected '$prefix...', got: $shown" ;;
        esac
    else
        case $rest in
            *"$msg"*)
                if grep -q '^ *|[[:blank:]]*^' "$err"; then
                    echo "ok - errors/$name"
                else
                    echo "not ok - errors/$name: no caret line under the source line: $shown"
                fi ;;
            *) echo "not ok - errors/$name: message lacks '$(printable "$msg")': $shown" ;;
        esac
    fi
done
exit 0
