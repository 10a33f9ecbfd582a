#include "models/dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/safetensors_writer.h"
#include "runtime/half.h"

typedef struct vd_dump_list {
  uint32_t count, cap;
  vd_safetensors_entry *entries;
  float **data;
} vd_dump_list;

static vd_status vd_dump_collect(void *user, const vd_tensor *t, const void *data) {
  vd_dump_list *l = user;
  if (l->count == l->cap) {
    uint32_t cap = l->cap ? 2 * l->cap : 32;
    vd_safetensors_entry *e = realloc(l->entries, cap * sizeof(*e));
    float **d = e ? realloc(l->data, cap * sizeof(*d)) : NULL;
    if (e) l->entries = e;
    if (d) l->data = d;
    if (!e || !d) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "dump list");
    l->cap = cap;
  }
  uint64_t n = t->bytes / vd_dtype_size(t->dtype);
  float *f = malloc(n * sizeof(float) + 4);
  if (!f) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "dumping %s", t->name);
  if (t->dtype == VD_DTYPE_F16) vd_f16_to_f32_array(data, f, n);
  else if (t->dtype == VD_DTYPE_F32) memcpy(f, data, n * 4);
  else if (t->dtype == VD_DTYPE_F64) for (uint64_t i = 0; i < n; ++i) f[i] = (float)((const double *)data)[i];
  else if (t->dtype == VD_DTYPE_DF64) for (uint64_t i = 0; i < n; ++i) f[i] = ((const float *)data)[2 * i];
  else for (uint64_t i = 0; i < n; ++i) f[i] = (float)((const int32_t *)data)[i];
  vd_safetensors_entry *e = &l->entries[l->count];
  *e = (vd_safetensors_entry){.name = strdup(t->name), .dtype = VD_WEIGHT_F32, .rank = (int)t->rank};
  memcpy(e->shape, t->shape, t->rank * sizeof(int64_t));
  l->data[l->count++] = f;
  return e->name ? NULL : vd_status_make(VD_ERR_OUT_OF_MEMORY, "dump list");
}

vd_status vd_dump_after_run(vd_exec *exec, const char *tag) {
  const char *pattern = getenv("VLMD_DUMP");
  if (!pattern || !pattern[0]) return NULL;
  vd_dump_list l = {0};
  vd_status st = vd_exec_for_each_dumped(exec, vd_dump_collect, &l);
  if (!st && l.count) {
    char path[1024];
    const char *file = getenv("VLMD_DUMP_FILE");
    if (file && file[0]) snprintf(path, sizeof(path), "%s", file);
    else snprintf(path, sizeof(path), "vlmdiff-dump-%s.safetensors", tag);
    vd_safetensors_writer *w = NULL;
    st = vd_safetensors_writer_create(path, l.entries, l.count, &w);
    for (uint32_t i = 0; !st && i < l.count; ++i) {
      uint64_t n = 1;
      for (int k = 0; k < l.entries[i].rank; ++k) n *= (uint64_t)l.entries[i].shape[k];
      st = vd_safetensors_writer_write(w, l.data[i], n * 4);
    }
    if (!st) st = vd_safetensors_writer_finish(w);
    else vd_safetensors_writer_destroy(w);
    if (!st) fprintf(stderr, "vlmdiff: dumped %u tensor(s) matching \"%s\" to %s\n", l.count, pattern, path);
  }
  for (uint32_t i = 0; i < l.count; ++i) free((void *)l.entries[i].name), free(l.data[i]);
  free(l.entries);
  free(l.data);
  return st;
}
