#!/usr/bin/env bash
# Packs a Release build for the H200 test machine: ../shared/device/bundle.sh (binaries + libraries),
# plus the test executables and the Khronos validation layer (which that machine lacks), so the tests
# run there with validation on. Usage: tools/device_bundle.sh BUILD_DIR
set -eu
build=${1:?usage: tools/device_bundle.sh BUILD_DIR}
../shared/device/bundle.sh "$build" "$build/vlmdiff" "$build"/tests/test_* >/dev/null
mkdir -p .devbundle/tests .devbundle/layers
find "$build/tests" -maxdepth 1 -type f -perm -u+x -name 'test_*' -exec cp {} .devbundle/tests/ \;
layer=$(ldconfig -p | awk '/libVkLayer_khronos_validation.so /{print $NF; exit}')
cp "$layer" .devbundle/layers/
sed 's|"library_path": *"[^"]*"|"library_path": "./libVkLayer_khronos_validation.so"|' \
  /usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json > .devbundle/layers/VkLayer_khronos_validation.json
(cd "$(dirname "$0")/.." && pwd) > .devbundle/source_dir
(cd "$build" && pwd) > .devbundle/binary_dir
du -sh .devbundle
