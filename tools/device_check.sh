#!/usr/bin/env bash
# Maintainer tool (not for users): runs on the H200 test machine (../shared/device/README.md) from the
# repository root, after tools/device_bundle.sh packed a build made here. Every ctest test of the bundle
# runs with the Khronos validation layer and synchronization validation on (the bundled layer is Debian
# 13's: it validates the cooperative-matrix kernels too), then the op and pipeline benchmarks and a
# profile. Results are packed into $OUT/results.tgz.
#
# Exits non-zero when any test fails, times out or reports skipped (on the H200 every test must run,
# coopmat ones included; only `needs-real-weights` tests may skip), or when a benchmark fails.
#   bash tools/device_check.sh [--tests-only|--bench-only]
set -u
mode=${1:-all}
out=/tmp/vlmd-results
mkdir -p "$out"
. .devbundle/env.sh
export VK_LAYER_PATH="$PWD/.devbundle/layers" VLMD_CACHE_DIR="$out/cache"
src=$(cat .devbundle/source_dir)
if [ ! -e "$src" ]; then mkdir -p "$(dirname "$src")" && ln -s "$PWD" "$src"; fi
mkdir -p "$(cat .devbundle/binary_dir)"
root=$PWD failures=0
log() { echo "== $*" | tee -a "$out/summary.txt"; }
fail() { failures=$((failures + 1)); log "FAIL: $*"; }

log "devices"
vlmdiff devices 2>&1 | tee "$out/devices.txt" || fail "vlmdiff devices"
vlmdiff devices --json > "$out/devices.json" 2>&1
grep -q "cooperative-matrix shaders built" "$out/devices.txt" || fail "the bundle lacks the cooperative-matrix shaders"

run_tests() {
  local name cmd labels rc start
  while IFS=$'\t' read -r name cmd labels; do
    start=$SECONDS
    ( cd tests && VLMD_TEST_VALIDATION=1 timeout 300 bash -c "${cmd//@ROOT@/$root}" ) > "$out/test.$name.log" 2>&1
    rc=$?
    log "test $name rc=$rc $(tail -1 "$out/test.$name.log") ($((SECONDS - start)) s)"
    case "$rc" in
      0) ;;
      77) case ",$labels," in *,needs-real-weights,*) ;; *) fail "$name skipped: $(grep -m1 SKIP "$out/test.$name.log")" ;; esac ;;
      124) fail "$name timed out" ;;
      *) fail "$name rc=$rc" ;;
    esac
  done < .devbundle/tests.tsv
}

run_bench() {
  local prec run tag
  for prec in fp16 fp32; do
    log "bench --ops $prec"
    timeout 120 vlmdiff bench --ops --precision $prec --repeat 10 --json "$out/bench_ops_$prec.json" \
      > "$out/bench_ops_$prec.txt" 2>&1 || fail "bench --ops $prec"
    cat "$out/bench_ops_$prec.txt"
  done
  for run in "fp16" "fp16 --both-branches" "fp32"; do
    set -- $run
    tag="pipeline_$1${2:+_both}"
    log "bench --net pipeline $run"
    timeout 150 vlmdiff bench --net pipeline --precision $run --images 3 --json "$out/$tag.json" \
      > "$out/$tag.txt" 2>&1 || fail "bench --net pipeline $run"
    tail -6 "$out/$tag.txt" | tee -a "$out/summary.txt"
  done
  log "profile of one eps evaluation (fp16, one step)"
  VLMD_PROFILE=1 timeout 120 vlmdiff bench --net pipeline --precision fp16 --steps 1 --images 1 \
    > /dev/null 2> "$out/profile_fp16.txt" || fail "profile run"
}

[ "$mode" = "--bench-only" ] || run_tests
[ "$mode" = "--tests-only" ] || run_bench
log "$failures failure(s)"
tar -czf "${OUT:-/tmp}/results.tgz" -C "$out" .
[ $failures -eq 0 ]
