// The image-level score of the reference (eval_helper `EvalImageMax`, spec §1.7 item 7): the pixel map
// average-pooled eight times with an 8×8 window, stride 1, no padding (256×256 → 200×200), then the
// maximum. float64 throughout.
#ifndef VD_ANOMALY_METRIC_SCORE_H
#define VD_ANOMALY_METRIC_SCORE_H

#include <stddef.h>
#include <stdint.h>

#define VD_SCORE_POOL 8                                                // pooling window side
#define VD_SCORE_PASSES 8                                              // successive pools
#define VD_SCORE_MIN_SIDE (VD_SCORE_PASSES * (VD_SCORE_POOL - 1) + 1)  // 57: smallest map side

// Score of an h × w map (h, w ≥ VD_SCORE_MIN_SIDE). work holds h·w doubles and is overwritten.
double vd_image_score(const double *map, uint32_t h, uint32_t w, double *work);

#endif
