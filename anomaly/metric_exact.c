#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly/metric_class.h"
#include "anomaly/metric_curves.h"
#include "anomaly/metric_sort.h"

vd_status vd_metric_store(vd_metric_class *c, const vd_metric_scratch *s, uint32_t regions, uint32_t positives,
                          uint64_t *bytes) {
  size_t n = (size_t)c->height * c->width;
  vd_metric_stored *st = &c->stored[c->images];
  st->values = malloc(n * sizeof(*st->values));
  st->areas = malloc((regions ? regions : 1) * sizeof(*st->areas));
  if (!st->values || !st->areas) {
    free(st->values);
    free(st->areas);
    memset(st, 0, sizeof(*st));
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "metrics: storing the pixels of image %zu of class %s",
                          c->images, c->name);
  }
  memcpy(st->values, s->split, n * sizeof(*st->values));
  memcpy(st->areas, s->areas, regions * sizeof(*st->areas));
  st->positives = positives;
  st->regions = regions;
  c->regions += regions;
  *bytes += n * sizeof(*st->values) + regions * sizeof(*st->areas);
  return NULL;
}

void vd_metric_stored_free(vd_metric_class *c) {
  if (!c->stored) return;
  for (size_t i = 0; i < c->images; ++i) {
    free(c->stored[i].values);
    free(c->stored[i].areas);
  }
  free(c->stored);
  c->stored = NULL;
}

// Adds one stored image to the AU-PRO counts, appends its keys, and frees its pixels.
static void vd_metric_exact_gather(vd_metric_stored *st, size_t n, const vd_pro_thresholds *t,
                                   vd_pro_counts *pro, uint64_t *pos, uint64_t *neg) {
  const double *v = st->values;
  for (uint32_t r = 0; r < st->regions; ++r) {
    vd_pro_add_region(pro, t, v, st->areas[r]);
    v += st->areas[r];
  }
  vd_pro_add_negatives(pro, t, st->values + st->positives, n - st->positives);
  for (uint32_t i = 0; i < st->positives; ++i) pos[i] = vd_sort_key(st->values[i]);
  for (size_t i = st->positives; i < n; ++i) neg[i - st->positives] = vd_sort_key(st->values[i]);
  free(st->values);
  free(st->areas);
  memset(st, 0, sizeof(*st));
}

// Sorts both key arrays (one scratch buffer for both) and walks the curve.
static vd_status vd_metric_exact_curve(uint64_t *pos, size_t np, uint64_t *neg, size_t nn,
                                       vd_curve_result *out) {
  uint64_t *tmp = malloc((np > nn ? np : nn) * sizeof(*tmp) + sizeof(*tmp));
  if (!tmp) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "metrics: sorting %zu pixel scores", np + nn);
  vd_sort_keys(pos, tmp, np);
  vd_sort_keys(neg, tmp, nn);
  free(tmp);
  vd_curve_from_sorted(pos, np, neg, nn, out);
  return NULL;
}

static vd_status vd_metric_exact_pixels(vd_metric_class *c, const vd_metrics_options *o,
                                        const vd_pro_thresholds *t, vd_pro_counts *pro, vd_metrics_class *out) {
  size_t n = (size_t)c->height * c->width;
  size_t np = c->anomalous_pixels, nn = c->images * n - np;
  uint64_t *pos = malloc(np * sizeof(*pos) + sizeof(*pos));
  uint64_t *neg = malloc(nn * sizeof(*neg) + sizeof(*neg));
  vd_status st = NULL;
  if (!pos || !neg)
    st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "metrics: %zu pixel keys of class %s", np + nn, c->name);
  size_t ip = 0, in = 0;
  for (size_t i = 0; !st && i < c->images; ++i) {
    vd_metric_stored *s = &c->stored[i];
    size_t sp = s->positives;
    vd_metric_exact_gather(s, n, t, pro, pos + ip, neg + in);
    ip += sp;
    in += n - sp;
  }
  vd_curve_result curve;
  if (!st) st = vd_metric_exact_curve(pos, np, neg, nn, &curve);
  free(pos);
  free(neg);
  if (st) return st;
  out->value[VD_METRIC_PIXEL_AUROC] = curve.auroc;
  out->value[VD_METRIC_PIXEL_AP] = curve.ap;
  out->value[VD_METRIC_PIXEL_F1] = curve.f1;
  out->value[VD_METRIC_PIXEL_AUPRO] = vd_pro_area(pro, o->pro_fpr_limit, &out->pro_kept);
  return NULL;
}

vd_status vd_metric_exact_finish(vd_metric_class *c, const vd_metrics_options *o, vd_metrics_class *out) {
  vd_pro_thresholds t;
  VD_RETURN_IF_ERROR(vd_pro_thresholds_make(c->min, c->max, o->pro_steps, &t));
  vd_pro_counts pro;
  vd_status st = vd_pro_counts_init(&pro, t.count);
  if (!st) st = vd_metric_exact_pixels(c, o, &t, &pro, out);
  out->pro_thresholds = t.count;
  vd_pro_counts_free(&pro);
  vd_pro_thresholds_free(&t);
  return st;
}
