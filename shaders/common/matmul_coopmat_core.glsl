// The cooperative-matrix GEMM core shared by coopmat/matmul_coopmat.comp and coopmat/conv2d_coopmat.comp:
// C[BM x BN tile] = A · B over K with fp16 operands and fp32 accumulation (GL_KHR_cooperative_matrix).
// A workgroup of SG_M x SG_N subgroups computes a BM x BN tile; each subgroup owns a (RM·CM) x (RN·CN)
// block of RM x RN accumulators of CM x CN. Per K-step of BK = 2·CK, the A and B tiles are converted
// to fp16 in shared memory (zero outside the matrix, so M, N and K need not be tile multiples):
//   tile_a[m * ASTR + k] = A[m0 + m][k0 + k],  tile_b[n * BSTR + k] = B[k0 + k][n0 + n]  (B column-major).
// At the end each subgroup passes its accumulators, one CM x CN matrix at a time, through a small
// shared scratch so the includer's per-element epilogue (bias, residual, bounds) is plain code.
// In an fp32-storage variant the fp16 rounding of A and B makes this a non-parity path.
// With VD_CM_EMULATE defined to 1 the cooperative-matrix operations are replaced by plain shared-memory
// code with the same tiles, offsets, strides and layouts (each lane owns fixed elements of every
// accumulator), so the tiling and the epilogue can be tested on devices without cooperative matrices
// (lavapipe). The emulation is slow and is not used for real work.
//
// The includer defines VD_B_K_CONTIG (B read along k, else along n) before including this file, and
// after it: `layout(local_size_x_id = 3) in;`, vec4 vd_cm_load_a(uint batch, uint gm, uint gk) (A[gm][gk ..
// gk+VA-1]), vec4 vd_cm_load_b(uint batch, uint gk, uint gn) (VB elements of B from (gk, gn) along k
// when VD_B_K_CONTIG, else along n; zeros outside the matrix; unused components ignored) and
// void vd_cm_store(uint batch, uint gm, uint gn, float v) (called only inside M x N); main() calls
// vd_cm_gemm(batch, m0, n0, M, N, kb, ke) over K elements [kb, ke): the whole K, or a split-K slice
// (common/gemm_split.glsl; kb a multiple of BK, ke - kb too unless ke ends K, past which loads give 0).
#ifndef VD_MATMUL_COOPMAT_CORE_GLSL
#define VD_MATMUL_COOPMAT_CORE_GLSL

#ifndef VD_CM_EMULATE
#define VD_CM_EMULATE 0
#endif
#if !VD_CM_EMULATE
#extension GL_KHR_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#endif
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require

layout(constant_id = 0) const uint CM = 16;    // cooperative-matrix shape (policy.coopmat_m/n/k)
layout(constant_id = 1) const uint CN = 16;
layout(constant_id = 2) const uint CK = 16;
layout(constant_id = 3) const uint WG = 128;   // SG_M * SG_N * subgroup size
layout(constant_id = 7) const uint SG_M = 2;   // subgroups along M
layout(constant_id = 8) const uint SG_N = 2;   // subgroups along N
layout(constant_id = 10) const uint VA = 1;    // vector width of A reads along k (1 or 4)
layout(constant_id = 11) const uint VB = 1;    // vector width of B reads along its contiguous dimension

#define RM 2u  // accumulators per subgroup along M
#define RN 2u  // along N
#define BM (SG_M * RM * CM)
#define BN (SG_N * RN * CN)
#define BK (2u * CK)
#define ASTR (BK + 8u)  // shared row pitches in elements; multiples of 16 bytes
#define BSTR (BK + 8u)
#define SSTR (CN + 4u)

shared float16_t tile_a[BM * ASTR];
shared float16_t tile_b[BN * BSTR];
shared float scratch[SG_M * SG_N * CM * SSTR];  // one CM x CN matrix per subgroup
#if VD_CM_EMULATE
shared float emu_acc[SG_M * SG_N * RM * RN * CM * CN];  // the accumulators, per subgroup
#endif

#define VD_CM_VECS_B (BN * BK / VB)                 // vector reads per B tile
#define VD_CM_SLOTS_B ((VD_CM_VECS_B + WG - 1u) / WG)  // B reads per invocation per K-step

vec4 vd_cm_load_a(uint batch, uint gm, uint gk);
vec4 vd_cm_load_b(uint batch, uint gk, uint gn, uint slot);
void vd_cm_begin(uint batch, uint m0, uint n0);
void vd_cm_store(uint batch, uint gm, uint gn, float v);

// Column (within the tile) of this invocation's B read number `slot` when B is read along n: the same
// in every K-step, so includers may decode per-column data once (vd_cm_begin).
uint vd_cm_b_col(uint slot) {
  uint e = gl_LocalInvocationID.x + slot * WG;
  return (e % (BN / VB)) * VB;
}

void vd_cm_load_tiles(uint batch, uint m0, uint n0, uint k0) {
  for (uint e = gl_LocalInvocationID.x; e < BM * BK / VA; e += WG) {
    uint m = e / (BK / VA), k = (e % (BK / VA)) * VA;
    vec4 v = vd_cm_load_a(batch, m0 + m, k0 + k);
    for (uint c = 0; c < VA; ++c) tile_a[m * ASTR + k + c] = float16_t(v[c]);
  }
  for (uint s = 0; s < VD_CM_SLOTS_B; ++s) {
    uint e = gl_LocalInvocationID.x + s * WG;
    if (e >= VD_CM_VECS_B) break;
    if (VD_B_K_CONTIG) {
      uint n = e / (BK / VB), k = (e % (BK / VB)) * VB;
      vec4 v = vd_cm_load_b(batch, k0 + k, n0 + n, s);
      for (uint c = 0; c < VB; ++c) tile_b[n * BSTR + k + c] = float16_t(v[c]);
    } else {
      uint k = e / (BN / VB), n = vd_cm_b_col(s);
      vec4 v = vd_cm_load_b(batch, k0 + k, n0 + n, s);
      for (uint c = 0; c < VB; ++c) tile_b[(n + c) * BSTR + k] = float16_t(v[c]);
    }
  }
}

#if VD_CM_EMULATE
// Accumulator i (of RM·RN) of subgroup sg, element e (row-major CM x CN).
#define VD_EMU_ACC(sg, i, e) emu_acc[((sg) * RM * RN + (i)) * CM * CN + (e)]

void vd_cm_gemm(uint batch, uint m0, uint n0, uint M, uint N, uint kb, uint ke) {
  uint sg = gl_SubgroupID;
  uint sm = sg / SG_N, sn = sg % SG_N;
  uint lane = gl_SubgroupInvocationID, lanes = gl_SubgroupSize;
  for (uint i = 0; i < RM * RN; ++i)
    for (uint e = lane; e < CM * CN; e += lanes) VD_EMU_ACC(sg, i, e) = 0.0;
  vd_cm_begin(batch, m0, n0);
  for (uint k0 = kb; k0 < ke; k0 += BK) {
    vd_cm_load_tiles(batch, m0, n0, k0);
    barrier();
    for (uint kk = 0; kk < BK; kk += CK)
      for (uint i = 0; i < RM; ++i)
        for (uint j = 0; j < RN; ++j) {
          uint a_off = (sm * RM * CM + i * CM) * ASTR + kk;  // the offsets coopMatLoad gets
          uint b_off = (sn * RN * CN + j * CN) * BSTR + kk;
          for (uint e = lane; e < CM * CN; e += lanes) {
            uint r = e / CN, c = e % CN;
            float sum = 0.0;
            for (uint q = 0; q < CK; ++q)
              sum += float(tile_a[a_off + r * ASTR + q]) * float(tile_b[b_off + c * BSTR + q]);
            VD_EMU_ACC(sg, i * RN + j, e) += sum;
          }
        }
    barrier();
  }
  uint sbase = sg * CM * SSTR;
  for (uint i = 0; i < RM; ++i)
    for (uint j = 0; j < RN; ++j) {
      for (uint e = lane; e < CM * CN; e += lanes)
        scratch[sbase + (e / CN) * SSTR + e % CN] = VD_EMU_ACC(sg, i * RN + j, e);
      subgroupMemoryBarrierShared();
      subgroupBarrier();
      uint rm = m0 + sm * RM * CM + i * CM, rn = n0 + sn * RN * CN + j * CN;
      for (uint e = lane; e < CM * CN; e += lanes) {
        uint r = e / CN, c = e % CN;
        if (rm + r < M && rn + c < N) vd_cm_store(batch, rm + r, rn + c, scratch[sbase + r * SSTR + c]);
      }
      subgroupBarrier();
    }
}
#else
void vd_cm_gemm(uint batch, uint m0, uint n0, uint M, uint N, uint kb, uint ke) {
  uint sg = gl_SubgroupID;
  uint sm = sg / SG_N, sn = sg % SG_N;
  coopmat<float, gl_ScopeSubgroup, CM, CN, gl_MatrixUseAccumulator> acc[RM * RN];
  for (uint i = 0; i < RM * RN; ++i) acc[i] = coopmat<float, gl_ScopeSubgroup, CM, CN, gl_MatrixUseAccumulator>(0.0);
  vd_cm_begin(batch, m0, n0);

  for (uint k0 = kb; k0 < ke; k0 += BK) {
    vd_cm_load_tiles(batch, m0, n0, k0);
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

  uint lane = gl_SubgroupInvocationID, lanes = gl_SubgroupSize;
  uint sbase = sg * CM * SSTR;
  for (uint i = 0; i < RM; ++i)
    for (uint j = 0; j < RN; ++j) {
      coopMatStore(acc[i * RN + j], scratch, sbase, SSTR, gl_CooperativeMatrixLayoutRowMajor);
      subgroupMemoryBarrierShared();
      subgroupBarrier();
      uint rm = m0 + sm * RM * CM + i * CM, rn = n0 + sn * RN * CN + j * CN;
      for (uint e = lane; e < CM * CN; e += lanes) {
        uint r = e / CN, c = e % CN;
        if (rm + r < M && rn + c < N) vd_cm_store(batch, rm + r, rn + c, scratch[sbase + r * SSTR + c]);
      }
      subgroupBarrier();
    }
}

#endif

#endif
