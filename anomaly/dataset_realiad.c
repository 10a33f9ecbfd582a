// Real-IAD: classes from the listing of the root, one split JSON per class beside the root
// (root/../real_iad_jsons/realiad_jsons/{class}.json: {"train": [...], "test": [...]}).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly/dataset_internal.h"
#include "anomaly/json_pull.h"

typedef struct vd_realiad_item {
  const char *image_path;     // relative to the class folder
  const char *anomaly_class;  // "OK" for normal images
  const char *mask_path;      // relative to the class folder; NULL when absent or null
} vd_realiad_item;

static int vd_realiad_cmp(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

// Entry names cut at their first '.', de-duplicated and sorted.
static vd_status vd_realiad_classes(vd_dataset *ds, vd_arena *scratch) {
  const char **names;
  size_t n;
  VD_RETURN_IF_ERROR(vd_dataset_list_dir(ds->root, scratch, true, &names, NULL, &n));
  for (size_t i = 0; i < n; ++i) {
    const char *dot = strchr(names[i], '.');
    if (dot && !(names[i] = vd_arena_strndup(scratch, names[i], (size_t)(dot - names[i]))))
      return vd_status_make(VD_ERR_OUT_OF_MEMORY, "Real-IAD: out of host memory");
  }
  if (n > 1) qsort(names, n, sizeof(*names), vd_realiad_cmp);
  size_t unique = 0;
  for (size_t i = 0; i < n; ++i)
    if (unique == 0 || strcmp(names[unique - 1], names[i]) != 0) names[unique++] = names[i];
  if (unique == 0) return vd_status_make(VD_ERR_NOT_FOUND, "Real-IAD root %s is empty: no classes", ds->root);
  if (unique > VD_DATASET_MAX_CLASSES)
    return vd_status_make(VD_ERR_LIMIT, "Real-IAD root %s: %zu entries, more classes than the limit %d", ds->root,
                          unique, VD_DATASET_MAX_CLASSES);
  return vd_dataset_set_classes(ds, names, (int)unique);
}

static vd_status vd_realiad_fields(vd_jpull *j, vd_arena *scratch, vd_realiad_item *out) {
  char key[VD_JPULL_KEY_CAP];
  bool has;
  VD_RETURN_IF_ERROR(vd_jpull_object_begin(j));
  for (;;) {
    VD_RETURN_IF_ERROR(vd_jpull_object_next(j, key, &has));
    if (!has) return NULL;
    const char **dst = strcmp(key, "image_path") == 0      ? &out->image_path
                       : strcmp(key, "anomaly_class") == 0 ? &out->anomaly_class
                       : strcmp(key, "mask_path") == 0     ? &out->mask_path
                                                           : NULL;
    if (dst && vd_jpull_null(j)) *dst = NULL;
    else if (dst) VD_RETURN_IF_ERROR(vd_jpull_string(j, scratch, dst, NULL));
    else VD_RETURN_IF_ERROR(vd_jpull_skip(j));
  }
}

static vd_status vd_realiad_add(vd_dataset *ds, int cls, const vd_jpull *j, const char *at, const vd_realiad_item *it) {
  if (!it->image_path) return vd_jpull_error_at(j, at, "record has no \"image_path\"");
  if (!it->anomaly_class) return vd_jpull_error_at(j, at, "record %s has no \"anomaly_class\"", it->image_path);
  bool anomalous = strcmp(it->anomaly_class, "OK") != 0;
  if (anomalous && (!it->mask_path || !*it->mask_path))
    return vd_jpull_error_at(j, at, "anomalous record %s (%s) has no \"mask_path\"", it->image_path, it->anomaly_class);
  vd_dataset_record *r;
  VD_RETURN_IF_ERROR(vd_dataset_append(ds, &r));
  r->class_index = cls;
  r->class_name = ds->class_names[cls];
  r->label = anomalous;
  VD_RETURN_IF_ERROR(vd_dataset_set_image(ds, r, r->class_name, it->image_path));
  r->key = r->rel_path;
  return anomalous ? vd_dataset_set_mask(ds, r, r->class_name, it->mask_path) : NULL;
}

static vd_status vd_realiad_list(vd_dataset *ds, int cls, vd_jpull *j, vd_arena *scratch) {
  bool has;
  VD_RETURN_IF_ERROR(vd_jpull_array_begin(j));
  for (;;) {
    VD_RETURN_IF_ERROR(vd_jpull_array_next(j, &has));
    if (!has) return NULL;
    const char *at = j->p;
    vd_realiad_item it = {NULL, NULL, NULL};
    vd_arena_reset(scratch);
    VD_RETURN_IF_ERROR(vd_realiad_fields(j, scratch, &it));
    VD_RETURN_IF_ERROR(vd_realiad_add(ds, cls, j, at, &it));
  }
}

// The split's list of one class file (a repeated key: the last list wins, as in Python).
static vd_status vd_realiad_file(vd_dataset *ds, int cls, vd_jpull *j, vd_arena *scratch) {
  char key[VD_JPULL_KEY_CAP];
  bool has, seen = false;
  size_t start = ds->count;
  VD_RETURN_IF_ERROR(vd_jpull_object_begin(j));
  for (;;) {
    VD_RETURN_IF_ERROR(vd_jpull_object_next(j, key, &has));
    if (!has) break;
    if (strcmp(key, vd_split_name(ds->split)) != 0) {
      VD_RETURN_IF_ERROR(vd_jpull_skip(j));
      continue;
    }
    ds->count = start;
    seen = true;
    VD_RETURN_IF_ERROR(vd_realiad_list(ds, cls, j, scratch));
  }
  VD_RETURN_IF_ERROR(vd_jpull_finish(j));
  return seen ? NULL : vd_status_make(VD_ERR_FORMAT, "%s: no \"%s\" list", j->label, vd_split_name(ds->split));
}

static vd_status vd_realiad_class(vd_dataset *ds, int cls, const char *folder, vd_arena *scratch) {
  char path[4096];
  int n = snprintf(path, sizeof(path), "%s/%s.json", folder, ds->class_names[cls]);
  if (n < 0 || (size_t)n >= sizeof(path)) return vd_status_make(VD_ERR_LIMIT, "Real-IAD: path %s/... too long", folder);
  char *text;
  size_t len;
  vd_status st = vd_dataset_read_file(path, "Real-IAD split JSON", &text, &len);
  if (vd_status_code_of(st) == VD_ERR_NOT_FOUND)
    return vd_status_annotate(st, "Real-IAD class \"%s\" (the classes are the entries of %s)", ds->class_names[cls],
                              ds->root);
  VD_RETURN_IF_ERROR(st);
  vd_jpull j;
  vd_jpull_init(&j, text, len, path);
  st = vd_realiad_file(ds, cls, &j, scratch);
  free(text);
  return st;
}

vd_status vd_realiad_read(vd_dataset *dataset, const vd_dataset_options *options) {
  vd_arena *scratch = vd_arena_create();
  if (!scratch) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "Real-IAD: out of host memory");
  vd_status st = vd_realiad_classes(dataset, scratch);
  const char *folder = options->index_path;
  if (!st) {
    folder = folder ? vd_arena_strndup(dataset->arena, folder, strlen(folder))
                    : vd_arena_concat(dataset->arena, dataset->root, "/", "../real_iad_jsons/realiad_jsons");
    if (!(dataset->index_path = folder)) st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "Real-IAD: out of host memory");
  }
  for (int c = 0; !st && c < dataset->class_count; ++c) st = vd_realiad_class(dataset, c, folder, scratch);
  vd_arena_destroy(scratch);
  return st;
}
