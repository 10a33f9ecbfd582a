// Split-K for matmul and conv2d (graph/op_gemm.h): the pure slice rule and plan, the scratch check,
// and the reduce pass that sums the fp32 partials into the output.
#include "graph/op_gemm.h"

#include "runtime/context.h"

#define VD_SPLIT_REDUCE_WG 256u

static uint32_t vd_div_up(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

uint32_t vd_gemm_split_choose(uint32_t m, uint32_t n, uint32_t k, uint32_t batch, uint32_t requested) {
  if (requested == 1 || !m || !n || !k) return 1;
  if (requested > 1) return requested;
  uint64_t tiles = (uint64_t)vd_div_up(m, VD_GEMM_SPLIT_TILE) * vd_div_up(n, VD_GEMM_SPLIT_TILE) * (batch ? batch : 1);
  if (tiles >= VD_GEMM_SPLIT_TARGET_GROUPS) return 1;
  uint32_t s = (uint32_t)((VD_GEMM_SPLIT_TARGET_GROUPS + tiles - 1) / tiles);
  uint32_t by_k = k / VD_GEMM_SPLIT_MIN_K;
  if (s > by_k) s = by_k;
  if (s > VD_GEMM_SPLIT_MAX) s = VD_GEMM_SPLIT_MAX;
  return s > 1 ? s : 1;
}

uint64_t vd_gemm_split_scratch_bytes(uint32_t slices, uint32_t m, uint32_t n, uint32_t batch) {
  if (slices <= 1) return 0;
  return (uint64_t)slices * (batch ? batch : 1) * m * n * 4u;
}

vd_gemm_split_plan vd_gemm_split_plan_make(uint32_t slices, uint32_t k, uint32_t bk) {
  if (slices <= 1 || !bk || k <= bk) return (vd_gemm_split_plan){1, k};
  uint32_t kslice = vd_div_up(vd_div_up(k, slices), bk) * bk;
  uint32_t used = vd_div_up(k, kslice);
  return used > 1 ? (vd_gemm_split_plan){used, kslice} : (vd_gemm_split_plan){1, k};
}

vd_status vd_gemm_check_scratch(const char *op, const vd_op_env *env, vd_view s, uint64_t bytes) {
  const vd_context *ctx = vd_kernels_context(env->kernels);
  uint64_t align = ctx->info->min_storage_buffer_offset_alignment ? ctx->info->min_storage_buffer_offset_alignment : 1;
  if (s.offset % align)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: scratch offset %llu is not a multiple of %llu", op,
                          (unsigned long long)s.offset, (unsigned long long)align);
  if (s.offset > s.buffer->size || bytes > s.buffer->size - s.offset)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: split-K scratch needs %llu bytes at offset %llu, buffer has %llu",
                          op, (unsigned long long)bytes, (unsigned long long)s.offset,
                          (unsigned long long)s.buffer->size);
  if (bytes / 4 > UINT32_MAX || bytes > ctx->policy.max_buffer_range)
    return vd_status_make(VD_ERR_LIMIT, "%s: split-K scratch of %llu bytes exceeds 32-bit indexing or "
                          "maxStorageBufferRange", op, (unsigned long long)bytes);
  return NULL;
}

vd_status vd_gemm_split_reduce(const char *op, const vd_op_env *env, const vd_gemm_split_out *o, uint32_t slices,
                               vd_view scratch, vd_view bias, vd_view residual, vd_view y) {
  vd_context *ctx = vd_kernels_context(env->kernels);
  uint32_t eb = vd_precision_bytes(env->precision);
  uint64_t total = (uint64_t)o->batch * o->m * o->n;
  bool has_bias = bias.buffer != NULL, has_res = residual.buffer != NULL;
  vd_binding bind[4] = {
      vd_gemm_binding(scratch, total * slices * 4u),
      vd_gemm_binding(has_bias ? bias : y, has_bias ? (uint64_t)(o->bias_rows ? o->m : o->n) * eb : eb),
      vd_gemm_binding(has_res ? residual : y, has_res ? o->y_elements * eb : eb),
      vd_gemm_binding(y, o->y_elements * eb),
  };
  vd_pipeline_desc desc = {.shader = "gemm_splitk_reduce", .precision = env->precision, .binding_count = 4,
                           .push_size = 6 * 4, .spec_count = 4,
                           .spec = {VD_SPLIT_REDUCE_WG, has_bias, has_res, o->bias_rows}};
  uint32_t push[6] = {o->m, o->n, o->batch, slices, o->ldc, o->stride_c};
  uint32_t groups[3];
  VD_RETURN_IF_ERROR(vd_groups_1d(ctx, total, VD_SPLIT_REDUCE_WG, groups));
  const vd_pipeline *pipe = NULL;
  VD_RETURN_IF_ERROR(vd_kernels_get(env->kernels, &desc, &pipe));
  vd_cmd_barrier(env->cmd);
  return vd_status_annotate(vd_cmd_dispatch(env->cmd, pipe, bind, 4, push, groups, env->label), "%s split-K reduce",
                            op);
}
