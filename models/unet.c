#include "models/unet.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "graph/build.h"

#define VD_UNET_MAX_BLOCKS 32
#define VD_GN_EPS 1e-5f  // GroupNorm32 in ResBlocks and the UNet's out
#define VD_ST_EPS 1e-6f  // GroupNorm in SpatialTransformer
#define VD_LN_EPS 1e-5f

typedef struct vd_unet_ctx {
  vd_graph *g;
  const vd_unet_config *c;
  vd_tensor_id emb_silu;  // SiLU(time_embed(timestep_embedding(t))) [N, 4C], shared by the ResBlocks
  vd_tensor_id context;   // [N, L, context_dim]
} vd_unet_ctx;

// Records a config error in the graph and returns a copy of the graph's (first) error.
static vd_status vd_unet_error(vd_graph *g, const char *fmt, ...) VD_PRINTF(2, 3);
static vd_status vd_unet_error(vd_graph *g, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vd_graph_fail(g, vd_status_makev(VD_ERR_INVALID_ARGUMENT, fmt, ap));
  va_end(ap);
  return vd_graph_error(g);
}

static const vd_tensor *vd_tt(vd_graph *g, vd_tensor_id x) { return vd_graph_get_tensor(g, x); }
static uint32_t vd_ch(vd_graph *g, vd_tensor_id x) { return vd_tt(g, x) ? (uint32_t)vd_tt(g, x)->shape[1] : 0; }

static uint32_t vd_heads(const vd_unet_config *c, uint32_t ch) {
  return c->num_head_channels > 0 ? ch / (uint32_t)c->num_head_channels : (uint32_t)c->num_heads;
}

// time_embed.0 (Linear), SiLU, time_embed.2 (Linear), then the SiLU every ResBlock applies first.
static vd_tensor_id vd_time_embed(vd_graph *g, vd_tensor_id temb, uint32_t mc) {
  vd_tensor_id e = vd_b_linear(g, "time_embed.0", temb, 4 * mc, true, VD_NO_TENSOR);
  e = vd_b_act(g, "time_embed.1", e, VD_ACT_SILU);
  e = vd_b_linear(g, "time_embed.2", e, 4 * mc, true, VD_NO_TENSOR);
  return vd_b_act(g, "emb_silu", e, VD_ACT_SILU);
}

static vd_tensor_id vd_resblock(vd_unet_ctx *u, const char *m, vd_tensor_id x, uint32_t cout) {
  vd_graph *g = u->g;
  if (vd_graph_status(g) || !vd_tt(g, x)) return VD_NO_TENSOR;  // an earlier error stands
  vd_graph_scope_push(g, "%s", m);
  uint32_t cin = vd_ch(g, x);
  const vd_tensor *tx = vd_tt(g, x);
  int64_t n = tx ? tx->shape[0] : 1;
  vd_tensor_id h = vd_b_group_norm(g, "in_layers.0", x, 32, VD_GN_EPS, true);
  h = vd_b_conv2d(g, "in_layers.2", h, cout, 3, 1, 1, VD_NO_TENSOR);
  vd_tensor_id e = vd_b_linear(g, "emb_layers.1", u->emb_silu, cout, true, VD_NO_TENSOR);
  int64_t eshape[4] = {n, cout, 1, 1};
  h = vd_b_add(g, "emb_add", h, vd_b_reshape(g, "emb_layers.nchw", e, 4, eshape));
  h = vd_b_group_norm(g, "out_layers.0", h, 32, VD_GN_EPS, true);
  vd_tensor_id skip = cin == cout ? x : vd_b_conv2d(g, "skip_connection", x, cout, 1, 1, 0, VD_NO_TENSOR);
  h = vd_b_conv2d(g, "out_layers.3", h, cout, 3, 1, 1, skip);
  vd_graph_scope_pop(g);
  return h;
}

static vd_tensor_id vd_cross_attention(vd_unet_ctx *u, const char *m, vd_tensor_id x, vd_tensor_id ctx,
                                       uint32_t heads) {
  vd_graph *g = u->g;
  if (vd_graph_status(g) || !vd_tt(g, x)) return VD_NO_TENSOR;  // an earlier error stands
  if (!vd_tt(g, x)) return VD_NO_TENSOR;
  uint32_t c = (uint32_t)vd_tt(g, x)->shape[2];
  vd_graph_scope_push(g, "%s", m);
  vd_tensor_id q = vd_b_linear(g, "to_q", x, c, false, VD_NO_TENSOR);
  vd_tensor_id k = vd_b_linear(g, "to_k", ctx, c, false, VD_NO_TENSOR);
  vd_tensor_id v = vd_b_linear(g, "to_v", ctx, c, false, VD_NO_TENSOR);
  vd_tensor_id a = vd_b_attention(g, "attention", q, k, v, heads, false);
  vd_graph_scope_pop(g);
  return a;
}

// BasicTransformerBlock on tokens [N, HW, C].
static vd_tensor_id vd_transformer_block(vd_unet_ctx *u, const char *m, vd_tensor_id x, uint32_t heads) {
  vd_graph *g = u->g;
  if (vd_graph_status(g) || !vd_tt(g, x)) return VD_NO_TENSOR;  // an earlier error stands
  if (!vd_tt(g, x)) return VD_NO_TENSOR;
  uint32_t c = (uint32_t)vd_tt(g, x)->shape[2];
  vd_graph_scope_push(g, "%s", m);
  vd_tensor_id n = vd_b_layer_norm(g, "norm1", x, VD_LN_EPS);
  vd_tensor_id a = vd_cross_attention(u, "attn1", n, n, heads);
  x = vd_b_linear(g, "attn1.to_out.0", a, c, true, x);
  n = vd_b_layer_norm(g, "norm2", x, VD_LN_EPS);
  a = vd_cross_attention(u, "attn2", n, u->context, heads);
  x = vd_b_linear(g, "attn2.to_out.0", a, c, true, x);
  n = vd_b_layer_norm(g, "norm3", x, VD_LN_EPS);
  vd_tensor_id p = vd_b_linear(g, "ff.net.0.proj", n, 8 * c, true, VD_NO_TENSOR);
  x = vd_b_linear(g, "ff.net.2", vd_b_geglu(g, "ff.net.0.geglu", p), c, true, x);
  vd_graph_scope_pop(g);
  return x;
}

static vd_tensor_id vd_spatial_transformer(vd_unet_ctx *u, const char *m, vd_tensor_id x) {
  vd_graph *g = u->g;
  if (vd_graph_status(g) || !vd_tt(g, x)) return VD_NO_TENSOR;  // an earlier error stands
  const vd_tensor *t = vd_tt(g, x);
  if (!t) return VD_NO_TENSOR;
  uint32_t c = (uint32_t)t->shape[1], h = (uint32_t)t->shape[2], w = (uint32_t)t->shape[3];
  vd_graph_scope_push(g, "%s", m);
  vd_tensor_id y = vd_b_group_norm(g, "norm", x, 32, VD_ST_EPS, false);
  y = vd_b_to_tokens(g, "proj_in.tokens", vd_b_conv2d(g, "proj_in", y, c, 1, 1, 0, VD_NO_TENSOR));
  for (int d = 0; d < u->c->transformer_depth; ++d) {
    char b[32];
    snprintf(b, sizeof(b), "transformer_blocks.%d", d);
    y = vd_transformer_block(u, b, y, vd_heads(u->c, c));
  }
  y = vd_b_conv2d(g, "proj_out", vd_b_from_tokens(g, "proj_out.nchw", y, h, w), c, 1, 1, 0, x);
  vd_graph_scope_pop(g);
  return y;
}

static bool vd_attn_at(const vd_unet_config *c, int ds) {
  for (int i = 0; i < c->attention_resolutions.count; ++i)
    if (c->attention_resolutions.v[i] == ds) return true;
  return false;
}

// input_blocks: every block's output in outs[]; returns the count. hint_add (SGN) is added after block 0.
static uint32_t vd_input_blocks(vd_unet_ctx *u, vd_tensor_id x, vd_tensor_id hint_add, vd_tensor_id *outs) {
  vd_graph *g = u->g;
  const vd_unet_config *c = u->c;
  uint32_t mc = (uint32_t)c->model_channels, k = 0;
  vd_tensor_id h = vd_b_conv2d(g, "input_blocks.0.0", x, mc, 3, 1, 1, VD_NO_TENSOR);
  if (hint_add != VD_NO_TENSOR) h = vd_b_add(g, "input_blocks.0.hint_add", h, hint_add);
  outs[k++] = h;
  int ds = 1;
  for (int level = 0; level < c->channel_mult.count; ++level) {
    uint32_t cout = mc * (uint32_t)c->channel_mult.v[level];
    for (int r = 0; r < c->num_res_blocks && k < VD_UNET_MAX_BLOCKS; ++r, ++k) {
      char m[48];
      snprintf(m, sizeof(m), "input_blocks.%u.0", k);
      h = vd_resblock(u, m, h, cout);
      if (vd_attn_at(c, ds)) {
        snprintf(m, sizeof(m), "input_blocks.%u.1", k);
        h = vd_spatial_transformer(u, m, h);
      }
      outs[k] = h;
    }
    if (level != c->channel_mult.count - 1 && k < VD_UNET_MAX_BLOCKS) {
      char m[48];
      snprintf(m, sizeof(m), "input_blocks.%u.0.op", k);
      h = vd_b_conv2d(g, m, h, vd_ch(g, h), 3, 2, 1, VD_NO_TENSOR);
      outs[k++] = h;
      ds *= 2;
    }
  }
  return k;
}

static vd_tensor_id vd_middle_block(vd_unet_ctx *u, vd_tensor_id h) {
  uint32_t ch = vd_ch(u->g, h);
  h = vd_resblock(u, "middle_block.0", h, ch);
  h = vd_spatial_transformer(u, "middle_block.1", h);
  return vd_resblock(u, "middle_block.2", h, ch);
}

static int vd_deepest_ds(const vd_unet_config *c) { return 1 << (c->channel_mult.count - 1); }

// ---- the semantic-guided network -----------------------------------------------------------------------

static vd_tensor_id vd_hint_block(vd_graph *g, vd_tensor_id hint, uint32_t mc) {
  static const struct { uint32_t cout, stride; } convs[8] = {{16, 1}, {16, 1}, {32, 2}, {32, 1},
                                                             {96, 2}, {96, 1}, {256, 2}, {0, 1}};
  vd_tensor_id h = hint;
  for (int i = 0; i < 8; ++i) {
    char m[40];
    snprintf(m, sizeof(m), "input_hint_block.%d", 2 * i);
    h = vd_b_conv2d(g, m, h, i == 7 ? mc : convs[i].cout, 3, convs[i].stride, 1, VD_NO_TENSOR);
    if (i != 7) {
      snprintf(m, sizeof(m), "input_hint_block.%d", 2 * i + 1);
      h = vd_b_act(g, m, h, VD_ACT_SILU);
    }
  }
  return h;
}

// D(x) = SiLU(InstanceNorm(conv3x3_s2(x))) with weights "down<i><j>.0".
static vd_tensor_id vd_sff_down(vd_graph *g, int i, int j, vd_tensor_id x, uint32_t cout) {
  char m[32], n[40];
  snprintf(m, sizeof(m), "down%d%d.0", i, j);
  static const uint32_t pad[4] = {1, 1, 1, 1};
  vd_tensor_id y = vd_b_conv2d_pad(g, m, x, cout, 3, 2, pad, false, VD_NO_TENSOR);
  snprintf(n, sizeof(n), "down%d%d.1", i, j);
  y = vd_b_instance_norm(g, n, y, 1e-5f);
  snprintf(n, sizeof(n), "down%d%d.2", i, j);
  return vd_b_act(g, n, y, VD_ACT_SILU);
}

// Rewrites outs[9..11] from the zero-conv outputs outs[6..8] (spec §2.4.4).
static void vd_sff(vd_graph *g, vd_tensor_id *outs) {
  vd_tensor_id fused[3];
  for (int j = 1; j <= 3; ++j) {
    vd_tensor_id acc = outs[8 + j];
    uint32_t cout = vd_ch(g, acc);
    for (int i = 1; i <= 3; ++i) {
      char n[32];
      snprintf(n, sizeof(n), "sff.%d.add%d", j, i);
      acc = vd_b_add(g, n, acc, vd_sff_down(g, i, j, outs[5 + i], cout));
    }
    char n[32];
    snprintf(n, sizeof(n), "sff.%d.silu", j);
    fused[j - 1] = vd_b_act(g, n, acc, VD_ACT_SILU);
  }
  memcpy(&outs[9], fused, sizeof(fused));
}

static vd_status vd_sgn_build(vd_graph *g, const vd_unet_config *c, const vd_eps_inputs *in, vd_tensor_id temb,
                              vd_tensor_id *control, uint32_t *out_count) {
  vd_graph_scope_push(g, "control_model");
  uint32_t mc = (uint32_t)c->model_channels;
  vd_unet_ctx u = {g, c, vd_time_embed(g, temb, mc), in->context};
  vd_tensor_id gh = vd_hint_block(g, in->hint, mc);
  vd_tensor_id outs[VD_UNET_MAX_BLOCKS + 1];
  uint32_t k = vd_input_blocks(&u, in->x, gh, outs);
  vd_tensor_id h = outs[k - 1];
  for (uint32_t i = 0; i < k; ++i) {
    char m[32];
    snprintf(m, sizeof(m), "zero_convs.%u.0", i);
    control[i] = vd_b_conv2d(g, m, outs[i], vd_ch(g, outs[i]), 1, 1, 0, VD_NO_TENSOR);
  }
  if (k != 12) {
    vd_graph_scope_pop(g);
    return vd_unet_error(g, "control_model: the SFF block needs 12 input blocks (four levels of two ResBlocks), "
                            "the config gives %u", k);
  }
  vd_sff(g, control);
  control[k] = vd_b_conv2d(g, "middle_block_out.0", vd_middle_block(&u, h), vd_ch(g, h), 1, 1, 0, VD_NO_TENSOR);
  *out_count = k + 1;
  vd_graph_scope_pop(g);
  return vd_graph_error(g);
}

// ---- the UNet with control ------------------------------------------------------------------------------

static vd_status vd_unet_build(vd_graph *g, const vd_unet_config *c, const vd_eps_inputs *in, vd_tensor_id temb,
                               const vd_tensor_id *control, uint32_t n_control, bool only_mid, vd_tensor_id *out) {
  vd_graph_scope_push(g, "model.diffusion_model");
  uint32_t mc = (uint32_t)c->model_channels;
  vd_unet_ctx u = {g, c, vd_time_embed(g, temb, mc), in->context};
  vd_tensor_id hs[VD_UNET_MAX_BLOCKS + 1];
  uint32_t k = vd_input_blocks(&u, in->x, VD_NO_TENSOR, hs);
  if (n_control != k + 1) {
    vd_graph_scope_pop(g);
    return vd_unet_error(g, "UNet has %u skips, the guidance network %u outputs", k, n_control);
  }
  vd_tensor_id h = vd_b_add(g, "middle_block.control_add", vd_middle_block(&u, hs[k - 1]), control[k]);
  int ds = vd_deepest_ds(c);
  uint32_t i = 0;
  for (int level = c->channel_mult.count - 1; level >= 0; --level) {
    uint32_t cout = mc * (uint32_t)c->channel_mult.v[level];
    for (int r = 0; r <= c->num_res_blocks; ++r, ++i) {
      vd_tensor_id s = hs[k - 1 - i];
      char m[48];
      if (!only_mid || i < 3) {  // the reference hard-codes the three deepest skips for only_mid_control
        snprintf(m, sizeof(m), "output_blocks.%u.control_add", i);
        s = vd_b_add(g, m, s, control[k - 1 - i]);
      }
      snprintf(m, sizeof(m), "output_blocks.%u.concat", i);
      h = vd_b_concat(g, m, h, s);
      snprintf(m, sizeof(m), "output_blocks.%u.0", i);
      h = vd_resblock(&u, m, h, cout);
      int sub = 1;
      if (vd_attn_at(c, ds)) {
        snprintf(m, sizeof(m), "output_blocks.%u.1", i);
        h = vd_spatial_transformer(&u, m, h);
        sub = 2;
      }
      if (level && r == c->num_res_blocks) {
        char up[48];
        snprintf(up, sizeof(up), "output_blocks.%u.%d.upsample", i, sub);
        snprintf(m, sizeof(m), "output_blocks.%u.%d.conv", i, sub);
        h = vd_b_conv2d(g, m, vd_b_upsample2x(g, up, h), cout, 3, 1, 1, VD_NO_TENSOR);
        ds /= 2;
      }
    }
  }
  h = vd_b_group_norm(g, "out.0", h, 32, VD_GN_EPS, true);
  *out = vd_b_conv2d(g, "out.2", h, (uint32_t)c->out_channels, 3, 1, 1, VD_NO_TENSOR);
  vd_graph_scope_pop(g);
  return vd_graph_error(g);
}

vd_status vd_eps_build(vd_graph *g, const vd_unet_config *unet, const vd_unet_config *control, bool only_mid_control,
                       const vd_eps_inputs *in, vd_tensor_id *out_eps) {
  if (unet->model_channels != control->model_channels)
    return vd_unet_error(g, "UNet and guidance network widths differ (%d vs %d)", unet->model_channels,
                         control->model_channels);
  vd_tensor_id temb = vd_b_timestep_embedding(g, "timestep_embedding", in->t, (uint32_t)unet->model_channels);
  vd_tensor_id ctrl[VD_UNET_MAX_BLOCKS + 2];
  uint32_t n = 0;
  VD_RETURN_IF_ERROR(vd_sgn_build(g, control, in, temb, ctrl, &n));
  return vd_unet_build(g, unet, in, temb, ctrl, n, only_mid_control, out_eps);
}
