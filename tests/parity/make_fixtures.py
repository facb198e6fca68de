#!/usr/bin/python3
"""Write the PyTorch reference fixtures that tests/parity/parity.c compares dlc against.

  make_fixtures.py [OUTDIR]      (default: tests/fixtures; `make fixtures` runs this)

For every model in tests/parity/models there is a torch module below, written by hand to
compute the same function, with dlc's parameter names (the .dlm layer name + ".weight" /
".bias", Linear layout [out, in], ConvNd [out, in / groups, *kernel]).  From a fixed seed it
makes the initial weights and one random batch (the batch size of the model's train section),
then writes two files, by hand with struct + json because python3-safetensors is not installed:

  <model>.weights.safetensors   exactly model.state_dict(), to prove a torch file loads in dlc
  <model>.data.safetensors      the inputs and targets (f32 inputs, i32 class labels);
                                "output" (the forward output), "loss" (shape []), each
                                metric (e.g. "accuracy", a count), "grad.<param>"; then for
                                three torch.optim steps on the same batch, "step<k>.loss" (the
                                loss the step's forward saw) and "step<k>.<param>" (after it)

Everything is float32, as dlc compiles by default.
"""
import json
import os
import re
import struct
import sys
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

# torch notes that an even kernel with padding="same" pads a copy of the input (the extra
# element after, which is the behaviour these fixtures pin down); nothing to act on.
warnings.filterwarnings("ignore", message="Using padding='same' with even kernel lengths")

MODELS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "models")
STEPS = 3
ST_DTYPES = {torch.float32: "F32", torch.int32: "I32"}


# ---- the models, mirroring tests/parity/models/*.dlm ------------------------------------------
class MlpAdam(nn.Module):
    """mlp_adam.dlm: flatten [N,1,28,28] -> 784-256-128-10 with ReLU."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.out = nn.Linear(128, 10)

    def forward(self, image):
        h = F.relu(self.fc1(image.flatten(1)))
        return self.out(F.relu(self.fc2(h)))


class ActsMomentum(nn.Module):
    """acts_momentum.dlm: every activation, broadcasting arithmetic, a shared bias-free layer."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(12, 10)
        self.mix = nn.Linear(10, 10, bias=False)
        self.gate = nn.Linear(12, 1)
        self.head = nn.Linear(10, 6)

    def forward(self, x):
        h1 = self.enc(x)                                  # [N, 10]
        a1 = torch.sigmoid(h1)
        a2 = torch.tanh(self.mix(h1))
        a3 = F.gelu(self.mix(a2))                         # mix again: shared weight
        a4 = F.leaky_relu(a3 * 2 - h1, 0.2)
        g = self.gate(x)                                  # [N, 1]
        a5 = a4 * torch.sigmoid(g) + a1 / (1.5 + torch.exp(g))
        a6 = torch.log(1 + torch.exp(-a5))
        z = self.head(a6)                                 # [N, 6]
        return F.softmax(z, dim=-1) - F.log_softmax(z, dim=-1) / 4


class TinySgd(nn.Module):
    """tiny_sgd.dlm: 7 -> 5 -> 3 with tanh."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(7, 5)
        self.out = nn.Linear(5, 3)

    def forward(self, x):
        return self.out(torch.tanh(self.hidden(x)))


class Conv2dConfigs(nn.Module):
    """conv2d_configs.dlm: stride 2 + padding 1, "same" with an even kernel, depthwise "same" with
    dilation 2, a [2, 3] kernel with dilation [1, 2] and "same", a grouped [3, 2] convolution
    and a row dilation without bias, max- and average-pooling with padding, two branches added,
    GlobalAvgPool."""

    def __init__(self):
        super().__init__()
        self.down = nn.Conv2d(4, 8, 3, stride=2, padding=1)
        self.same4 = nn.Conv2d(4, 8, 4, padding="same")      # torch pads 1 before, 2 after
        self.dw = nn.Conv2d(8, 8, 3, dilation=2, padding="same", groups=8)
        self.rect = nn.Conv2d(8, 8, (2, 3), dilation=(1, 2), padding="same")
        self.grp = nn.Conv2d(8, 6, (3, 2), stride=(1, 2), padding=(1, 0), dilation=(2, 1), groups=2,
                             bias=False)
        self.head = nn.Linear(6, 5)

    def forward(self, x):                                     # x [N, 4, 11, 9]
        a = self.down(x)                                      # [N, 8, 6, 5]
        b = F.max_pool2d(F.relu(self.same4(x)), 3, stride=2, padding=1)
        h = torch.sigmoid(self.rect(F.relu(self.dw(torch.tanh(a + b)))))
        p = F.avg_pool2d(self.grp(h), 2, padding=1)           # count_include_pad=True (default)
        return self.head(p.mean(dim=(2, 3)))                  # GlobalAvgPool -> [N, 5]


class Conv1dConfigs(nn.Module):
    """conv1d_configs.dlm: Conv1d with stride + dilation + padding, dilation + "same" + groups
    applied twice, an even kernel with "same", groups and no bias, a kernel-1 "valid"
    convolution; max/avg pools with padding, an avg pool that drops the tail, a residual add
    and a broadcast side branch."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv1d(6, 8, 4, stride=2, padding=3, dilation=2)
        self.c2 = nn.Conv1d(8, 8, 3, dilation=2, padding="same", groups=4)
        self.c3 = nn.Conv1d(8, 6, 2, padding="same", groups=2, bias=False)  # pad 0 before, 1 after
        self.c4 = nn.Conv1d(6, 3, 1, padding="valid")
        self.side = nn.Linear(6, 3)

    def forward(self, x):                                     # x [N, 6, 25]
        h = F.max_pool1d(F.gelu(self.c1(x)), 3, stride=2, padding=1)   # [N, 8, 7]
        r = h + self.c2(torch.tanh(self.c2(h)))               # c2 twice: shared weights
        u = self.c3(r)                                        # [N, 6, 7]
        main = self.c4(F.avg_pool1d(u, 2, padding=1))         # [N, 3, 4]
        s = self.side(F.avg_pool1d(u, 3).mean(dim=2))         # [N, 6, 2] -> [N, 6] -> [N, 3]
        return main + s.reshape(-1, 3, 1)


class LeNet(nn.Module):
    """lenet.dlm (models/lenet.dlm's architecture): conv 5x5 pad 2, pool 2, conv 5x5, pool 2,
    400-120-84-10, ReLU throughout."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5, padding=2)
        self.c2 = nn.Conv2d(6, 16, 5)
        self.f1 = nn.Linear(400, 120)
        self.f2 = nn.Linear(120, 84)
        self.out = nn.Linear(84, 10)

    def forward(self, image):
        h = F.max_pool2d(F.relu(self.c1(image)), 2)
        h = F.max_pool2d(F.relu(self.c2(h)), 2)
        h = F.relu(self.f1(h.flatten(1)))
        return self.out(F.relu(self.f2(h)))


class DropoutZero(nn.Module):
    """dropout_zero.dlm without its Dropout(0) layers, which must be the identity everywhere."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 5, 3)
        self.fc = nn.Linear(45, 12)
        self.out = nn.Linear(12, 4)

    def forward(self, x):
        h = F.avg_pool2d(F.relu(self.conv(x)), 2).flatten(1)
        return self.out(torch.tanh(self.fc(h)))


def accuracy(logits, labels):
    """Count of argmax == label, as dlc's accuracy metric returns it."""
    return (logits.argmax(dim=-1) == labels.long()).sum().to(torch.float32)


# Per model: the module, how to make one batch (input name -> tensor, target name -> tensor),
# the loss, the metrics, the optimizer, and the train-section lines the .dlm must contain
# (checked, so that the two cannot drift apart silently).
SPECS = {
    "mlp_adam": dict(
        module=MlpAdam, batch=64, input="image", target="label",
        make_x=lambda n: torch.rand(n, 1, 28, 28),
        make_y=lambda n: torch.randint(0, 10, (n,), dtype=torch.int32),
        loss=lambda out, y: F.cross_entropy(out, y.long()),
        metrics={"accuracy": accuracy},
        optimizer=lambda ps: torch.optim.Adam(ps, lr=1e-3),
        dlm_optimizer="Adam(lr = 1e-3)"),
    "acts_momentum": dict(
        module=ActsMomentum, batch=8, input="x", target="y",
        make_x=lambda n: torch.randn(n, 12),
        make_y=lambda n: torch.randn(n, 6) * 0.5,
        loss=F.mse_loss,
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.01),
        dlm_optimizer="SGD(lr = 0.05, momentum = 0.9, weight_decay = 0.01)"),
    "tiny_sgd": dict(
        module=TinySgd, batch=1, input="x", target="y",
        make_x=lambda n: torch.randn(n, 7),
        make_y=lambda n: torch.randint(0, 3, (n,), dtype=torch.int32),
        loss=lambda out, y: F.cross_entropy(out, y.long()),
        metrics={"accuracy": accuracy},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1),
        dlm_optimizer="SGD(lr = 0.1)"),
    "conv2d_configs": dict(
        module=Conv2dConfigs, batch=1, input="x", target="y",
        make_x=lambda n: torch.randn(n, 4, 11, 9),
        make_y=lambda n: torch.randint(0, 5, (n,), dtype=torch.int32),
        loss=lambda out, y: F.cross_entropy(out, y.long()),
        metrics={"accuracy": accuracy},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        dlm_optimizer="SGD(lr = 0.1, momentum = 0.9)"),
    "conv1d_configs": dict(
        module=Conv1dConfigs, batch=4, input="x", target="t",
        make_x=lambda n: torch.randn(n, 6, 25),
        make_y=lambda n: torch.randn(n, 3, 4) * 0.5,
        loss=F.mse_loss,
        metrics={},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.05, weight_decay=0.01),
        dlm_optimizer="SGD(lr = 0.05, weight_decay = 0.01)"),
    "lenet": dict(
        module=LeNet, batch=16, input="image", target="label",
        make_x=lambda n: torch.rand(n, 1, 28, 28),
        make_y=lambda n: torch.randint(0, 10, (n,), dtype=torch.int32),
        loss=lambda out, y: F.cross_entropy(out, y.long()),
        metrics={"accuracy": accuracy},
        optimizer=lambda ps: torch.optim.Adam(ps, lr=1e-3),
        dlm_optimizer="Adam(lr = 1e-3)"),
    "dropout_zero": dict(
        module=DropoutZero, batch=6, input="x", target="y",
        make_x=lambda n: torch.randn(n, 3, 8, 8),
        make_y=lambda n: torch.randint(0, 4, (n,), dtype=torch.int32),
        loss=lambda out, y: F.cross_entropy(out, y.long()),
        metrics={"accuracy": accuracy},
        optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.5),
        dlm_optimizer="SGD(lr = 0.1, momentum = 0.5)"),
}


# ---- safetensors, by hand ---------------------------------------------------------------------
def write_safetensors(path, tensors):
    """Write {name: tensor} (f32/i32) as safetensors: u64 LE header size, JSON header padded
    with spaces to a multiple of 8, then the raw little-endian data; atomically."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        data = t.numpy().tobytes()          # numpy is little-endian on every platform we use
        header[name] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


# ---- one model --------------------------------------------------------------------------------
def check_dlm(name, spec):
    """The .dlm's train section must say what the spec assumes (batch and optimizer)."""
    with open(os.path.join(MODELS_DIR, name + ".dlm")) as f:
        text = f.read()
    m = re.search(r"\bbatch\s+(\d+)", text)
    if not m or int(m.group(1)) != spec["batch"]:
        sys.exit(f"{name}.dlm: train section batch is not {spec['batch']}")
    if "optimizer " + spec["dlm_optimizer"] not in text:
        sys.exit(f"{name}.dlm: train section optimizer is not {spec['dlm_optimizer']}")


def make_fixture(name, spec, outdir):
    check_dlm(name, spec)
    torch.manual_seed(0)
    model = spec["module"]()
    n = spec["batch"]
    x, y = spec["make_x"](n), spec["make_y"](n)
    write_safetensors(os.path.join(outdir, name + ".weights.safetensors"), model.state_dict())

    data = {spec["input"]: x, spec["target"]: y}
    # forward, loss, metrics and gradients at the initial weights
    out = model(x)
    loss = spec["loss"](out, y)
    loss.backward()
    data["output"] = out
    data["loss"] = loss.reshape([])
    for mname, fn in spec["metrics"].items():
        data[mname] = fn(out, y).reshape([])
    for pname, p in model.named_parameters():
        data["grad." + pname] = p.grad.clone()

    # STEPS optimizer steps on the same batch, from the same initial weights
    opt = spec["optimizer"](model.parameters())
    for k in range(1, STEPS + 1):
        opt.zero_grad()
        loss = spec["loss"](model(x), y)
        loss.backward()
        opt.step()
        data[f"step{k}.loss"] = loss.detach().reshape([])
        for pname, p in model.named_parameters():
            data[f"step{k}.{pname}"] = p.detach().clone()
    write_safetensors(os.path.join(outdir, name + ".data.safetensors"), data)
    print(f"{name}: batch {n}, {sum(p.numel() for p in model.parameters())} parameters, "
          f"loss {data['loss'].item():.6f}")


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures"
    os.makedirs(outdir, exist_ok=True)
    torch.set_num_threads(1)     # one summation order, so the fixtures are reproducible
    dlms = sorted(f[:-4] for f in os.listdir(MODELS_DIR) if f.endswith(".dlm"))
    missing = [m for m in dlms if m not in SPECS]
    if missing:
        sys.exit(f"no torch module for {', '.join(missing)} (add it to SPECS)")
    for name in dlms:
        make_fixture(name, SPECS[name], outdir)


if __name__ == "__main__":
    main()
