#!/usr/bin/env bash
# The layer rule of the design: data flows one way, apps -> anomaly -> models -> {text, formats} -> graph ->
# runtime, and formats/ and text/ are host code that uses nothing of the GPU layers but the status type
# (formats/ also the fp16 conversion). Every project include of every library source is checked against
# the folders its own folder may use; an include that reaches up or sideways fails, naming file and line.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
declare -A allowed=(
  [runtime]="runtime/"
  [graph]="graph/ runtime/"
  [formats]="formats/ runtime/status.h runtime/half.h"
  [text]="text/ runtime/status.h"
  [models]="models/ formats/ text/ graph/ runtime/"
  [anomaly]="anomaly/ models/ formats/ text/ graph/ runtime/"
)
fail=0 checked=0
for layer in "${!allowed[@]}"; do
  [ -d "$layer" ] || continue
  while IFS=: read -r file line inc; do
    [ -n "$file" ] || continue
    checked=$((checked + 1))
    target=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"$inc")
    [ "$target" = "vlmdiff.h" ] && continue  # the public API header: every layer may use it
    ok=0
    for prefix in ${allowed[$layer]}; do
      case "$target" in "$prefix"*) ok=1 ;; esac
    done
    if [ $ok -eq 0 ]; then
      echo "FAIL: $file:$line includes \"$target\": $layer/ may use only ${allowed[$layer]}" >&2
      fail=$((fail + 1))
    fi
  done < <(grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$layer"/*.c "$layer"/*.h 2>/dev/null)
done
# The public header includes nothing of the engine's own.
if grep -n '#include "' include/vlmdiff.h >/dev/null; then
  echo "FAIL: include/vlmdiff.h includes an internal header" >&2
  fail=$((fail + 1))
fi
echo "check_layers: $checked includes checked, $fail violations"
[ $checked -gt 0 ] && [ $fail -eq 0 ]
