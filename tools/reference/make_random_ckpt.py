#!/usr/bin/python3
"""Writes a random checkpoint with the real VLMDiff key layout, for measuring load time and memory.

    /usr/bin/python3 tools/reference/make_random_ckpt.py [OUT.ckpt] [--keys TSV]

Every key of spec/vlmdiff-state-dict-keys.tsv (1,493 keys, ~1.54 G parameters, ~6 GB float32) with its
shape and dtype, random normal values, nested under "state_dict" like a PyTorch Lightning checkpoint and
written with torch.save (zip format, ZIP64 since it exceeds 4 GB). Do not commit the output.
"""
import argparse
import collections
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TSV = os.path.join(HERE, "..", "..", "..", "shared", "spec", "vlmdiff-state-dict-keys.tsv")


def read_keys(path):
    with open(path) as f:
        rows = [line.rstrip("\n").split("\t") for line in f]
    for key, shape, dtype, *_ in rows[1:]:
        dims = tuple(int(x) for x in shape.strip("()").split(",") if x.strip())
        yield key, dims, getattr(torch, dtype.replace("torch.", ""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?", default="/tmp/vlmdiff_random.ckpt")
    ap.add_argument("--keys", default=DEFAULT_TSV)
    args = ap.parse_args()
    g = torch.Generator().manual_seed(0)
    sd = collections.OrderedDict()
    for key, dims, dtype in read_keys(args.keys):
        if dtype.is_floating_point:
            sd[key] = torch.randn(dims, generator=g, dtype=dtype)
        else:
            sd[key] = torch.arange(int(torch.tensor(dims).prod())).reshape(dims).to(dtype)
    n = sum(t.numel() for t in sd.values())
    print(f"{len(sd)} keys, {n} elements")
    torch.save({"epoch": 0, "global_step": 0, "state_dict": sd}, args.out)
    print(args.out, os.path.getsize(args.out), "bytes")


if __name__ == "__main__":
    main()
