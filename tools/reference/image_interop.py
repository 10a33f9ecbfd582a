#!/usr/bin/python3
"""Run-time half of tests/test_image_interop.c: checks the files the engine wrote with Pillow and numpy,
and writes .npy files with numpy for the engine to read back. Needs python3-pil and python3-numpy
(tools/setup.sh installs both).

    /usr/bin/python3 tools/reference/image_interop.py DIR

DIR/manifest.txt lists what the C side wrote, one file a line:
    png FILE KIND SEED W H C     a PNG of pattern(KIND, SEED, W, H, C) (C = 1: 'L', 3: 'RGB')
    npy FILE DTYPE D0 [D1 ...]   an array of npy_values(shape, DTYPE), DTYPE f4 or f8
Each PNG must open in Pillow as mode 'L' / 'RGB' with exactly those pixels; each .npy must load with
np.load (allow_pickle=False) to exactly that array and be byte-identical to np.save's file. Then numpy
writes DIR/numpy_*.npy (listed in DIR/numpy.txt, same line format) for the C side. Exit status 0 when
every check passed.
"""
import io
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from image_patterns import npy_values, pattern  # noqa: E402

NUMPY_FILES = [("numpy_f32_3x256x256.npy", "f4", (3, 256, 256)), ("numpy_f32_1x256x256.npy", "f4", (1, 256, 256)),
               ("numpy_f64_256x256.npy", "f8", (256, 256)), ("numpy_f64_1x256x256.npy", "f8", (1, 256, 256)),
               ("numpy_f32_256x256.npy", "f4", (256, 256))]


def check_png(d, name, kind, seed, w, h, c):
    im = Image.open(os.path.join(d, name))
    want_mode = "L" if c == 1 else "RGB"
    if im.mode != want_mode or im.size != (w, h):
        return "%s: Pillow opens it as %s %s, expected %s %s" % (name, im.mode, im.size, want_mode, (w, h))
    got = np.asarray(im).reshape(h, w, c)
    if not np.array_equal(got, pattern(kind, seed, w, h, c)):
        return "%s: pixels differ" % name
    return None


def check_npy(d, name, dtype, shape):
    path = os.path.join(d, name)
    a = np.load(path, allow_pickle=False)
    want = npy_values(shape, "<" + dtype)
    if a.dtype != want.dtype or a.shape != want.shape or not np.array_equal(a, want):
        return "%s: np.load gives %s %s, expected %s %s" % (name, a.dtype, a.shape, want.dtype, want.shape)
    buf = io.BytesIO()
    np.save(buf, want)
    if open(path, "rb").read() != buf.getvalue():
        return "%s: not byte-identical to np.save's file" % name
    return None


def main():
    d = sys.argv[1]
    errors, pngs, npys = [], 0, 0
    for line in open(os.path.join(d, "manifest.txt")):
        f = line.split()
        if f[0] == "png":
            errors.append(check_png(d, f[1], f[2], int(f[3]), int(f[4]), int(f[5]), int(f[6])))
            pngs += 1
        elif f[0] == "npy":
            errors.append(check_npy(d, f[1], f[2], tuple(int(x) for x in f[3:])))
            npys += 1
    errors = [e for e in errors if e]
    with open(os.path.join(d, "numpy.txt"), "w") as out:
        for name, dtype, shape in NUMPY_FILES:
            np.save(os.path.join(d, name), npy_values(shape, "<" + dtype))
            out.write("npy %s %s %s\n" % (name, dtype, " ".join(str(x) for x in shape)))
    for e in errors:
        print("image_interop: " + e)
    print("image_interop: %d PNGs read by Pillow %s, %d .npy read by numpy %s, %d problems" % (
        pngs, Image.__version__, npys, np.__version__, len(errors)))
    return 1 if errors or not pngs or not npys else 0


if __name__ == "__main__":
    sys.exit(main())
