"""Writes golden files for the C tests: safetensors (8-byte little-endian header length, JSON header,
raw little-endian data), float32 tensors only, written without the safetensors package.
Run with Debian's interpreter (/usr/bin/python3), which has python3-torch and python3-numpy."""
import json
import struct

import numpy as np


def write_goldens(path, tensors):
    """tensors: dict name -> array-like (converted to float32, C order)."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(np.asarray(tensors[name], dtype=np.float32))
        raw = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


_DTYPES = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64", np.dtype(np.int32): "I32",
           np.dtype(np.int64): "I64", np.dtype(np.float16): "F16"}


def write_tensors(path, tensors):
    """Like write_goldens, but each array keeps its dtype (F32, F64, F16, I32, I64)."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": _DTYPES[a.dtype], "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def read_tensors(path):
    """The tensors of a safetensors file as NumPy arrays (the dtypes write_tensors writes)."""
    names = {v: k for k, v in _DTYPES.items()}
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        lo, hi = h["data_offsets"]
        out[name] = np.frombuffer(data[lo:hi], dtype=names[h["dtype"]].newbyteorder("<")).reshape(h["shape"])
    return out
