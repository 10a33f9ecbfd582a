#version 450
// Batched matmul: C[b] = A[b] · op(B[b]) (+ bias) (+ residual[b]), fp32 accumulation.
//   A [M, K] rows lda apart; B [N, K] rows ldb apart when B_TRANS (linear weights [out, in]),
//   else [K, N] rows ldb apart; C and residual [M, N] rows ldc apart; bias [N].
//   Batch b (workgroup z) starts at b * stride_{a,b,c}; a stride of 0 broadcasts (shared weights).
// residual may be the same memory as C (in-place add): each element is read before it is written by
// the same invocation.
#include "precision.glsl"
#include "gemm_tile.glsl"

layout(local_size_x_id = 5) in;
layout(constant_id = 6) const bool B_TRANS = true;   // B stored [N, K]
layout(constant_id = 7) const bool HAS_BIAS = false;
layout(constant_id = 8) const bool HAS_RES = false;

layout(std430, binding = 0) readonly buffer A { VD_T a_data[]; };
layout(std430, binding = 1) readonly buffer B { VD_T b_data[]; };
layout(std430, binding = 2) readonly buffer Bias { VD_T bias_data[]; };
layout(std430, binding = 3) readonly buffer Res { VD_T res_data[]; };
layout(std430, binding = 4) buffer C { VD_T c_data[]; };

layout(push_constant) uniform Push {
  uint M, N, K;
  uint lda, ldb, ldc;
  uint stride_a, stride_b, stride_c;
} pc;

void vd_load_tile_a(uint batch, uint m0, uint k0) {
  uint base = batch * pc.stride_a;
  for (uint e = gl_LocalInvocationID.x; e < BM * BK; e += WG) {
    uint m = e / BK, k = e % BK;
    uint gm = m0 + m, gk = k0 + k;
    float v = 0.0;
    if (gm < pc.M && gk < pc.K) v = VD_LOAD(a_data[base + gm * pc.lda + gk]);
    tile_a[k * VD_BMP + m] = v;
  }
}

void vd_load_tile_b(uint batch, uint n0, uint k0) {
  uint base = batch * pc.stride_b;
  if (B_TRANS) {
    for (uint e = gl_LocalInvocationID.x; e < BN * BK; e += WG) {
      uint n = e / BK, k = e % BK;
      uint gn = n0 + n, gk = k0 + k;
      float v = 0.0;
      if (gn < pc.N && gk < pc.K) v = VD_LOAD(b_data[base + gn * pc.ldb + gk]);
      tile_b[k * VD_BNP + n] = v;
    }
  } else {
    for (uint e = gl_LocalInvocationID.x; e < BN * BK; e += WG) {
      uint k = e / BN, n = e % BN;
      uint gn = n0 + n, gk = k0 + k;
      float v = 0.0;
      if (gn < pc.N && gk < pc.K) v = VD_LOAD(b_data[base + gk * pc.ldb + gn]);
      tile_b[k * VD_BNP + n] = v;
    }
  }
}

void main() {
  uint batch = gl_WorkGroupID.z;
  uint m0 = gl_WorkGroupID.y * BM, n0 = gl_WorkGroupID.x * BN;
  vd_gemm_mainloop(batch, m0, n0, pc.K);
  uint cbase = batch * pc.stride_c;
  for (uint i = 0; i < TM; ++i) {
    uint gm = m0 + vd_gemm_row(i);
    if (gm >= pc.M) continue;
    for (uint j = 0; j < TN; ++j) {
      uint gn = n0 + vd_gemm_col(j);
      if (gn >= pc.N) continue;
      uint idx = cbase + gm * pc.ldc + gn;
      float v = acc[i * TN + j];
      if (HAS_BIAS) v += VD_LOAD(bias_data[gn]);
      if (HAS_RES) v += VD_LOAD(res_data[idx]);
      c_data[idx] = VD_STORE(v);
    }
  }
}
