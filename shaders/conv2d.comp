#version 450
// 2-D convolution, NCHW, as an implicit GEMM (no materialised im2col):
//   M = Cout, N = Ho·Wo (per image; the image is workgroup z), K = Cin·KH·KW,
//   A = weights [Cout, Cin, KH, KW] read as [M, K], B[k][p] = x[n][ci][oh·sh - pad_top + ky][ow·sw - pad_left + kx]
//   gathered into shared memory per K-step (zero outside the image: any padding, symmetric or not),
//   y[n][co][p] = sum_k A[co][k] · B[k][p] (+ bias[co]) (+ residual[n][co][p]).
// residual may be the same memory as y (in-place skip add). Needs WG % BN == 0 (the host checks).
#include "precision.glsl"
#include "gemm_tile.glsl"

layout(local_size_x_id = 5) in;
layout(constant_id = 6) const uint KH = 3;
layout(constant_id = 7) const bool HAS_BIAS = false;
layout(constant_id = 8) const bool HAS_RES = false;
layout(constant_id = 9) const uint KW = 3;

layout(std430, binding = 0) readonly buffer X { VD_T x_data[]; };
layout(std430, binding = 1) readonly buffer Wt { VD_T w_data[]; };
layout(std430, binding = 2) readonly buffer Bias { VD_T bias_data[]; };
layout(std430, binding = 3) readonly buffer Res { VD_T res_data[]; };
layout(std430, binding = 4) buffer Y { VD_T y_data[]; };

layout(push_constant) uniform Push {
  uint cin, h, w;      // input channels and size
  uint cout, ho, wo;   // output channels and size
  uint stride_h, stride_w;
  int pad_top, pad_left;
} pc;

void vd_load_tile_a(uint batch, uint m0, uint k0) {
  uint K = pc.cin * KH * KW;
  for (uint e = gl_LocalInvocationID.x; e < BM * BK; e += WG) {
    uint m = e / BK, k = e % BK;
    uint gm = m0 + m, gk = k0 + k;
    float v = 0.0;
    if (gm < pc.cout && gk < K) v = VD_LOAD(w_data[gm * K + gk]);
    tile_a[k * VD_BMP + m] = v;
  }
}

void vd_load_tile_b(uint batch, uint n0, uint k0) {
  uint K = pc.cin * KH * KW;
  uint n = gl_LocalInvocationID.x % BN;
  uint p = n0 + n;
  bool col_ok = p < pc.ho * pc.wo;
  uint oh = p / pc.wo, ow = p % pc.wo;
  int iy0 = int(oh * pc.stride_h) - pc.pad_top;
  int ix0 = int(ow * pc.stride_w) - pc.pad_left;
  uint xbase = batch * pc.cin * pc.h * pc.w;
  for (uint k = gl_LocalInvocationID.x / BN; k < BK; k += WG / BN) {
    uint gk = k0 + k;
    float v = 0.0;
    if (col_ok && gk < K) {
      uint ci = gk / (KH * KW), r = gk % (KH * KW);
      int iy = iy0 + int(r / KW), ix = ix0 + int(r % KW);
      if (iy >= 0 && iy < int(pc.h) && ix >= 0 && ix < int(pc.w))
        v = VD_LOAD(x_data[xbase + (ci * pc.h + uint(iy)) * pc.w + uint(ix)]);
    }
    tile_b[k * VD_BNP + n] = v;
  }
}

void main() {
  uint batch = gl_WorkGroupID.z;
  uint m0 = gl_WorkGroupID.y * BM, n0 = gl_WorkGroupID.x * BN;
  vd_gemm_mainloop(batch, m0, n0, pc.cin * KH * KW);
  uint P = pc.ho * pc.wo;
  uint ybase = batch * pc.cout * P;
  for (uint i = 0; i < TM; ++i) {
    uint co = m0 + vd_gemm_row(i);
    if (co >= pc.cout) continue;
    float bias = HAS_BIAS ? VD_LOAD(bias_data[co]) : 0.0;
    for (uint j = 0; j < TN; ++j) {
      uint p = n0 + vd_gemm_col(j);
      if (p >= P) continue;
      uint idx = ybase + co * P + p;
      float v = acc[i * TN + j] + bias;
      if (HAS_RES) v += VD_LOAD(res_data[idx]);
      y_data[idx] = VD_STORE(v);
    }
  }
}
