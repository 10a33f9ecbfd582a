// The portable tiled GEMM core shared by matmul.comp and conv2d.comp: C[BM x BN tile] = A · B over K,
// fp32 accumulation. Each workgroup of WG = (BM/TM)·(BN/TN) invocations computes one BM x BN output
// tile; every invocation holds a TM x TN register block whose rows and columns are strided by
// BM/TM and BN/TN (conflict-free shared reads, coalesced stores). Per K-step of BK the includer's
// vd_load_tile_a / vd_load_tile_b fill the shared tiles (zero outside the matrix), stored k-major:
//   tile_a[k * (BM + 1) + m] = A[m0 + m][k0 + k],  tile_b[k * (BN + 1) + n] = B[k0 + k][n0 + n].
// The includer declares `layout(local_size_x_id = 5) in;` and defines both loaders and main().
#ifndef VD_GEMM_TILE_GLSL
#define VD_GEMM_TILE_GLSL

layout(constant_id = 0) const uint BM = 64;   // tile rows (M)
layout(constant_id = 1) const uint BN = 64;   // tile columns (N)
layout(constant_id = 2) const uint BK = 16;   // K-step
layout(constant_id = 3) const uint TM = 4;    // register-block rows per invocation
layout(constant_id = 4) const uint TN = 4;    // register-block columns per invocation
layout(constant_id = 5) const uint WG = 256;  // invocations: (BM / TM) * (BN / TN)

#define VD_BMP (BM + 1u)  // padded row length of tile_a (spreads k-major writes over banks)
#define VD_BNP (BN + 1u)
#define VD_WM (BM / TM)   // invocations along M (row stride of a register block)
#define VD_WN (BN / TN)   // invocations along N

shared float tile_a[BK * VD_BMP];
shared float tile_b[BK * VD_BNP];

float acc[TM * TN];  // this invocation's accumulators (private; spec-sized arrays cannot be parameters)

void vd_load_tile_a(uint batch, uint m0, uint k0);
void vd_load_tile_b(uint batch, uint n0, uint k0);

// Accumulates the whole K range into acc (TM x TN, row-major within the block).
void vd_gemm_mainloop(uint batch, uint m0, uint n0, uint K) {
  uint tid = gl_LocalInvocationID.x;
  uint tx = tid % VD_WN, ty = tid / VD_WN;
  for (uint i = 0; i < TM * TN; ++i) acc[i] = 0.0;
  float a[TM];
  float b[TN];
  for (uint k0 = 0; k0 < K; k0 += BK) {
    vd_load_tile_a(batch, m0, k0);
    vd_load_tile_b(batch, n0, k0);
    barrier();
    for (uint k = 0; k < BK; ++k) {
      for (uint i = 0; i < TM; ++i) a[i] = tile_a[k * VD_BMP + ty + i * VD_WM];
      for (uint j = 0; j < TN; ++j) b[j] = tile_b[k * VD_BNP + tx + j * VD_WN];
      for (uint i = 0; i < TM; ++i)
        for (uint j = 0; j < TN; ++j) acc[i * TN + j] = fma(a[i], b[j], acc[i * TN + j]);
    }
    barrier();
  }
}

// Row (within the tile) of register-block row i, and column of block column j, for this invocation.
uint vd_gemm_row(uint i) { return gl_LocalInvocationID.x / VD_WN + i * VD_WM; }
uint vd_gemm_col(uint j) { return gl_LocalInvocationID.x % VD_WN + j * VD_WN; }

#endif
