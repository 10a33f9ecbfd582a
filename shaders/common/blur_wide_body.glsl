// One pass of scipy.ndimage.gaussian_filter on float64 planes [planes, H, W] (spec vlmdiff-pipeline §1.7
// item 5, quirk 20), in SciPy's own arithmetic order (NI_Correlate1D for a symmetric kernel):
//   out[l] = x[l] * c[0];  for k = radius .. 1: out[l] += (x[l - k] + x[l + k]) * c[k]
// with c the normalised kernel (host-computed as NumPy does, wide.glsl type), 'reflect' boundaries
// (half-sample symmetric, period 2n, so kernels wider than the line work).
//   PASS 0: along H (axis 0), src -> dst
//   PASS 1: along W (axis 1), src -> dst, and the result rounded to float into map (the smoothed map)
#include "index.glsl"
#include "wide.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 0) const uint PASS = 0;
layout(std430, binding = 0) readonly buffer Src { VD_W src[]; };
layout(std430, binding = 1) readonly buffer C { VD_W c[]; };  // c[0 .. radius]
layout(std430, binding = 2) writeonly buffer Dst { VD_W dst[]; };
layout(std430, binding = 3) writeonly buffer Map { float map[]; };  // PASS 1 only
layout(push_constant) uniform Push { uint n; uint h; uint w; uint radius; } pc;

// GLSL leaves % undefined for negative operands, so negative indices are first mirrored about -0.5.
int reflect_index(int i, int n) {
  if (i < 0) i = -1 - i;
  int m = i % (2 * n);
  return m < n ? m : 2 * n - 1 - m;
}

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint x = i % pc.w, r = i / pc.w;
  uint y = r % pc.h, p = r / pc.h;
  uint plane = p * pc.h * pc.w;
  int at = PASS == 0u ? int(y) : int(x), len = PASS == 0u ? int(pc.h) : int(pc.w);
  uint line = PASS == 0u ? plane + x : plane + y * pc.w, step = PASS == 0u ? pc.w : 1u;
  VD_W acc = w_mul(src[i], c[0]);
  for (int k = int(pc.radius); k >= 1; --k) {
    uint lo = line + uint(reflect_index(at - k, len)) * step, hi = line + uint(reflect_index(at + k, len)) * step;
    VD_W pair = w_add(src[lo], src[hi]);
    acc = w_add(acc, w_mul(pair, c[k]));
  }
  dst[i] = acc;
  if (PASS == 1u) map[i] = w_to_float(acc);
}
