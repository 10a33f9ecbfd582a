#include "anomaly/anomaly_map_runner.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/dump.h"

// models/net_cache.h keys networks by (kind, n, h, w, len) and binds weights; a map has any number of
// levels and no weights, so its cache keys by the whole shape.
typedef struct vd_amap_entry {
  vd_amap_shape shape;  // what it was built for (zero-filled past level_count, so memcmp compares)
  vd_graph *graph;      // its graph
  vd_exec *exec;        // recorded once
} vd_amap_entry;

struct vd_amap_runner {
  vd_context *ctx;        // device
  vd_kernels *kernels;    // pipelines
  vd_precision precision; // feature storage
  vd_wide wide;           // float64 representation
  uint32_t count;         // live entries
  vd_amap_entry entries[VD_AMAP_CACHE_SIZE];  // oldest first
  vd_exec *last;          // executor of the last run
};

static vd_status vd_amap_pick_wide(const vd_context *ctx, vd_amap_wide_choice choice, vd_wide *out_wide) {
  if (choice == VD_AMAP_WIDE_F64 && !ctx->policy.fp64)
    return vd_status_make(VD_ERR_UNAVAILABLE, "anomaly map: float64 requested but %s has no shaderFloat64 "
                                              "enabled (or VLMD_DISABLE_FP64 is set)", ctx->info->name);
  *out_wide = choice == VD_AMAP_WIDE_DF64 || !ctx->policy.fp64 ? VD_WIDE_DF64 : VD_WIDE_F64;
  return NULL;
}

vd_status vd_amap_runner_create(vd_context *ctx, const vd_amap_options *options, vd_amap_runner **out_runner) {
  *out_runner = NULL;
  vd_amap_options o = options ? *options : (vd_amap_options){0};
  if (o.precision == VD_PRECISION_F16 && !ctx->policy.fp16_storage)
    return vd_status_make(VD_ERR_UNAVAILABLE, "anomaly map: %s has no 16-bit storage for fp16 features",
                          ctx->info->name);
  vd_amap_runner *r = calloc(1, sizeof(*r));
  if (!r) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "anomaly map runner");
  r->ctx = ctx;
  r->precision = o.precision;
  vd_status st = vd_amap_pick_wide(ctx, o.wide, &r->wide);
  if (!st) st = vd_kernels_create(ctx, &r->kernels);
  if (st) {
    vd_amap_runner_destroy(r);
    return st;
  }
  *out_runner = r;
  return NULL;
}

static void vd_amap_entry_free(vd_amap_entry *e) {
  vd_exec_destroy(e->exec);
  vd_graph_destroy(e->graph);
  memset(e, 0, sizeof(*e));
}

void vd_amap_runner_destroy(vd_amap_runner *r) {
  if (!r) return;
  for (uint32_t i = 0; i < r->count; ++i) vd_amap_entry_free(&r->entries[i]);
  vd_kernels_destroy(r->kernels);
  free(r);
}

vd_wide vd_amap_runner_wide(const vd_amap_runner *r) { return r->wide; }
vd_exec *vd_amap_runner_last(vd_amap_runner *r) { return r->last; }

// The recorded executor for a shape (canonical: unused levels zeroed), building it on first use.
static vd_status vd_amap_get(vd_amap_runner *r, const vd_amap_shape *key, vd_exec **out_exec) {
  for (uint32_t i = 0; i < r->count; ++i)
    if (memcmp(&r->entries[i].shape, key, sizeof(*key)) == 0) return *out_exec = r->entries[i].exec, NULL;
  if (r->count == VD_AMAP_CACHE_SIZE) {
    if (r->last == r->entries[0].exec) r->last = NULL;
    vd_amap_entry_free(&r->entries[0]);
    memmove(&r->entries[0], &r->entries[1], (VD_AMAP_CACHE_SIZE - 1) * sizeof(vd_amap_entry));
    r->count--;
  }
  vd_amap_entry *e = &r->entries[r->count];
  *e = (vd_amap_entry){.shape = *key};
  vd_status st = vd_graph_create(r->precision, &e->graph);
  if (!st) st = vd_amap_build(e->graph, key, r->wide);
  if (!st) st = vd_exec_create(r->ctx, r->kernels, e->graph, NULL, NULL, NULL, &e->exec);
  if (st) {
    vd_amap_entry_free(e);
    return vd_status_annotate(st, "anomaly map graph");
  }
  r->count++;
  *out_exec = e->exec;
  return NULL;
}

static vd_status vd_amap_write_inputs(vd_exec *e, const vd_amap_shape *s, const float *const *fa,
                                      const float *const *fb) {
  for (uint32_t i = 0; i < s->level_count; ++i) {
    const vd_amap_level *l = &s->levels[i];
    uint64_t n = (uint64_t)s->n * l->c * l->h * l->w;
    char na[32], nb[32];
    snprintf(na, sizeof(na), "features_a.%u", i);
    snprintf(nb, sizeof(nb), "features_b.%u", i);
    VD_RETURN_IF_ERROR(vd_exec_write_f32(e, na, fa[i], n));
    VD_RETURN_IF_ERROR(vd_exec_write_f32(e, nb, fb[i], n));
  }
  return NULL;
}

vd_status vd_amap_run(vd_amap_runner *r, const vd_amap_shape *shape, const float *const *features_a,
                      const float *const *features_b, float *map, double *score) {
  VD_RETURN_IF_ERROR(vd_amap_shape_check(shape));
  vd_amap_shape key;
  memset(&key, 0, sizeof(key));
  key.n = shape->n, key.h = shape->h, key.w = shape->w, key.level_count = shape->level_count;
  memcpy(key.levels, shape->levels, shape->level_count * sizeof(vd_amap_level));
  vd_exec *e = NULL;
  VD_RETURN_IF_ERROR(vd_amap_get(r, &key, &e));
  r->last = e;
  VD_RETURN_IF_ERROR(vd_amap_write_inputs(e, &key, features_a, features_b));
  VD_RETURN_IF_ERROR(vd_exec_run(e));
  VD_RETURN_IF_ERROR(vd_dump_after_run(e, "anomaly-map"));
  VD_RETURN_IF_ERROR(vd_exec_read_f32(e, "map", map, (uint64_t)key.n * key.h * key.w));
  if (!score) return NULL;
  if (vd_amap_scored(&key)) return vd_exec_read_f64(e, "score", score, key.n);
  for (uint32_t i = 0; i < key.n; ++i) score[i] = NAN;
  return NULL;
}
