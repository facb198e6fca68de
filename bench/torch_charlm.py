#!/usr/bin/python3
"""PyTorch reference for the character language models (models/char_lstm.dlm, char_gru.dlm,
char_gpt.dlm):
the same corpus, split, recipe and held-out evaluation as `dlc train`, so that the validation
perplexities compare like with like.

  torch_charlm.py [--cell lstm|gru|gpt] [--steps 1000] [--seed 1] [--threads 1] [--corpus DIR]
                  [--save-init FILE]

Corpus: the regular files of DIR not ending in .dat (symbolic links skipped), sorted by name,
concatenated as bytes; the vocabulary is the sorted distinct bytes; the last 10 % (floor) is held
out.  Training: batches of 32 windows of 64 bytes at uniformly random positions of the training
part, the next bytes as targets; Adam(2e-3).  Evaluation: the non-overlapping 64-byte windows of
the held-out tail, each from a zero state, cross-entropy averaged over every token; perplexity is
its exponential.  Prints one JSON line.

--save-init FILE writes the seed's initial parameters (PyTorch names, safetensors) and exits, so
that `dlc train --weights FILE` starts from the very point PyTorch's run of that seed starts from:
a paired comparison in which only the implementations (and the window draws) differ.
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


class GPTBlock(nn.Module):
    """models/char_gpt.dlm's Block: pre-norm causal self-attention and GELU feed-forward."""

    def __init__(self, d, heads):
        super().__init__()
        self.ln1 = nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x):
        T = x.shape[1]
        causal = torch.triu(torch.ones(T, T, dtype=torch.bool, device=x.device), diagonal=1)
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=causal, need_weights=False)[0]
        return x + self.fc2(nn.functional.gelu(self.fc1(self.ln2(x))))


class CharGPT(nn.Module):
    """models/char_gpt.dlm: Embedding(vocab, 128) plus learned positions (an Embedding of
    0..T-1, 64 rows), two GPTBlocks in a ModuleList `layers`, LayerNorm `ln`, Linear `head`;
    named as the .dlm, so a dlc checkpoint loads with load_state_dict(strict=True)."""

    def __init__(self, vocab, d=128, heads=4, nlayers=2, max_len=64):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(max_len, d)
        self.layers = nn.ModuleList([GPTBlock(d, heads) for _ in range(nlayers)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab)

    def forward(self, x):
        h = self.emb(x) + self.pos(torch.arange(x.shape[1], device=x.device))
        for layer in self.layers:
            h = layer(h)
        return self.head(self.ln(h))


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
    ap.add_argument("--cell", default="lstm", choices=("lstm", "gru", "gpt"))
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--corpus", default="/usr/share/games/fortunes")
    ap.add_argument("--save-init", metavar="FILE")
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
    model = CharGPT(len(vocab)) if a.cell == "gpt" else CharLM(len(vocab), a.cell)
    if a.save_init:
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "parity"))
        from make_fixtures import write_safetensors
        write_safetensors(a.save_init, model.state_dict())
        return
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
