"""torch_check.py — PyTorch side of the CLI tests (run with /usr/bin/python3).

  torch_check.py images OUT.npy N        first N Fashion-MNIST test images, [N,1,28,28] f32
  torch_check.py compare CKPT X.npy Y.npy  load a dlc checkpoint into the equivalent
                                           nn.Sequential with load_state_dict(strict=True),
                                           run X and compare with dlc's output Y
  torch_check.py compare-lenet CKPT X.npy Y.npy  the same for models/lenet.dlm (Conv2d, MaxPool2d)
  torch_check.py compare-resnet CKPT X.npy Y.npy the same for models/resnet_mini.dlm (blocks as
                                           nn.Modules, BatchNorm buffers included), in eval mode
  torch_check.py regression DIR           a small y = 2x - 1 (+ noise) NPY dataset in DIR
  torch_check.py dropout DIR              NPY data for dropout.sh: dx/dy (32 samples twice, so
                                          val_split 0.5 holds out a copy of the training half),
                                          sx/sy (one sample 64 times), ones/zeros [256, 64]
  torch_check.py fmnist-csv OUT.csv N    the first N Fashion-MNIST training images as CSV in the
                                          layout of Kaggle's fashion-mnist_train.csv: a header
                                          "label,pixel1,...,pixel784", then a label and 784 bytes
                                          per row
  torch_check.py text-ids OUT.npy N T V   N random token-id windows [N, T] (i32) below V
  torch_check.py compare-char-lstm CKPT X.npy Y.npy  models/char_lstm.dlm as Embedding + LSTM
                                          (batch_first) + Linear; logits compared with dlc run's
Exit status 0 on success; messages on stderr."""
import gzip, json, os, struct, sys
from collections import OrderedDict
import numpy as np

FMNIST = "/usr/share/datasets/fashion-mnist"

def read_idx(path):
    data = gzip.open(path).read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)

def read_safetensors(path):
    import torch
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    kinds = {"F32": np.float32, "F64": np.float64, "I32": np.int32, "I64": np.int64}
    out = OrderedDict()
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        arr = np.frombuffer(raw[base + b:base + e], dtype=kinds[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.tensor(arr.copy())
    return out

def compare(model, ckpt, x_path, y_path):
    """Load the dlc checkpoint into `model` (strict), run X through it, compare with dlc's Y."""
    import torch
    model.load_state_dict(read_safetensors(ckpt), strict=True)
    x = torch.tensor(np.load(x_path))
    with torch.no_grad():
        want = model(x).numpy()
    got = np.load(y_path)
    err = np.abs(want - got).max() / max(np.abs(want).max(), 1e-12)
    agree = (want.argmax(1) == got.argmax(1)).mean()
    print(f"torch vs dlc: rel. error {err:.3g}, argmax agreement {agree:.4f}", file=sys.stderr)
    sys.exit(0 if err <= 1e-5 and agree == 1.0 else 1)

def resnet_mini():
    """models/resnet_mini.dlm as torch modules whose state_dict keys are dlc's parameter names
    (stage1 = repeat 2 Residual(16) is an nn.Sequential: stage1.0.conv1.weight, ...)."""
    import torch
    nn, F = torch.nn, torch.nn.functional

    class Residual(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.conv1 = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(c)
            self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(c)

        def forward(self, x):
            h = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
            return F.relu(h + x)

    class Down(nn.Module):
        def __init__(self, c_in, c):
            super().__init__()
            self.conv1 = nn.Conv2d(c_in, c, 3, stride=2, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(c)
            self.conv2 = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(c)
            self.proj = nn.Conv2d(c_in, c, 1, stride=2, bias=False)
            self.bnp = nn.BatchNorm2d(c)

        def forward(self, x):
            h = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
            return F.relu(h + self.bnp(self.proj(x)))

    class ResNetMini(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(1, 16, 3, padding=1, bias=False)
            self.bn = nn.BatchNorm2d(16)
            self.stage1 = nn.Sequential(Residual(16), Residual(16))
            self.down = Down(16, 32)
            self.stage2 = Residual(32)
            self.head = nn.Linear(32, 10)

        def forward(self, image):
            h = self.stage2(self.down(self.stage1(F.relu(self.bn(self.stem(image))))))
            return self.head(h.mean(dim=(2, 3)))   # GlobalAvgPool

    return ResNetMini().eval()   # dlc run uses the running statistics

def compare_char_model(kind, ckpt, x_path, y_path):
    """models/char_lstm.dlm or char_gpt.dlm in torch (bench/torch_charlm.py's CharLM, CharGPT):
    the checkpoint loads strictly and gives dlc run's logits."""
    import torch
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../bench"))
    from torch_charlm import CharGPT, CharLM
    model = CharGPT(114) if kind == "gpt" else CharLM(114, kind)
    model.load_state_dict(read_safetensors(ckpt), strict=True)
    with torch.no_grad():
        want = model(torch.tensor(np.load(x_path)).long()).numpy()
    got = np.load(y_path)
    diff = np.abs(want - got).max()
    err = diff / max(np.abs(want).max(), 1e-12)
    print(f"torch vs dlc: max abs difference {diff:.3g}, rel. error {err:.3g}", file=sys.stderr)
    sys.exit(0 if got.shape == want.shape and err <= 1e-5 else 1)

def main():
    cmd = sys.argv[1]
    if cmd == "images":
        n = int(sys.argv[3])
        x = read_idx(FMNIST + "/t10k-images-idx3-ubyte.gz")[:n].astype(np.float32) / 255.0
        np.save(sys.argv[2], x.reshape(n, 1, 28, 28))
    elif cmd == "compare":
        import torch
        compare(torch.nn.Sequential(OrderedDict([
            ("flatten", torch.nn.Flatten()),
            ("fc1", torch.nn.Linear(784, 256)), ("relu1", torch.nn.ReLU()),
            ("fc2", torch.nn.Linear(256, 128)), ("relu2", torch.nn.ReLU()),
            ("out", torch.nn.Linear(128, 10))])), *sys.argv[2:5])
    elif cmd == "compare-lenet":
        import torch
        nn = torch.nn
        compare(nn.Sequential(OrderedDict([
            ("c1", nn.Conv2d(1, 6, 5, padding=2)), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("c2", nn.Conv2d(6, 16, 5)), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()),
            ("f1", nn.Linear(400, 120)), ("relu3", nn.ReLU()),
            ("f2", nn.Linear(120, 84)), ("relu4", nn.ReLU()),
            ("out", nn.Linear(84, 10))])), *sys.argv[2:5])
    elif cmd == "fmnist-csv":
        n = int(sys.argv[3])
        x = read_idx(FMNIST + "/train-images-idx3-ubyte.gz")[:n].reshape(n, 784)
        y = read_idx(FMNIST + "/train-labels-idx1-ubyte.gz")[:n]
        with open(sys.argv[2], "w") as f:
            f.write("label," + ",".join(f"pixel{i + 1}" for i in range(784)) + "\n")
            for label, row in zip(y, x):
                f.write(f"{label}," + ",".join(map(str, row)) + "\n")
    elif cmd == "text-ids":
        n, t, v = (int(a) for a in sys.argv[3:6])
        np.save(sys.argv[2], np.random.default_rng(3).integers(0, v, size=(n, t)).astype(np.int32))
    elif cmd == "compare-char-lstm":
        compare_char_model("lstm", *sys.argv[2:5])
    elif cmd == "compare-char-gpt":
        compare_char_model("gpt", *sys.argv[2:5])
    elif cmd == "compare-resnet":
        compare(resnet_mini(), *sys.argv[2:5])
    elif cmd == "regression":
        rng = np.random.default_rng(0)
        x = rng.normal(size=(512, 3)).astype(np.float32)
        y = (x @ np.array([[2.0], [-1.0], [0.5]], np.float32) - 1.0 + 0.01 * rng.normal(size=(512, 1))).astype(np.float32)
        np.save(sys.argv[2] + "/x.npy", x)
        np.save(sys.argv[2] + "/y.npy", y)
        bad = rng.integers(0, 3, size=(512,)).astype(np.int32)
        bad[100] = 7
        np.save(sys.argv[2] + "/bad_labels.npy", bad)
    elif cmd == "dropout":
        rng = np.random.default_rng(1)
        x = rng.normal(size=(32, 16)).astype(np.float32)
        y = rng.integers(0, 4, size=(32,)).astype(np.int32)
        np.save(sys.argv[2] + "/dx.npy", np.concatenate([x, x]))
        np.save(sys.argv[2] + "/dy.npy", np.concatenate([y, y]))
        np.save(sys.argv[2] + "/sx.npy", np.repeat(x[:1], 64, axis=0))
        np.save(sys.argv[2] + "/sy.npy", np.repeat(y[:1], 64))
        np.save(sys.argv[2] + "/ones.npy", np.ones((256, 64), np.float32))
        np.save(sys.argv[2] + "/zeros.npy", np.zeros((256, 64), np.float32))
    else:
        sys.exit("unknown command " + cmd)

if __name__ == "__main__":
    main()
