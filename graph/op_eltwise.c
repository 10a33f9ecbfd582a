#include "graph/op_eltwise.h"

#include <stddef.h>

#include "runtime/status.h"

#define ELEM_WG 256u

static const char *const act_names[VD_ACT_COUNT] = {"silu", "gelu_erf", "gelu_tanh", "quick_gelu", "relu"};
static const char *const gate_names[VD_GATE_COUNT] = {"geglu", "swiglu", "geglu_tanh"};

const char *vd_activation_name(vd_activation kind) {
  return (unsigned)kind < VD_ACT_COUNT ? act_names[kind] : "unknown";
}

const char *vd_gate_name(vd_gate kind) { return (unsigned)kind < VD_GATE_COUNT ? gate_names[kind] : "unknown"; }

vd_status vd_elem_check_view(const char *op, const char *what, vd_view v, uint64_t bytes) {
  if (!v.buffer) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: %s is missing", op, what);
  if (v.offset > v.buffer->size || bytes > v.buffer->size - v.offset)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: %s needs %llu bytes at offset %llu, buffer has %llu", op,
                          what, (unsigned long long)bytes, (unsigned long long)v.offset,
                          (unsigned long long)v.buffer->size);
  return NULL;
}

vd_binding vd_elem_binding(vd_view v, uint64_t bytes) {
  uint64_t range = (bytes + 3) & ~(uint64_t)3;
  uint64_t room = v.buffer->size - v.offset;
  if (range > room) range = room;
  if (range == 0) range = room;
  return (vd_binding){v.buffer, v.offset, range};
}

vd_status vd_elem_dispatch(const vd_op_env *env, const char *shader, vd_precision precision,
                           const vd_binding *b, uint32_t nb, const void *push, uint32_t push_size,
                           const uint32_t *spec, uint32_t spec_count, const uint32_t groups[3]) {
  const vd_context *ctx = vd_kernels_context(env->kernels);
  for (uint32_t i = 0; i < nb; ++i)
    if (ctx->policy.max_buffer_range && b[i].range > ctx->policy.max_buffer_range)
      return vd_status_make(VD_ERR_LIMIT, "%s: binding %u spans %llu bytes, the device allows %llu per binding", shader,
                            i, (unsigned long long)b[i].range, (unsigned long long)ctx->policy.max_buffer_range);
  vd_pipeline_desc d = {.shader = shader, .precision = precision, .binding_count = nb, .push_size = push_size,
                        .spec_count = spec_count};
  for (uint32_t i = 0; i < spec_count; ++i) d.spec[i] = spec[i];
  const vd_pipeline *pipe = NULL;
  VD_RETURN_IF_ERROR(vd_kernels_get(env->kernels, &d, &pipe));
  return vd_cmd_dispatch(env->cmd, pipe, b, nb, push, groups, env->label);
}

vd_status vd_elem_groups(const vd_op_env *env, uint64_t n, uint32_t wg, uint32_t groups[3]) {
  return vd_groups_1d(vd_kernels_context(env->kernels), n, wg, groups);
}

static vd_status check_count(const char *op, uint64_t n) {
  if (n == 0 || n > UINT32_MAX)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: element count %llu outside 1..2^32-1", op,
                          (unsigned long long)n);
  return NULL;
}

// ---- activations ------------------------------------------------------------------------------

vd_status vd_op_activation(const vd_op_env *env, vd_activation kind, uint64_t n, vd_view x, vd_view y) {
  const char *op = "activation";
  if ((unsigned)kind >= VD_ACT_COUNT) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: unknown kind %d", op, kind);
  VD_RETURN_IF_ERROR(check_count(op, n));
  uint64_t bytes = n * vd_precision_bytes(env->precision);
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "x", x, bytes));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "y", y, bytes));
  vd_binding b[2] = {vd_elem_binding(x, bytes), vd_elem_binding(y, bytes)};
  uint32_t push = (uint32_t)n, spec = (uint32_t)kind, groups[3];
  VD_RETURN_IF_ERROR(vd_elem_groups(env, n, ELEM_WG, groups));
  return vd_elem_dispatch(env, "act", env->precision, b, 2, &push, 4, &spec, 1, groups);
}

uint64_t vd_op_activation_bytes(vd_precision precision, uint64_t n) { return 2 * n * vd_precision_bytes(precision); }

// ---- gated activations ------------------------------------------------------------------------

typedef struct gate_push {
  uint32_t n, f, v_offset, v_stride, g_offset, g_stride;
} gate_push;

static vd_status gate_check(const char *op, const vd_gate_params *p) {
  if (!p || (unsigned)p->kind >= VD_GATE_COUNT)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: missing params or unknown kind", op);
  if (p->rows == 0 || p->features == 0)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: empty shape %ux%u", op, p->rows, p->features);
  return check_count(op, 2ull * p->rows * p->features);
}

static vd_status gate_record(const vd_op_env *env, const vd_gate_params *p, vd_binding v, vd_binding g, vd_binding y,
                             const gate_push *push) {
  vd_binding b[3] = {v, g, y};
  uint32_t spec = (uint32_t)p->kind, groups[3];
  VD_RETURN_IF_ERROR(vd_elem_groups(env, push->n, ELEM_WG, groups));
  return vd_elem_dispatch(env, "gate", env->precision, b, 3, push, sizeof *push, &spec, 1, groups);
}

vd_status vd_op_gate_fused(const vd_op_env *env, const vd_gate_params *p, vd_view x, vd_view y) {
  const char *op = "gate_fused";
  VD_RETURN_IF_ERROR(gate_check(op, p));
  uint64_t es = vd_precision_bytes(env->precision), n = (uint64_t)p->rows * p->features;
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "x", x, 2 * n * es));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "y", y, n * es));
  uint32_t f = p->features;
  gate_push push = {(uint32_t)n, f, p->gate_first ? f : 0, 2 * f, p->gate_first ? 0 : f, 2 * f};
  vd_binding bx = vd_elem_binding(x, 2 * n * es);
  return gate_record(env, p, bx, bx, vd_elem_binding(y, n * es), &push);
}

vd_status vd_op_gate(const vd_op_env *env, const vd_gate_params *p, vd_view value, vd_view gate, vd_view y) {
  const char *op = "gate";
  VD_RETURN_IF_ERROR(gate_check(op, p));
  uint64_t es = vd_precision_bytes(env->precision), n = (uint64_t)p->rows * p->features;
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "value", value, n * es));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "gate", gate, n * es));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "y", y, n * es));
  gate_push push = {(uint32_t)n, p->features, 0, p->features, 0, p->features};
  return gate_record(env, p, vd_elem_binding(value, n * es), vd_elem_binding(gate, n * es),
                     vd_elem_binding(y, n * es), &push);
}

uint64_t vd_op_gate_bytes(vd_precision precision, const vd_gate_params *p) {
  return 3ull * p->rows * p->features * vd_precision_bytes(precision);
}

// ---- broadcasting binary ops ------------------------------------------------------------------

// Right-aligns a shape into 4 dims padded with leading 1s.
static void pad4(uint32_t rank, const uint32_t *shape, uint32_t out[4]) {
  for (uint32_t i = 0; i < 4; ++i) out[i] = 1;
  for (uint32_t i = 0; i < rank; ++i) out[4 - rank + i] = shape[i];
}

static uint64_t count_of(uint32_t rank, const uint32_t *shape) {
  uint64_t n = 1;
  for (uint32_t i = 0; i < rank; ++i) n *= shape[i];
  return n;
}

vd_status vd_binary_out_shape(const vd_binary_params *p, uint32_t out_shape[4], uint64_t *out_count) {
  if (!p || p->a_rank < 1 || p->a_rank > 4 || p->b_rank < 1 || p->b_rank > 4)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "binary: ranks must be 1..4");
  uint32_t a[4], b[4];
  pad4(p->a_rank, p->a_shape, a);
  pad4(p->b_rank, p->b_shape, b);
  uint64_t n = 1;
  for (int i = 0; i < 4; ++i) {
    if (a[i] == 0 || b[i] == 0) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "binary: zero-sized dimension");
    if (a[i] != b[i] && a[i] != 1 && b[i] != 1)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "binary: dimension %d does not broadcast (%u vs %u)", i, a[i],
                            b[i]);
    out_shape[i] = a[i] > b[i] ? a[i] : b[i];
    n *= out_shape[i];
  }
  *out_count = n;
  return NULL;
}

// Per output dim, the operand's element stride (0 where it broadcasts).
static void broadcast_strides(const uint32_t shape[4], uint32_t out[4]) {
  uint32_t s = 1;
  for (int i = 3; i >= 0; --i) {
    out[i] = shape[i] == 1 ? 0 : s;
    s *= shape[i];
  }
}

vd_status vd_op_binary(const vd_op_env *env, const vd_binary_params *p, vd_view a, vd_view b, vd_view y) {
  const char *op = p && p->op == VD_BINARY_MUL ? "binary mul" : "binary add";
  uint32_t shape[4];
  uint64_t n = 0;
  VD_RETURN_IF_ERROR(vd_binary_out_shape(p, shape, &n));
  if (p->op != VD_BINARY_ADD && p->op != VD_BINARY_MUL)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "binary: unknown op %d", p->op);
  VD_RETURN_IF_ERROR(check_count(op, n));
  uint64_t es = vd_precision_bytes(env->precision);
  uint64_t na = count_of(p->a_rank, p->a_shape), nb = count_of(p->b_rank, p->b_shape);
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "a", a, na * es));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "b", b, nb * es));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "y", y, n * es));
  struct {
    uint32_t shape[4], a_stride[4], b_stride[4], n;
  } push = {.n = (uint32_t)n};
  uint32_t a4[4], b4[4];
  pad4(p->a_rank, p->a_shape, a4);
  pad4(p->b_rank, p->b_shape, b4);
  for (int i = 0; i < 4; ++i) push.shape[i] = shape[i];
  broadcast_strides(a4, push.a_stride);
  broadcast_strides(b4, push.b_stride);
  vd_binding bind[3] = {vd_elem_binding(a, na * es), vd_elem_binding(b, nb * es), vd_elem_binding(y, n * es)};
  uint32_t spec = (uint32_t)p->op, groups[3];
  VD_RETURN_IF_ERROR(vd_elem_groups(env, n, ELEM_WG, groups));
  return vd_elem_dispatch(env, "binary", env->precision, bind, 3, &push, sizeof push, &spec, 1, groups);
}

uint64_t vd_op_binary_bytes(vd_precision precision, const vd_binary_params *p) {
  uint32_t shape[4];
  uint64_t n = 0;
  vd_status st = vd_binary_out_shape(p, shape, &n);
  if (st) {
    vd_status_free(st);
    return 0;
  }
  return (count_of(p->a_rank, p->a_shape) + count_of(p->b_rank, p->b_shape) + n) * vd_precision_bytes(precision);
}

// ---- scale and add ----------------------------------------------------------------------------

static vd_status scale_add_check(const vd_op_env *env, const char *op, uint64_t n, vd_view a, vd_view b, vd_view y,
                                 vd_binding bind[3]) {
  VD_RETURN_IF_ERROR(check_count(op, n));
  uint64_t bytes = n * vd_precision_bytes(env->precision);
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "a", a, bytes));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "b", b, bytes));
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "y", y, bytes));
  bind[0] = vd_elem_binding(a, bytes);
  bind[1] = vd_elem_binding(b, bytes);
  bind[2] = vd_elem_binding(y, bytes);
  return NULL;
}

vd_status vd_op_scale_add(const vd_op_env *env, uint64_t n, float alpha, vd_view a, float beta, vd_view b,
                          vd_view y) {
  vd_binding bind[3];
  VD_RETURN_IF_ERROR(scale_add_check(env, "scale_add", n, a, b, y, bind));
  struct {
    uint32_t n;
    float alpha, beta;
  } push = {(uint32_t)n, alpha, beta};
  uint32_t groups[3];
  VD_RETURN_IF_ERROR(vd_elem_groups(env, n, ELEM_WG, groups));
  return vd_elem_dispatch(env, "eltwise_scale_add", env->precision, bind, 3, &push, sizeof push, NULL, 0, groups);
}

vd_status vd_op_scale_add_dev(const vd_op_env *env, uint64_t n, vd_view coef, uint32_t index, vd_view a,
                              vd_view b, vd_view y) {
  const char *op = "scale_add_dev";
  vd_binding bind[4];
  VD_RETURN_IF_ERROR(scale_add_check(env, op, n, a, b, y, bind));
  uint64_t cbytes = (index + 2ull) * 4;
  VD_RETURN_IF_ERROR(vd_elem_check_view(op, "coef", coef, cbytes));
  bind[3] = vd_elem_binding(coef, cbytes);
  uint32_t push[2] = {(uint32_t)n, index}, groups[3];
  VD_RETURN_IF_ERROR(vd_elem_groups(env, n, ELEM_WG, groups));
  return vd_elem_dispatch(env, "eltwise_scale_add_dev", env->precision, bind, 4, push, sizeof push, NULL, 0, groups);
}

uint64_t vd_op_scale_add_bytes(vd_precision precision, uint64_t n) { return 3 * n * vd_precision_bytes(precision); }
