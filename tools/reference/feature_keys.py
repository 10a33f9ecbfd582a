"""Writes the official key layouts the feature-extractor layout test (tests/test_features_layout.c) checks
the engine's graphs against, as TSV (key, shape, dtype):

    /usr/bin/python3 tools/reference/feature_keys.py

- tests/data/resnet/resnet50-keys.tsv: the state dict of torchvision's resnet50 (Debian's
  python3-torchvision 0.14), built without weights: the layout DINO's dino_resnet50_pretrain.pth is
  loaded into (DINO hubconf.py: torchvision resnet50, fc replaced by Identity) and the one timm's resnet50
  shares (same module names conv1, bn1, layer1..4, downsample.0/.1, fc).
- tests/data/dino/dino-keys-{v1s8,v1s16,v1b8,v1b16}.tsv: the DINO ViT state dicts as the spec gives them
  (../shared/spec/encoders-and-captioner.md §1.3: flat, no prefix, pos_embed trained at 224), for each
  preset (vit_small 384 / 6 heads, vit_base 768 / 12 heads, patch 8 or 16, 12 blocks, MLP 4x). DINO's own
  code is not available here, so these come from the spec's table (tools/reference/dino_ref.py).
"""
import os
import sys

import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from dino_ref import param_shapes  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
PRESETS = {"v1s8": (8, 384, 6), "v1s16": (16, 384, 6), "v1b8": (8, 768, 12), "v1b16": (16, 768, 12)}


def write_tsv(path, rows, source):
    with open(path, "w") as f:
        f.write("# %s\nkey\tshape\tdtype\n" % source)
        for key, shape, dtype in rows:
            f.write("%s\t(%s)\t%s\n" % (key, ", ".join(str(d) for d in shape), dtype))
    print("%s: %d keys" % (path, len(rows)))


def main():
    sd = torchvision.models.resnet50().state_dict()
    rows = [(k, list(v.shape), str(v.dtype)) for k, v in sd.items()]
    write_tsv(os.path.join(ROOT, "tests", "data", "resnet", "resnet50-keys.tsv"), rows,
              "torchvision %s resnet50().state_dict()" % torchvision.__version__)
    for arch, (patch, dim, heads) in PRESETS.items():
        cfg = {"patch_size": patch, "embed_dim": dim, "depth": 12, "num_heads": heads, "mlp_ratio": 4.0,
               "img_size": 224}
        rows = [(k, s, "torch.float32") for k, s in param_shapes(cfg).items()]
        n = sum(int(torch.tensor(s).prod()) for _, s, _ in rows)
        write_tsv(os.path.join(ROOT, "tests", "data", "dino", "dino-keys-%s.tsv" % arch), rows,
                  "DINO %s (spec encoders-and-captioner.md §1.3 layout), %d parameters" % (arch, n))


if __name__ == "__main__":
    main()
