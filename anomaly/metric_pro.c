#include "anomaly/metric_pro.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

// i·d rounded to a double on its own: a fused multiply-add (min + i·d in one rounding) would not be
// what NumPy computes.
static double vd_pro_product(uint32_t i, double d) {
  volatile double p = (double)i * d;
  return p;
}

vd_status vd_pro_thresholds_make(double min, double max, uint32_t steps, vd_pro_thresholds *out) {
  memset(out, 0, sizeof(*out));
  double range = max - min;
  double step = range / (double)steps;
  double len = ceil(range / step);
  if (!isfinite(len) || !(len >= 1.0) || len > (double)VD_PRO_MAX_THRESHOLDS) return NULL;
  out->count = (uint32_t)len;
  out->value = malloc(out->count * sizeof(*out->value));
  if (!out->value) {
    out->count = 0;
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "AU-PRO: %u thresholds", (unsigned)len);
  }
  out->value[0] = min;
  if (out->count > 1) out->value[1] = min + step;
  double d = out->count > 1 ? out->value[1] - min : 0.0;
  for (uint32_t i = 2; i < out->count; ++i) out->value[i] = min + vd_pro_product(i, d);
  out->start = min;
  out->step = d;
  return NULL;
}

void vd_pro_thresholds_free(vd_pro_thresholds *t) {
  free(t->value);
  memset(t, 0, sizeof(*t));
}

uint32_t vd_pro_bin(const vd_pro_thresholds *t, double v) {
  uint32_t n = t->count, b = 0;
  if (t->step > 0.0) {  // start near the answer; the two loops below make it exact
    double g = ceil((v - t->start) / t->step);
    b = g <= 0.0 ? 0 : g >= (double)n ? n : (uint32_t)g;
  }
  while (b > 0 && t->value[b - 1] >= v) --b;
  while (b < n && t->value[b] < v) ++b;
  return b;
}

vd_status vd_pro_counts_init(vd_pro_counts *c, uint32_t count) {
  memset(c, 0, sizeof(*c));
  c->count = count;
  c->overlap = calloc(count ? count : 1, sizeof(*c->overlap));
  c->negative_bins = calloc((size_t)count + 1, sizeof(*c->negative_bins));
  c->region_bins = calloc((size_t)count + 1, sizeof(*c->region_bins));
  if (c->overlap && c->negative_bins && c->region_bins) return NULL;
  vd_pro_counts_free(c);
  return vd_status_make(VD_ERR_OUT_OF_MEMORY, "AU-PRO counts for %u thresholds", (unsigned)count);
}

void vd_pro_counts_free(vd_pro_counts *c) {
  free(c->overlap);
  free(c->negative_bins);
  free(c->region_bins);
  memset(c, 0, sizeof(*c));
}

void vd_pro_add_region(vd_pro_counts *c, const vd_pro_thresholds *t, const double *values, uint32_t area) {
  ++c->regions;
  if (!c->count) return;
  uint32_t top = 0;  // highest bin used
  for (uint32_t i = 0; i < area; ++i) {
    uint32_t b = vd_pro_bin(t, values[i]);
    ++c->region_bins[b];
    if (b > top) top = b;
  }
  // Above threshold j: the pixels in bins j + 1 … top.
  uint32_t above = 0;
  for (uint32_t j = top; j-- > 0;) {
    above += c->region_bins[j + 1];
    c->region_bins[j + 1] = 0;
    vd_ksum_add(&c->overlap[j], (double)above / (double)area);
  }
  c->region_bins[0] = 0;
}

void vd_pro_add_negatives(vd_pro_counts *c, const vd_pro_thresholds *t, const double *values, size_t n) {
  c->negatives += n;
  if (!c->count) return;
  for (size_t i = 0; i < n; ++i) ++c->negative_bins[vd_pro_bin(t, values[i])];
}

// FPR at every threshold, into fpr[count]: normal pixels above it over all normal pixels.
static void vd_pro_fpr(const vd_pro_counts *c, double *fpr) {
  uint64_t above = 0;
  for (uint32_t j = c->count; j-- > 0;) {
    above += c->negative_bins[j + 1];
    fpr[j] = (double)above / (double)c->negatives;
  }
}

double vd_pro_area(const vd_pro_counts *c, double fpr_limit, uint32_t *out_kept) {
  *out_kept = 0;
  if (!c->count || !c->negatives) return NAN;
  double *fpr = malloc(c->count * sizeof(*fpr));
  if (!fpr) return NAN;
  vd_pro_fpr(c, fpr);
  // FPR falls as the threshold rises, so the kept thresholds are the last ones, from first_kept on.
  uint32_t first_kept = c->count;
  while (first_kept > 0 && fpr[first_kept - 1] < fpr_limit) --first_kept;
  uint32_t kept = c->count - first_kept;
  *out_kept = kept;
  double area = NAN;
  if (c->regions && kept >= 2 && fpr[first_kept] > 0.0) {
    double scale = fpr[first_kept];
    vd_ksum sum = {0.0, 0.0};
    for (uint32_t j = first_kept; j + 1 < c->count; ++j) {
      double y0 = vd_ksum_value(&c->overlap[j]) / (double)c->regions;
      double y1 = vd_ksum_value(&c->overlap[j + 1]) / (double)c->regions;
      vd_ksum_add(&sum, (fpr[j] / scale - fpr[j + 1] / scale) * (y0 + y1) / 2.0);
    }
    area = vd_ksum_value(&sum);
  }
  free(fpr);
  return area;
}
