// The GEMM machinery shared by matmul and conv2d (graph/op_matmul.h, graph/op_conv.h): the portable
// tile shapes and the pure policy that picks one, the cooperative-matrix kernels' layouts and
// availability, and the checks and bindings both ops make on their tensor views.
#ifndef VD_GRAPH_OP_GEMM_H
#define VD_GRAPH_OP_GEMM_H

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
  VD_GEMM_TILE_64X64_R8, // 64x64 tile, 8x8 per invocation (64 invocations): CPU SIMD devices (lavapipe)
  VD_GEMM_TILE_COUNT
} vd_gemm_tile_id;

typedef struct vd_gemm_tile {
  uint32_t bm, bn, bk;  // workgroup tile (M x N) and K-step
  uint32_t tm, tn;      // register block per invocation
  const char *name;     // e.g. "portable 64x64x16 (4x4)", for the bench's variant column
} vd_gemm_tile;

// Which kernel runs a matmul or conv2d.
typedef enum vd_gemm_variant {
  VD_GEMM_VARIANT_AUTO = 0,  // coopmat for fp16 storage when the policy allows it, else portable
  VD_GEMM_VARIANT_PORTABLE,  // always the portable tiled kernel
  VD_GEMM_VARIANT_COOPMAT,   // the cooperative-matrix kernel (error if unavailable)
  VD_GEMM_VARIANT_COOPMAT_EMULATED,  // test only: the coopmat kernel's tiling with the matrix operations
                                     // emulated in shared memory (runs without coopmat; slow)
} vd_gemm_variant;

// Pure: the portable tile for an m x n x k problem, batch copies of it in parallel.
vd_gemm_tile_id vd_gemm_tile_choose(const vd_policy *policy, uint32_t m, uint32_t n, uint32_t k, uint32_t batch);
const vd_gemm_tile *vd_gemm_tile_get(vd_gemm_tile_id id);

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
// The shader name of a coopmat kernel family ("matmul" or "conv2d"), real or emulated.
const char *vd_gemm_coopmat_shader(const char *family, bool emulated);

// The subgroup size the coopmat kernels are laid out for (policy.subgroup_size), to pin it with
// subgroupSizeControl where the device has it (0: not pinned; the default size is then assumed).
uint32_t vd_gemm_coopmat_subgroup_size(const vd_context *ctx);

// ---- split-K --------------------------------------------------------------------------------------
// A GEMM whose output tiles are few (8x8 and 4x4 convs, linear layers with few rows) walks a long K per
// workgroup while most of the GPU idles. Split-K cuts K into S slices: workgroup z = slice · batch + b
// accumulates its tile over one slice and stores the fp32 partial in a caller-supplied scratch
// [S, batch, M, N]; a second pass (shaders/gemm_splitk_reduce.comp, after the op's internal barrier)
// sums the S partials in fp32 in slice order, adds bias and residual and stores in the output
// precision. The result equals the unsplit one up to fp32 summation order.
//
// The rule is device-independent on purpose: the graph builder sizes the scratch before any device
// exists, and the device snapshot has no compute-unit count. It counts workgroups on a reference
// 64x64 tile (the default portable and small coopmat tile; the 128x128 tiles are chosen only for
// problems with >= 512 such tiles, which never split) and aims for VD_GEMM_SPLIT_TARGET_GROUPS: about
// 2 per SM on an H200 (132 SMs), comfortably more than the compute units of the GPUs this runs on.
#define VD_GEMM_SPLIT_TARGET_GROUPS 256u  // workgroups (tiles x batch) below which K is split
#define VD_GEMM_SPLIT_MIN_K 256u          // fewest K elements per slice in the automatic rule
#define VD_GEMM_SPLIT_MAX 16u             // most slices the automatic rule picks
#define VD_GEMM_SPLIT_TILE 64u            // edge of the reference tile the rule counts workgroups with

// Pure: the slices for an m x n x k product with batch copies. requested: 0 automatic (split when
// fewer than VD_GEMM_SPLIT_TARGET_GROUPS reference tiles, into ceil(target / tiles) slices, at most
// VD_GEMM_SPLIT_MAX and k / VD_GEMM_SPLIT_MIN_K), 1 off, N > 1 that many (forcing, for tests). 1: no split.
uint32_t vd_gemm_split_choose(uint32_t m, uint32_t n, uint32_t k, uint32_t batch, uint32_t requested);
// Scratch bytes for `slices` slices of batch x m x n fp32 partials (0 when slices <= 1).
uint64_t vd_gemm_split_scratch_bytes(uint32_t slices, uint32_t m, uint32_t n, uint32_t batch);

// How a split dispatch cuts K: each slice spans kslice elements, a multiple of the kernel's K-step
// bk (so every slice starts on a K-step and vector reads stay aligned), the last one what is left.
typedef struct vd_gemm_split_plan {
  uint32_t slices;  // slices dispatched (<= the slices asked for; 1: no split)
  uint32_t kslice;  // K elements per slice (k when not split)
} vd_gemm_split_plan;

// Pure: the plan for `slices` slices of k with K-step bk.
vd_gemm_split_plan vd_gemm_split_plan_make(uint32_t slices, uint32_t k, uint32_t bk);

// Checks the scratch view for an S x batch x m x n fp32 partial buffer (alignment, size, 32-bit
// indexing, maxStorageBufferRange).
vd_status vd_gemm_check_scratch(const char *op, const vd_op_env *env, vd_view scratch, uint64_t bytes);

// The split pass's fields of a GEMM's output, for vd_gemm_split_reduce.
typedef struct vd_gemm_split_out {
  uint32_t m, n, batch;  // output shape
  uint32_t ldc;          // row pitch of y and residual (elements)
  uint32_t stride_c;     // batch stride of y and residual (elements)
  bool bias_rows;        // bias indexed by row (conv: per output channel), else by column (matmul)
  uint64_t y_elements;   // elements spanned by y (and residual)
} vd_gemm_split_out;

// Records the barrier after the partial pass and the reduce pass: y = sum of the plan's slices of
// scratch (+ bias) (+ residual). bias / residual may be absent.
vd_status vd_gemm_split_reduce(const char *op, const vd_op_env *env, const vd_gemm_split_out *o, uint32_t slices,
                               vd_view scratch, vd_view bias, vd_view residual, vd_view y);

// View checks, bindings and workgroup limits.
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

// 4 when every row and batch start of a matrix read along its contiguous dimension (length len, pitch
// ld, batch stride, view offset) is 4-element aligned, so kernels may read 4-vectors; else 1.
uint32_t vd_gemm_vec_width(uint32_t len, uint32_t ld, uint64_t stride, uint32_t batch, vd_view v,
                           uint32_t elem_bytes);

#endif
