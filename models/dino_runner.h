// DINO ViT ready to run (spec vlmdiff-pipeline §1.7): builds (and caches) the graph per input shape,
// records it once and replays it. Weights by the official checkpoint's key names (no prefix) from a
// weight file (safetensors or the .pth), or random for speed runs. Host data is float32 NCHW.
#ifndef VD_MODELS_DINO_RUNNER_H
#define VD_MODELS_DINO_RUNNER_H

#include <stdio.h>

#include "formats/config.h"
#include "formats/weight_file.h"
#include "graph/exec.h"

typedef struct vd_dino_options {
  vd_precision precision;  // storage precision (the reference runs DINO in fp32)
  uint64_t random_seed;    // random weights (no weight file): their seed
} vd_dino_options;

typedef struct vd_dino vd_dino;

// weights: a file with the checkpoint's keys (kept open by the caller while the model lives), or NULL
// for random weights.
vd_status vd_dino_create(vd_context *ctx, const vd_dino_config *config, const vd_weight_file *weights,
                         const vd_dino_options *options, vd_dino **out_dino);
void vd_dino_destroy(vd_dino *dino);

// image [n, 3, h, w] (ImageNet-normalised; h, w multiples of the patch size) ->
// features [n, embed_dim, h/patch, w/patch].
vd_status vd_dino_features(vd_dino *dino, uint32_t n, uint32_t h, uint32_t w, const float *image, float *features);
// n (input, reconstruction) pairs [n, 3, h, w] each, run as one batch of 2n (one graph evaluation): the
// features of the inputs and of the reconstructions, [n, embed_dim, h/patch, w/patch] each.
vd_status vd_dino_features_pair(vd_dino *dino, uint32_t n, uint32_t h, uint32_t w, const float *input, const float *recon,
                                float *input_features, float *recon_features);
// Milliseconds of the last vd_dino_features run (submit + wait).
double vd_dino_last_ms(const vd_dino *dino);

// Plan-only memory report at an image size and batch (no weights, nothing allocated): models/dino_plan.c.
vd_status vd_dino_plan_report(vd_context *ctx, const vd_dino_config *config, vd_precision precision, uint32_t h,
                              uint32_t w, uint32_t batch, FILE *out);

#endif
