#!/usr/bin/env bash
# Provides a glslc that compiles GL_KHR_cooperative_matrix, for the cooperative-matrix kernels the GPUs run.
#
# Debian 12's glslc (shaderc 2023.2) rejects the extension and its spirv-val cannot validate the result.
# Where the system's glslc accepts it (Debian 13, Ubuntu 24.04) this does nothing. Otherwise it downloads
# Debian 13's glslc, glslang, spirv-tools and Vulkan headers with apt (the machine's own Debian archive and
# keyring, release swapped; private apt state, so nothing on the system changes), unpacks them under DIR
# and writes wrappers in DIR/bin that run each tool through Debian 13's own dynamic loader and libraries.
# CMake finds DIR/bin/glslc and DIR/bin/spirv-val by itself when DIR is the default .toolchain/.
#
#   tools/shader_toolchain.sh [--force] [--with-validation-layer] [DIR]     (DIR default: .toolchain)
#     --force                   use the Debian 13 tools even when the system's glslc is new enough
#     --with-validation-layer   also unpack Debian 13's Khronos validation layer into DIR/layer (it knows
#                               VK_KHR_cooperative_matrix; tools/device_bundle.sh ships it to the H200)
set -euo pipefail
force=0 layer=0 dir=""
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    --with-validation-layer) layer=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    -*) echo "shader_toolchain.sh: unknown option $a" >&2; exit 2 ;;
    *) dir=$a ;;
  esac
done
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${dir:-$root/.toolchain}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# A compute shader that uses the extension: the question every glslc here is asked.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
cat > "$probe/probe.comp" <<'EOF'
#version 450
#extension GL_KHR_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
layout(local_size_x = 32) in;
layout(std430, binding = 0) buffer B { float16_t d[]; };
void main() {
  coopmat<float16_t, gl_ScopeSubgroup, 16, 16, gl_MatrixUseA> m;
  coopMatLoad(m, d, 0, 16, gl_CooperativeMatrixLayoutRowMajor);
  coopMatStore(m, d, 256, 16, gl_CooperativeMatrixLayoutRowMajor);
}
EOF
knows_coopmat() {  # knows_coopmat GLSLC [SPIRV_VAL]
  "$1" --target-env=vulkan1.3 -o "$probe/probe.spv" "$probe/probe.comp" >/dev/null 2>&1 || return 1
  [ -z "${2:-}" ] || "$2" --target-env vulkan1.3 "$probe/probe.spv" >/dev/null 2>&1
}

if [ $force -eq 0 ] && [ $layer -eq 0 ] && command -v glslc >/dev/null && knows_coopmat "$(command -v glslc)"; then
  echo "shader toolchain: the system's glslc compiles GL_KHR_cooperative_matrix; nothing to fetch" >&2
  exit 0
fi
have_tools=0
knows_coopmat "$dir/bin/glslc" "$dir/bin/spirv-val" && have_tools=1
if [ $have_tools -eq 1 ] && { [ $layer -eq 0 ] || [ -f "$dir/layer/VkLayer_khronos_validation.json" ]; }; then
  echo "shader toolchain: $dir/bin/glslc ($("$dir/bin/glslc" --version | head -1)) already in place" >&2
  exit 0
fi

# The Debian archive this machine already uses, and its keyring: deb822 sources first, then sources.list.
uri="" keyring=/usr/share/keyrings/debian-archive-keyring.gpg
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  k=$(awk '/^Signed-By:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  [ -n "$k" ] && keyring=$k
fi
if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
  uri=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; ++i) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' \
        /etc/apt/sources.list)
fi
if [ -z "$uri" ] || ! command -v apt-get >/dev/null; then
  echo "shader toolchain: no Debian archive configured here; install a glslc from shaderc 2023.8 or newer" \
       "(and its spirv-val) and configure with -DVLMD_GLSLC=PATH" >&2
  exit 1
fi

work="$dir/.apt"
rm -rf "$work"
mkdir -p "$work/parts" "$work/lists/partial" "$work/debs/partial" "$work/etc"
chmod -R a+rwX "$work"  # apt downloads as its unprivileged _apt user where it can
printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: %s\n' "$uri" "$keyring" \
  > "$work/parts/trixie.sources"
apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/parts"
          -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/debs"
          -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$work/etc"
          -o "APT::Architecture=$(dpkg --print-architecture)" -o "Debug::NoLocking=1")
echo "shader toolchain: fetching Debian 13's glslc, glslang, spirv-tools and Vulkan headers from $uri" >&2
apt-get "${apt_opts[@]}" update -qq
# The tools, the headers, and the C/C++ runtime they were built against (Debian 12's is too old for them).
pkgs=(glslc libshaderc1 glslang-tools spirv-tools libvulkan-dev libc6 libstdc++6 libgcc-s1)
[ $layer -eq 1 ] && pkgs+=(vulkan-validationlayers)
(cd "$work/debs" && apt-get "${apt_opts[@]}" download -qq "${pkgs[@]}")
rm -rf "$dir/root"
mkdir -p "$dir/root" "$dir/bin"
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
rm -rf "$work"

ld=$(find "$dir/root" -name 'ld-linux-*.so.*' -type f | head -1)
libstdcxx=$(find "$dir/root/usr/lib" -name 'libstdc++.so.6' | head -1)
[ -n "$ld" ] && [ -n "$libstdcxx" ] || { echo "shader toolchain: unpacked packages lack a loader or libstdc++" >&2; exit 1; }
libdir=$(dirname "$libstdcxx")
for tool in glslc glslangValidator glslang spirv-val spirv-dis spirv-opt; do
  [ -x "$dir/root/usr/bin/$tool" ] || continue
  printf '#!/bin/sh\n# Debian 13 %s through its own loader and libraries (tools/shader_toolchain.sh)\nexec "%s" --library-path "%s" "%s" "$@"\n' \
    "$tool" "$ld" "$libdir" "$dir/root/usr/bin/$tool" > "$dir/bin/$tool"
  chmod +x "$dir/bin/$tool"
done
ln -sfn root/usr/include "$dir/include"
if [ $layer -eq 1 ]; then
  mkdir -p "$dir/layer"
  cp "$libdir/libVkLayer_khronos_validation.so" "$dir/layer/"
  sed -E 's#"library_path": *"[^"]*"#"library_path": "./libVkLayer_khronos_validation.so"#' \
    "$dir"/root/usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json \
    > "$dir/layer/VkLayer_khronos_validation.json"
fi
knows_coopmat "$dir/bin/glslc" "$dir/bin/spirv-val" ||
  { echo "shader toolchain: the unpacked glslc still rejects GL_KHR_cooperative_matrix" >&2; exit 1; }
echo "shader toolchain: $dir/bin/glslc ($("$dir/bin/glslc" --version | head -1)) and spirv-val ready" >&2
