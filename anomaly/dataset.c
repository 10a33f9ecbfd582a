#include "anomaly/dataset.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "anomaly/captions.h"
#include "anomaly/dataset_internal.h"

static const char *const vd_mvtec_classes[] = {"bottle",   "cable",      "capsule",    "carpet", "grid",
                                               "hazelnut", "leather",    "metal_nut",  "pill",   "screw",
                                               "tile",     "toothbrush", "transistor", "wood",   "zipper"};
static const char *const vd_visa_classes[] = {"candle",    "capsules", "cashew", "chewinggum", "fryum", "macaroni1",
                                              "macaroni2", "pcb1",     "pcb2",   "pcb3",       "pcb4",  "pipe_fryum"};
static const char *const vd_kind_names[] = {"mvtec", "visa", "realiad", "coco"};
static const char *const vd_kind_titles[] = {"MVTec AD", "VisA", "Real-IAD", "COCO-AD"};

void vd_dataset_options_default(vd_dataset_options *out_options) {
  memset(out_options, 0, sizeof(*out_options));
  out_options->kind = VD_DATASET_MVTEC;
  out_options->split = VD_SPLIT_TEST;
}

vd_status vd_dataset_kind_parse(const char *name, vd_dataset_kind *out_kind) {
  for (int k = 0; k < 4; ++k) {
    if (strcmp(name, vd_kind_names[k]) == 0) {
      *out_kind = (vd_dataset_kind)k;
      return NULL;
    }
  }
  return vd_status_make(VD_ERR_INVALID_ARGUMENT, "unknown dataset \"%s\": choose mvtec, visa, realiad or coco", name);
}

const char *vd_dataset_kind_name(vd_dataset_kind kind) { return (unsigned)kind < 4 ? vd_kind_names[kind] : "?"; }

static const char *vd_dataset_title(vd_dataset_kind kind) { return (unsigned)kind < 4 ? vd_kind_titles[kind] : "?"; }

vd_status vd_split_parse(const char *name, vd_split *out_split) {
  if (strcmp(name, "train") == 0) *out_split = VD_SPLIT_TRAIN;
  else if (strcmp(name, "test") == 0) *out_split = VD_SPLIT_TEST;
  else return vd_status_make(VD_ERR_INVALID_ARGUMENT, "unknown split \"%s\": choose train or test", name);
  return NULL;
}

const char *vd_split_name(vd_split split) { return split == VD_SPLIT_TRAIN ? "train" : "test"; }

const char *const *vd_dataset_known_classes(vd_dataset_kind kind, int *out_count) {
  if (kind == VD_DATASET_MVTEC) {
    *out_count = (int)(sizeof(vd_mvtec_classes) / sizeof(vd_mvtec_classes[0]));
    return vd_mvtec_classes;
  }
  if (kind == VD_DATASET_VISA) {
    *out_count = (int)(sizeof(vd_visa_classes) / sizeof(vd_visa_classes[0]));
    return vd_visa_classes;
  }
  *out_count = 0;
  return NULL;
}

// ---- building ------------------------------------------------------------------------------------------

static vd_status vd_dataset_oom(const vd_dataset *ds) {
  return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s dataset: out of host memory", vd_dataset_title(ds->kind));
}

static vd_status vd_dataset_resolve_root(vd_dataset *ds, const char *root) {
  struct stat sb;
  if (!root || !*root)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: no dataset root given", vd_dataset_title(ds->kind));
  if (stat(root, &sb) != 0)
    return vd_status_make(VD_ERR_NOT_FOUND, "%s root %s does not exist", vd_dataset_title(ds->kind), root);
  if (!S_ISDIR(sb.st_mode))
    return vd_status_make(VD_ERR_NOT_FOUND, "%s root %s is not a folder", vd_dataset_title(ds->kind), root);
  char *resolved = realpath(root, NULL);
  if (!resolved)
    return vd_status_make(VD_ERR_IO, "%s root %s: cannot resolve the path", vd_dataset_title(ds->kind), root);
  ds->root = vd_arena_strndup(ds->arena, resolved, strlen(resolved));
  free(resolved);
  ds->root_given = vd_arena_strndup(ds->arena, root, strlen(root));
  return ds->root && ds->root_given ? NULL : vd_dataset_oom(ds);
}

vd_status vd_dataset_create(vd_dataset_kind kind, vd_split split, const char *root, vd_dataset **out_dataset) {
  *out_dataset = NULL;
  vd_dataset *ds = calloc(1, sizeof(*ds));
  if (!ds || !(ds->arena = vd_arena_create())) {
    free(ds);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "dataset: out of host memory");
  }
  ds->kind = kind;
  ds->split = split;
  vd_status st = vd_dataset_resolve_root(ds, root);
  if (st) {
    vd_dataset_destroy(ds);
    return st;
  }
  *out_dataset = ds;
  return NULL;
}

void vd_dataset_destroy(vd_dataset *dataset) {
  if (!dataset) return;
  vd_arena_destroy(dataset->arena);
  free(dataset->records);
  free(dataset->class_records);
  free(dataset);
}

vd_status vd_dataset_append(vd_dataset *dataset, vd_dataset_record **out_record) {
  if (dataset->count == dataset->capacity) {
    size_t cap = dataset->capacity ? dataset->capacity * 2 : 1024;
    vd_dataset_record *grown =
        cap <= SIZE_MAX / sizeof(*grown) ? realloc(dataset->records, cap * sizeof(*grown)) : NULL;
    if (!grown) return vd_dataset_oom(dataset);
    dataset->records = grown;
    dataset->capacity = cap;
  }
  vd_dataset_record *r = &dataset->records[dataset->count++];
  memset(r, 0, sizeof(*r));
  r->caption = "";
  r->mask_kind = VD_MASK_ZEROS;
  *out_record = r;
  return NULL;
}

// root + "/" + [prefix + "/"] + rel in one string; *out_rel points at its relative part.
static vd_status vd_dataset_join(vd_dataset *ds, const char *prefix, const char *rel, const char **out_path,
                                 const char **out_rel) {
  size_t lp = prefix ? strlen(prefix) + 1 : 0, lr = strlen(rel);
  bool absolute = !prefix && rel[0] == '/';
  size_t lroot = absolute ? 0 : strlen(ds->root);
  bool slash = !absolute && !(lroot > 0 && ds->root[lroot - 1] == '/');
  char *p = vd_arena_alloc(ds->arena, lroot + slash + lp + lr + 1);
  if (!p) return vd_dataset_oom(ds);
  char *q = p;
  memcpy(q, ds->root, lroot);
  q += lroot;
  if (slash) *q++ = '/';
  if (prefix) {
    memcpy(q, prefix, lp - 1);
    q[lp - 1] = '/';
    q += lp;
  }
  memcpy(q, rel, lr + 1);
  *out_path = p;
  *out_rel = absolute ? p : p + lroot + slash;
  return NULL;
}

vd_status vd_dataset_set_image(vd_dataset *dataset, vd_dataset_record *record, const char *prefix, const char *rel) {
  return vd_dataset_join(dataset, prefix, rel, &record->path, &record->rel_path);
}

vd_status vd_dataset_set_mask(vd_dataset *dataset, vd_dataset_record *record, const char *prefix, const char *rel) {
  record->mask_kind = VD_MASK_FILE;
  return vd_dataset_join(dataset, prefix, rel, &record->mask_path, &record->mask_rel_path);
}

vd_status vd_dataset_set_classes(vd_dataset *dataset, const char *const *names, int count) {
  if (count > VD_DATASET_MAX_CLASSES)
    return vd_status_make(VD_ERR_LIMIT, "%s root %s: %d classes, more than the limit %d",
                          vd_dataset_title(dataset->kind), dataset->root, count, VD_DATASET_MAX_CLASSES);
  const char **copy = vd_arena_alloc(dataset->arena, sizeof(*copy) * (size_t)(count ? count : 1));
  if (!copy) return vd_dataset_oom(dataset);
  for (int i = 0; i < count; ++i)
    if (!(copy[i] = vd_arena_strndup(dataset->arena, names[i], strlen(names[i])))) return vd_dataset_oom(dataset);
  dataset->class_names = copy;
  dataset->class_count = count;
  return NULL;
}

int vd_dataset_class_index(const vd_dataset *dataset, const char *name) {
  for (int i = 0; i < dataset->class_count; ++i)
    if (strcmp(dataset->class_names[i], name) == 0) return i;
  return -1;
}

bool vd_dataset_record_class(const vd_dataset *dataset, vd_dataset_record *record, const char *name) {
  int c = vd_dataset_class_index(dataset, name);
  if (c < 0) return false;
  record->class_index = c;
  record->class_name = dataset->class_names[c];
  return true;
}

// ---- classes ---------------------------------------------------------------------------------------------

const char *vd_dataset_class_list_text(const char *const *names, int count, char *buf, size_t cap) {
  size_t n = 0;
  buf[0] = '\0';
  for (int i = 0; i < count && n < cap; ++i) {
    int w = snprintf(buf + n, cap - n, "%s%s", i ? ", " : "", names[i]);
    if (w < 0 || (size_t)w >= cap - n) {
      if (cap > 4) strcpy(buf + cap - 4, "...");
      break;
    }
    n += (size_t)w;
  }
  return buf;
}

bool vd_dataset_selected(const char *const *selection, int selection_count, const char *name) {
  if (!selection) return true;
  for (int i = 0; i < selection_count; ++i)
    if (strcmp(selection[i], name) == 0) return true;
  return false;
}

vd_status vd_dataset_check_selection(vd_dataset_kind kind, const char *const *names, int count,
                                     const char *const *selection, int selection_count) {
  for (int i = 0; selection && i < selection_count; ++i) {
    if (vd_dataset_selected(names, count, selection[i])) continue;
    char list[4096];
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "unknown %s class \"%s\"; the classes are: %s",
                          vd_dataset_title(kind), selection[i],
                          vd_dataset_class_list_text(names, count, list, sizeof(list)));
  }
  return NULL;
}

static vd_status vd_dataset_count_classes(vd_dataset *dataset) {
  free(dataset->class_records);
  dataset->class_records = calloc((size_t)(dataset->class_count ? dataset->class_count : 1), sizeof(size_t));
  if (!dataset->class_records) return vd_dataset_oom(dataset);
  dataset->captioned = 0;
  for (size_t i = 0; i < dataset->count; ++i) {
    ++dataset->class_records[dataset->records[i].class_index];
    dataset->captioned += dataset->records[i].has_caption;
  }
  return NULL;
}

vd_status vd_dataset_select_classes(vd_dataset *dataset, const char *const *names, int count) {
  VD_RETURN_IF_ERROR(
      vd_dataset_check_selection(dataset->kind, dataset->class_names, dataset->class_count, names, count));
  size_t kept = 0;
  for (size_t i = 0; i < dataset->count; ++i)
    if (vd_dataset_selected(names, count, dataset->records[i].class_name))
      dataset->records[kept++] = dataset->records[i];
  dataset->count = kept;
  return vd_dataset_count_classes(dataset);
}

// ---- labels for caption files ----------------------------------------------------------------------------------

static vd_status vd_dataset_copy_out(const char *s1, const char *s2, char *out, size_t cap) {
  int n = snprintf(out, cap, "%s%s", s1, s2);
  if (n < 0 || (size_t)n >= cap)
    return vd_status_make(VD_ERR_LIMIT, "caption label %s%s longer than %zu bytes", s1, s2, cap);
  return NULL;
}

vd_status vd_dataset_caption_label(const vd_dataset *dataset, const vd_dataset_record *record, char *out, size_t cap) {
  if (dataset->kind == VD_DATASET_REALIAD) {
    const char *root = dataset->root_given;
    size_t n = strlen(root);
    if (n == 0 || root[n - 1] == '/') return vd_dataset_copy_out(root, record->rel_path, out, cap);
    char joined[PATH_MAX];
    VD_RETURN_IF_ERROR(vd_dataset_copy_out(root, "/", joined, sizeof(joined)));
    return vd_dataset_copy_out(joined, record->rel_path, out, cap);
  }
  if (dataset->kind != VD_DATASET_COCO) return vd_dataset_copy_out(record->key, "", out, cap);
  const char *s = record->key;
  if (!*s || strspn(s, "0123456789") != strlen(s))
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "COCO image %s: the file stem \"%s\" is not an image id",
                          record->path, s);
  while (s[0] == '0' && s[1]) ++s;
  return vd_dataset_copy_out(s, "", out, cap);
}

// ---- opening -------------------------------------------------------------------------------------------------

static vd_status vd_dataset_read(vd_dataset *ds, const vd_dataset_options *o) {
  switch (o->kind) {
    case VD_DATASET_MVTEC: return vd_mvtec_read(ds, o);
    case VD_DATASET_VISA: return vd_visa_read(ds, o);
    case VD_DATASET_REALIAD: return vd_realiad_read(ds, o);
    case VD_DATASET_COCO: return vd_coco_read(ds, o);
  }
  return vd_status_make(VD_ERR_INVALID_ARGUMENT, "unknown dataset kind %d", (int)o->kind);
}

static vd_status vd_dataset_fill(vd_dataset *ds, const vd_dataset_options *o) {
  VD_RETURN_IF_ERROR(vd_dataset_read(ds, o));
  if (ds->count == 0)
    return vd_status_make(VD_ERR_NOT_FOUND, "%s root %s: no %s records in %s", vd_dataset_title(ds->kind), ds->root,
                          vd_split_name(ds->split), ds->index_path ? ds->index_path : "the folders");
  if (o->captions) VD_RETURN_IF_ERROR(vd_captions_attach(ds, o->captions, o->coco_caption_suffix));
  if (o->classes) VD_RETURN_IF_ERROR(vd_dataset_select_classes(ds, o->classes, o->class_count));
  else VD_RETURN_IF_ERROR(vd_dataset_count_classes(ds));
  return o->skip_file_check ? NULL : vd_dataset_check_files(ds);
}

vd_status vd_dataset_open(const vd_dataset_options *options, vd_dataset **out_dataset) {
  *out_dataset = NULL;
  if ((unsigned)options->kind > VD_DATASET_COCO || (unsigned)options->split > VD_SPLIT_TEST)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "dataset options: unknown kind or split");
  if (options->classes && options->class_count <= 0)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "dataset options: an empty class selection");
  vd_dataset *ds;
  VD_RETURN_IF_ERROR(vd_dataset_create(options->kind, options->split, options->root, &ds));
  vd_status st = vd_dataset_fill(ds, options);
  if (st) {
    vd_dataset_destroy(ds);
    return st;
  }
  *out_dataset = ds;
  return NULL;
}
