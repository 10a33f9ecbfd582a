#!/usr/bin/env bash
# Installs what building and testing vlmdiff needs on Debian 12 (or newer), from Debian's packages only,
# then makes sure a glslc that compiles the cooperative-matrix kernels is at hand (tools/shader_toolchain.sh:
# nothing is fetched where the system's glslc already does; on Debian 12 Debian 13's is unpacked into
# .toolchain/, which CMake picks up by itself).
#   tools/setup.sh           build + test dependencies
#   tools/setup.sh --fuzz    also clang and its libFuzzer runtime
set -eu
pkgs=(build-essential cmake ninja-build pkg-config file python3
      libvulkan-dev mesa-vulkan-drivers vulkan-validationlayers glslc spirv-tools
      libstb-dev libcjson-dev libyaml-dev zlib1g-dev libpng-dev libjpeg62-turbo-dev
      python3-numpy python3-pil)
[ "${1:-}" = "--fuzz" ] && pkgs+=(clang libclang-rt-14-dev)
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
"$(dirname "$0")/shader_toolchain.sh" ||
  echo "setup: no glslc for GL_KHR_cooperative_matrix; the build will skip the cooperative-matrix kernels" >&2
