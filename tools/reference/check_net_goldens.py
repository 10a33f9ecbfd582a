"""Checks the committed network goldens under tests/data/nets/:
1. recomputes every golden output with tools/reference/vlmdiff_ref.py from tiny.safetensors (and checks that
   tiny.ckpt holds the same tensors) and prints the relative difference (expected 0 on the machine that made
   them, ~1e-6 elsewhere);
2. re-runs them with deliberate mistakes that the spec warns about (spec §7) and prints how much each golden
   moves (max-abs difference / max-abs of the golden), to show the goldens can catch them at the fp32 bound
   (1e-4) and, where the number is above 2e-2, at the fp16 bound too.

    /usr/bin/python3 tools/reference/make_net_goldens.py --weights-only   # if tiny.safetensors is missing
    /usr/bin/python3 tools/reference/check_net_goldens.py
"""
import contextlib
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_net_goldens as mg  # noqa: E402
import vlmdiff_ref as ref  # noqa: E402

OUT = mg.OUT


def rel(a, b):
    return float((a.double() - b.double()).abs().max() / b.double().abs().max())


@contextlib.contextmanager
def patched(obj, name, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def load_model():
    cfg = mg.tiny_config()
    sd = mg.read_safetensors(os.path.join(OUT, "tiny.safetensors"))
    m = ref.VLMDiffRef(cfg)
    m.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in sd.items()}, strict=True)
    m.eval()
    ck = os.path.join(OUT, "tiny.ckpt")
    if os.path.exists(ck):
        c = torch.load(ck, map_location="cpu")["state_dict"]
        same = set(c) == set(sd) and all(torch.equal(c[k], torch.from_numpy(np.array(sd[k]))) for k in sd)
        print(f"tiny.ckpt: {len(c)} tensors, {'identical to' if same else 'DIFFERENT FROM'} tiny.safetensors")
    return m


def goldens():
    g = {}
    for f in ("clip_text", "vae_encode", "vae_decode", "eps", "eps_full_control", "reconstruct",
              "reconstruct_uncond", "reconstruct_uncond_mean"):
        g[f] = {k: torch.from_numpy(np.array(v)) for k, v in mg.read_safetensors(os.path.join(OUT, f + ".safetensors")).items()}
    return g


def run_all(m, g):
    """name -> (computed, golden) for every golden output."""
    r = {}
    with torch.no_grad():
        r["clip_text.context"] = (m.clip_text(g["clip_text"]["tokens"]), g["clip_text"]["context"])
        mean, logvar = m.vae_encode(g["vae_encode"]["image"])
        r["vae_encode.mean"] = (mean, g["vae_encode"]["mean"])
        r["vae_encode.logvar"] = (logvar, g["vae_encode"]["logvar"])
        r["vae_decode.image"] = (m.vae_decode(g["vae_decode"]["z"]), g["vae_decode"]["image"])
        for f, omc in (("eps", True), ("eps_full_control", False)):
            e = g[f]
            r[f + ".eps"] = (m.apply_model(e["x"], e["t"], e["context"], e["hint"], omc), e["eps"])
        for f in ("reconstruct", "reconstruct_uncond"):
            e = g[f]
            lat, smp, _ = m.reconstruct_with_extras(e["image"], e["noise"], e["posterior_noise"], e["context"], e["uncond_context"])
            r[f + ".latent"] = (lat, e["latent"])
            r[f + ".samples"] = (smp, e["samples"])
        e = g["reconstruct_uncond_mean"]
        lat, smp, _ = m.reconstruct_with_extras(e["image"], e["noise"], None, e["context"], e["uncond_context"])
        r["reconstruct_uncond_mean.latent"] = (lat, e["latent"])
        r["reconstruct_uncond_mean.samples"] = (smp, e["samples"])
    return r


# --- deliberate mistakes -----------------------------------------------------------------------------

def ts_sin_cos(t, dim, max_period=10000):
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)
    a = t[:, None].float() * freqs[None]
    return torch.cat([torch.sin(a), torch.cos(a)], dim=-1)


def ts_half_minus_one(t, dim, max_period=10000):
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / (half - 1))
    a = t[:, None].float() * freqs[None]
    return torch.cat([torch.cos(a), torch.sin(a)], dim=-1)


def vae_down_symmetric(self, x):
    return F.conv2d(x, self.conv.weight, self.conv.bias, 2, 1)


def geglu_swapped(self, x):
    gate, value = self.proj(x).chunk(2, dim=-1)
    return value * F.gelu(gate)


def geglu_tanh(self, x):
    value, gate = self.proj(x).chunk(2, dim=-1)
    return value * F.gelu(gate, approximate="tanh")


_CLIP_ATTN_FORWARD = ref.ClipAttention.forward


def clip_no_mask(self, x, mask):
    return _CLIP_ATTN_FORWARD(self, x, torch.zeros_like(mask))


def clip_gelu(self, x):
    return self.fc2(F.gelu(self.fc1(x)))


def unet_skip_first(self, x, timesteps, context, control=None, only_mid_control=False):
    hs = []
    emb = self.time_embed(ref.timestep_embedding(timesteps, self.model_channels))
    h = x
    for blk in self.input_blocks:
        h = blk(h, emb, context)
        hs.append(h)
    h = self.middle_block(h, emb, context)
    control = list(control)
    h = h + control.pop()
    for i, blk in enumerate(self.output_blocks):
        s = hs.pop()
        if not only_mid_control or i < 3:
            s = s + control.pop()
        h = blk(torch.cat([s, h], dim=1), emb, context)
    return self.out(h)


def sgn_variant(kind):
    def forward(self, x, hint, timesteps, context):
        emb = self.time_embed(ref.timestep_embedding(timesteps, self.model_channels))
        g = self.input_hint_block(hint)
        outs, raw, h = [], [], x
        for k, (blk, zc) in enumerate(zip(self.input_blocks, self.zero_convs)):
            h = blk(h, emb, context)
            if k == (1 if kind == "hint_after_block1" else 0):
                h = h + g
            raw.append(h)
            outs.append(zc(h, emb, context))
        src = raw if kind == "sff_on_raw_features" else outs
        for idx, b in ((9, 1), (10, 2), (11, 3)):
            f = getattr(self, f"down1{b}")(src[6]) + getattr(self, f"down2{b}")(src[7]) + getattr(self, f"down3{b}")(src[8])
            outs[idx] = outs[idx] + f if kind == "sff_no_final_silu" else F.silu(outs[idx] + f)
        h = self.middle_block(h, emb, context)
        outs.append(self.middle_block_out(h, emb, context))
        return outs
    return forward


def ddim_variant(kind):
    orig_tables = ref.VLMDiffRef.ddim_tables

    def tables(self, steps=10):
        ddim_t, alphas, alphas_prev, s1m = orig_tables(self, steps)
        if kind == "last_a_prev_1":
            alphas_prev = alphas_prev.copy()
            alphas_prev[0] = 1.0
        if kind == "grid_900_to_0":
            ddim_t = ddim_t - 1
            ac = self.alphas_cumprod.numpy()
            alphas = ac[ddim_t]
            alphas_prev = np.asarray([ac[0]] + ac[ddim_t[:-1]].tolist())
            s1m = np.sqrt(1.0 - alphas)
        return ddim_t, alphas, alphas_prev, s1m
    return tables


def main():
    m = load_model()
    g = goldens()
    base = run_all(m, g)
    print("reproduction (computed vs committed golden, max-abs diff / max-abs):")
    for k, (a, b) in base.items():
        print(f"  {k:28s} {rel(a, b):.2e}")

    U, S, V = ref.ControlledUnetModel, ref.SemanticGuidedNetwork, ref.VLMDiffRef
    mistakes = [
        ("VAE downsample symmetric pad 1", lambda: patched(ref.VaeDownsample, "forward", vae_down_symmetric), "vae_encode.mean"),
        ("timestep embedding [sin, cos]", lambda: patched(ref, "timestep_embedding", ts_sin_cos), "eps.eps"),
        ("timestep embedding /(half-1)", lambda: patched(ref, "timestep_embedding", ts_half_minus_one), "eps.eps"),
        ("GEGLU halves swapped", lambda: patched(ref.GEGLU, "forward", geglu_swapped), "eps.eps"),
        ("GEGLU tanh-approx GELU", lambda: patched(ref.GEGLU, "forward", geglu_tanh), "eps.eps"),
        ("UNet concat [skip, h]", lambda: patched(U, "forward", unet_skip_first), "eps.eps"),
        ("hint added after input_blocks.1", lambda: patched(S, "forward", sgn_variant("hint_after_block1")), "eps.eps"),
        ("SFF on raw features", lambda: patched(S, "forward", sgn_variant("sff_on_raw_features")), "eps.eps"),
        ("SFF without the final SiLU", lambda: patched(S, "forward", sgn_variant("sff_no_final_silu")), "eps.eps"),
        ("CLIP without causal mask", lambda: patched(ref.ClipAttention, "forward", clip_no_mask), "clip_text.context"),
        ("CLIP exact GELU, not quick", lambda: patched(ref.ClipMlp, "forward", clip_gelu), "clip_text.context"),
        ("DDIM last a_prev = 1", lambda: patched(V, "ddim_tables", ddim_variant("last_a_prev_1")), "reconstruct.latent"),
        ("DDIM grid 900..0", lambda: patched(V, "ddim_tables", ddim_variant("grid_900_to_0")), "reconstruct.latent"),
    ]
    print("deliberate mistakes (relative change of the golden they should break):")
    for name, ctx, key in mistakes:
        with ctx():
            r = _subset(m, g, key)
        a, b = r[key]
        print(f"  {name:34s} {key:24s} {rel(a, b):.3e}")
    # attention scale 1/sqrt(C) instead of 1/sqrt(dim_head): patch every CrossAttention's scale
    with torch.no_grad():
        mods = [x for x in m.modules() if isinstance(x, ref.CrossAttention)]
        old = [x.scale for x in mods]
        for x in mods:
            x.scale = (x.heads * (x.to_q.out_features // x.heads)) ** -0.5
        e = g["eps"]
        a = m.apply_model(e["x"], e["t"], e["context"], e["hint"], True)
        for x, s in zip(mods, old):
            x.scale = s
        print(f"  {'attention scale C^-0.5':34s} {'eps.eps':24s} {rel(a, e['eps']):.3e}")
        # x_T noised with the t=901 coefficients instead of t=999
        r = g["reconstruct"]
        mean, logvar = m.vae_encode(r["image"])
        z = m.scale_factor * (mean + torch.exp(0.5 * logvar) * r["posterior_noise"])
        x_T = m.sqrt_alphas_cumprod[901] * z + m.sqrt_one_minus_alphas_cumprod[901] * r["noise"]
        lat = m.ddim_sample(x_T, r["image"], r["context"], r["uncond_context"])
        print(f"  {'q_sample at t=901, not 999':34s} {'reconstruct.latent':24s} {rel(lat, r['latent']):.3e}")
        # zero hint in the unconditional branch
        orig = m.apply_model

        def zero_uncond_hint(x, t, c, h, omc=True):
            h = h.clone()
            h[: h.shape[0] // 2] = 0
            return orig(x, t, c, h, omc)
        m.apply_model = zero_uncond_hint
        lat, _, _ = m.reconstruct_with_extras(r["image"], r["noise"], r["posterior_noise"], r["context"], r["uncond_context"])
        del m.apply_model
        print(f"  {'zero hint in the uncond branch':34s} {'reconstruct.latent':24s} {rel(lat, r['latent']):.3e}")


def _subset(m, g, key):
    r = {}
    with torch.no_grad():
        if key.startswith("clip"):
            r[key] = (m.clip_text(g["clip_text"]["tokens"]), g["clip_text"]["context"])
        elif key.startswith("vae_encode"):
            r[key] = (m.vae_encode(g["vae_encode"]["image"])[0], g["vae_encode"]["mean"])
        elif key.startswith("reconstruct"):
            e = g["reconstruct"]
            lat, _, _ = m.reconstruct_with_extras(e["image"], e["noise"], e["posterior_noise"], e["context"], e["uncond_context"])
            r[key] = (lat, e["latent"])
        else:
            e = g["eps"]
            r[key] = (m.apply_model(e["x"], e["t"], e["context"], e["hint"], True), e["eps"])
    return r


if __name__ == "__main__":
    torch.set_num_threads(2)
    main()
