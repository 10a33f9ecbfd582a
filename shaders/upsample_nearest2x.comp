#version 450
// Nearest-neighbour 2x up-sampling of NCHW planes: y[p, oy, ox] = x[p, oy / 2, ox / 2].
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer X { VD_T x[]; };
layout(std430, binding = 1) writeonly buffer Y { VD_T y[]; };
layout(push_constant) uniform Push { uint n; uint h; uint w; } pc;  // n = planes * 2h * 2w

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint ow = 2u * pc.w, oh = 2u * pc.h;
  uint ox = i % ow, r = i / ow;
  uint oy = r % oh, p = r / oh;
  y[i] = x[(p * pc.h + oy / 2u) * pc.w + ox / 2u];
}
