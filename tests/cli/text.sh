#!/bin/sh
# Text models end to end: models/char_lstm.dlm trains a few steps on the fortunes corpus, its
# checkpoint carries the vocabulary and loads into the equivalent torch module (same logits as
# `dlc run`), and `dlc generate` samples reproducibly from it; models/char_gpt.dlm likewise.
cd "$(dirname "$0")/../.." || exit 1
SUITE=cli
. tests/lib.sh

# train_char NAME STEPS CHECKPOINT: models/char_NAME.dlm trains for STEPS steps; a few dozen Adam
# steps take the held-out perplexity well below the vocabulary's 114 (uniform guessing; unigram
# frequencies give about 25)
train_char() {
    if "$DLC" train "models/char_$1.dlm" --quiet --steps "$2" --save "$3" > "$T/$1.out" 2>&1; then ok "train-char-$1"
    else fail "train-char-$1" "$(tail -3 "$T/$1.out" | tr '\n' ' ')"; fi
    ppl=$(sed -n 's/.*test perplexity \([0-9.]*\).*/\1/p' "$T/$1.out" | tail -1)
    if [ -n "$ppl" ] && awk "BEGIN{exit !($ppl < 40)}"; then ok "char-$1-learns (held-out perplexity $ppl)"
    else fail "char-$1-learns" "held-out perplexity '$ppl'"; fi
}

CK="$T/char_lstm.safetensors"
train_char lstm 40 "$CK"
grep -q '"dlc.vocab":"bytes:[0-9,]*,10,32,33,' "$CK" && ok checkpoint-vocabulary || fail checkpoint-vocabulary "no dlc.vocab metadata"

# torch.nn.Embedding + LSTM(batch_first) + Linear with load_state_dict(strict=True): same logits
$PY tests/cli/torch_check.py text-ids "$T/ids.npy" 3 64 114
expect run-char-lstm 0 "3 outputs" "$DLC" run models/char_lstm.dlm --weights "$CK" --input "$T/ids.npy" --output "$T/logits.npy"
expect torch-load-state-dict-char-lstm 0 "max abs difference" $PY tests/cli/torch_check.py compare-char-lstm "$CK" "$T/ids.npy" "$T/logits.npy"

# generate: the prompt, then --length tokens; the same seed gives the same text
"$DLC" generate models/char_lstm.dlm --weights "$CK" --prompt "The " --length 60 --seed 7 > "$T/g1.txt" 2> "$T/g.err"
"$DLC" generate models/char_lstm.dlm --weights "$CK" --prompt "The " --length 60 --seed 7 > "$T/g2.txt" 2>> "$T/g.err"
n=$(head -c 4 "$T/g1.txt")
len=$(wc -c < "$T/g1.txt")
if [ "$n" = "The " ] && [ "$len" -ge 65 ] && cmp -s "$T/g1.txt" "$T/g2.txt"; then ok generate-reproducible
else fail generate-reproducible "prompt '$n', $len bytes, $(cat "$T/g.err" | tr '\n' ' ')"; fi
expect generate-greedy 0 "The" "$DLC" generate models/char_lstm.dlm --weights "$CK" --prompt "The" --length 20 --temperature 0
expect generate-unknown-char 1 "not in the model's vocabulary" "$DLC" generate models/char_lstm.dlm --weights "$CK" --prompt "$(printf 'a\001')"
# a context of 8 and 100 tokens: the token buffer slides (it holds twice the context, not the
# length), at other points for a prompt of other length; the model reads only the last 8
# tokens, so two prompts that end alike continue alike
"$DLC" generate models/char_lstm.dlm --weights "$CK" --prompt "abcdefgh" --context 8 --length 100 --seed 3 > "$T/g3.txt" 2> "$T/g3.err"
"$DLC" generate models/char_lstm.dlm --weights "$CK" --prompt "Zy xabcdefgh" --context 8 --length 100 --seed 3 > "$T/g4.txt" 2>> "$T/g3.err"
if [ "$(wc -c < "$T/g3.txt")" = 109 ] && [ "$(tail -c +9 "$T/g3.txt")" = "$(tail -c +13 "$T/g4.txt")" ]; then ok generate-past-the-context
else fail generate-past-the-context "$(wc -c < "$T/g3.txt") bytes, or the continuations differ: $(tr '\n' ' ' < "$T/g3.err")"; fi
: > "$T/empty.txt"
sed "s|/usr/share/games/fortunes|$T/empty.txt|" models/char_lstm.dlm > "$T/empty_text.dlm"
expect text-empty-file 1 "no text in .*empty.txt" "$DLC" check "$T/empty_text.dlm"
expect generate-no-vocab 1 "has no vocabulary" "$DLC" generate models/char_lstm.dlm --weights tests/fixtures/mlp_adam.weights.safetensors

# examples/chargen.c steps examples/char_step.dlm (built for one token, the checkpoint embedded)
# through the prompt and its continuation, carrying the LSTM's states: its greedy text is what
# dlc generate writes when it reruns the whole text from a zero state at every step.
if "$DLC" build examples/char_step.dlm --max-len 1 --batch 1 --weights "$CK" -o "$T/char_step.o" > "$T/b.out" 2>&1 &&
   ${CC:-cc} -std=c99 -O2 -Wall -Wextra -Werror -I"$T" -Iruntime -o "$T/chargen" examples/chargen.c "$T/char_step.o" \
       "${BUILD:-build}/libdlrt.a" -lz -lm -pthread 2>> "$T/b.out"; then ok build-chargen-example
else fail build-chargen-example "$(tail -3 "$T/b.out" | tr '\n' ' ')"; fi
"$T/chargen" "$CK" "Once upon a time" 100 > "$T/step.txt" 2>&1
"$DLC" generate models/char_lstm.dlm --weights "$CK" --prompt "Once upon a time" --length 100 --temperature 0 --context 120 > "$T/whole.txt" 2>&1
if [ "$(wc -c < "$T/step.txt")" -ge 117 ] && cmp -s "$T/step.txt" "$T/whole.txt"; then ok chargen-steps-like-generate
else fail chargen-steps-like-generate "step: $(head -c 150 "$T/step.txt" | tr '\n' ' ') / whole: $(head -c 150 "$T/whole.txt" | tr '\n' ' ')"; fi

# models/char_gpt.dlm: a few steps, then its checkpoint in torch (CharGPT: nn.MultiheadAttention
# with a causal mask, learned positions) against dlc run, which streams the attention
CG="$T/char_gpt.safetensors"
train_char gpt 30 "$CG"
expect run-char-gpt 0 "3 outputs" "$DLC" run models/char_gpt.dlm --weights "$CG" --input "$T/ids.npy" --output "$T/gpt_logits.npy"
expect torch-load-state-dict-char-gpt 0 "max abs difference" $PY tests/cli/torch_check.py compare-char-gpt "$CG" "$T/ids.npy" "$T/gpt_logits.npy"
expect generate-char-gpt 0 "The" "$DLC" generate models/char_gpt.dlm --weights "$CG" --prompt "The" --length 30 --seed 2
expect generate-char-gpt-context 1 "has positions for T up to 64" "$DLC" generate models/char_gpt.dlm --weights "$CG" --prompt "The" --context 100
