#include "models/clip_text_encoder.h"

#include <stdio.h>
#include <string.h>

#include "graph/build.h"

static vd_tensor_id vd_clip_layer(vd_graph *g, const vd_clip_text_config *c, int i, vd_tensor_id h,
                                  vd_activation act) {
  uint32_t d = (uint32_t)c->hidden_size;
  vd_graph_scope_push(g, "encoder.layers.%d", i);
  vd_tensor_id n = vd_b_layer_norm(g, "layer_norm1", h, c->layer_norm_eps);
  vd_tensor_id q = vd_b_linear(g, "self_attn.q_proj", n, d, true, VD_NO_TENSOR);
  vd_tensor_id k = vd_b_linear(g, "self_attn.k_proj", n, d, true, VD_NO_TENSOR);
  vd_tensor_id v = vd_b_linear(g, "self_attn.v_proj", n, d, true, VD_NO_TENSOR);
  vd_tensor_id a = vd_b_attention(g, "self_attn.attention", q, k, v, (uint32_t)c->num_attention_heads, true);
  h = vd_b_linear(g, "self_attn.out_proj", a, d, true, h);
  n = vd_b_layer_norm(g, "layer_norm2", h, c->layer_norm_eps);
  vd_tensor_id f = vd_b_linear(g, "mlp.fc1", n, (uint32_t)c->intermediate_size, true, VD_NO_TENSOR);
  f = vd_b_act(g, "mlp.act", f, act);
  h = vd_b_linear(g, "mlp.fc2", f, d, true, h);
  vd_graph_scope_pop(g);
  return h;
}

vd_status vd_clip_text_build(vd_graph *g, const vd_clip_text_config *c, vd_tensor_id tokens, vd_tensor_id *out) {
  const vd_tensor *t = vd_graph_get_tensor(g, tokens);
  if (!t || t->rank != 2 || t->shape[1] > c->max_position_embeddings)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "clip-text: tokens must be [N, L] with L <= %d",
                          c->max_position_embeddings);
  vd_activation act;
  if (strcmp(c->hidden_act, "quick_gelu") == 0) act = VD_ACT_QUICK_GELU;
  else if (strcmp(c->hidden_act, "gelu") == 0) act = VD_ACT_GELU_ERF;
  else return vd_status_make(VD_ERR_INVALID_ARGUMENT, "clip-text: activation %s is not supported", c->hidden_act);
  int64_t len = t->shape[1];
  vd_tensor_id h = vd_b_embedding(g, "embeddings.token_embedding", tokens, (uint32_t)c->vocab_size,
                                  (uint32_t)c->hidden_size);
  if (len == c->max_position_embeddings) {
    h = vd_b_add_param(g, "embeddings.position_add", h, "embeddings.position_embedding.weight");
  } else {  // fewer tokens than positions: the first L rows of the table
    int64_t ids_shape[2] = {1, len};
    int32_t pos[1024];
    if (len > 1024) return vd_status_make(VD_ERR_LIMIT, "clip-text: more than 1024 positions");
    for (int64_t i = 0; i < len; ++i) pos[i] = (int32_t)i;
    vd_tensor_id ids = vd_graph_constant(g, "clip_position_ids", VD_DTYPE_I32, 2, ids_shape, pos);
    h = vd_b_add(g, "embeddings.position_add", h,
                 vd_b_embedding(g, "embeddings.position_embedding", ids, (uint32_t)c->max_position_embeddings,
                                (uint32_t)c->hidden_size));
  }
  for (int i = 0; i < c->num_hidden_layers; ++i) h = vd_clip_layer(g, c, i, h, act);
  *out = vd_b_layer_norm(g, "final_layer_norm", h, c->layer_norm_eps);
  return vd_graph_error(g);
}
