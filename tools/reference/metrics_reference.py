#!/usr/bin/env python3
"""Reference values of the seven metrics of VLMDiff's utils/eval_helper.py (spec §6.2), computed with
scikit-learn, scikit-image, NumPy and torch, for the cases of tests/data/metrics/cases.txt.

The metric functions below follow the spec's description of eval_helper (roc_curve + auc with the < 0.5
flip, average_precision_score, precision_recall_curve F1-max over finite values, compute_pro with
np.arange thresholds, measure.label / regionprops regions and sklearn.metrics.auc, the image score after
eight avg_pool2d(8, stride 1)). The inputs come from the same seeded generator as tests/metrics_gen.h.
Where the reference raises (np.arange of a zero step, sklearn's auc with fewer than two points, max of an
empty FPR list) the golden is NaN and the reason is printed.

Writes tests/data/metrics/goldens.txt, scores.txt and thresholds.txt; prints the checks that are not
goldens (drop_intermediate, literal pooling vs torch, the arange formula). Run with Debian's python3:
    /usr/bin/python3 tools/reference/metrics_reference.py
"""
import math
import os
import sys
import warnings

import numpy as np
import sklearn
import skimage
from sklearn import metrics
from skimage import measure

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # the literal pooling below is then the only image-score reference
    torch = None

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DATA = os.path.join(ROOT, "tests", "data", "metrics")
MASK64 = (1 << 64) - 1


class Rng:
    """xorshift64*, as vdt_uniform in tests/vdtest.h: uniform doubles in [0, 1)."""

    def __init__(self, seed):
        self.s = seed & MASK64

    def next(self):
        s = self.s
        s ^= s >> 12
        s ^= (s << 25) & MASK64
        s ^= s >> 27
        self.s = s
        x = (s * 2685821657736338717) & MASK64
        return float(x >> 11) * (1.0 / 9007199254740992.0)


# ---- input generators (tests/metrics_gen.h mirrors these line by line) -------------------------------

def mask_rects(r, m, h, w, every):
    anomalous = r.next() < 0.6
    if not (anomalous or every):
        return
    for _ in range(1 + int(r.next() * 3)):
        y0 = int(r.next() * h)
        x0 = int(r.next() * w)
        hh = 1 + int(r.next() * (h // 4))
        ww = 1 + int(r.next() * (w // 4))
        val = 1 + int(r.next() * 255)
        m[y0:min(h, y0 + hh), x0:min(w, x0 + ww)] = val


def mask_pixels(r, m, h, w):
    if not r.next() < 0.7:
        return
    for _ in range(1 + int(r.next() * 20)):
        y = int(r.next() * h)
        x = int(r.next() * w)
        diag = r.next() < 0.5
        m[y, x] = 255
        if diag and y + 1 < h and x + 1 < w:
            m[y + 1, x + 1] = 255


def mask_checker(r, m, h, w):
    if not r.next() < 0.5:
        return
    y0 = int(r.next() * (h - 12))
    x0 = int(r.next() * (w - 12))
    for y in range(12):
        for x in range(12):
            if (y + x) % 2 == 0:
                m[y0 + y, x0 + x] = 200


def gen_mask(r, kind, h, w):
    m = np.zeros((h, w), dtype=np.uint8)
    if kind == "all":
        m[:] = 255
    elif kind == "random":
        for y in range(h):
            for x in range(w):
                u = r.next()
                if u < 0.1:
                    m[y, x] = 1 + int(u * 2540.0)
    elif kind in ("rects", "every"):
        mask_rects(r, m, h, w, kind == "every")
    elif kind == "pixels":
        mask_pixels(r, m, h, w)
    elif kind == "checker":
        mask_checker(r, m, h, w)
    elif kind == "mixed":
        u = r.next()
        if u < 0.3:
            pass
        elif u < 0.6:
            mask_rects(r, m, h, w, False)
        elif u < 0.8:
            mask_pixels(r, m, h, w)
        else:
            mask_checker(r, m, h, w)
    elif kind != "none":
        raise ValueError(kind)
    return m


def map_value(kind, u, a, lo, hi):
    """One pixel; a = the mask pixel is anomalous."""
    if kind in ("uniform", "float32"):
        return u
    if kind == "ties":
        return math.floor(u * 5) * 0.25
    if kind == "signed":
        return float(math.floor(u * 9) - 4)
    if kind == "informative":
        return u + (0.6 if a else 0.0)
    if kind == "inverse":
        return u - (0.6 if a else 0.0)
    if kind == "tiesinf":
        return float(math.floor(u * 3)) + (2.0 if a else 0.0)
    if kind == "perfect":
        return 1.0 + u if a else u * 0.001
    if kind == "range":
        return lo + (hi - lo) * u
    raise ValueError(kind)


def gen_map(r, kind, m, h, w, first, lo, hi):
    p = np.zeros((h, w), dtype=np.float64)
    if kind == "constant":
        p[:] = 0.5
        return p
    if kind == "smooth":
        cy = r.next() * h
        cx = r.next() * w
        for y in range(h):
            for x in range(w):
                dy = (y - cy) / h
                dx = (x - cx) / w
                q = dy * dy + dx * dx
                p[y, x] = 0.3 * q + 0.1 * r.next() + (0.08 if m[y, x] else 0.0)
        return p
    for y in range(h):
        for x in range(w):
            p[y, x] = map_value(kind, r.next(), m[y, x] != 0, lo, hi)
    if kind == "float32":
        p = p.astype(np.float32).astype(np.float64)
    if kind == "range" and first:
        p[0, 0] = lo
        p[0, 1] = hi
    return p


def read_cases(path):
    cases = []
    for line in open(path):
        f = line.split("#")[0].split()
        if not f:
            continue
        c = dict(name=f[0], seed=int(f[1]), images=int(f[2]), h=int(f[3]), w=int(f[4]), classes=int(f[5]),
                 map=f[6], mask=f[7], lo=float(f[8]) if len(f) > 8 else 0.0, hi=float(f[9]) if len(f) > 9 else 1.0)
        cases.append(c)
    return cases


def generate(case):
    r = Rng(case["seed"])
    images = []
    for i in range(case["images"]):
        m = gen_mask(r, case["mask"], case["h"], case["w"])
        p = gen_map(r, case["map"], m, case["h"], case["w"], i < case["classes"], case["lo"], case["hi"])
        images.append(("c%d" % (i % case["classes"]), p, m))
    return images


# ---- the reference's metric code (spec §6.2) ----------------------------------------------------------

def pooled_literal(pred):
    """avg_pool2d(8, stride 1, no padding) eight times, each output the row-major sum of its 64 inputs / 64,
    as torch's CPU and CUDA kernels accumulate; then the max."""
    x = pred
    for _ in range(8):
        h, w = x.shape
        s = np.zeros((h - 7, w - 7))
        for i in range(8):
            for j in range(8):
                s = s + x[i:i + h - 7, j:j + w - 7]
        x = s / 64
    return x.max()


def pooled_torch(pred):
    t = torch.tensor(pred[None, None], dtype=torch.float64)
    for _ in range(8):
        t = F.avg_pool2d(t, 8, stride=1)
    return float(t.max())


def eval_auroc(labels, scores, drop_intermediate=True):
    fpr, tpr, _ = metrics.roc_curve(labels, scores, pos_label=1, drop_intermediate=drop_intermediate)
    auc = metrics.auc(fpr, tpr)
    if auc < 0.5:
        auc = 1 - auc
    return auc


def eval_ap(labels, scores):
    return metrics.average_precision_score(labels, scores)


def eval_f1(labels, scores):
    precisions, recalls, _ = metrics.precision_recall_curve(labels, scores)
    f1 = (2 * precisions * recalls) / (precisions + recalls)
    return np.max(f1[np.isfinite(f1)])


def compute_pro(masks, amaps, num_th=200):
    """eval_helper.compute_pro, with lists in place of pandas' removed DataFrame.append."""
    binary_amaps = np.zeros_like(amaps, dtype=bool)
    min_th = amaps.min()
    max_th = amaps.max()
    delta = (max_th - min_th) / num_th
    regions = [measure.regionprops(measure.label(mask)) for mask in masks]
    pro_l, fpr_l = [], []
    for th in np.arange(min_th, max_th, delta):
        binary_amaps[amaps <= th] = 0
        binary_amaps[amaps > th] = 1
        pros = []
        for binary_amap, props in zip(binary_amaps, regions):
            for region in props:
                tp_pixels = binary_amap[region.coords[:, 0], region.coords[:, 1]].sum()
                pros.append(tp_pixels / region.area)
        inverse_masks = 1 - masks
        fp_pixels = np.logical_and(inverse_masks, binary_amaps).sum()
        fpr = fp_pixels / inverse_masks.sum()
        pro_l.append(np.mean(pros))
        fpr_l.append(fpr)
    fprs, pros = np.array(fpr_l), np.array(pro_l)
    keep = fprs < 0.3
    kept = int(keep.sum())
    fprs, pros = fprs[keep], pros[keep]
    fprs = fprs / fprs.max()
    return metrics.auc(fprs, pros), kept


def class_metrics(preds, masks_u8, notes):
    """The seven metrics of one class, with counts; masks are turned into the reference's float32 masks."""
    masks = masks_u8.astype(np.float32) / 255  # ToTensor of an 'L' mask
    masks[masks > 0] = 1
    img_labels = (masks.reshape(len(masks), -1).sum(axis=1) != 0).astype(int)
    img_scores = np.array([pooled_literal(p) for p in preds])
    px_labels = masks.flatten()
    px_scores = preds.flatten()
    out = {}

    def guard(key, fn):
        try:
            out[key] = float(fn())
        except Exception as e:  # the reference raises here: the golden is NaN
            notes.append("%s: %s: %s" % (key, type(e).__name__, e))
            out[key] = float("nan")

    guard("image_auroc", lambda: eval_auroc(img_labels, img_scores))
    guard("image_ap", lambda: eval_ap(img_labels, img_scores))
    guard("image_f1", lambda: eval_f1(img_labels, img_scores))
    guard("pixel_auroc", lambda: eval_auroc(px_labels, px_scores))
    guard("pixel_ap", lambda: eval_ap(px_labels, px_scores))
    guard("pixel_f1", lambda: eval_f1(px_labels, px_scores))
    kept = [0]

    def pro():
        v, kept[0] = compute_pro(masks, preds)
        return v

    guard("pixel_aupro", pro)
    vals = [out[k] for k in ("image_auroc", "image_ap", "image_f1", "pixel_auroc", "pixel_ap", "pixel_f1",
                             "pixel_aupro")]
    vals.append(float(np.mean(vals)))
    # drop_intermediate only removes collinear ROC points: the area must not change.
    if np.unique(px_labels).size == 2:
        d = abs(eval_auroc(px_labels, px_scores, True) - eval_auroc(px_labels, px_scores, False))
        notes.append("drop_intermediate changes pixel AUROC by %.3g" % d)
    regions = sum(int(measure.label(m).max()) for m in masks)
    lo, hi = preds.min(), preds.max()
    try:
        nth = len(np.arange(lo, hi, (hi - lo) / 200))
    except Exception:
        nth = 0
    counts = [len(preds), int(img_labels.sum()), px_labels.size, int(px_labels.sum()), regions, nth, kept[0]]
    return counts, vals


def fmt(v):
    return "nan" if math.isnan(v) else repr(float(v))


# ---- threshold goldens (np.arange) --------------------------------------------------------------------

def threshold_pairs():
    r = Rng(99)
    pairs = [(0.0, 0.7938144329896907), (0.0, 1.0), (-2.5, 3.0), (1e10, 1e10 + 1e-5), (0.1, 0.1 + 1e-300),
             (-1e-3, 2e-3), (5.0, 5.000000000000001)]
    while len(pairs) < 40:
        lo = (r.next() - 0.5) * 10.0 ** int(r.next() * 8 - 4)
        hi = lo + r.next() * 10.0 ** int(r.next() * 10 - 7)
        if hi > lo:
            pairs.append((lo, hi))
    return pairs


def write_thresholds(path):
    lines = ["# lo hi count th[0] th[1] th[2] th[3] th[100] th[count-2] th[count-1] (NumPy %s arange)" % np.__version__]
    n201 = 0
    for lo, hi in threshold_pairs():
        lo, hi = np.float64(lo), np.float64(hi)
        try:
            th = np.arange(lo, hi, (hi - lo) / 200)
        except ValueError:  # zero step: the reference's compute_pro raises; the engine has no thresholds
            lines.append("%r %r 0" % (float(lo), float(hi)))
            continue
        n201 += len(th) == 201
        # The formula metric_pro.c implements: [lo, lo + d, lo + i*(fl(lo + d) - lo)].
        d = (hi - lo) / 200
        e = (lo + d) - lo
        emu = np.array([lo, lo + d] + [lo + i * e for i in range(2, len(th))])
        assert np.array_equal(th, emu), (lo, hi)
        pick = [th[i] for i in (0, 1, 2, 3, 100, len(th) - 2, len(th) - 1)]
        lines.append(" ".join([repr(float(lo)), repr(float(hi)), str(len(th))] + [repr(float(v)) for v in pick]))
    open(path, "w").write("\n".join(lines) + "\n")
    print("thresholds: %d pairs, %d of them with 201 thresholds; arange formula confirmed" % (len(lines) - 1, n201))


def main():
    warnings.simplefilter("ignore")
    cases = read_cases(os.path.join(DATA, "cases.txt"))
    golden = ["# case class images anomalous_images pixels anomalous_pixels regions pro_thresholds pro_kept "
              "image_auroc image_ap image_f1 pixel_auroc pixel_ap pixel_f1 pixel_aupro mad",
              "# scikit-learn %s, scikit-image %s, NumPy %s" % (sklearn.__version__, skimage.__version__,
                                                                np.__version__)]
    scores = ["# case image pooled_score (torch %s avg_pool2d float64, 8 passes, max)" % (
        torch.__version__ if torch else "absent: literal numpy")]
    worst_pool = 0.0
    for case in cases:
        images = generate(case)
        for k, (_, p, _) in enumerate(images[:3]):
            lit = pooled_literal(p)
            ref = pooled_torch(p) if torch else lit
            worst_pool = max(worst_pool, abs(lit - ref))
            scores.append("%s %d %s" % (case["name"], k, repr(ref)))
        order = []
        for cls, _, _ in images:
            if cls not in order:
                order.append(cls)
        for cls in order:
            preds = np.stack([p for c, p, _ in images if c == cls])
            masks = np.stack([m for c, _, m in images if c == cls])
            notes = []
            counts, vals = class_metrics(preds, masks, notes)
            golden.append(" ".join([case["name"], cls] + [str(c) for c in counts] + [fmt(v) for v in vals]))
            for n in notes:
                print("%s/%s: %s" % (case["name"], cls, n))
    open(os.path.join(DATA, "goldens.txt"), "w").write("\n".join(golden) + "\n")
    open(os.path.join(DATA, "scores.txt"), "w").write("\n".join(scores) + "\n")
    print("pooled score: literal numpy vs torch, largest difference %.3g" % worst_pool)
    write_thresholds(os.path.join(DATA, "thresholds.txt"))


if __name__ == "__main__":
    sys.exit(main())
