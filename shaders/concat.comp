#version 450
// Copies one concat input into its slot of the output: y[o * out_stride + out_offset + r] = x[o * inner + r]
// for o < outer, r < inner. Channel concat of NCHW: outer = N, inner = C_i*H*W, out_stride = C*H*W.
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer X { VD_T x[]; };
layout(std430, binding = 1) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push { uint n; uint inner; uint out_stride; uint out_offset; } pc;

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint o = i / pc.inner, r = i - o * pc.inner;
  y[o * pc.out_stride + pc.out_offset + r] = x[i];
}
