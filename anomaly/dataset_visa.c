// VisA: the split CSV (object, split, label, image, mask), the rows of one split in file order.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly/csv_rows.h"
#include "anomaly/dataset_internal.h"

#define VD_VISA_COLUMNS 5  // object, split, label, image, mask

static const char *const vd_visa_header[VD_VISA_COLUMNS] = {"object", "split", "label", "image", "mask"};

static vd_status vd_visa_check_header(const char *path, const char **f, int count) {
  bool ok = count == VD_VISA_COLUMNS;
  for (int i = 0; ok && i < VD_VISA_COLUMNS; ++i) ok = strcmp(f[i], vd_visa_header[i]) == 0;
  if (ok) return NULL;
  char found[512] = "";
  size_t len = 0;
  for (int i = 0; i < count && i <= VD_VISA_COLUMNS; ++i) {  // f holds the first VD_VISA_COLUMNS fields
    int n = snprintf(found + len, sizeof(found) - len, "%s%s", i ? "," : "", i < VD_VISA_COLUMNS ? f[i] : "...");
    if (n > 0) len = len + (size_t)n < sizeof(found) ? len + (size_t)n : sizeof(found) - 1;
  }
  return vd_status_make(
      VD_ERR_FORMAT, "VisA split %s:1: the header is \"%s\", expected \"object,split,label,image,mask\"", path, found);
}

// One row of the wanted split into a record.
static vd_status vd_visa_row(vd_dataset *ds, const char *path, int line, const char **f) {
  int label = strcmp(f[2], "normal") == 0 ? 0 : strcmp(f[2], "anomaly") == 0 ? 1 : -1;
  if (label < 0)
    return vd_status_make(VD_ERR_FORMAT, "VisA split %s:%d: label \"%s\" is neither normal nor anomaly", path, line,
                          f[2]);
  if (!*f[3]) return vd_status_make(VD_ERR_FORMAT, "VisA split %s:%d: the image column is empty", path, line);
  vd_dataset_record *r;
  VD_RETURN_IF_ERROR(vd_dataset_append(ds, &r));
  if (!vd_dataset_record_class(ds, r, f[0])) {
    char list[1024];
    return vd_status_make(VD_ERR_FORMAT, "VisA split %s:%d: \"%s\" is not a VisA class (%s)", path, line, f[0],
                          vd_dataset_class_list_text(ds->class_names, ds->class_count, list, sizeof(list)));
  }
  r->label = label;
  VD_RETURN_IF_ERROR(vd_dataset_set_image(ds, r, NULL, f[3]));
  r->key = r->rel_path;
  if (*f[4]) return vd_dataset_set_mask(ds, r, NULL, f[4]);
  r->mask_kind = label ? VD_MASK_ONES : VD_MASK_ZEROS;
  return NULL;
}

static vd_status vd_visa_rows(vd_dataset *ds, vd_csv *csv, const char *path) {
  const char *f[VD_VISA_COLUMNS];
  int count, line;
  bool has;
  VD_RETURN_IF_ERROR(vd_csv_next_row(csv, f, VD_VISA_COLUMNS, &count, &line, &has));
  if (!has) return vd_status_make(VD_ERR_FORMAT, "VisA split %s is empty", path);
  VD_RETURN_IF_ERROR(vd_visa_check_header(path, f, count));
  const char *split = vd_split_name(ds->split);
  for (;;) {
    VD_RETURN_IF_ERROR(vd_csv_next_row(csv, f, VD_VISA_COLUMNS, &count, &line, &has));
    if (!has) return NULL;
    if (count != VD_VISA_COLUMNS)
      return vd_status_make(VD_ERR_FORMAT, "VisA split %s:%d: %d fields, expected %d (object,split,label,image,mask)",
                            path, line, count, VD_VISA_COLUMNS);
    if (strcmp(f[1], split) == 0) VD_RETURN_IF_ERROR(vd_visa_row(ds, path, line, f));
  }
}

vd_status vd_visa_read(vd_dataset *dataset, const vd_dataset_options *options) {
  int count;
  const char *const *classes = vd_dataset_known_classes(VD_DATASET_VISA, &count);
  VD_RETURN_IF_ERROR(vd_dataset_set_classes(dataset, classes, count));
  const char *path = options->index_path;
  if (!path) path = vd_arena_concat(dataset->arena, dataset->root, "/", "split_csv/1cls.csv");
  else path = vd_arena_strndup(dataset->arena, path, strlen(path));
  if (!path) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "VisA: out of host memory");
  dataset->index_path = path;
  char *text;
  size_t len;
  VD_RETURN_IF_ERROR(vd_dataset_read_file(path, "VisA split", &text, &len));
  vd_csv csv;
  vd_status st = vd_csv_init(&csv, text, len, path);
  if (!st) st = vd_visa_rows(dataset, &csv, path);
  if (!st && dataset->count == 0)
    st = vd_status_make(VD_ERR_FORMAT, "VisA split %s has no %s rows", path, vd_split_name(dataset->split));
  vd_csv_free(&csv);
  free(text);
  return st;
}
