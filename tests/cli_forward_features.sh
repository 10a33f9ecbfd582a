#!/usr/bin/env bash
# `vlmdiff forward --net dino|resnet50` on the tiny models: weights written as flat torch zip .pth files in
# the official key layouts (nets_tool dino-weights / resnet-weights), each output against its PyTorch
# golden (tests/data/dino, tests/data/resnet) in fp32, the image + reconstruction pair as one batch of 2,
# both ResNet variants, and the errors a user meets (one line, non-zero exit, no output file left).
set -u
bin=${1:?usage: cli_forward_features.sh VLMDIFF NETS_TOOL}
tool=${2:?usage: cli_forward_features.sh VLMDIFF NETS_TOOL}
here=$(cd "$(dirname "$0")" && pwd)
dino=$here/data/dino
rn=$here/data/resnet
source "$here/vdtest.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$tool" dino-weights "$tmp/dino.pth" "$dino/config.json" || { echo "cannot make the tiny DINO weights"; exit 1; }
"$tool" resnet-weights "$tmp/resnet.pth" "$rn/config.json" || { echo "cannot make the tiny ResNet weights"; exit 1; }
fdino() { "$bin" forward --net dino --config "$dino/config.json" --weights "$tmp/dino.pth" --precision fp32 "$@"; }
frn() { "$bin" forward --net resnet50 --config "$rn/config.json" --weights "$tmp/resnet.pth" --precision fp32 "$@"; }
cmp() { "$tool" compare "$1" "$2" "$3" >/dev/null && ok || bad "$4: $3 differs from the golden"; }
# DINO: the trained grid at batch 2 and the bicubic-resized 10x12 grid.
for g in dino_64 dino_80x96; do
  fdino --inputs "$dino/$g.safetensors" --out "$tmp/$g.st" && ok || bad "dino $g failed"
  cmp "$tmp/$g.st" "$dino/$g.safetensors" features "dino $g"
done
# The pair: golden item 0 as the image, item 1 as the reconstruction ("samples"), one batch of 2.
"$tool" pair "$dino/dino_64.safetensors" "$tmp/dino_pair.st" >/dev/null && ok || bad "pair"
fdino --inputs "$tmp/dino_pair.st" --out "$tmp/dino_pair_out.st" && ok || bad "dino pair failed"
cmp "$tmp/dino_pair_out.st" "$tmp/dino_pair.st" features "dino pair"
cmp "$tmp/dino_pair_out.st" "$tmp/dino_pair.st" samples_features "dino pair"
# ResNet, timm levels (layer1..3) and DINO's v1r50 levels (layer2..4).
for g in resnet_64 resnet_50x38; do
  frn --inputs "$rn/$g.safetensors" --out "$tmp/$g.st" && ok || bad "resnet50 $g failed"
  for i in 0 1 2; do cmp "$tmp/$g.st" "$rn/$g.safetensors" "features.$i=layer$((i + 1))" "resnet50 timm $g"; done
  frn --resnet-variant dino --inputs "$rn/$g.safetensors" --out "$tmp/${g}_dino.st" && ok || bad "resnet50 dino $g failed"
  for i in 0 1 2; do cmp "$tmp/${g}_dino.st" "$rn/$g.safetensors" "features.$i=layer$((i + 2))" "resnet50 dino $g"; done
done
"$tool" pair "$rn/resnet_64.safetensors" "$tmp/rn_pair.st" >/dev/null && ok || bad "pair"
frn --resnet-variant dino --inputs "$tmp/rn_pair.st" --out "$tmp/rn_pair_out.st" && ok || bad "resnet50 pair failed"
for i in 0 1 2; do
  cmp "$tmp/rn_pair_out.st" "$tmp/rn_pair.st" "features.$i=layer$((i + 2))" "resnet50 pair"
  cmp "$tmp/rn_pair_out.st" "$tmp/rn_pair.st" "samples_features.$i=samples_layer$((i + 2))" "resnet50 pair"
done
# Errors: one line naming the problem, exit 1 (2 for usage), no output file.
fail() {  # fail RC PATTERN WHAT -- command...
  local rc_want=$1 pat=$2 what=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  [ $rc -eq "$rc_want" ] && grep -qE -- "$pat" <<<"$out" && [ "$(wc -l <<<"$out")" -eq 1 ] && [ ! -e "$tmp/e.st" ] \
    && ok || bad "$what: rc=$rc $out"
}
fail 1 '^vlmdiff forward: .*resnet\.pth: cannot load the network .*: 30 missing.*missing: patch_embed\.proj\.weight' \
  "dino on ResNet weights" -- "$bin" forward --net dino --config "$dino/config.json" --weights "$tmp/resnet.pth" \
  --inputs "$dino/dino_64.safetensors" --out "$tmp/e.st"
fail 1 'missing: conv1\.weight \(8, 3, 7, 7\).*\(and [0-9]+ more\)$' "resnet50 on DINO weights" -- \
  "$bin" forward --net resnet50 --config "$rn/config.json" --weights "$tmp/dino.pth" --inputs "$rn/resnet_64.safetensors" --out "$tmp/e.st"
fail 1 'height and width must be multiples of the patch size 8, are 50x38' "dino on 50x38" -- \
  fdino --inputs "$rn/resnet_50x38.safetensors" --out "$tmp/e.st"
"$tool" subset "$dino/dino_64.safetensors" "$tmp/no_image.st" features >/dev/null
fail 1 'input tensor "image" is missing' "no image" -- frn --inputs "$tmp/no_image.st" --out "$tmp/e.st"
"$tool" subset "$dino/dino_64.safetensors" "$tmp/wide.st" features=image >/dev/null
fail 1 'input image has shape \[2, 64, 8, 8\], expected \[0, 3, 0, 0\]' "a 64-channel image" -- frn --inputs "$tmp/wide.st" --out "$tmp/e.st"
"$tool" subset "$dino/dino_64.safetensors" "$tmp/mixed.st" image @"$dino/dino_80x96.safetensors" image=samples >/dev/null
fail 1 'input samples has shape \[1, 3, 80, 96\], expected \[2, 3, 64, 64\]' "samples of another shape" -- \
  fdino --inputs "$tmp/mixed.st" --out "$tmp/e.st"
"$tool" subset "$rn/resnet_64.safetensors" "$tmp/samples_only.st" image=samples >/dev/null
fail 1 'input tensor "image" is missing' "samples without image" -- frn --inputs "$tmp/samples_only.st" --out "$tmp/e.st"
fail 2 '--resnet-variant takes timm or dino' "bad variant" -- frn --resnet-variant imagenet --inputs "$rn/resnet_64.safetensors" --out "$tmp/e.st"
fail 2 '--dino-arch takes v1s8, v1s16, v1b8, v1b16' "bad arch" -- "$bin" forward --net dino --dino-arch v2s14 \
  --weights "$tmp/dino.pth" --inputs "$dino/dino_64.safetensors" --out "$tmp/e.st"
fail 2 'give --dino-arch or --config, not both' "arch and config" -- fdino --dino-arch v1s8 --inputs "$dino/dino_64.safetensors" --out "$tmp/e.st"
fail 2 '--dino-arch is for --net dino' "arch on resnet" -- frn --dino-arch v1s8 --inputs "$rn/resnet_64.safetensors" --out "$tmp/e.st"
fail 2 'unknown option --steps' "ldm option on dino" -- fdino --steps 3 --inputs "$dino/dino_64.safetensors" --out "$tmp/e.st"
fail 2 '--weights, --inputs and --out are required' "no --out" -- fdino --inputs "$dino/dino_64.safetensors"
# The preset ViT-S/8 with the tiny weights: blocks 2..11 are missing and the 30 tensors there have the wrong shape.
fail 1 'cannot load the network .*: 120 missing, 30 with the wrong shape' "tiny weights for ViT-S/8" -- \
  "$bin" forward --net dino --dino-arch v1s8 --weights "$tmp/dino.pth" --inputs "$dino/dino_64.safetensors" --out "$tmp/e.st"
"$bin" forward --help | grep -q "resnet50     image" && ok || bad "help lists resnet50"
vdt_finish cli_forward_features
