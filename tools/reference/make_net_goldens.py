"""Makes the tiny-model weights and the network goldens under tests/data/nets/ (see its README.md).

    /usr/bin/python3 tools/reference/make_net_goldens.py                 # weights + all goldens
    /usr/bin/python3 tools/reference/make_net_goldens.py --weights-only  # only tiny.safetensors/.ckpt (numpy)

Weights come from a counter-based generator (splitmix64 per element, seeded by FNV-1a of the key name), so
they are identical on every machine and every numpy/torch version and can be regenerated instead of being
committed (they are ~66 MB: 32 channels is the smallest width GroupNorm(32) allows, and the structure fixes
the rest). `tiny.safetensors.sha256` holds the digest of the expected file. Golden inputs come from the same
generator; outputs are computed by tools/reference/vlmdiff_ref.py in float32 (the reference's precision).
Run with Debian's interpreter (python3-torch 1.13, numpy, PyYAML).
"""
import argparse
import hashlib
import json
import math
import os
import struct
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "tests", "data", "nets")
SEED = 0x564C4D4469666621  # "VLMDiff!"
MASK64 = (1 << 64) - 1
TINY_VOCAB = 1000
TINY_BOS, TINY_EOS = TINY_VOCAB - 2, TINY_VOCAB - 1  # 49406 / 49407 for the real 49,408-entry vocab

# ------------------------------------------------------------------------------------------------------
# Deterministic generator (documented in tests/data/nets/README.md so C can reproduce it)
# ------------------------------------------------------------------------------------------------------


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & MASK64
    return h


def splitmix64(seed, n):
    """z_i = mix(seed + (i+1)*0x9E3779B97F4A7C15), i = 0..n-1 (the splitmix64 sequence started at seed)."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def uniform_pm1(name, n):
    """v_i = (2*k_i - 2^24) * 2^-24 with k_i = z_i >> 40: exact float32 values in [-1, 1)."""
    k = (splitmix64(fnv1a64(name) ^ SEED, n) >> np.uint64(40)).astype(np.int64)
    return ((2 * k - (1 << 24)).astype(np.float32) * np.float32(2.0 ** -24))


def gaussian(name, shape):
    n = int(np.prod(shape))
    k = (splitmix64(fnv1a64(name) ^ SEED, 2 * n) >> np.uint64(40)).astype(np.float64)
    u1 = (k[0::2] + 1.0) / 2.0 ** 24
    u2 = k[1::2] / 2.0 ** 24
    return (np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)).astype(np.float32).reshape(shape)


def uniform(name, shape, lo, hi):
    v = uniform_pm1(name, int(np.prod(shape))).astype(np.float64)
    return (lo + (v + 1.0) * 0.5 * (hi - lo)).astype(np.float32).reshape(shape)


# ------------------------------------------------------------------------------------------------------
# Weights
# ------------------------------------------------------------------------------------------------------


def weight_values(name, shape, shapes):
    """float32 values of one parameter. Rules (all factors exact float32 products):
    >=2-D conv/linear weight: v * sqrt(3/fan_in) (unit-variance outputs), fan_in = prod(shape[1:]);
    embedding tables: v * sqrt(3); 1-D `.weight` (a norm's gamma): 1 + 0.25 v; a norm's `.bias`: 0.25 v;
    any other bias: 0.2 v. No tensor is zero (zero-convs, middle_block_out, down*, out.2, proj_out ... are
    random like everything else)."""
    n = int(np.prod(shape))
    v = uniform_pm1(name, n)
    if name.endswith("embedding.weight"):
        s = np.float32(math.sqrt(3.0))
        return (v * s).reshape(shape)
    if len(shape) >= 2:
        s = np.float32(math.sqrt(3.0 / int(np.prod(shape[1:]))))
        return (v * s).reshape(shape)
    if name.endswith(".weight"):
        return (np.float32(1.0) + v * np.float32(0.25)).reshape(shape)
    partner = name[: -len(".bias")] + ".weight"
    if partner in shapes and len(shapes[partner]) == 1:
        return (v * np.float32(0.25)).reshape(shape)
    return (v * np.float32(0.2)).reshape(shape)


def tiny_config():
    sys.path.insert(0, HERE)
    import vlmdiff_ref as ref
    return ref.load_yaml_config(os.path.join(OUT, "tiny.yaml"), os.path.join(OUT, "tiny_clip_config.json"))


def make_weights(cfg):
    """Returns an ordered dict key -> numpy array in the real key layout (state_dict order)."""
    sys.path.insert(0, HERE)
    import vlmdiff_ref as ref
    shapes_dtypes, model = ref.shapes_without_allocating(cfg)
    shapes = {k: s for k, (s, _) in shapes_dtypes.items()}
    sched = ref.schedule_buffers(cfg["timesteps"], cfg["linear_start"], cfg["linear_end"])
    sd = {}
    for k, (shape, dtype) in shapes_dtypes.items():
        if k in sched:
            sd[k] = sched[k].numpy()
        elif k.endswith("position_ids"):
            sd[k] = np.arange(shape[1], dtype=np.int64).reshape(shape)
        else:
            sd[k] = weight_values(k, shape, shapes)
    return sd


# ------------------------------------------------------------------------------------------------------
# safetensors writer (8-byte LE header length, JSON header, raw LE data; F32/I32/I64)
# ------------------------------------------------------------------------------------------------------

_DT = {np.dtype(np.float32): "F32", np.dtype(np.int32): "I32", np.dtype(np.int64): "I64",
       np.dtype(np.float16): "F16"}


def write_safetensors(path, tensors, metadata=None, sort=False):
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    names = sorted(tensors) if sort else list(tensors)
    for name in names:
        a = np.ascontiguousarray(tensors[name])
        raw = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _DT[a.dtype], "shape": list(a.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    inv = {v: k for k, v in _DT.items()}
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        a, b = h["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype=inv[h["dtype"]]).reshape(h["shape"])
    return out


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_weights(cfg, check_digest=True):
    t0 = time.time()
    sd = make_weights(cfg)
    st = os.path.join(OUT, "tiny.safetensors")
    write_safetensors(st, sd, metadata={"format": "pt", "generator": "tools/reference/make_net_goldens.py"})
    digest = sha256(st)
    dfile = st + ".sha256"
    if check_digest and os.path.exists(dfile):
        want = open(dfile).read().split()[0]
        if want != digest:
            raise SystemExit(f"tiny.safetensors digest {digest} differs from the committed {want}")
    else:
        with open(dfile, "w") as f:
            f.write(f"{digest}  tiny.safetensors\n")
    try:
        import torch
        ck = {"state_dict": {k: torch.from_numpy(np.array(v)) for k, v in sd.items()}}
        tmp = os.path.join(OUT, "tiny.ckpt.tmp")
        torch.save(ck, tmp)  # zip format (torch >= 1.6 default)
        os.replace(tmp, os.path.join(OUT, "tiny.ckpt"))
    except ImportError:
        print("torch not importable: tiny.ckpt not written", file=sys.stderr)
    n = sum(int(np.prod(v.shape)) for v in sd.values())
    print(f"weights: {len(sd)} keys, {n:,} values, sha256 {digest[:16]}..., {time.time() - t0:.1f}s")
    return sd


# ------------------------------------------------------------------------------------------------------
# Goldens
# ------------------------------------------------------------------------------------------------------


def caption_tokens(name, n_words):
    """[BOS, n_words random ids in [0, BOS), EOS, EOS...] (77), like a tokenised caption; n_words <= 75."""
    body = (uniform_pm1(name, n_words).astype(np.float64) + 1.0) * 0.5 * TINY_BOS
    ids = [TINY_BOS] + [int(x) for x in np.floor(body)] + [TINY_EOS]
    ids += [TINY_EOS] * (77 - len(ids))
    return np.asarray(ids, dtype=np.int32)


def make_goldens(cfg, sd, check_fp64=False):
    import torch
    sys.path.insert(0, HERE)
    import vlmdiff_ref as ref
    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = ref.VLMDiffRef(cfg)
    model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in sd.items()}, strict=True)
    model.eval()
    T = torch.from_numpy
    written = {}

    def save(fname, tensors):
        arrs = {}
        for k, v in tensors.items():
            arrs[k] = v.detach().numpy() if hasattr(v, "detach") else np.asarray(v)
        write_safetensors(os.path.join(OUT, fname), arrs, sort=True)
        written[fname] = {k: (a.dtype.name, list(a.shape)) for k, a in arrs.items()}

    def report(name, fp32, fp64_fn):
        if not check_fp64:
            print(f"  {name:34s} max|x| {float(fp32.abs().max()):9.4f}")
            return
        fp64 = fp64_fn()
        d = float((fp32.double() - fp64).abs().max() / fp64.abs().max())
        print(f"  {name:34s} max|x| {float(fp64.abs().max()):9.4f}  fp32-vs-fp64 rel {d:.2e}")

    m64 = None
    if check_fp64:  # the same model in float64, to show how much of each golden is float32 rounding
        m64 = ref.VLMDiffRef(cfg).double()
        m64.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in sd.items()}, strict=True)
        m64.eval()

    with torch.no_grad():
        # CLIP text: empty caption, a short caption (EOS + padding after it), a 75-word caption (EOS at 76)
        toks = np.stack([caption_tokens("clip/empty", 0), caption_tokens("clip/short", 7),
                         caption_tokens("clip/long", 75)])
        ctx = model.clip_text(T(toks))
        report("clip_text/context", ctx, lambda: m64.clip_text(T(toks)))
        save("clip_text.safetensors", {"tokens": toks, "context": ctx})
        empty_ctx, cap_ctx = ctx[0:1], ctx[1:2]

        # VAE encode / decode: N=2, non-square 64x96 image (latent 8x12)
        img = T(uniform("vae/image", (2, 3, 64, 96), -2.0, 2.5))
        mean, logvar = model.vae_encode(img)
        report("vae_encode/mean", mean, lambda: m64.vae_encode(img.double())[0])
        report("vae_encode/logvar", logvar, lambda: m64.vae_encode(img.double())[1])
        save("vae_encode.safetensors", {"image": img, "mean": mean, "logvar": logvar})
        z = T(gaussian("vae/z", (2, 4, 8, 12)))
        dec = model.vae_decode(z)
        report("vae_decode/image", dec, lambda: m64.vae_decode(z.double()))
        save("vae_decode.safetensors", {"z": z, "image": dec})

        # eps: N=2 with different t; only_mid_control True (non-square latent 16x24) and False (16x16)
        for fname, omc, (h, w), tv in (("eps.safetensors", True, (16, 24), [901.0, 37.0]),
                                       ("eps_full_control.safetensors", False, (16, 16), [501.0, 1.0])):
            x = T(gaussian(f"{fname}/x", (2, 4, h, w)))
            t = torch.tensor(tv, dtype=torch.float32)
            c = T(gaussian(f"{fname}/context", (2, 77, cfg["unet"]["context_dim"])))
            hint = T(uniform(f"{fname}/hint", (2, 3, 8 * h, 8 * w), -2.0, 2.5))
            e = model.apply_model(x, t, c, hint, only_mid_control=omc)
            report(f"{fname[:-12]}/eps", e, lambda: m64.apply_model(x.double(), t, c.double(), hint.double(), omc))
            e_other = model.apply_model(x, t, c, hint, only_mid_control=not omc)
            e_noctl = model.model.diffusion_model(x, t, c, control=None)
            print(f"    rel change if only_mid_control flipped {float((e - e_other).abs().max() / e.abs().max()):.3f}"
                  f", without the guidance network {float((e - e_noctl).abs().max() / e.abs().max()):.3f}")
            save(fname, {"x": x, "t": t, "context": c, "hint": hint, "eps": e})

        # reconstruct: 128x128 image (latent 16x16), 10 DDIM steps, guidance 9, only_mid_control True
        for fname, cond in (("reconstruct.safetensors", cap_ctx), ("reconstruct_uncond.safetensors", empty_ctx)):
            image = T(uniform(f"{fname}/image", (1, 3, 128, 128), -2.0, 2.5))
            noise = T(gaussian(f"{fname}/noise", (1, 4, 16, 16)))
            pnoise = T(gaussian(f"{fname}/posterior_noise", (1, 4, 16, 16)))
            steps = []
            latent, samples, extra = _reconstruct_logged(model, image, noise, pnoise, cond, empty_ctx, steps)
            r64 = (lambda: m64.reconstruct_with_extras(image.double(), noise.double(), pnoise.double(), cond.double(),
                                           empty_ctx.double())) if check_fp64 else None
            r64v = r64() if check_fp64 else None
            report(f"{fname[:-12]}/latent", latent, lambda: r64v[0])
            report(f"{fname[:-12]}/samples", samples, lambda: r64v[1])
            tensors = {"image": image, "noise": noise, "posterior_noise": pnoise, "context": cond,
                       "uncond_context": empty_ctx, "latent": latent, "samples": samples,
                       "debug_z": extra["z"], "debug_x_T": extra["x_T"], "debug_x_steps": torch.stack(steps)}
            save(fname, tensors)
            if fname == "reconstruct_uncond.safetensors":
                one = model.ddim_sample(extra["x_T"], image, cond, None)  # single branch
                print(f"    single-branch vs batched CFG rel {float((one - latent).abs().max() / latent.abs().max()):.2e}")
                # the same inputs without posterior_noise: `--posterior mean` (z = 0.18215 * mean)
                lm, sm, em = model.reconstruct_with_extras(image, noise, None, cond, empty_ctx)
                save("reconstruct_uncond_mean.safetensors",
                     {"image": image, "noise": noise, "context": cond, "uncond_context": empty_ctx,
                      "latent": lm, "samples": sm, "debug_z": em["z"], "debug_x_T": em["x_T"]})
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(written, f, indent=1, sort_keys=True)
        f.write("\n")


def _reconstruct_logged(model, image, noise, pnoise, cond, uncond, steps_out):
    """model.reconstruct, also recording the latent after every DDIM step."""
    orig = model.apply_model
    xs = []

    def hook(x, t, c, h, omc=True):
        xs.append(x[: x.shape[0] // 2].clone())
        return orig(x, t, c, h, omc)

    model.apply_model = hook
    try:
        latent, samples, extra = model.reconstruct_with_extras(image, noise, pnoise, cond, uncond)
    finally:
        del model.apply_model
    steps_out.extend(xs[1:] + [latent])  # x after step 0 .. step 9
    return latent, samples, extra


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights-only", action="store_true", help="only (re)write tiny.safetensors and tiny.ckpt")
    ap.add_argument("--check-fp64", action="store_true", help="also run every golden in float64 and print "
                    "the float32-vs-float64 difference (slow: about two minutes)")
    ap.add_argument("--new-digest", action="store_true", help="rewrite tiny.safetensors.sha256 instead of checking")
    a = ap.parse_args()
    t0 = time.time()
    cfg = tiny_config()
    sd = write_weights(cfg, check_digest=not a.new_digest)
    if not a.weights_only:
        make_goldens(cfg, sd, a.check_fp64)
    print(f"done in {time.time() - t0:.1f}s")


if __name__ == "__main__":
    main()
