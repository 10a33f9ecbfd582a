#include "graph/build_amap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

vd_dtype vd_wide_dtype(vd_wide wide) { return wide == VD_WIDE_DF64 ? VD_DTYPE_DF64 : VD_DTYPE_F64; }

static bool vd_is_wide(const vd_tensor *t) { return t->dtype == VD_DTYPE_F64 || t->dtype == VD_DTYPE_DF64; }
static vd_wide vd_wide_of(const vd_tensor *t) { return t->dtype == VD_DTYPE_DF64 ? VD_WIDE_DF64 : VD_WIDE_F64; }

static vd_tensor_id vd_amap_bad(vd_graph *g, const char *name, const char *why) {
  char full[VD_NAME_LEN];
  vd_graph_scoped_name(g, name, full);
  return vd_graph_fail(g, vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: %s", full, why));
}

// A copy of a tensor's description (pointers into the graph go stale when it grows); NULL if absent.
static const vd_tensor *vd_amap_get(vd_graph *g, vd_tensor_id t, vd_tensor *copy) {
  const vd_tensor *x = t == VD_NO_TENSOR ? NULL : vd_graph_get_tensor(g, t);
  if (!x) return NULL;
  *copy = *x;
  return copy;
}

// Appends a node producing `out` (n_out tensors); returns out[0] or VD_NO_TENSOR.
static vd_tensor_id vd_amap_node(vd_graph *g, const char *name, const char *op, vd_node_record_fn fn,
                                 const void *params, size_t size, const vd_tensor_id *in, uint32_t n_in,
                                 const vd_tensor_id *out, uint32_t n_out) {
  for (uint32_t i = 0; i < n_out; ++i)
    if (out[i] == VD_NO_TENSOR) return VD_NO_TENSOR;
  return vd_graph_node(g, name, op, fn, params, size, in, n_in, out, n_out, 0) ? VD_NO_TENSOR : out[0];
}

// A scoped tensor "<name><suffix>".
static vd_tensor_id vd_amap_tensor(vd_graph *g, const char *name, const char *suffix, vd_dtype dtype, uint32_t rank,
                                   const int64_t *shape) {
  char local[VD_NAME_LEN];
  snprintf(local, sizeof(local), "%.100s%.20s", name, suffix);
  return vd_graph_tensor(g, local, dtype, rank, shape);
}

// ---- 1 - cos ----------------------------------------------------------------------------------

static vd_status rec_amap_cosine(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  return vd_op_amap_cosine(env, (const vd_amap_cosine_params *)n->params, io[0], io[1], io[2]);
}

vd_tensor_id vd_b_amap_cosine(vd_graph *g, const char *name, vd_tensor_id a, vd_tensor_id b) {
  vd_tensor ca, cb;
  const vd_tensor *ta = vd_amap_get(g, a, &ca), *tb = vd_amap_get(g, b, &cb);
  if (!ta || !tb) return VD_NO_TENSOR;
  bool same = ta->rank == 4 && tb->rank == 4 && ta->dtype == tb->dtype;
  for (uint32_t i = 0; same && i < 4; ++i) same = ta->shape[i] == tb->shape[i];
  if (!same) return vd_amap_bad(g, name, "1 - cos needs two [N, C, h, w] tensors of one shape and dtype");
  vd_amap_cosine_params p = {(uint32_t)ta->shape[0], (uint32_t)ta->shape[1],
                             (uint32_t)(ta->shape[2] * ta->shape[3]), 1e-8f, 0};
  int64_t ys[3] = {ta->shape[0], ta->shape[2], ta->shape[3]};
  vd_tensor_id in[2] = {a, b}, out[1] = {vd_amap_tensor(g, name, "", VD_DTYPE_F32, 3, ys)};
  return vd_amap_node(g, name, "amap_cosine", rec_amap_cosine, &p, sizeof p, in, 2, out, 1);
}

// ---- up-sampling into the sum -----------------------------------------------------------------

static vd_status rec_amap_upsample(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  const vd_amap_upsample_params *p = (const vd_amap_upsample_params *)n->params;
  return vd_op_amap_upsample(env, p, io[0], io[1], p->first ? (vd_view){0} : io[2], io[3]);
}

// The coefficient table of one level size -> image size, shared by every level of that size.
static vd_tensor_id vd_amap_coef(vd_graph *g, uint32_t h, uint32_t w, uint32_t oh, uint32_t ow) {
  float *coef = malloc(16 * ((size_t)oh + ow));
  if (!coef) return vd_graph_fail(g, vd_status_make(VD_ERR_OUT_OF_MEMORY, "bilinear coefficients"));
  vd_amap_bilinear_coef(h, oh, coef);
  vd_amap_bilinear_coef(w, ow, coef + 4 * (size_t)oh);
  char cname[96];
  snprintf(cname, sizeof(cname), "amap_bilinear_%ux%u_to_%ux%u", h, w, oh, ow);
  int64_t shape[2] = {(int64_t)oh + ow, 4};
  vd_tensor_id t = vd_graph_constant(g, cname, VD_DTYPE_F32, 2, shape, coef);
  free(coef);
  return t;
}

vd_tensor_id vd_b_amap_upsample_add(vd_graph *g, const char *name, vd_wide wide, vd_tensor_id level,
                                    vd_tensor_id prev, uint32_t oh, uint32_t ow) {
  vd_tensor cl, cp;
  const vd_tensor *tl = vd_amap_get(g, level, &cl), *tp = vd_amap_get(g, prev, &cp);
  if (!tl || (prev != VD_NO_TENSOR && !tp)) return VD_NO_TENSOR;
  if (tl->rank != 3 || tl->dtype != VD_DTYPE_F32 || !oh || !ow)
    return vd_amap_bad(g, name, "up-sampling needs an fp32 [N, h, w] map and a non-empty size");
  int64_t ss[3] = {tl->shape[0], oh, ow};
  if (tp && (tp->dtype != vd_wide_dtype(wide) || tp->rank != 3 || tp->shape[0] != ss[0] || tp->shape[1] != oh ||
             tp->shape[2] != ow))
    return vd_amap_bad(g, name, "the running sum differs in shape or representation");
  vd_amap_upsample_params p = {wide, (uint32_t)tl->shape[0], (uint32_t)tl->shape[1], (uint32_t)tl->shape[2],
                               oh, ow, prev == VD_NO_TENSOR};
  vd_tensor_id in[3] = {level, vd_amap_coef(g, p.h, p.w, oh, ow), prev};
  vd_tensor_id out[1] = {vd_amap_tensor(g, name, "", vd_wide_dtype(wide), 3, ss)};
  if (in[1] == VD_NO_TENSOR) return VD_NO_TENSOR;
  return vd_amap_node(g, name, "amap_upsample", rec_amap_upsample, &p, sizeof p, in, 3, out, 1);
}

// ---- Gaussian ---------------------------------------------------------------------------------

static vd_status rec_blur_wide(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  return vd_op_blur_wide(env, (const vd_blur_wide_params *)n->params, io[0], io[1], io[4], io[2], io[3]);
}

// The radius + 1 weights as a constant of the wide representation.
static vd_tensor_id vd_amap_gauss(vd_graph *g, vd_wide wide, double sigma, uint32_t radius) {
  double *wts = malloc(8 * ((size_t)radius + 1));
  if (!wts) return vd_graph_fail(g, vd_status_make(VD_ERR_OUT_OF_MEMORY, "Gaussian weights"));
  vd_amap_gauss_weights(sigma, radius, wts);
  if (wide == VD_WIDE_DF64)  // in place: double k becomes pair k
    for (uint32_t k = 0; k <= radius; ++k) {
      float pair[2];
      vd_df64_from_double(wts[k], pair);
      memcpy((char *)wts + 8 * (size_t)k, pair, 8);
    }
  char cname[96];
  snprintf(cname, sizeof(cname), "gauss_sigma%.17g_radius%u_%s", sigma, radius, vd_wide_name(wide));
  int64_t shape[1] = {(int64_t)radius + 1};
  vd_tensor_id t = vd_graph_constant(g, cname, vd_wide_dtype(wide), 1, shape, wts);
  free(wts);
  return t;
}

vd_tensor_id vd_b_blur_wide(vd_graph *g, const char *name, vd_tensor_id x, double sigma, double truncate,
                            vd_tensor_id *out_map) {
  vd_tensor cx;
  const vd_tensor *tx = vd_amap_get(g, x, &cx);
  if (out_map) *out_map = VD_NO_TENSOR;
  if (!tx) return VD_NO_TENSOR;
  if (!vd_is_wide(tx) || tx->rank != 3 || !(sigma > 0) || !(truncate >= 0))
    return vd_amap_bad(g, name, "the wide blur needs a wide [N, H, W] map and sigma > 0");
  vd_blur_wide_params p = {vd_wide_of(tx), (uint32_t)tx->shape[0], (uint32_t)tx->shape[1], (uint32_t)tx->shape[2],
                           vd_amap_gauss_radius(sigma, truncate)};
  vd_tensor_id in[2] = {x, vd_amap_gauss(g, p.wide, sigma, p.radius)};
  vd_tensor_id out[3] = {vd_amap_tensor(g, name, "", tx->dtype, 3, tx->shape),
                         vd_amap_tensor(g, name, ".map", VD_DTYPE_F32, 3, tx->shape),
                         vd_amap_tensor(g, name, ".scratch", tx->dtype, 3, tx->shape)};
  if (in[1] == VD_NO_TENSOR) return VD_NO_TENSOR;
  vd_tensor_id y = vd_amap_node(g, name, "blur_wide", rec_blur_wide, &p, sizeof p, in, 2, out, 3);
  if (out_map && y != VD_NO_TENSOR) *out_map = out[1];
  return y;
}

// ---- pooling and max --------------------------------------------------------------------------

static vd_status rec_avgpool_wide(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  return vd_op_avgpool_wide(env, (const vd_avgpool_wide_params *)n->params, io[0], io[1]);
}

vd_tensor_id vd_b_avgpool_wide(vd_graph *g, const char *name, vd_tensor_id x, uint32_t k) {
  vd_tensor cx;
  const vd_tensor *tx = vd_amap_get(g, x, &cx);
  if (!tx) return VD_NO_TENSOR;
  if (!vd_is_wide(tx) || tx->rank != 3 || !k || tx->shape[1] < k || tx->shape[2] < k || (k & (k - 1)))
    return vd_amap_bad(g, name, "the wide average pool needs a wide [N, h, w] of at least k x k, k a power of two");
  vd_avgpool_wide_params p = {vd_wide_of(tx), (uint32_t)tx->shape[0], (uint32_t)tx->shape[1],
                              (uint32_t)tx->shape[2], k};
  int64_t ys[3] = {tx->shape[0], tx->shape[1] - k + 1, tx->shape[2] - k + 1};
  vd_tensor_id out[1] = {vd_amap_tensor(g, name, "", tx->dtype, 3, ys)};
  return vd_amap_node(g, name, "avgpool_wide", rec_avgpool_wide, &p, sizeof p, &x, 1, out, 1);
}

static vd_status rec_max_wide(const vd_op_env *env, const vd_node *n, const vd_view *io) {
  return vd_op_max_wide(env, (const vd_max_wide_params *)n->params, io[0], io[1]);
}

vd_tensor_id vd_b_max_wide(vd_graph *g, const char *name, vd_tensor_id x) {
  vd_tensor cx;
  const vd_tensor *tx = vd_amap_get(g, x, &cx);
  if (!tx) return VD_NO_TENSOR;
  if (!vd_is_wide(tx) || tx->rank < 2) return vd_amap_bad(g, name, "the wide max needs a wide [N, ...] tensor");
  vd_max_wide_params p = {vd_wide_of(tx), (uint32_t)tx->shape[0],
                          (uint32_t)(tx->bytes / 8 / (uint64_t)tx->shape[0])};
  int64_t ys[1] = {tx->shape[0]};
  vd_tensor_id out[1] = {vd_amap_tensor(g, name, "", tx->dtype, 1, ys)};
  return vd_amap_node(g, name, "max_wide", rec_max_wide, &p, sizeof p, &x, 1, out, 1);
}
