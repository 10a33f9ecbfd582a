#include "anomaly/anomaly_map.h"

#include <stdio.h>

vd_status vd_amap_shape_check(const vd_amap_shape *s) {
  if (!s->n || !s->h || !s->w)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "anomaly map: empty batch or image size (%u images of %ux%u)",
                          s->n, s->h, s->w);
  if (!s->level_count || s->level_count > VD_AMAP_MAX_LEVELS)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "anomaly map: %u feature levels (1..%d)", s->level_count,
                          VD_AMAP_MAX_LEVELS);
  for (uint32_t i = 0; i < s->level_count; ++i) {
    const vd_amap_level *l = &s->levels[i];
    if (!l->c || !l->h || !l->w)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT, "anomaly map: level %u is empty (%u channels, %ux%u)", i,
                            l->c, l->h, l->w);
  }
  return NULL;
}

bool vd_amap_scored(const vd_amap_shape *s) { return s->h >= VD_AMAP_MIN_SCORED && s->w >= VD_AMAP_MIN_SCORED; }

// The score: eight 8x8 pools of the smoothed map, then the max per image.
static vd_tensor_id vd_amap_score(vd_graph *g, vd_tensor_id smooth) {
  vd_tensor_id t = smooth;
  for (int i = 0; i < VD_AMAP_POOLS; ++i) {
    char name[32];
    snprintf(name, sizeof(name), "pool.%d", i);
    t = vd_b_avgpool_wide(g, name, t, VD_AMAP_POOL_K);
  }
  return vd_b_max_wide(g, "max", t);
}

vd_status vd_amap_build_tail(vd_graph *g, vd_tensor_id sum) {
  const vd_tensor *ts = vd_graph_get_tensor(g, sum);
  bool scored = ts && ts->rank == 3 && ts->shape[1] >= VD_AMAP_MIN_SCORED && ts->shape[2] >= VD_AMAP_MIN_SCORED;
  vd_tensor_id map = VD_NO_TENSOR;
  vd_tensor_id smooth = vd_b_blur_wide(g, "blur", sum, VD_AMAP_SIGMA, VD_AMAP_TRUNCATE, &map);
  vd_graph_output(g, map, "map");
  vd_graph_output(g, smooth, "map_f64");
  if (scored) vd_graph_output(g, vd_amap_score(g, smooth), "score");
  return vd_graph_error(g);
}

vd_status vd_amap_build(vd_graph *g, const vd_amap_shape *s, vd_wide wide) {
  VD_RETURN_IF_ERROR(vd_amap_shape_check(s));
  vd_dtype fdt = vd_graph_float_dtype(g);
  vd_tensor_id sum = VD_NO_TENSOR;
  for (uint32_t i = 0; i < s->level_count; ++i) {
    const vd_amap_level *l = &s->levels[i];
    int64_t shape[4] = {s->n, l->c, l->h, l->w};
    char na[32], nb[32], cos[32], up[32];
    snprintf(na, sizeof(na), "features_a.%u", i);
    snprintf(nb, sizeof(nb), "features_b.%u", i);
    snprintf(cos, sizeof(cos), "level.%u.one_minus_cos", i);
    snprintf(up, sizeof(up), "level.%u.sum", i);
    vd_tensor_id a = vd_graph_input(g, na, fdt, 4, shape), b = vd_graph_input(g, nb, fdt, 4, shape);
    sum = vd_b_amap_upsample_add(g, up, wide, vd_b_amap_cosine(g, cos, a, b), sum, s->h, s->w);
  }
  return vd_amap_build_tail(g, sum);
}
