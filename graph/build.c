#include "graph/build.h"

#include <stdio.h>
#include <string.h>

#include "graph/op_attention.h"
#include "graph/op_conv.h"
#include "graph/op_layout.h"
#include "graph/op_matmul.h"
#include "graph/op_misc.h"
#include "graph/op_norm.h"
#include "graph/op_softmax.h"

#include <math.h>

// Widest head the fused attention kernel is used for: its K/V tiles must fit shared memory on every
// device (32 KiB on lavapipe); wider single heads take the unfused path.
#define VD_ATTENTION_FUSED_MAX_D 256u
#include "runtime/cmd.h"

// ---- helpers -----------------------------------------------------------------------------------------

// Copies a tensor's description: pointers into the graph go stale when the graph grows.
static const vd_tensor *vd_t(vd_graph *g, vd_tensor_id t, vd_tensor *copy) {
  const vd_tensor *x = t == VD_NO_TENSOR ? NULL : vd_graph_get_tensor(g, t);
  if (!x) return NULL;
  *copy = *x;
  return copy;
}

static uint64_t vd_count(const vd_tensor *x) { return x->bytes / vd_dtype_size(x->dtype); }

static vd_tensor_id vd_bad(vd_graph *g, const char *node, const char *why) {
  char full[VD_NAME_LEN];
  vd_graph_scoped_name(g, node, full);
  return vd_graph_fail(g, vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: %s", full, why));
}

static vd_tensor_id vd_new(vd_graph *g, const char *name, const vd_tensor *like, uint32_t rank, const int64_t *shape) {
  return vd_graph_tensor(g, name, like ? like->dtype : vd_graph_float_dtype(g), rank, shape);
}

// A scratch output of `bytes` (f32 words), or VD_NO_TENSOR when no scratch is needed.
static vd_tensor_id vd_scratch(vd_graph *g, const char *name, uint64_t bytes) {
  if (!bytes) return VD_NO_TENSOR;
  char n[VD_NAME_LEN];
  snprintf(n, sizeof(n), "%.100s.scratch", name);
  int64_t words = (int64_t)((bytes + 3) / 4);
  return vd_graph_tensor(g, n, VD_DTYPE_F32, 1, &words);
}

// Adds a node with outputs {y, scratch?}; returns y (VD_NO_TENSOR on failure).
static vd_tensor_id vd_add_node(vd_graph *g, const char *name, const char *op, vd_node_record_fn fn, const void *params,
                            size_t size, const vd_tensor_id *in, uint32_t n_in, vd_tensor_id y, vd_tensor_id scratch,
                            uint64_t flops) {
  if (y == VD_NO_TENSOR) return VD_NO_TENSOR;
  vd_tensor_id out[2] = {y, scratch};
  vd_status st = vd_graph_node(g, name, op, fn, params, size, in, n_in, out, scratch == VD_NO_TENSOR ? 1 : 2, flops);
  return st ? VD_NO_TENSOR : y;
}

static vd_view vd_opt(const vd_view *io, uint32_t i, const vd_node *n) {
  return n->in[i] == VD_NO_TENSOR ? (vd_view){0} : io[i];
}

vd_tensor_id vd_b_param(vd_graph *g, const char *local, uint32_t rank, const int64_t *shape) {
  char full[VD_NAME_LEN];
  vd_graph_scope_push(g, "%s", local);
  vd_graph_scoped_name(g, "", full);
  vd_graph_scope_pop(g);
  return vd_graph_weight(g, full, rank, shape);
}

static vd_tensor_id vd_module_param(vd_graph *g, const char *module, const char *what, uint32_t rank,
                                    const int64_t *shape) {
  char local[VD_NAME_LEN];
  snprintf(local, sizeof(local), "%.100s.%.20s", module, what);
  return vd_b_param(g, local, rank, shape);
}

// ---- conv2d ------------------------------------------------------------------------------------------

// io: x, weight, bias?, residual?, y, split-K scratch (when the node has a second output).
static vd_status rec_conv(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  const vd_conv2d_params *p = (const vd_conv2d_params *)n->params;
  return vd_op_conv2d_split(env, p, io[0], io[1], vd_opt(io, 2, n), vd_opt(io, 3, n),
                            n->n_out > 1 ? io[5] : (vd_view){0}, io[4]);
}

vd_tensor_id vd_b_conv2d_pad(vd_graph *g, const char *module, vd_tensor_id x, uint32_t cout, uint32_t k, uint32_t s,
                             const uint32_t pad[4], bool bias, vd_tensor_id residual) {
  vd_tensor tx_c;
  const vd_tensor *tx = vd_t(g, x, &tx_c);
  if (!tx) return VD_NO_TENSOR;
  if (tx->rank != 4) return vd_bad(g, module, "conv2d input must be NCHW");
  vd_conv2d_params p = vd_conv2d_params_make((uint32_t)tx->shape[0], (uint32_t)tx->shape[1], (uint32_t)tx->shape[2],
                                             (uint32_t)tx->shape[3], cout, k, s, 0);
  p.pad_top = pad[0], p.pad_left = pad[1], p.pad_bottom = pad[2], p.pad_right = pad[3];
  int64_t wshape[4] = {cout, tx->shape[1], k, k}, bshape[1] = {cout};
  int64_t yshape[4] = {tx->shape[0], cout, vd_conv2d_out_h(&p), vd_conv2d_out_w(&p)};
  vd_tensor_id in[4] = {x, vd_module_param(g, module, "weight", 4, wshape),
                        bias ? vd_module_param(g, module, "bias", 1, bshape) : VD_NO_TENSOR, residual};
  if (residual != VD_NO_TENSOR) {
    vd_status st = vd_graph_expect_shape(g, residual, 4, yshape, module, "residual");
    if (st) return vd_graph_fail(g, st);
  }
  vd_tensor_id y = vd_new(g, module, tx, 4, yshape);
  // Split-K partials: the size is a pure function of the params (no device here), an upper bound.
  vd_tensor_id scratch = vd_scratch(g, module, vd_op_conv2d_scratch_bytes(NULL, &p));
  return vd_add_node(g, module, "conv2d", rec_conv, &p, sizeof(p), in, 4, y, scratch, vd_op_conv2d_flops(&p));
}

vd_tensor_id vd_b_conv2d(vd_graph *g, const char *module, vd_tensor_id x, uint32_t cout, uint32_t k, uint32_t s,
                         uint32_t pad, vd_tensor_id residual) {
  uint32_t p4[4] = {pad, pad, pad, pad};
  return vd_b_conv2d_pad(g, module, x, cout, k, s, p4, true, residual);
}

// ---- linear ------------------------------------------------------------------------------------------

// io: x, weight, bias?, residual?, y, split-K scratch (when the node has a second output).
static vd_status rec_linear(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  const vd_matmul_params *p = (const vd_matmul_params *)n->params;
  return vd_op_matmul_split(env, p, io[0], io[1], vd_opt(io, 2, n), vd_opt(io, 3, n),
                            n->n_out > 1 ? io[5] : (vd_view){0}, io[4]);
}

vd_tensor_id vd_b_linear(vd_graph *g, const char *module, vd_tensor_id x, uint32_t out, bool bias,
                         vd_tensor_id residual) {
  vd_tensor tx_c;
  const vd_tensor *tx = vd_t(g, x, &tx_c);
  if (!tx) return VD_NO_TENSOR;
  if (tx->rank < 2) return vd_bad(g, module, "linear input needs rank >= 2");
  int64_t in = tx->shape[tx->rank - 1], rows = (int64_t)(vd_count(tx) / (uint64_t)in);
  int64_t wshape[2] = {out, in}, bshape[1] = {out}, yshape[VD_MAX_RANK];
  memcpy(yshape, tx->shape, tx->rank * sizeof(int64_t));
  yshape[tx->rank - 1] = out;
  if (residual != VD_NO_TENSOR) {
    vd_status st = vd_graph_expect_shape(g, residual, tx->rank, yshape, module, "residual");
    if (st) return vd_graph_fail(g, st);
  }
  vd_matmul_params p = vd_matmul_params_dense(1, (uint32_t)rows, out, (uint32_t)in, VD_MATMUL_B_NK, false);
  vd_tensor_id inputs[4] = {x, vd_module_param(g, module, "weight", 2, wshape),
                            bias ? vd_module_param(g, module, "bias", 1, bshape) : VD_NO_TENSOR, residual};
  vd_tensor_id y = vd_new(g, module, tx, tx->rank, yshape);
  // Split-K partials: the size is a pure function of the params (no device here), an upper bound.
  vd_tensor_id scratch = vd_scratch(g, module, vd_op_matmul_scratch_bytes(NULL, &p));
  return vd_add_node(g, module, "linear", rec_linear, &p, sizeof(p), inputs, 4, y, scratch, vd_op_matmul_flops(&p));
}

// ---- norms -------------------------------------------------------------------------------------------

static vd_status rec_group_norm(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  const vd_group_norm_params *p = (const vd_group_norm_params *)n->params;
  return vd_op_group_norm(env, p, io[0], io[1], io[2], io[3], n->n_out > 1 ? io[4] : (vd_view){0});
}

vd_tensor_id vd_b_group_norm(vd_graph *g, const char *module, vd_tensor_id x, uint32_t groups, float eps, bool silu) {
  vd_tensor tx_c;
  const vd_tensor *tx = vd_t(g, x, &tx_c);
  if (!tx) return VD_NO_TENSOR;
  if (tx->rank != 4) return vd_bad(g, module, "group norm input must be NCHW");
  vd_group_norm_params p = {(uint32_t)tx->shape[0], (uint32_t)tx->shape[1], (uint32_t)tx->shape[2],
                            (uint32_t)tx->shape[3], groups, eps, silu};
  if (p.channels % groups) return vd_bad(g, module, "channels are not a multiple of the groups");
  int64_t c[1] = {tx->shape[1]};
  vd_tensor_id in[3] = {x, vd_module_param(g, module, "weight", 1, c), vd_module_param(g, module, "bias", 1, c)};
  vd_tensor_id y = vd_new(g, module, tx, 4, tx->shape);
  return vd_add_node(g, module, "group_norm", rec_group_norm, &p, sizeof(p), in, 3, y,
                 vd_scratch(g, module, vd_group_norm_scratch_bytes(&p)), 0);
}

static vd_status rec_layer_norm(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  const vd_layer_norm_params *p = (const vd_layer_norm_params *)n->params;
  return vd_op_layer_norm(env, p, io[0], io[1], io[2], io[3], n->n_out > 1 ? io[4] : (vd_view){0});
}

vd_tensor_id vd_b_layer_norm(vd_graph *g, const char *module, vd_tensor_id x, float eps) {
  vd_tensor tx_c;
  const vd_tensor *tx = vd_t(g, x, &tx_c);
  if (!tx) return VD_NO_TENSOR;
  int64_t cols = tx->shape[tx->rank - 1];
  vd_layer_norm_params p = {(uint32_t)(vd_count(tx) / (uint64_t)cols), (uint32_t)cols, eps};
  int64_t c[1] = {cols};
  vd_tensor_id in[3] = {x, vd_module_param(g, module, "weight", 1, c), vd_module_param(g, module, "bias", 1, c)};
  vd_tensor_id y = vd_new(g, module, tx, tx->rank, tx->shape);
  return vd_add_node(g, module, "layer_norm", rec_layer_norm, &p, sizeof(p), in, 3, y,
                 vd_scratch(g, module, vd_layer_norm_scratch_bytes(&p)), 0);
}

static vd_status rec_instance_norm(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  const vd_instance_norm_params *p = (const vd_instance_norm_params *)n->params;
  return vd_op_instance_norm(env, p, io[0], io[1], n->n_out > 1 ? io[2] : (vd_view){0});
}

vd_tensor_id vd_b_instance_norm(vd_graph *g, const char *name, vd_tensor_id x, float eps) {
  vd_tensor tx_c;
  const vd_tensor *tx = vd_t(g, x, &tx_c);
  if (!tx) return VD_NO_TENSOR;
  if (tx->rank != 4) return vd_bad(g, name, "instance norm input must be NCHW");
  vd_instance_norm_params p = {(uint32_t)tx->shape[0], (uint32_t)tx->shape[1], (uint32_t)tx->shape[2],
                               (uint32_t)tx->shape[3], eps};
  vd_tensor_id y = vd_new(g, name, tx, 4, tx->shape);
  return vd_add_node(g, name, "instance_norm", rec_instance_norm, &p, sizeof(p), &x, 1, y,
                 vd_scratch(g, name, vd_instance_norm_scratch_bytes(&p)), 0);
}

// ---- attention ---------------------------------------------------------------------------------------

static vd_status rec_attention(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  const vd_attention_params *p = (const vd_attention_params *)n->params;
  return vd_op_attention(env, p, io[0], io[1], io[2], io[3]);
}

typedef struct vd_bmm_params {
  vd_matmul_params mm;  // the product
} vd_bmm_params;

static vd_status rec_bmm(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  const vd_bmm_params *p = (const vd_bmm_params *)n->params;
  return vd_op_matmul(env, &p->mm, io[0], io[1], (vd_view){0}, (vd_view){0}, io[2]);
}

static vd_status rec_softmax(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  return vd_op_softmax(env, (const vd_softmax_params *)n->params, io[0], io[1], n->n_out > 1 ? io[2] : (vd_view){0});
}

// Single-head attention with a head too wide for the fused kernel's shared-memory tiles (the VAE's
// mid-block attention, D = 512): S = Q K^T, P = softmax(S / sqrt(D)), O = P V, with the scores
// materialised ([N, Lq, Lk], small at the sizes this is used for).
static vd_tensor_id vd_attention_unfused(vd_graph *g, const char *name, vd_tensor_id q, vd_tensor_id k,
                                         vd_tensor_id v, const vd_tensor *tq, const vd_tensor *tk) {
  uint32_t n = (uint32_t)tq->shape[0], lq = (uint32_t)tq->shape[1], lk = (uint32_t)tk->shape[1];
  uint32_t d = (uint32_t)tq->shape[2];
  char nm[VD_NAME_LEN];
  vd_bmm_params s = {vd_matmul_params_dense(n, lq, lk, d, VD_MATMUL_B_NK, true)};
  int64_t sshape[3] = {n, lq, lk};
  snprintf(nm, sizeof(nm), "%.100s.scores", name);
  vd_tensor_id in[2] = {q, k};
  vd_tensor_id scores = vd_add_node(g, nm, "matmul", rec_bmm, &s, sizeof(s), in, 2, vd_new(g, nm, tq, 3, sshape),
                                    VD_NO_TENSOR, vd_op_matmul_flops(&s.mm));
  snprintf(nm, sizeof(nm), "%.100s.scale", name);
  scores = vd_b_scale_add(g, nm, 1.0f / sqrtf((float)d), scores, 0.0f, scores);
  vd_softmax_params sp = {n * lq, lk};
  snprintf(nm, sizeof(nm), "%.100s.softmax", name);
  vd_tensor_id probs = vd_add_node(g, nm, "softmax", rec_softmax, &sp, sizeof(sp), &scores, 1,
                                   vd_new(g, nm, tq, 3, sshape), vd_scratch(g, nm, vd_softmax_scratch_bytes(&sp)), 0);
  vd_bmm_params o = {vd_matmul_params_dense(n, lq, d, lk, VD_MATMUL_B_KN, true)};
  vd_tensor_id in2[2] = {probs, v};
  return vd_add_node(g, name, "matmul", rec_bmm, &o, sizeof(o), in2, 2, vd_new(g, name, tq, 3, tq->shape),
                     VD_NO_TENSOR, vd_op_matmul_flops(&o.mm));
}

vd_tensor_id vd_b_attention(vd_graph *g, const char *name, vd_tensor_id q, vd_tensor_id k, vd_tensor_id v,
                            uint32_t heads, bool causal) {
  vd_tensor tq_c;
  const vd_tensor *tq = vd_t(g, q, &tq_c);
  vd_tensor tk_c;
  const vd_tensor *tk = vd_t(g, k, &tk_c);
  vd_tensor tv_c;
  const vd_tensor *tv = vd_t(g, v, &tv_c);
  if (!tq || !tk || !tv) return VD_NO_TENSOR;
  if (tq->rank != 3 || tk->rank != 3 || tv->rank != 3 || tq->shape[0] != tk->shape[0] ||
      tk->shape[1] != tv->shape[1] || tq->shape[2] != tk->shape[2] || tk->shape[2] != tv->shape[2] ||
      tq->shape[2] % heads)
    return vd_bad(g, name, "attention needs q [N, Lq, H*D], k and v [N, Lk, H*D]");
  if (heads == 1 && !causal && tq->shape[2] > VD_ATTENTION_FUSED_MAX_D)
    return vd_attention_unfused(g, name, q, k, v, tq, tk);
  vd_attention_params p = {.batch = (uint32_t)tq->shape[0], .q_len = (uint32_t)tq->shape[1],
                           .kv_len = (uint32_t)tk->shape[1], .heads = heads,
                           .head_dim = (uint32_t)(tq->shape[2] / heads), .causal = causal};
  vd_tensor_id in[3] = {q, k, v};
  vd_tensor_id y = vd_new(g, name, tq, 3, tq->shape);
  return vd_add_node(g, name, "attention", rec_attention, &p, sizeof(p), in, 3, y, VD_NO_TENSOR, vd_attention_flops(&p));
}

vd_tensor_id vd_b_attention_fused(vd_graph *g, const char *name, vd_tensor_id qkv, uint32_t heads) {
  vd_tensor t_c;
  const vd_tensor *t = vd_t(g, qkv, &t_c);
  if (!t) return VD_NO_TENSOR;
  if (t->rank != 3 || t->shape[2] % (3 * heads)) return vd_bad(g, name, "fused attention needs [N, L, 3*H*D]");
  uint32_t c = (uint32_t)(t->shape[2] / 3);
  vd_attention_params p = {.batch = (uint32_t)t->shape[0], .q_len = (uint32_t)t->shape[1],
                           .kv_len = (uint32_t)t->shape[1], .heads = heads, .head_dim = c / heads,
                           .q_stride = 3 * c, .k_stride = 3 * c, .v_stride = 3 * c, .q_col = 0, .k_col = c,
                           .v_col = 2 * c};
  vd_tensor_id in[3] = {qkv, qkv, qkv};
  int64_t yshape[3] = {t->shape[0], t->shape[1], c};
  vd_tensor_id y = vd_new(g, name, t, 3, yshape);
  return vd_add_node(g, name, "attention", rec_attention, &p, sizeof(p), in, 3, y, VD_NO_TENSOR, vd_attention_flops(&p));
}

// ---- elementwise -------------------------------------------------------------------------------------

typedef struct vd_act_params {
  vd_activation kind;
  uint64_t n;
} vd_act_params;

static vd_status rec_act(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  const vd_act_params *p = (const vd_act_params *)n->params;
  return vd_op_activation(env, p->kind, p->n, io[0], io[1]);
}

vd_tensor_id vd_b_act(vd_graph *g, const char *name, vd_tensor_id x, vd_activation kind) {
  vd_tensor tx_c;
  const vd_tensor *tx = vd_t(g, x, &tx_c);
  if (!tx) return VD_NO_TENSOR;
  vd_act_params p = {kind, vd_count(tx)};
  vd_tensor_id y = vd_new(g, name, tx, tx->rank, tx->shape);
  return vd_add_node(g, name, vd_activation_name(kind), rec_act, &p, sizeof(p), &x, 1, y, VD_NO_TENSOR, 0);
}

static vd_status rec_geglu(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  return vd_op_gate_fused(env, (const vd_gate_params *)n->params, io[0], io[1]);
}

vd_tensor_id vd_b_geglu(vd_graph *g, const char *name, vd_tensor_id x) {
  vd_tensor tx_c;
  const vd_tensor *tx = vd_t(g, x, &tx_c);
  if (!tx) return VD_NO_TENSOR;
  int64_t two_f = tx->shape[tx->rank - 1];
  if (two_f % 2) return vd_bad(g, name, "GEGLU needs an even last dimension");
  vd_gate_params p = {VD_GATE_GEGLU, (uint32_t)(vd_count(tx) / (uint64_t)two_f), (uint32_t)(two_f / 2), false};
  int64_t yshape[VD_MAX_RANK];
  memcpy(yshape, tx->shape, tx->rank * sizeof(int64_t));
  yshape[tx->rank - 1] = two_f / 2;
  vd_tensor_id y = vd_new(g, name, tx, tx->rank, yshape);
  return vd_add_node(g, name, "geglu", rec_geglu, &p, sizeof(p), &x, 1, y, VD_NO_TENSOR, 0);
}

static vd_status rec_binary(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  return vd_op_binary(env, (const vd_binary_params *)n->params, io[0], io[1], io[2]);
}

vd_tensor_id vd_b_add(vd_graph *g, const char *name, vd_tensor_id a, vd_tensor_id b) {
  vd_tensor ta_c;
  const vd_tensor *ta = vd_t(g, a, &ta_c);
  vd_tensor tb_c;
  const vd_tensor *tb = vd_t(g, b, &tb_c);
  if (!ta || !tb) return VD_NO_TENSOR;
  if (ta->rank > 4 || tb->rank > 4) return vd_bad(g, name, "add supports rank <= 4");
  vd_binary_params p = {VD_BINARY_ADD, ta->rank, tb->rank, {0}, {0}};
  for (uint32_t i = 0; i < ta->rank; ++i) p.a_shape[i] = (uint32_t)ta->shape[i];
  for (uint32_t i = 0; i < tb->rank; ++i) p.b_shape[i] = (uint32_t)tb->shape[i];
  uint32_t out4[4];
  uint64_t count = 0;
  vd_status st = vd_binary_out_shape(&p, out4, &count);
  if (st) return vd_graph_fail(g, vd_status_annotate(st, "%s", name));
  uint32_t rank = ta->rank > tb->rank ? ta->rank : tb->rank;
  int64_t yshape[4];
  for (uint32_t i = 0; i < rank; ++i) yshape[i] = out4[4 - rank + i];
  vd_tensor_id in[2] = {a, b};
  vd_tensor_id y = vd_new(g, name, ta, rank, yshape);
  return vd_add_node(g, name, "add", rec_binary, &p, sizeof(p), in, 2, y, VD_NO_TENSOR, 0);
}

typedef struct vd_scale_add_params {
  uint64_t n;
  float alpha, beta;
} vd_scale_add_params;

static vd_status rec_scale_add(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  const vd_scale_add_params *p = (const vd_scale_add_params *)n->params;
  return vd_op_scale_add(env, p->n, p->alpha, io[0], p->beta, io[1], io[2]);
}

vd_tensor_id vd_b_scale_add(vd_graph *g, const char *name, float alpha, vd_tensor_id a, float beta, vd_tensor_id b) {
  vd_tensor ta_c;
  const vd_tensor *ta = vd_t(g, a, &ta_c);
  vd_tensor tb_c;
  const vd_tensor *tb = vd_t(g, b, &tb_c);
  if (!ta || !tb) return VD_NO_TENSOR;
  if (ta->bytes != tb->bytes) return vd_bad(g, name, "scale_add operands differ in size");
  vd_scale_add_params p = {vd_count(ta), alpha, beta};
  vd_tensor_id in[2] = {a, b};
  vd_tensor_id y = vd_new(g, name, ta, ta->rank, ta->shape);
  return vd_add_node(g, name, "scale_add", rec_scale_add, &p, sizeof(p), in, 2, y, VD_NO_TENSOR, 0);
}

vd_tensor_id vd_b_add_param(vd_graph *g, const char *name, vd_tensor_id x, const char *local) {
  vd_tensor tx_c;
  const vd_tensor *tx = vd_t(g, x, &tx_c);
  if (!tx) return VD_NO_TENSOR;
  if (tx->rank != 3) return vd_bad(g, name, "add_param needs [N, L, C]");
  int64_t shape[2] = {tx->shape[1], tx->shape[2]};
  return vd_b_add(g, name, x, vd_b_param(g, local, 2, shape));
}

// ---- layout ------------------------------------------------------------------------------------------

static vd_status rec_concat(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  return vd_op_concat(env, (const vd_concat_params *)n->params, io, io[2]);
}

vd_tensor_id vd_b_concat(vd_graph *g, const char *name, vd_tensor_id a, vd_tensor_id b) {
  vd_tensor ta_c;
  const vd_tensor *ta = vd_t(g, a, &ta_c);
  vd_tensor tb_c;
  const vd_tensor *tb = vd_t(g, b, &tb_c);
  if (!ta || !tb) return VD_NO_TENSOR;
  bool ok = ta->rank == tb->rank && ta->rank >= 2 && ta->shape[0] == tb->shape[0];
  for (uint32_t i = 2; ok && i < ta->rank; ++i) ok = ta->shape[i] == tb->shape[i];
  if (!ok) return vd_bad(g, name, "concat operands differ outside dim 1");
  vd_concat_params p = {.count = 2, .outer = (uint32_t)ta->shape[0]};
  p.inner = (uint32_t)(vd_count(ta) / (uint64_t)(ta->shape[0] * ta->shape[1]));
  p.sizes[0] = (uint32_t)ta->shape[1];
  p.sizes[1] = (uint32_t)tb->shape[1];
  int64_t yshape[VD_MAX_RANK];
  memcpy(yshape, ta->shape, ta->rank * sizeof(int64_t));
  yshape[1] = ta->shape[1] + tb->shape[1];
  vd_tensor_id in[2] = {a, b};
  vd_tensor_id y = vd_new(g, name, ta, ta->rank, yshape);
  return vd_add_node(g, name, "concat", rec_concat, &p, sizeof(p), in, 2, y, VD_NO_TENSOR, 0);
}

static vd_status rec_slice(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  return vd_op_slice(env, (const vd_slice_params *)n->params, io[0], io[1]);
}

vd_tensor_id vd_b_slice_channels(vd_graph *g, const char *name, vd_tensor_id x, uint32_t start, uint32_t len) {
  vd_tensor tx_c;
  const vd_tensor *tx = vd_t(g, x, &tx_c);
  if (!tx) return VD_NO_TENSOR;
  if (tx->rank < 2 || start + len > tx->shape[1] || !len) return vd_bad(g, name, "channel slice out of range");
  vd_slice_params p = {(uint32_t)tx->shape[0], (uint32_t)tx->shape[1], start, len,
                       (uint32_t)(vd_count(tx) / (uint64_t)(tx->shape[0] * tx->shape[1]))};
  int64_t yshape[VD_MAX_RANK];
  memcpy(yshape, tx->shape, tx->rank * sizeof(int64_t));
  yshape[1] = len;
  vd_tensor_id y = vd_new(g, name, tx, tx->rank, yshape);
  return vd_add_node(g, name, "slice", rec_slice, &p, sizeof(p), &x, 1, y, VD_NO_TENSOR, 0);
}

typedef struct vd_shape4 {
  uint32_t n, c, h, w;
} vd_shape4;

static vd_status rec_upsample(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  const vd_shape4 *s = (const vd_shape4 *)n->params;
  return vd_op_upsample_nearest2x(env, s->n, s->c, s->h, s->w, io[0], io[1]);
}

vd_tensor_id vd_b_upsample2x(vd_graph *g, const char *name, vd_tensor_id x) {
  vd_tensor tx_c;
  const vd_tensor *tx = vd_t(g, x, &tx_c);
  if (!tx) return VD_NO_TENSOR;
  if (tx->rank != 4) return vd_bad(g, name, "upsample input must be NCHW");
  vd_shape4 s = {(uint32_t)tx->shape[0], (uint32_t)tx->shape[1], (uint32_t)tx->shape[2], (uint32_t)tx->shape[3]};
  int64_t yshape[4] = {tx->shape[0], tx->shape[1], 2 * tx->shape[2], 2 * tx->shape[3]};
  vd_tensor_id y = vd_new(g, name, tx, 4, yshape);
  return vd_add_node(g, name, "upsample2x", rec_upsample, &s, sizeof(s), &x, 1, y, VD_NO_TENSOR, 0);
}

static vd_status rec_maxpool(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  return vd_op_maxpool(env, (const vd_maxpool_params *)n->params, io[0], io[1]);
}

vd_tensor_id vd_b_maxpool(vd_graph *g, const char *name, vd_tensor_id x, uint32_t k, uint32_t stride, uint32_t pad) {
  vd_tensor tx_c;
  const vd_tensor *tx = vd_t(g, x, &tx_c);
  if (!tx) return VD_NO_TENSOR;
  if (tx->rank != 4) return vd_bad(g, name, "maxpool input must be NCHW");
  vd_maxpool_params p = {(uint32_t)tx->shape[0], (uint32_t)tx->shape[1], (uint32_t)tx->shape[2],
                         (uint32_t)tx->shape[3], k, stride, pad};
  if (!k || !stride || 2 * pad > k || p.h + 2 * pad < k || p.w + 2 * pad < k)
    return vd_bad(g, name, "maxpool needs kernel, stride >= 1, pad <= kernel / 2 and a window inside the input");
  int64_t yshape[4] = {tx->shape[0], tx->shape[1], vd_maxpool_out_h(&p), vd_maxpool_out_w(&p)};
  vd_tensor_id y = vd_new(g, name, tx, 4, yshape);
  return vd_add_node(g, name, "maxpool", rec_maxpool, &p, sizeof(p), &x, 1, y, VD_NO_TENSOR, 0);
}

static vd_status rec_to_tokens(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  const vd_shape4 *s = (const vd_shape4 *)n->params;
  return vd_op_nchw_to_nhwc(env, s->n, s->c, s->h * s->w, io[0], io[1]);
}

static vd_status rec_from_tokens(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  const vd_shape4 *s = (const vd_shape4 *)n->params;
  return vd_op_nhwc_to_nchw(env, s->n, s->c, s->h * s->w, io[0], io[1]);
}

vd_tensor_id vd_b_to_tokens(vd_graph *g, const char *name, vd_tensor_id x) {
  vd_tensor tx_c;
  const vd_tensor *tx = vd_t(g, x, &tx_c);
  if (!tx) return VD_NO_TENSOR;
  if (tx->rank != 4) return vd_bad(g, name, "to_tokens input must be NCHW");
  vd_shape4 s = {(uint32_t)tx->shape[0], (uint32_t)tx->shape[1], (uint32_t)tx->shape[2], (uint32_t)tx->shape[3]};
  int64_t yshape[3] = {tx->shape[0], tx->shape[2] * tx->shape[3], tx->shape[1]};
  vd_tensor_id y = vd_new(g, name, tx, 3, yshape);
  return vd_add_node(g, name, "to_tokens", rec_to_tokens, &s, sizeof(s), &x, 1, y, VD_NO_TENSOR, 0);
}

vd_tensor_id vd_b_from_tokens(vd_graph *g, const char *name, vd_tensor_id x, uint32_t h, uint32_t w) {
  vd_tensor tx_c;
  const vd_tensor *tx = vd_t(g, x, &tx_c);
  if (!tx) return VD_NO_TENSOR;
  if (tx->rank != 3 || tx->shape[1] != (int64_t)h * w) return vd_bad(g, name, "from_tokens needs [N, H*W, C]");
  vd_shape4 s = {(uint32_t)tx->shape[0], (uint32_t)tx->shape[2], h, w};
  int64_t yshape[4] = {tx->shape[0], tx->shape[2], h, w};
  vd_tensor_id y = vd_new(g, name, tx, 4, yshape);
  return vd_add_node(g, name, "from_tokens", rec_from_tokens, &s, sizeof(s), &x, 1, y, VD_NO_TENSOR, 0);
}

// ---- embeddings --------------------------------------------------------------------------------------

static vd_status rec_timestep(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  return vd_op_timestep_embedding(env, (const vd_timestep_params *)n->params, io[0], io[1], io[2]);
}

vd_tensor_id vd_b_timestep_embedding(vd_graph *g, const char *name, vd_tensor_id t, uint32_t dim) {
  vd_tensor tt_c;
  const vd_tensor *tt = vd_t(g, t, &tt_c);
  if (!tt) return VD_NO_TENSOR;
  if (tt->rank != 1 || tt->dtype != VD_DTYPE_F32) return vd_bad(g, name, "timesteps must be f32 [N]");
  float freqs[2048];
  if (dim / 2 > 2048 || dim < 2) return vd_bad(g, name, "timestep embedding dim out of range");
  vd_timestep_freqs(dim, 10000.0, freqs);
  char cname[64];
  snprintf(cname, sizeof(cname), "timestep_freqs_%u", dim);
  int64_t fshape[1] = {dim / 2};
  vd_timestep_params p = {(uint32_t)tt->shape[0], dim, false};
  vd_tensor_id in[2] = {t, vd_graph_constant(g, cname, VD_DTYPE_F32, 1, fshape, freqs)};
  int64_t yshape[2] = {tt->shape[0], dim};
  vd_tensor_id y = vd_new(g, name, NULL, 2, yshape);
  return vd_add_node(g, name, "timestep_emb", rec_timestep, &p, sizeof(p), in, 2, y, VD_NO_TENSOR, 0);
}

typedef struct vd_embedding_params {
  uint32_t tokens, vocab, dim;
} vd_embedding_params;

static vd_status rec_embedding(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  const vd_embedding_params *p = (const vd_embedding_params *)n->params;
  return vd_op_embedding(env, p->tokens, p->vocab, p->dim, io[0], io[1], io[2]);
}

vd_tensor_id vd_b_embedding(vd_graph *g, const char *module, vd_tensor_id ids, uint32_t vocab, uint32_t dim) {
  vd_tensor ti_c;
  const vd_tensor *ti = vd_t(g, ids, &ti_c);
  if (!ti) return VD_NO_TENSOR;
  if (ti->dtype != VD_DTYPE_I32 || ti->rank != 2) return vd_bad(g, module, "token ids must be i32 [N, L]");
  vd_embedding_params p = {(uint32_t)vd_count(ti), vocab, dim};
  int64_t wshape[2] = {vocab, dim}, yshape[3] = {ti->shape[0], ti->shape[1], dim};
  vd_tensor_id in[2] = {ids, vd_module_param(g, module, "weight", 2, wshape)};
  vd_tensor_id y = vd_new(g, module, NULL, 3, yshape);
  return vd_add_node(g, module, "embedding", rec_embedding, &p, sizeof(p), in, 2, y, VD_NO_TENSOR, 0);
}

// ---- reshape -----------------------------------------------------------------------------------------

typedef struct vd_copy_params {
  uint64_t bytes;
} vd_copy_params;

static vd_status rec_copy(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  const vd_copy_params *p = (const vd_copy_params *)n->params;
  vd_cmd_copy(env->cmd, io[0].buffer, io[0].offset, io[1].buffer, io[1].offset, p->bytes);
  return NULL;
}

vd_tensor_id vd_b_reshape(vd_graph *g, const char *name, vd_tensor_id x, uint32_t rank, const int64_t *shape) {
  vd_tensor tx_c;
  const vd_tensor *tx = vd_t(g, x, &tx_c);
  if (!tx) return VD_NO_TENSOR;
  uint64_t count = 1;
  for (uint32_t i = 0; i < rank; ++i) count *= (uint64_t)shape[i];
  if (count != vd_count(tx)) return vd_bad(g, name, "reshape changes the element count");
  vd_copy_params p = {tx->bytes};
  vd_tensor_id y = vd_new(g, name, tx, rank, shape);
  return vd_add_node(g, name, "reshape", rec_copy, &p, sizeof(p), &x, 1, y, VD_NO_TENSOR, 0);
}

typedef struct vd_repeat_params {
  uint64_t bytes;   // one copy
  uint32_t copies;  // how many
} vd_repeat_params;

static vd_status rec_repeat(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  const vd_repeat_params *p = (const vd_repeat_params *)n->params;
  for (uint64_t i = 0; i < p->copies; ++i)
    vd_cmd_copy(env->cmd, io[0].buffer, io[0].offset, io[1].buffer, io[1].offset + i * p->bytes, p->bytes);
  return NULL;
}

vd_tensor_id vd_b_repeat_batch(vd_graph *g, const char *name, vd_tensor_id x, uint32_t n) {
  vd_tensor tx_c;
  const vd_tensor *tx = vd_t(g, x, &tx_c);
  if (!tx) return VD_NO_TENSOR;
  if (tx->rank < 1 || tx->shape[0] != 1 || n == 0) return vd_bad(g, name, "repeat_batch needs [1, ...] and n > 0");
  vd_repeat_params p = {tx->bytes, n};
  int64_t yshape[VD_MAX_RANK];
  memcpy(yshape, tx->shape, tx->rank * sizeof(int64_t));
  yshape[0] = n;
  vd_tensor_id y = vd_new(g, name, tx, tx->rank, yshape);
  return vd_add_node(g, name, "repeat", rec_repeat, &p, sizeof(p), &x, 1, y, VD_NO_TENSOR, 0);
}

// ---- resize ------------------------------------------------------------------------------------------

static vd_status rec_resize(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  return vd_op_resize(env, (const vd_resize_params *)n->params, io[0], io[1]);
}

vd_tensor_id vd_b_resize(vd_graph *g, const char *name, vd_tensor_id x, uint32_t out_h, uint32_t out_w, bool bicubic,
                         bool align_corners, double scale_h, double scale_w) {
  vd_tensor tx_c;
  const vd_tensor *tx = vd_t(g, x, &tx_c);
  if (!tx) return VD_NO_TENSOR;
  if (tx->rank != 4 || !out_h || !out_w) return vd_bad(g, name, "resize needs NCHW input and a non-empty size");
  vd_resize_params p = {bicubic ? VD_RESIZE_BICUBIC : VD_RESIZE_BILINEAR, align_corners, (uint32_t)tx->shape[0],
                        (uint32_t)tx->shape[1], (uint32_t)tx->shape[2], (uint32_t)tx->shape[3], out_h, out_w,
                        scale_h, scale_w};
  int64_t yshape[4] = {tx->shape[0], tx->shape[1], out_h, out_w};
  vd_tensor_id y = vd_new(g, name, tx, 4, yshape);
  return vd_add_node(g, name, vd_op_resize_variant(&p), rec_resize, &p, sizeof(p), &x, 1, y, VD_NO_TENSOR, 0);
}
