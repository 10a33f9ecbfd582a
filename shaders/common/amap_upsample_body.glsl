// Anomaly map, per feature level: the 1 - cos map [N, h, w] (fp32) up-sampled bilinearly to [N, H, W]
// with align_corners=True as PyTorch 1.13 does on the CPU for a one-channel map (that takes its
// channels-last kernel), added into the running float64 sum of the levels (spec vlmdiff-pipeline §1.7
// item 4, quirk 19):
//   per output row and column the host tabulates (i0, i1, l0, l1) exactly as PyTorch computes them
//   (scale in float, source index in double, l1 rounded to float, l0 = 1 - l1 in float);
//   w00 = ly0 * lx0, w01 = ly0 * lx1, w10 = ly1 * lx0, w11 = ly1 * lx1 (float products);
//   up = float(((x00 w00 + x01 w01) + x10 w10) + x11 w11) with the products and sums in double;
//   sum = (first level ? 0 : previous sum) + double(up)   (numpy: zeros, then += each level).
// The wide type (wide.glsl) is double or double-float per variant.
#include "index.glsl"
#include "wide.glsl"

layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer X { float x[]; };        // level map [N, h, w]
layout(std430, binding = 1) readonly buffer T { vec4 coef[]; };      // rows [H] then columns [W]: i0, i1, l0, l1
layout(std430, binding = 2) readonly buffer P { VD_W prev[]; };      // previous sum [N, H, W] (unused when first)
layout(std430, binding = 3) writeonly buffer S { VD_W sum[]; };      // new sum [N, H, W]
layout(push_constant) uniform Push {
  uint n;      // N * H * W
  uint h, w;   // level map
  uint oh, ow; // image
  uint first;  // 1: no previous sum
} pc;

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint ox = i % pc.ow, r = i / pc.ow;
  uint oy = r % pc.oh, s = r / pc.oh;
  vec4 cy = coef[oy], cx = coef[pc.oh + ox];
  uint base = s * pc.h * pc.w, y0 = base + uint(cy.x) * pc.w, y1 = base + uint(cy.y) * pc.w;
  uint x0 = uint(cx.x), x1 = uint(cx.y);
  precise float w00 = cy.z * cx.z, w01 = cy.z * cx.w, w10 = cy.w * cx.z, w11 = cy.w * cx.w;
  VD_W t = w_add(w_prod(x[y0 + x0], w00), w_prod(x[y0 + x1], w01));
  t = w_add(t, w_prod(x[y1 + x0], w10));
  t = w_add(t, w_prod(x[y1 + x1], w11));
  VD_W up = w_from_float(w_to_float(t));
  sum[i] = w_add(pc.first != 0u ? w_from_float(0.0) : prev[i], up);
}
