#!/bin/sh
# tests/errors/fuzz.sh — robustness of `dlc check` on broken input.
#
# Runs `dlc check` on a fixed, deterministic list of mutants of models/mlp.dlm (truncations,
# deleted and swapped tokens, odd numbers, inserted bytes) and on a few generated extremes
# (deep nesting, long chains, huge tokens).  Broken input must be rejected as a user error or
# accepted: any exit status other than 0 or 1, a signal, an "internal compiler error" or a run
# over 5 s is a failure.  The messages themselves are tests/errors/run.sh's business.
#
# Prints `ok - fuzz/GROUP (N variants)` per group whose every variant behaved, otherwise
# `not ok - fuzz/GROUP/VARIANT: why` per misbehaving variant.  Always exits 0.  Runs from the
# repository root; DLC names the compiler (default build/dlc).  No randomness: the same
# mutants every run.
set -u
LC_ALL=C
export LC_ALL
cd "$(dirname "$0")/../.." || exit 1
DLC=${DLC:-build/dlc}
SEED=models/mlp.dlm

if [ ! -x "$DLC" ] || [ ! -r "$SEED" ]; then
    echo "not ok - fuzz/setup: need $DLC (run make) and $SEED"
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

if command -v timeout >/dev/null 2>&1; then
    run_dlc() { timeout 5 "$DLC" check "$1"; }
else
    run_dlc() { "$DLC" check "$1"; }
fi

# Variants run JOBS at a time in the background; each writes its verdict (empty when it
# behaved) to $tmp/res/NNNN, and `end` prints them in order, so the output is deterministic.
JOBS=${JOBS:-4}
mkdir "$tmp/res"
group=
count=0
seq=0
begin() { group=$1; count=0; first_seq=$((seq + 1)); }
end() {
    wait
    n=$first_seq
    bad=0
    while [ "$n" -le "$seq" ]; do
        if [ -s "$tmp/res/$n" ]; then cat "$tmp/res/$n"; bad=$((bad + 1)); fi
        n=$((n + 1))
    done
    [ "$bad" = 0 ] && echo "ok - fuzz/$group ($count variants)"
}

# judge VARIANT FILE RESULT: run the compiler on FILE; write why it misbehaved to RESULT.
judge() {
    run_dlc "$2" >/dev/null 2>"$3.err"
    st=$?
    why=
    if grep -q 'internal compiler error' "$3.err"; then why="internal compiler error (exit $st)"
    elif [ "$st" = 124 ] && command -v timeout >/dev/null 2>&1; then why="took over 5 s"
    elif [ "$st" -gt 128 ]; then why="killed by signal $((st - 128))"
    elif [ "$st" != 0 ] && [ "$st" != 1 ]; then why="exit status $st"
    fi
    if [ -n "$why" ]; then
        first=$(sed -n 1p "$3.err" | cut -c 1-200)
        first=$(printf "%s" "$first" | tr '\000-\037\177' '?')
        echo "not ok - fuzz/$group/$1: $why: ${first:-(no stderr)}" >"$3"
    else
        : >"$3"
    fi
}

# try VARIANT: judge the mutant in $tmp/m.dlm (moved aside first, so it may be rewritten).
try() {
    seq=$((seq + 1))
    count=$((count + 1))
    mv "$tmp/m.dlm" "$tmp/m$seq.dlm"
    judge "$1" "$tmp/m$seq.dlm" "$tmp/res/$seq" &
    [ $((seq % JOBS)) = 0 ] && wait
    return 0
}

size=$(wc -c <"$SEED")
size=$((size + 0))

# ---- truncated at every 7th byte ------------------------------------------------------------
begin truncate
i=7
while [ "$i" -lt "$size" ]; do
    head -c "$i" "$SEED" >"$tmp/m.dlm"
    try "at_$i"
    i=$((i + 7))
done
end

# ---- one token deleted / two neighbouring tokens swapped (every 8th token) ------------------
# awk splits the model into tokens (comments skipped) and writes one mutant per line of
# $tmp/list, named MODE_K, in $tmp/tok/.
mkdir "$tmp/tok"
awk -v dir="$tmp/tok" '
    { src = src $0 "\n" }
    END {
        n = 0; p = 1; L = length(src)
        while (p <= L) {
            rest = substr(src, p)
            c = substr(rest, 1, 1)
            if (c ~ /[ \t\r\n]/) { p++; continue }
            if (c == "#") { e = index(rest, "\n"); p += e ? e : length(rest); continue }
            if (match(rest, /^"[^"\n]*"/) || match(rest, /^->/) || match(rest, /^[A-Za-z_][A-Za-z0-9_]*/) ||
                match(rest, /^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?/)) len = RLENGTH
            else len = 1
            n++; st[n] = p; ln[n] = len; p += len
        }
        for (k = 1; k <= n; k += 8) {
            f = dir "/delete_" k ".dlm"
            printf "%s%s", substr(src, 1, st[k] - 1), substr(src, st[k] + ln[k]) > f
            close(f); print "delete_" k
        }
        for (k = 5; k < n; k += 8) {
            a = st[k]; b = st[k] + ln[k]; c2 = st[k + 1]; d = st[k + 1] + ln[k + 1]
            f = dir "/swap_" k ".dlm"
            printf "%s%s%s%s%s", substr(src, 1, a - 1), substr(src, c2, d - c2), substr(src, b, c2 - b),
                   substr(src, a, b - a), substr(src, d) > f
            close(f); print "swap_" k
        }
    }' "$SEED" >"$tmp/list"
begin tokens
while IFS= read -r v; do mv "$tmp/tok/$v.dlm" "$tmp/m.dlm"; try "$v"; done <"$tmp/list"
end

# ---- numbers replaced ------------------------------------------------------------------------
begin numbers
k=0
for e in \
    's/Dense(256)/Dense(0)/' 's/Dense(256)/Dense(1e99)/' \
    's/Dense(256)/Dense(99999999999999999999)/' 's/Dense(10)/Dense(16777216)/' \
    's/28, 28/0, 28/' 's/28, 28/1e99, 28/' 's/28, 28/99999999999999999999, 28/' \
    's/28, 28/2147483648, 2147483648/' 's/28, 28/1000000000000, 1000000000000/' \
    's/classes 10/classes 0/' 's/classes 10/classes 1e99/' \
    's/lr = 1e-3/lr = 1e99/' 's/lr = 1e-3/lr = 1e-400/' 's/lr = 1e-3/lr = 1e999 - 1e999/' \
    's/batch 64/batch 0/' 's/batch 64/batch 1e99/' 's/batch 64/batch 1000000000000/' \
    's/epochs 2/epochs 99999999999999999999/' 's/seed 1/seed -1/' \
    's/flatten/reshape([N, -1])/' 's/flatten/reshape([N, 1e20])/' 's/flatten/reshape([1\/0, -1])/' \
    's/flatten/reshape([N, 0.5])/' 's/flatten/reshape([-1, -1])/'
do
    k=$((k + 1))
    sed "$e" "$SEED" >"$tmp/m.dlm"
    try "edit_$k"
done
end

# ---- bytes inserted --------------------------------------------------------------------------
begin bytes
# Each entry is OFFSET:BYTES, BYTES a printf format (octal escapes) on purpose.
# shellcheck disable=SC1003,SC2059
for pb in 90:'\000' 100:'\377' 120:'\001' 140:'\177' 160:'\200' 180:'\302\240' 200:'"' \
          230:'\t' 260:'\r' 290:'{' 320:'}' 350:'(' 380:')' 410:'#' 440:'[' 470:'\\' 500:'\n'; do
    p=${pb%%:*}
    { head -c "$p" "$SEED"; printf "${pb#*:}"; tail -c +"$((p + 1))" "$SEED"; } >"$tmp/m.dlm"
    try "at_$p"
done
end

# ---- generated extremes ------------------------------------------------------------------------
# gen NAME BODY-KIND COUNT: a small model whose hidden layer is a pathological expression.
gen() {
    awk -v kind="$2" -v n="$3" 'BEGIN {
        printf "model m {\n    input x: f32[N, 4]\n    target y: i32[N] classes 3\n    h = "
        if (kind == "pipe") { printf "x"; for (i = 0; i < n; i++) printf " -> relu" }
        else if (kind == "plus") { printf "x"; for (i = 0; i < n; i++) printf " + x" }
        else if (kind == "paren") { for (i = 0; i < n; i++) printf "("; printf "x"; for (i = 0; i < n; i++) printf ")" }
        else if (kind == "neg") { for (i = 0; i < n; i++) printf "-"; printf "x" }
        else if (kind == "call") { for (i = 0; i < n; i++) printf "relu("; printf "x"; for (i = 0; i < n; i++) printf ")" }
        else if (kind == "ident") { printf "x -> "; for (i = 0; i < n; i++) printf "r" }
        else if (kind == "number") { printf "x -> Dense("; for (i = 0; i < n; i++) printf "9"; printf ")" }
        else if (kind == "list") { printf "reshape(x, ["; for (i = 0; i < n; i++) printf "1, "; printf "N, 4])" }
        else if (kind == "args") { printf "relu(x"; for (i = 0; i < n; i++) printf ", x"; printf ")" }
        else printf "x"
        printf "\n    loss = cross_entropy(h -> Dense(3), y)\n}\n"
        if (kind == "lines") { for (i = 0; i < n; i++) printf "\n"; printf "train { batch 0 }\n" }
    }' >"$tmp/m.dlm"
    try "$1"
}
begin extremes
gen pipe_chain_30000 pipe 30000
gen plus_chain_30000 plus 30000
gen parens_20000 paren 20000
gen minus_20000 neg 20000
gen nested_calls_20000 call 20000
gen identifier_100000 ident 100000
gen number_400_digits number 400
gen reshape_list_1000 list 1000
gen relu_args_1000 args 1000
gen error_after_100000_lines lines 100000
printf '' >"$tmp/m.dlm"; try empty_file
printf 'model' >"$tmp/m.dlm"; try just_model
printf 'model m {' >"$tmp/m.dlm"; try open_model
printf 'model m { }' >"$tmp/m.dlm"; try empty_model
end
exit 0
