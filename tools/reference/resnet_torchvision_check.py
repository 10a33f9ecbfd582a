"""Full-size check of `vlmdiff forward --net resnet50` against torchvision's own resnet50 (Debian's
python3-torchvision): a randomly initialised resnet50 with random BatchNorm statistics, saved with
torch.save(model.state_dict()) as a real .pth (the layout of dino_resnet50_pretrain.pth; timm's resnet50
has the same keys), one 256x256 image, both variants (timm: layer1..3, dino: layer2..4), fp32.

    /usr/bin/python3 tools/reference/resnet_torchvision_check.py build/vlmdiff [--precision fp32|fp16]

It runs torchvision's modules (a check against the library the reference uses, not a reference written
from the spec: tools/reference/resnet_ref.py is that) and prints max rel / element rel / NMSE per level.
Takes about a minute on a 2-core machine with lavapipe. Nothing is committed from it.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from goldens_io import write_goldens  # noqa: E402
from make_net_goldens import read_safetensors  # noqa: E402


def measures(got, want):
    d = np.abs(got.astype(np.float64) - want.astype(np.float64))
    scale = np.abs(want).max()
    big = np.abs(want) > 0.1 * scale
    return d.max() / scale, (d[big] / np.abs(want[big])).max(), (d ** 2).sum() / (want.astype(np.float64) ** 2).sum()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vlmdiff")
    ap.add_argument("--precision", default="fp32")
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = torchvision.models.resnet50().eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5), m.bias.uniform_(-0.3, 0.3)
                m.running_mean.uniform_(-0.3, 0.3), m.running_var.uniform_(0.5, 2.0)
        image = torch.randn(1, 3, 256, 256)
        x = model.maxpool(model.relu(model.bn1(model.conv1(image))))
        layers = []
        for layer in (model.layer1, model.layer2, model.layer3, model.layer4):
            x = layer(x)
            layers.append(x.numpy())
    with tempfile.TemporaryDirectory() as tmp:
        pth = os.path.join(tmp, "resnet50.pth")
        torch.save(model.state_dict(), pth)
        inp = os.path.join(tmp, "in.safetensors")
        write_goldens(inp, {"image": image.numpy()})
        for variant, first in (("timm", 0), ("dino", 1)):
            out = os.path.join(tmp, "out_%s.safetensors" % variant)
            subprocess.run([args.vlmdiff, "forward", "--net", "resnet50", "--resnet-variant", variant, "--weights", pth,
                            "--inputs", inp, "--out", out, "--precision", args.precision], check=True)
            got = read_safetensors(out)
            for i in range(3):
                r, e, n = measures(np.array(got["features.%d" % i]), layers[first + i])
                print("%s features.%d (layer%d %s): max rel %.3g, element rel %.3g, NMSE %.3g" % (
                    variant, i, first + i + 1, list(layers[first + i].shape), r, e, n))


if __name__ == "__main__":
    main()
