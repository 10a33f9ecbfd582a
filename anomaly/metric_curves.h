// ROC and precision-recall statistics from tie-grouped counts, as scikit-learn's roc_curve + auc,
// average_precision_score and precision_recall_curve compute them: the curve has one point per distinct
// score (all samples sharing a score enter together), walked from the highest score down.
//
// Binned use (streaming mode): a group may be a histogram bin holding several distinct scores ("untied";
// a bin whose samples all share one score is an exact group and adds nothing to the bounds). The exact
// curve inside a bin is then unknown but boxed by the bin's corner counts, which bounds each metric:
//   AUROC: the exact area inside a bin's box differs from the trapezoid by at most half the box,
//          |ΔAUROC| ≤ Σ_b dp_b·dn_b / (2·P·N);
//   AP:    every threshold inside bin b that admits a positive has precision between
//          (tp + 1)/(tp + 1 + fp_b') and tp_b'/(tp_b' + fp) (tp, fp above the bin; tp', fp' including it),
//          so |ΔAP| ≤ Σ_b (dp_b/P)·(hi_b − lo_b);
//   F1:    F1 = 2·tp/(tp + fp + P) grows with tp and falls with fp, so no threshold inside bin b beats
//          2·tp_b'/(tp_b' + fp + P); the binned maximum is a point of the exact curve, so
//          0 ≤ F1_exact − F1_binned ≤ max_b 2·tp_b'/(tp_b' + fp + P) − F1_binned.
// The AUROC flip (1 − AUROC below 0.5) is 1-Lipschitz and keeps the bound.
#ifndef VD_ANOMALY_METRIC_CURVES_H
#define VD_ANOMALY_METRIC_CURVES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vd_ksum {
  double sum;    // running sum
  double carry;  // compensation (Neumaier): the low-order part lost so far
} vd_ksum;

void vd_ksum_add(vd_ksum *k, double x);
double vd_ksum_value(const vd_ksum *k);

typedef struct vd_curve {
  uint64_t positives;  // P: anomalous samples in all
  uint64_t negatives;  // N: normal samples in all
  uint64_t tp;         // positives scoring at or above the current group
  uint64_t fp;         // negatives scoring at or above the current group
  double recall;       // recall at the previous point (0 before the first)
  vd_ksum area2;       // Σ dn·(tp_before + tp_after): twice the ROC area, in counts
  vd_ksum ap;          // Σ ΔR·precision
  double f1;           // largest finite F1 so far (the final (P = 1, R = 0) point gives 0)
  vd_ksum tie_area;    // untied groups: Σ dp·dn
  vd_ksum ap_bound;    // untied groups: Σ (dp/P)·(hi − lo)
  double f1_upper;     // untied groups: the best F1 any threshold inside one could reach
} vd_curve;

typedef struct vd_curve_result {
  double auroc;        // area under the ROC (flipped to 1 − area below 0.5); NaN without P or N
  double ap;           // average precision
  double f1;           // F1-max
  double auroc_bound;  // largest |auroc − exact| (0 when every group is tied)
  double ap_bound;     // largest |ap − exact|
  double f1_bound;     // largest |f1 − exact|
} vd_curve_result;

void vd_curve_begin(vd_curve *c, uint64_t positives, uint64_t negatives);
// The next group down: dp positives and dn negatives; tied when they all share one score (exact), else
// a bin of several scores (bounded).
void vd_curve_group(vd_curve *c, uint64_t dp, uint64_t dn, bool tied);
void vd_curve_finish(const vd_curve *c, vd_curve_result *out);

// The exact statistics of positives and negatives given as ascending sort keys (metric_sort.h).
void vd_curve_from_sorted(const uint64_t *pos, size_t np, const uint64_t *neg, size_t nn, vd_curve_result *out);

#endif
