#!/usr/bin/env bash
# `vlmdiff forward --net anomaly-map` against the NumPy/SciPy/PyTorch goldens of tests/data/anomaly_map:
# two levels named features_a.0/.1 with a non-square image_size [2] and a batch of 2 (61x45: no score, NaN),
# one unsuffixed level with image_size [1], fp16 feature storage, the double-float stages
# (VLMD_DISABLE_FP64=1), and the errors a user meets (missing, mismatched or mixed tensors, a bad
# image_size), each with exit code 1, a message naming the tensor and no output file left behind.
set -u
bin=${1:?usage: cli_anomaly_map.sh VLMDIFF NETS_TOOL}
tool=${2:?usage: cli_anomaly_map.sh VLMDIFF NETS_TOOL}
data=$(cd "$(dirname "$0")/data/anomaly_map" && pwd)
source "$(dirname "$0")/vdtest.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fwd() { "$bin" forward --net anomaly-map "$@"; }
close() {  # close WHAT OUT GOLDEN NAME TOL [GOLDEN_NAME]
  local what=$1; shift
  "$tool" close "$@" >/dev/null && ok || bad "$what: $3 differs from the golden ($("$tool" close "$@" 2>&1))"
}
# A safetensors file with the JSON header given and that many zero bytes of data.
mkst() {
  local json=$2
  local pad=$(( (8 - ${#json} % 8) % 8 ))
  json="$json$(printf '%*s' "$pad" '')"
  local n=${#json}
  printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x\\x00\\x00\\x00\\x00' $((n & 255)) $((n >> 8 & 255)) \
    $((n >> 16 & 255)) $((n >> 24 & 255)))" >"$1"
  printf '%s' "$json" >>"$1"
  head -c "$3" /dev/zero >>"$1"
}
refused() {  # refused WHAT FILE PATTERN: exit 1, the message matches, no output
  local what=$1 in=$2 pattern=$3 out rc
  out=$(fwd --inputs "$in" --out "$tmp/refused.st" 2>&1); rc=$?
  [ $rc -eq 1 ] && grep -q -- "$pattern" <<<"$out" && [ ! -e "$tmp/refused.st" ] && [ ! -e "$tmp/refused.st.tmp" ] \
    && ok || bad "$what: rc=$rc $out"
}

# Two levels, batch 2, 61x45: the map, and NaN scores with a note saying why.
out=$(fwd --inputs "$data/odd.safetensors" --out "$tmp/odd.st" 2>&1) && ok || bad "odd failed: $out"
grep -q "61x45 image has no score" <<<"$out" && ok || bad "odd: no note about the missing score: $out"
close odd "$tmp/odd.st" "$data/odd.safetensors" map 1.2e-7
close odd "$tmp/odd.st" "$data/odd.safetensors" score 0
dump=$("$bin" inspect "$tmp/odd.st" 2>&1)
grep -q "F32  (2, 61, 45) *map" <<<"$dump" && grep -q "F64  (2,) *score" <<<"$dump" && ok || bad "odd output: $dump"
# One unsuffixed level, image_size [1] = 64: map and score.
fwd --inputs "$data/near.safetensors" --out "$tmp/near.st" && ok || bad "near failed"
close near "$tmp/near.st" "$data/near.safetensors" map 1.2e-7
close near "$tmp/near.st" "$data/near.safetensors" score 1e-15
# fp16 storage: the reference of the fp16-rounded features.
fwd --inputs "$data/near.safetensors" --precision fp16 --out "$tmp/near16.st" && ok || bad "near fp16 failed"
close "near fp16" "$tmp/near16.st" "$data/near.safetensors" map 1.2e-7 map_f16in
close "near fp16" "$tmp/near16.st" "$data/near.safetensors" score 1e-13 score_f16in
# Double-float stages (what a device without shaderFloat64 runs).
VLMD_DISABLE_FP64=1 fwd --inputs "$data/near.safetensors" --out "$tmp/near_df.st" && ok || bad "near df64 failed"
close "near df64" "$tmp/near_df.st" "$data/near.safetensors" map 1.2e-7
close "near df64" "$tmp/near_df.st" "$data/near.safetensors" score 1e-13

# Errors: a missing tensor named, mismatched shapes, mixed forms, bad image sizes.
"$tool" subset "$data/odd.safetensors" "$tmp/no_b1.st" features_a.0 features_b.0 features_a.1 image_size >/dev/null
refused "missing features_b.1" "$tmp/no_b1.st" 'input tensor "features_b.1" is missing'
"$tool" subset "$data/odd.safetensors" "$tmp/no_size.st" features_a.0 features_b.0 features_a.1 features_b.1 >/dev/null
refused "missing image_size" "$tmp/no_size.st" 'input tensor "image_size" is missing'
"$tool" subset "$data/odd.safetensors" "$tmp/none.st" image_size >/dev/null
refused "no features" "$tmp/none.st" 'input tensor "features_a" is missing (or features_a.0'
mkst "$tmp/shape.st" '{"features_a":{"dtype":"F32","shape":[1,4,3,3],"data_offsets":[0,144]},"features_b":{"dtype":"F32","shape":[1,4,3,2],"data_offsets":[144,240]},"image_size":{"dtype":"I64","shape":[1],"data_offsets":[240,248]}}' 248
refused "mismatched shapes" "$tmp/shape.st" "input features_b has shape \[1, 4, 3, 2\], expected \[1, 4, 3, 3\]"
mkst "$tmp/batch.st" '{"features_a.0":{"dtype":"F32","shape":[1,4,3,3],"data_offsets":[0,144]},"features_b.0":{"dtype":"F32","shape":[1,4,3,3],"data_offsets":[144,288]},"features_a.1":{"dtype":"F32","shape":[2,4,2,2],"data_offsets":[288,416]},"features_b.1":{"dtype":"F32","shape":[2,4,2,2],"data_offsets":[416,544]},"image_size":{"dtype":"I64","shape":[1],"data_offsets":[544,552]}}' 552
refused "batch differs between levels" "$tmp/batch.st" "input features_a.1 has shape \[2, 4, 2, 2\], expected \[1, 0, 0, 0\]"
mkst "$tmp/mixed.st" '{"features_a":{"dtype":"F32","shape":[1,4,3,3],"data_offsets":[0,144]},"features_b":{"dtype":"F32","shape":[1,4,3,3],"data_offsets":[144,288]},"features_a.0":{"dtype":"F32","shape":[1,4,3,3],"data_offsets":[288,432]},"image_size":{"dtype":"I64","shape":[1],"data_offsets":[432,440]}}' 440
refused "mixed level names" "$tmp/mixed.st" "inputs mix features_a/features_b with features_a.0"
mkst "$tmp/size0.st" '{"features_a":{"dtype":"F32","shape":[1,4,3,3],"data_offsets":[0,144]},"features_b":{"dtype":"F32","shape":[1,4,3,3],"data_offsets":[144,288]},"image_size":{"dtype":"I64","shape":[1],"data_offsets":[288,296]}}' 296
refused "image_size 0" "$tmp/size0.st" "input image_size: 0 is outside 1..16384"
mkst "$tmp/size3.st" '{"features_a":{"dtype":"F32","shape":[1,4,3,3],"data_offsets":[0,144]},"features_b":{"dtype":"F32","shape":[1,4,3,3],"data_offsets":[144,288]},"image_size":{"dtype":"I64","shape":[3],"data_offsets":[288,312]}}' 312
refused "image_size [3]" "$tmp/size3.st" "input image_size must be \[1\] (H = W) or \[2\] (H, W)"
mkst "$tmp/sizef.st" '{"features_a":{"dtype":"F32","shape":[1,4,3,3],"data_offsets":[0,144]},"features_b":{"dtype":"F32","shape":[1,4,3,3],"data_offsets":[144,288]},"image_size":{"dtype":"F32","shape":[1],"data_offsets":[288,292]}}' 292
refused "float image_size" "$tmp/sizef.st" "input image_size must be a dense integer tensor"
out=$(fwd --inputs "$data/near.safetensors" 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q -- "--inputs and --out are required" <<<"$out" && ok || bad "missing --out: rc=$rc $out"
"$bin" forward --help | grep -q "anomaly-map  features_a, features_b" && ok || bad "help does not describe anomaly-map"
vdt_finish cli_anomaly_map
