"""Golden file for the normalisation, softmax, attention and RoPE op tests (tests/test_op_{norm,softmax,
attention,rope}.c): random inputs and torch.nn.functional outputs, where the semantics are easy to get
subtly wrong (group-norm grouping and epsilon, biased variance, causal mask with a KV-cache offset,
grouped-query head mapping, rotate-half RoPE). Attention is computed as softmax(Q K^T * scale + mask) V
(torch 1.13 has no F.scaled_dot_product_attention), RoPE with the HF Qwen2 formulas.
Run: /usr/bin/python3 tools/reference/goldens_norm_attn.py  (writes tests/data/goldens/norm_attn.safetensors)"""
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goldens_io import write_goldens  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "data", "goldens",
                   "norm_attn.safetensors")


def rand(g, *shape, lo=-2.0, hi=2.0):
    return torch.rand(*shape, generator=g, dtype=torch.float32) * (hi - lo) + lo


def attention(q, k, v, heads, kv_heads, causal, offset):
    """q [B, Lq, H*D], k/v [B, Lk, KVH*D] -> [B, Lq, H*D]; query head h uses KV head h // (H/KVH)."""
    b, lq, hd = q.shape
    lk, d = k.shape[1], hd // heads
    qh = q.reshape(b, lq, heads, d).transpose(1, 2)
    kh = k.reshape(b, lk, kv_heads, d).transpose(1, 2).repeat_interleave(heads // kv_heads, dim=1)
    vh = v.reshape(b, lk, kv_heads, d).transpose(1, 2).repeat_interleave(heads // kv_heads, dim=1)
    scores = qh @ kh.transpose(-1, -2) * (1.0 / math.sqrt(d))
    if causal:  # query i (position offset + i) sees keys 0..offset + i
        mask = torch.full((lq, lk), float("-inf")).triu(diagonal=offset + 1)
        scores = scores + mask
    return (torch.softmax(scores, dim=-1) @ vh).transpose(1, 2).reshape(b, lq, heads * d)


def rope(x, heads, offset, theta):
    """HF Qwen2: x [B, L, H*D]; positions offset..offset+L-1; cos/sin of cat(freqs, freqs)."""
    b, l, hd = x.shape
    d = hd // heads
    xd = x.double().reshape(b, l, heads, d)
    inv_freq = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    freqs = torch.outer(torch.arange(offset, offset + l, dtype=torch.float64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[None, :, None, :], emb.sin()[None, :, None, :]
    rot = torch.cat((-xd[..., d // 2:], xd[..., : d // 2]), dim=-1)
    return (xd * cos + rot * sin).reshape(b, l, hd).float()


def main():
    g = torch.Generator().manual_seed(1234)
    t = {}
    # GroupNorm (VAE / SpatialTransformer eps 1e-6; GroupNorm32 eps 1e-5 followed by SiLU).
    t["gn_x"] = rand(g, 2, 64, 3, 3, lo=-1.0, hi=3.0)
    t["gn_w"], t["gn_b"] = rand(g, 64, lo=0.5, hi=1.5), rand(g, 64, lo=-0.5, hi=0.5)
    t["gn_y"] = F.group_norm(t["gn_x"], 32, t["gn_w"], t["gn_b"], eps=1e-6)
    t["gn_silu_y"] = F.silu(F.group_norm(t["gn_x"], 32, t["gn_w"], t["gn_b"], eps=1e-5))
    # LayerNorm over the last axis (eps 1e-5), RMSNorm (Qwen2, eps 1e-6), InstanceNorm2d (no affine, 1e-5).
    t["ln_x"] = rand(g, 3, 7, 48, lo=1.0, hi=3.0)
    t["ln_w"], t["ln_b"] = rand(g, 48, lo=0.5, hi=1.5), rand(g, 48, lo=-0.5, hi=0.5)
    t["ln_y"] = F.layer_norm(t["ln_x"], (48,), t["ln_w"], t["ln_b"], eps=1e-5)
    t["rms_x"] = rand(g, 5, 64)
    t["rms_w"] = rand(g, 64, lo=0.5, hi=1.5)
    x = t["rms_x"]
    t["rms_y"] = t["rms_w"] * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6))
    t["in_x"] = rand(g, 1, 3, 6, 6)
    t["in_y"] = F.instance_norm(t["in_x"], eps=1e-5)
    # Softmax over the last axis.
    t["sm_x"] = rand(g, 4, 33, lo=-8.0, hi=8.0)
    t["sm_y"] = torch.softmax(t["sm_x"], dim=-1)
    # Attention: causal self-attention (CLIP-like), cross-attention (UNet-like), GQA decode on a KV cache.
    t["att_self_q"], t["att_self_k"], t["att_self_v"] = (rand(g, 2, 9, 32, lo=-1.5, hi=1.5) for _ in range(3))
    t["att_self_y"] = attention(t["att_self_q"], t["att_self_k"], t["att_self_v"], 2, 2, True, 0)
    t["att_cross_q"] = rand(g, 1, 5, 80, lo=-1.5, hi=1.5)
    t["att_cross_k"], t["att_cross_v"] = rand(g, 1, 7, 80, lo=-1.5, hi=1.5), rand(g, 1, 7, 80)
    t["att_cross_y"] = attention(t["att_cross_q"], t["att_cross_k"], t["att_cross_v"], 2, 2, False, 0)
    t["att_gqa_q"] = rand(g, 1, 3, 4 * 8, lo=-1.5, hi=1.5)
    t["att_gqa_k"], t["att_gqa_v"] = rand(g, 1, 10, 2 * 8, lo=-1.5, hi=1.5), rand(g, 1, 10, 2 * 8)
    t["att_gqa_y"] = attention(t["att_gqa_q"], t["att_gqa_k"], t["att_gqa_v"], 4, 2, True, 7)
    # RoPE: Qwen2 theta 1e6, head dim 64, 2 heads, positions 5..8.
    t["rope_x"] = rand(g, 1, 4, 2 * 64)
    t["rope_y"] = rope(t["rope_x"], 2, 5, 1e6)
    write_goldens(OUT, t)
    print("wrote", os.path.normpath(OUT), sum(v.numel() for v in t.values()), "floats")


if __name__ == "__main__":
    main()
