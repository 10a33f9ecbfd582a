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
