#!/usr/bin/python3
"""PyTorch's side of `make bench`: the reference models of bench/bench.h, written in torch.

  torch_bench.py time THREADS            median train step and inference (ms) of every model with
                                         THREADS intra-op threads; one JSON object on stdout
  torch_bench.py train MODEL STEPS       a training run like `dlc train MODEL.dlm --steps STEPS`
                                         (Fashion-MNIST from its IDX files, Adam, then the test
                                         set evaluated), for bench/run.sh to measure its peak RSS

The thread count is fixed before torch is imported: OMP_NUM_THREADS and OPENBLAS_NUM_THREADS
(torch's dense products go to the system BLAS, which keeps its own thread pool) and then
torch.set_num_threads.  Timing follows bench.h: 5 untimed calls, then the median of 50 timed
train steps from a fresh model, or of at least 20 inference calls (more while under 0.4 s, at
most 400).  A train step is zero_grad, forward, cross-entropy, backward, Adam(lr 1e-3).step;
inference is the forward under torch.no_grad in eval mode.  Inputs are uniform [0, 1), labels
uniform over the classes, from a fixed seed.

A model is one entry of MODELS: the name used in bench.h, a builder mirroring the .dlm's layers
(PyTorch's default initialization, as dlc's), the per-sample input shape, the class count and
the batch.
"""
import gzip
import json
import os
import statistics
import struct
import sys
import time
from collections import OrderedDict

if len(sys.argv) >= 3 and sys.argv[1] == "time":
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = sys.argv[2]

import torch  # noqa: E402  (after the thread environment)
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch_charlm import CharGPT, CharLM  # noqa: E402  (beside this file)

WARMUP, MIN_CALLS, MAX_CALLS, MIN_SECONDS, TRAIN_CALLS = 5, 20, 400, 0.4, 50   # as bench.h
DATA_DIR = "/usr/share/datasets/fashion-mnist"


def mlp():
    """models/mlp.dlm: flatten -> Dense(256) -> relu -> Dense(128) -> relu -> Dense(10)."""
    return nn.Sequential(OrderedDict([
        ("flatten", nn.Flatten()),
        ("fc1", nn.Linear(784, 256)), ("relu1", nn.ReLU()),
        ("fc2", nn.Linear(256, 128)), ("relu2", nn.ReLU()),
        ("out", nn.Linear(128, 10)),
    ]))


def lenet():
    """models/lenet.dlm: Conv2D(6, 5, padding 2) -> relu -> MaxPool2D(2) -> Conv2D(16, 5) -> relu
    -> MaxPool2D(2) -> flatten -> Dense(120) -> relu -> Dense(84) -> relu -> Dense(10)."""
    return nn.Sequential(OrderedDict([
        ("c1", nn.Conv2d(1, 6, 5, padding=2)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
        ("c2", nn.Conv2d(6, 16, 5)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
        ("flatten", nn.Flatten()),
        ("f1", nn.Linear(400, 120)), ("relu3", nn.ReLU()),
        ("f2", nn.Linear(120, 84)), ("relu4", nn.ReLU()),
        ("out", nn.Linear(84, 10)),
    ]))


# name -> (builder, per-sample input shape, classes, batch, learning rate); an input shape of
# ("ids", T) is T token ids with a label per position (a language model)
MODELS = {
    "mlp": (mlp, (1, 28, 28), 10, 64, 1e-3),
    "lenet": (lenet, (1, 28, 28), 10, 64, 1e-3),
    "lstm": (lambda: CharLM(114, "lstm"), ("ids", 64), 114, 32, 2e-3),   # models/char_lstm.dlm
    "gpt": (lambda: CharGPT(114), ("ids", 64), 114, 32, 2e-3),           # models/char_gpt.dlm
}


def median_seconds(fn, calls=0):
    """Median of `calls` timed calls, or of at least MIN_CALLS and 0.4 s when calls is 0."""
    for _ in range(WARMUP):
        fn()
    times, start = [], time.perf_counter()
    while len(times) < MAX_CALLS and (len(times) < calls if calls else
                                      len(times) < MIN_CALLS or time.perf_counter() - start < MIN_SECONDS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_models(threads):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    results = []
    for name, (build, shape, classes, batch, lr) in MODELS.items():
        model = build()
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        if shape[0] == "ids":
            x = torch.randint(0, classes, (batch, shape[1]))
            y = torch.randint(0, classes, (batch, shape[1]))
        else:
            x = torch.rand((batch,) + shape)
            y = torch.randint(0, classes, (batch,))

        def train_step():
            opt.zero_grad()
            loss = F.cross_entropy(model(x).reshape(y.numel(), -1), y.reshape(-1))
            loss.backward()
            opt.step()

        def infer():
            with torch.no_grad():
                model(x)

        model.train()
        train_s = median_seconds(train_step, TRAIN_CALLS)
        model.eval()
        infer_s = median_seconds(infer)
        print(f"  torch {name}: {threads} thread{'s' if threads > 1 else ''}: train step {train_s * 1e3:.3f} ms, "
              f"inference {infer_s * 1e3:.3f} ms", file=sys.stderr)
        results.append({"name": name, "batch": batch, "train_ms": train_s * 1e3, "infer_ms": infer_s * 1e3})
    malloc = {k: v for k, v in os.environ.items() if k.startswith("MALLOC_") or k == "GLIBC_TUNABLES"}
    return {"threads": threads, "torch_threads": torch.get_num_threads(), "torch": torch.__version__,
            "blas": os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3"), "malloc_env": malloc,
            "models": results}


def read_idx(path):
    """An IDX file (gzip): u8 data as a tensor of its shape."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


def train_run(name, steps):
    build, shape, classes, batch, lr = MODELS[name]
    torch.manual_seed(1)
    # images stay bytes and become f32 in [0, 1] a batch at a time, as torchvision's datasets
    # (uint8 data, ToTensor per item) and dlc (dlrt_dataset_idx_bytes) both do
    x = read_idx(f"{DATA_DIR}/train-images-idx3-ubyte.gz").reshape((-1,) + shape)
    y = read_idx(f"{DATA_DIR}/train-labels-idx1-ubyte.gz").long()
    tx = read_idx(f"{DATA_DIR}/t10k-images-idx3-ubyte.gz").reshape((-1,) + shape)
    ty = read_idx(f"{DATA_DIR}/t10k-labels-idx1-ubyte.gz").long()
    model = build()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    order = torch.randperm(len(x))
    model.train()
    for step in range(steps):
        idx = order[(step * batch) % len(x):][:batch]
        opt.zero_grad()
        loss = F.cross_entropy(model(x[idx].float().div_(255)), y[idx])
        loss.backward()
        opt.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(tx), batch):
            correct += (model(tx[i:i + batch].float().div_(255)).argmax(1) == ty[i:i + batch]).sum().item()
    print(f"torch {name}: {steps} steps, last loss {loss.item():.4f}, test accuracy {correct / len(tx):.4f}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "time":
        print(json.dumps(time_models(int(sys.argv[2]))))
    elif len(sys.argv) == 4 and sys.argv[1] == "train" and sys.argv[2] in MODELS:
        train_run(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(f"usage: {sys.argv[0]} time THREADS | train MODEL STEPS   (MODEL: {', '.join(MODELS)})")


if __name__ == "__main__":
    main()
