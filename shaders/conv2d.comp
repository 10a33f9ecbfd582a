#version 450
// 2-D convolution, NCHW, as an implicit GEMM (no materialised im2col):
//   M = Cout, N = Ho·Wo (per image; the image is workgroup z), K = Cin·KH·KW,
//   A = weights [Cout, Cin, KH, KW] read as [M, K], B[k][p] = x[n][ci][oh·sh - pad_top + ky][ow·sw - pad_left + kx]
//   gathered into shared memory per K-step (zero outside the image: any padding, symmetric or not),
//   y[n][co][p] = sum_k A[co][k] · B[k][p] (+ bias[co]) (+ residual[n][co][p]).
// Split-K (common/gemm_split.glsl): with SPLIT, fp32 partials of one K slice instead of y.
// residual may be the same memory as y (in-place skip add). Needs WG % BN == 0 (the host checks).
#include "precision.glsl"
#include "matmul_vec4.glsl"

layout(constant_id = 6) const uint KH = 3;
layout(constant_id = 7) const bool HAS_BIAS = false;
layout(constant_id = 8) const bool HAS_RES = false;
layout(constant_id = 9) const uint KW = 3;
#define VD_B_K_CONTIG false
#include "matmul_tile.glsl"
#include "gemm_split.glsl"

layout(local_size_x_id = 5) in;

layout(std430, binding = 0) readonly buffer X { VD_T x_data[]; };
layout(std430, binding = 1) readonly buffer Wt { VD_T w_data[]; };
layout(std430, binding = 1) readonly buffer Wt4 { VD_T4 w_vec[]; };  // weights as 4-vectors when VA = 4
layout(std430, binding = 2) readonly buffer Bias { VD_T bias_data[]; };
layout(std430, binding = 3) readonly buffer Res { VD_T res_data[]; };
layout(std430, binding = 4) buffer Y { VD_T y_data[]; };

layout(push_constant) uniform Push {
  uint cin, h, w;      // input channels and size
  uint cout, ho, wo;   // output channels and size
  uint stride_h, stride_w;
  int pad_top, pad_left;
  uint kslice, nbatch;  // split-K (common/gemm_split.glsl): K per slice, images
} pc;

// This invocation's output column: with WG % BN == 0 every B element it gathers is in column
// n0 + gl_LocalInvocationID.x % BN, so the pixel is decoded once (set in main).
bool col_ok;
int col_iy0, col_ix0;

vec4 vd_load_a(uint batch, uint gm, uint gk) {
  uint K = pc.cin * KH * KW;
  if (gm >= pc.cout || gk >= K) return vec4(0.0);
  if (VA == 4) return vec4(w_vec[(gm * K + gk) / 4]);  // the host checked K % 4 == 0
  return vec4(VD_LOAD(w_data[gm * K + gk]), 0.0, 0.0, 0.0);
}

vec4 vd_load_b(uint batch, uint gk, uint gn) {
  if (!col_ok || gk >= pc.cin * KH * KW) return vec4(0.0);
  uint ci = gk / (KH * KW), r = gk % (KH * KW);
  int iy = col_iy0 + int(r / KW), ix = col_ix0 + int(r % KW);
  if (iy < 0 || iy >= int(pc.h) || ix < 0 || ix >= int(pc.w)) return vec4(0.0);
  return vec4(VD_LOAD(x_data[((batch * pc.cin + ci) * pc.h + uint(iy)) * pc.w + uint(ix)]), 0.0, 0.0, 0.0);
}

void main() {
  uint K = pc.cin * KH * KW;
  uint batch = vd_split_batch(pc.nbatch);
  uint m0 = gl_WorkGroupID.y * BM, n0 = gl_WorkGroupID.x * BN;
  uint P = pc.ho * pc.wo;
  uint p = n0 + gl_LocalInvocationID.x % BN;
  col_ok = p < P;
  col_iy0 = int((p / pc.wo) * pc.stride_h) - pc.pad_top;
  col_ix0 = int((p % pc.wo) * pc.stride_w) - pc.pad_left;
  vd_gemm_mainloop(batch, m0, n0, vd_split_k_begin(pc.nbatch, pc.kslice), vd_split_k_end(pc.nbatch, pc.kslice, K));
  uint ybase = batch * pc.cout * P;
  for (uint i = 0; i < TM; ++i) {
    uint co = m0 + vd_gemm_row(i);
    if (co >= pc.cout) continue;
    if (SPLIT) {
      for (uint j = 0; j < TN; ++j) {
        uint q = n0 + vd_gemm_col(j);
        if (q < P) vd_split_store(pc.cout, P, co, q, acc[i * TN + j]);
      }
      continue;
    }
    float bias = HAS_BIAS ? VD_LOAD(bias_data[co]) : 0.0;
    for (uint j = 0; j < TN; ++j) {
      uint q = n0 + vd_gemm_col(j);
      if (q >= P) continue;
      uint idx = ybase + co * P + q;
      float v = acc[i * TN + j] + bias;
      if (HAS_RES) v += VD_LOAD(res_data[idx]);
      y_data[idx] = VD_STORE(v);
    }
  }
}
