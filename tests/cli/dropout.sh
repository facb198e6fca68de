#!/bin/sh
# Dropout through the command line.  Its masks come from dlc's own counter-based RNG, not
# PyTorch's, so instead of element-wise parity this checks the behaviour: while training
# Dropout(0.5) is active (losses differ from evaluation's on the same samples and weights, new
# masks every step, a different trained model) and reproducible; `dlc eval`, the held-out
# evaluation during training and `dlc run` are deterministic and equal, to the bit, to the same
# model without the dropout; Dropout(0) trains exactly like no dropout; the kept values are
# scaled by 1 / (1 - p); the run's seed picks the masks.
# Models: tests/cli/dropout.dlm (and two variants made from it here), dropout_scale.dlm.
cd "$(dirname "$0")/../.." || exit 1
SUITE=cli
. tests/lib.sh

# loss FILE EPOCH SPLIT: the loss of that line of a --log file
loss() { grep "\"epoch\": $2, .*\"split\": \"$3\"" "$1" 2>/dev/null | sed 's/.*"loss": \([^,]*\),.*/\1/'; }
# reldiff A B: |A - B| / max(|B|, 1e-12)
reldiff() { awk "BEGIN{d = $1 - $2; if (d < 0) d = -d; b = $2 < 0 ? -$2 : $2; print d / (b > 1e-12 ? b : 1e-12)}"; }

$PY tests/cli/torch_check.py dropout "$T"
cp tests/cli/dropout.dlm tests/cli/dropout_scale.dlm "$T/"
sed 's/Dropout(0\.5)/Dropout(0)/' tests/cli/dropout.dlm > "$T/zero.dlm"
sed 's/-> drop -> /-> /' tests/cli/dropout.dlm > "$T/nodrop.dlm"
sed 's/"dx\.npy", "dy\.npy"/"sx.npy", "sy.npy"/' tests/cli/dropout.dlm > "$T/same.dlm"
if grep -q "Dropout(0)" "$T/zero.dlm" && ! grep -q -- "-> drop" "$T/nodrop.dlm" && grep -q '"sx.npy"' "$T/same.dlm"; then
    ok dropout-variants
else
    fail dropout-variants "tests/cli/dropout.dlm no longer has the lines this script edits"
fi

# ---- lr 0: the same weights throughout, so losses differ only through the masks ---------------
"$DLC" train "$T/dropout.dlm" --quiet --steps 1 --lr 0 --save "$T/w0.safetensors" > /dev/null 2>&1
"$DLC" train "$T/dropout.dlm" --quiet --lr 0 --epochs 3 --weights "$T/w0.safetensors" --log "$T/d.jsonl" > /dev/null 2>&1
"$DLC" train "$T/nodrop.dlm" --quiet --lr 0 --epochs 3 --weights "$T/w0.safetensors" --log "$T/n.jsonl" > /dev/null 2>&1
d1=$(loss "$T/d.jsonl" 1 train) d2=$(loss "$T/d.jsonl" 2 train) d3=$(loss "$T/d.jsonl" 3 train)
dt=$(loss "$T/d.jsonl" 1 test) dt3=$(loss "$T/d.jsonl" 3 test)
n1=$(loss "$T/n.jsonl" 1 train) n3=$(loss "$T/n.jsonl" 3 train) nt=$(loss "$T/n.jsonl" 1 test)
if [ -z "$d1" ] || [ -z "$d2" ] || [ -z "$d3" ] || [ -z "$dt" ] || [ -z "$n1" ] || [ -z "$n3" ] || [ -z "$nt" ]; then
    fail dropout-logs "missing losses: $(cat "$T/d.jsonl" "$T/n.jsonl" 2>/dev/null | tr '\n' ' ')"
else
    # the control: without dropout the train loss is the held-out loss (the same samples)
    r=$(reldiff "$n1" "$nt")
    if awk "BEGIN{exit !($r <= 1e-5)}" && [ "$n1" = "$n3" ]; then ok "dropout-control (no dropout: train loss $n1 = held-out $nt)"
    else fail dropout-control "without dropout: train losses $n1, $n3, held-out $nt"; fi
    # with it, a step's loss is a random variable around the held-out one: one of three steps
    # far from it is enough (all three within 1e-4 would be a coincidence)
    r=$(for d in "$d1" "$d2" "$d3"; do reldiff "$d" "$dt"; done | sort -g | tail -1)
    if awk "BEGIN{exit !($r > 1e-4)}"; then ok "dropout-active-in-training (train losses $d1 $d2 $d3, held-out $dt)"
    else fail dropout-active-in-training "train losses $d1 $d2 $d3 are the held-out loss $dt of the same samples"; fi
    [ "$d1" != "$d2" ] && [ "$d2" != "$d3" ] && [ "$d1" != "$d3" ] && ok dropout-new-masks-each-step \
        || fail dropout-new-masks-each-step "two steps gave the same train loss with unchanged weights: $d1 $d2 $d3"
    [ "$dt" = "$nt" ] && [ "$dt3" = "$nt" ] && ok "dropout-off-in-evaluation (held-out loss $dt every epoch)" \
        || fail dropout-off-in-evaluation "held-out loss $dt, $dt3 with dropout, $nt without"
fi

# ---- training: reproducible, changed by the dropout, unchanged by Dropout(0) --------------------
"$DLC" train "$T/dropout.dlm" --quiet --save "$T/d1.safetensors" > /dev/null 2>&1
"$DLC" train "$T/dropout.dlm" --quiet --save "$T/d2.safetensors" > /dev/null 2>&1
"$DLC" train "$T/nodrop.dlm" --quiet --save "$T/n.safetensors" > /dev/null 2>&1
"$DLC" train "$T/zero.dlm" --quiet --save "$T/z.safetensors" > /dev/null 2>&1
if [ ! -s "$T/d1.safetensors" ] || [ ! -s "$T/n.safetensors" ] || [ ! -s "$T/z.safetensors" ]; then
    fail dropout-train "training did not write the checkpoints"
else
    cmp -s "$T/d1.safetensors" "$T/d2.safetensors" && ok dropout-reproducible \
        || fail dropout-reproducible "two runs with the same seed trained different weights"
    cmp -s "$T/d1.safetensors" "$T/n.safetensors" && fail dropout-changes-training "Dropout(0.5) trained the same weights as no dropout" \
        || ok dropout-changes-training
    cmp -s "$T/z.safetensors" "$T/n.safetensors" && ok dropout-zero-trains-as-none \
        || fail dropout-zero-trains-as-none "Dropout(0) trained other weights than no dropout"
fi

# ---- inference: deterministic and dropout-free ---------------------------------------------
e1=$("$DLC" eval "$T/dropout.dlm" --weights "$T/d1.safetensors" 2>&1)
e2=$("$DLC" eval "$T/dropout.dlm" --weights "$T/d1.safetensors" 2>&1)
en=$("$DLC" eval "$T/nodrop.dlm" --weights "$T/d1.safetensors" 2>&1)
if echo "$e1" | grep -q "^test: 32 samples, loss" && [ "$e1" = "$e2" ] && [ "$e1" = "$en" ]; then ok "dropout-eval ($e1)"
else fail dropout-eval "'$e1', again '$e2', without dropout '$en'"; fi
"$DLC" run "$T/dropout.dlm" --weights "$T/d1.safetensors" --input "$T/dx.npy" --output "$T/y1.npy" > /dev/null 2>&1
"$DLC" run "$T/dropout.dlm" --weights "$T/d1.safetensors" --input "$T/dx.npy" --output "$T/y2.npy" > /dev/null 2>&1
"$DLC" run "$T/nodrop.dlm" --weights "$T/d1.safetensors" --input "$T/dx.npy" --output "$T/yn.npy" > /dev/null 2>&1
if [ -s "$T/y1.npy" ] && cmp -s "$T/y1.npy" "$T/y2.npy" && cmp -s "$T/y1.npy" "$T/yn.npy"; then ok dropout-run
else fail dropout-run "dlc run outputs differ between runs or from the model without dropout"; fi

# ---- the scaling 1 / (1 - p): x = 1, y = 0, p = 0.25 (see dropout_scale.dlm) -------------------
"$DLC" train "$T/dropout_scale.dlm" --quiet --log "$T/s.jsonl" > /dev/null 2>&1
st=$(loss "$T/s.jsonl" 1 train) se=$(loss "$T/s.jsonl" 1 test)
# 8192 elements: the kept fraction's standard deviation gives 0.0085 on 4/3; allow 6 of them
if [ -n "$st" ] && awk "BEGIN{exit !($st >= 1.28 && $st <= 1.39)}" && [ "$se" = 1 ]; then
    ok "dropout-scale (training loss $st, 4/3 expected; evaluation $se)"
else fail dropout-scale "training loss '$st' (4/3 expected), evaluation '$se' (1 expected)"; fi

# ---- the seed: every training sample equal, so shuffling is moot and only the masks can change
"$DLC" train "$T/same.dlm" --quiet --lr 0 --epochs 1 --weights "$T/w0.safetensors" --seed 1 --log "$T/s1.jsonl" > /dev/null 2>&1
"$DLC" train "$T/same.dlm" --quiet --lr 0 --epochs 1 --weights "$T/w0.safetensors" --seed 2 --log "$T/s2.jsonl" > /dev/null 2>&1
a=$(loss "$T/s1.jsonl" 1 train) b=$(loss "$T/s2.jsonl" 1 train)
if [ -n "$a" ] && [ "$a" != "$b" ]; then ok "dropout-seed (seed 1: $a, seed 2: $b)"
else fail dropout-seed "seeds 1 and 2 drew the same masks (train loss '$a', '$b'): the masks ignore --seed"; fi
