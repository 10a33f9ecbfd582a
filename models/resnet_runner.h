// ResNet-50 feature extraction ready to run (spec vlmdiff-pipeline §1.7, the non-DINO path and DINO's
// v1r50): builds (and caches) the graph per input shape, records it once and replays it. Weights by the
// torchvision / timm checkpoint's key names (no prefix), BatchNorm folded at load
// (models/resnet_weights.h), or random for speed runs. Host data is float32 NCHW.
#ifndef VD_MODELS_RESNET_RUNNER_H
#define VD_MODELS_RESNET_RUNNER_H

#include <stdio.h>

#include "formats/config.h"
#include "formats/weight_file.h"
#include "graph/exec.h"

typedef struct vd_resnet_options {
  vd_precision precision;  // storage precision (the reference runs fp32)
  uint64_t random_seed;    // random weights (no weight file): their seed
} vd_resnet_options;

typedef struct vd_resnet vd_resnet;

// weights: a file with the checkpoint's keys (kept open by the caller while the model lives), or NULL
// for random weights (folded form, uniform).
vd_status vd_resnet_create(vd_context *ctx, const vd_resnet_config *config, const vd_weight_file *weights,
                           const vd_resnet_options *options, vd_resnet **out_resnet);
void vd_resnet_destroy(vd_resnet *resnet);

// image [n, 3, h, w] (ImageNet-normalised) -> features[i] [n, C_i, H_i, W_i] (vd_resnet_levels of the
// config's variant), one caller buffer per level.
vd_status vd_resnet_features(vd_resnet *resnet, uint32_t n, uint32_t h, uint32_t w, const float *image,
                             float *const features[VD_RESNET_LEVELS]);
// n (input, reconstruction) pairs [n, 3, h, w] each, run as one batch of 2n: the features of the inputs
// and of the reconstructions, per level.
vd_status vd_resnet_features_pair(vd_resnet *resnet, uint32_t n, uint32_t h, uint32_t w, const float *input,
                                  const float *recon, float *const input_features[VD_RESNET_LEVELS],
                                  float *const recon_features[VD_RESNET_LEVELS]);
// Milliseconds of the last run (submit + wait).
double vd_resnet_last_ms(const vd_resnet *resnet);

// Plan-only memory report at an image size and batch (no weights, nothing allocated): models/resnet_plan.c.
vd_status vd_resnet_plan_report(vd_context *ctx, const vd_resnet_config *config, vd_precision precision,
                                uint32_t h, uint32_t w, uint32_t batch, FILE *out);

#endif
