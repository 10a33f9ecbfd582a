// k x k average pooling, stride 1, no padding, of float64 planes [planes, h, w] -> [planes, h-k+1, w-k+1],
// as PyTorch's CPU avg_pool2d does in float64 (the image score, spec vlmdiff-pipeline §6.2, quirk 21):
// the window summed row by row from 0, then divided by k*k. k*k must be a power of two (8 x 8 here),
// so the division is the exact scaling by inv_area.
#include "index.glsl"
#include "wide.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer X { VD_W x[]; };
layout(std430, binding = 1) writeonly buffer Y { VD_W y[]; };
layout(push_constant) uniform Push { uint n; uint h; uint w; uint k; float inv_area; } pc;

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint oh = pc.h - pc.k + 1u, ow = pc.w - pc.k + 1u;
  uint ox = i % ow, r = i / ow;
  uint oy = r % oh, p = r / oh;
  uint base = (p * pc.h + oy) * pc.w + ox;
  VD_W sum = w_from_float(0.0);
  for (uint a = 0u; a < pc.k; ++a)
    for (uint b = 0u; b < pc.k; ++b) sum = w_add(sum, x[base + a * pc.w + b]);
  y[i] = w_scale(sum, pc.inv_area);
}
