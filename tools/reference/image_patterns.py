"""The synthetic images and the hash the image goldens use, shared by make_image_goldens.py (goldens) and
image_interop.py (the run-time check of the writers). numpy only. The C twins are in tests/image_goldens.h."""
import numpy as np

M64 = (1 << 64) - 1


def fnv64(data):
    """64-bit FNV-1a of bytes, as 16 hex digits."""
    h = 0xCBF29CE484222325
    for b in bytes(data):
        h = ((h ^ b) * 0x100000001B3) & M64
    return "%016x" % h


def mix(seed, count):
    """splitmix64 of seed * 2^32 + i for i < count."""
    z = (np.uint64(seed) << np.uint64(32)) + np.arange(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = z * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def pattern(kind, seed, w, h, c):
    """Synthetic 8-bit image (h, w, c): 'noise' = top byte of the mix; 'smooth' = ramps plus 2-bit noise."""
    z = mix(seed, w * h * c)
    if kind == "noise":
        return (z >> np.uint64(56)).astype(np.uint8).reshape(h, w, c)
    y, x, ch = np.meshgrid(np.arange(h), np.arange(w), np.arange(c), indexing="ij")
    noise = (z >> np.uint64(62)).astype(np.int64).reshape(h, w, c)
    return ((x * 3 + y * 5 + ch * 60 + noise) & 255).astype(np.uint8)


def npy_values(shape, dtype):
    """The .npy tests' values: element i is i / 7 - 3 in float64, then cast to dtype."""
    return (np.arange(int(np.prod(shape))) / 7 - 3).astype(dtype).reshape(shape)
