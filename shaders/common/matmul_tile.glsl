// The portable tiled GEMM core shared by matmul.comp and conv2d.comp: C[BM x BN tile] = A · B over K,
// fp32 accumulation. Each workgroup of WG = (BM/TM)·(BN/TN) invocations computes one BM x BN output
// tile; every invocation holds a TM x TN register block whose rows and columns are strided by BM/TM and
// BN/TN (conflict-free shared reads, coalesced stores). Per K-step of BK the A and B tiles go through
// shared memory, stored k-major:
//   tile_a[k * (BM + 1) + m] = A[m0 + m][k0 + k],  tile_b[k * (BN + 1) + n] = B[k0 + k][n0 + n],
// and the next K-step's tiles are fetched into registers while the current one is multiplied
// (software pipelining). Global reads are vectors of VA (A, along k) and VB (B, along its contiguous
// dimension) elements when the host has checked the alignment (VA, VB in {1, 4}).
//
// The includer, before including this file, defines VD_B_K_CONTIG (true: B is read along k, like A;
// false: along n), and after it declares `layout(local_size_x_id = 5) in;` and defines
//   vec4 vd_load_a(uint batch, uint gm, uint gk)  A[gm][gk .. gk+VA-1] (zeros outside the matrix)
//   vec4 vd_load_b(uint batch, uint gk, uint gn)  B[gk .. +VB-1][gn] when VD_B_K_CONTIG, else
//                                                 B[gk][gn .. gn+VB-1] (zeros outside)
// (only the first VA / VB components are used), then calls vd_gemm_mainloop (over the whole K, or a split-K
// slice: common/gemm_split.glsl) and reads acc.
#ifndef VD_MATMUL_TILE_GLSL
#define VD_MATMUL_TILE_GLSL

layout(constant_id = 0) const uint BM = 64;   // tile rows (M)
layout(constant_id = 1) const uint BN = 64;   // tile columns (N)
layout(constant_id = 2) const uint BK = 16;   // K-step
layout(constant_id = 3) const uint TM = 4;    // register-block rows per invocation
layout(constant_id = 4) const uint TN = 4;    // register-block columns per invocation
layout(constant_id = 5) const uint WG = 256;  // invocations: (BM / TM) * (BN / TN)
layout(constant_id = 10) const uint VA = 1;   // vector width of A reads (1 or 4)
layout(constant_id = 11) const uint VB = 1;   // vector width of B reads (1 or 4)

#define VD_BMP (BM + 1u)  // padded row length of tile_a (spreads k-major writes over banks)
#define VD_BNP (BN + 1u)
#define VD_WM (BM / TM)   // invocations along M (row stride of a register block)
#define VD_WN (BN / TN)   // invocations along N
#define VD_VECS_A (BM * BK / VA)  // vector reads per A tile
#define VD_VECS_B (BN * BK / VB)
#define VD_SLOTS_A ((VD_VECS_A + WG - 1u) / WG)  // vector reads per invocation
#define VD_SLOTS_B ((VD_VECS_B + WG - 1u) / WG)

shared float tile_a[BK * VD_BMP];
shared float tile_b[BK * VD_BNP];

float acc[TM * TN];               // this invocation's accumulators (spec-sized arrays cannot be parameters)
vec4 reg_a[VD_SLOTS_A];           // the next tiles, in flight
vec4 reg_b[VD_SLOTS_B];

vec4 vd_load_a(uint batch, uint gm, uint gk);
vec4 vd_load_b(uint batch, uint gk, uint gn);

void vd_fetch_tiles(uint batch, uint m0, uint n0, uint k0) {
  for (uint s = 0; s < VD_SLOTS_A; ++s) {
    uint e = gl_LocalInvocationID.x + s * WG;
    if (e < VD_VECS_A) reg_a[s] = vd_load_a(batch, m0 + e / (BK / VA), k0 + (e % (BK / VA)) * VA);
  }
  for (uint s = 0; s < VD_SLOTS_B; ++s) {
    uint e = gl_LocalInvocationID.x + s * WG;
    if (e >= VD_VECS_B) continue;
    if (VD_B_K_CONTIG) reg_b[s] = vd_load_b(batch, k0 + (e % (BK / VB)) * VB, n0 + e / (BK / VB));
    else reg_b[s] = vd_load_b(batch, k0 + e / (BN / VB), n0 + (e % (BN / VB)) * VB);
  }
}

void vd_stash_tiles() {
  for (uint s = 0; s < VD_SLOTS_A; ++s) {
    uint e = gl_LocalInvocationID.x + s * WG;
    if (e >= VD_VECS_A) continue;
    uint m = e / (BK / VA), k = (e % (BK / VA)) * VA;
    for (uint c = 0; c < VA; ++c) tile_a[(k + c) * VD_BMP + m] = reg_a[s][c];
  }
  for (uint s = 0; s < VD_SLOTS_B; ++s) {
    uint e = gl_LocalInvocationID.x + s * WG;
    if (e >= VD_VECS_B) continue;
    if (VD_B_K_CONTIG) {
      uint n = e / (BK / VB), k = (e % (BK / VB)) * VB;
      for (uint c = 0; c < VB; ++c) tile_b[(k + c) * VD_BNP + n] = reg_b[s][c];
    } else {
      uint k = e / (BN / VB), n = (e % (BN / VB)) * VB;
      for (uint c = 0; c < VB; ++c) tile_b[k * VD_BNP + n + c] = reg_b[s][c];
    }
  }
}

// Accumulates K elements [kb, ke) into acc (TM x TN, row-major within the block). kb is a multiple of
// BK; ke - kb is too unless ke is the end of K (the loads return zeros past it).
void vd_gemm_mainloop(uint batch, uint m0, uint n0, uint kb, uint ke) {
  uint tid = gl_LocalInvocationID.x;
  uint tx = tid % VD_WN, ty = tid / VD_WN;
  for (uint i = 0; i < TM * TN; ++i) acc[i] = 0.0;
  float a[TM];
  float b[TN];
  vd_fetch_tiles(batch, m0, n0, kb);
  vd_stash_tiles();
  barrier();
  for (uint k0 = kb; k0 < ke; k0 += BK) {
    bool more = k0 + BK < ke;
    if (more) vd_fetch_tiles(batch, m0, n0, k0 + BK);
    for (uint k = 0; k < BK; ++k) {
      for (uint i = 0; i < TM; ++i) a[i] = tile_a[k * VD_BMP + ty + i * VD_WM];
      for (uint j = 0; j < TN; ++j) b[j] = tile_b[k * VD_BNP + tx + j * VD_WN];
      for (uint i = 0; i < TM; ++i)
        for (uint j = 0; j < TN; ++j) acc[i * TN + j] = fma(a[i], b[j], acc[i * TN + j]);
    }
    barrier();
    if (more) {
      vd_stash_tiles();
      barrier();
    }
  }
}

// Row (within the tile) of register-block row i, and column of block column j, for this invocation.
uint vd_gemm_row(uint i) { return gl_LocalInvocationID.x / VD_WN + i * VD_WM; }
uint vd_gemm_col(uint j) { return gl_LocalInvocationID.x % VD_WN + j * VD_WN; }

#endif
