#include "anomaly/metric_score.h"

#include <string.h>

// Each pool is separable: an 8-wide sum along rows, then along columns, then × 1/64 (exactly torch's
// division by the window size: 64 is a power of two). An 8-sum is built by doubling (pairs, quads,
// eights: 3 adds per output instead of 7), in place: the output of pixel (y, x) only reads pixels at or
// after it, so one buffer of the original row stride holds every pass.

// In place along a row of n values: x[c] = x[c] + … + x[c + 7] for c < n − 7.
static void vd_row_sum8(double *x, uint32_t n) {
  for (uint32_t c = 0; c + 1 < n; ++c) x[c] += x[c + 1];
  for (uint32_t c = 0; c + 3 < n; ++c) x[c] += x[c + 2];
  for (uint32_t c = 0; c + 7 < n; ++c) x[c] += x[c + 4];
}

// In place down the columns: row r = rows r … r + 7 (r < rows − 7), for the first cols columns.
static void vd_col_sum8(double *img, uint32_t rows, uint32_t cols, size_t stride) {
  static const uint32_t step[3] = {1, 2, 4};
  for (int s = 0; s < 3; ++s) {
    uint32_t span = 2 * step[s] - 1;  // rows below r that the new sum covers
    for (uint32_t r = 0; r + span < rows; ++r) {
      double *dst = img + r * stride;
      const double *src = dst + step[s] * stride;
      for (uint32_t c = 0; c < cols; ++c) dst[c] += src[c];
    }
  }
}

// One 8×8 mean pool of the rows × cols top-left block; the result is (rows − 7) × (cols − 7).
static void vd_pool8(double *img, uint32_t rows, uint32_t cols, size_t stride) {
  for (uint32_t r = 0; r < rows; ++r) vd_row_sum8(img + r * stride, cols);
  vd_col_sum8(img, rows, cols - (VD_SCORE_POOL - 1), stride);
  const double inv = 1.0 / (VD_SCORE_POOL * VD_SCORE_POOL);
  for (uint32_t r = 0; r + VD_SCORE_POOL - 1 < rows; ++r) {
    double *row = img + r * stride;
    for (uint32_t c = 0; c + VD_SCORE_POOL - 1 < cols; ++c) row[c] *= inv;
  }
}

double vd_image_score(const double *map, uint32_t h, uint32_t w, double *work) {
  memcpy(work, map, (size_t)h * w * sizeof(*work));
  uint32_t rows = h, cols = w;
  for (int p = 0; p < VD_SCORE_PASSES; ++p) {
    vd_pool8(work, rows, cols, w);
    rows -= VD_SCORE_POOL - 1;
    cols -= VD_SCORE_POOL - 1;
  }
  double best = work[0];
  for (uint32_t r = 0; r < rows; ++r)
    for (uint32_t c = 0; c < cols; ++c)
      if (work[(size_t)r * w + c] > best) best = work[(size_t)r * w + c];
  return best;
}
