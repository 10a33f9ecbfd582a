#include "apps/bench.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/half.h"

static uint64_t vd_bench_next(uint64_t *s) {
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ull;
}

static vd_status vd_bench_track(vd_bench *b, vd_buffer *buf) {
  if (b->buffer_count == VD_BENCH_MAX_BUFFERS) {
    vd_buffer_destroy(b->ctx, buf);
    return vd_status_make(VD_ERR_INTERNAL, "a bench case uses more than %d buffers", VD_BENCH_MAX_BUFFERS);
  }
  b->buffers[b->buffer_count++] = buf;
  return NULL;
}

vd_status vd_bench_output(vd_bench *b, uint64_t bytes, vd_view *out_view) {
  vd_buffer *buf = NULL;
  VD_RETURN_IF_ERROR(vd_buffer_create(b->ctx, VD_MEMORY_DEVICE, bytes ? bytes : 4, &buf));
  VD_RETURN_IF_ERROR(vd_bench_track(b, buf));
  *out_view = vd_view_of(buf);
  return NULL;
}

vd_status vd_bench_random(vd_bench *b, uint64_t n, float lo, float hi, bool f32, vd_view *out_view) {
  bool half = !f32 && b->precision == VD_PRECISION_F16;
  uint64_t bytes = n * (half ? 2 : 4);
  VD_RETURN_IF_ERROR(vd_bench_output(b, bytes, out_view));
  void *host = malloc(bytes ? bytes : 4);
  if (!host) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "bench input of %llu bytes", (unsigned long long)bytes);
  for (uint64_t i = 0; i < n; ++i) {
    float v = lo + (hi - lo) * (float)((double)(vd_bench_next(&b->seed) >> 11) * (1.0 / 9007199254740992.0));
    if (half) ((uint16_t *)host)[i] = vd_f32_to_f16(v);
    else ((float *)host)[i] = v;
  }
  vd_status st = vd_buffer_upload(b->ctx, (vd_buffer *)out_view->buffer, 0, host, bytes);
  free(host);
  return st;
}

void vd_bench_end_case(vd_bench *b) {
  for (uint32_t i = 0; i < b->buffer_count; ++i) vd_buffer_destroy(b->ctx, b->buffers[i]);
  b->buffer_count = 0;
}

bool vd_bench_selected(const vd_bench *b, const char *name) {
  return !b->filter || !b->filter[0] || strstr(name, b->filter);
}

static int vd_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

vd_status vd_bench_measure(vd_bench *b, const char *name, const char *shape, const char *variant, double flops,
                           double bytes, vd_bench_record_fn record_fn, void *user) {
  if (b->row_count == VD_BENCH_MAX_ROWS) return vd_status_make(VD_ERR_LIMIT, "too many bench rows");
  vd_cmd *cmd = NULL;
  uint32_t reps = b->repeat ? b->repeat : 1;
  VD_RETURN_IF_ERROR(vd_cmd_create(b->ctx, 64 * (reps + 1), &cmd));
  vd_op_env env = {.kernels = b->kernels, .cmd = cmd, .precision = b->precision, .label = NULL};
  vd_status st = vd_cmd_begin(cmd);
  if (!st) st = record_fn(&env, user);  // warm-up (untimed): first-touch and pipeline creation
  uint32_t per_exec = 0;
  for (uint32_t r = 0; !st && r < reps; ++r) {
    vd_cmd_barrier(cmd);
    uint32_t before = cmd->timed_count;
    env.label = name;
    st = record_fn(&env, user);
    per_exec = cmd->timed_count - before;
  }
  if (!st) st = vd_cmd_end(cmd);
  if (!st) st = vd_cmd_run(cmd);
  vd_dispatch_timing *t = NULL;
  double *per = NULL;
  uint32_t n = 0;
  if (!st) {
    t = malloc(64 * (reps + 1) * sizeof(*t));
    per = calloc(reps + 1, sizeof(double));
    st = t && per ? vd_cmd_timings(cmd, t, 64 * (reps + 1), &n) : vd_status_make(VD_ERR_OUT_OF_MEMORY, "timings");
  }
  if (!st && per_exec && n >= per_exec * reps) {
    for (uint32_t r = 0; r < reps; ++r)
      for (uint32_t d = 0; d < per_exec; ++d) per[r] += t[r * per_exec + d].ms;
    qsort(per, reps, sizeof(double), vd_cmp_double);
    vd_bench_row *row = &b->rows[b->row_count++];
    snprintf(row->name, sizeof(row->name), "%s", name);
    snprintf(row->shape, sizeof(row->shape), "%s", shape);
    snprintf(row->variant, sizeof(row->variant), "%s %s", variant, vd_precision_name(b->precision));
    row->ms = per[reps / 2];
    row->flops = flops;
    row->bytes = bytes;
  } else if (!st) {
    st = vd_status_make(VD_ERR_UNAVAILABLE, "%s: no timestamps on this device", name);
  }
  free(t);
  free(per);
  vd_cmd_destroy(cmd);
  return st;
}

void vd_bench_print(const vd_bench *b, FILE *out) {
  fprintf(out, "%-20s %-32s %-36s %10s %14s\n", "op", "shape", "variant", "GPU ms", "throughput");
  for (uint32_t i = 0; i < b->row_count; ++i) {
    const vd_bench_row *r = &b->rows[i];
    char tp[32] = "";
    if (r->flops > 0 && r->ms > 0) snprintf(tp, sizeof(tp), "%.1f GFLOP/s", r->flops / (r->ms * 1e6));
    else if (r->bytes > 0 && r->ms > 0) snprintf(tp, sizeof(tp), "%.1f GB/s", r->bytes / (r->ms * 1e6));
    fprintf(out, "%-20s %-32s %-36s %10.4f %14s\n", r->name, r->shape, r->variant, r->ms, tp);
  }
}

vd_status vd_bench_write_json(const vd_bench *b, const char *path) {
  cJSON *root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "device", vd_context_device_name(b->ctx));
  cJSON_AddStringToObject(root, "precision", vd_precision_name(b->precision));
  cJSON_AddNumberToObject(root, "repeat", b->repeat);
  cJSON *rows = cJSON_AddArrayToObject(root, "ops");
  for (uint32_t i = 0; i < b->row_count; ++i) {
    const vd_bench_row *r = &b->rows[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "op", r->name);
    cJSON_AddStringToObject(o, "shape", r->shape);
    cJSON_AddStringToObject(o, "variant", r->variant);
    cJSON_AddNumberToObject(o, "gpu_ms", r->ms);
    if (r->flops > 0) cJSON_AddNumberToObject(o, "gflops", r->ms > 0 ? r->flops / (r->ms * 1e6) : 0);
    if (r->bytes > 0) cJSON_AddNumberToObject(o, "gbps", r->ms > 0 ? r->bytes / (r->ms * 1e6) : 0);
    cJSON_AddItemToArray(rows, o);
  }
  char *text = cJSON_Print(root);
  cJSON_Delete(root);
  if (!text) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "bench JSON");
  char tmp[4200];
  snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
  FILE *f = fopen(tmp, "w");
  bool ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
  if (f) ok = (fclose(f) == 0) && ok;
  free(text);
  if (ok && rename(tmp, path) == 0) return NULL;
  remove(tmp);
  return vd_status_make(VD_ERR_IO, "cannot write %s", path);
}
