#include "graph/op_norm.h"

#include "runtime/context.h"

#define VD_NORM_PT 16u       // elements per invocation (shaders/common/norm_rows_body.glsl: PT)
#define VD_NORM_SMALL 1024u  // rows up to this length use 64-invocation workgroups

typedef struct vd_norm_plan {
  uint32_t wg;      // invocations per workgroup
  uint32_t chunks;  // chunks per row (1: one pass)
} vd_norm_plan;

static vd_norm_plan vd_norm_plan_of(uint64_t n) {
  vd_norm_plan plan = {n <= VD_NORM_SMALL ? 64u : 256u, 1};
  if (n > VD_NORM_CHUNK) plan.chunks = (uint32_t)((n + VD_NORM_CHUNK - 1) / VD_NORM_CHUNK);
  return plan;
}

uint64_t vd_norm_rows_scratch_bytes(uint32_t rows, uint64_t n) {
  vd_norm_plan plan = vd_norm_plan_of(n);
  return plan.chunks > 1 ? (uint64_t)rows * plan.chunks * 8u : 0;
}

static bool vd_norm_subgroup(const vd_op_env *env) {
  return vd_kernels_context(env->kernels)->policy.subgroup_arith;
}

const char *vd_norm_variant(const vd_op_env *env, uint64_t row_length) {
  bool sg = vd_norm_subgroup(env);
  if (vd_norm_plan_of(row_length).chunks > 1) return sg ? "norm_rows_sg/2-pass" : "norm_rows/2-pass";
  return sg ? "norm_rows_sg/1-pass" : "norm_rows/1-pass";
}

static vd_status vd_norm_check(const vd_op_env *env, const vd_norm_rows_desc *d, vd_view x, vd_view gamma,
                               vd_view beta, vd_view y, vd_view scratch) {
  if (!env || !env->kernels || !env->cmd) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: no op environment", d->op);
  if (d->rows == 0 || d->n == 0) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: empty shape", d->op);
  if ((uint64_t)d->rows * d->n > UINT32_MAX)
    return vd_status_make(VD_ERR_LIMIT, "%s: %llu elements exceed 2^32", d->op,
                          (unsigned long long)((uint64_t)d->rows * d->n));
  if (!x.buffer || !y.buffer) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: input or output missing", d->op);
  if (d->affine >= 1 && !gamma.buffer) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: gamma missing", d->op);
  if (d->affine == 2 && !beta.buffer) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: beta missing", d->op);
  uint64_t need = vd_norm_rows_scratch_bytes(d->rows, d->n);
  if (need && (!scratch.buffer || scratch.offset + need > scratch.buffer->size))
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: needs %llu bytes of scratch", d->op, (unsigned long long)need);
  return NULL;
}

static vd_status vd_norm_dispatch(const vd_op_env *env, const vd_norm_rows_desc *d, const vd_binding b[5],
                                  vd_norm_plan plan, uint32_t phase) {
  vd_context *ctx = vd_kernels_context(env->kernels);
  vd_pipeline_desc pd = {.shader = vd_norm_subgroup(env) ? "norm_rows_sg" : "norm_rows",
                         .precision = env->precision, .binding_count = 5, .push_size = 32, .spec_count = 6,
                         .spec = {plan.wg, (uint32_t)d->mode, d->affine, d->silu ? 1u : 0u, phase,
                                  d->groups ? 1u : 0u}};
  const vd_pipeline *pipe = NULL;
  VD_RETURN_IF_ERROR(vd_kernels_get(env->kernels, &pd, &pipe));
  struct {
    uint32_t rows, n, chunks, inner, groups, cpg;
    float eps;
    uint32_t pad;
  } push = {d->rows, (uint32_t)d->n, plan.chunks, d->inner ? d->inner : 1, d->groups ? d->groups : 1,
            d->cpg, d->eps, 0};
  uint32_t groups[3];
  VD_RETURN_IF_ERROR(vd_groups_1d(ctx, (uint64_t)d->rows * plan.chunks, 1, groups));
  return vd_status_annotate(vd_cmd_dispatch(env->cmd, pipe, b, 5, &push, groups, env->label), "%s", d->op);
}

vd_status vd_norm_rows_record(const vd_op_env *env, const vd_norm_rows_desc *d, vd_view x, vd_view gamma,
                              vd_view beta, vd_view y, vd_view scratch) {
  VD_RETURN_IF_ERROR(vd_norm_check(env, d, x, gamma, beta, y, scratch));
  uint64_t bytes = (uint64_t)d->rows * d->n * vd_precision_bytes(env->precision);
  uint64_t pbytes = d->param_count * vd_precision_bytes(env->precision);
  vd_norm_plan plan = vd_norm_plan_of(d->n);
  vd_binding xb = {x.buffer, x.offset, bytes}, yb = {y.buffer, y.offset, bytes};
  vd_binding gb = d->affine >= 1 ? (vd_binding){gamma.buffer, gamma.offset, pbytes} : xb;  // unused: x
  vd_binding bb = d->affine == 2 ? (vd_binding){beta.buffer, beta.offset, pbytes} : xb;
  if (plan.chunks == 1) {  // one pass; the partials binding is never accessed: alias the output
    vd_binding b[5] = {xb, gb, bb, yb, yb};
    return vd_norm_dispatch(env, d, b, plan, 0);
  }
  vd_binding sb = {scratch.buffer, scratch.offset, vd_norm_rows_scratch_bytes(d->rows, d->n)};
  vd_binding b[5] = {xb, gb, bb, yb, sb};
  VD_RETURN_IF_ERROR(vd_norm_dispatch(env, d, b, plan, 1));
  vd_cmd_barrier(env->cmd);
  return vd_norm_dispatch(env, d, b, plan, 2);
}

// --- group norm ---

static vd_norm_rows_desc vd_group_norm_desc(const vd_group_norm_params *p) {
  uint32_t g = p->groups ? p->groups : 1;
  uint64_t inner = (uint64_t)p->height * p->width;
  return (vd_norm_rows_desc){.op = "group_norm", .mode = VD_NORM_MEAN_VAR, .rows = p->batch * g,
                             .n = (uint64_t)(p->channels / g) * inner, .groups = g, .cpg = p->channels / g,
                             .inner = (uint32_t)inner, .affine = 2, .silu = p->silu, .eps = p->eps,
                             .param_count = p->channels};
}

uint64_t vd_group_norm_scratch_bytes(const vd_group_norm_params *p) {
  vd_norm_rows_desc d = vd_group_norm_desc(p);
  return vd_norm_rows_scratch_bytes(d.rows, d.n);
}

vd_status vd_op_group_norm(const vd_op_env *env, const vd_group_norm_params *p, vd_view x, vd_view gamma,
                           vd_view beta, vd_view y, vd_view scratch) {
  if (!p || p->groups == 0 || p->channels == 0 || p->channels % p->groups)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "group_norm: %u channels are not divisible into %u groups",
                          p ? p->channels : 0, p ? p->groups : 0);
  if ((uint64_t)p->height * p->width > UINT32_MAX)
    return vd_status_make(VD_ERR_LIMIT, "group_norm: %ux%u image too large", p->height, p->width);
  vd_norm_rows_desc d = vd_group_norm_desc(p);
  return vd_norm_rows_record(env, &d, x, gamma, beta, y, scratch);
}

uint64_t vd_group_norm_bytes(const vd_group_norm_params *p, vd_precision precision) {
  uint64_t e = (uint64_t)p->batch * p->channels * p->height * p->width;
  return (2 * e + 2ull * p->channels) * vd_precision_bytes(precision);
}

// --- layer norm ---

static vd_norm_rows_desc vd_layer_norm_desc(const vd_layer_norm_params *p, bool has_beta) {
  return (vd_norm_rows_desc){.op = "layer_norm", .mode = VD_NORM_MEAN_VAR, .rows = p->rows, .n = p->cols,
                             .affine = has_beta ? 2 : 1, .eps = p->eps, .param_count = p->cols};
}

uint64_t vd_layer_norm_scratch_bytes(const vd_layer_norm_params *p) {
  return vd_norm_rows_scratch_bytes(p->rows, p->cols);
}

vd_status vd_op_layer_norm(const vd_op_env *env, const vd_layer_norm_params *p, vd_view x, vd_view gamma,
                           vd_view beta, vd_view y, vd_view scratch) {
  if (!p) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "layer_norm: no parameters");
  vd_norm_rows_desc d = vd_layer_norm_desc(p, beta.buffer != NULL);
  return vd_norm_rows_record(env, &d, x, gamma, beta, y, scratch);
}

uint64_t vd_layer_norm_bytes(const vd_layer_norm_params *p, vd_precision precision) {
  return (2ull * p->rows * p->cols + 2ull * p->cols) * vd_precision_bytes(precision);
}

// --- RMS norm ---

uint64_t vd_rms_norm_scratch_bytes(const vd_rms_norm_params *p) { return vd_norm_rows_scratch_bytes(p->rows, p->cols); }

vd_status vd_op_rms_norm(const vd_op_env *env, const vd_rms_norm_params *p, vd_view x, vd_view gamma, vd_view y,
                         vd_view scratch) {
  if (!p) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "rms_norm: no parameters");
  vd_norm_rows_desc d = {.op = "rms_norm", .mode = VD_NORM_RMS, .rows = p->rows, .n = p->cols, .affine = 1,
                         .eps = p->eps, .param_count = p->cols};
  return vd_norm_rows_record(env, &d, x, gamma, (vd_view){0}, y, scratch);
}

uint64_t vd_rms_norm_bytes(const vd_rms_norm_params *p, vd_precision precision) {
  return (2ull * p->rows * p->cols + p->cols) * vd_precision_bytes(precision);
}

// --- instance norm ---

uint64_t vd_instance_norm_scratch_bytes(const vd_instance_norm_params *p) {
  return vd_norm_rows_scratch_bytes(p->batch * p->channels, (uint64_t)p->height * p->width);
}

vd_status vd_op_instance_norm(const vd_op_env *env, const vd_instance_norm_params *p, vd_view x, vd_view y,
                              vd_view scratch) {
  if (!p) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "instance_norm: no parameters");
  vd_norm_rows_desc d = {.op = "instance_norm", .mode = VD_NORM_MEAN_VAR, .rows = p->batch * p->channels,
                         .n = (uint64_t)p->height * p->width, .eps = p->eps};
  return vd_norm_rows_record(env, &d, x, (vd_view){0}, (vd_view){0}, y, scratch);
}

uint64_t vd_instance_norm_bytes(const vd_instance_norm_params *p, vd_precision precision) {
  return 2ull * p->batch * p->channels * p->height * p->width * vd_precision_bytes(precision);
}
