#include <string.h>

#include "anomaly/labels.h"
#include "anomaly/metric_class.h"

uint32_t vd_metric_split(vd_metric_scratch *s, const uint8_t *mask, uint32_t h, uint32_t w,
                         uint32_t *out_positives) {
  size_t n = (size_t)h * w;
  uint32_t regions = vd_label_components(mask, h, w, s->labels, s->parent);
  size_t positives = vd_group_by_component(s->map, s->labels, n, regions, s->split, s->areas, s->parent);
  double *neg = s->split + positives;
  for (size_t i = 0; i < n; ++i)
    if (!mask[i]) *neg++ = s->map[i];
  *out_positives = (uint32_t)positives;
  return regions;
}
