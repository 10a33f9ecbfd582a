"""Plain-PyTorch reference of the VLMDiff latent-diffusion networks, written from the spec
(../shared/spec/vlmdiff-pipeline.md §1-§4, §7 and encoders-and-captioner.md §2), not from the reference
repository. Module attribute paths are chosen so that `VLMDiffRef(cfg).state_dict()` has exactly the key
names of the combined checkpoint (`first_stage_model.`, `model.diffusion_model.`, `control_model.`,
`cond_stage_model.transformer.text_model.`, plus the 13 schedule buffers) for any configuration of the
same structure.

Run with Debian's interpreter (python3-torch 1.13):
    /usr/bin/python3 tools/reference/vlmdiff_ref.py --check-keys ../shared/spec/vlmdiff-state-dict-keys.tsv
builds the full-size published configuration on the meta device (no memory) and compares every key and
shape with the TSV.
"""
import argparse
import math
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SCALE_FACTOR = 0.18215  # models/vlmdiff.yaml scale_factor (constant, scale_by_std false)

# ----------------------------------------------------------------------------------------------------
# Configurations (the published one; tiny ones are read from an ldm YAML by load_yaml_config)
# ----------------------------------------------------------------------------------------------------

FULL_CONFIG = {
    "linear_start": 0.00085,
    "linear_end": 0.012,
    "timesteps": 1000,
    "scale_factor": SCALE_FACTOR,
    "only_mid_control": False,  # the YAML value; test.py/train.py override it to True
    "unet": dict(in_channels=4, out_channels=4, model_channels=320, attention_resolutions=[4, 2, 1],
                 num_res_blocks=2, channel_mult=[1, 2, 4, 4], num_heads=8, num_head_channels=-1,
                 transformer_depth=1, context_dim=768, use_linear_in_transformer=False),
    "control": dict(in_channels=4, hint_channels=3, model_channels=320, attention_resolutions=[4, 2, 1],
                    num_res_blocks=2, channel_mult=[1, 2, 4, 4], num_heads=8, num_head_channels=-1,
                    transformer_depth=1, context_dim=768, use_linear_in_transformer=False),
    "vae": dict(embed_dim=4, double_z=True, z_channels=4, resolution=256, in_channels=3, out_ch=3, ch=128,
                ch_mult=[1, 2, 4, 4], num_res_blocks=2, attn_resolutions=[], dropout=0.0),
    "clip": dict(vocab_size=49408, hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
                 num_attention_heads=12, max_position_embeddings=77, layer_norm_eps=1e-5,
                 hidden_act="quick_gelu"),
}


# ----------------------------------------------------------------------------------------------------
# Shared primitives (spec §2.1)
# ----------------------------------------------------------------------------------------------------

def gn(channels, eps):
    return nn.GroupNorm(32, channels, eps=eps, affine=True)


def timestep_embedding(t, dim, max_period=10000):
    """[cos, sin], freq_i = exp(-ln(max_period) * i / half), all float32 (spec §2.3.1, quirk 13)."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(start=0, end=half, dtype=torch.float32) / half)
    args = t[:, None].float() * freqs[None]
    emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    if dim % 2:
        emb = torch.cat([emb, torch.zeros_like(emb[:, :1])], dim=-1)
    return emb


# ----------------------------------------------------------------------------------------------------
# AutoencoderKL (spec §2.2)
# ----------------------------------------------------------------------------------------------------

class VaeResnetBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.norm1 = gn(cin, 1e-6)
        self.conv1 = nn.Conv2d(cin, cout, 3, 1, 1)
        self.norm2 = gn(cout, 1e-6)
        self.dropout = nn.Dropout(0.0)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1)
        if cin != cout:
            self.nin_shortcut = nn.Conv2d(cin, cout, 1, 1, 0)
        self.has_nin = cin != cout

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        if self.has_nin:
            x = self.nin_shortcut(x)
        return x + h


class VaeAttnBlock(nn.Module):
    """Single-head attention over the H*W positions, scale C^-0.5."""

    def __init__(self, c):
        super().__init__()
        self.norm = gn(c, 1e-6)
        self.q = nn.Conv2d(c, c, 1)
        self.k = nn.Conv2d(c, c, 1)
        self.v = nn.Conv2d(c, c, 1)
        self.proj_out = nn.Conv2d(c, c, 1)

    def forward(self, x):
        h = self.norm(x)
        q, k, v = self.q(h), self.k(h), self.v(h)
        b, c, hh, ww = q.shape
        q = q.reshape(b, c, hh * ww).permute(0, 2, 1)  # (b, hw, c)
        k = k.reshape(b, c, hh * ww)  # (b, c, hw)
        w = torch.bmm(q, k) * (int(c) ** (-0.5))
        w = torch.softmax(w, dim=2)
        v = v.reshape(b, c, hh * ww)
        o = torch.bmm(v, w.permute(0, 2, 1))  # (b, c, hw_q)
        o = o.reshape(b, c, hh, ww)
        return x + self.proj_out(o)


class VaeDownsample(nn.Module):
    """Zero-pad right and bottom by 1, then 3x3 stride-2 conv with padding 0 (quirk 11)."""

    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, 2, 0)

    def forward(self, x):
        return self.conv(F.pad(x, (0, 1, 0, 1), mode="constant", value=0))


class VaeUpsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, 1, 1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class _Level(nn.Module):
    pass


class VaeEncoder(nn.Module):
    def __init__(self, ch, ch_mult, num_res_blocks, attn_resolutions, in_channels, resolution, z_channels,
                 double_z=True, **_):
        super().__init__()
        self.conv_in = nn.Conv2d(in_channels, ch, 3, 1, 1)
        in_ch_mult = (1,) + tuple(ch_mult)
        curr_res = resolution
        self.down = nn.ModuleList()
        block_in = ch
        for i, m in enumerate(ch_mult):
            lvl = _Level()
            lvl.block = nn.ModuleList()
            lvl.attn = nn.ModuleList()
            block_in = ch * in_ch_mult[i]
            block_out = ch * m
            for _ in range(num_res_blocks):
                lvl.block.append(VaeResnetBlock(block_in, block_out))
                block_in = block_out
                if curr_res in attn_resolutions:
                    lvl.attn.append(VaeAttnBlock(block_in))
            if i != len(ch_mult) - 1:
                lvl.downsample = VaeDownsample(block_in)
                curr_res //= 2
            self.down.append(lvl)
        self.mid = _Level()
        self.mid.block_1 = VaeResnetBlock(block_in, block_in)
        self.mid.attn_1 = VaeAttnBlock(block_in)
        self.mid.block_2 = VaeResnetBlock(block_in, block_in)
        self.norm_out = gn(block_in, 1e-6)
        self.conv_out = nn.Conv2d(block_in, 2 * z_channels if double_z else z_channels, 3, 1, 1)

    def forward(self, x):
        h = self.conv_in(x)
        for i, lvl in enumerate(self.down):
            for j, blk in enumerate(lvl.block):
                h = blk(h)
                if len(lvl.attn) > 0:
                    h = lvl.attn[j](h)
            if hasattr(lvl, "downsample"):
                h = lvl.downsample(h)
        h = self.mid.block_2(self.mid.attn_1(self.mid.block_1(h)))
        return self.conv_out(F.silu(self.norm_out(h)))


class VaeDecoder(nn.Module):
    def __init__(self, ch, ch_mult, num_res_blocks, attn_resolutions, out_ch, resolution, z_channels, **_):
        super().__init__()
        n = len(ch_mult)
        block_in = ch * ch_mult[-1]
        curr_res = resolution // 2 ** (n - 1)
        self.conv_in = nn.Conv2d(z_channels, block_in, 3, 1, 1)
        self.mid = _Level()
        self.mid.block_1 = VaeResnetBlock(block_in, block_in)
        self.mid.attn_1 = VaeAttnBlock(block_in)
        self.mid.block_2 = VaeResnetBlock(block_in, block_in)
        ups = [None] * n
        for i in reversed(range(n)):
            lvl = _Level()
            lvl.block = nn.ModuleList()
            lvl.attn = nn.ModuleList()
            block_out = ch * ch_mult[i]
            for _ in range(num_res_blocks + 1):
                lvl.block.append(VaeResnetBlock(block_in, block_out))
                block_in = block_out
                if curr_res in attn_resolutions:
                    lvl.attn.append(VaeAttnBlock(block_in))
            if i != 0:
                lvl.upsample = VaeUpsample(block_in)
                curr_res *= 2
            ups[i] = lvl
        self.up = nn.ModuleList(ups)  # stored 0..n-1, executed n-1 -> 0
        self.norm_out = gn(block_in, 1e-6)
        self.conv_out = nn.Conv2d(block_in, out_ch, 3, 1, 1)

    def forward(self, z):
        h = self.conv_in(z)
        h = self.mid.block_2(self.mid.attn_1(self.mid.block_1(h)))
        for i in reversed(range(len(self.up))):
            lvl = self.up[i]
            for j, blk in enumerate(lvl.block):
                h = blk(h)
                if len(lvl.attn) > 0:
                    h = lvl.attn[j](h)
            if hasattr(lvl, "upsample"):
                h = lvl.upsample(h)
        return self.conv_out(F.silu(self.norm_out(h)))  # no tanh


class AutoencoderKL(nn.Module):
    def __init__(self, embed_dim, z_channels, double_z=True, **dd):
        super().__init__()
        self.encoder = VaeEncoder(z_channels=z_channels, double_z=double_z, **dd)
        self.decoder = VaeDecoder(z_channels=z_channels, **dd)
        self.quant_conv = nn.Conv2d(2 * z_channels, 2 * embed_dim, 1)
        self.post_quant_conv = nn.Conv2d(embed_dim, z_channels, 1)
        self.embed_dim = embed_dim

    def encode_moments(self, x):
        """-> (mean, logvar) with logvar clamped to [-30, 20] (DiagonalGaussianDistribution)."""
        moments = self.quant_conv(self.encoder(x))
        mean, logvar = torch.chunk(moments, 2, dim=1)
        return mean, torch.clamp(logvar, -30.0, 20.0)

    def decode(self, z):
        return self.decoder(self.post_quant_conv(z))


# ----------------------------------------------------------------------------------------------------
# UNet building blocks (spec §2.3)
# ----------------------------------------------------------------------------------------------------

class ResBlock(nn.Module):
    def __init__(self, cin, emb_ch, cout):
        super().__init__()
        self.in_layers = nn.Sequential(gn(cin, 1e-5), nn.SiLU(), nn.Conv2d(cin, cout, 3, 1, 1))
        self.emb_layers = nn.Sequential(nn.SiLU(), nn.Linear(emb_ch, cout))
        self.out_layers = nn.Sequential(gn(cout, 1e-5), nn.SiLU(), nn.Dropout(0.0), nn.Conv2d(cout, cout, 3, 1, 1))
        self.skip_connection = nn.Identity() if cin == cout else nn.Conv2d(cin, cout, 1)

    def forward(self, x, emb):
        h = self.in_layers(x)
        h = h + self.emb_layers(emb)[:, :, None, None]
        h = self.out_layers(h)
        return self.skip_connection(x) + h


class CrossAttention(nn.Module):
    def __init__(self, query_dim, context_dim, heads, dim_head):
        super().__init__()
        inner = heads * dim_head
        self.heads, self.scale = heads, dim_head ** -0.5
        self.to_q = nn.Linear(query_dim, inner, bias=False)
        self.to_k = nn.Linear(context_dim, inner, bias=False)
        self.to_v = nn.Linear(context_dim, inner, bias=False)
        self.to_out = nn.Sequential(nn.Linear(inner, query_dim), nn.Dropout(0.0))

    def forward(self, x, context=None):
        context = x if context is None else context
        q, k, v = self.to_q(x), self.to_k(context), self.to_v(context)
        b, n, inner = q.shape
        h = self.heads
        d = inner // h

        def split(t):  # channel index = head*d + j
            return t.reshape(b, t.shape[1], h, d).permute(0, 2, 1, 3)

        q, k, v = split(q), split(k), split(v)
        sim = torch.matmul(q, k.transpose(-1, -2)) * self.scale
        attn = sim.softmax(dim=-1)
        o = torch.matmul(attn, v)  # (b, h, n, d)
        o = o.permute(0, 2, 1, 3).reshape(b, n, inner)
        return self.to_out(o)


class GEGLU(nn.Module):
    def __init__(self, dim_in, dim_out):
        super().__init__()
        self.proj = nn.Linear(dim_in, dim_out * 2)

    def forward(self, x):
        value, gate = self.proj(x).chunk(2, dim=-1)  # first half value, second half gate (quirk 15)
        return value * F.gelu(gate)  # exact erf GELU


class FeedForward(nn.Module):
    def __init__(self, dim, mult=4):
        super().__init__()
        inner = dim * mult
        self.net = nn.Sequential(GEGLU(dim, inner), nn.Dropout(0.0), nn.Linear(inner, dim))

    def forward(self, x):
        return self.net(x)


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim, heads, dim_head, context_dim):
        super().__init__()
        self.attn1 = CrossAttention(dim, dim, heads, dim_head)
        self.ff = FeedForward(dim)
        self.attn2 = CrossAttention(dim, context_dim, heads, dim_head)
        self.norm1 = nn.LayerNorm(dim, eps=1e-5)
        self.norm2 = nn.LayerNorm(dim, eps=1e-5)
        self.norm3 = nn.LayerNorm(dim, eps=1e-5)

    def forward(self, x, context):
        x = self.attn1(self.norm1(x)) + x
        x = self.attn2(self.norm2(x), context) + x
        x = self.ff(self.norm3(x)) + x
        return x


class SpatialTransformer(nn.Module):
    def __init__(self, c, heads, dim_head, depth, context_dim, use_linear=False):
        super().__init__()
        inner = heads * dim_head
        self.use_linear = use_linear
        self.norm = gn(c, 1e-6)
        self.proj_in = nn.Linear(c, inner) if use_linear else nn.Conv2d(c, inner, 1)
        self.transformer_blocks = nn.ModuleList(
            [BasicTransformerBlock(inner, heads, dim_head, context_dim) for _ in range(depth)])
        self.proj_out = nn.Linear(inner, c) if use_linear else nn.Conv2d(inner, c, 1)

    def forward(self, x, context):
        b, c, hh, ww = x.shape
        x_in = x
        x = self.norm(x)
        if not self.use_linear:
            x = self.proj_in(x)
        x = x.reshape(b, x.shape[1], hh * ww).permute(0, 2, 1)  # row-major tokens
        if self.use_linear:
            x = self.proj_in(x)
        for blk in self.transformer_blocks:
            x = blk(x, context)
        if self.use_linear:
            x = self.proj_out(x)
        x = x.permute(0, 2, 1).reshape(b, x.shape[2], hh, ww)
        if not self.use_linear:
            x = self.proj_out(x)
        return x + x_in


class Downsample(nn.Module):
    """UNet/SGN: 3x3 stride-2 conv, symmetric padding 1."""

    def __init__(self, c):
        super().__init__()
        self.op = nn.Conv2d(c, c, 3, 2, 1)

    def forward(self, x):
        return self.op(x)


class Upsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, 1, 1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class TimestepEmbedSequential(nn.Sequential):
    def forward(self, x, emb, context):
        for layer in self:
            if isinstance(layer, ResBlock):
                x = layer(x, emb)
            elif isinstance(layer, SpatialTransformer):
                x = layer(x, context)
            else:
                x = layer(x)
        return x


def _heads(ch, num_heads, num_head_channels):
    if num_head_channels == -1:
        return num_heads, ch // num_heads
    return ch // num_head_channels, num_head_channels


def _make_st(ch, p):
    heads, dim_head = _heads(ch, p["num_heads"], p.get("num_head_channels", -1))
    return SpatialTransformer(ch, heads, dim_head, p.get("transformer_depth", 1), p["context_dim"],
                              p.get("use_linear_in_transformer", False))


def build_encoder_half(module, p):
    """time_embed, input_blocks and middle_block shared by the UNet and the SGN. Returns the list of
    input-block output channels and the final channel count."""
    mc = p["model_channels"]
    ted = mc * 4
    module.time_embed = nn.Sequential(nn.Linear(mc, ted), nn.SiLU(), nn.Linear(ted, ted))
    module.input_blocks = nn.ModuleList([TimestepEmbedSequential(nn.Conv2d(p["in_channels"], mc, 3, 1, 1))])
    chans, ch, ds = [mc], mc, 1
    for level, mult in enumerate(p["channel_mult"]):
        for _ in range(p["num_res_blocks"]):
            layers = [ResBlock(ch, ted, mult * mc)]
            ch = mult * mc
            if ds in p["attention_resolutions"]:
                layers.append(_make_st(ch, p))
            module.input_blocks.append(TimestepEmbedSequential(*layers))
            chans.append(ch)
        if level != len(p["channel_mult"]) - 1:
            module.input_blocks.append(TimestepEmbedSequential(Downsample(ch)))
            chans.append(ch)
            ds *= 2
    module.middle_block = TimestepEmbedSequential(ResBlock(ch, ted, ch), _make_st(ch, p), ResBlock(ch, ted, ch))
    return chans, ch, ds


class ControlledUnetModel(nn.Module):
    def __init__(self, **p):
        super().__init__()
        self.model_channels = p["model_channels"]
        chans, ch, ds = build_encoder_half(self, p)
        mc, ted = p["model_channels"], p["model_channels"] * 4
        self.output_blocks = nn.ModuleList()
        for level, mult in list(enumerate(p["channel_mult"]))[::-1]:
            for i in range(p["num_res_blocks"] + 1):
                ich = chans.pop()
                layers = [ResBlock(ch + ich, ted, mc * mult)]
                ch = mc * mult
                if ds in p["attention_resolutions"]:
                    layers.append(_make_st(ch, p))
                if level and i == p["num_res_blocks"]:
                    layers.append(Upsample(ch))
                    ds //= 2
                self.output_blocks.append(TimestepEmbedSequential(*layers))
        self.out = nn.Sequential(gn(ch, 1e-5), nn.SiLU(), nn.Conv2d(mc, p["out_channels"], 3, 1, 1))

    def forward(self, x, timesteps, context, control=None, only_mid_control=False):
        """spec §2.3.8: control[12] added after the middle block; skip i gets control[11-i]
        (only for i < 3 when only_mid_control), the skip is concatenated after h."""
        hs = []
        emb = self.time_embed(timestep_embedding(timesteps, self.model_channels).to(self.time_embed[0].weight.dtype))
        h = x
        for blk in self.input_blocks:
            h = blk(h, emb, context)
            hs.append(h)
        h = self.middle_block(h, emb, context)
        control = list(control) if control is not None else None
        if control is not None:
            h = h + control.pop()
        for i, blk in enumerate(self.output_blocks):
            s = hs.pop()
            if control is not None and (not only_mid_control or i < 3):
                s = s + control.pop()
            h = torch.cat([h, s], dim=1)
            h = blk(h, emb, context)
        return self.out(h)


class SemanticGuidedNetwork(nn.Module):
    def __init__(self, **p):
        super().__init__()
        mc = p["model_channels"]
        self.model_channels = mc
        hc = p.get("hint_channels", 3)
        # input hint block: widths 16,16,32,32,96,96,256 are fixed (spec §2.4.2), last conv 256 -> mc
        self.input_hint_block = nn.Sequential(
            nn.Conv2d(hc, 16, 3, 1, 1), nn.SiLU(),
            nn.Conv2d(16, 16, 3, 1, 1), nn.SiLU(),
            nn.Conv2d(16, 32, 3, 2, 1), nn.SiLU(),
            nn.Conv2d(32, 32, 3, 1, 1), nn.SiLU(),
            nn.Conv2d(32, 96, 3, 2, 1), nn.SiLU(),
            nn.Conv2d(96, 96, 3, 1, 1), nn.SiLU(),
            nn.Conv2d(96, 256, 3, 2, 1), nn.SiLU(),
            nn.Conv2d(256, mc, 3, 1, 1))
        chans, ch, _ = build_encoder_half(self, p)
        self.zero_convs = nn.ModuleList([TimestepEmbedSequential(nn.Conv2d(c, c, 1)) for c in chans])
        self.middle_block_out = TimestepEmbedSequential(nn.Conv2d(ch, ch, 1))
        # SFF: the reference hard-codes 640->1280 and 1280->1280, i.e. 2C->4C and 4C->4C (C = model_channels)
        c2, c4 = 2 * mc, 4 * mc
        for a, cin in ((1, c2), (2, c4), (3, c4)):
            for b in (1, 2, 3):
                setattr(self, f"down{a}{b}", nn.Sequential(nn.Conv2d(cin, c4, 3, 2, 1, bias=False),
                                                           nn.InstanceNorm2d(c4), nn.SiLU()))

    def forward(self, x, hint, timesteps, context):
        emb = self.time_embed(timestep_embedding(timesteps, self.model_channels).to(self.time_embed[0].weight.dtype))
        g = self.input_hint_block(hint)
        outs = []
        h = x
        for k, (blk, zc) in enumerate(zip(self.input_blocks, self.zero_convs)):
            h = blk(h, emb, context)
            if k == 0:
                h = h + g
            outs.append(zc(h, emb, context))
        # SFF block (spec §2.4.4): inputs are the zero-conv outputs 6, 7, 8
        o6, o7, o8 = outs[6], outs[7], outs[8]
        for idx, b in ((9, 1), (10, 2), (11, 3)):
            f = getattr(self, f"down1{b}")(o6) + getattr(self, f"down2{b}")(o7) + getattr(self, f"down3{b}")(o8)
            outs[idx] = F.silu(outs[idx] + f)
        h = self.middle_block(h, emb, context)
        outs.append(self.middle_block_out(h, emb, context))
        return outs


# ----------------------------------------------------------------------------------------------------
# CLIP text model (HF CLIPTextModel naming, encoders-and-captioner.md §2)
# ----------------------------------------------------------------------------------------------------

class ClipAttention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.k_proj = nn.Linear(d, d)
        self.v_proj = nn.Linear(d, d)
        self.q_proj = nn.Linear(d, d)
        self.out_proj = nn.Linear(d, d)

    def forward(self, x, mask):
        b, n, d = x.shape
        h = self.heads
        hd = d // h
        q = self.q_proj(x) * hd ** -0.5
        k, v = self.k_proj(x), self.v_proj(x)

        def split(t):
            return t.reshape(b, n, h, hd).permute(0, 2, 1, 3)

        s = torch.matmul(split(q), split(k).transpose(-1, -2)) + mask
        o = torch.matmul(s.softmax(dim=-1), split(v))
        return self.out_proj(o.permute(0, 2, 1, 3).reshape(b, n, d))


class ClipMlp(nn.Module):
    def __init__(self, d, inter):
        super().__init__()
        self.fc1 = nn.Linear(d, inter)
        self.fc2 = nn.Linear(inter, d)

    def forward(self, x):
        x = self.fc1(x)
        x = x * torch.sigmoid(1.702 * x)  # quick_gelu
        return self.fc2(x)


class ClipLayer(nn.Module):
    def __init__(self, d, heads, inter, eps):
        super().__init__()
        self.self_attn = ClipAttention(d, heads)
        self.layer_norm1 = nn.LayerNorm(d, eps=eps)
        self.mlp = ClipMlp(d, inter)
        self.layer_norm2 = nn.LayerNorm(d, eps=eps)

    def forward(self, x, mask):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        return x + self.mlp(self.layer_norm2(x))


class _ClipEmbeddings(nn.Module):
    def __init__(self, vocab, d, npos):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, d)
        self.position_embedding = nn.Embedding(npos, d)
        self.register_buffer("position_ids", torch.arange(npos, dtype=torch.int64).expand((1, -1)).clone())


class _ClipEncoder(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.layers = nn.ModuleList(layers)


class ClipTextTransformer(nn.Module):
    def __init__(self, vocab_size, hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
                 max_position_embeddings=77, layer_norm_eps=1e-5, **_):
        super().__init__()
        self.embeddings = _ClipEmbeddings(vocab_size, hidden_size, max_position_embeddings)
        self.encoder = _ClipEncoder([ClipLayer(hidden_size, num_attention_heads, intermediate_size, layer_norm_eps)
                                     for _ in range(num_hidden_layers)])
        self.final_layer_norm = nn.LayerNorm(hidden_size, eps=layer_norm_eps)

    def forward(self, ids):
        n = ids.shape[1]
        pos = self.embeddings.position_ids[:, :n]
        h = self.embeddings.token_embedding(ids.long()) + self.embeddings.position_embedding(pos)
        mask = torch.full((n, n), float("-inf"), dtype=h.dtype).triu_(1)  # j > i masked, diagonal kept
        for layer in self.encoder.layers:
            h = layer(h, mask)
        return self.final_layer_norm(h)  # last_hidden_state


# ----------------------------------------------------------------------------------------------------
# The combined model, the schedule and the DDIM sampler (spec §1.4-§1.6)
# ----------------------------------------------------------------------------------------------------

def schedule_buffers(timesteps=1000, linear_start=0.00085, linear_end=0.012):
    """register_schedule of ldm's DDPM with the 'linear' (= linear in sqrt) schedule, v_posterior 0."""
    betas = (torch.linspace(linear_start ** 0.5, linear_end ** 0.5, timesteps, dtype=torch.float64) ** 2).numpy()
    alphas = 1.0 - betas
    ac = np.cumprod(alphas, axis=0)
    ac_prev = np.append(1.0, ac[:-1])
    f32 = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
    post_var = betas * (1.0 - ac_prev) / (1.0 - ac)
    return {
        "betas": f32(betas),
        "alphas_cumprod": f32(ac),
        "alphas_cumprod_prev": f32(ac_prev),
        "sqrt_alphas_cumprod": f32(np.sqrt(ac)),
        "sqrt_one_minus_alphas_cumprod": f32(np.sqrt(1.0 - ac)),
        "log_one_minus_alphas_cumprod": f32(np.log(1.0 - ac)),
        "sqrt_recip_alphas_cumprod": f32(np.sqrt(1.0 / ac)),
        "sqrt_recipm1_alphas_cumprod": f32(np.sqrt(1.0 / ac - 1)),
        "posterior_variance": f32(post_var),
        "posterior_log_variance_clipped": f32(np.log(np.maximum(post_var, 1e-20))),
        "posterior_mean_coef1": f32(betas * np.sqrt(ac_prev) / (1.0 - ac)),
        "posterior_mean_coef2": f32((1.0 - ac_prev) * np.sqrt(alphas) / (1.0 - ac)),
        "logvar": torch.zeros(timesteps, dtype=torch.float32),
    }


class _Holder(nn.Module):
    pass


class VLMDiffRef(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.scale_factor = cfg.get("scale_factor", SCALE_FACTOR)
        for k, v in schedule_buffers(cfg["timesteps"], cfg["linear_start"], cfg["linear_end"]).items():
            self.register_buffer(k, v)
        self.model = _Holder()
        self.model.diffusion_model = ControlledUnetModel(**cfg["unet"])
        self.control_model = SemanticGuidedNetwork(**cfg["control"])
        self.first_stage_model = AutoencoderKL(**cfg["vae"])
        self.cond_stage_model = _Holder()
        self.cond_stage_model.transformer = _Holder()
        self.cond_stage_model.transformer.text_model = ClipTextTransformer(**cfg["clip"])
        self.control_scales = [1.0] * 13

    # --- networks as the `vlmdiff forward` verbs expose them -----------------------------------------
    def vae_encode(self, image):
        return self.first_stage_model.encode_moments(image)

    def vae_decode(self, z_scaled):
        z = 1.0 / self.scale_factor * z_scaled  # multiplication by the Python-double reciprocal
        return self.first_stage_model.decode(z)

    def clip_text(self, tokens):
        return self.cond_stage_model.transformer.text_model(tokens)

    def apply_model(self, x, t, context, hint, only_mid_control=True):
        control = self.control_model(x=x, hint=hint, timesteps=t, context=context)
        control = [c * s for c, s in zip(control, self.control_scales)]
        return self.model.diffusion_model(x=x, timesteps=t, context=context, control=control,
                                          only_mid_control=only_mid_control)

    # --- sampler ---------------------------------------------------------------------------------------
    def ddim_tables(self, steps=10):
        c = self.cfg["timesteps"] // steps
        ddim_t = np.asarray(list(range(0, self.cfg["timesteps"], c))) + 1
        alphacums = self.alphas_cumprod.numpy()  # float32
        alphas = alphacums[ddim_t]  # float32
        alphas_prev = np.asarray([alphacums[0]] + alphacums[ddim_t[:-1]].tolist())  # float64 of f32 values
        sqrt_one_minus = np.sqrt(1.0 - alphas)  # float32 arithmetic
        return ddim_t, alphas, alphas_prev, sqrt_one_minus

    def ddim_sample(self, x_T, hint, context, uncond_context, steps=10, guidance=9.0, only_mid_control=True):
        ddim_t, alphas, alphas_prev, sqrt_one_minus = self.ddim_tables(steps)
        b = x_T.shape[0]
        x = x_T
        n = len(ddim_t)
        for i, step in enumerate(np.flip(ddim_t)):
            index = n - i - 1
            ts = torch.full((b,), int(step), dtype=torch.long)
            if guidance == 1.0 or uncond_context is None:
                e = self.apply_model(x, ts, context, hint, only_mid_control)
            else:
                x_in, t_in = torch.cat([x] * 2), torch.cat([ts] * 2)
                c_in = torch.cat([uncond_context, context])
                h_in = torch.cat([hint, hint])  # same hint in both branches
                e_u, e_c = self.apply_model(x_in, t_in, c_in, h_in, only_mid_control).chunk(2)
                e = e_u + guidance * (e_c - e_u)
            a_t = torch.full((b, 1, 1, 1), alphas[index])
            a_prev = torch.full((b, 1, 1, 1), alphas_prev[index])
            sigma_t = torch.full((b, 1, 1, 1), 0.0)
            s1m = torch.full((b, 1, 1, 1), sqrt_one_minus[index])
            pred_x0 = (x - s1m * e) / a_t.sqrt()
            dir_xt = (1.0 - a_prev - sigma_t ** 2).sqrt() * e
            x = a_prev.sqrt() * pred_x0 + dir_xt  # + sigma_t * noise == 0 (eta = 0)
        return x

    def reconstruct(self, image, noise, posterior_noise, context, uncond_context, steps=10, guidance=9.0,
                    only_mid_control=True, hint=None):
        """log_images_test: z = 0.18215 * posterior sample (or mean when posterior_noise is None),
        x_T = q_sample(z, t=999, noise), DDIM (hint = image), decode. Returns (latent, samples)."""
        latent, samples, _ = self.reconstruct_with_extras(image, noise, posterior_noise, context, uncond_context,
                                                          steps, guidance, only_mid_control, hint)
        return latent, samples

    def reconstruct_with_extras(self, image, noise, posterior_noise, context, uncond_context, steps=10,
                                guidance=9.0, only_mid_control=True, hint=None):
        """reconstruct, also returning {"z": scaled posterior sample, "x_T": start latent}."""
        mean, logvar = self.vae_encode(image)
        std = torch.exp(0.5 * logvar)
        z = mean if posterior_noise is None else mean + std * posterior_noise
        z = self.scale_factor * z
        t = torch.full((image.shape[0],), self.cfg["timesteps"] - 1, dtype=torch.long)
        x_T = self.sqrt_alphas_cumprod[t][:, None, None, None] * z + \
            self.sqrt_one_minus_alphas_cumprod[t][:, None, None, None] * noise
        hint = image if hint is None else hint
        latent = self.ddim_sample(x_T, hint, context, uncond_context, steps, guidance, only_mid_control)
        samples = self.vae_decode(latent)
        return latent, samples, {"z": z, "x_T": x_T}


# ----------------------------------------------------------------------------------------------------
# Config files: the ldm YAML (same layout as models/vlmdiff.yaml) and an HF CLIP config.json
# ----------------------------------------------------------------------------------------------------

def load_yaml_config(yaml_path, clip_json_path=None):
    import json
    import yaml
    with open(yaml_path) as f:
        y = yaml.safe_load(f)
    p = y["model"]["params"]
    cfg = {
        "linear_start": p.get("linear_start", 0.00085),
        "linear_end": p.get("linear_end", 0.012),
        "timesteps": p.get("timesteps", 1000),
        "scale_factor": p.get("scale_factor", SCALE_FACTOR),
        "only_mid_control": p.get("only_mid_control", False),
    }
    keep = ("in_channels", "out_channels", "hint_channels", "model_channels", "attention_resolutions",
            "num_res_blocks", "channel_mult", "num_heads", "num_head_channels", "transformer_depth",
            "context_dim", "use_linear_in_transformer")
    for name, sect in (("unet", "unet_config"), ("control", "control_stage_config")):
        q = p[sect]["params"]
        cfg[name] = {k: q[k] for k in keep if k in q}
        cfg[name].setdefault("num_head_channels", -1)
        cfg[name].setdefault("transformer_depth", 1)
        cfg[name].setdefault("use_linear_in_transformer", False)
    dd = dict(p["first_stage_config"]["params"]["ddconfig"])
    cfg["vae"] = dict(embed_dim=p["first_stage_config"]["params"]["embed_dim"], **dd)
    cfg["vae"].pop("dropout", None)
    cfg["vae"].pop("double_z", None)
    cfg["vae"]["double_z"] = dd.get("double_z", True)
    if clip_json_path is None:
        cfg["clip"] = dict(FULL_CONFIG["clip"])
    else:
        with open(clip_json_path) as f:
            j = json.load(f)
        j = j.get("text_config", j)
        cfg["clip"] = {k: j[k] for k in FULL_CONFIG["clip"] if k in j}
    return cfg


# ----------------------------------------------------------------------------------------------------
# Self-check: key set and shapes of the full-size configuration against the spec's TSV
# ----------------------------------------------------------------------------------------------------

def shapes_without_allocating(cfg):
    try:
        with torch.device("meta"):  # torch >= 2.0
            m = VLMDiffRef(cfg)
    except (AttributeError, TypeError):
        # torch 1.13: construct with parameters on 'meta' by patching the default factory
        m = _build_on_meta(cfg)
    sd = m.state_dict()
    return {k: (tuple(v.shape), str(v.dtype)) for k, v in sd.items()}, m


def _build_on_meta(cfg):
    """torch 1.13 has no device context manager: route parameter/buffer creation of nn modules to the meta
    device via torch.nn.Module.register_parameter wrapping."""
    orig_reg_param = nn.Module.register_parameter
    orig_reg_buf = nn.Module.register_buffer
    orig_reset = {cls: cls.reset_parameters for cls in (nn.Linear, nn.Conv2d, nn.Embedding, nn.GroupNorm,
                                                        nn.LayerNorm)}

    def reg_param(self, name, param):
        if param is not None and param.device.type != "meta":
            param = nn.Parameter(torch.empty(param.shape, dtype=param.dtype, device="meta"), param.requires_grad)
        return orig_reg_param(self, name, param)

    def reg_buf(self, name, tensor, persistent=True):
        if tensor is not None and tensor.device.type != "meta":
            tensor = torch.empty(tensor.shape, dtype=tensor.dtype, device="meta")
        return orig_reg_buf(self, name, tensor, persistent)

    orig_empty = torch.empty

    def empty(*args, **kw):  # Linear/Conv/... allocate with torch.empty before registering
        kw.setdefault("device", "meta")
        return orig_empty(*args, **kw)

    try:
        nn.Module.register_parameter = reg_param
        nn.Module.register_buffer = reg_buf
        for cls in orig_reset:
            cls.reset_parameters = lambda self: None
        torch.empty = empty
        return VLMDiffRef(cfg)
    finally:
        torch.empty = orig_empty
        nn.Module.register_parameter = orig_reg_param
        nn.Module.register_buffer = orig_reg_buf
        for cls, f in orig_reset.items():
            cls.reset_parameters = f


def check_keys(tsv_path, cfg=FULL_CONFIG):
    want = {}
    with open(tsv_path) as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            shape = tuple(int(s) for s in cols[1].strip("()").split(",") if s.strip())
            want[cols[0]] = (shape, cols[2])
    got, _ = shapes_without_allocating(cfg)
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    bad = sorted(k for k in set(want) & set(got) if want[k] != got[k])
    print(f"TSV keys {len(want)}, model keys {len(got)}, missing {len(missing)}, extra {len(extra)}, "
          f"shape/dtype mismatches {len(bad)}")
    for k in missing[:20]:
        print("  missing", k, want[k])
    for k in extra[:20]:
        print("  extra  ", k, got[k])
    for k in bad[:20]:
        print("  differ ", k, "tsv", want[k], "model", got[k])
    return not (missing or extra or bad)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check-keys", metavar="TSV", help="compare the full-size key set and shapes with the TSV")
    ap.add_argument("--config", metavar="YAML", help="check this ldm YAML instead of the built-in full config")
    ap.add_argument("--clip-config", metavar="JSON")
    a = ap.parse_args(argv)
    if a.check_keys:
        cfg = load_yaml_config(a.config, a.clip_config) if a.config else FULL_CONFIG
        ok = check_keys(a.check_keys, cfg)
        print("KEY CHECK", "PASSED" if ok else "FAILED")
        return 0 if ok else 1
    ap.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
