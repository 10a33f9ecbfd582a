#include "graph/op_attention.h"

#include <math.h>
#include <stdio.h>

#include "runtime/context.h"

#define VD_ATTENTION_WG 128u

typedef struct vd_attention_tiles {
  uint32_t bq, bk;  // queries per workgroup, keys per block (0: nothing fits)
} vd_attention_tiles;

static uint64_t vd_attention_shared_bytes(uint32_t d, vd_attention_tiles t) {
  return 4ull * ((uint64_t)t.bq * d + (uint64_t)t.bk * (d + 1) + (uint64_t)t.bk * d + (uint64_t)t.bq * (t.bk + 1));
}

// The largest tile whose shared-memory footprint fits the device (pure).
static vd_attention_tiles vd_attention_tiles_for(uint32_t d, uint32_t shared_bytes) {
  static const vd_attention_tiles order[] = {{32, 32}, {32, 16}, {16, 32}, {16, 16}, {16, 8}, {8, 8}};
  for (size_t i = 0; i < sizeof(order) / sizeof(*order); ++i)
    if (vd_attention_shared_bytes(d, order[i]) <= shared_bytes) return order[i];
  return (vd_attention_tiles){0, 0};
}

// Fills in the defaults (kv_heads, scale, strides).
static vd_attention_params vd_attention_resolved(const vd_attention_params *p) {
  vd_attention_params r = *p;
  if (!r.kv_heads) r.kv_heads = r.heads;
  if (r.scale == 0.0f) r.scale = (float)(1.0 / sqrt((double)r.head_dim));
  if (!r.q_stride) r.q_stride = r.heads * r.head_dim;
  if (!r.o_stride) r.o_stride = r.heads * r.head_dim;
  if (!r.k_stride) r.k_stride = r.kv_heads * r.head_dim;
  if (!r.v_stride) r.v_stride = r.kv_heads * r.head_dim;
  return r;
}

// Elements a tensor of `tokens` rows spans from its view: the last row's last used column + 1.
static uint64_t vd_attention_span(uint64_t tokens, uint32_t stride, uint32_t col, uint32_t width) {
  return (tokens - 1) * stride + col + width;
}

static vd_status vd_attention_check(const vd_op_env *env, const vd_attention_params *r, vd_view q, vd_view k,
                                    vd_view v, vd_view out) {
  if (!env || !env->kernels || !env->cmd) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "attention: no op environment");
  if (!r->batch || !r->q_len || !r->kv_len || !r->heads || !r->head_dim)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "attention: empty shape (B=%u Lq=%u Lk=%u H=%u D=%u)", r->batch,
                          r->q_len, r->kv_len, r->heads, r->head_dim);
  if (r->heads % r->kv_heads)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "attention: %u query heads not a multiple of %u key/value heads",
                          r->heads, r->kv_heads);
  if (r->head_dim > VD_ATTENTION_MAX_HEAD_DIM)
    return vd_status_make(VD_ERR_LIMIT, "attention: head dim %u above %u", r->head_dim, VD_ATTENTION_MAX_HEAD_DIM);
  uint64_t qw = (uint64_t)r->heads * r->head_dim, kw = (uint64_t)r->kv_heads * r->head_dim;
  if (r->q_col + qw > r->q_stride || r->o_col + qw > r->o_stride || r->k_col + kw > r->k_stride ||
      r->v_col + kw > r->v_stride)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "attention: heads overrun a token row (strides %u/%u/%u/%u)",
                          r->q_stride, r->k_stride, r->v_stride, r->o_stride);
  if ((uint64_t)r->batch * r->q_len * r->q_stride > UINT32_MAX || (uint64_t)r->batch * r->kv_len * r->k_stride > UINT32_MAX ||
      (uint64_t)r->batch * r->kv_len * r->v_stride > UINT32_MAX || (uint64_t)r->batch * r->q_len * r->o_stride > UINT32_MAX)
    return vd_status_make(VD_ERR_LIMIT, "attention: tensors exceed 2^32 elements");
  if (!q.buffer || !k.buffer || !v.buffer || !out.buffer)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "attention: a tensor is missing");
  return NULL;
}

uint64_t vd_attention_flops(const vd_attention_params *p) {
  uint64_t pairs = 0;
  for (uint32_t i = 0; i < p->q_len; ++i) {
    uint64_t visible = p->kv_len;
    if (p->causal && (uint64_t)p->offset + i + 1 < visible) visible = (uint64_t)p->offset + i + 1;
    pairs += visible;
  }
  return 4ull * p->batch * p->heads * p->head_dim * pairs;
}

const char *vd_attention_variant(const vd_op_env *env, const vd_attention_params *p) {
  static _Thread_local char name[64];
  vd_attention_tiles t = vd_attention_tiles_for(p->head_dim, vd_kernels_context(env->kernels)->policy.shared_memory_bytes);
  snprintf(name, sizeof name, "attention D=%u BQ=%u BK=%u%s", p->head_dim, t.bq, t.bk, p->causal ? " causal" : "");
  return name;
}

vd_status vd_op_attention(const vd_op_env *env, const vd_attention_params *p, vd_view q, vd_view k, vd_view v,
                          vd_view out) {
  if (!p) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "attention: no parameters");
  vd_attention_params r = vd_attention_resolved(p);
  VD_RETURN_IF_ERROR(vd_attention_check(env, &r, q, k, v, out));
  vd_context *ctx = vd_kernels_context(env->kernels);
  vd_attention_tiles t = vd_attention_tiles_for(r.head_dim, ctx->policy.shared_memory_bytes);
  if (!t.bq)
    return vd_status_make(VD_ERR_LIMIT, "attention: head dim %u needs more shared memory than the device's %u bytes",
                          r.head_dim, ctx->policy.shared_memory_bytes);
  uint32_t qt = (r.q_len + t.bq - 1) / t.bq;
  if (qt > ctx->info->max_workgroup_count[0] || r.heads > ctx->info->max_workgroup_count[1] ||
      r.batch > ctx->info->max_workgroup_count[2])
    return vd_status_make(VD_ERR_LIMIT, "attention: %u x %u x %u workgroups exceed the device limits", qt, r.heads,
                          r.batch);
  vd_pipeline_desc pd = {.shader = "attention", .precision = env->precision, .binding_count = 4, .push_size = 52,
                         .spec_count = 5, .spec = {VD_ATTENTION_WG, r.head_dim, t.bq, t.bk, r.causal ? 1u : 0u}};
  const vd_pipeline *pipe = NULL;
  VD_RETURN_IF_ERROR(vd_kernels_get(env->kernels, &pd, &pipe));
  uint32_t eb = vd_precision_bytes(env->precision);
  uint64_t qw = (uint64_t)r.heads * r.head_dim, kw = (uint64_t)r.kv_heads * r.head_dim;
  uint64_t bq = (uint64_t)r.batch * r.q_len, bk = (uint64_t)r.batch * r.kv_len;
  vd_binding b[4] = {{q.buffer, q.offset, vd_attention_span(bq, r.q_stride, r.q_col, (uint32_t)qw) * eb},
                     {k.buffer, k.offset, vd_attention_span(bk, r.k_stride, r.k_col, (uint32_t)kw) * eb},
                     {v.buffer, v.offset, vd_attention_span(bk, r.v_stride, r.v_col, (uint32_t)kw) * eb},
                     {out.buffer, out.offset, vd_attention_span(bq, r.o_stride, r.o_col, (uint32_t)qw) * eb}};
  struct {
    uint32_t lq, lk, kv_group, q_stride, k_stride, v_stride, o_stride, q_off, k_off, v_off, o_off, offset;
    float scale;
  } push = {r.q_len, r.kv_len, r.heads / r.kv_heads, r.q_stride, r.k_stride, r.v_stride, r.o_stride,
            r.q_col, r.k_col, r.v_col, r.o_col, r.offset, r.scale};
  uint32_t groups[3] = {qt, r.heads, r.batch};
  return vd_status_annotate(vd_cmd_dispatch(env->cmd, pipe, b, 4, &push, groups, env->label), "attention");
}
