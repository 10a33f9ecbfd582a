#!/usr/bin/env bash
# Installs what building and testing vlmdiff needs on Debian 12 (or newer), from Debian's packages only.
#   tools/setup.sh           build + test dependencies
#   tools/setup.sh --fuzz    also clang and its libFuzzer runtime
set -eu
pkgs=(build-essential cmake ninja-build pkg-config file python3
      libvulkan-dev mesa-vulkan-drivers vulkan-validationlayers glslc spirv-tools
      libstb-dev libcjson-dev libyaml-dev zlib1g-dev)
[ "${1:-}" = "--fuzz" ] && pkgs+=(clang libclang-rt-14-dev)
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
