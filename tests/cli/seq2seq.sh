#!/bin/sh
# The encoder-decoder end to end: examples/seq2seq/number_words.py writes the data (English
# number words -> digits), models/seq2seq.dlm trains briefly on them, and dlc generate --input
# decodes the 4000 held-out numbers greedily and scores exact matches.
cd "$(dirname "$0")/../.." || exit 1
SUITE=cli
. tests/lib.sh

D=models/data/numbers
if /usr/bin/python3 examples/seq2seq/number_words.py "$D" > "$T/num.out" 2>&1; then ok seq2seq-data
else fail seq2seq-data "$(tail -2 "$T/num.out" | tr '\n' ' ')"; fi
# two epochs of the eight the model file asks for: most held-out numbers already come out right
S2="$T/seq2seq.safetensors"
if "$DLC" train models/seq2seq.dlm --quiet --epochs 2 --save "$S2" > "$T/s2s.out" 2>&1; then ok train-seq2seq
else fail train-seq2seq "$(tail -3 "$T/s2s.out" | tr '\n' ' ')"; fi
"$DLC" generate models/seq2seq.dlm --weights "$S2" --input "$D/heldout_src.npy" --target "$D/heldout_next.npy" \
    --output "$T/decoded.npy" > "$T/dec.out" 2>&1
em=$(sed -n 's/.*exact match \([0-9.]*\)%.*/\1/p' "$T/dec.out")
if [ -n "$em" ] && awk "BEGIN{exit !($em >= 60)}"; then ok "seq2seq-greedy-decoding (exact match $em % after 2 epochs)"
else fail seq2seq-greedy-decoding "$(cat "$T/dec.out" | tr '\n' ' ')"; fi
# the decoded tokens: digits (3..12) then <eos> (2), zeros after
if /usr/bin/python3 - "$T/decoded.npy" "$D/heldout_next.npy" > "$T/dec.py" 2>&1 <<'PY'
import sys
import numpy as np
got, want = np.load(sys.argv[1]), np.load(sys.argv[2])
assert got.shape == want.shape and got.dtype == np.int32, (got.shape, got.dtype)
rows = [list(r) for r in got]
ok = sum(1 for r in rows if 2 in r and all(3 <= t <= 12 for t in r[:r.index(2)]) and not any(r[r.index(2) + 1:]))
assert ok >= 0.9 * len(rows), ok
PY
then ok seq2seq-decoded-tokens; else fail seq2seq-decoded-tokens "$(tail -2 "$T/dec.py" | tr '\n' ' ')"; fi
expect seq2seq-generate-wrong-target 1 "want \[4000, 7\] target tokens" "$DLC" generate models/seq2seq.dlm --weights "$S2" \
    --input "$D/heldout_src.npy" --target "$D/heldout_src.npy"
expect seq2seq-generate-lm 1 "wants an encoder-decoder" "$DLC" generate models/char_gpt.dlm --weights "$S2" --input "$D/heldout_src.npy"
# ids from a float file must be whole numbers: a NaN would have become token 0
$PY -c "import numpy as np, sys; a = np.load(sys.argv[1]).astype(np.float32); a[1, 2] = np.nan; np.save(sys.argv[2], a)" \
    "$D/heldout_src.npy" "$T/src_nan.npy"
expect seq2seq-generate-nan-ids 1 "element .* is nan" "$DLC" generate models/seq2seq.dlm --weights "$S2" --input "$T/src_nan.npy"
