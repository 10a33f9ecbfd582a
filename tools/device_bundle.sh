#!/usr/bin/env bash
# Maintainer tool (not for users): packs a Release build for the H200 test machine, which has no Vulkan
# loader, no glslc and no validation layer. Uses ../shared/device/bundle.sh (binaries + the libraries they
# need), so it runs only where ../shared is beside the checkout. Adds the test executables, the list of
# ctest tests (command, arguments, labels) for tools/device_check.sh, and Debian 13's Khronos validation
# layer (1.4.x: it knows VK_KHR_cooperative_matrix, so the coopmat kernels run validated too; it needs
# glibc >= 2.38 and GLIBCXX_3.4.32, which the device's Ubuntu 24.04 has).
#   tools/device_bundle.sh BUILD_DIR       (configure BUILD_DIR as the README does: coopmat shaders built)
set -euo pipefail
build=${1:?usage: tools/device_bundle.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
grep -q "vd_shader_coopmat_compiled = 1" "$build/shaders/shader_registry_data.c" 2>/dev/null ||
  { echo "device_bundle: $build was built without the cooperative-matrix shaders (run tools/setup.sh)" >&2; exit 1; }
build=$(cd "$build" && pwd)
../shared/device/bundle.sh "$build" "$build/vlmdiff" "$build"/tests/test_* "$build"/tests/nets_tool "$build"/tests/public_api >/dev/null
mkdir -p .devbundle/tests .devbundle/layers
find "$build/tests" -maxdepth 1 -type f -perm -u+x \( -name 'test_*' -o -name 'nets_tool' -o -name 'public_api' \) -exec cp {} .devbundle/tests/ \;
# Every ctest test as "name<TAB>command<TAB>labels", its paths mapped to the bundle and the source tree
# (@ROOT@: the checkout on the device; tests run in its tests/ folder, as ctest runs them).
ctest --test-dir "$build" --show-only=json-v1 | BUILD="$build" SRC="$root" python3 -c '
import json, os, sys
build, src = os.environ["BUILD"], os.environ["SRC"]
def bundled(a):
    if a == build + "/vlmdiff": return "@ROOT@/.devbundle/bin/vlmdiff"
    if a.startswith(build + "/tests/"): return "@ROOT@/.devbundle/tests/" + os.path.basename(a)
    if a.startswith(src + "/"): return "@ROOT@/" + os.path.relpath(a, src)
    return os.path.basename(a) if a.startswith("/usr/bin/") else a
for t in json.load(sys.stdin)["tests"]:
    labels = next((p["value"] for p in t.get("properties", []) if p["name"] == "LABELS"), [])
    print("\t".join([t["name"], " ".join(bundled(a) for a in t["command"]), ",".join(labels)]))
' > .devbundle/tests.tsv
tools/shader_toolchain.sh --with-validation-layer >/dev/null
cp .toolchain/layer/* .devbundle/layers/
# Tests find their data under the absolute source and build paths they were compiled with.
echo "$root" > .devbundle/source_dir
echo "$build" > .devbundle/binary_dir
du -sh .devbundle
