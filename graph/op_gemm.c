#include "graph/op_gemm.h"

#include <string.h>

#include "runtime/context.h"

static vd_context *vd_env_ctx(const vd_op_env *env) { return vd_kernels_context(env->kernels); }

static const vd_gemm_tile vd_gemm_tiles[VD_GEMM_TILE_COUNT] = {
    [VD_GEMM_TILE_128X128] = {128, 128, 16, 8, 8, "portable 128x128x16 (8x8)"},
    [VD_GEMM_TILE_64X64] = {64, 64, 16, 4, 4, "portable 64x64x16 (4x4)"},
    [VD_GEMM_TILE_16X128] = {16, 128, 16, 1, 8, "portable 16x128x16 (1x8)"},
    [VD_GEMM_TILE_64X64_R8] = {64, 64, 16, 8, 8, "portable 64x64x16 (8x8)"},
};

const vd_gemm_tile *vd_gemm_tile_get(vd_gemm_tile_id id) {
  if (id <= VD_GEMM_TILE_AUTO || id >= VD_GEMM_TILE_COUNT) return NULL;
  return &vd_gemm_tiles[id];
}

vd_gemm_tile_id vd_gemm_tile_choose(const vd_policy *policy, uint32_t m, uint32_t n, uint32_t k, uint32_t batch) {
  (void)k;
  if (m <= 16) return VD_GEMM_TILE_16X128;
  // The 128x128 tile (8x8 per invocation) is not chosen automatically: on the H200 it ran at ~2.1 TFLOP/s
  // where 64x64 (4x4) reached ~15-16 TFLOP/s (vlmdiff bench --ops, conv 128->128 at 256x256 and the
  // 2048x2560x320 GEGLU GEMM), most likely from register pressure. It stays selectable by params.tile.
  (void)batch, (void)n;
  // Narrow subgroups mean CPU SIMD (lavapipe: 8 lanes), where shared-memory reads cost a gather each:
  // 8x8 register blocks halve them per multiply-add (measured ~1.4x faster than 4x4 on lavapipe).
  if (policy->subgroup_size < 16) return VD_GEMM_TILE_64X64_R8;
  return VD_GEMM_TILE_64X64;
}

bool vd_gemm_coopmat_available(const vd_op_env *env, const char *shader) {
  const vd_policy *pol = &vd_env_ctx(env)->policy;
  bool emulated = strstr(shader, "_cmemu") != NULL;
  return (emulated || (pol->coopmat && pol->coopmat_m)) && pol->fp16_arith && pol->subgroup_size &&
         vd_shader_find(shader, env->precision) != NULL;
}

const char *vd_gemm_coopmat_shader(const char *family, bool emulated) {
  if (strcmp(family, "conv2d") == 0) return emulated ? "conv2d_cmemu" : "conv2d_coopmat";
  return emulated ? "matmul_cmemu" : "matmul_coopmat";
}

vd_policy vd_gemm_coopmat_policy(const vd_context *ctx, bool emulated) {
  vd_policy pol = ctx->policy;
  if (emulated) {
    pol.coopmat_m = pol.coopmat_n = pol.coopmat_k = 16;
    pol.max_workgroup_invocations = 0;  // keeps the small layout
  }
  return pol;
}

// Shared memory of a coopmat layout (common/matmul_coopmat_core.glsl): fp16 A and B tiles plus fp32 scratch.
static uint32_t vd_coopmat_shared_bytes(const vd_policy *pol, uint32_t sg_m, uint32_t sg_n) {
  uint32_t bk = 2 * pol->coopmat_k;
  uint32_t tiles = (2 * sg_m * pol->coopmat_m + 2 * sg_n * pol->coopmat_n) * (bk + 8) * 2;
  return tiles + sg_m * sg_n * pol->coopmat_m * (pol->coopmat_n + 4) * 4;
}

uint32_t vd_gemm_coopmat_subgroup_size(const vd_context *ctx) {
  const vd_device_info *info = ctx->info;
  uint32_t sg = ctx->policy.subgroup_size;
  bool ok = info->subgroup_size_control && sg >= info->min_subgroup_size && sg <= info->max_subgroup_size;
  return ok ? sg : 0;
}

vd_gemm_coopmat_tile vd_gemm_coopmat_tile_choose(const vd_policy *pol, uint32_t m, uint32_t n, uint32_t batch) {
  if (!pol->coopmat_m || !pol->coopmat_n || !pol->coopmat_k) return (vd_gemm_coopmat_tile){0};
  vd_gemm_coopmat_tile small = {2, 2, 4 * pol->coopmat_m, 4 * pol->coopmat_n, 4 * pol->subgroup_size,
                                "coopmat 2x2 subgroups x 2x2 fragments"};
  vd_gemm_coopmat_tile large = {4, 4, 8 * pol->coopmat_m, 8 * pol->coopmat_n, 16 * pol->subgroup_size,
                                "coopmat 4x4 subgroups x 2x2 fragments"};
  uint64_t big_tiles = (uint64_t)((m + large.bm - 1) / large.bm) * ((n + large.bn - 1) / large.bn) * batch;
  bool fits = large.invocations <= pol->max_workgroup_invocations &&
              vd_coopmat_shared_bytes(pol, 4, 4) <= pol->shared_memory_bytes;
  return fits && big_tiles >= 128 ? large : small;
}

// 4 when every row and batch start of a matrix read along its contiguous dimension (length len, pitch
// ld, batch stride, view offset) is 4-element aligned, so the kernel may read 4-vectors; else 1.
uint32_t vd_gemm_vec_width(uint32_t len, uint32_t ld, uint64_t stride, uint32_t batch, vd_view v,
                                  uint32_t eb) {
  bool ok = len % 4 == 0 && ld % 4 == 0 && (batch == 1 || stride % 4 == 0) && v.offset % (4ull * eb) == 0;
  return ok ? 4u : 1u;
}

uint64_t vd_gemm_span(uint32_t batch, uint64_t stride, uint32_t rows, uint32_t ld, uint32_t cols) {
  return (uint64_t)(batch - 1) * stride + (uint64_t)(rows - 1) * ld + cols;
}

vd_status vd_gemm_check_views(const char *op, const vd_op_env *env, const vd_gemm_extent *ext, uint32_t n) {
  const vd_context *ctx = vd_env_ctx(env);
  uint32_t eb = vd_precision_bytes(env->precision);
  uint64_t align = ctx->info->min_storage_buffer_offset_alignment ? ctx->info->min_storage_buffer_offset_alignment : 1;
  for (uint32_t i = 0; i < n; ++i) {
    const vd_gemm_extent *e = &ext[i];
    if (!e->view.buffer) {
      if (e->required) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: %s is missing", op, e->name);
      continue;
    }
    uint64_t bytes = e->elements * eb;
    if (e->view.offset % align)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: %s offset %llu is not a multiple of %llu", op, e->name,
                            (unsigned long long)e->view.offset, (unsigned long long)align);
    if (e->view.offset > e->view.buffer->size || bytes > e->view.buffer->size - e->view.offset)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: %s needs %llu bytes at offset %llu, buffer has %llu", op,
                            e->name, (unsigned long long)bytes, (unsigned long long)e->view.offset,
                            (unsigned long long)e->view.buffer->size);
    if (e->elements > UINT32_MAX)
      return vd_status_make(VD_ERR_LIMIT, "%s: %s spans %llu elements (32-bit indexing)", op, e->name,
                            (unsigned long long)e->elements);
    if (bytes > ctx->policy.max_buffer_range)
      return vd_status_make(VD_ERR_LIMIT, "%s: %s spans %llu bytes, over maxStorageBufferRange %llu", op, e->name,
                            (unsigned long long)bytes, (unsigned long long)ctx->policy.max_buffer_range);
  }
  return NULL;
}

vd_status vd_gemm_check_groups(const char *op, const vd_context *ctx, const uint32_t groups[3]) {
  for (int i = 0; i < 3; ++i)
    if (groups[i] > ctx->info->max_workgroup_count[i])
      return vd_status_make(VD_ERR_LIMIT, "%s: %u workgroups along %c exceed maxComputeWorkGroupCount %u", op,
                            groups[i], "xyz"[i], ctx->info->max_workgroup_count[i]);
  return NULL;
}

vd_binding vd_gemm_binding(vd_view view, uint64_t bytes) {
  uint64_t range = (bytes + 3) & ~3ull;
  uint64_t left = view.buffer->size - view.offset;
  if (range > left) range = left;
  return (vd_binding){view.buffer, view.offset, range};
}
