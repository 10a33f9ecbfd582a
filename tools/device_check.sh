#!/usr/bin/env bash
# Runs on the H200 test machine (see ../shared/device/README.md) from the repository root, after
# tools/device_bundle.sh packed a build made here: device listing, the GPU tests, the op benchmarks with
# and without cooperative matrices, and the pipeline benchmark. Results go to $OUT.
# The bundled validation layer is Debian 12's (1.3.239): it predates VK_KHR_cooperative_matrix, so the
# validated test pass runs with VLMD_DISABLE_COOPMAT=1 and a second pass runs the coopmat paths unvalidated.
set -u
out=/tmp/vlmd-results  # everything is packed into $OUT/results.tgz at the end (one file to fetch)
mkdir -p "$out"
# Headless containers: the GLX entry of the NVIDIA driver refuses vkCreateInstance without a display
# (the loader reports "Could not get 'vkCreateInstance' via 'vk_icdGetInstanceProcAddr'"); its EGL entry works.
for egl in /usr/local/nvidia/lib64/libEGL_nvidia.so.0 /usr/lib/x86_64-linux-gnu/libEGL_nvidia.so.0; do
  if [ -e "$egl" ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
    printf '{"file_format_version":"1.0.1","ICD":{"library_path":"%s","api_version":"1.4.312"}}\n' "$egl" > "$out/nvidia_egl_icd.json"
    export VK_DRIVER_FILES="$out/nvidia_egl_icd.json"
  fi
done
. .devbundle/env.sh
export VK_LAYER_PATH="$PWD/.devbundle/layers" VLMD_CACHE_DIR="$out/cache"
src=$(cat .devbundle/source_dir)  # tests find their data under the absolute paths they were built with
if [ ! -e "$src" ]; then mkdir -p "$(dirname "$src")" && ln -s "$PWD" "$src"; fi
mkdir -p "$(cat .devbundle/binary_dir)"
log() { echo "== $*" | tee -a "$out/summary.txt"; }
run_tests() {  # run_tests TAG ENV... : every bundled test with the given environment
  local tag=$1; shift
  for t in .devbundle/tests/*; do
    local name start rc
    name=$(basename "$t"); start=$SECONDS
    ( cd tests && env "$@" timeout 120 "../$t" ) > "$out/$tag.$name.log" 2>&1; rc=$?
    log "$tag $name rc=$rc $(tail -1 "$out/$tag.$name.log") ($((SECONDS - start)) s)"
  done
}
log "devices"
vlmdiff devices 2>&1 | tee "$out/devices.txt"
vlmdiff devices --json > "$out/devices.json" 2>&1
run_tests validated VLMD_TEST_VALIDATION=1 VLMD_DISABLE_COOPMAT=1
# The hardware cooperative-matrix cases are the executables' `coopmat` mode (ctest: test_op_*_coopmat).
for t in "test_op_matmul coopmat" "test_op_conv coopmat" test_nets test_kernels; do
  set -- $t
  tag="$1${2:+_$2}"
  ( cd tests && VLMD_TEST_VALIDATION=0 timeout 120 "../.devbundle/tests/$1" ${2:+"$2"} ) > "$out/coopmat.$tag.log" 2>&1
  log "coopmat $tag rc=$? $(tail -1 "$out/coopmat.$tag.log")"
done
for prec in fp16 fp32; do
  log "bench --ops $prec"
  timeout 120 vlmdiff bench --ops --precision $prec --repeat 10 --json "$out/bench_ops_$prec.json" > "$out/bench_ops_$prec.txt" 2>&1
  cat "$out/bench_ops_$prec.txt"
done
log "bench --ops fp16, VLMD_DISABLE_COOPMAT=1"
VLMD_DISABLE_COOPMAT=1 timeout 120 vlmdiff bench --ops --precision fp16 --repeat 10 --json "$out/bench_ops_fp16_nocoopmat.json" > "$out/bench_ops_fp16_nocoopmat.txt" 2>&1
cat "$out/bench_ops_fp16_nocoopmat.txt"
log "bench --net pipeline fp16, VLMD_DISABLE_SPLITK=1 (A/B)"
VLMD_DISABLE_SPLITK=1 timeout 150 vlmdiff bench --net pipeline --precision fp16 --images 2 --json "$out/pipeline_fp16_nosplitk.json" > "$out/pipeline_fp16_nosplitk.txt" 2>&1
tail -6 "$out/pipeline_fp16_nosplitk.txt" | tee -a "$out/summary.txt"
for run in "fp16" "fp16 --both-branches" "fp32"; do
  set -- $run
  tag="pipeline_$1${2:+_both}"
  log "bench --net pipeline $run"
  timeout 150 vlmdiff bench --net pipeline --precision $run --images 3 --json "$out/$tag.json" > "$out/$tag.txt" 2>&1
  tail -6 "$out/$tag.txt" | tee -a "$out/summary.txt"
  vlmdiff bench --net pipeline --precision $run --plan 2>&1 | tee -a "$out/summary.txt"
done
log "profile of one eps evaluation (fp16, one step)"
VLMD_PROFILE=1 timeout 120 vlmdiff bench --net pipeline --precision fp16 --steps 1 --images 1 > /dev/null 2> "$out/profile_fp16.txt"
cat "$out/summary.txt"
tar -czf "${OUT:-/tmp}/results.tgz" -C "$out" .
