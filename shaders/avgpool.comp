#version 450
// k x k average pooling, stride 1, no padding, on NCHW planes: y [planes, h-k+1, w-k+1].
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer X { VD_T x[]; };
layout(std430, binding = 1) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push { uint n; uint h; uint w; uint k; } pc;

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint oh = pc.h - pc.k + 1u, ow = pc.w - pc.k + 1u;
  uint ox = i % ow, r = i / ow;
  uint oy = r % oh, p = r / oh;
  uint base = (p * pc.h + oy) * pc.w + ox;
  float acc = 0.0;
  for (uint a = 0u; a < pc.k; ++a)
    for (uint b = 0u; b < pc.k; ++b) acc += VD_LOAD(x[base + a * pc.w + b]);
  y[i] = VD_STORE(acc / float(pc.k * pc.k));
}
