"""PyTorch reference of the two ResNet-50 feature paths of VLMDiff's test.py (timm resnet50
features_only, levels [1:4] = layer1..layer3; DINO's ResNet-50 v1r50 through torchvision's feature
extractor, layer1..layer4 returned, [1:4] = layer2..layer4), written from the architecture facts in
../shared/spec/vlmdiff-pipeline.md §1.7 and the ResNet v1.5 structure (see tests/data/resnet/README.md),
not from timm or torchvision, and the goldens of tests/data/resnet/.

    /usr/bin/python3 tools/reference/resnet_ref.py            # goldens + mistake sensitivity (a few seconds)
    /usr/bin/python3 tools/reference/resnet_ref.py --check    # recompute and compare with the committed goldens

Weights come from the counter-based generator of make_net_goldens.py with the rules of
tests/data/resnet/README.md, under the torchvision / timm checkpoint key names. They are not committed;
the C test regenerates them natively (as a torch zip checkpoint). Run with Debian's interpreter
(python3-torch 1.13, numpy).
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
OUT = os.path.join(ROOT, "tests", "data", "resnet")
FC_CLASSES = 10  # the tiny checkpoint's classifier (present in the real files, never read)


def load_config():
    with open(os.path.join(OUT, "config.json")) as f:
        return json.load(f)


def bn_shapes(prefix, c):
    return {prefix + k: [c] for k in ("weight", "bias", "running_mean", "running_var")}


def param_shapes(cfg):
    """Every float key of the checkpoint with its shape (num_batches_tracked aside), in module order."""
    s = {"conv1.weight": [cfg["stem_width"], 3, 7, 7]}
    s.update(bn_shapes("bn1.", cfg["stem_width"]))
    cin = cfg["stem_width"]
    for st, blocks in enumerate(cfg["layers"], start=1):
        width = cfg["base_width"] << (st - 1)
        cout = width * cfg["expansion"]
        for j in range(blocks):
            b = "layer%d.%d." % (st, j)
            s[b + "conv1.weight"] = [width, cin, 1, 1]
            s.update(bn_shapes(b + "bn1.", width))
            s[b + "conv2.weight"] = [width, width, 3, 3]
            s.update(bn_shapes(b + "bn2.", width))
            s[b + "conv3.weight"] = [cout, width, 1, 1]
            s.update(bn_shapes(b + "bn3.", cout))
            if j == 0 and (st > 1 or cin != cout):
                s[b + "downsample.0.weight"] = [cout, cin, 1, 1]
                s.update(bn_shapes(b + "downsample.1.", cout))
            cin = cout
    s["fc.weight"] = [FC_CLASSES, cin]
    s["fc.bias"] = [FC_CLASSES]
    return s


def weight_values(name, shape):
    """The README's rules: conv / linear weights v*sqrt(3/fan_in); BN gamma 1 + 0.25 v, beta 0.25 v,
    running_mean 0.2 v, running_var 1 + 0.5 v (in [0.5, 1.5)); fc.bias 0.2 v."""
    v = uniform_pm1(name, int(np.prod(shape)))
    if len(shape) >= 2:
        return (v * np.float32(math.sqrt(3.0 / int(np.prod(shape[1:]))))).reshape(shape)
    if name.endswith("running_var"):
        return (np.float32(1.0) + v * np.float32(0.5)).reshape(shape)
    if name.endswith("running_mean"):
        return (v * np.float32(0.2)).reshape(shape)
    if name == "fc.bias":
        return (v * np.float32(0.2)).reshape(shape)
    if name.endswith(".weight"):
        return (np.float32(1.0) + v * np.float32(0.25)).reshape(shape)
    return (v * np.float32(0.25)).reshape(shape)


def make_weights(cfg):
    return {k: torch.from_numpy(weight_values(k, s)) for k, s in param_shapes(cfg).items()}


def bn(x, sd, prefix, eps, mistake):
    e = 1e-3 if mistake == "bn_eps_1e-3" else eps
    return F.batch_norm(x, sd[prefix + "running_mean"], sd[prefix + "running_var"], sd[prefix + "weight"],
                        sd[prefix + "bias"], training=False, eps=e)


def bottleneck(x, sd, b, stride, has_down, eps, mistake):
    s1, s2 = (stride, 1) if mistake == "stride_on_1x1" else (1, stride)
    h = F.relu(bn(F.conv2d(x, sd[b + "conv1.weight"], stride=s1), sd, b + "bn1.", eps, mistake))
    h = F.relu(bn(F.conv2d(h, sd[b + "conv2.weight"], stride=s2, padding=1), sd, b + "bn2.", eps, mistake))
    h = bn(F.conv2d(h, sd[b + "conv3.weight"]), sd, b + "bn3.", eps, mistake)
    sc = x
    if has_down:
        sc = bn(F.conv2d(x, sd[b + "downsample.0.weight"], stride=stride), sd, b + "downsample.1.", eps, mistake)
    if mistake == "relu_before_add":
        return F.relu(h) + sc
    return F.relu(h + sc)


def resnet_stages(sd, cfg, x, mistake=None):
    """x [B, 3, H, W] -> [layer1, layer2, layer3, layer4] outputs."""
    eps = cfg["bn_eps"]
    x = F.relu(bn(F.conv2d(x, sd["conv1.weight"], stride=2, padding=3), sd, "bn1.", eps, mistake))
    x = F.max_pool2d(x, 3, 2, 0 if mistake == "maxpool_no_pad" else 1)
    outs, cin = [], cfg["stem_width"]
    for st, blocks in enumerate(cfg["layers"], start=1):
        cout = (cfg["base_width"] << (st - 1)) * cfg["expansion"]
        for j in range(blocks):
            stride = 2 if st > 1 and j == 0 else 1
            x = bottleneck(x, sd, "layer%d.%d." % (st, j), stride, j == 0 and (stride != 1 or cin != cout), eps,
                           mistake)
            cin = cout
        outs.append(x)
    return outs


LEVELS = {"timm": (0, 1, 2), "dino": (1, 2, 3)}  # indices into [layer1..layer4]

CASES = [  # file, image shape
    ("resnet_64.safetensors", [2, 3, 64, 64]),    # batch 2: layer1..4 at 16, 8, 4, 2
    ("resnet_50x38.safetensors", [1, 3, 50, 38]),  # odd sizes: 25x19 after conv1, 13x10 after the maxpool
]


def rel(a, b):
    return float((a - b).abs().max() / b.abs().max())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="compare with the committed goldens")
    args = ap.parse_args()
    torch.set_num_threads(2)
    cfg = load_config()
    sd = make_weights(cfg)
    sd64 = {k: v.double() for k, v in sd.items()}
    for fname, shape in CASES:
        image = torch.from_numpy(uniform("resnet.image.%dx%d" % (shape[2], shape[3]), shape, -2.0, 2.5))
        with torch.no_grad():
            outs = resnet_stages(sd, cfg, image)
            o64 = resnet_stages(sd64, cfg, image.double())
            print("%s: %s" % (fname, ", ".join("layer%d %s" % (i + 1, list(o.shape)) for i, o in enumerate(outs))))
            print("  fp32 vs fp64 %s" % ", ".join("%.2g" % rel(o.double(), d) for o, d in zip(outs, o64)))
            for m in ("stride_on_1x1", "bn_eps_1e-3", "maxpool_no_pad", "relu_before_add"):
                bad = resnet_stages(sd, cfg, image, m)
                ch = [rel(b, o) if b.shape == o.shape else float("inf") for b, o in zip(bad, outs)]
                print("  mistake %-16s rel change %s" % (m, ", ".join("%.3g" % c for c in ch)))
        tensors = {"image": image.numpy()}
        tensors.update({"layer%d" % (i + 1): o.numpy() for i, o in enumerate(outs)})
        path = os.path.join(OUT, fname)
        if args.check:
            from make_net_goldens import read_safetensors
            old = read_safetensors(path)
            for k in tensors:
                print("  committed %s differs by %.3g" % (k, rel(torch.from_numpy(np.array(old[k])),
                                                                 torch.from_numpy(tensors[k]))))
        else:
            write_goldens(path, tensors)


if __name__ == "__main__":
    main()
