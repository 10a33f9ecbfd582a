"""PyTorch reference of DINO ViT feature extraction as VLMDiff uses it, written from
../shared/spec/encoders-and-captioner.md §1 and vlmdiff-pipeline.md §1.7 / §2.6 (not from the DINO
repository), and the goldens of tests/data/dino/ (see its README.md).

    /usr/bin/python3 tools/reference/dino_ref.py            # goldens + mistake sensitivity (a few seconds)
    /usr/bin/python3 tools/reference/dino_ref.py --check    # recompute and compare with the committed goldens
    /usr/bin/python3 tools/reference/dino_ref.py --full-size build/vlmdiff [--arch v1s8] [--precision fp32]

--full-size checks `vlmdiff forward --net dino --dino-arch ARCH` at 256x256 (the real grid resize 28 -> 32
with DINO's 32.1/28 scale) on a full-size random .pth written by torch.save (nothing committed; ViT-S/8
takes about a minute on a 2-core machine with lavapipe).

Weights come from the counter-based generator of make_net_goldens.py (tests/data/nets/README.md), with
one addition for the two tables that are neither conv/linear weights nor norms: `cls_token` and
`pos_embed` are v * sqrt(3). They are not committed; the C test regenerates them natively.
Run with Debian's interpreter (python3-torch 1.13, numpy).
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from goldens_io import write_goldens  # noqa: E402
from make_net_goldens import uniform, uniform_pm1  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "tests", "data", "dino")


def load_config():
    with open(os.path.join(OUT, "config.json")) as f:
        return json.load(f)


def param_shapes(cfg):
    d, p, g = cfg["embed_dim"], cfg["patch_size"], cfg["img_size"] // cfg["patch_size"]
    hid = int(d * cfg["mlp_ratio"])
    s = {"cls_token": [1, 1, d], "pos_embed": [1, 1 + g * g, d],
         "patch_embed.proj.weight": [d, 3, p, p], "patch_embed.proj.bias": [d]}
    for i in range(cfg["depth"]):
        b = "blocks.%d." % i
        s.update({b + "norm1.weight": [d], b + "norm1.bias": [d],
                  b + "attn.qkv.weight": [3 * d, d], b + "attn.qkv.bias": [3 * d],
                  b + "attn.proj.weight": [d, d], b + "attn.proj.bias": [d],
                  b + "norm2.weight": [d], b + "norm2.bias": [d],
                  b + "mlp.fc1.weight": [hid, d], b + "mlp.fc1.bias": [hid],
                  b + "mlp.fc2.weight": [d, hid], b + "mlp.fc2.bias": [d]})
    s.update({"norm.weight": [d], "norm.bias": [d]})
    return s


def weight_values(name, shape, shapes):
    v = uniform_pm1(name, int(np.prod(shape)))
    if name in ("cls_token", "pos_embed"):
        return (v * np.float32(math.sqrt(3.0))).reshape(shape)
    if len(shape) >= 2:
        return (v * np.float32(math.sqrt(3.0 / int(np.prod(shape[1:]))))).reshape(shape)
    if name.endswith(".weight"):
        return (np.float32(1.0) + v * np.float32(0.25)).reshape(shape)
    partner = name[: -len(".bias")] + ".weight"
    if partner in shapes and len(shapes[partner]) == 1:
        return (v * np.float32(0.25)).reshape(shape)
    return (v * np.float32(0.2)).reshape(shape)


def make_weights(cfg):
    shapes = param_shapes(cfg)
    return {k: torch.from_numpy(weight_values(k, s, shapes)) for k, s in shapes.items()}


def pos_table(sd, cfg, gh, gw, h, w, mistake=None):
    """interpolate_pos_encoding (spec §1.5): the trained table when the patch count matches and the image
    is square; else the G x G patch part resized bicubic with scale_factor (grid + 0.1) / G per axis
    (PyTorch then steps by 1/scale, not G/grid), CLS row unchanged."""
    pos = sd["pos_embed"]
    n_trained = pos.shape[1] - 1
    if gh * gw == n_trained and h == w:
        return pos
    g = int(math.sqrt(n_trained))
    d = pos.shape[2]
    patch = pos[:, 1:].reshape(1, g, g, d).permute(0, 3, 1, 2)
    if mistake == "size_form":
        patch = F.interpolate(patch, size=(gh, gw), mode="bicubic", align_corners=False)
    else:
        sh, sw = (gh + 0.1) / math.sqrt(n_trained), (gw + 0.1) / math.sqrt(n_trained)
        patch = F.interpolate(patch, scale_factor=(sh, sw), mode="bicubic")
    assert patch.shape[-2:] == (gh, gw), patch.shape
    patch = patch.permute(0, 2, 3, 1).reshape(1, gh * gw, d)
    return torch.cat([pos[:, :1], patch], dim=1)


def dino_features(sd, cfg, x, mistake=None):
    """x [B, 3, H, W] -> get_intermediate_layers(x, n=1)[0][:, 1:] as [B, D, H/p, W/p]."""
    p, d, heads, eps = cfg["patch_size"], cfg["embed_dim"], cfg["num_heads"], cfg["layer_norm_eps"]
    b, _, h, w = x.shape
    t = F.conv2d(x, sd["patch_embed.proj.weight"], sd["patch_embed.proj.bias"], stride=p)
    gh, gw = t.shape[2], t.shape[3]
    t = t.flatten(2).transpose(1, 2)  # token = row * gw + col
    t = torch.cat([sd["cls_token"].expand(b, -1, -1), t], dim=1)
    t = t + pos_table(sd, cfg, gh, gw, h, w, mistake)
    hd = d // heads
    scale = hd ** -0.5
    for i in range(cfg["depth"]):
        pre = "blocks.%d." % i
        n = F.layer_norm(t, (d,), sd[pre + "norm1.weight"], sd[pre + "norm1.bias"], eps)
        qkv = F.linear(n, sd[pre + "attn.qkv.weight"], sd[pre + "attn.qkv.bias"])
        qkv = qkv.reshape(b, -1, 3, heads, hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        a = ((q @ k.transpose(-2, -1)) * scale).softmax(dim=-1)
        o = (a @ v).transpose(1, 2).reshape(b, -1, d)
        t = t + F.linear(o, sd[pre + "attn.proj.weight"], sd[pre + "attn.proj.bias"])
        n = F.layer_norm(t, (d,), sd[pre + "norm2.weight"], sd[pre + "norm2.bias"], eps)
        f = F.linear(n, sd[pre + "mlp.fc1.weight"], sd[pre + "mlp.fc1.bias"])
        f = F.gelu(f, approximate="tanh") if mistake == "tanh_gelu" else F.gelu(f)
        t = t + F.linear(f, sd[pre + "mlp.fc2.weight"], sd[pre + "mlp.fc2.bias"])
    if mistake != "no_final_norm":
        t = F.layer_norm(t, (d,), sd["norm.weight"], sd["norm.bias"], eps)
    t = t[:, 1:] if mistake != "keep_cls" else t[:, :-1]
    return t.reshape(b, gh, gw, d).permute(0, 3, 1, 2).contiguous()


CASES = [  # file, image shape
    ("dino_64.safetensors", [2, 3, 64, 64]),     # trained grid: no interpolation, CLS repeated for batch 2
    ("dino_80x96.safetensors", [1, 3, 80, 96]),  # 10 x 12 grid: bicubic with the (grid + 0.1) / 8 scales
]


def rel(a, b):
    return float((a - b).abs().max() / b.abs().max())


PRESETS = {"v1s8": (8, 384, 6), "v1s16": (16, 384, 6), "v1b8": (8, 768, 12), "v1b16": (16, 768, 12)}


def full_size(vlmdiff, arch, precision):
    import collections
    import subprocess
    import tempfile
    from make_net_goldens import read_safetensors
    patch, dim, heads = PRESETS[arch]
    cfg = {"patch_size": patch, "embed_dim": dim, "depth": 12, "num_heads": heads, "mlp_ratio": 4.0,
           "layer_norm_eps": 1e-6, "img_size": 224}
    sd = collections.OrderedDict(make_weights(cfg))
    image = torch.from_numpy(uniform("dino.image.256x256", [1, 3, 256, 256], -2.0, 2.5))
    with torch.no_grad():
        want = dino_features(sd, cfg, image).numpy().astype(np.float64)
    with tempfile.TemporaryDirectory() as tmp:
        pth, inp, out = (os.path.join(tmp, n) for n in ("dino.pth", "in.safetensors", "out.safetensors"))
        torch.save(sd, pth)
        write_goldens(inp, {"image": image.numpy()})
        subprocess.run([vlmdiff, "forward", "--net", "dino", "--dino-arch", arch, "--weights", pth, "--inputs", inp,
                        "--out", out, "--precision", precision], check=True)
        got = np.array(read_safetensors(out)["features"]).astype(np.float64)
    d = np.abs(got - want)
    scale = np.abs(want).max()
    big = np.abs(want) > 0.1 * scale
    print("%s %s features %s: max rel %.3g, element rel %.3g, NMSE %.3g" % (
        arch, precision, list(want.shape), d.max() / scale, (d[big] / np.abs(want[big])).max(),
        (d ** 2).sum() / (want ** 2).sum()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="compare with the committed goldens")
    ap.add_argument("--full-size", metavar="VLMDIFF", help="check the engine at full size (see above)")
    ap.add_argument("--arch", default="v1s8", choices=sorted(PRESETS))
    ap.add_argument("--precision", default="fp32")
    args = ap.parse_args()
    torch.set_num_threads(2)
    if args.full_size:
        return full_size(args.full_size, args.arch, args.precision)
    cfg = load_config()
    sd = make_weights(cfg)
    sd64 = {k: v.double() for k, v in sd.items()}
    for fname, shape in CASES:
        image = torch.from_numpy(uniform("dino.image.%dx%d" % (shape[2], shape[3]), shape, -2.0, 2.5))
        with torch.no_grad():
            feats = dino_features(sd, cfg, image)
            f64 = dino_features(sd64, cfg, image.double())
            print("%s: features %s, max |f| %.3g, fp32 vs fp64 %.2g" % (fname, list(feats.shape),
                  float(feats.abs().max()), rel(feats.double(), f64)))
            for m in ("size_form", "tanh_gelu", "no_final_norm", "keep_cls"):
                if m == "size_form" and shape[2] == shape[3] == cfg["img_size"]:
                    continue
                print("  mistake %-14s rel change %.3g" % (m, rel(dino_features(sd, cfg, image, m), feats)))
        path = os.path.join(OUT, fname)
        if args.check:
            from make_net_goldens import read_safetensors
            old = read_safetensors(path)
            print("  committed golden differs by %.3g" % rel(torch.from_numpy(np.array(old["features"])), feats))
        else:
            write_goldens(path, {"image": image.numpy(), "features": feats.numpy()})


if __name__ == "__main__":
    main()
