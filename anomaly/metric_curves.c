#include "anomaly/metric_curves.h"

#include <math.h>
#include <string.h>

void vd_ksum_add(vd_ksum *k, double x) {
  double t = k->sum + x;
  if (fabs(k->sum) >= fabs(x))
    k->carry += (k->sum - t) + x;
  else
    k->carry += (x - t) + k->sum;
  k->sum = t;
}

double vd_ksum_value(const vd_ksum *k) { return k->sum + k->carry; }

void vd_curve_begin(vd_curve *c, uint64_t positives, uint64_t negatives) {
  memset(c, 0, sizeof(*c));
  c->positives = positives;
  c->negatives = negatives;
}

// Bounds of a bin holding dp > 0 positives, given the counts above it (tp, fp) and including it.
static void vd_curve_bin_bounds(vd_curve *c, uint64_t dp, uint64_t tp_after, uint64_t fp_after) {
  double p = (double)c->positives;
  double lo = (double)(c->tp + 1) / (double)(c->tp + 1 + fp_after);
  double hi = (double)tp_after / (double)(tp_after + c->fp);
  vd_ksum_add(&c->ap_bound, (double)dp / p * (hi - lo));
  double f1u = 2.0 * (double)tp_after / ((double)tp_after + (double)c->fp + p);
  if (f1u > c->f1_upper) c->f1_upper = f1u;
}

void vd_curve_group(vd_curve *c, uint64_t dp, uint64_t dn, bool tied) {
  if (!dp && !dn) return;
  uint64_t tp = c->tp + dp, fp = c->fp + dn;
  vd_ksum_add(&c->area2, (double)dn * (double)(c->tp + tp));
  // precision_recall_curve: precision = tps / (tps + fps), recall = tps / tps[-1] (1 when no positives).
  double precision = (double)tp / (double)(tp + fp);
  double recall = c->positives ? (double)tp / (double)c->positives : 1.0;
  vd_ksum_add(&c->ap, (recall - c->recall) * precision);
  double f1 = 2.0 * precision * recall / (precision + recall);
  if (isfinite(f1) && f1 > c->f1) c->f1 = f1;
  if (!tied && dp) {
    vd_ksum_add(&c->tie_area, (double)dp * (double)dn);
    vd_curve_bin_bounds(c, dp, tp, fp);
  }
  c->recall = recall;
  c->tp = tp;
  c->fp = fp;
}

void vd_curve_finish(const vd_curve *c, vd_curve_result *out) {
  memset(out, 0, sizeof(*out));
  double pn = (double)c->positives * (double)c->negatives;
  out->auroc = pn > 0 ? vd_ksum_value(&c->area2) / (2.0 * pn) : NAN;
  if (out->auroc < 0.5) out->auroc = 1.0 - out->auroc;
  out->ap = vd_ksum_value(&c->ap);
  out->f1 = c->f1;
  out->auroc_bound = pn > 0 ? vd_ksum_value(&c->tie_area) / (2.0 * pn) : 0.0;
  out->ap_bound = vd_ksum_value(&c->ap_bound);
  out->f1_bound = c->f1_upper > c->f1 ? c->f1_upper - c->f1 : 0.0;
}

void vd_curve_from_sorted(const uint64_t *pos, size_t np, const uint64_t *neg, size_t nn,
                          vd_curve_result *out) {
  vd_curve c;
  vd_curve_begin(&c, np, nn);
  size_t i = np, j = nn;
  while (i || j) {
    uint64_t t = !i ? neg[j - 1] : !j ? pos[i - 1] : pos[i - 1] > neg[j - 1] ? pos[i - 1] : neg[j - 1];
    uint64_t dp = 0, dn = 0;
    for (; i && pos[i - 1] == t; --i) ++dp;
    for (; j && neg[j - 1] == t; --j) ++dn;
    vd_curve_group(&c, dp, dn, true);
  }
  vd_curve_finish(&c, out);
}
