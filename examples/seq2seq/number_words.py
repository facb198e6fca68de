#!/usr/bin/python3
"""The data of models/seq2seq.dlm: English number words to digits, e.g.
"four hundred and twelve thousand and seven" -> "412007".

  number_words.py OUTDIR [--count 40000] [--seed 1]

Draws `count` distinct numbers in [0, 1 000 000) (every number below 1000 included, so each
word is seen in every role) with a fixed seed, in random order, and writes as NPY (int32):

  src.npy   [count, 12]  word ids of the source, 0-padded; vocabulary in src_vocab.txt (id 0: <pad>)
  tgt.npy   [count, 7]   the decoder's input: <bos> then the digits, 0-padded
  next.npy  [count, 7]   the decoder's target: the digits then <eos>, 0-padded

and, for greedy decoding, heldout_src.npy and heldout_next.npy: the last 10 % of the rows, which
`dlc train`'s val_split 0.1 holds out (numbers never seen in training).

Target ids: 0 <pad>, 1 <bos>, 2 <eos>, 3 + d for the digit d.  British usage ("and" before the
last two digits), hyphenated tens written as two words ("seventy-seven" -> "seventy seven").
"""
import argparse
import os
import random

import numpy as np

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
WORDS = ["<pad>"] + ONES + TENS[2:] + ["hundred", "thousand", "and"]
SRC_LEN, TGT_LEN = 12, 7
PAD, BOS, EOS, DIGIT0 = 0, 1, 2, 3


def below_hundred(n):
    if n < 20:
        return [ONES[n]]
    return [TENS[n // 10]] + ([ONES[n % 10]] if n % 10 else [])


def below_thousand(n):
    """n in [1, 1000): "four hundred and twelve"."""
    words = []
    if n >= 100:
        words += [ONES[n // 100], "hundred"]
        if n % 100:
            words += ["and"] + below_hundred(n % 100)
    else:
        words += below_hundred(n)
    return words


def spell(n):
    if n == 0:
        return ["zero"]
    words = []
    if n >= 1000:
        words += below_thousand(n // 1000) + ["thousand"]
        if n % 1000:
            words += (["and"] if n % 1000 < 100 else []) + below_thousand(n % 1000)
        return words
    return below_thousand(n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--count", type=int, default=40000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    numbers = set(range(1000))
    while len(numbers) < a.count:
        numbers.add(rng.randrange(1000000))
    numbers = sorted(numbers)
    rng.shuffle(numbers)
    index = {w: i for i, w in enumerate(WORDS)}
    src = np.zeros((len(numbers), SRC_LEN), np.int32)
    tgt = np.zeros((len(numbers), TGT_LEN), np.int32)
    nxt = np.zeros((len(numbers), TGT_LEN), np.int32)
    for i, n in enumerate(numbers):
        words = spell(n)
        assert len(words) <= SRC_LEN, words
        src[i, :len(words)] = [index[w] for w in words]
        digits = [DIGIT0 + int(c) for c in str(n)]
        tgt[i, :len(digits) + 1] = [BOS] + digits
        nxt[i, :len(digits) + 1] = digits + [EOS]
    os.makedirs(a.outdir, exist_ok=True)
    held = len(numbers) // 10
    for name, arr in (("src", src), ("tgt", tgt), ("next", nxt), ("heldout_src", src[-held:]), ("heldout_next", nxt[-held:])):
        tmp = os.path.join(a.outdir, f".{name}.tmp.npy")
        np.save(tmp, arr)
        os.replace(tmp, os.path.join(a.outdir, f"{name}.npy"))
    with open(os.path.join(a.outdir, "src_vocab.txt"), "w") as f:
        f.write("\n".join(WORDS) + "\n")
    print(f"{len(numbers)} numbers -> {a.outdir}: e.g. {' '.join(spell(numbers[0]))} -> {numbers[0]}")


if __name__ == "__main__":
    main()
