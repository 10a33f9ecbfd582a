#include "models/resnet.h"

#include <stdio.h>

#include "graph/build.h"

// Output side of a k x k conv (or pool) with stride s and padding p.
static uint32_t vd_resnet_out(uint32_t x, uint32_t k, uint32_t s, uint32_t p) { return (x + 2 * p - k) / s + 1; }

static uint32_t vd_resnet_first_stage(const vd_resnet_config *c) { return c->variant == VD_RESNET_DINO ? 2 : 1; }

static uint32_t vd_resnet_stage_width(const vd_resnet_config *c, uint32_t stage) {
  return (uint32_t)c->base_width << (stage - 1);
}

void vd_resnet_levels(const vd_resnet_config *c, uint32_t h, uint32_t w, vd_resnet_level out[VD_RESNET_LEVELS]) {
  h = vd_resnet_out(vd_resnet_out(h, 7, 2, 3), 3, 2, 1);  // conv1, maxpool
  w = vd_resnet_out(vd_resnet_out(w, 7, 2, 3), 3, 2, 1);
  uint32_t first = vd_resnet_first_stage(c);
  for (uint32_t s = 1; s <= VD_RESNET_STAGES; ++s) {
    if (s > 1) h = vd_resnet_out(h, 3, 2, 1), w = vd_resnet_out(w, 3, 2, 1);  // the stage's 3x3 stride 2
    if (s >= first && s < first + VD_RESNET_LEVELS)
      out[s - first] = (vd_resnet_level){s, vd_resnet_stage_width(c, s) * (uint32_t)c->expansion, h, w};
  }
}

// A conv without bias in the checkpoint, its BN folded into weight + bias at load.
static vd_tensor_id vd_resnet_conv(vd_graph *g, const char *module, vd_tensor_id x, uint32_t cout, uint32_t k,
                                   uint32_t s, vd_tensor_id residual) {
  return vd_b_conv2d(g, module, x, cout, k, s, k / 2, residual);
}

// One bottleneck block "layer<stage>.<j>" on x with cin channels.
static vd_tensor_id vd_resnet_block(vd_graph *g, const vd_resnet_config *c, uint32_t stage, uint32_t j, uint32_t cin,
                                    vd_tensor_id x) {
  uint32_t width = vd_resnet_stage_width(c, stage), cout = width * (uint32_t)c->expansion;
  uint32_t stride = stage > 1 && j == 0 ? 2 : 1;
  vd_graph_scope_push(g, "layer%u.%u", stage, j);
  vd_tensor_id h = vd_b_act(g, "act1", vd_resnet_conv(g, "conv1", x, width, 1, 1, VD_NO_TENSOR), VD_ACT_RELU);
  h = vd_b_act(g, "act2", vd_resnet_conv(g, "conv2", h, width, 3, stride, VD_NO_TENSOR), VD_ACT_RELU);
  vd_tensor_id shortcut = x;
  if (j == 0 && (stride != 1 || cin != cout)) shortcut = vd_resnet_conv(g, "downsample.0", x, cout, 1, stride, VD_NO_TENSOR);
  h = vd_b_act(g, "act3", vd_resnet_conv(g, "conv3", h, cout, 1, 1, shortcut), VD_ACT_RELU);
  vd_graph_scope_pop(g);
  return h;
}

vd_status vd_resnet_build(vd_graph *g, const vd_resnet_config *c, vd_tensor_id image,
                          vd_tensor_id out[VD_RESNET_LEVELS]) {
  for (int i = 0; i < VD_RESNET_LEVELS; ++i) out[i] = VD_NO_TENSOR;
  VD_RETURN_IF_ERROR(vd_resnet_config_validate(c, "resnet"));
  const vd_tensor *t = vd_graph_get_tensor(g, image);
  if (!t || t->rank != 4 || t->shape[1] != 3)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "resnet: the image must be [N, 3, H, W]");
  vd_tensor_id x = vd_resnet_conv(g, "conv1", image, (uint32_t)c->stem_width, 7, 2, VD_NO_TENSOR);
  x = vd_b_maxpool(g, "maxpool", vd_b_act(g, "act1", x, VD_ACT_RELU), 3, 2, 1);
  uint32_t cin = (uint32_t)c->stem_width, first = vd_resnet_first_stage(c);
  for (uint32_t s = 1; s < first + VD_RESNET_LEVELS; ++s) {
    for (uint32_t j = 0; j < (uint32_t)c->layers.v[s - 1]; ++j) {
      x = vd_resnet_block(g, c, s, j, cin, x);
      cin = vd_resnet_stage_width(c, s) * (uint32_t)c->expansion;
    }
    if (s >= first) out[s - first] = x;
  }
  return vd_graph_error(g);
}

vd_status vd_resnet_build_graph(vd_graph *g, const vd_resnet_config *c, uint32_t n, uint32_t h, uint32_t w) {
  int64_t s[4] = {n, 3, h, w};
  vd_tensor_id image = vd_graph_input(g, "image", vd_graph_float_dtype(g), 4, s), out[VD_RESNET_LEVELS];
  VD_RETURN_IF_ERROR(vd_resnet_build(g, c, image, out));
  for (int i = 0; i < VD_RESNET_LEVELS; ++i) {
    char name[16];
    snprintf(name, sizeof name, "features.%d", i);
    vd_graph_output(g, out[i], name);
  }
  return vd_graph_error(g);
}
