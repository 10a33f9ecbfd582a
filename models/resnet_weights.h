// ResNet weights with BatchNorm folded into the convs (eval-mode BN: running statistics). For each conv
// "M" the graph declares (models/resnet.h), the checkpoint holds M.weight [co, ci, k, k] (no bias) and
// its BN "B" (conv1 -> bn1, layerI.J.convK -> layerI.J.bnK, layerI.J.downsample.0 -> .downsample.1):
// B.weight (gamma), B.bias (beta), B.running_mean, B.running_var, each [co]. Folded, in fp64 and rounded
// once to float32:
//   a = gamma / sqrt(running_var + eps),  M.weight' = M.weight * a (per output channel),
//   M.bias' = beta - running_mean * a.
// B.num_batches_tracked and fc.* (timm's and torchvision's classifier) are not read.
#ifndef VD_MODELS_RESNET_WEIGHTS_H
#define VD_MODELS_RESNET_WEIGHTS_H

#include "formats/weight_store.h"
#include "models/weights_gpu.h"

#define VD_RESNET_BN_TENSORS 4  // weight, bias, running_mean, running_var

// The BatchNorm module after conv module `conv` ("layer1.0.conv2" -> "layer1.0.bn2"); false when conv
// is not a ResNet conv name.
bool vd_resnet_bn_name(const char *conv, char *out, size_t cap);

// The checkpoint tensors the graph's convs read (each conv weight, then its BN's four), in graph order:
// *out_specs (names owned by *out_names, both freed by the caller with free()).
vd_status vd_resnet_checkpoint_specs(const vd_graph *g, vd_weight_spec **out_specs, char **out_names,
                                     size_t *out_count);

// Reads those tensors from file through the weight store (every missing key and shape mismatch at once;
// other keys are ignored) and uploads the folded weights and biases the graph declares.
vd_status vd_resnet_weights_load(vd_weights_gpu *w, const vd_graph *g, const vd_weight_file *file, double bn_eps);

// The fold of one conv on host data: weight [co, per] (per = ci k k), BN vectors [co] -> out_weight
// [co, per], out_bias [co]. fp64 arithmetic, rounded once.
void vd_resnet_fold_bn(uint32_t co, uint64_t per, const float *weight, const float *gamma, const float *beta,
                       const float *mean, const float *var, double eps, float *out_weight, float *out_bias);

#endif
