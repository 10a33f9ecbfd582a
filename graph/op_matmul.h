// Batched matrix multiplication (linear layers, generic batched GEMM):
//   C[b] = A[b] · B[b]ᵀ (+ bias) (+ residual[b])   B stored [N, K]  (PyTorch linear weights [out, in])
//   C[b] = A[b] · B[b]  (+ bias) (+ residual[b])   B stored [K, N]  (e.g. P·V)
// A is [M, K], C and residual [M, N], bias [N], all in env->precision, fp32 accumulation.
// Two implementations: a portable shared-memory tiled GEMM (every device; what CI proves) and a
// cooperative-matrix one (VK_KHR_cooperative_matrix, fp16 A/B, fp32 accumulation) used automatically
// for fp16 storage when ctx->policy.coopmat is on. The coopmat kernel can be forced on fp32 storage too,
// but it rounds A and B to fp16 while loading, so it is then not a parity path (fp16 error bound).
#ifndef VD_GRAPH_OP_MATMUL_H
#define VD_GRAPH_OP_MATMUL_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/ops.h"
#include "runtime/policy.h"

// Portable GEMM tile shapes (shared by matmul and conv2d). AUTO lets vd_gemm_tile_choose decide.
typedef enum vd_gemm_tile_id {
  VD_GEMM_TILE_AUTO = 0,
  VD_GEMM_TILE_128X128,  // 128x128 tile, 8x8 per invocation: big problems on GPUs with >= 48 KiB shared
  VD_GEMM_TILE_64X64,    // 64x64 tile, 4x4 per invocation: the default
  VD_GEMM_TILE_16X128,   // 16x128 tile, 1x8 per invocation: few rows (M <= 16: decoding, Cout = 3 or 4)
  VD_GEMM_TILE_COUNT
} vd_gemm_tile_id;

typedef struct vd_gemm_tile {
  uint32_t bm, bn, bk;  // workgroup tile (M x N) and K-step
  uint32_t tm, tn;      // register block per invocation
  const char *name;     // e.g. "portable 64x64x16 (4x4)", for the bench's variant column
} vd_gemm_tile;

// Which kernel runs a matmul.
typedef enum vd_gemm_variant {
  VD_GEMM_VARIANT_AUTO = 0,  // coopmat for fp16 storage when the policy allows it, else portable
  VD_GEMM_VARIANT_PORTABLE,  // always the portable tiled kernel
  VD_GEMM_VARIANT_COOPMAT,   // the cooperative-matrix kernel (error if unavailable)
  VD_GEMM_VARIANT_COOPMAT_EMULATED,  // test only: the coopmat kernel's tiling with the matrix operations
                                     // emulated in shared memory (runs without coopmat; slow)
} vd_gemm_variant;

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
} vd_matmul_params;

// Dense params: batch contiguous products (A and B strided per batch when batched_b, else B shared).
vd_matmul_params vd_matmul_params_dense(uint32_t batch, uint32_t m, uint32_t n, uint32_t k,
                                        vd_matmul_b_layout b_layout, bool batched_b);

// Pure: the portable tile for an m x n x k problem with `tiles` workgroup-parallel copies (batch).
vd_gemm_tile_id vd_gemm_tile_choose(const vd_policy *policy, uint32_t m, uint32_t n, uint32_t k, uint32_t batch);
const vd_gemm_tile *vd_gemm_tile_get(vd_gemm_tile_id id);

// Records C = A·op(B) (+ bias) (+ residual). bias and residual may be absent (buffer NULL); residual
// may be the same memory as c (in-place add).
vd_status vd_op_matmul(const vd_op_env *env, const vd_matmul_params *params, vd_view a, vd_view b, vd_view bias,
                       vd_view residual, vd_view c);
// 2·batch·m·n·k.
uint64_t vd_op_matmul_flops(const vd_matmul_params *params);
// The kernel vd_op_matmul would use, e.g. "portable 64x64x16 (4x4)" or "coopmat 2x2 subgroups (...)".
const char *vd_op_matmul_variant(const vd_op_env *env, const vd_matmul_params *params);
// True when the cooperative-matrix matmul can run here (policy on, shader compiled, precision ok).
bool vd_op_matmul_coopmat_available(const vd_op_env *env);


// The cooperative-matrix kernels' workgroup layouts: SG_M x SG_N subgroups of 2x2 CM x CN fragments
// each (tile 2·SG_M·CM x 2·SG_N·CN, K-step 2·CK).
typedef struct vd_gemm_coopmat_tile {
  uint32_t sg_m, sg_n;  // subgroups along M and N
  uint32_t bm, bn;      // workgroup tile
  uint32_t invocations; // sg_m · sg_n · subgroup size
  const char *name;     // for the bench's variant column
} vd_gemm_coopmat_tile;

// True when the named coopmat shader can run here in env->precision (policy on, fp16 arithmetic, built).
bool vd_gemm_coopmat_available(const vd_op_env *env, const char *shader);
// Pure: the coopmat layout for an m x n problem (batch copies) on a device policy with coopmat on.
vd_gemm_coopmat_tile vd_gemm_coopmat_tile_choose(const vd_policy *policy, uint32_t m, uint32_t n, uint32_t batch);
// The policy a coopmat dispatch uses: the device's, or for the emulated variant a 16x16x16 shape on
// the small layout (its emulated accumulators take the shared memory the large one would need).
vd_policy vd_gemm_coopmat_policy(const vd_context *ctx, bool emulated);
// The shader of a coopmat kernel family ("matmul" or "conv2d") and variant, with availability.
const char *vd_gemm_coopmat_shader(const char *family, bool emulated);

// The subgroup size the coopmat kernels are laid out for (policy.subgroup_size), to pin it with
// subgroupSizeControl where the device has it (0: not pinned; the default size is then assumed).
uint32_t vd_gemm_coopmat_subgroup_size(const vd_context *ctx);

// Helpers shared with op_conv (the same GEMM machinery): view checks, bindings, workgroup limits.
typedef struct vd_gemm_extent {
  const char *name;   // tensor name for messages
  vd_view view;       // where it is
  uint64_t elements;  // elements the op touches from view.offset
  bool required;      // false: may be absent (buffer NULL)
} vd_gemm_extent;

// Elements spanned by `batch` matrices of rows x cols with row pitch ld and batch stride stride.
uint64_t vd_gemm_span(uint32_t batch, uint64_t stride, uint32_t rows, uint32_t ld, uint32_t cols);
// Checks presence, offset alignment, buffer size, 32-bit indexing and maxStorageBufferRange.
vd_status vd_gemm_check_views(const char *op, const vd_op_env *env, const vd_gemm_extent *ext, uint32_t n);
// Checks a workgroup grid against maxComputeWorkGroupCount.
vd_status vd_gemm_check_groups(const char *op, const vd_context *ctx, const uint32_t groups[3]);
// A binding of `bytes` from the view (rounded up to 4, clipped to the buffer).
vd_binding vd_gemm_binding(vd_view view, uint64_t bytes);

#endif
