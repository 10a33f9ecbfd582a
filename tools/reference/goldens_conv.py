"""Golden file for tests/test_op_conv.c (and the linear case of test_op_matmul.c): inputs and
torch.nn.functional outputs for the convolution cases whose semantics are easy to get subtly wrong.
  down:   the VAE downsample, F.pad(x, (0, 1, 0, 1)) then a 3x3 stride-2 conv without padding
  patch:  patch embedding, an 8x8 stride-8 conv (DINO ViT-S/8's, with fewer channels)
  sym:    a 3x3 stride-1 padding-1 conv, batch 2, no bias
  linear: F.linear (weights [out, in]) with bias
Run with Debian's interpreter:  /usr/bin/python3 tools/reference/goldens_conv.py
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from goldens_io import write_goldens  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "goldens", "conv.safetensors")


def main():
    g = torch.Generator().manual_seed(1234)
    r = lambda *s: torch.rand(*s, generator=g, dtype=torch.float64) * 2 - 1  # noqa: E731
    t = {}
    x, w, b = r(2, 4, 9, 9), r(5, 4, 3, 3), r(5)
    t.update(down_x=x, down_w=w, down_b=b, down_y=F.conv2d(F.pad(x, (0, 1, 0, 1)), w, b, stride=2))
    x, w, b = r(1, 3, 16, 24), r(6, 3, 8, 8), r(6)
    t.update(patch_x=x, patch_w=w, patch_b=b, patch_y=F.conv2d(x, w, b, stride=8))
    x, w = r(2, 3, 7, 7), r(7, 3, 3, 3)
    t.update(sym_x=x, sym_w=w, sym_y=F.conv2d(x, w, None, stride=1, padding=1))
    a, w, b = r(5, 12), r(7, 12), r(7)
    t.update(linear_a=a, linear_w=w, linear_b=b, linear_y=F.linear(a, w, b))
    # The inputs are stored as float32: recompute outputs from the rounded inputs so the file is consistent.
    t = {k: v.float().double() for k, v in t.items()}
    t["down_y"] = F.conv2d(F.pad(t["down_x"], (0, 1, 0, 1)), t["down_w"], t["down_b"], stride=2)
    t["patch_y"] = F.conv2d(t["patch_x"], t["patch_w"], t["patch_b"], stride=8)
    t["sym_y"] = F.conv2d(t["sym_x"], t["sym_w"], None, stride=1, padding=1)
    t["linear_y"] = F.linear(t["linear_a"], t["linear_w"], t["linear_b"])
    write_goldens(OUT, {k: v.numpy() for k, v in t.items()})


if __name__ == "__main__":
    main()
