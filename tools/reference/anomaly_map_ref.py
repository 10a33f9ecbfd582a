"""Reference of the anomaly map and the image score as VLMDiff computes them, written from
../shared/spec/vlmdiff-pipeline.md §1.7 items 4-7, §6.2 and quirks 19-21 (not from the VLMDiff repository),
and the goldens of tests/data/anomaly_map/ (see its README.md):

    per level:  a = 1 - F.cosine_similarity(F_in, F_rec)              (dim 1, eps 1e-8, float32)
                a = F.interpolate(a[:, None], size=(H, W), mode="bilinear", align_corners=True)
    map   = np.zeros((H, W)) += a[0, 0].numpy() for every level          (float64)
    map   = scipy.ndimage.gaussian_filter(map, sigma=5)                 (float64)
    score = max(F.avg_pool2d applied 8 times, kernel 8, stride 1)       (float64)

one image at a time (the reference's batch is 1), PyTorch on the CPU with one thread (its summation order
then does not depend on the machine's thread count).

    /usr/bin/python3 tools/reference/anomaly_map_ref.py           # write the goldens (~1 min)
    /usr/bin/python3 tools/reference/anomaly_map_ref.py --check   # recompute and compare bit for bit

Features come from the counter-based generator of make_net_goldens.py (tests/data/nets/README.md):
a = v("amap.<case>.a.<level>"), d = v("amap.<case>.d.<level>") in C order over [N, C, h, w], and
b = a + d * 2^-e with a per-pixel exponent e (exact product, one float32 rounding), so the C test makes
the same bits. Run with Debian's interpreter (python3-torch 1.13, numpy 1.24, scipy 1.10).
"""
import argparse
import math
import os
import sys

import numpy as np
import scipy.ndimage as ndi
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from goldens_io import read_tensors, write_tensors  # noqa: E402
from make_net_goldens import uniform_pm1  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "tests", "data", "anomaly_map")
F32, F64 = np.float32, np.float64

# name: images, image (H, W), levels (C, h, w), exponent pattern, which extras the golden keeps.
CASES = {
    "dino": dict(n=1, size=(256, 256), levels=[(384, 32, 32)], pattern="mixed"),
    "resnet": dict(n=1, size=(256, 256), levels=[(256, 64, 64), (512, 32, 32), (1024, 16, 16)], pattern="mixed"),
    "odd": dict(n=2, size=(61, 45), levels=[(48, 7, 9), (20, 4, 5)], pattern="mixed", inputs=True, f16=True,
                stages=True),
    "tall": dict(n=1, size=(57, 64), levels=[(40, 9, 8), (24, 5, 4)], pattern="mixed", f16=True),
    "near": dict(n=1, size=(64, 64), levels=[(32, 12, 10)], pattern="near", inputs=True, f16=True, single=True),
}
POOLS, POOL_K, SIGMA = 8, 8, 5.0


def exponents(pattern, level, n, h, w):
    """e[s, y, x]: 'mixed' 1..12 in 3x3 blocks (1 - cos from ~0.1 down to float32 noise), 'near' 9."""
    if pattern == "near":
        return np.full((n, h, w), 9, dtype=np.int64)
    s, y, x = np.meshgrid(np.arange(n), np.arange(h), np.arange(w), indexing="ij")
    return 1 + (x // 3 + 2 * (y // 3) + 5 * s + 7 * level) % 12


def features(case, level, n, c, h, w, pattern):
    a = uniform_pm1("amap.%s.a.%d" % (case, level), n * c * h * w).reshape(n, c, h, w)
    d = uniform_pm1("amap.%s.d.%d" % (case, level), n * c * h * w).reshape(n, c, h, w)
    scale = (2.0 ** -exponents(pattern, level, n, h, w)).astype(F32)[:, None]
    return a, (a + d * scale).astype(F32)


def score_of(smooth):
    """max(avg_pool2d^8(map)) in float64, or NaN where PyTorch refuses the size (a side below 57)."""
    p = torch.from_numpy(np.ascontiguousarray(smooth))[None, None]
    try:
        for _ in range(POOLS):
            p = F.avg_pool2d(p, POOL_K, stride=1)
    except RuntimeError:
        return float("nan")
    return float(p.reshape(-1).numpy().max())


def reference_image(fa, fb, size, keep=None):
    """One image: fa, fb lists of float32 [1, C, h, w]. Returns (sum, smoothed map, score)."""
    m = np.zeros(size)
    for level, (a, b) in enumerate(zip(fa, fb)):
        amap = 1 - F.cosine_similarity(torch.from_numpy(a), torch.from_numpy(b))
        if keep is not None:
            keep.setdefault(level, []).append(amap.numpy())
        up = F.interpolate(torch.unsqueeze(amap, dim=1), size=size, mode="bilinear", align_corners=True)
        m += up[0, 0].numpy()
    smooth = ndi.gaussian_filter(m, sigma=SIGMA)
    return m, smooth, score_of(smooth)


def exact_image(fa, fb, size):
    """The same mathematics with every step in float64: how far float32 puts the reference from it."""
    m = np.zeros(size)
    for a, b in zip(fa, fb):
        a, b = a.astype(F64), b.astype(F64)
        na = np.maximum(np.sqrt((a * a).sum(1)), 1e-8)
        nb = np.maximum(np.sqrt((b * b).sum(1)), 1e-8)
        amap = torch.from_numpy(1 - ((a / na[:, None]) * (b / nb[:, None])).sum(1))
        m += F.interpolate(amap[:, None], size=size, mode="bilinear", align_corners=True)[0, 0].numpy()
    smooth = ndi.gaussian_filter(m, sigma=SIGMA)
    return smooth, score_of(smooth)


def run_case(name, spec, fa, fb, suffix=""):
    n, size = spec["n"], spec["size"]
    out, keep = {}, {} if spec.get("stages") and not suffix else None
    sums, maps, scores = [], [], []
    for s in range(n):
        m, smooth, score = reference_image([a[s:s + 1] for a in fa], [b[s:s + 1] for b in fb], size, keep)
        sums.append(m), maps.append(smooth), scores.append(score)
    out["map" + suffix] = np.stack(maps).astype(F32)
    out["score" + suffix] = np.array(scores, dtype=F64)
    if spec.get("f16") or spec.get("stages"):
        out["map_f64" + suffix] = np.stack(maps)
    if keep is not None:
        out["sum"] = np.stack(sums)
        for level, parts in keep.items():
            out["one_minus_cos.%d" % level] = np.concatenate(parts).astype(F32)
    return out


def make_case(name, spec):
    n, size = spec["n"], spec["size"]
    fa, fb = [], []
    for level, (c, h, w) in enumerate(spec["levels"]):
        a, b = features(name, level, n, c, h, w, spec["pattern"])
        fa.append(a), fb.append(b)
    out = run_case(name, spec, fa, fb)
    exact = [exact_image([a[s:s + 1] for a in fa], [b[s:s + 1] for b in fb], size) for s in range(n)]
    out["score_exact"] = np.array([e[1] for e in exact], dtype=F64)
    err = max(np.abs(out["map"].astype(F64)[s] - exact[s][0]).max() / np.abs(exact[s][0]).max() for s in range(n))
    if spec.get("f16"):
        h16 = lambda x: x.astype(np.float16).astype(F32)  # noqa: E731
        out.update(run_case(name, spec, [h16(a) for a in fa], [h16(b) for b in fb], "_f16in"))
    if spec.get("inputs"):
        for level, (a, b) in enumerate(zip(fa, fb)):
            key = "" if spec.get("single") else ".%d" % level
            out["features_a" + key], out["features_b" + key] = a, b
        out["image_size"] = np.array([size[0]] if size[0] == size[1] else list(size), dtype=np.int64)
    return out, err


def libm_weights(sigma, radius):
    """SciPy's kernel with the C library's exp (NumPy's AVX-512 exp differs in the last bit for some k)."""
    phi = np.array([math.exp(-0.5 / (sigma * sigma) * float(k * k)) for k in range(-radius, radius + 1)])
    return phi / phi.sum()


def make_tail():
    """The float64 stages alone on a float64 sum with a wide dynamic range: SciPy as it runs here, and the
    same correlations with the C library's exp in the kernel (what the engine uses)."""
    v = uniform_pm1("amap.tail.sum", 2 * 61 * 64 * 2).astype(F64).reshape(2, 2, 61, 64)
    x = (v[0] + 1.0) * 10.0 ** (3.0 * v[1] - 3.0)  # (0, 2) times 1e-6 .. 1
    radius = int(4.0 * SIGMA + 0.5)
    wl = libm_weights(SIGMA, radius)
    out = {"sum": x, "weights_libm": wl[radius:].copy()}
    kern = np.exp(-0.5 / (SIGMA * SIGMA) * np.arange(-radius, radius + 1) ** 2)
    out["weights_scipy"] = (kern / kern.sum())[radius:].copy()
    for tag, fn in (("scipy", lambda m: ndi.gaussian_filter(m, sigma=SIGMA)),
                    ("libm", lambda m: ndi.correlate1d(ndi.correlate1d(m, wl, axis=0, mode="reflect"), wl,
                                                       axis=1, mode="reflect"))):
        maps = np.stack([fn(m) for m in x])
        out["map_f64_" + tag] = maps
        out["score_" + tag] = np.array([score_of(m) for m in maps], dtype=F64)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="recompute and compare with the committed goldens")
    args = ap.parse_args()
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    files = {name: lambda name=name: make_case(name, CASES[name]) for name in CASES}
    files["tail"] = lambda: (make_tail(), None)
    bad = 0
    for name, make in files.items():
        tensors, err = make()
        path = os.path.join(OUT, name + ".safetensors")
        if args.check:
            old = read_tensors(path)
            same = sorted(old) == sorted(tensors) and all(
                np.array_equal(old[k], tensors[k], equal_nan=True) for k in tensors)
            print("%-7s %s" % (name, "identical" if same else "DIFFERS"))
            bad += not same
        else:
            write_tensors(path, tensors)
            note = "" if err is None else ", float32 map vs all-float64: max rel %.2e, score %s vs %s" % (
                err, tensors["score"], tensors["score_exact"])
            print("%-7s %s%s" % (name, path, note))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
