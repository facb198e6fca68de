#!/bin/sh
# CLI and end-to-end tests: help and option errors, training the MLP on Fashion-MNIST to an
# accuracy a broken gradient could not reach, logs, checkpoints that load into PyTorch and
# back, corrupt inputs, a NaN loss that must leave the last checkpoint intact, NPY data.
cd "$(dirname "$0")/../.." || exit 1
SUITE=cli
. tests/lib.sh

# the text models and the encoder-decoder (their own scripts) train beside the checks below; their
# reports are printed at the end
DLC="$DLC" sh tests/cli/text.sh > "$T/text.report" 2>&1 &
text_job=$!
DLC="$DLC" sh tests/cli/seq2seq.sh > "$T/seq2seq.report" 2>&1 &
seq2seq_job=$!

# ---- help and usage errors ------------------------------------------------------------------
expect help 0 "gradcheck" "$DLC" --help
for c in check train eval run gradcheck build generate bench; do expect "help-$c" 0 "usage: dlc $c" "$DLC" "$c" --help; done
expect no-args 1 "usage" "$DLC"
expect unknown-command 1 "did you mean 'train'" "$DLC" trian models/mlp.dlm
expect unknown-option 1 "did you mean '--epochs'" "$DLC" train models/mlp.dlm --epoch 1
expect bad-option-value 1 "whole number" "$DLC" train models/mlp.dlm --batch x
expect missing-model 1 "cannot read" "$DLC" check "$T/nope.dlm"
expect binary-model 1 "unexpected byte 0x00" "$DLC" check "$DLC"
expect directory-model 1 "Is a directory" "$DLC" check tests

# ---- dlc bench: times are not checked (shared machines), only that it runs and reports them
expect bench-mlp 0 "train step .* ms .* samples/s" "$DLC" bench models/mlp.dlm --threads 1 --batch 16
expect bench-char-lstm 0 "inference .* ms" "$DLC" bench models/char_lstm.dlm --batch 2 --max-len 8

# ---- dumps of every stage -------------------------------------------------------------------
expect dump-ast 0 "cross_entropy" "$DLC" check models/mlp.dlm --dump=ast
expect dump-ir 0 "matmul" "$DLC" check models/mlp.dlm --dump=ir
expect dump-grad 0 "adam_update" "$DLC" check models/mlp.dlm --dump=grad
expect dump-plan 0 "plan train" "$DLC" check models/mlp.dlm --dump=plan
expect dump-kernels 0 "kernel mlp_train" "$DLC" check models/mlp.dlm --dump=kernels
expect dump-llvm 0 "define void @mlp_train" "$DLC" check models/mlp.dlm --dump=llvm
expect summary 0 "total parameters: 235146" "$DLC" check models/mlp.dlm

# ---- threads never change a bit: LeNet (convolutions, pooling, the parallel kernels and GEMMs)
# trained for a few steps on one thread and on three gives byte-identical checkpoints
for th in 1 3; do
    "$DLC" train models/lenet.dlm --quiet --steps 12 --epochs 1 --threads $th --save "$T/lenet_t$th.safetensors" \
        > "$T/lenet_t$th.out" 2>&1 || fail "threads-$th" "$(tail -2 "$T/lenet_t$th.out" | tr '\n' ' ')"
done
cmp -s "$T/lenet_t1.safetensors" "$T/lenet_t3.safetensors" && ok threads-bitwise-identical \
    || fail threads-bitwise-identical "the checkpoints after 1 and 3 threads differ"
expect threads-range 1 "at most 256" "$DLC" train models/lenet.dlm --threads 1000

# ---- training the MLP on Fashion-MNIST --------------------------------------------------------
if "$DLC" train models/mlp.dlm --quiet --save "$T/mlp.safetensors" --log "$T/mlp.jsonl" > "$T/train.out" 2>&1; then
    ok train-mlp
else
    fail train-mlp "$(tail -3 "$T/train.out" | tr '\n' ' ')"
fi
acc=$(grep '"split": "test"' "$T/mlp.jsonl" | tail -1 | sed 's/.*"accuracy": \([0-9.e-]*\).*/\1/')
if [ -n "$acc" ] && awk "BEGIN{exit !($acc >= 0.84)}"; then ok "mlp-accuracy ($acc >= 0.84 after 2 epochs)"
else fail mlp-accuracy "test accuracy '$acc' < 0.84"; fi
n=$(grep -c '"epoch"' "$T/mlp.jsonl")
[ "$n" = 4 ] && ok "log-lines" || fail log-lines "$n JSON lines, wanted 4 (train+test per epoch)"
grep -q '"split": "train", "loss": [0-9]' "$T/mlp.jsonl" && grep -q '"seconds"' "$T/mlp.jsonl" && ok log-fields || fail log-fields "missing fields"
grep -q "^epoch 2/2 .*test accuracy" "$T/train.out" && ok epoch-report || fail epoch-report "$(tail -1 "$T/train.out")"
ls "$T"/mlp.safetensors.tmp.* >/dev/null 2>&1 && fail no-temp-left "temporary checkpoint left behind" || ok no-temp-left

# eval on the checkpoint reproduces the final test accuracy
expect eval-checkpoint 0 "accuracy $(printf '%.4f' "$acc")" "$DLC" eval models/mlp.dlm --weights "$T/mlp.safetensors"

# --steps stops early and still evaluates the held-out split
"$DLC" train models/mlp.dlm --quiet --steps 50 --log "$T/steps.jsonl" > /dev/null 2>&1
grep -q '"step": 50, "split": "test"' "$T/steps.jsonl" && ok steps-stop || fail steps-stop "$(cat "$T/steps.jsonl")"

# the checkpoint loads into torch.nn.Sequential and predicts what dlc run predicts
$PY tests/cli/torch_check.py images "$T/x.npy" 500
expect run-npy 0 "500 outputs" "$DLC" run models/mlp.dlm --weights "$T/mlp.safetensors" --input "$T/x.npy" --output "$T/y.npy"
expect torch-load-state-dict 0 "argmax agreement 1.0000" $PY tests/cli/torch_check.py compare "$T/mlp.safetensors" "$T/x.npy" "$T/y.npy"

# the LeNet checkpoint (convolutions, pools) loads into torch.nn.Sequential and predicts what dlc run predicts
if "$DLC" train models/lenet.dlm --quiet --steps 200 --save "$T/lenet.safetensors" > "$T/lenet.out" 2>&1; then ok train-lenet
else fail train-lenet "$(tail -3 "$T/lenet.out" | tr '\n' ' ')"; fi
expect run-npy-lenet 0 "500 outputs" "$DLC" run models/lenet.dlm --weights "$T/lenet.safetensors" --input "$T/x.npy" --output "$T/ylenet.npy"
expect torch-load-state-dict-lenet 0 "argmax agreement 1.0000" $PY tests/cli/torch_check.py compare-lenet "$T/lenet.safetensors" "$T/x.npy" "$T/ylenet.npy"

# the ResNet checkpoint (blocks, BatchNorm buffers) loads into torch modules and, in eval mode, predicts what dlc run predicts
if "$DLC" train models/resnet_mini.dlm --quiet --steps 20 --save "$T/resnet.safetensors" > "$T/resnet.out" 2>&1; then ok train-resnet
else fail train-resnet "$(tail -3 "$T/resnet.out" | tr '\n' ' ')"; fi
$PY tests/cli/torch_check.py images "$T/x64.npy" 64
expect run-npy-resnet 0 "64 outputs" "$DLC" run models/resnet_mini.dlm --weights "$T/resnet.safetensors" --input "$T/x64.npy" --output "$T/yresnet.npy"
expect torch-load-state-dict-resnet 0 "argmax agreement 1.0000" $PY tests/cli/torch_check.py compare-resnet "$T/resnet.safetensors" "$T/x64.npy" "$T/yresnet.npy"

# ---- bad weights ------------------------------------------------------------------------------
head -c 3000 "$T/mlp.safetensors" > "$T/trunc.safetensors"
expect truncated-weights 1 "trunc.safetensors" "$DLC" eval models/mlp.dlm --weights "$T/trunc.safetensors"
expect missing-weights 1 "$T/none.safetensors" "$DLC" eval models/mlp.dlm --weights "$T/none.safetensors"

# ---- NPY data: regression trains; a NaN loss stops training and keeps the checkpoint ---------
$PY tests/cli/torch_check.py regression "$T"
cp tests/cli/regression.dlm tests/cli/nan.dlm tests/cli/labels.dlm "$T/"
expect wrong-model-weights 1 "no tensor 'fit.weight'" "$DLC" eval "$T/regression.dlm" --weights "$T/mlp.safetensors"
"$DLC" train "$T/regression.dlm" --quiet --log "$T/reg.jsonl" --save "$T/reg.safetensors" > "$T/reg.out" 2>&1
loss=$(grep '"split": "test"' "$T/reg.jsonl" | tail -1 | sed 's/.*"loss": \([0-9.e-]*\).*/\1/')
if [ -n "$loss" ] && awk "BEGIN{exit !($loss < 0.01)}"; then ok "npy-regression (held-out mse $loss)"
else fail npy-regression "held-out mse '$loss': $(tail -2 "$T/reg.out" | tr '\n' ' ')"; fi
cp "$T/reg.safetensors" "$T/keep.safetensors"
expect nan-loss 1 "loss became NaN" "$DLC" train "$T/nan.dlm" --quiet --save "$T/reg.safetensors" --weights "$T/keep.safetensors"
cmp -s "$T/reg.safetensors" "$T/keep.safetensors" && ok nan-keeps-checkpoint || fail nan-keeps-checkpoint "checkpoint changed"
expect label-range 1 "label 7 of sample 100 is outside \[0, 3)" "$DLC" train "$T/labels.dlm" --quiet

# ---- CSV data: Fashion-MNIST in Kaggle's CSV layout trains; malformed tables are located errors -
cp tests/cli/csv.dlm "$T/"
$PY tests/cli/torch_check.py fmnist-csv "$T/fmnist.csv" 5000
"$DLC" train "$T/csv.dlm" --quiet --log "$T/csv.jsonl" > "$T/csv.out" 2>&1
acc=$(grep '"split": "test"' "$T/csv.jsonl" | tail -1 | sed 's/.*"accuracy": \([0-9.e-]*\).*/\1/')
if [ -n "$acc" ] && awk "BEGIN{exit !($acc >= 0.75)}"; then ok "csv-fmnist (held-out accuracy $acc >= 0.75)"
else fail csv-fmnist "accuracy '$acc': $(tail -2 "$T/csv.out" | tr '\n' ' ')"; fi
csv_case() {   # NAME STATUS TABLE-TEXT TARGET-ARG PATTERN: training on a 2-feature table
    printf "$3" > "$T/$1.csv"
    sed -e "s|csv(\"fmnist.csv\", target_column = \"label\")|csv(\"$1.csv\"$4)|" -e 's/f32\[N, 784\]/f32[N, 2]/' \
        -e 's/val_split 0.2/val_split 0/' tests/cli/csv.dlm > "$T/$1.dlm"
    expect "csv-$1" "$2" "$5" "$DLC" train "$T/$1.dlm" --quiet
}
csv_case crlf-quotes-blank-lines 0 'a,b,y\r\n"1", 2 ,0\r\n\r\n3,4,"1"\r\n' '' "2 samples, 0 held out"
csv_case ragged 1 'a,b,y\n1,2,0\n3,4\n' '' "ragged.csv:3: 2 fields, the first line has 3"
csv_case not-a-number 1 'a,b,y\n1,2,0\n3,x4,1\n' '' "not-a-number.csv:3: field 2, 'x4', is not a number"
csv_case no-such-column 1 'a,b,y\n1,2,0\n' ', target_column = "label"' "no column named 'label'"
csv_case no-header 1 '1,2,0\n3,4,1\n' ', target_column = "y"' "no header line"
csv_case column-outside 1 '1,2,0\n3,4,1\n' ', target_column = 5' "target column 5 is outside the 3 columns"
csv_case header-only 1 'a,b,y\n' '' "a header and no rows"
csv_case empty 1 '' '' "no rows"
csv_case fractional-label 1 'a,b,y\n1,2,0.5\n' '' "wants integers"
csv_case nan-feature 1 'a,b,y\n1,nan,1\n' '' "non-finite value"
csv_case nul-bytes 1 'a,b,y\n1,2,0\n3,4\000junk,1\n' '' "has NUL bytes"
csv_case quoted-comma 1 'a,"b,c",y\n3,4,1\n' '' "quoted-comma.csv:1: a quoted field holds a comma"
csv_case duplicate-name 1 'y,a,y\n1,2,0\n' ', target_column = "y"' "two columns are named 'y'"
csv_case bom-tiny-long 0 '\357\273\277y,a,b\n1,4e-320,1.0000000000000000000000000000000000000000000000000000000000000000000000\n' ', target_column = "y"' "1 samples"
csv_case label-first 1 'y,a,b\n12,1,2\n' ', target_column = 0' "label 12 of sample 0 is outside"

# ---- dropout: active and reproducible in training, off in eval and run (its own script) ---------
DLC="$DLC" sh tests/cli/dropout.sh

# ---- text (a character LSTM and GPT: vocabulary, torch loading, generation) and seq2seq (number
# words to digits, trained and decoded greedily), started at the top ------------------------------
wait $text_job $seq2seq_job
cat "$T/text.report" "$T/seq2seq.report"
