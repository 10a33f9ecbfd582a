#version 450
// Anomaly map, per feature level: y = 1 - cosine_similarity(a, b) over channels, evaluated as PyTorch 1.13
// does on the CPU (spec vlmdiff-pipeline §1.7 item 4), in float32, for every pixel of [N, C, P] features
// (P = h*w) -> y fp32 [N, P]:
//   |u| = sqrt(sum_c u_c * u_c), |v| likewise, each clamped to eps;
//   cos = sum_c (u_c / |u|) * (v_c / |v|);  y = 1 - cos.
// Every sum is in PyTorch's order (SumKernel's cascade_sum over the channel axis, one image at a time,
// single-threaded), so the result is PyTorch's to the bit wherever division and square root are correctly
// rounded, which exact_f32.glsl makes them on every device:
//   pixels p < full (the lanes of whole 32-wide groups, 4-wide when P < 8): multi_row_sum over C;
//   the other pixels: row_sum (four interleaved multi_row_sums over C/4, the tail, then the four).
// multi_row_sum: 4 levels of partial sums; every 2^lp terms (lp = max(4, ceil_log2(size) / 4)) level 0
// is carried up, and a level is carried further when the count is a multiple of the next power.
// Storage precision of a and b per variant (fp16 storage: the fp16 values, then the same fp32 arithmetic).
#include "precision.glsl"
#include "index.glsl"

layout(local_size_x = 256) in;
layout(constant_id = 0) const int rounding_test = 0;  // tests only: see exact_f32.glsl
#define VD_ROUNDING_TEST rounding_test
#include "exact_f32.glsl"

layout(std430, binding = 0) readonly buffer A { VD_T a[]; };
layout(std430, binding = 1) readonly buffer B { VD_T b[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
  uint n;     // N * P
  uint c;     // channels
  uint p;     // pixels per image
  uint full;  // pixels summed by multi_row_sum (the rest by row_sum)
  float eps;  // 1e-8
} pc;

#define TERM_UU 0u
#define TERM_VV 1u
#define TERM_UV 2u

// Term `kind` of channel ch at the pixel whose channel-0 element is `base`.
float term(uint kind, uint base, uint ch, float nu, float nv) {
  uint at = base + ch * pc.p;
  if (kind == TERM_UU) {
    float u = VD_LOAD(a[at]);
    precise float uu = u * u;
    return uu;
  }
  float v = VD_LOAD(b[at]);
  if (kind == TERM_VV) {
    precise float vv = v * v;
    return vv;
  }
  precise float uv = vd_div_rn(VD_LOAD(a[at]), nu) * vd_div_rn(v, nv);
  return uv;
}

uint ceil_log2(uint x) { return x <= 2u ? 1u : uint(findMSB(x - 1u)) + 1u; }

// Sum of the terms of channels first + i*step, i < size, in multi_row_sum's order.
float multi_row_sum(uint kind, uint base, uint first, uint step, uint size, float nu, float nv) {
  uint lp = max(4u, ceil_log2(size) / 4u), lstep = 1u << lp, mask = lstep - 1u;
  precise float acc0 = 0.0, acc1 = 0.0, acc2 = 0.0, acc3 = 0.0;
  uint i = 0u;
  while (i + lstep <= size) {
    for (uint j = 0u; j < lstep; ++j, ++i) acc0 += term(kind, base, first + i * step, nu, nv);
    acc1 += acc0;
    acc0 = 0.0;
    if ((i & (mask << lp)) != 0u) continue;
    acc2 += acc1;
    acc1 = 0.0;
    if ((i & (mask << (2u * lp))) != 0u) continue;
    acc3 += acc2;
    acc2 = 0.0;
  }
  for (; i < size; ++i) acc0 += term(kind, base, first + i * step, nu, nv);
  acc0 += acc1;
  acc0 += acc2;
  acc0 += acc3;
  return acc0;
}

// row_sum: four interleaved partial sums over C/4 rows each, the tail added to the first, then the four.
float row_sum(uint kind, uint base, float nu, float nv) {
  uint ilp = pc.c / 4u;
  precise float s0 = multi_row_sum(kind, base, 0u, 4u, ilp, nu, nv);
  float s1 = multi_row_sum(kind, base, 1u, 4u, ilp, nu, nv);
  float s2 = multi_row_sum(kind, base, 2u, 4u, ilp, nu, nv);
  float s3 = multi_row_sum(kind, base, 3u, 4u, ilp, nu, nv);
  for (uint ch = 4u * ilp; ch < pc.c; ++ch) s0 += term(kind, base, ch, nu, nv);
  s0 += s1;
  s0 += s2;
  s0 += s3;
  return s0;
}

float channel_sum(uint kind, uint base, bool multi, float nu, float nv) {
  return multi ? multi_row_sum(kind, base, 0u, 1u, pc.c, nu, nv) : row_sum(kind, base, nu, nv);
}

void main() {
  uint i = vd_flat_index();
  if (i >= pc.n) return;
  uint s = i / pc.p, q = i - s * pc.p;
  uint base = s * pc.c * pc.p + q;
  bool multi = q < pc.full;
  float nu = max(vd_sqrt_rn(channel_sum(TERM_UU, base, multi, 0.0, 0.0)), pc.eps);
  float nv = max(vd_sqrt_rn(channel_sum(TERM_VV, base, multi, 0.0, 0.0)), pc.eps);
  precise float one_minus = 1.0 - channel_sum(TERM_UV, base, multi, nu, nv);
  y[i] = one_minus;
}
