#!/usr/bin/python3
"""The InternVL2 captioner's image pre-processing as VLMDiff runs it (spec encoders-and-captioner.md §3.7),
written from the spec, and the goldens of anomaly/vlm_tiles.h under tests/data/vlm_tiles/ (see its
README.md). Debian 12's python3 (CPython 3.11), python3-pil (Pillow 9.4), python3-torch and
python3-torchvision:

    /usr/bin/python3 tools/reference/vlm_tiles_reference.py          # rewrite the goldens (~1 min)
    /usr/bin/python3 tools/reference/vlm_tiles_reference.py --dump D # also every tile's bytes into D

The functions below are the reference's steps: the candidate grids (a Python set sorted by product, so the
order within a product is CPython's set order), find_closest_aspect_ratio with its tie rule, the
PIL-default (BICUBIC) resize of the whole image to the grid, row-major 448x448 crops, the thumbnail, and
build_transform (RGB, Resize((448, 448), BICUBIC), ToTensor, Normalize(ImageNet)) per tile.
"""
import argparse
import os
import sys
from fractions import Fraction

import numpy as np
import torch
import torchvision.transforms as T
import torchvision.transforms.functional as F
from PIL import Image
from torchvision.transforms import InterpolationMode

from image_patterns import fnv64, pattern

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "data", "vlm_tiles")
IMAGES = os.path.join(ROOT, "tests", "data", "images", "decode")
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
MAX_TILES = 64  # the engine's VD_VLM_MAX_TILES


# ---- the reference's functions (spec §3.7) ----------------------------------------------------------------
def target_ratios(min_num, max_num):
    """Step 1: every (cols, rows) with min_num <= cols * rows <= max_num, a set sorted by the product only."""
    ratios = set((i, j) for n in range(min_num, max_num + 1) for i in range(1, n + 1) for j in range(1, n + 1)
                 if min_num <= i * j <= max_num)
    return sorted(ratios, key=lambda r: r[0] * r[1])


def find_closest_aspect_ratio(aspect_ratio, ratios, width, height, image_size):
    """Step 2, with a report of how the tie rule took part: returns (best, tie) where tie is 0 when one
    candidate has the smallest distance, 1 when several of one aspect have it (the area rule decided
    among them) and 2 when candidates of two aspects (the image's aspect is their exact midpoint) do."""
    best_diff, best, area = float("inf"), (1, 1), width * height
    for ratio in ratios:
        diff = abs(aspect_ratio - ratio[0] / ratio[1])
        if diff < best_diff:
            best_diff, best = diff, ratio
        elif diff == best_diff:
            if area > 0.5 * image_size * image_size * ratio[0] * ratio[1]:
                best = ratio
    at_min = [r for r in ratios if abs(aspect_ratio - r[0] / r[1]) == best_diff]
    aspects = set(Fraction(i, j) for i, j in at_min)
    return best, (0 if len(at_min) == 1 else len(aspects))


def plan(width, height, min_num, max_num, image_size):
    ratios = target_ratios(min_num, max_num)
    return find_closest_aspect_ratio(width / height, ratios, width, height, image_size)


def dynamic_preprocess(image, min_num, max_num, image_size, use_thumbnail):
    """Steps 2-4 on a PIL image: the grid tiles in row-major order, then the thumbnail."""
    (cols, rows), _ = plan(image.size[0], image.size[1], min_num, max_num, image_size)
    resized = image.resize((image_size * cols, image_size * rows))  # Pillow's default filter: BICUBIC
    tiles = []
    for k in range(cols * rows):
        x, y = (k % cols) * image_size, (k // cols) * image_size
        tiles.append(resized.crop((x, y, x + image_size, y + image_size)))
    if use_thumbnail and len(tiles) != 1:
        tiles.append(image.resize((image_size, image_size)))
    return (cols, rows), tiles


def build_transform(input_size):
    """Step 5: the per-tile transform."""
    return T.Compose([
        T.Lambda(lambda img: img.convert("RGB") if img.mode != "RGB" else img),
        T.Resize((input_size, input_size), interpolation=InterpolationMode.BICUBIC),
        T.ToTensor(),
        T.Normalize(mean=MEAN, std=STD),
    ])


def dataset_round_trip(image):
    """What VLMDiff's loaders do before load_image: ToTensor, then to_pil_image (mul(255).byte())."""
    return F.to_pil_image(T.ToTensor()(image), mode="RGB")


# ---- goldens ----------------------------------------------------------------------------------------------
def write_orders(lines):
    """Per max_num: fnv64 over min_num = 1..max_num of the candidate lists (bytes i, j; 0 0 between)."""
    lines.append("# order MAX fnv64(target_ratios(min, MAX) for min = 1..MAX: bytes cols rows, then 0 0)")
    for mx in range(1, MAX_TILES + 1):
        data = bytearray()
        for mn in range(1, mx + 1):
            for i, j in target_ratios(mn, mx):
                data += bytes([i, j])
            data += b"\0\0"
        lines.append("order %d %s" % (mx, fnv64(data)))


def plan_runs(mn, mx, size, h, wmax, stats):
    """The pick for w = 1..wmax at height h, as runs 'w:CxR' where it changes."""
    ratios = target_ratios(mn, mx)
    runs, last = [], None
    for w in range(1, wmax + 1):
        best, tie = find_closest_aspect_ratio(w / h, ratios, w, h, size)
        stats["sizes"] += 1
        stats["ties"] += tie > 0
        stats["midpoints"] += tie == 2
        if best != last:
            runs.append("%d:%dx%d" % (w, best[0], best[1]))
            last = best
    return runs


PLAN_HEIGHTS = (list(range(1, 65)) + [97, 100, 127, 128, 224, 256, 299, 300, 317, 427, 447, 448, 449, 480, 512,
                600, 633, 634, 700, 720, 768, 899, 900, 950, 951, 1000, 1024, 1080, 1500, 2000, 2520, 3000,
                4095, 4096])
# (min, max, tile size, heights, widths 1..wmax): the default first, then other settings of the config.
PLAN_CONFIGS = [(1, 12, 448, PLAN_HEIGHTS, 4096)] + [
    (mn, mx, size, [1, 2, 3, 7, 12, 100, 300, 448, 633, 1000, 2520], 3000)
    for mn, mx, size in ((1, 1, 448), (1, 2, 448), (1, 6, 448), (1, 24, 448), (1, 40, 448), (1, 64, 448),
                         (1, 12, 224), (1, 12, 14), (2, 2, 448), (2, 12, 448), (3, 8, 448), (4, 4, 448),
                         (6, 6, 448), (5, 30, 448))]


def write_plans(lines):
    lines.append("# plan MIN MAX SIZE H WMAX runs: the grid picked for W = 1..WMAX at height H, as W:COLSxROWS"
                 " where it changes")
    total = {"sizes": 0, "ties": 0, "midpoints": 0}
    for mn, mx, size, heights, wmax in PLAN_CONFIGS:
        stats = dict.fromkeys(total, 0)
        for h in heights:
            lines.append("plan %d %d %d %d %d %s" % (mn, mx, size, h, wmax,
                                                    " ".join(plan_runs(mn, mx, size, h, wmax, stats))))
        print("plans min %d max %d size %d: %d sizes, %d decided by the tie rule (%d at a midpoint)" % (
            mn, mx, size, stats["sizes"], stats["ties"], stats["midpoints"]))
        for k in total:
            total[k] += stats[k]
    return total


def midpoint_sizes(mn, mx, size, multipliers):
    """Sizes whose aspect is exactly the midpoint of two neighbouring candidate aspects (in rationals),
    scaled by each multiplier, and by those around where the area rule flips for the later grids."""
    ratios = target_ratios(mn, mx)
    aspects = sorted(set(Fraction(i, j) for i, j in ratios))
    out = []
    for a, b in zip(aspects, aspects[1:]):
        m = (a + b) / 2
        ks = set(multipliers)
        for i, j in ratios:
            if Fraction(i, j) in (a, b):  # area k^2 * num * den against 0.5 * size^2 * i * j
                k = int((0.5 * size * size * i * j / (m.numerator * m.denominator)) ** 0.5)
                ks |= {k - 1, k, k + 1, k + 2}
        for k in sorted(ks):
            w, h = m.numerator * k, m.denominator * k
            if 1 <= k and w <= 65535 and h <= 65535 and w * h <= 178956970:
                out.append((w, h))
    return out


def same_aspect_sizes(mn, mx, size):
    """Sizes of exactly a candidate aspect p/q shared by several grids (k p, k q), around where the area
    rule switches to the next one: t p x t q with t near size * k / sqrt(2)."""
    ratios = target_ratios(mn, mx)
    out = []
    for aspect in sorted(set(Fraction(i, j) for i, j in ratios)):
        p, q = aspect.numerator, aspect.denominator
        for k in sorted(set(i // p for i, j in ratios if Fraction(i, j) == aspect)):
            t = int(size * k / 2 ** 0.5)
            out += [(u * p, u * q) for u in range(max(1, t - 2), t + 3)]
    return out


def write_ties(lines):
    """Exact ties: midpoint aspects of two neighbouring candidates, and same-aspect grids (squares, 2:1,
    ...), at sizes around the area threshold of the tie rule."""
    lines.append("# tie MIN MAX SIZE W H COLS ROWS TIE(0: none, 1: grids of one aspect, 2: of two aspects)")
    count, kinds = 0, [0, 0, 0]
    for mn, mx, size in ((1, 12, 448), (1, 6, 448), (1, 12, 224), (2, 12, 448), (3, 8, 448),
                         (2, 2, 448), (6, 6, 448)):
        sizes = midpoint_sizes(mn, mx, size, (1, 3, 16, 97)) + same_aspect_sizes(mn, mx, size)
        for w, h in sizes:
            if w > 65535 or h > 65535 or w * h > 178956970:
                continue
            (c, r), t = plan(w, h, mn, mx, size)
            lines.append("tie %d %d %d %d %d %d %d %d" % (mn, mx, size, w, h, c, r, t))
            count += 1
            kinds[t] += 1
    print("ties: %d sizes: %d without a tie, %d decided among grids of one aspect, %d at a midpoint" % (
        count, kinds[0], kinds[1], kinds[2]))


# (name, source, width, height, min, max, tile size, use_thumbnail). Sources: pattern KIND SEED, or a file
# under tests/data/images/decode opened with convert('RGB') (width and height then 0: the file's).
TENSOR_CASES = [
    ("one_pixel", "smooth 7001", 1, 1, 1, 12, 448, 1),
    ("tiny_5x3", "noise 7002", 5, 3, 1, 12, 448, 1),
    ("tall_100x1500", "smooth 7003", 100, 1500, 1, 12, 448, 1),
    ("wide_2000x90", "smooth 7004", 2000, 90, 1, 12, 448, 1),
    ("line_1x4000", "noise 7005", 1, 4000, 1, 12, 448, 1),
    ("line_4000x1", "smooth 7006", 4000, 1, 1, 12, 448, 1),
    ("square_700", "smooth 7007", 700, 700, 1, 12, 448, 1),
    ("square_1000", "noise 7008", 1000, 1000, 1, 12, 448, 1),
    ("coco_640x480", "smooth 7009", 640, 480, 1, 12, 448, 1),
    ("photo_1500x1000", "smooth 7010", 1500, 1000, 1, 12, 448, 1),
    ("coco_640x427", "noise 7011", 640, 427, 1, 12, 448, 1),
    ("exact_896x448", "smooth 7012", 896, 448, 1, 12, 448, 1),
    ("exact_448", "noise 7013", 448, 448, 1, 12, 448, 1),
    ("odd_633x634", "smooth 7014", 633, 634, 1, 12, 448, 1),
    ("max1_300x200", "smooth 7015", 300, 200, 1, 1, 448, 1),
    ("max6_1023x511", "noise 7016", 1023, 511, 1, 6, 448, 1),
    ("nothumb_900x600", "smooth 7017", 900, 600, 1, 12, 448, 0),
    ("min2_448", "smooth 7018", 448, 448, 2, 12, 448, 1),
    ("size224_333x999", "noise 7019", 333, 999, 1, 12, 224, 1),
    ("file_photo_jpg", "file photo_rgb_300x217.jpg", 0, 0, 1, 12, 448, 1),
    ("file_grey_png", "file gray8_37x29_adam7.png", 0, 0, 1, 12, 448, 1),
    ("file_palette_png", "file p8_37x29_trns.png", 0, 0, 1, 12, 448, 1),
]


def case_image(source, w, h):
    kind, arg = source.split(" ")
    if kind == "file":
        return Image.open(os.path.join(IMAGES, arg)).convert("RGB")
    return Image.fromarray(pattern(kind, int(arg), w, h, 3), "RGB")


def write_tensors(lines, dump):
    lines.append("# case NAME SOURCE(2 words) W H MIN MAX SIZE THUMB COLS ROWS TILES, then per tile:")
    lines.append("# tile NAME K fnv64(the tile's RGB bytes) fnv64(its float32 [3, SIZE, SIZE] tensor)")
    tiles_total = 0
    for name, source, w, h, mn, mx, size, thumb in TENSOR_CASES:
        image = case_image(source, w, h)
        assert dataset_round_trip(image).tobytes() == image.tobytes(), name  # the loaders' round trip
        (cols, rows), tiles = dynamic_preprocess(image, mn, mx, size, bool(thumb))
        transform = build_transform(size)
        pixel_values = torch.stack([transform(t) for t in tiles])
        assert pixel_values.dtype == torch.float32 and pixel_values.shape == (len(tiles), 3, size, size)
        lines.append("case %s %s %d %d %d %d %d %d %d %d %d" % (name, source, image.size[0], image.size[1], mn,
                                                               mx, size, thumb, cols, rows, len(tiles)))
        for k, tile in enumerate(tiles):
            tensor = pixel_values[k].numpy().astype("<f4")
            lines.append("tile %s %d %s %s" % (name, k, fnv64(tile.tobytes()), fnv64(tensor.tobytes())))
            if dump:
                tensor.tofile(os.path.join(dump, "%s_%d.f32" % (name, k)))
                open(os.path.join(dump, "%s_%d.rgb" % (name, k)), "wb").write(tile.tobytes())
        tiles_total += len(tiles)
    print("tensors: %d cases, %d tiles" % (len(TENSOR_CASES), tiles_total))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", help="also write every tile's RGB bytes and float32 tensor to this folder")
    args = ap.parse_args()
    if args.dump:
        os.makedirs(args.dump, exist_ok=True)
    os.makedirs(OUT, exist_ok=True)
    import PIL
    import torchvision
    head = "# CPython %s, Pillow %s, torch %s, torchvision %s" % (
        sys.version.split()[0], PIL.__version__, torch.__version__, torchvision.__version__)
    for name, writer in (("orders.txt", write_orders), ("plans.txt", write_plans), ("ties.txt", write_ties)):
        lines = [head]
        writer(lines)
        open(os.path.join(OUT, name), "w").write("\n".join(lines) + "\n")
    lines = [head]
    write_tensors(lines, args.dump)
    open(os.path.join(OUT, "tensors.txt"), "w").write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
