// DINO ViT (facebookresearch/dino vision_transformer.py; spec encoders-and-captioner §1, vlmdiff-pipeline
// §1.7 and §2.6) as a graph builder: image -> get_intermediate_layers(x, n=1)[0] (final norm applied),
// CLS dropped, as a channel-first feature map. Any config of the same structure; weight names are the
// checkpoint's (`cls_token`, `pos_embed`, `patch_embed.proj.*`, `blocks.{i}.*`, `norm.*`) under the
// current scope (the official .pth has no prefix: build under an empty scope).
#ifndef VD_MODELS_DINO_H
#define VD_MODELS_DINO_H

#include <stdbool.h>

#include "formats/config.h"
#include "graph/graph.h"

// image: [N, 3, H, W] (the graph's float dtype), H and W multiples of patch_size ->
// features [N, embed_dim, H/patch, W/patch] (spatial index = patch row, col).
vd_status vd_dino_build(vd_graph *g, const vd_dino_config *c, vd_tensor_id image, vd_tensor_id *out_features);

// The position-embedding resize DINO's interpolate_pos_encoding does for an image of h x w pixels:
// false when the trained table is used as is (grid equals the trained one and h == w); else the
// scale factors ((grid + 0.1) / trained grid, per axis) given to F.interpolate.
bool vd_dino_pos_resize(const vd_dino_config *c, uint32_t h, uint32_t w, double *out_scale_h, double *out_scale_w);

// The whole runnable graph: input "image" [n, 3, h, w], output "features".
vd_status vd_dino_build_graph(vd_graph *g, const vd_dino_config *c, uint32_t n, uint32_t h, uint32_t w);

#endif
