#!/usr/bin/python3
"""Writes the weight-file goldens under tests/data/weights/.

Run with Debian's interpreter (torch 1.13 is installed there):  /usr/bin/python3 tools/reference/make_weights_golden.py

- golden.ckpt: torch.save (zip format) of a Lightning-style dict, the tensors nested under "state_dict":
  mixed f32/f16/bf16/i64, a rank-0 tensor, a non-contiguous transpose and a view at a storage offset.
- golden.safetensors: the same tensors, dense, written by hand (8-byte little-endian header length, JSON
  header, raw data), so no safetensors package is needed.
- golden_bare.pth: a bare OrderedDict holding an nn.Parameter (the DINO .pth layout).
"""
import collections
import json
import os
import struct
import sys

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "data", "weights")
DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}


def state_dict():
    g = torch.Generator().manual_seed(1234)
    base = torch.randn(10, generator=g)
    sd = collections.OrderedDict()
    sd["model.conv.weight"] = torch.randn(4, 3, 3, 3, generator=g)
    sd["model.conv.bias"] = torch.randn(4, generator=g).half()
    sd["model.proj.weight_t"] = torch.randn(3, 5, generator=g).t()  # non-contiguous (5, 3), stride (1, 5)
    sd["model.view"] = base[3:9].view(2, 3)  # storage offset 3 into a shared storage
    sd["model.base"] = base
    sd["model.norm.weight"] = torch.randn(6, generator=g).bfloat16()
    sd["model.scale"] = torch.tensor(0.18215)
    sd["cond.position_ids"] = torch.arange(7).unsqueeze(0)
    sd["model.empty"] = torch.zeros(0, 3)
    assert not sd["model.proj.weight_t"].is_contiguous()
    assert sd["model.view"].storage_offset() == 3
    return sd


def raw_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def write_safetensors(path, sd):
    header, blobs, offset = {}, [], 0
    for name, t in sd.items():
        b = raw_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    header["__metadata__"] = {"format": "pt", "source": "make_weights_golden.py"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main():
    os.makedirs(OUT, exist_ok=True)
    sd = state_dict()
    ckpt = {"epoch": 3, "global_step": 120, "pytorch-lightning_version": "1.5.0", "state_dict": sd,
            "loops": {"fit_loop": {"epoch_progress": {"current": {"ready": 4}}}}, "lr": 1e-5,
            "flags": (True, False, None), "optimizer_states": []}
    torch.save(ckpt, os.path.join(OUT, "golden.ckpt"))
    write_safetensors(os.path.join(OUT, "golden.safetensors"), sd)
    bare = collections.OrderedDict()
    bare["cls_token"] = torch.nn.Parameter(torch.randn(1, 1, 8, generator=torch.Generator().manual_seed(7)))
    bare["blocks.0.attn.qkv.weight"] = torch.randn(24, 8, generator=torch.Generator().manual_seed(8))
    torch.save(bare, os.path.join(OUT, "golden_bare.pth"))
    for name in sorted(os.listdir(OUT)):
        print(name, os.path.getsize(os.path.join(OUT, name)))


if __name__ == "__main__":
    sys.exit(main())
