"""Golden values for the element, layout and misc ops whose semantics are easy to get subtly wrong:
GELU erf / tanh / quick-GELU / SiLU, GEGLU as ldm chunks it, bilinear resize with align_corners True and
False, bicubic resize in DINO's scale-factor form and in the size form, SciPy's gaussian_filter, cosine
similarity, the ldm timestep embedding, InternVL's pixel shuffle (v2), avg_pool2d and argmax ties.
Writes tests/data/goldens/eltwise.safetensors (read by tests/test_op_goldens_eltwise.c).
Run with Debian's interpreter: /usr/bin/python3 tools/reference/goldens_eltwise.py"""
import math
import os
import sys

import numpy as np
import scipy.ndimage
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldens_io import write_goldens  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "data", "goldens",
                   "eltwise.safetensors")


def timestep_embedding(t, dim, max_period=10000):
    """ldm.modules.diffusionmodules.util.timestep_embedding (cos first, denominator half), float32."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(start=0, end=half, dtype=torch.float32) / half)
    args = t[:, None].float() * freqs[None]
    emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    if dim % 2:
        emb = torch.cat([emb, torch.zeros_like(emb[:, :1])], dim=-1)
    return emb


def internvl_pixel_shuffle(x, scale_factor=0.5):
    """InternVL's downsample (ps_version 'v2') on [N, w, h, C], following the view/permute sequence of
    spec encoders-and-captioner §3.4."""
    n, w, h, c = x.size()
    x = x.view(n, w, int(h * scale_factor), int(c / scale_factor))
    x = x.permute(0, 2, 1, 3).contiguous()
    x = x.view(n, int(h * scale_factor), int(w * scale_factor), int(c / (scale_factor * scale_factor)))
    return x.permute(0, 2, 1, 3).contiguous()


def main():
    g = torch.Generator().manual_seed(1234)
    rnd = lambda *shape: torch.randn(*shape, generator=g, dtype=torch.float32)
    t = {}
    x = torch.linspace(-10, 10, 401, dtype=torch.float32)
    t["act.x"] = x
    t["act.silu"] = F.silu(x)
    t["act.gelu_erf"] = F.gelu(x)
    t["act.gelu_tanh"] = F.gelu(x, approximate="tanh")
    t["act.quick_gelu"] = x * torch.sigmoid(1.702 * x)

    p = rnd(3, 10) * 3
    value, gate = p.chunk(2, dim=-1)  # ldm GEGLU: first half value, second half gate
    t["geglu.x"], t["geglu.y"] = p, value * F.gelu(gate)

    img = rnd(1, 1, 8, 8)
    t["bilinear.x"] = img
    t["bilinear.up_ac1"] = F.interpolate(img, size=(29, 29), mode="bilinear", align_corners=True)
    t["bilinear.up_ac0"] = F.interpolate(img, size=(29, 29), mode="bilinear", align_corners=False)
    t["bilinear.down_ac1"] = F.interpolate(img, size=(5, 3), mode="bilinear", align_corners=True)
    t["bilinear.down_ac0"] = F.interpolate(img, size=(5, 3), mode="bilinear", align_corners=False)

    pos = rnd(1, 2, 28, 28) * 0.05
    t["bicubic.pos"] = pos
    t["bicubic.dino"] = F.interpolate(pos, scale_factor=(32.1 / 28, 32.1 / 28), mode="bicubic")
    small = rnd(1, 2, 7, 9)
    t["bicubic.x"] = small
    t["bicubic.size"] = F.interpolate(small, size=(13, 5), mode="bicubic", align_corners=False)

    m = rnd(20, 31).abs().double()
    t["blur.x"] = m
    t["blur.s5"] = scipy.ndimage.gaussian_filter(m.numpy(), sigma=5)
    m2 = rnd(7, 5).abs().double()
    t["blur.x2"] = m2
    t["blur.s2"] = scipy.ndimage.gaussian_filter(m2.numpy(), sigma=2)  # radius 8 > image

    fa, fb = rnd(1, 16, 6, 5), rnd(1, 16, 6, 5)
    t["cos.a"], t["cos.b"] = fa, fb
    t["cos.y"] = F.cosine_similarity(fa, fb)  # dim=1, eps=1e-8
    ta = rnd(1, 3, 2, 2) * 1e-9  # norms below eps: the clamp decides
    t["cos.tiny_a"], t["cos.tiny_y"] = ta, F.cosine_similarity(ta, fb[:, :3, :2, :2])

    ts = torch.tensor([901, 1, 501, 999], dtype=torch.int64)
    t["temb.t"] = ts.float()
    t["temb.y"] = timestep_embedding(ts, 320)
    # PyTorch's own float32 freqs: its vectorised exp differs from a correctly rounded expf by 1 ulp on a
    # few entries, which moves cos/sin at t = 999 by ~3e-5; the test feeds the kernel these exact freqs.
    t["temb.freqs"] = torch.exp(-math.log(10000) * torch.arange(start=0, end=160, dtype=torch.float32) / 160)

    v = rnd(1, 8, 8, 6)  # [N, rows, cols, C] patch tokens
    t["pixel_shuffle.x"] = v
    t["pixel_shuffle.y"] = internvl_pixel_shuffle(v)  # [1, 4, 4, 24]

    a = rnd(1, 1, 20, 20)
    pooled = F.avg_pool2d(F.avg_pool2d(a, 8, stride=1), 8, stride=1)
    t["avgpool.x"], t["avgpool.y"], t["avgpool.max"] = a, pooled, pooled.max().reshape(1)

    row = torch.tensor([[1.0, 5.0, 3.0, 5.0, -2.0, 5.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]])
    t["argmax.x"], t["argmax.y"] = row, torch.argmax(row, dim=-1).float()

    write_goldens(OUT, {k: (val.numpy() if torch.is_tensor(val) else val) for k, val in t.items()})
    print("wrote", os.path.normpath(OUT), os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
