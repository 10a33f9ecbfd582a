// The CLIP ViT-L/14 text encoder (HF CLIPTextModel, spec encoders-and-captioner §2, vlmdiff-pipeline §3)
// as a graph builder: token ids -> last_hidden_state (after final_layer_norm), for any config of the same
// structure. Weights under the current scope (the caller pushes "cond_stage_model.transformer.text_model").
#ifndef VD_MODELS_CLIP_TEXT_ENCODER_H
#define VD_MODELS_CLIP_TEXT_ENCODER_H

#include "formats/config.h"
#include "graph/graph.h"

// tokens: i32 [N, L] (L <= max_position_embeddings) -> context [N, L, hidden_size].
vd_status vd_clip_text_build(vd_graph *g, const vd_clip_text_config *c, vd_tensor_id tokens, vd_tensor_id *out_context);

#endif
