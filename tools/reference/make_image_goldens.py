#!/usr/bin/python3
"""Writes the image goldens under tests/data/images/ (see its README.md) with Debian 12's Pillow, numpy,
torch/torchvision and OpenCV (python3-pil, python3-numpy, python3-torch, python3-torchvision,
python3-opencv):

    /usr/bin/python3 tools/reference/make_image_goldens.py          # rewrite every golden
    /usr/bin/python3 tools/reference/make_image_goldens.py --dump D # also write PIL's decoded bytes to D

What the C tests compare against, each byte for byte (large outputs as a 64-bit FNV-1a hash of the bytes):
  decode.txt    every file under decode/: the mode Pillow opens it as, convert('RGB') and convert('L')
  convert.txt   convert('RGB') / convert('L') of CMYK and RGB images holding every (C, K) / many colours
  cuts.txt      what Pillow makes of every cut of every file under decode/ (a sample of cuts of the
                large ones): an error, or exactly the pixels of the whole file
  resize.txt    Image.resize((W, H), BILINEAR) of synthetic images (pattern below) of many sizes
  resize_bicubic.txt  Image.resize((W, H)) (Pillow's default for RGB: BICUBIC) and resize((W, H), BICUBIC)
                of synthetic images: the same sizes, the captioner's tiling sizes, seeded random ones
  pipeline.txt  torchvision Resize((256, 256)) + ToTensor (+ Normalize) of decoded files, float32 bytes
  values_*.npy  ToTensor + Normalize, ToTensor alone, and the reference's de-normalisation of every uint8
  heatmap.txt   OpenCV's COLORMAP_JET table, addWeighted(0.5, 0.5) of every byte pair, and two overlays
  npy/          arrays written by numpy.save, valid and malformed, for the .npy reader
The test images are written here: PNGs by the small encoder below (every colour type, bit depth,
interlacing, filter type, tRNS and short palettes), JPEGs by Pillow and, for what Pillow cannot write
(YCCK, RGB colour space, 4:4:0 / 4:1:1, arithmetic coding, restart markers), by jpeg_write_tool.c over the
same libjpeg-turbo.
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile
import zlib

import cv2
import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image, features

from image_patterns import fnv64, mix, npy_values, pattern

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "data", "images")
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
# ---- a small PNG encoder with every feature the decoder must handle ------------------------------------
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pack_row(row, depth):
    """row: 1-D array of samples. Returns the packed bytes of one scanline."""
    if depth == 16:
        return b"".join(struct.pack(">H", int(v)) for v in row)
    if depth == 8:
        return bytes(int(v) for v in row)
    per = 8 // depth
    out = bytearray((len(row) + per - 1) // per)
    for i, v in enumerate(row):
        out[i // per] |= int(v) << (8 - depth * (i % per + 1))
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filter_row(kind, raw, prev, bpp):
    out = bytearray(len(raw))
    for i, x in enumerate(raw):
        a = raw[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out[i] = (x - pred) & 255
    return bytes([kind]) + bytes(out)


def png_image_data(samples, depth, bpp):
    """samples (h, w, c) -> filtered scanlines, cycling through the five filter types."""
    h, w, c = samples.shape
    prev = bytes(len(pack_row(samples[0].reshape(-1), depth))) if h and w else b""
    out = []
    for y in range(h):
        raw = pack_row(samples[y].reshape(-1), depth)
        out.append(filter_row(y % 5, raw, prev, bpp))
        prev = raw
    return b"".join(out)


def png_encode(samples, color_type, depth, interlace=False, palette=None, trns=None):
    h, w, c = samples.shape
    assert c == CHANNELS[color_type]
    bpp = max(1, c * depth // 8)
    if interlace:
        data = b"".join(png_image_data(samples[y0::dy, x0::dx], depth, bpp)
                        for x0, y0, dx, dy in ADAM7 if x0 < w and y0 < h)
    else:
        data = png_image_data(samples, depth, bpp)
    out = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0,
                                                                   int(interlace)))
    if palette is not None:
        out += png_chunk(b"PLTE", bytes(bytearray(int(v) for v in palette)))
    if trns is not None:
        out += png_chunk(b"tRNS", trns)
    comp = zlib.compress(data, 9)
    half = len(comp) // 2  # two IDAT chunks: the decoder must join them
    out += png_chunk(b"IDAT", comp[:half]) + png_chunk(b"IDAT", comp[half:])
    return out + png_chunk(b"IEND", b"")


def png_samples(seed, w, h, c, depth):
    """Content for a PNG: smooth ramps with noise, scaled to the bit depth (16-bit: full range, with a
    quarter of the rows below 512 so that Pillow's clipping of 16-bit grey shows; below 8 bits: noise)."""
    base = pattern("smooth", seed, w, h, c).astype(np.int64)
    if depth < 8:  # ramps would leave tiny images a single value: noise instead
        return pattern("noise", seed, w, h, c).astype(np.int64) >> (8 - depth)
    if depth == 16:
        lo = (mix(seed + 1, w * h * c) >> np.uint64(55)).astype(np.int64).reshape(h, w, c)  # 0..511
        full = base * 257 + (mix(seed + 2, w * h * c) >> np.uint64(60)).astype(np.int64).reshape(h, w, c)
        quarter = (np.arange(h)[:, None, None] % 4 == 0)
        return np.where(quarter, lo, np.minimum(full, 65535))
    return base >> (8 - depth)


def png_cases():
    """(name, bytes): every colour type and bit depth, interlaced and not, odd and tiny sizes."""
    cases = []
    def add(name, w, h, ct, depth, interlace=False, seed=0, palette=None, trns=None, samples=None):
        if samples is None:
            samples = png_samples(seed, w, h, CHANNELS[ct], depth)
        cases.append((name + ".png", png_encode(samples, ct, depth, interlace, palette, trns)))
    for depth in (1, 2, 4, 8, 16):
        add("gray%d_13x11" % depth, 13, 11, 0, depth, seed=depth)
        add("gray%d_37x29_adam7" % depth, 37, 29, 0, depth, True, seed=10 + depth)
    add("gray8_37x29_trns", 37, 29, 0, 8, seed=20, trns=struct.pack(">H", 77))
    add("gray16_21x9_trns", 21, 9, 0, 16, seed=21, trns=struct.pack(">H", 300))
    for depth in (8, 16):
        add("la%d_37x29" % depth, 37, 29, 4, depth, seed=30 + depth)
        add("la%d_23x17_adam7" % depth, 23, 17, 4, depth, True, seed=40 + depth)
        add("rgb%d_37x29" % depth, 37, 29, 2, depth, seed=50 + depth)
        add("rgb%d_37x29_adam7" % depth, 37, 29, 2, depth, True, seed=60 + depth)
        add("rgba%d_37x29" % depth, 37, 29, 6, depth, seed=70 + depth)
        add("rgba%d_23x17_adam7" % depth, 23, 17, 6, depth, True, seed=80 + depth)
    add("rgb8_37x29_trns", 37, 29, 2, 8, seed=90, trns=struct.pack(">HHH", 10, 20, 30))
    for w, h in ((1, 1), (2, 2), (3, 5), (5, 3), (9, 1)):  # Adam7 passes that are empty
        add("rgb8_%dx%d_adam7" % (w, h), w, h, 2, 8, True, seed=100 + w * 10 + h)
        add("gray1_%dx%d_adam7" % (w, h), w, h, 0, 1, True, seed=200 + w * 10 + h)
    add("rgb8_1x1", 1, 1, 2, 8, seed=300)
    add("rgb8_3x70", 3, 70, 2, 8, seed=301)
    add("rgb8_70x3", 70, 3, 2, 8, seed=302)
    rng = np.random.default_rng(5)
    for depth in (1, 2, 4, 8):
        n = 1 << depth
        pal = rng.integers(0, 256, 3 * n)
        idx = (mix(400 + depth, 29 * 37) >> np.uint64(64 - depth)).astype(np.int64).reshape(29, 37, 1)
        add("p%d_37x29" % depth, 37, 29, 3, depth, palette=pal, samples=idx)
        add("p%d_37x29_adam7" % depth, 37, 29, 3, depth, True, palette=pal, samples=idx)
    pal = rng.integers(0, 256, 3 * 256)
    idx = (mix(410, 29 * 37) >> np.uint64(56)).astype(np.int64).reshape(29, 37, 1)
    add("p8_37x29_trns", 37, 29, 3, 8, palette=pal, samples=idx, trns=bytes(range(0, 200, 2)))
    add("p8_37x29_trns1", 37, 29, 3, 8, palette=pal, samples=idx, trns=b"\xff\x00")
    add("p8_37x29_short_palette", 37, 29, 3, 8, palette=pal[:3 * 5], samples=idx)  # indices past the palette
    add("p4_13x11_short_palette", 13, 11, 3, 4, palette=pal[:3 * 3],
        samples=(mix(411, 11 * 13) >> np.uint64(60)).astype(np.int64).reshape(11, 13, 1))
    return cases


def pil_png_cases():
    """PNGs written by Pillow itself (its own zlib settings and chunk layout), masks as datasets have them."""
    out = []
    y, x = np.mgrid[0:217, 0:300]
    mask = (((x - 120) ** 2 + (y - 90) ** 2) < 50 ** 2) | ((x > 200) & (y > 150))
    out.append(("mask_l_300x217.png", Image.fromarray((mask * 255).astype(np.uint8), "L")))
    out.append(("mask_1bit_300x217.png", Image.fromarray(mask).convert("1")))
    out.append(("mask_rgb_300x217.png", Image.fromarray(np.repeat((mask * 255).astype(np.uint8)[:, :, None], 3, 2))))
    out.append(("photo_rgb_300x217.png", Image.fromarray(pattern("smooth", 500, 300, 217, 3))))
    return out


def jpeg_pixels(seed, w, h, c):
    """JPEG content: ramps, a block of saturated colours (colour conversion clipping) and noise."""
    img = pattern("smooth", seed, w, h, c).astype(np.int64)
    img[: h // 2, : w // 3] = np.array([255, 0, 40, 0][:c])
    img[h // 2:, w // 3: 2 * w // 3] = np.array([0, 255, 255, 255][:c])
    noise = (mix(seed + 7, w * h * c) >> np.uint64(59)).astype(np.int64).reshape(h, w, c) - 16
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def pil_jpeg_cases():
    sizes = [(1, 1), (2, 3), (17, 9), (33, 16), (61, 47), (16, 16), (100, 1)]
    out = []
    for i, (w, h) in enumerate(sizes):
        rgb = Image.fromarray(jpeg_pixels(600 + i, w, h, 3))
        for sub, tag in ((0, "444"), (1, "422"), (2, "420")):
            out.append(("pil_%s_%dx%d.jpg" % (tag, w, h), rgb, dict(quality=90, subsampling=sub)))
            if (w, h) in ((61, 47), (17, 9), (1, 1)):
                out.append(("pil_%s_prog_%dx%d.jpg" % (tag, w, h), rgb,
                            dict(quality=85, subsampling=sub, progressive=True)))
        grey = Image.fromarray(jpeg_pixels(700 + i, w, h, 1)[:, :, 0], "L")
        out.append(("pil_gray_%dx%d.jpg" % (w, h), grey, dict(quality=90)))
        if (w, h) in ((61, 47), (2, 3)):
            out.append(("pil_gray_prog_%dx%d.jpg" % (w, h), grey, dict(quality=90, progressive=True)))
    cmyk = Image.frombytes("CMYK", (37, 29), jpeg_pixels(800, 37, 29, 4).tobytes())
    out.append(("pil_cmyk_37x29.jpg", cmyk, dict(quality=90)))
    out.append(("pil_cmyk_prog_37x29.jpg", cmyk, dict(quality=90, progressive=True)))
    out.append(("photo_rgb_300x217.jpg", Image.fromarray(pattern("smooth", 501, 300, 217, 3)),
                dict(quality=80, subsampling=2)))
    return out


TOOL_CASES = [  # name, w, h, input space, jpeg space, sampling, quality, flags
    ("tool_ycck_37x29.jpg", 37, 29, "cmyk", "ycck", "2x2,1x1,1x1,2x2", 90, ""),
    ("tool_ycck_prog_37x29.jpg", 37, 29, "cmyk", "ycck", "1x1,1x1,1x1,1x1", 90, "p"),
    ("tool_cmyk_sub_37x29.jpg", 37, 29, "cmyk", "cmyk", "1x1,2x1,1x2,2x2", 90, ""),
    ("tool_rgbspace_37x29.jpg", 37, 29, "rgb", "rgb", "1x1,1x1,1x1", 90, ""),
    ("tool_440_37x29.jpg", 37, 29, "rgb", "ycbcr", "1x2,1x1,1x1", 90, ""),
    ("tool_411_37x29.jpg", 37, 29, "rgb", "ycbcr", "4x1,1x1,1x1", 90, ""),
    ("tool_mixed_37x29.jpg", 37, 29, "rgb", "ycbcr", "2x2,1x2,2x1", 90, ""),
    ("tool_arith_37x29.jpg", 37, 29, "rgb", "ycbcr", "2x2,1x1,1x1", 90, "a"),
    ("tool_arith_prog_37x29.jpg", 37, 29, "rgb", "ycbcr", "2x1,1x1,1x1", 90, "ap"),
    ("tool_restart_61x47.jpg", 61, 47, "rgb", "ycbcr", "2x2,1x1,1x1", 90, "r"),
    ("tool_restart_prog_61x47.jpg", 61, 47, "rgb", "ycbcr", "2x2,1x1,1x1", 90, "rpo"),
    ("tool_gray_arith_31x7.jpg", 31, 7, "gray", "gray", "1x1", 90, "a"),
    ("tool_q100_19x13.jpg", 19, 13, "rgb", "ycbcr", "2x2,1x1,1x1", 100, "o"),
]


def tool_jpegs(workdir):
    exe = os.path.join(workdir, "jpeg_write_tool")
    subprocess.run(["cc", "-O1", "-o", exe, os.path.join(ROOT, "tools", "reference", "jpeg_write_tool.c"),
                    "-ljpeg"], check=True)
    out = []
    for i, (name, w, h, space_in, space, samp, q, flags) in enumerate(TOOL_CASES):
        c = {"gray": 1, "rgb": 3, "cmyk": 4}[space_in]
        path = os.path.join(workdir, name)
        subprocess.run([exe, path, str(w), str(h), space_in, space, samp, str(q), flags or "-"],
                       input=jpeg_pixels(900 + i, w, h, c).tobytes(), check=True)
        with open(path, "rb") as f:
            out.append((name, f.read()))
    return out


def write_decode_set(dump):
    d = os.path.join(OUT, "decode")
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    names = []
    for name, data in png_cases():
        open(os.path.join(d, name), "wb").write(data)
        names.append(name)
    for name, im in pil_png_cases():
        im.save(os.path.join(d, name))
        names.append(name)
    for name, im, opts in pil_jpeg_cases():
        im.save(os.path.join(d, name), **opts)
        names.append(name)
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in tool_jpegs(tmp):
            open(os.path.join(d, name), "wb").write(data)
            names.append(name)
    lines = ["# file  mode-Pillow-opens-it-as  width height  fnv64(convert('RGB'))  fnv64(convert('L'))"]
    for name in sorted(names):
        im = Image.open(os.path.join(d, name))
        mode = im.mode
        rgb, grey = im.convert("RGB"), Image.open(os.path.join(d, name)).convert("L")
        lines.append("%s %s %d %d %s %s" % (name, mode, im.size[0], im.size[1], fnv64(rgb.tobytes()),
                                            fnv64(grey.tobytes())))
        if dump:
            open(os.path.join(dump, name + ".rgb"), "wb").write(rgb.tobytes())
            open(os.path.join(dump, name + ".l"), "wb").write(grey.tobytes())
    open(os.path.join(OUT, "decode.txt"), "w").write("\n".join(lines) + "\n")
    return names


RESIZE_TO_256 = [(1, 1), (7, 300), (300, 7), (255, 255), (257, 257), (256, 256), (700, 900), (1024, 1024),
                 (2000, 1500), (3, 2), (511, 513), (640, 480), (1, 1000), (999, 1), (128, 128), (1500, 2000)]
RESIZE_OTHER = [((100, 100), (37, 53)), ((1000, 800), (333, 250)), ((17, 9), (1000, 3)), ((64, 64), (64, 32)),
                ((64, 64), (32, 64)), ((50, 40), (1, 1)), ((300, 200), (299, 201)), ((5, 5), (7, 7)),
                ((2, 2), (255, 257)), ((4000, 3), (13, 3)), ((41, 31), (41, 31)), ((3, 3), (2000, 2))]


def cut_points(size):
    """The cuts tested (tests/test_image_decode.c has the same rule): every length below 8 KiB, else
    every 61st plus the last 200."""
    if size <= 8192:
        return list(range(size))
    return sorted(set(range(0, size, 61)) | set(range(size - 200, size)))


def write_cuts(names):
    """Pillow's outcome for each cut: 'e' (an exception) or 'o' (convert('RGB') equals the whole file's).
    Stored as runs: position:outcome where the outcome changes."""
    import io
    lines = ["# file size runs (cut length:outcome where it changes; e = Pillow raises, o = the whole file's"
             " pixels)"]
    for name in sorted(names):
        data = open(os.path.join(OUT, "decode", name), "rb").read()
        whole = Image.open(io.BytesIO(data)).convert("RGB").tobytes()
        runs, last = [], None
        for n in cut_points(len(data)):
            try:
                got = Image.open(io.BytesIO(data[:n])).convert("RGB").tobytes()
                kind = "o" if got == whole else "x"
            except Exception:
                kind = "e"
            assert kind != "x", "%s cut at %d: Pillow returns other pixels" % (name, n)
            if kind != last:
                runs.append("%d:%s" % (n, kind))
                last = kind
        lines.append("%s %d %s" % (name, len(data), " ".join(runs)))
    open(os.path.join(OUT, "cuts.txt"), "w").write("\n".join(lines) + "\n")


def write_convert():
    y, x = np.mgrid[0:256, 0:256]
    cmyk = np.stack([x, (x * 7 + y) & 255, (x + 3 * y) & 255, y], 2).astype(np.uint8)  # every (C, K) pair
    im = Image.frombytes("CMYK", (256, 256), cmyk.tobytes())
    rgb = Image.fromarray(np.stack([x, y, (x * y + 3) & 255], 2).astype(np.uint8))
    lines = ["# conversion source fnv64: CMYK (x, (7x + y) & 255, (x + 3y) & 255, y) and RGB (x, y, (xy + 3) & 255)"
             " images of 256 x 256, as Pillow holds them in memory",
             "cmyk_rgb %s" % fnv64(im.convert("RGB").tobytes()),
             "cmyk_l %s" % fnv64(im.convert("L").tobytes()),
             "rgb_l %s" % fnv64(rgb.convert("L").tobytes())]
    open(os.path.join(OUT, "convert.txt"), "w").write("\n".join(lines) + "\n")


def write_resize(dump):
    lines = ["# pattern seed channels in_w in_h out_w out_h fnv64(Image.resize((out_w, out_h), BILINEAR))"]
    cases = [(s, (256, 256)) for s in RESIZE_TO_256] + RESIZE_OTHER
    seed = 1000
    for (iw, ih), (ow, oh) in cases:
        for kind in ("noise", "smooth"):
            for c in (3, 1):
                if c == 1 and kind == "smooth" and iw * ih > 10 ** 6:
                    continue  # one big L case is enough
                seed += 1
                px = pattern(kind, seed, iw, ih, c)
                im = Image.fromarray(px[:, :, 0], "L") if c == 1 else Image.fromarray(px, "RGB")
                out = im.resize((ow, oh), Image.BILINEAR)
                lines.append("%s %d %d %d %d %d %d %s" % (kind, seed, c, iw, ih, ow, oh, fnv64(out.tobytes())))
                if dump:
                    open(os.path.join(dump, "resize_%d.raw" % seed), "wb").write(out.tobytes())
    open(os.path.join(OUT, "resize.txt"), "w").write("\n".join(lines) + "\n")


# The InternVL2 tiling's resizes (spec encoders-and-captioner.md §3.7): to the grid and to the thumbnail.
RESIZE_TILING = [((640, 480), (1792, 1344)), ((5, 3), (1344, 896)), ((1, 4000), (448, 5376)),
                 ((4000, 1), (448, 448)), ((700, 700), (896, 896)), ((1000, 1000), (1344, 1344)),
                 ((1500, 1000), (448, 448)), ((640, 427), (1344, 896)), ((100, 1500), (448, 5376)),
                 ((2000, 90), (5376, 448)), ((1, 1), (448, 448)), ((633, 634), (448, 448)),
                 ((1023, 511), (896, 448)), ((3000, 2000), (1344, 896)), ((449, 447), (448, 448))]


def resize_bicubic_cases():
    """(in size, out size): the bilinear list's, the tiling's, and seeded random up-, down- and mixed
    scales (each axis on its own: 1..700 to 1..700, some far down)."""
    import random
    rng = random.Random(20240611)
    cases = [(s, (256, 256)) for s in RESIZE_TO_256] + RESIZE_OTHER + RESIZE_TILING
    for _ in range(120):
        cases.append(((rng.randint(1, 700), rng.randint(1, 700)), (rng.randint(1, 700), rng.randint(1, 700))))
    for _ in range(20):
        cases.append(((rng.randint(500, 3000), rng.randint(500, 3000)), (rng.randint(1, 40), rng.randint(1, 40))))
    return cases


def write_resize_bicubic(dump):
    lines = ["# pattern seed channels in_w in_h out_w out_h fnv64(Image.resize((out_w, out_h)) for RGB: the default"
             " filter, BICUBIC, as the captioner calls it; resize(..., BICUBIC) for L)"]
    seed = 5000
    for n, ((iw, ih), (ow, oh)) in enumerate(resize_bicubic_cases()):
        for kind in ("noise", "smooth"):
            c = 1 if n % 4 == 3 and kind == "smooth" else 3  # a quarter of the ramps in L
            seed += 1
            px = pattern(kind, seed, iw, ih, c)
            im = Image.fromarray(px[:, :, 0], "L") if c == 1 else Image.fromarray(px, "RGB")
            out = im.resize((ow, oh), Image.BICUBIC) if c == 1 else im.resize((ow, oh))
            if c == 3:
                assert out.tobytes() == im.resize((ow, oh), Image.BICUBIC).tobytes()  # the default is BICUBIC
            lines.append("%s %d %d %d %d %d %d %s" % (kind, seed, c, iw, ih, ow, oh, fnv64(out.tobytes())))
            if dump:
                open(os.path.join(dump, "resize_bicubic_%d.raw" % seed), "wb").write(out.tobytes())
    open(os.path.join(OUT, "resize_bicubic.txt"), "w").write("\n".join(lines) + "\n")


def save_npy(path, array):
    np.save(path, np.ascontiguousarray(array))


def write_values():
    v = np.arange(256, dtype=np.uint8)
    im = Image.fromarray(np.stack([v, v, v], 1).reshape(1, 256, 3))
    norm = T.Compose([T.ToTensor(), T.Normalize(mean=MEAN, std=STD)])(im)
    save_npy(os.path.join(OUT, "values_normalize.npy"), norm.numpy())  # (3, 1, 256) float32
    mask = T.ToTensor()(Image.fromarray(v.reshape(1, 256), "L"))
    save_npy(os.path.join(OUT, "values_mask.npy"), mask.numpy())  # (1, 1, 256)
    # The reference's de-normalisation for the heat-map background (test.py), float32 throughout.
    std = torch.tensor(STD).unsqueeze(1).unsqueeze(1)
    mean = torch.tensor(MEAN).unsqueeze(1).unsqueeze(1)
    den = (norm * std + mean) * 255
    save_npy(os.path.join(OUT, "values_denormalize.npy"), den.numpy())
    trunc = den.numpy().astype("uint8")
    print("de-normalised + astype(uint8): %d of 768 values are one below the original" % (trunc != v).sum())


def write_pipeline(names):
    image_tf = T.Compose([T.Resize((256, 256)), T.ToTensor(), T.Normalize(mean=MEAN, std=STD)])
    mask_tf = T.Compose([T.Resize((256, 256)), T.ToTensor()])
    lines = ["# file kind(image: convert('RGB') + Resize + ToTensor + Normalize | mask: convert('L') + Resize +"
             " ToTensor) fnv64(float32 little-endian CHW bytes)"]
    chosen = [n for n in names if n.startswith(("photo_", "mask_", "pil_420_61x47", "pil_gray_61x47",
                                                "rgb16_37x29.", "p8_37x29_trns.", "tool_ycck_37x29"))]
    for name in sorted(chosen):
        p = os.path.join(OUT, "decode", name)
        t = image_tf(Image.open(p).convert("RGB")).numpy()
        assert t.dtype == np.float32 and t.shape == (3, 256, 256)
        lines.append("%s image %s" % (name, fnv64(t.astype("<f4").tobytes())))
        m = mask_tf(Image.open(p).convert("L")).numpy()
        assert m.shape == (1, 256, 256)
        lines.append("%s mask %s" % (name, fnv64(m.astype("<f4").tobytes())))
    open(os.path.join(OUT, "pipeline.txt"), "w").write("\n".join(lines) + "\n")


def reference_heatmap(amap, norm_tensor):
    """test.py's visualisation, step by step: returns the RGB bytes of the file cv2.imwrite writes, and the
    same overlay with the photo's channels in RGB order."""
    a = torch.from_numpy(amap)
    u8 = np.round(255 * (a - a.min()) / (a.max() - a.min())).cpu().numpy().astype(np.uint8)
    heat = cv2.applyColorMap(u8, colormap=cv2.COLORMAP_JET)  # BGR
    std = torch.tensor(STD).unsqueeze(1).unsqueeze(1)
    mean = torch.tensor(MEAN).unsqueeze(1).unsqueeze(1)
    image = ((norm_tensor * std + mean) * 255).permute(1, 2, 0).numpy().astype("uint8")  # RGB
    out = cv2.addWeighted(heat, 0.5, image.copy(), 0.5, 0, image.copy())
    with tempfile.TemporaryDirectory() as tmp:  # what lands in the file: OpenCV writes BGR
        path = os.path.join(tmp, "h.png")
        cv2.imwrite(path, out)
        file_rgb = np.asarray(Image.open(path).convert("RGB"))
    assert (file_rgb == out[:, :, ::-1]).all()
    true_colour = cv2.addWeighted(heat[:, :, ::-1].copy(), 0.5, image.copy(), 0.5, 0)
    return file_rgb, true_colour


def write_heatmap():
    lut = cv2.applyColorMap(np.arange(256, dtype=np.uint8).reshape(16, 16), cv2.COLORMAP_JET).reshape(256, 3)
    lines = ["# OpenCV %s COLORMAP_JET: index R G B" % cv2.__version__]
    lines += ["jet %d %d %d %d" % (i, lut[i, 2], lut[i, 1], lut[i, 0]) for i in range(256)]
    a = np.repeat(np.arange(256, dtype=np.uint8), 256).reshape(256, 256)
    b = a.T.copy()
    lines.append("addweighted %s" % fnv64(cv2.addWeighted(a, 0.5, b, 0.5, 0).tobytes()))
    for w, h, seed in ((40, 30, 1), (256, 256, 2)):
        amap = (mix(3000 + seed, w * h) >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
        amap = (amap * 0.7 + 0.1).reshape(h, w)
        px = pattern("smooth", 3100 + seed, w, h, 3)
        norm = T.Compose([T.ToTensor(), T.Normalize(mean=MEAN, std=STD)])(Image.fromarray(px))
        file_rgb, true_colour = reference_heatmap(amap, norm)
        lines.append("overlay %d %d %d reference %s" % (w, h, seed, fnv64(file_rgb.tobytes())))
        lines.append("overlay %d %d %d truecolour %s" % (w, h, seed, fnv64(true_colour.tobytes())))
    open(os.path.join(OUT, "heatmap.txt"), "w").write("\n".join(lines) + "\n")


def write_npy():
    d = os.path.join(OUT, "npy")
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        os.remove(os.path.join(d, f))
    values = npy_values
    good = {"f32_3x5x7": ((3, 5, 7), np.float32), "f64_1x4x6": ((1, 4, 6), np.float64),
            "f64_2x3": ((2, 3), np.float64), "f32_11": ((11,), np.float32), "f64_scalar": ((), np.float64),
            "f32_0x3": ((0, 3), np.float32), "f32_1x2x1x3x1x2": ((1, 2, 1, 3, 1, 2), np.float32)}
    for name, (shape, dt) in good.items():
        np.save(os.path.join(d, name + ".npy"), values(shape, dt))
    np.save(os.path.join(d, "bad_fortran.npy"), np.asfortranarray(values((3, 4), np.float32)))
    np.save(os.path.join(d, "bad_bigendian.npy"), values((3, 4), np.float32).astype(">f4"))
    np.save(os.path.join(d, "bad_int32.npy"), np.arange(12, dtype=np.int32).reshape(3, 4))
    np.save(os.path.join(d, "bad_float16.npy"), values((3, 4), np.float16))
    full = open(os.path.join(d, "f32_3x5x7.npy"), "rb").read()
    open(os.path.join(d, "bad_truncated.npy"), "wb").write(full[:-5])
    open(os.path.join(d, "bad_trailing.npy"), "wb").write(full + b"\0\0\0\0")
    # Version 2.0 and 3.0 headers (numpy picks them for huge or non-Latin-1 headers; forced here).
    import numpy.lib.format as fmt
    for version in ((2, 0), (3, 0)):
        with open(os.path.join(d, "f64_v%d_2x3.npy" % version[0]), "wb") as f:
            fmt.write_array(f, values((2, 3), np.float64), version=version)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", help="also write Pillow's decoded and resized bytes to this folder")
    args = ap.parse_args()
    if args.dump:
        os.makedirs(args.dump, exist_ok=True)
    print("Pillow %s, libjpeg-turbo %s, zlib %s, numpy %s, torch %s, torchvision %s, OpenCV %s" % (
        Image.__version__, features.version("libjpeg_turbo"), features.version("zlib"), np.__version__,
        torch.__version__, __import__("torchvision").__version__, cv2.__version__))
    os.makedirs(OUT, exist_ok=True)
    names = write_decode_set(args.dump)
    write_cuts(names)
    write_convert()
    write_resize(args.dump)
    write_resize_bicubic(args.dump)
    write_values()
    write_pipeline(names)
    write_heatmap()
    write_npy()
    total = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(OUT) for f in fs)
    print("wrote %s: %d files, %d bytes" % (OUT, sum(len(fs) for _, _, fs in os.walk(OUT)), total))


if __name__ == "__main__":
    sys.exit(main())
