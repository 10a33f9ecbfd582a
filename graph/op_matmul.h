// Batched matrix multiplication (linear layers, generic batched GEMM):
//   C[b] = A[b] · B[b]ᵀ (+ bias) (+ residual[b])   B stored [N, K]  (PyTorch linear weights [out, in])
//   C[b] = A[b] · B[b]  (+ bias) (+ residual[b])   B stored [K, N]  (e.g. P·V)
// A is [M, K], C and residual [M, N], bias [N], all in env->precision, fp32 accumulation.
// Kernels: a portable shared-memory tiled GEMM (every device; what CI proves); a matrix-vector kernel
// for M <= 4 with [N, K] weights (decoding; portable too); and a cooperative-matrix GEMM
// (VK_KHR_cooperative_matrix, fp16 A/B, fp32 accumulation) used automatically for fp16 storage when
// ctx->policy.coopmat is on (VLMD_DISABLE_COOPMAT=1 turns it off). The coopmat kernel can be forced on
// fp32 storage too, but it rounds A and B to fp16 while loading, so it is then not a parity path (the
// fp16 error bound applies). Matrices up to 2^32 elements per binding (32-bit indexing).
// Few output tiles with a long K split K over more workgroups (split-K, graph/op_gemm.h) when the
// caller passes a scratch buffer (vd_op_matmul_split).
#ifndef VD_GRAPH_OP_MATMUL_H
#define VD_GRAPH_OP_MATMUL_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/op_gemm.h"
#include "graph/ops.h"

// Layout of B.
typedef enum vd_matmul_b_layout {
  VD_MATMUL_B_NK = 0,  // [N, K]: transposed B, linear weights [out, in]
  VD_MATMUL_B_KN = 1,  // [K, N]
} vd_matmul_b_layout;

typedef struct vd_matmul_params {
  uint32_t batch;                 // number of products (>= 1)
  uint32_t m, n, k;               // C is m x n, the reduction is over k
  vd_matmul_b_layout b_layout;    // how B is stored
  uint32_t lda, ldb, ldc;         // row pitches in elements (0: dense, i.e. k, k or n by layout, n)
  uint64_t stride_a, stride_b;    // elements between batches; 0 broadcasts (same matrix every batch)
  uint64_t stride_c;              // elements between batches of C and residual (0: m * ldc)
  vd_gemm_variant variant;        // kernel choice (AUTO in normal use)
  vd_gemm_tile_id tile;           // portable tile (AUTO in normal use)
  uint32_t split_k;               // K slices: 0 automatic (vd_gemm_split_choose), 1 off, N forced (tests)
} vd_matmul_params;

// Dense params: batch contiguous products (A and B strided per batch when batched_b, else B shared).
vd_matmul_params vd_matmul_params_dense(uint32_t batch, uint32_t m, uint32_t n, uint32_t k,
                                        vd_matmul_b_layout b_layout, bool batched_b);

// Records C = A·op(B) (+ bias) (+ residual). bias and residual may be absent (buffer NULL); residual
// may be the same memory as c (in-place add). Never splits K (vd_op_matmul_split with no scratch).
vd_status vd_op_matmul(const vd_op_env *env, const vd_matmul_params *params, vd_view a, vd_view b, vd_view bias,
                       vd_view residual, vd_view c);
// vd_op_matmul with split-K (graph/op_gemm.h) where params->split_k and the rule ask for it: scratch
// holds vd_op_matmul_scratch_bytes fp32 bytes of partial sums (its contents need not be initialised).
// Absent scratch (buffer NULL) falls back to no split, unless params->split_k forces one (an error).
// The matrix-vector kernel (M <= 4) never splits.
vd_status vd_op_matmul_split(const vd_op_env *env, const vd_matmul_params *params, vd_view a, vd_view b,
                             vd_view bias, vd_view residual, vd_view scratch, vd_view c);
// Scratch bytes vd_op_matmul_split needs (0: it will not split). A pure function of the params: env is
// unused and may be NULL, so the graph builder can plan it without a device. An upper bound for every
// device (a device whose K-step is coarser may dispatch fewer slices).
uint64_t vd_op_matmul_scratch_bytes(const vd_op_env *env, const vd_matmul_params *params);
// The K slices vd_op_matmul_split dispatches here given enough scratch (1: no split).
uint32_t vd_op_matmul_split_slices(const vd_op_env *env, const vd_matmul_params *params);
// 2·batch·m·n·k.
uint64_t vd_op_matmul_flops(const vd_matmul_params *params);
// The kernel vd_op_matmul would use, e.g. "portable 64x64x16 (4x4)", "gemv (...)" or "coopmat 2x2
// subgroups x 2x2 fragments" (a static string).
const char *vd_op_matmul_variant(const vd_op_env *env, const vd_matmul_params *params);
// True when the cooperative-matrix matmul can run here (policy on, shader compiled, precision ok).
bool vd_op_matmul_coopmat_available(const vd_op_env *env);

#endif
