#include "models/vae.h"

#include <math.h>
#include <stdio.h>

#include "graph/build.h"

#define VD_VAE_EPS 1e-6f

static uint32_t vd_channels(vd_graph *g, vd_tensor_id x) {
  const vd_tensor *t = vd_graph_get_tensor(g, x);
  return t ? (uint32_t)t->shape[1] : 0;
}

// ResnetBlock without time embedding: conv2(silu(norm2(conv1(silu(norm1(x)))))) + shortcut(x).
static vd_tensor_id vd_vae_resblock(vd_graph *g, const char *m, vd_tensor_id x, uint32_t cout) {
  if (vd_graph_status(g) || !vd_graph_get_tensor(g, x)) return VD_NO_TENSOR;  // an earlier error stands
  char n[VD_NAME_LEN];
  vd_graph_scope_push(g, "%s", m);
  uint32_t cin = vd_channels(g, x);
  vd_tensor_id h = vd_b_group_norm(g, "norm1", x, 32, VD_VAE_EPS, true);
  h = vd_b_conv2d(g, "conv1", h, cout, 3, 1, 1, VD_NO_TENSOR);
  h = vd_b_group_norm(g, "norm2", h, 32, VD_VAE_EPS, true);
  vd_tensor_id skip = cin == cout ? x : vd_b_conv2d(g, "nin_shortcut", x, cout, 1, 1, 0, VD_NO_TENSOR);
  snprintf(n, sizeof(n), "conv2");
  h = vd_b_conv2d(g, n, h, cout, 3, 1, 1, skip);
  vd_graph_scope_pop(g);
  return h;
}

// Single-head self-attention over the H*W positions; out = x + proj_out(attention).
static vd_tensor_id vd_vae_attn(vd_graph *g, const char *m, vd_tensor_id x) {
  if (vd_graph_status(g) || !vd_graph_get_tensor(g, x)) return VD_NO_TENSOR;  // an earlier error stands
  const vd_tensor *t = vd_graph_get_tensor(g, x);
  if (!t) return VD_NO_TENSOR;
  uint32_t c = (uint32_t)t->shape[1], h = (uint32_t)t->shape[2], w = (uint32_t)t->shape[3];
  vd_graph_scope_push(g, "%s", m);
  vd_tensor_id n = vd_b_group_norm(g, "norm", x, 32, VD_VAE_EPS, false);
  vd_tensor_id q = vd_b_to_tokens(g, "q.tokens", vd_b_conv2d(g, "q", n, c, 1, 1, 0, VD_NO_TENSOR));
  vd_tensor_id k = vd_b_to_tokens(g, "k.tokens", vd_b_conv2d(g, "k", n, c, 1, 1, 0, VD_NO_TENSOR));
  vd_tensor_id v = vd_b_to_tokens(g, "v.tokens", vd_b_conv2d(g, "v", n, c, 1, 1, 0, VD_NO_TENSOR));
  vd_tensor_id o = vd_b_from_tokens(g, "attention.nchw", vd_b_attention(g, "attention", q, k, v, 1, false), h, w);
  vd_tensor_id y = vd_b_conv2d(g, "proj_out", o, c, 1, 1, 0, x);
  vd_graph_scope_pop(g);
  return y;
}

static bool vd_has(const vd_int_list *l, int v) {
  for (int i = 0; i < l->count; ++i)
    if (l->v[i] == v) return true;
  return false;
}

static vd_tensor_id vd_image_res(vd_graph *g, vd_tensor_id x) {
  const vd_tensor *t = vd_graph_get_tensor(g, x);
  return t ? (vd_tensor_id)t->shape[2] : 0;
}

vd_status vd_vae_encoder_build(vd_graph *g, const vd_vae_config *c, vd_tensor_id image, vd_tensor_id *out_mean,
                               vd_tensor_id *out_logvar) {
  vd_graph_scope_push(g, "encoder");
  vd_tensor_id h = vd_b_conv2d(g, "conv_in", image, (uint32_t)c->ch, 3, 1, 1, VD_NO_TENSOR);
  int levels = c->ch_mult.count;
  for (int i = 0; i < levels; ++i) {
    uint32_t cout = (uint32_t)(c->ch * c->ch_mult.v[i]);
    for (int j = 0; j < c->num_res_blocks; ++j) {
      char m[64];
      snprintf(m, sizeof(m), "down.%d.block.%d", i, j);
      h = vd_vae_resblock(g, m, h, cout);
      if (vd_has(&c->attn_resolutions, (int)vd_image_res(g, h))) {
        snprintf(m, sizeof(m), "down.%d.attn.%d", i, j);
        h = vd_vae_attn(g, m, h);
      }
    }
    if (i != levels - 1) {
      char m[64];
      snprintf(m, sizeof(m), "down.%d.downsample.conv", i);
      static const uint32_t pad[4] = {0, 0, 1, 1};  // top, left, bottom, right: F.pad(x, (0, 1, 0, 1))
      h = vd_b_conv2d_pad(g, m, h, vd_channels(g, h), 3, 2, pad, true, VD_NO_TENSOR);
    }
  }
  uint32_t mid = vd_channels(g, h);
  h = vd_vae_resblock(g, "mid.block_1", h, mid);
  h = vd_vae_attn(g, "mid.attn_1", h);
  h = vd_vae_resblock(g, "mid.block_2", h, mid);
  h = vd_b_group_norm(g, "norm_out", h, 32, VD_VAE_EPS, true);
  uint32_t zc = (uint32_t)(c->double_z ? 2 * c->z_channels : c->z_channels);
  h = vd_b_conv2d(g, "conv_out", h, zc, 3, 1, 1, VD_NO_TENSOR);
  vd_graph_scope_pop(g);
  vd_tensor_id moments = vd_b_conv2d(g, "quant_conv", h, (uint32_t)(2 * c->embed_dim), 1, 1, 0, VD_NO_TENSOR);
  *out_mean = vd_b_slice_channels(g, "moments.mean", moments, 0, (uint32_t)c->embed_dim);
  *out_logvar = vd_b_slice_channels(g, "moments.logvar", moments, (uint32_t)c->embed_dim, (uint32_t)c->embed_dim);
  return vd_graph_error(g);
}

vd_status vd_vae_decoder_build(vd_graph *g, const vd_vae_config *c, float scale_factor, vd_tensor_id z,
                               vd_tensor_id *out_image) {
  vd_tensor_id h = vd_b_scale_add(g, "unscale", 1.0f / scale_factor, z, 0.0f, z);
  h = vd_b_conv2d(g, "post_quant_conv", h, (uint32_t)c->z_channels, 1, 1, 0, VD_NO_TENSOR);
  vd_graph_scope_push(g, "decoder");
  int levels = c->ch_mult.count;
  uint32_t ch = (uint32_t)(c->ch * c->ch_mult.v[levels - 1]);
  h = vd_b_conv2d(g, "conv_in", h, ch, 3, 1, 1, VD_NO_TENSOR);
  h = vd_vae_resblock(g, "mid.block_1", h, ch);
  h = vd_vae_attn(g, "mid.attn_1", h);
  h = vd_vae_resblock(g, "mid.block_2", h, ch);
  for (int i = levels - 1; i >= 0; --i) {  // executed from the lowest resolution up
    uint32_t cout = (uint32_t)(c->ch * c->ch_mult.v[i]);
    for (int j = 0; j <= c->num_res_blocks; ++j) {
      char m[64];
      snprintf(m, sizeof(m), "up.%d.block.%d", i, j);
      h = vd_vae_resblock(g, m, h, cout);
      if (vd_has(&c->attn_resolutions, (int)vd_image_res(g, h))) {
        snprintf(m, sizeof(m), "up.%d.attn.%d", i, j);
        h = vd_vae_attn(g, m, h);
      }
    }
    if (i != 0) {
      char m[64], u[64];
      snprintf(u, sizeof(u), "up.%d.upsample", i);
      snprintf(m, sizeof(m), "up.%d.upsample.conv", i);
      h = vd_b_conv2d(g, m, vd_b_upsample2x(g, u, h), cout, 3, 1, 1, VD_NO_TENSOR);
    }
  }
  h = vd_b_group_norm(g, "norm_out", h, 32, VD_VAE_EPS, true);
  *out_image = vd_b_conv2d(g, "conv_out", h, (uint32_t)c->out_ch, 3, 1, 1, VD_NO_TENSOR);
  vd_graph_scope_pop(g);
  return vd_graph_error(g);
}
