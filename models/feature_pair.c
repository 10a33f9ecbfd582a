#include "models/feature_pair.h"

#include <stdlib.h>
#include <string.h>

vd_status vd_pair_batch(uint32_t n, uint64_t per_image, const float *input, const float *recon, float **out_batch) {
  *out_batch = NULL;
  if (!n || !input || !recon) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "feature pair: no images");
  uint64_t half = (uint64_t)n * per_image;
  float *b = malloc(2 * half * sizeof(float));
  if (!b) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "feature pair: %u image pairs", n);
  memcpy(b, input, half * sizeof(float));
  memcpy(b + half, recon, half * sizeof(float));
  *out_batch = b;
  return NULL;
}

void vd_pair_split(uint32_t n, uint64_t per_item, const float *batch, float *out_input, float *out_recon) {
  uint64_t half = (uint64_t)n * per_item;
  memcpy(out_input, batch, half * sizeof(float));
  memcpy(out_recon, batch + half, half * sizeof(float));
}
