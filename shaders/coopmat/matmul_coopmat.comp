#version 450
// Batched matmul on cooperative matrices (GL_KHR_cooperative_matrix): same contract as matmul.comp.
//   C[b] = A[b] · op(B[b]) (+ bias[n]) (+ residual[b]); A [M, K]; B [N, K] (B_TRANS) or [K, N].
// A workgroup of SG_M x SG_N subgroups computes a BM x BN tile; each subgroup owns an (RM·CM) x (RN·CN)
// block of CM x CN fp32 accumulators. Per K-step of BK, A and B tiles are converted to fp16 in shared
// memory (zero outside the matrix, so M, N, K need not be tile multiples), multiplied as CM x CK and
// CK x CN fp16 matrices, and at the end the accumulators go through shared memory so the bias/residual
// epilogue and the bounds checks are plain per-element code.
// In the fp32-storage variant the fp16 rounding of A and B makes this a non-parity path.
#extension GL_KHR_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#include "precision.glsl"

layout(constant_id = 0) const uint CM = 16;      // cooperative-matrix shape (policy.coopmat_m/n/k)
layout(constant_id = 1) const uint CN = 16;
layout(constant_id = 2) const uint CK = 16;
layout(constant_id = 3) const uint WG = 128;     // SG_M * SG_N * subgroup size
layout(constant_id = 4) const bool B_TRANS = true;
layout(constant_id = 5) const bool HAS_BIAS = false;
layout(constant_id = 6) const bool HAS_RES = false;
layout(local_size_x_id = 3) in;

#define SG_M 2u  // subgroups along M
#define SG_N 2u  // subgroups along N
#define RM 2u    // accumulators per subgroup along M
#define RN 2u    // along N
#define BM (SG_M * RM * CM)
#define BN (SG_N * RN * CN)
#define BK (2u * CK)
#define ASTR (BK + 8u)   // shared row pitches (halves / floats); multiples of 16 bytes
#define BSTR (BK + 8u)
#define CSTR (BN + 4u)

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

shared float16_t tile_a[BM * ASTR];  // [m][k]
shared float16_t tile_b[BN * BSTR];  // [n][k]: B read column-major
shared float tile_c[BM * CSTR];      // [m][n] accumulators for the epilogue

void load_tiles(uint batch, uint m0, uint n0, uint k0) {
  uint abase = batch * pc.stride_a, bbase = batch * pc.stride_b;
  for (uint e = gl_LocalInvocationID.x; e < BM * BK; e += WG) {
    uint m = e / BK, k = e % BK;
    uint gm = m0 + m, gk = k0 + k;
    float v = 0.0;
    if (gm < pc.M && gk < pc.K) v = VD_LOAD(a_data[abase + gm * pc.lda + gk]);
    tile_a[m * ASTR + k] = float16_t(v);
  }
  for (uint e = gl_LocalInvocationID.x; e < BN * BK; e += WG) {
    uint n, k;
    if (B_TRANS) { n = e / BK; k = e % BK; } else { k = e / BN; n = e % BN; }
    uint gn = n0 + n, gk = k0 + k;
    float v = 0.0;
    if (gn < pc.N && gk < pc.K)
      v = VD_LOAD(b_data[bbase + (B_TRANS ? gn * pc.ldb + gk : gk * pc.ldb + gn)]);
    tile_b[n * BSTR + k] = float16_t(v);
  }
}

void main() {
  uint batch = gl_WorkGroupID.z;
  uint m0 = gl_WorkGroupID.y * BM, n0 = gl_WorkGroupID.x * BN;
  uint sg = gl_SubgroupID;
  uint sm = sg / SG_N, sn = sg % SG_N;

  coopmat<float, gl_ScopeSubgroup, CM, CN, gl_MatrixUseAccumulator> acc[RM * RN];
  for (uint i = 0; i < RM * RN; ++i) acc[i] = coopmat<float, gl_ScopeSubgroup, CM, CN, gl_MatrixUseAccumulator>(0.0);

  for (uint k0 = 0; k0 < pc.K; k0 += BK) {
    load_tiles(batch, m0, n0, k0);
    barrier();
    for (uint kk = 0; kk < BK; kk += CK) {
      coopmat<float16_t, gl_ScopeSubgroup, CM, CK, gl_MatrixUseA> a[RM];
      coopmat<float16_t, gl_ScopeSubgroup, CK, CN, gl_MatrixUseB> b[RN];
      for (uint i = 0; i < RM; ++i)
        coopMatLoad(a[i], tile_a, (sm * RM * CM + i * CM) * ASTR + kk, ASTR, gl_CooperativeMatrixLayoutRowMajor);
      for (uint j = 0; j < RN; ++j)
        coopMatLoad(b[j], tile_b, (sn * RN * CN + j * CN) * BSTR + kk, BSTR, gl_CooperativeMatrixLayoutColumnMajor);
      for (uint i = 0; i < RM; ++i)
        for (uint j = 0; j < RN; ++j) acc[i * RN + j] = coopMatMulAdd(a[i], b[j], acc[i * RN + j]);
    }
    barrier();
  }

  for (uint i = 0; i < RM; ++i)
    for (uint j = 0; j < RN; ++j)
      coopMatStore(acc[i * RN + j], tile_c, (sm * RM * CM + i * CM) * CSTR + sn * RN * CN + j * CN, CSTR,
                   gl_CooperativeMatrixLayoutRowMajor);
  barrier();

  uint cbase = batch * pc.stride_c;
  for (uint e = gl_LocalInvocationID.x; e < BM * BN; e += WG) {
    uint m = e / BN, n = e % BN;
    uint gm = m0 + m, gn = n0 + n;
    if (gm >= pc.M || gn >= pc.N) continue;
    uint idx = cbase + gm * pc.ldc + gn;
    float v = tile_c[m * CSTR + n];
    if (HAS_BIAS) v += VD_LOAD(bias_data[gn]);
    if (HAS_RES) v += VD_LOAD(res_data[idx]);
    c_data[idx] = VD_STORE(v);
  }
}
