#include "graph/op_rope.h"

#include <math.h>

#include "runtime/context.h"

uint64_t vd_rope_table_bytes(uint32_t positions, uint32_t head_dim) {
  return (uint64_t)positions * (head_dim / 2) * 2 * sizeof(float);
}

void vd_rope_table_fill(double theta, uint32_t head_dim, uint32_t positions, float *out) {
  uint32_t half = head_dim / 2;
  for (uint32_t i = 0; i < half; ++i) {
    double inv_freq = pow(theta, -2.0 * (double)i / (double)head_dim);
    for (uint32_t p = 0; p < positions; ++p) {
      double angle = (double)p * inv_freq;
      out[((uint64_t)p * half + i) * 2] = (float)cos(angle);
      out[((uint64_t)p * half + i) * 2 + 1] = (float)sin(angle);
    }
  }
}

static vd_status vd_rope_check(const vd_op_env *env, const vd_rope_params *p, vd_view x, vd_view table, vd_view y,
                               uint32_t xs, uint32_t ys) {
  if (!env || !env->kernels || !env->cmd) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "rope: no op environment");
  if (!p->batch || !p->seq_len || !p->heads || !p->head_dim || p->head_dim % 2)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "rope: bad shape (B=%u L=%u heads=%u D=%u; D must be even)",
                          p->batch, p->seq_len, p->heads, p->head_dim);
  if ((uint64_t)p->offset + p->seq_len > p->table_positions)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "rope: positions up to %llu but the table holds %u",
                          (unsigned long long)p->offset + p->seq_len, p->table_positions);
  uint64_t w = (uint64_t)p->heads * p->head_dim;
  if (p->x_col + w > xs || p->y_col + w > ys)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "rope: heads overrun a token row (strides %u, %u)", xs, ys);
  uint64_t tokens = (uint64_t)p->batch * p->seq_len;
  if (tokens * (xs > ys ? xs : ys) > UINT32_MAX ||
      (uint64_t)p->table_positions * p->head_dim > UINT32_MAX)
    return vd_status_make(VD_ERR_LIMIT, "rope: tensors exceed 2^32 elements");
  if (!x.buffer || !y.buffer || !table.buffer) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "rope: a tensor is missing");
  return NULL;
}

vd_status vd_op_rope(const vd_op_env *env, const vd_rope_params *p, vd_view x, vd_view table, vd_view y) {
  if (!p) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "rope: no parameters");
  uint32_t w = p->heads * p->head_dim;
  uint32_t xs = p->x_stride ? p->x_stride : w, ys = p->y_stride ? p->y_stride : w;
  VD_RETURN_IF_ERROR(vd_rope_check(env, p, x, table, y, xs, ys));
  vd_pipeline_desc pd = {.shader = "rope", .precision = env->precision, .binding_count = 3, .push_size = 36};
  const vd_pipeline *pipe = NULL;
  VD_RETURN_IF_ERROR(vd_kernels_get(env->kernels, &pd, &pipe));
  uint64_t tokens = (uint64_t)p->batch * p->seq_len, eb = vd_precision_bytes(env->precision);
  vd_binding b[3] = {{x.buffer, x.offset, ((tokens - 1) * xs + p->x_col + w) * eb},
                     {table.buffer, table.offset, vd_rope_table_bytes(p->table_positions, p->head_dim)},
                     {y.buffer, y.offset, ((tokens - 1) * ys + p->y_col + w) * eb}};
  uint32_t count = (uint32_t)(tokens * p->heads * (p->head_dim / 2));
  struct {
    uint32_t count, len, heads, half_dim, x_stride, x_col, y_stride, y_col, offset;
  } push = {count, p->seq_len, p->heads, p->head_dim / 2, xs, p->x_col, ys, p->y_col, p->offset};
  uint32_t groups[3];
  VD_RETURN_IF_ERROR(vd_groups_1d(vd_kernels_context(env->kernels), count, 256, groups));
  return vd_status_annotate(vd_cmd_dispatch(env->cmd, pipe, b, 3, &push, groups, env->label), "rope");
}

uint64_t vd_rope_bytes(const vd_rope_params *p, vd_precision precision) {
  uint64_t e = (uint64_t)p->batch * p->seq_len * p->heads * p->head_dim;
  return 2 * e * vd_precision_bytes(precision) + e * 4;  // x, y and the table entries read
}

const char *vd_rope_variant(const vd_op_env *env, const vd_rope_params *p) {
  (void)env, (void)p;
  return "rope (host cos/sin table)";
}
