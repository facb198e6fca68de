#!/usr/bin/python3
"""Create the fixtures used by tests/unit/test_runtime.c, and check files the C runtime wrote.

  make_runtime_fixtures.py [OUTDIR]      write the fixtures (default: tests/unit/data)
  make_runtime_fixtures.py --check F...  load .safetensors / .npy files written by dlrt with
                                         torch / numpy and print them (interop check)

The safetensors fixture is written by hand (struct + json) from torch tensors, laid out the
way the reference implementation does (tensors ordered by alignment then name, header padded
with spaces to a multiple of 8), because python3-safetensors is not installed.  The .npy
fixtures come from numpy itself.  The expected values are duplicated in test_runtime.c.
"""
import json
import os
import struct
import sys

import numpy as np
import torch

ST_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int32: "I32",
             torch.int64: "I64", torch.uint8: "U8"}
ST_TORCH = {v: k for k, v in ST_DTYPES.items()}


def fixture_tensors():
    """The tensors stored in torch_written.safetensors (values mirrored in the C test)."""
    return {
        "linear.weight": torch.arange(12, dtype=torch.float32).reshape(3, 4) / 4 - 1.5,
        "linear.bias": torch.tensor([0.5, -0.25, 1e-3], dtype=torch.float32),
        "step": torch.tensor(42, dtype=torch.int64),  # scalar, shape []
        "counts": torch.tensor([-7, 0, 2147483647], dtype=torch.int32),
        "mask": torch.tensor([[1, 0, 255], [3, 4, 5]], dtype=torch.uint8),
        "double": torch.tensor([[3.141592653589793, -2.0], [1e300, 0.0]], dtype=torch.float64),
        "empty": torch.zeros((0, 3), dtype=torch.float32),
    }


def write_safetensors(path, tensors, metadata=None):
    # Reference order: larger element size first, then by name, so every tensor stays aligned.
    order = sorted(tensors, key=lambda k: (-tensors[k].element_size(), k))
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in order:
        t = tensors[name].contiguous()
        raw = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    assert n % 8 == 0, "header length not a multiple of 8"
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", None)
    buf = data[8 + n:]
    out, covered = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
        b, e = info["data_offsets"]
        assert b == covered, f"{name}: gap or overlap at {b}"
        covered = e
        dtype = ST_TORCH[info["dtype"]]
        raw = bytearray(buf[b:e])
        t = torch.frombuffer(raw, dtype=dtype) if raw else torch.zeros(0, dtype=dtype)
        out[name] = t.reshape(info["shape"])
    assert covered == len(buf), "data buffer not fully covered"
    return out, meta


def main(argv):
    if len(argv) > 1 and argv[1] == "--check":
        for path in argv[2:]:
            if path.endswith(".npy"):
                a = np.load(path)
                print(f"{path}: {a.dtype} {a.shape} {a.tolist()}")
            else:
                tensors, meta = read_safetensors(path)
                print(f"{path}: metadata={meta}")
                for name, t in tensors.items():
                    print(f"  {name}: {t.dtype} {list(t.shape)} {t.tolist()}")
        return 0

    outdir = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), "data")
    os.makedirs(outdir, exist_ok=True)
    write_safetensors(os.path.join(outdir, "torch_written.safetensors"), fixture_tensors(),
                      {"format": "pt", "note": "caf\u00e9 \"quoted\"\n"})

    np.save(os.path.join(outdir, "numpy_f32.npy"),
            (np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5))
    np.save(os.path.join(outdir, "numpy_i64.npy"), np.array([-1, 0, 1 << 40], dtype=np.int64))
    np.save(os.path.join(outdir, "numpy_u8_scalar.npy"), np.array(200, dtype=np.uint8))
    np.save(os.path.join(outdir, "numpy_fortran.npy"),
            np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3)))
    np.save(os.path.join(outdir, "numpy_bigendian.npy"), np.arange(3, dtype=">f4"))
    # Explicit format versions 2.0 and 3.0 (np.save picks 1.0 whenever the header fits).
    for version, name in (((2, 0), "numpy_v2_f64.npy"), ((3, 0), "numpy_v3_i32.npy")):
        arr = (np.linspace(-1, 1, 8).reshape(2, 2, 2) if version == (2, 0)
               else np.array([[5, -6]], dtype=np.int32))
        with open(os.path.join(outdir, name), "wb") as f:
            np.lib.format.write_array(f, arr, version=version)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
