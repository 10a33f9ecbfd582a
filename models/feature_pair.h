// The feature extractors' pair entry (spec vlmdiff-pipeline §1.7: the input image and its reconstruction
// go through the same network, and the anomaly map compares the two feature sets): n pairs run as one
// batch of 2n, inputs first, so one recorded graph evaluation serves both.
#ifndef VD_MODELS_FEATURE_PAIR_H
#define VD_MODELS_FEATURE_PAIR_H

#include <stdint.h>

#include "runtime/status.h"

// [input images; reconstructions] as one malloc'd batch of 2n images of `per_image` floats each.
vd_status vd_pair_batch(uint32_t n, uint64_t per_image, const float *input, const float *recon, float **out_batch);
// Splits a [2n, ...] output of `per_item` floats per image into the inputs' and the reconstructions' parts.
void vd_pair_split(uint32_t n, uint64_t per_item, const float *batch, float *out_input, float *out_recon);

#endif
