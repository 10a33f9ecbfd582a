// Inputs: features_a / features_b [N, C, h, w] (one level) or features_a.<i> / features_b.<i> for levels
// i = 0, 1, ... (any float dtype, converted to float32), and image_size [1] (H = W) or [2] (H, W), integer.
// Outputs: map F32 [N, H, W] (the Gaussian-smoothed map) and score F64 [N] (the image score from the
// float64 map; NaN when a side is below 57). Written to OUT.tmp, then renamed: no half-written file.
#include "apps/forward_anomaly_map.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly/anomaly_map_runner.h"
#include "apps/cli.h"
#include "apps/tensor_file.h"
#include "formats/safetensors_writer.h"

#define AMAP_MAX_SIDE 16384  // image sides accepted from image_size

typedef struct vd_amap_inputs {
  vd_amap_shape shape;                          // levels, batch and image size
  vd_host_array a[VD_AMAP_MAX_LEVELS];          // features_a per level
  vd_host_array b[VD_AMAP_MAX_LEVELS];          // features_b per level
} vd_amap_inputs;

static void vd_amap_inputs_free(vd_amap_inputs *in) {
  for (int i = 0; i < VD_AMAP_MAX_LEVELS; ++i) vd_host_array_free(&in->a[i]), vd_host_array_free(&in->b[i]);
}

// The names of level i's tensors: unsuffixed for the one-level form.
static void vd_level_names(bool single, uint32_t i, char na[32], char nb[32]) {
  snprintf(na, 32, single ? "features_a" : "features_a.%u", i);
  snprintf(nb, 32, single ? "features_b" : "features_b.%u", i);
}

// How many levels the file has, and in which form; errors name what is missing or mixed.
static vd_status vd_count_levels(const vd_safetensors *f, bool *out_single, uint32_t *out_count) {
  bool single = vd_safetensors_find(f, "features_a") || vd_safetensors_find(f, "features_b");
  uint32_t n = 0;
  char na[32], nb[32];
  for (;; ++n) {
    vd_level_names(false, n, na, nb);
    if (!vd_safetensors_find(f, na) && !vd_safetensors_find(f, nb)) break;
  }
  if (single && n)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "inputs mix features_a/features_b with features_a.0, ...: give "
                                                   "one level unsuffixed or every level numbered");
  if (!single && !n)
    return vd_status_make(VD_ERR_NOT_FOUND, "input tensor \"features_a\" is missing (or features_a.0, "
                                            "features_b.0, ... for several levels)");
  if (n > VD_AMAP_MAX_LEVELS)
    return vd_status_make(VD_ERR_LIMIT, "inputs hold %u feature levels, at most %d", n, VD_AMAP_MAX_LEVELS);
  *out_single = single;
  *out_count = single ? 1 : n;
  return NULL;
}

// Level i: both tensors present, [N, C, h, w] of one shape, N shared by every level.
static vd_status vd_read_level(const vd_safetensors *f, bool single, uint32_t i, vd_amap_inputs *in) {
  char na[32], nb[32];
  bool found;
  vd_level_names(single, i, na, nb);
  VD_RETURN_IF_ERROR(vd_input_f32(f, na, false, &in->a[i], &found));
  VD_RETURN_IF_ERROR(vd_input_f32(f, nb, false, &in->b[i], &found));
  int64_t any[4] = {i ? in->a[0].shape[0] : -1, -1, -1, -1};
  VD_RETURN_IF_ERROR(vd_input_expect(na, &in->a[i], 4, any));
  VD_RETURN_IF_ERROR(vd_input_expect(nb, &in->b[i], 4, in->a[i].shape));
  const int64_t *s = in->a[i].shape;
  if (s[0] < 1 || s[1] < 1 || s[2] < 1 || s[3] < 1 || s[1] > UINT32_MAX || s[2] * s[3] > UINT32_MAX)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "input %s: empty or oversized shape", na);
  in->shape.levels[i] = (vd_amap_level){(uint32_t)s[1], (uint32_t)s[2], (uint32_t)s[3]};
  return NULL;
}

static vd_status vd_read_image_size(const vd_safetensors *f, vd_amap_shape *s) {
  vd_host_array sz;
  VD_RETURN_IF_ERROR(vd_input_i32(f, "image_size", &sz));
  vd_status st = NULL;
  if (sz.rank != 1 || (sz.count != 1 && sz.count != 2))
    st = vd_status_make(VD_ERR_INVALID_ARGUMENT, "input image_size must be [1] (H = W) or [2] (H, W)");
  for (uint64_t k = 0; !st && k < sz.count; ++k)
    if (sz.i[k] < 1 || sz.i[k] > AMAP_MAX_SIDE)
      st = vd_status_make(VD_ERR_INVALID_ARGUMENT, "input image_size: %d is outside 1..%d", sz.i[k], AMAP_MAX_SIDE);
  if (!st) s->h = (uint32_t)sz.i[0], s->w = (uint32_t)sz.i[sz.count - 1];
  vd_host_array_free(&sz);
  return st;
}

static vd_status vd_read_amap_inputs(const vd_safetensors *f, vd_amap_inputs *in) {
  bool single = false;
  VD_RETURN_IF_ERROR(vd_count_levels(f, &single, &in->shape.level_count));
  for (uint32_t i = 0; i < in->shape.level_count; ++i) VD_RETURN_IF_ERROR(vd_read_level(f, single, i, in));
  in->shape.n = (uint32_t)in->a[0].shape[0];
  return vd_read_image_size(f, &in->shape);
}

static vd_status vd_write_amap(const char *path, const vd_amap_shape *s, const float *map, const double *score) {
  vd_safetensors_entry e[2] = {{.name = "map", .dtype = VD_WEIGHT_F32, .rank = 3, .shape = {s->n, s->h, s->w}},
                               {.name = "score", .dtype = VD_WEIGHT_F64, .rank = 1, .shape = {s->n}}};
  vd_safetensors_writer *w = NULL;
  VD_RETURN_IF_ERROR(vd_safetensors_writer_create(path, e, 2, &w));
  vd_status st = vd_safetensors_writer_write(w, map, 4ull * s->n * s->h * s->w);
  if (!st) st = vd_safetensors_writer_write(w, score, 8ull * s->n);
  if (st) {
    vd_safetensors_writer_destroy(w);
    return st;
  }
  return vd_safetensors_writer_finish(w);
}

static vd_status vd_amap_compute(vd_context *ctx, vd_precision prec, const vd_amap_inputs *in, const char *out) {
  const vd_amap_shape *s = &in->shape;
  uint64_t nm = (uint64_t)s->n * s->h * s->w;
  float *map = malloc(nm * 4 + 4);
  double *score = malloc(8ull * s->n + 8);
  const float *fa[VD_AMAP_MAX_LEVELS], *fb[VD_AMAP_MAX_LEVELS];
  for (uint32_t i = 0; i < s->level_count; ++i) fa[i] = in->a[i].f, fb[i] = in->b[i].f;
  vd_amap_options o = {.precision = prec};
  vd_amap_runner *r = NULL;
  vd_status st = map && score ? vd_amap_runner_create(ctx, &o, &r) : vd_status_make(VD_ERR_OUT_OF_MEMORY, "map");
  if (!st) st = vd_amap_run(r, s, fa, fb, map, score);
  if (!st && !vd_amap_scored(s))
    fprintf(stderr, "vlmdiff forward: note: a %ux%u image has no score (the eight 8x8 pools need 57x57): NaN\n",
            s->h, s->w);
  if (!st) st = vd_write_amap(out, s, map, score);
  vd_amap_runner_destroy(r);
  free(map), free(score);
  return st;
}

int vd_forward_anomaly_map(const char *inputs, const char *out, const char *precision, const char *device) {
  vd_safetensors *f = NULL;
  vd_context *ctx = NULL;
  vd_amap_inputs in;
  memset(&in, 0, sizeof(in));
  vd_status st = vd_safetensors_open(inputs, &f);
  if (!st) st = vd_read_amap_inputs(f, &in);
  vd_context_options co = {.device = device};
  if (!st) st = vd_context_create(&co, &ctx);
  vd_precision prec = precision && strcmp(precision, "fp16") == 0 ? VD_PRECISION_F16 : VD_PRECISION_F32;
  if (!st) st = vd_amap_compute(ctx, prec, &in, out);
  vd_amap_inputs_free(&in);
  vd_context_destroy(ctx);
  vd_safetensors_destroy(f);
  return st ? vd_cli_fail("forward", st) : 0;
}
