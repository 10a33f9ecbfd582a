// Batched matmul on cooperative matrices (matmul_coopmat_core.glsl): same contract as matmul.comp.
//   C[b] = A[b] · op(B[b]) (+ bias[n]) (+ residual[b]); A [M, K]; B [N, K] (B_TRANS) or [K, N].
// Split-K (common/gemm_split.glsl): with SPLIT, fp32 partials of one K slice instead of C.
#include "precision.glsl"
#include "matmul_vec4.glsl"

layout(constant_id = 4) const bool B_TRANS = true;
layout(constant_id = 5) const bool HAS_BIAS = false;
layout(constant_id = 6) const bool HAS_RES = false;
#define VD_B_K_CONTIG B_TRANS
#include "matmul_coopmat_core.glsl"
#include "gemm_split.glsl"

layout(local_size_x_id = 3) in;

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

vec4 vd_cm_load_a(uint batch, uint gm, uint gk) {
  if (gm >= pc.M || gk >= pc.K) return vec4(0.0);
  uint idx = batch * pc.stride_a + gm * pc.lda + gk;
  if (VA == 4) return vec4(a_vec[idx / 4]);  // the host checked idx % 4 == 0 and K % 4 == 0
  return vec4(VD_LOAD(a_data[idx]), 0.0, 0.0, 0.0);
}

void vd_cm_begin(uint batch, uint m0, uint n0) {}

vec4 vd_cm_load_b(uint batch, uint gk, uint gn, uint slot) {
  if (gn >= pc.N || gk >= pc.K) return vec4(0.0);
  uint idx = batch * pc.stride_b + (B_TRANS ? gn * pc.ldb + gk : gk * pc.ldb + gn);
  if (VB == 4) return vec4(b_vec[idx / 4]);
  return vec4(VD_LOAD(b_data[idx]), 0.0, 0.0, 0.0);
}

void vd_cm_store(uint batch, uint gm, uint gn, float v) {
  if (SPLIT) {
    vd_split_store(pc.M, pc.N, gm, gn, v);
    return;
  }
  uint idx = batch * pc.stride_c + gm * pc.ldc + gn;
  if (HAS_BIAS) v += VD_LOAD(bias_data[gn]);
  if (HAS_RES) v += VD_LOAD(res_data[idx]);
  c_data[idx] = VD_STORE(v);
}

void main() {
  uint kb = vd_split_k_begin(pc.nbatch, pc.kslice), ke = vd_split_k_end(pc.nbatch, pc.kslice, pc.K);
  vd_cm_gemm(vd_split_batch(pc.nbatch), gl_WorkGroupID.y * BM, gl_WorkGroupID.x * BN, pc.M, pc.N, kb, ke);
}
