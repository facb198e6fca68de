#!/usr/bin/python3
"""PyTorch reference for the character language models (models/char_lstm.dlm, char_gru.dlm):
the same corpus, split, recipe and held-out evaluation as `dlc train`, so that the validation
perplexities compare like with like.

  torch_charlm.py [--cell lstm|gru] [--steps 1000] [--seed 1] [--threads 1] [--corpus DIR]

Corpus: the regular files of DIR not ending in .dat (symbolic links skipped), sorted by name,
concatenated as bytes; the vocabulary is the sorted distinct bytes; the last 10 % (floor) is held
out.  Training: batches of 32 windows of 64 bytes at uniformly random positions of the training
part, the next bytes as targets; Adam(2e-3).  Evaluation: the non-overlapping 64-byte windows of
the held-out tail, each from a zero state, cross-entropy averaged over every token; perplexity is
its exponential.  Prints one JSON line.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn


def read_corpus(path):
    names = sorted(n for n in os.listdir(path) if not n.endswith(".dat"))
    data = bytearray()
    for n in names:
        p = os.path.join(path, n)
        if os.path.islink(p) or not os.path.isfile(p):
            continue
        with open(p, "rb") as f:
            data += f.read()
    return bytes(data)


class CharLM(nn.Module):
    """models/char_lstm.dlm (cell "lstm") or char_gru.dlm ("gru"): Embedding(vocab, 64), a 2-layer
    LSTM/GRU(256) batch first, Linear(256, vocab); named emb / lstm or gru / head as in the .dlm,
    so a dlc checkpoint loads with load_state_dict(strict=True)."""

    def __init__(self, vocab, cell):
        super().__init__()
        self.cell = cell
        self.emb = nn.Embedding(vocab, 64)
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        setattr(self, cell, rnn(64, 256, num_layers=2, batch_first=True))
        self.head = nn.Linear(256, vocab)

    def forward(self, x):
        return self.head(getattr(self, self.cell)(self.emb(x))[0])


def evaluate(model, ids, window, batch=32):
    n = (len(ids) - 1) // window
    total, count = 0.0, 0
    with torch.no_grad():
        for s in range(0, n, batch):
            k = min(batch, n - s)
            starts = torch.arange(s, s + k) * window
            idx = starts[:, None] + torch.arange(window)[None, :]
            x, y = ids[idx], ids[idx + 1]
            logits = model(x)
            total += nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                                                 reduction="sum").item()
            count += y.numel()
    return total / count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cell", default="lstm", choices=("lstm", "gru"))
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--corpus", default="/usr/share/games/fortunes")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    text = read_corpus(a.corpus)
    vocab = sorted(set(text))
    lut = torch.zeros(256, dtype=torch.long)
    lut[torch.tensor(vocab)] = torch.arange(len(vocab))
    ids = lut[torch.frombuffer(bytearray(text), dtype=torch.uint8).long()]
    held = int(math.floor(len(ids) * 0.1))
    train_ids, val_ids = ids[:len(ids) - held], ids[len(ids) - held:]

    window, batch = 64, 32
    model = CharLM(len(vocab), a.cell)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    t0 = time.time()
    for step in range(a.steps):
        starts = torch.randint(0, len(train_ids) - window, (batch,))
        idx = starts[:, None] + torch.arange(window)[None, :]
        x, y = train_ids[idx], train_ids[idx + 1]
        logits = model(x)
        loss = nn.functional.cross_entropy(logits.reshape(-1, len(vocab)), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    train_s = time.time() - t0
    model.eval()
    ce = evaluate(model, val_ids, window)
    print(json.dumps({"cell": a.cell, "steps": a.steps, "seed": a.seed, "threads": a.threads, "vocab": len(vocab),
                      "train_seconds": round(train_s, 1), "val_ce": round(ce, 4), "val_perplexity": round(math.exp(ce), 3),
                      "val_bpc": round(ce / math.log(2), 4)}))


if __name__ == "__main__":
    sys.exit(main())
