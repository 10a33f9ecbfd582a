#include "models/dino.h"

#include <math.h>

#include "graph/build.h"

// The trained grid side: pos_embed has 1 + G*G rows.
static uint32_t vd_dino_trained_grid(const vd_dino_config *c) { return (uint32_t)(c->img_size / c->patch_size); }

bool vd_dino_pos_resize(const vd_dino_config *c, uint32_t h, uint32_t w, double *out_scale_h, double *out_scale_w) {
  uint32_t grid = vd_dino_trained_grid(c), gh = h / (uint32_t)c->patch_size, gw = w / (uint32_t)c->patch_size;
  // interpolate_pos_encoding: `if npatch == N and w == h: return self.pos_embed`; then
  // scale_factor = ((h0 + 0.1) / sqrt(N), (w0 + 0.1) / sqrt(N)) in Python doubles.
  *out_scale_h = ((double)gh + 0.1) / sqrt((double)grid * grid);
  *out_scale_w = ((double)gw + 0.1) / sqrt((double)grid * grid);
  return !((uint64_t)gh * gw == (uint64_t)grid * grid && h == w);
}

// The position table for a gh x gw grid: [1, 1 + gh*gw, D].
static vd_tensor_id vd_dino_pos_table(vd_graph *g, const vd_dino_config *c, uint32_t h, uint32_t w) {
  uint32_t grid = vd_dino_trained_grid(c), d = (uint32_t)c->embed_dim;
  uint32_t gh = h / (uint32_t)c->patch_size, gw = w / (uint32_t)c->patch_size;
  int64_t shape[3] = {1, 1 + (int64_t)grid * grid, d};
  vd_tensor_id pos = vd_b_param(g, "pos_embed", 3, shape);
  double sh, sw;
  if (!vd_dino_pos_resize(c, h, w, &sh, &sw)) return pos;
  // F.interpolate's output size is floor(in * scale) (double); DINO asserts it equals the grid.
  if ((uint32_t)floor(grid * sh) != gh || (uint32_t)floor(grid * sw) != gw)
    return vd_graph_fail(g, vd_status_make(VD_ERR_INVALID_ARGUMENT, "dino: the %ux%u position grid does not "
                                           "resize to %ux%u", grid, grid, gh, gw));
  vd_tensor_id cls_pos = vd_b_slice_channels(g, "pos_embed_cls", pos, 0, 1);
  vd_tensor_id patch_pos = vd_b_slice_channels(g, "pos_embed_patches", pos, 1, grid * grid);
  patch_pos = vd_b_from_tokens(g, "pos_embed_grid", patch_pos, grid, grid);
  patch_pos = vd_b_resize(g, "pos_embed_resize", patch_pos, gh, gw, true, false, sh, sw);
  patch_pos = vd_b_to_tokens(g, "pos_embed_tokens", patch_pos);
  return vd_b_concat(g, "pos_embed_table", cls_pos, patch_pos);
}

static vd_tensor_id vd_dino_block(vd_graph *g, const vd_dino_config *c, int i, vd_tensor_id x) {
  uint32_t d = (uint32_t)c->embed_dim, hidden = (uint32_t)((float)d * c->mlp_ratio);
  vd_graph_scope_push(g, "blocks.%d", i);
  vd_tensor_id h = vd_b_layer_norm(g, "norm1", x, c->layer_norm_eps);
  h = vd_b_linear(g, "attn.qkv", h, 3 * d, true, VD_NO_TENSOR);
  h = vd_b_attention_fused(g, "attn.attention", h, (uint32_t)c->num_heads);
  x = vd_b_linear(g, "attn.proj", h, d, true, x);
  h = vd_b_layer_norm(g, "norm2", x, c->layer_norm_eps);
  h = vd_b_linear(g, "mlp.fc1", h, hidden, true, VD_NO_TENSOR);
  h = vd_b_act(g, "mlp.act", h, VD_ACT_GELU_ERF);
  x = vd_b_linear(g, "mlp.fc2", h, d, true, x);
  vd_graph_scope_pop(g);
  return x;
}

vd_status vd_dino_build(vd_graph *g, const vd_dino_config *c, vd_tensor_id image, vd_tensor_id *out) {
  *out = VD_NO_TENSOR;
  VD_RETURN_IF_ERROR(vd_dino_config_validate(c, "dino"));
  const vd_tensor *t = vd_graph_get_tensor(g, image);
  uint32_t p = (uint32_t)c->patch_size, d = (uint32_t)c->embed_dim;
  if (!t || t->rank != 4 || t->shape[1] != 3 || t->shape[2] % p || t->shape[3] % p || t->shape[2] < p ||
      t->shape[3] < p)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "dino: the image must be [N, 3, H, W] with H, W multiples of %u",
                          p);
  if (c->img_size % c->patch_size)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "dino: img_size %d is not a multiple of patch_size %d",
                          c->img_size, c->patch_size);
  uint32_t n = (uint32_t)t->shape[0], h = (uint32_t)t->shape[2], w = (uint32_t)t->shape[3];
  uint32_t gh = h / p, gw = w / p;
  vd_tensor_id x = vd_b_conv2d(g, "patch_embed.proj", image, d, p, p, 0, VD_NO_TENSOR);
  x = vd_b_to_tokens(g, "patch_embed.tokens", x);  // token t = row * gw + col
  int64_t cls_shape[3] = {1, 1, d};
  vd_tensor_id cls = vd_b_param(g, "cls_token", 3, cls_shape);
  if (n > 1) cls = vd_b_repeat_batch(g, "cls_tokens", cls, n);
  x = vd_b_concat(g, "tokens", cls, x);
  x = vd_b_add(g, "pos_add", x, vd_dino_pos_table(g, c, h, w));
  for (int i = 0; i < c->depth; ++i) x = vd_dino_block(g, c, i, x);
  x = vd_b_layer_norm(g, "norm", x, c->layer_norm_eps);
  x = vd_b_slice_channels(g, "patch_tokens", x, 1, gh * gw);  // drop CLS
  *out = vd_b_from_tokens(g, "features", x, gh, gw);
  return vd_graph_error(g);
}

vd_status vd_dino_build_graph(vd_graph *g, const vd_dino_config *c, uint32_t n, uint32_t h, uint32_t w) {
  int64_t s[4] = {n, 3, h, w};
  vd_tensor_id image = vd_graph_input(g, "image", vd_graph_float_dtype(g), 4, s), out = VD_NO_TENSOR;
  VD_RETURN_IF_ERROR(vd_dino_build(g, c, image, &out));
  vd_graph_output(g, out, "features");
  return vd_graph_error(g);
}
