#!/usr/bin/env bash
# `vlmdiff forward` takes every channel count from the config: the tiny model with 4-channel images (and so
# a 4-channel hint and decoder output) reconstructs a batch of two with the right shapes and strides, and
# a config whose hint_channels differ from the image's in_channels is refused naming both keys.
set -u
bin=${1:?usage: cli_forward_channels.sh VLMDIFF NETS_TOOL}
tool=${2:?usage: cli_forward_channels.sh VLMDIFF NETS_TOOL}
data=$(cd "$(dirname "$0")/data/nets" && pwd)
source "$(dirname "$0")/vdtest.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The tiny model with 4-channel images: hint_channels, ddconfig.in_channels and out_ch 4.
sed -e 's/hint_channels: 3/hint_channels: 4/' -e 's/^          in_channels: 3/          in_channels: 4/' \
  -e 's/out_ch: 3/out_ch: 4/' "$data/tiny.yaml" >"$tmp/rgba.yaml"
grep -q 'hint_channels: 4' "$tmp/rgba.yaml" && grep -q '^          in_channels: 4' "$tmp/rgba.yaml" \
  && grep -q 'out_ch: 4' "$tmp/rgba.yaml" && ok || bad "could not derive rgba.yaml from tiny.yaml"
"$tool" weights "$tmp/rgba.safetensors" "$tmp/rgba.yaml" || { echo "cannot make the 4-channel weights"; exit 1; }

# Inputs: two identical 4x64x64 images with identical noise, one context used as both branches.
python3 - "$tmp/in.safetensors" <<'EOF'
import json, math, struct, sys
def values(n, k):
    return [math.sin(0.37 * i + k) for i in range(n)]
img = values(4 * 64 * 64, 1.0)
noise = values(4 * 8 * 8, 2.0)
ctx = values(77 * 64, 3.0)
tensors = [("image", [2, 4, 64, 64], img + img), ("noise", [2, 4, 8, 8], noise + noise),
           ("context", [1, 77, 64], ctx), ("uncond_context", [1, 77, 64], ctx)]
header, blob = {}, b""
for name, shape, v in tensors:
    data = struct.pack("<%df" % len(v), *v)
    header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(blob), len(blob) + len(data)]}
    blob += data
h = json.dumps(header).encode()
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + blob)
EOF
[ $? -eq 0 ] && ok || bad "could not write the inputs"

"$bin" forward --net reconstruct --config "$tmp/rgba.yaml" --weights "$tmp/rgba.safetensors" --posterior mean \
  --steps 1 --inputs "$tmp/in.safetensors" --out "$tmp/out.safetensors" && ok || bad "4-channel reconstruct failed"
out=$("$bin" inspect "$tmp/out.safetensors" 2>&1)
grep -q "F32  (2, 4, 64, 64) .*samples" <<<"$out" && ok || bad "samples are not (2, 4, 64, 64): $out"
grep -q "F32  (2, 4, 8, 8) .*latent" <<<"$out" && ok || bad "latent is not (2, 4, 8, 8): $out"
# Identical items give identical results only if each item's image and samples are found at its own stride.
python3 - "$tmp/out.safetensors" <<'EOF'
import json, math, struct, sys
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
bad = 0
for name in ("latent", "samples"):
    b, e = header[name]["data_offsets"]
    v = struct.unpack("<%df" % ((e - b) // 4), raw[8 + n + b:8 + n + e])
    half = len(v) // 2
    if not all(math.isfinite(x) for x in v) or v[:half] != v[half:]:
        print("%s: the two items differ or are not finite" % name)
        bad = 1
sys.exit(bad)
EOF
[ $? -eq 0 ] && ok || bad "the batch's two identical items gave different results"

# hint_channels 4 with 3-channel images: refused with both keys named, no output.
"$tool" weights "$tmp/tiny.safetensors" || { echo "cannot make the tiny weights"; exit 1; }
sed -e 's/hint_channels: 3/hint_channels: 4/' "$data/tiny.yaml" >"$tmp/hint4.yaml"
err=$("$bin" forward --net reconstruct --config "$tmp/hint4.yaml" --weights "$tmp/tiny.safetensors" --steps 1 \
  --inputs "$data/reconstruct.safetensors" --out "$tmp/bad.safetensors" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "hint_channels (4)" <<<"$err" && grep -q "in_channels (3)" <<<"$err" \
  && [ ! -e "$tmp/bad.safetensors" ] && ok || bad "hint_channels 4 with 3-channel images: rc=$rc $err"

vdt_finish cli_forward_channels
