// MVTec AD: the reference's JSON-lines index (one object per line: filename, label, label_name, maskname,
// clsname), or a sorted directory scan of {class}/{split}/{defect}/*.png when no index is given.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "anomaly/dataset_internal.h"
#include "anomaly/json_pull.h"

typedef struct vd_mvtec_line {
  const char *filename;  // image path relative to the root
  const char *maskname;  // mask path relative to the root, NULL when absent, null or ""
  const char *clsname;   // class name
  double label;          // 0 good, 1 defective (NAN when absent)
} vd_mvtec_line;

// Reads the fields of one line's object (the others are skipped; a repeated key: the last wins).
static vd_status vd_mvtec_fields(vd_jpull *j, vd_arena *scratch, vd_mvtec_line *out) {
  char key[VD_JPULL_KEY_CAP];
  bool has, integer;
  VD_RETURN_IF_ERROR(vd_jpull_object_begin(j));
  for (;;) {
    VD_RETURN_IF_ERROR(vd_jpull_object_next(j, key, &has));
    if (!has) return NULL;
    const char **dst = strcmp(key, "filename") == 0   ? &out->filename
                       : strcmp(key, "clsname") == 0  ? &out->clsname
                       : strcmp(key, "maskname") == 0 ? &out->maskname
                                                      : NULL;
    if (dst == &out->maskname && vd_jpull_null(j)) out->maskname = NULL;
    else if (dst) VD_RETURN_IF_ERROR(vd_jpull_string(j, scratch, dst, NULL));
    else if (strcmp(key, "label") == 0) VD_RETURN_IF_ERROR(vd_jpull_number(j, &out->label, &integer, NULL, 0));
    else VD_RETURN_IF_ERROR(vd_jpull_skip(j));
  }
}

static vd_status vd_mvtec_add(vd_dataset *ds, const vd_jpull *j, const char *at, const vd_mvtec_line *ln) {
  if (!ln->filename) return vd_jpull_error_at(j, at, "record has no \"filename\"");
  if (!ln->clsname) return vd_jpull_error_at(j, at, "record %s has no \"clsname\"", ln->filename);
  if (!(ln->label == 0.0 || ln->label == 1.0))
    return vd_jpull_error_at(j, at, "record %s: \"label\" must be 0 or 1", ln->filename);
  vd_dataset_record *r;
  VD_RETURN_IF_ERROR(vd_dataset_append(ds, &r));
  if (!vd_dataset_record_class(ds, r, ln->clsname)) {
    char list[1024];
    return vd_jpull_error_at(j, at, "record %s: \"%s\" is not an MVTec AD class (%s)", ln->filename, ln->clsname,
                             vd_dataset_class_list_text(ds->class_names, ds->class_count, list, sizeof(list)));
  }
  r->label = (int)ln->label;
  VD_RETURN_IF_ERROR(vd_dataset_set_image(ds, r, NULL, ln->filename));
  r->key = r->rel_path;
  if (ln->maskname && *ln->maskname) return vd_dataset_set_mask(ds, r, NULL, ln->maskname);
  r->mask_kind = r->label ? VD_MASK_ONES : VD_MASK_ZEROS;
  return NULL;
}

static vd_status vd_mvtec_lines(vd_dataset *ds, vd_jpull *j, vd_arena *scratch) {
  while (!vd_jpull_at_end(j)) {
    const char *at = j->p;
    vd_mvtec_line ln = {NULL, NULL, NULL, -1.0};
    vd_arena_reset(scratch);
    VD_RETURN_IF_ERROR(vd_mvtec_fields(j, scratch, &ln));
    VD_RETURN_IF_ERROR(vd_jpull_line_end(j));
    VD_RETURN_IF_ERROR(vd_mvtec_add(ds, j, at, &ln));
  }
  return NULL;
}

static vd_status vd_mvtec_index(vd_dataset *ds, const char *path) {
  char *text;
  size_t len;
  VD_RETURN_IF_ERROR(vd_dataset_read_file(path, "MVTec AD index", &text, &len));
  vd_arena *scratch = vd_arena_create();
  vd_status st = scratch ? NULL : vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of host memory", path);
  vd_jpull j;
  vd_jpull_init(&j, text, len, path);
  if (!st) st = vd_mvtec_lines(ds, &j, scratch);
  if (!st && ds->count == 0) st = vd_status_make(VD_ERR_FORMAT, "MVTec AD index %s holds no records", path);
  vd_arena_destroy(scratch);
  free(text);
  return st;
}

// ---- directory scan ----------------------------------------------------------------------------------------

static bool vd_mvtec_is_png(const char *name) {
  size_t n = strlen(name);
  return n > 4 && strcasecmp(name + n - 4, ".png") == 0;
}

static vd_status vd_mvtec_scan_image(vd_dataset *ds, const char *cls, int split_test, const char *defect,
                                     const char *name) {
  vd_dataset_record *r;
  char rel[4096], mask[4096];
  VD_RETURN_IF_ERROR(
      vd_dataset_path(rel, sizeof(rel), "%s/%s/%s/%s", cls, split_test ? "test" : "train", defect, name));
  VD_RETURN_IF_ERROR(vd_dataset_path(mask, sizeof(mask), "%s/ground_truth/%s/%.*s_mask.png", cls, defect,
                                     (int)strlen(name) - 4, name));
  VD_RETURN_IF_ERROR(vd_dataset_append(ds, &r));
  vd_dataset_record_class(ds, r, cls);
  r->label = strcmp(defect, "good") != 0;
  VD_RETURN_IF_ERROR(vd_dataset_set_image(ds, r, NULL, rel));
  r->key = r->rel_path;
  return r->label ? vd_dataset_set_mask(ds, r, NULL, mask) : NULL;
}

// Every *.png of every folder of {class}/{split}/, both levels in byte order.
static vd_status vd_mvtec_scan_class(vd_dataset *ds, const char *cls, vd_arena *scratch) {
  char dir[4096];
  const char **defects, **files;
  bool *dirs, *file_dirs;
  size_t nd, nf;
  VD_RETURN_IF_ERROR(vd_dataset_path(dir, sizeof(dir), "%s/%s/%s", ds->root, cls, vd_split_name(ds->split)));
  struct stat sb;
  if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
    return vd_status_make(VD_ERR_NOT_FOUND, "MVTec AD scan: %s is not a folder", dir);
  VD_RETURN_IF_ERROR(vd_dataset_list_dir(dir, scratch, true, &defects, &dirs, &nd));
  for (size_t d = 0; d < nd; ++d) {
    if (!dirs[d]) continue;
    char sub[4096];
    VD_RETURN_IF_ERROR(vd_dataset_path(sub, sizeof(sub), "%s/%s", dir, defects[d]));
    VD_RETURN_IF_ERROR(vd_dataset_list_dir(sub, scratch, true, &files, &file_dirs, &nf));
    for (size_t f = 0; f < nf; ++f)
      if (!file_dirs[f] && vd_mvtec_is_png(files[f]))
        VD_RETURN_IF_ERROR(vd_mvtec_scan_image(ds, cls, ds->split == VD_SPLIT_TEST, defects[d], files[f]));
  }
  return NULL;
}

static bool vd_mvtec_has_folder(const vd_dataset *ds, const char *cls) {
  char dir[4096];
  struct stat sb;
  int n = snprintf(dir, sizeof(dir), "%s/%s", ds->root, cls);
  return n > 0 && (size_t)n < sizeof(dir) && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode);
}

// The selected classes without a folder, as one error.
static vd_status vd_mvtec_missing_classes(const vd_dataset *ds, const vd_dataset_options *o) {
  char list[1024] = "";
  size_t len = 0;
  for (int c = 0; c < ds->class_count; ++c) {
    const char *cls = ds->class_names[c];
    if (!vd_dataset_selected(o->classes, o->class_count, cls) || vd_mvtec_has_folder(ds, cls)) continue;
    int n = snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "", cls);
    if (n > 0) len = len + (size_t)n < sizeof(list) ? len + (size_t)n : sizeof(list) - 1;
  }
  if (!len) return NULL;
  return vd_status_make(VD_ERR_NOT_FOUND,
                        "MVTec AD root %s has no folder for the class(es) %s (give --classes, or an "
                        "index file)",
                        ds->root, list);
}

static vd_status vd_mvtec_scan(vd_dataset *ds, const vd_dataset_options *o) {
  VD_RETURN_IF_ERROR(vd_mvtec_missing_classes(ds, o));
  vd_arena *scratch = vd_arena_create();
  if (!scratch) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "MVTec AD scan: out of host memory");
  vd_status st = NULL;
  for (int c = 0; c < ds->class_count && !st; ++c) {
    if (!vd_mvtec_has_folder(ds, ds->class_names[c])) continue;
    vd_arena_reset(scratch);
    st = vd_mvtec_scan_class(ds, ds->class_names[c], scratch);
  }
  vd_arena_destroy(scratch);
  if (!st && ds->count == 0)
    st = vd_status_make(VD_ERR_NOT_FOUND, "MVTec AD scan of %s found no %s images", ds->root, vd_split_name(ds->split));
  return st;
}

vd_status vd_mvtec_read(vd_dataset *dataset, const vd_dataset_options *options) {
  int count;
  const char *const *classes = vd_dataset_known_classes(VD_DATASET_MVTEC, &count);
  VD_RETURN_IF_ERROR(vd_dataset_set_classes(dataset, classes, count));
  VD_RETURN_IF_ERROR(
      vd_dataset_check_selection(VD_DATASET_MVTEC, classes, count, options->classes, options->class_count));
  if (!options->index_path) return vd_mvtec_scan(dataset, options);
  dataset->index_path = vd_arena_strndup(dataset->arena, options->index_path, strlen(options->index_path));
  if (!dataset->index_path) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "MVTec AD: out of host memory");
  return vd_mvtec_index(dataset, options->index_path);
}
