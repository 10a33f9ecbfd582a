#version 450
// Copies a slab of x along one dimension: y[o * inner + r] = x[o * in_stride + in_offset + r] for
// o < outer, r < inner. Slicing channels [c0, c0 + len) of NCHW: outer = N, inner = len*H*W,
// in_stride = C*H*W, in_offset = c0*H*W (the counterpart of concat.comp).
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer X { VD_T x[]; };
layout(std430, binding = 1) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push { uint n; uint inner; uint in_stride; uint in_offset; } pc;

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint o = i / pc.inner, r = i - o * pc.inner;
  y[i] = x[o * pc.in_stride + pc.in_offset + r];
}
