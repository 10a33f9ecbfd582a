// COCO-AD: ADer's meta file root/meta_20_{k}.json, {"train": {"coco": [...]}, "test": {"coco": [...]}}.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly/dataset_internal.h"
#include "anomaly/json_pull.h"

#define VD_COCO_PARTS 4  // meta_20_0.json .. meta_20_3.json

static const char *const vd_coco_class[] = {"coco"};

typedef struct vd_coco_item {
  const char *img_path;   // image path relative to the root
  const char *mask_path;  // mask path relative to the root; NULL when absent or null
  const char *cls_name;   // "coco" (NULL when absent)
  double anomaly;         // 0 normal, 1 anomalous (-1 when absent)
} vd_coco_item;

static vd_status vd_coco_fields(vd_jpull *j, vd_arena *scratch, vd_coco_item *out) {
  char key[VD_JPULL_KEY_CAP];
  bool has, integer;
  VD_RETURN_IF_ERROR(vd_jpull_object_begin(j));
  for (;;) {
    VD_RETURN_IF_ERROR(vd_jpull_object_next(j, key, &has));
    if (!has) return NULL;
    const char **dst = strcmp(key, "img_path") == 0    ? &out->img_path
                       : strcmp(key, "mask_path") == 0 ? &out->mask_path
                       : strcmp(key, "cls_name") == 0  ? &out->cls_name
                                                       : NULL;
    if (dst && vd_jpull_null(j)) *dst = NULL;
    else if (dst) VD_RETURN_IF_ERROR(vd_jpull_string(j, scratch, dst, NULL));
    else if (strcmp(key, "anomaly") == 0) VD_RETURN_IF_ERROR(vd_jpull_number(j, &out->anomaly, &integer, NULL, 0));
    else VD_RETURN_IF_ERROR(vd_jpull_skip(j));
  }
}

// The reference's image id: the basename without its last four bytes (".jpg").
static const char *vd_coco_stem(vd_dataset *ds, const char *rel) {
  const char *base = strrchr(rel, '/');
  base = base ? base + 1 : rel;
  size_t n = strlen(base);
  return vd_arena_strndup(ds->arena, base, n > 4 ? n - 4 : 0);
}

static vd_status vd_coco_add(vd_dataset *ds, const vd_jpull *j, const char *at, const vd_coco_item *it) {
  if (!it->img_path || !*it->img_path) return vd_jpull_error_at(j, at, "record has no \"img_path\"");
  if (!(it->anomaly == 0.0 || it->anomaly == 1.0))
    return vd_jpull_error_at(j, at, "record %s: \"anomaly\" must be 0 or 1", it->img_path);
  if (it->cls_name && strcmp(it->cls_name, "coco") != 0)
    return vd_jpull_error_at(j, at, "record %s: cls_name \"%s\" is not \"coco\"", it->img_path, it->cls_name);
  if (it->anomaly == 1.0 && (!it->mask_path || !*it->mask_path))
    return vd_jpull_error_at(j, at, "anomalous record %s has no \"mask_path\"", it->img_path);
  vd_dataset_record *r;
  VD_RETURN_IF_ERROR(vd_dataset_append(ds, &r));
  r->class_index = 0;
  r->class_name = ds->class_names[0];
  r->label = it->anomaly == 1.0;
  VD_RETURN_IF_ERROR(vd_dataset_set_image(ds, r, NULL, it->img_path));
  if (!(r->key = vd_coco_stem(ds, r->rel_path)))
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "COCO-AD: out of host memory");
  return r->label ? vd_dataset_set_mask(ds, r, NULL, it->mask_path) : NULL;
}

typedef struct vd_coco_walk {
  vd_dataset *ds;     // the dataset being filled
  vd_arena *scratch;  // per-record strings
  bool seen_split;    // the split's entry came
  bool seen_list;     // its "coco" list came
} vd_coco_walk;

static vd_status vd_coco_list(vd_coco_walk *w, vd_jpull *j) {
  bool has;
  w->seen_list = true;
  w->ds->count = 0;  // a repeated "coco" key: the last list wins, as in Python
  VD_RETURN_IF_ERROR(vd_jpull_array_begin(j));
  for (;;) {
    VD_RETURN_IF_ERROR(vd_jpull_array_next(j, &has));
    if (!has) return NULL;
    const char *at = j->p;
    vd_coco_item it = {NULL, NULL, NULL, -1.0};
    vd_arena_reset(w->scratch);
    VD_RETURN_IF_ERROR(vd_coco_fields(j, w->scratch, &it));
    VD_RETURN_IF_ERROR(vd_coco_add(w->ds, j, at, &it));
  }
}

// Walks the members of an object, handing the one named want to read and skipping the others.
static vd_status vd_coco_member(vd_coco_walk *w, vd_jpull *j, const char *want,
                                vd_status (*read)(vd_coco_walk *, vd_jpull *)) {
  char key[VD_JPULL_KEY_CAP];
  bool has;
  VD_RETURN_IF_ERROR(vd_jpull_object_begin(j));
  for (;;) {
    VD_RETURN_IF_ERROR(vd_jpull_object_next(j, key, &has));
    if (!has) return NULL;
    VD_RETURN_IF_ERROR(strcmp(key, want) == 0 ? read(w, j) : vd_jpull_skip(j));
  }
}

static vd_status vd_coco_split(vd_coco_walk *w, vd_jpull *j) {
  w->seen_split = true;
  w->seen_list = false;  // a repeated split key: only the last entry counts
  w->ds->count = 0;
  return vd_coco_member(w, j, "coco", vd_coco_list);
}

static vd_status vd_coco_meta(vd_dataset *ds, vd_jpull *j, vd_arena *scratch) {
  vd_coco_walk w = {ds, scratch, false, false};
  const char *split = vd_split_name(ds->split);
  VD_RETURN_IF_ERROR(vd_coco_member(&w, j, split, vd_coco_split));
  VD_RETURN_IF_ERROR(vd_jpull_finish(j));
  if (!w.seen_split) return vd_status_make(VD_ERR_FORMAT, "COCO-AD meta %s: no \"%s\" entry", j->label, split);
  if (!w.seen_list)
    return vd_status_make(VD_ERR_FORMAT, "COCO-AD meta %s: no \"coco\" list in \"%s\"", j->label, split);
  return NULL;
}

vd_status vd_coco_read(vd_dataset *dataset, const vd_dataset_options *options) {
  VD_RETURN_IF_ERROR(vd_dataset_set_classes(dataset, vd_coco_class, 1));
  if (options->coco_part < 0 || options->coco_part >= VD_COCO_PARTS)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "COCO-AD part %d: choose 0, 1, 2 or 3", options->coco_part);
  char meta[4096];
  snprintf(meta, sizeof(meta), "%s/meta_20_%d.json", dataset->root, options->coco_part);
  const char *path = options->index_path ? options->index_path : meta;
  if (!(dataset->index_path = vd_arena_strndup(dataset->arena, path, strlen(path))))
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "COCO-AD: out of host memory");
  char *text;
  size_t len;
  VD_RETURN_IF_ERROR(vd_dataset_read_file(path, "COCO-AD meta", &text, &len));
  vd_arena *scratch = vd_arena_create();
  vd_status st = scratch ? NULL : vd_status_make(VD_ERR_OUT_OF_MEMORY, "COCO-AD: out of host memory");
  vd_jpull j;
  vd_jpull_init(&j, text, len, dataset->index_path);
  if (!st) st = vd_coco_meta(dataset, &j, scratch);
  vd_arena_destroy(scratch);
  free(text);
  return st;
}
