// AU-PRO of the reference (eval_helper `compute_pro`, spec §6.2): thresholds th = NumPy
// arange(min, max, (max − min)/steps) over the class's pixel scores; at each, B = P > th; PRO = mean over
// every ground-truth region of every image of |B ∩ region| / |region|; FPR = |B ∧ normal| / |normal|;
// the thresholds with FPR < limit are kept, their FPRs divided by the largest kept one, and the area
// under (FPR, PRO) is the trapezoid sum.
//
// Counting: a pixel's "bin" is the number of thresholds strictly below its score; it is above exactly
// the thresholds j < bin. Each region's pixels are binned once (a histogram over count + 1 bins, then
// suffix sums give its overlap at every threshold); the normal pixels go into one histogram. One pass
// over the pixels serves all thresholds, in both the exact and the streaming mode.
#ifndef VD_ANOMALY_METRIC_PRO_H
#define VD_ANOMALY_METRIC_PRO_H

#include <stddef.h>
#include <stdint.h>

#include "anomaly/metric_curves.h"
#include "runtime/status.h"

#define VD_PRO_MAX_THRESHOLDS (1u << 20)  // more than arange could give for any sane step count

typedef struct vd_pro_thresholds {
  double *value;   // count thresholds, non-decreasing, exactly as NumPy's arange computes them
  uint32_t count;  // 0 when arange cannot compute a length (max == min, non-finite range)
  double start;    // value[0] (the class minimum)
  double step;     // value[1] − value[0]: the step arange fills with
} vd_pro_thresholds;

typedef struct vd_pro_counts {
  uint32_t count;           // thresholds
  vd_ksum *overlap;         // [count]: Σ over regions of |region ∩ {P > th_j}| / |region|
  uint64_t *negative_bins;  // [count + 1]: normal pixels by bin
  uint32_t *region_bins;    // [count + 1]: one region's pixels by bin (scratch)
  uint64_t regions;         // regions added
  uint64_t negatives;       // normal pixels added
} vd_pro_counts;

// NumPy 1.24 arange(start, stop, step) with step = (max − min)/steps: length ceil((max − min)/step)
// (200 or 201 for 200 steps, by rounding), value[0] = min, value[1] = min + step, value[i] = min + i·d
// with d = value[1] − min.
vd_status vd_pro_thresholds_make(double min, double max, uint32_t steps, vd_pro_thresholds *out);
void vd_pro_thresholds_free(vd_pro_thresholds *t);
// Number of thresholds strictly below v.
uint32_t vd_pro_bin(const vd_pro_thresholds *t, double v);

vd_status vd_pro_counts_init(vd_pro_counts *c, uint32_t count);
void vd_pro_counts_free(vd_pro_counts *c);
// One ground-truth region: its area pixels' scores.
void vd_pro_add_region(vd_pro_counts *c, const vd_pro_thresholds *t, const double *values, uint32_t area);
// n normal pixels' scores.
void vd_pro_add_negatives(vd_pro_counts *c, const vd_pro_thresholds *t, const double *values, size_t n);
// The area; NaN where the reference fails or yields NaN: no thresholds, no region (mean of nothing), no
// normal pixel (0/0), fewer than 2 kept thresholds (sklearn.metrics.auc raises), largest kept FPR 0
// (0/0). out_kept gets the number of kept thresholds.
double vd_pro_area(const vd_pro_counts *c, double fpr_limit, uint32_t *out_kept);

#endif
