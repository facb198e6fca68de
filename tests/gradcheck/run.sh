#!/bin/sh
# Gradient checks in f64: every model here through `dlc gradcheck`, up to 400 elements of every parameter tensor (all of them in the small models) compared
# with central finite differences (worst relative error <= 1e-6, see docs/testing.md).
# A model may add options in a line "# gradcheck-args: OPTIONS", e.g. "--max-len 5" for a
# symbolic sequence length T (x: f32[N, T, 3]), which needs a largest size to run at.
cd "$(dirname "$0")/../.." || exit 1
DLC=${DLC:-build/dlc}
for f in tests/gradcheck/*.dlm; do
    name=$(basename "$f" .dlm)
    args=$(sed -n 's/^# gradcheck-args: //p' "$f")
    # shellcheck disable=SC2086   # $args is a list of options
    if res=$("$DLC" gradcheck "$f" --per-tensor 400 --batch 3 $args 2>&1); then
        echo "ok - gradcheck/$name $(echo "$res" | tail -1)"
    else
        echo "not ok - gradcheck/$name: $(echo "$res" | tail -3 | tr '\n' ' ')"
    fi
done
