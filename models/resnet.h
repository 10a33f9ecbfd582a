// ResNet-50 (torchvision / timm layout; spec vlmdiff-pipeline §1.7, "Alternative feature extractor") as a
// graph builder: image -> the outputs of three of layer1..layer4, as VLMDiff's test.py takes them (timm
// features_only levels [1:4] = layer1..3; DINO's ResNet-50, layer1..4 returned, [1:4] = layer2..4).
// Structure (ResNet v1.5): conv1 7x7/2 pad 3 -> BN -> ReLU -> maxpool 3x3/2 pad 1; stage s has
// layers[s] bottleneck blocks 1x1 -> 3x3 (the stride, on the 3x3) -> 1x1 (width x expansion), each conv
// followed by BN, ReLU after the first two and after the residual add; the first block of a stage has a
// 1x1 strided conv + BN on the shortcut when the stride or the channel count changes.
// BatchNorm is folded into the convs at load (models/resnet_weights.h): the graph declares each conv's
// weight and a bias under the conv's key ("layer1.0.conv1.weight" / ".bias", "layer1.0.downsample.0.*",
// "conv1.*"); the checkpoint has the weight and the BN's four tensors instead.
#ifndef VD_MODELS_RESNET_H
#define VD_MODELS_RESNET_H

#include "formats/config.h"
#include "graph/graph.h"

// The extent of one returned level for an h x w image: channels, height, width.
typedef struct vd_resnet_level {
  uint32_t stage;     // 1..4: layer<stage>
  uint32_t c, h, w;   // its output shape (batch aside)
} vd_resnet_level;

// The three levels config->variant returns, in order, for an h x w image.
void vd_resnet_levels(const vd_resnet_config *c, uint32_t h, uint32_t w, vd_resnet_level out_levels[VD_RESNET_LEVELS]);

// image: [N, 3, H, W] (the graph's float dtype) -> out_features[i]: [N, C_i, H_i, W_i] of
// vd_resnet_levels. Builds the stages up to the last one returned.
vd_status vd_resnet_build(vd_graph *g, const vd_resnet_config *c, vd_tensor_id image,
                          vd_tensor_id out_features[VD_RESNET_LEVELS]);

// The whole runnable graph: input "image" [n, 3, h, w], outputs "features.0" .. "features.2".
vd_status vd_resnet_build_graph(vd_graph *g, const vd_resnet_config *c, uint32_t n, uint32_t h, uint32_t w);

#endif
