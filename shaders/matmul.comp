#version 450
// Batched matmul: C[b] = A[b] · op(B[b]) (+ bias) (+ residual[b]), fp32 accumulation.
//   A [M, K] rows lda apart; B [N, K] rows ldb apart when B_TRANS (linear weights [out, in]),
//   else [K, N] rows ldb apart; C and residual [M, N] rows ldc apart; bias [N].
//   Batch b (workgroup z) starts at b * stride_{a,b,c}; a stride of 0 broadcasts (shared weights).
// residual may be the same memory as C (in-place add): each element is read before it is written by
// the same invocation. Split-K (common/gemm_split.glsl): with SPLIT, fp32 partials of one K slice instead of C.
#include "precision.glsl"
#include "matmul_vec4.glsl"

layout(constant_id = 6) const bool B_TRANS = true;   // B stored [N, K]
layout(constant_id = 7) const bool HAS_BIAS = false;
layout(constant_id = 8) const bool HAS_RES = false;
#define VD_B_K_CONTIG B_TRANS
#include "matmul_tile.glsl"
#include "gemm_split.glsl"

layout(local_size_x_id = 5) in;

// A and B are also read as 4-vectors (same bindings) when the host set VA / VB = 4.
layout(std430, binding = 0) readonly buffer A { VD_T a_data[]; };
layout(std430, binding = 0) readonly buffer A4 { VD_T4 a_vec[]; };
layout(std430, binding = 1) readonly buffer B { VD_T b_data[]; };
layout(std430, binding = 1) readonly buffer B4 { VD_T4 b_vec[]; };
layout(std430, binding = 2) readonly buffer Bias { VD_T bias_data[]; };
layout(std430, binding = 3) readonly buffer Res { VD_T res_data[]; };
layout(std430, binding = 4) buffer C { VD_T c_data[]; };

layout(push_constant) uniform Push {
  uint M, N, K;
  uint lda, ldb, ldc;
  uint stride_a, stride_b, stride_c;
  uint kslice, nbatch;  // split-K (common/gemm_split.glsl): K per slice, batches
} pc;

vec4 vd_load_a(uint batch, uint gm, uint gk) {
  if (gm >= pc.M || gk >= pc.K) return vec4(0.0);
  uint idx = batch * pc.stride_a + gm * pc.lda + gk;
  if (VA == 4) return vec4(a_vec[idx / 4]);  // the host checked idx % 4 == 0 and K % 4 == 0
  return vec4(VD_LOAD(a_data[idx]), 0.0, 0.0, 0.0);
}

vec4 vd_load_b(uint batch, uint gk, uint gn) {
  if (gn >= pc.N || gk >= pc.K) return vec4(0.0);
  uint idx = batch * pc.stride_b + (B_TRANS ? gn * pc.ldb + gk : gk * pc.ldb + gn);
  if (VB == 4) return vec4(b_vec[idx / 4]);  // along k (B_TRANS) or n; the host checked alignment
  return vec4(VD_LOAD(b_data[idx]), 0.0, 0.0, 0.0);
}

void main() {
  uint batch = vd_split_batch(pc.nbatch);
  uint m0 = gl_WorkGroupID.y * BM, n0 = gl_WorkGroupID.x * BN;
  vd_gemm_mainloop(batch, m0, n0, vd_split_k_begin(pc.nbatch, pc.kslice), vd_split_k_end(pc.nbatch, pc.kslice, pc.K));
  uint cbase = batch * pc.stride_c;
  for (uint i = 0; i < TM; ++i) {
    uint gm = m0 + vd_gemm_row(i);
    if (gm >= pc.M) continue;
    for (uint j = 0; j < TN; ++j) {
      uint gn = n0 + vd_gemm_col(j);
      if (gn >= pc.N) continue;
      if (SPLIT) {
        vd_split_store(pc.M, pc.N, gm, gn, acc[i * TN + j]);
        continue;
      }
      uint idx = cbase + gm * pc.ldc + gn;
      float v = acc[i * TN + j];
      if (HAS_BIAS) v += VD_LOAD(bias_data[gn]);
      if (HAS_RES) v += VD_LOAD(res_data[idx]);
      c_data[idx] = VD_STORE(v);
    }
  }
}
