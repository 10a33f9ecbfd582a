#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly/metric_class.h"
#include "anomaly/metric_curves.h"

// Streaming mode: per class, a score histogram (pos_bins / neg_bins) over the first pass's range
// [min, max] in `bins` equal bins, and exact AU-PRO counts at the thresholds that range defines. A bin
// also remembers its first score and whether a different one followed: a bin of one score is an exact
// tie group and adds nothing to the error bound. Memory per class: 24.125·bins + 24·(thresholds + 1)
// bytes, whatever the number of images.

vd_status vd_metric_stream_begin(vd_metric_class *c, const vd_metrics_options *o) {
  vd_metric_stream *s = calloc(1, sizeof(*s));
  if (!s) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "metrics: streaming counts of class %s", c->name);
  c->stream = s;
  s->bins = o->histogram_bins;
  s->lo = c->min;
  s->scale = c->max > c->min ? (double)s->bins / (c->max - c->min) : 0.0;
  if (!isfinite(s->scale)) s->scale = 0.0;  // a range below the smallest normal double: one bin
  s->pos_bins = calloc(s->bins, sizeof(*s->pos_bins));
  s->neg_bins = calloc(s->bins, sizeof(*s->neg_bins));
  s->bin_value = calloc(s->bins, sizeof(*s->bin_value));
  s->bin_mixed = calloc(s->bins / 8 + 1, sizeof(*s->bin_mixed));
  if (!s->pos_bins || !s->neg_bins || !s->bin_value || !s->bin_mixed)
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "metrics: %u-bin histograms of class %s", s->bins, c->name);
  VD_RETURN_IF_ERROR(vd_pro_thresholds_make(c->min, c->max, o->pro_steps, &s->thresholds));
  return vd_pro_counts_init(&s->pro, s->thresholds.count);
}

void vd_metric_stream_free(vd_metric_class *c) {
  vd_metric_stream *s = c->stream;
  if (!s) return;
  vd_pro_thresholds_free(&s->thresholds);
  vd_pro_counts_free(&s->pro);
  free(s->pos_bins);
  free(s->neg_bins);
  free(s->bin_value);
  free(s->bin_mixed);
  free(s);
  c->stream = NULL;
}

// Histogram bin of a score in [lo, lo + bins/scale]: non-decreasing in v.
static uint32_t vd_stream_bin(const vd_metric_stream *s, double v) {
  double b = floor((v - s->lo) * s->scale);
  return b <= 0.0 ? 0 : b >= (double)(s->bins - 1) ? s->bins - 1 : (uint32_t)b;
}

static void vd_stream_count(vd_metric_stream *s, double v, bool anomalous) {
  uint32_t b = vd_stream_bin(s, v);
  if (!s->pos_bins[b] && !s->neg_bins[b])
    s->bin_value[b] = v;
  else if (v != s->bin_value[b])
    s->bin_mixed[b / 8] |= (uint8_t)(1u << (b % 8));
  if (anomalous)
    ++s->pos_bins[b];
  else
    ++s->neg_bins[b];
}

void vd_metric_stream_add(vd_metric_class *c, const vd_metric_scratch *sc, const uint8_t *mask,
                          uint32_t regions, uint32_t positives) {
  vd_metric_stream *s = c->stream;
  size_t n = (size_t)c->height * c->width;
  const double *v = sc->split;
  for (uint32_t r = 0; r < regions; ++r) {
    vd_pro_add_region(&s->pro, &s->thresholds, v, sc->areas[r]);
    v += sc->areas[r];
  }
  vd_pro_add_negatives(&s->pro, &s->thresholds, sc->split + positives, n - positives);
  for (size_t i = 0; i < n; ++i) vd_stream_count(s, sc->map[i], mask[i] != 0);
  c->regions += regions;
  s->anomalous_pixels += positives;
  ++s->images;
}

vd_status vd_metric_stream_finish(vd_metric_class *c, const vd_metrics_options *o, vd_metrics_class *out) {
  vd_metric_stream *s = c->stream;
  uint64_t np = c->anomalous_pixels, nn = c->images * (uint64_t)c->height * c->width - np;
  vd_curve curve;
  vd_curve_begin(&curve, np, nn);
  for (uint32_t b = s->bins; b-- > 0;)
    vd_curve_group(&curve, s->pos_bins[b], s->neg_bins[b], !(s->bin_mixed[b / 8] & (1u << (b % 8))));
  vd_curve_result r;
  vd_curve_finish(&curve, &r);
  out->value[VD_METRIC_PIXEL_AUROC] = r.auroc;
  out->value[VD_METRIC_PIXEL_AP] = r.ap;
  out->value[VD_METRIC_PIXEL_F1] = r.f1;
  out->bound[VD_METRIC_PIXEL_AUROC] = r.auroc_bound;
  out->bound[VD_METRIC_PIXEL_AP] = r.ap_bound;
  out->bound[VD_METRIC_PIXEL_F1] = r.f1_bound;
  out->value[VD_METRIC_PIXEL_AUPRO] = vd_pro_area(&s->pro, o->pro_fpr_limit, &out->pro_kept);
  out->pro_thresholds = s->thresholds.count;
  return NULL;
}
