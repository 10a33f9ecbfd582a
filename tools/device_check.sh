#!/usr/bin/env bash
# Runs on the H200 test machine (see ../shared/device/README.md) from the repository root, after
# tools/device_bundle.sh packed a build made here: device listing, the GPU tests with the validation
# layer, and the op benchmarks with and without cooperative matrices. Results go to $OUT.
set -u
out=${OUT:-/tmp/vlmd-out}
mkdir -p "$out"
. .devbundle/env.sh
export VK_LAYER_PATH="$PWD/.devbundle/layers" VLMD_CACHE_DIR="$out/cache"
# Tests find their data under the absolute source path they were built with.
src=$(cat .devbundle/source_dir)
if [ ! -e "$src" ]; then mkdir -p "$(dirname "$src")" && ln -s "$PWD" "$src"; fi
log() { echo "== $*" | tee -a "$out/summary.txt"; }
log "devices"
vlmdiff devices 2>&1 | tee "$out/devices.txt"
vlmdiff devices --json > "$out/devices.json" 2>&1
for t in .devbundle/tests/*; do
  name=$(basename "$t")
  start=$SECONDS
  ( cd tests && VLMD_TEST_VALIDATION=1 timeout 120 "../$t" ) > "$out/$name.log" 2>&1
  rc=$?
  log "$name rc=$rc $(tail -1 "$out/$name.log") ($((SECONDS - start)) s)"
done
for prec in fp16 fp32; do
  log "bench --ops $prec"
  timeout 150 vlmdiff bench --ops --precision $prec --repeat 10 --json "$out/bench_ops_$prec.json" 2>&1 | tee "$out/bench_ops_$prec.txt"
done
log "bench --ops fp16, VLMD_DISABLE_COOPMAT=1"
VLMD_DISABLE_COOPMAT=1 timeout 150 vlmdiff bench --ops --precision fp16 --repeat 10 --json "$out/bench_ops_fp16_nocoopmat.json" 2>&1 | tee "$out/bench_ops_fp16_nocoopmat.txt"
cat "$out/summary.txt"
