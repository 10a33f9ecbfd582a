#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time and fails on any crash, leak or timeout.
#   CC=clang cmake -S . -B build-fuzz -DVLMD_FUZZ=ON && cmake --build build-fuzz
#   tests/fuzz/run_all.sh build-fuzz 60
# Seeds come from test_weights_fuzz_seeds (run first); new inputs accumulate in BUILD/fuzz-corpus.
set -u
build=${1:?usage: run_all.sh BUILD_DIR [SECONDS]}
seconds=${2:-60}
targets="safetensors zip pickle checkpoint yaml json"

seeder="$build/tests/test_weights_fuzz_seeds"
if [ -x "$seeder" ]; then
  "$seeder" >/dev/null || { echo "run_all.sh: seed writer failed"; exit 1; }
fi
failed=0
for t in $targets; do
  bin="$build/tests/fuzz/fuzz_$t"
  if [ ! -x "$bin" ]; then
    echo "fuzz_$t: not built (configure with CC=clang -DVLMD_FUZZ=ON)"
    failed=1
    continue
  fi
  corpus="$build/fuzz-corpus/$t"
  artifacts="$build/fuzz-artifacts/$t/"
  log="$build/fuzz-artifacts/$t.log"
  mkdir -p "$corpus" "$artifacts"
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1536 -max_len=65536 \
       -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    echo "fuzz_$t: ok, ${runs:-?} runs in ${seconds}s, $cov, corpus $(ls "$corpus" | wc -l) files"
  else
    echo "fuzz_$t: FAILED (see $log and $artifacts)"
    tail -30 "$log"
    failed=1
  fi
done
exit $failed
