#include "anomaly/captions.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "anomaly/dataset_internal.h"
#include "anomaly/json_pull.h"

// ---- finding the pair -----------------------------------------------------------------------------------

static vd_status vd_captions_pick(const char *dir, const char *prefix, vd_arena *scratch, char *out, size_t cap) {
  const char **names;
  bool *dirs;
  size_t n;
  VD_RETURN_IF_ERROR(vd_dataset_list_dir(dir, scratch, false, &names, &dirs, &n));
  for (size_t i = 0; i < n; ++i) {
    if (dirs[i] || strncmp(names[i], prefix, strlen(prefix)) != 0) continue;
    int w = snprintf(out, cap, "%s/%s", dir, names[i]);
    if (w < 0 || (size_t)w >= cap)
      return vd_status_make(VD_ERR_LIMIT, "caption file %s/%s: path too long", dir, names[i]);
    return NULL;
  }
  return vd_status_make(VD_ERR_NOT_FOUND, "caption folder %s has no file whose name starts with %s", dir, prefix);
}

vd_status vd_captions_find_pair(const char *dir, vd_split split, char *out_captions, char *out_labels, size_t cap) {
  struct stat sb;
  if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
    return vd_status_make(VD_ERR_NOT_FOUND,
                          "caption folder %s is not a folder (give the folder of the %s_captions*/%s_labels* "
                          "pair)",
                          dir, vd_split_name(split), vd_split_name(split));
  vd_arena *scratch = vd_arena_create();
  if (!scratch) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "captions: out of host memory");
  char prefix[32];
  snprintf(prefix, sizeof(prefix), "%s_captions", vd_split_name(split));
  vd_status st = vd_captions_pick(dir, prefix, scratch, out_captions, cap);
  snprintf(prefix, sizeof(prefix), "%s_labels", vd_split_name(split));
  if (!st) st = vd_captions_pick(dir, prefix, scratch, out_labels, cap);
  vd_arena_destroy(scratch);
  return st;
}

// ---- the pair, aligned ----------------------------------------------------------------------------------

static bool vd_captions_aligned(const vd_dataset *ds, const vd_dataset_record *r, const char *label) {
  if (ds->kind == VD_DATASET_REALIAD) return strstr(label, r->key) != NULL;
  return strcmp(label, r->key) == 0;
}

static const char *vd_captions_rule(vd_dataset_kind kind) {
  switch (kind) {
    case VD_DATASET_MVTEC: return "the label must equal the record's filename";
    case VD_DATASET_VISA: return "the label must equal the record's image";
    default: return "the label must contain the record's {class}/{image_path}";
  }
}

typedef struct vd_caption_pair {
  vd_jpull captions;  // the captions array
  vd_jpull labels;    // the labels array
  vd_arena *scratch;  // the current label
} vd_caption_pair;

// Caption i and label i onto record i.
static vd_status vd_captions_entry(vd_dataset *ds, vd_caption_pair *p, size_t i) {
  if (i >= ds->count)
    return vd_jpull_error_at(&p->captions, p->captions.p, "more captions than the %zu records of the %s %s split",
                             ds->count, vd_dataset_kind_name(ds->kind), vd_split_name(ds->split));
  const char *caption, *label;
  VD_RETURN_IF_ERROR(vd_jpull_string(&p->captions, ds->arena, &caption, NULL));
  vd_arena_reset(p->scratch);
  if (vd_jpull_peek(&p->labels) != VD_JSON_STRING)
    return vd_jpull_error_at(&p->labels, p->labels.p, "label %zu is not a string", i);
  VD_RETURN_IF_ERROR(vd_jpull_string(&p->labels, p->scratch, &label, NULL));
  vd_dataset_record *r = &ds->records[i];
  if (!vd_captions_aligned(ds, r, label))
    return vd_status_make(VD_ERR_FORMAT,
                          "captions %s do not align with the dataset: entry %zu: label \"%s\", record \"%s\" "
                          "(%s)",
                          p->labels.label, i, label, r->key, vd_captions_rule(ds->kind));
  r->caption = caption;
  r->has_caption = true;
  return NULL;
}

static vd_status vd_captions_walk(vd_dataset *ds, vd_caption_pair *p) {
  VD_RETURN_IF_ERROR(vd_jpull_array_begin(&p->captions));
  VD_RETURN_IF_ERROR(vd_jpull_array_begin(&p->labels));
  for (size_t i = 0;; ++i) {
    bool has_caption, has_label;
    VD_RETURN_IF_ERROR(vd_jpull_array_next(&p->captions, &has_caption));
    VD_RETURN_IF_ERROR(vd_jpull_array_next(&p->labels, &has_label));
    if (has_caption != has_label)
      return vd_status_make(VD_ERR_FORMAT, "%s holds %s entries than %s (%zu in the shorter one)", p->captions.label,
                            has_caption ? "more" : "fewer", p->labels.label, i);
    if (!has_caption) {
      ds->captioned = i;
      break;
    }
    VD_RETURN_IF_ERROR(vd_captions_entry(ds, p, i));
  }
  VD_RETURN_IF_ERROR(vd_jpull_finish(&p->captions));
  return vd_jpull_finish(&p->labels);
}

static vd_status vd_captions_pair(vd_dataset *ds, const char *captions_path, const char *labels_path) {
  char *ctext = NULL, *ltext = NULL;
  size_t clen, llen;
  vd_caption_pair p;
  vd_status st = vd_dataset_read_file(captions_path, "caption file", &ctext, &clen);
  if (!st) st = vd_dataset_read_file(labels_path, "caption labels file", &ltext, &llen);
  if (!st && !(p.scratch = vd_arena_create()))
    st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "captions: out of host memory");
  if (!st) {
    vd_jpull_init(&p.captions, ctext, clen, captions_path);
    vd_jpull_init(&p.labels, ltext, llen, labels_path);
    st = vd_captions_walk(ds, &p);
    vd_arena_destroy(p.scratch);
  }
  free(ctext);
  free(ltext);
  return st;
}

// ---- COCO -----------------------------------------------------------------------------------------------

typedef struct vd_coco_piece {
  size_t record;     // the record it belongs to
  const char *text;  // caption bytes (in the pieces arena)
  size_t len;        // their length
} vd_coco_piece;

typedef struct vd_coco_captions {
  vd_jpull j;              // the annotations file
  size_t *table;           // open addressing: record index + 1, 0 = empty
  size_t mask;             // table size - 1 (a power of two)
  vd_arena *texts;         // the pieces' caption bytes
  vd_coco_piece *pieces;   // matched captions in file order
  size_t count, capacity;  // pieces used and allocated
} vd_coco_captions;

static uint64_t vd_coco_hash(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; ++s) h = (h ^ (uint8_t)*s) * 1099511628211ull;
  return h;
}

// Stem -> record, the later record winning for a repeated stem (as the reference's dict does).
static vd_status vd_coco_index(const vd_dataset *ds, vd_coco_captions *c) {
  size_t size = 16;
  while (size < 2 * ds->count + 1) size *= 2;
  if (!(c->table = calloc(size, sizeof(size_t))))
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "COCO captions: out of host memory");
  c->mask = size - 1;
  for (size_t i = 0; i < ds->count; ++i) {
    size_t h = (size_t)vd_coco_hash(ds->records[i].key) & c->mask;
    while (c->table[h] && strcmp(ds->records[c->table[h] - 1].key, ds->records[i].key) != 0) h = (h + 1) & c->mask;
    c->table[h] = i + 1;
  }
  return NULL;
}

static const vd_dataset_record *vd_coco_find(const vd_dataset *ds, const vd_coco_captions *c, const char *stem,
                                             size_t *out) {
  for (size_t h = (size_t)vd_coco_hash(stem) & c->mask; c->table[h]; h = (h + 1) & c->mask) {
    if (strcmp(ds->records[c->table[h] - 1].key, stem) == 0) {
      *out = c->table[h] - 1;
      return &ds->records[*out];
    }
  }
  return NULL;
}

#define VD_COCO_ID_CAP 64  // bytes of an image id kept (longer ids match nothing)

// Python's str(id).zfill(12): zeros after an optional sign up to 12 characters (id < VD_COCO_ID_CAP bytes).
static void vd_coco_zfill(const char *id, char out[VD_COCO_ID_CAP + 12]) {
  size_t n = strlen(id), pad = n < 12 ? 12 - n : 0, sign = (id[0] == '-' || id[0] == '+') ? 1 : 0;
  memcpy(out, id, sign);
  memset(out + sign, '0', pad);
  memcpy(out + sign + pad, id + sign, n - sign + 1);
}

typedef struct vd_coco_annotation {
  char id[VD_COCO_ID_CAP];  // str(image_id), "" when it can match nothing
  bool has_id;              // the image_id key came
  const char *caption;      // caption text (in the texts arena), NULL when absent or not a string
  size_t caption_len;       // its length
} vd_coco_annotation;

static vd_status vd_coco_image_id(vd_jpull *j, vd_arena *ids, vd_coco_annotation *a) {
  vd_json_kind kind = vd_jpull_peek(j);
  a->has_id = true;
  a->id[0] = '\0';
  if (kind == VD_JSON_NUMBER) {
    double v;
    bool integer;
    char text[64];
    VD_RETURN_IF_ERROR(vd_jpull_number(j, &v, &integer, text, sizeof(text)));
    if (integer) snprintf(a->id, sizeof(a->id), "%s", strcmp(text, "-0") == 0 ? "0" : text);
    return NULL;
  }
  if (kind != VD_JSON_STRING) return vd_jpull_skip(j);
  const char *s;
  size_t n;
  vd_arena_reset(ids);
  VD_RETURN_IF_ERROR(vd_jpull_string(j, ids, &s, &n));
  if (n < sizeof(a->id)) memcpy(a->id, s, n + 1);
  return NULL;
}

static vd_status vd_coco_annotation_fields(vd_coco_captions *c, vd_arena *ids, vd_coco_annotation *a) {
  char key[VD_JPULL_KEY_CAP];
  bool has;
  VD_RETURN_IF_ERROR(vd_jpull_object_begin(&c->j));
  for (;;) {
    VD_RETURN_IF_ERROR(vd_jpull_object_next(&c->j, key, &has));
    if (!has) return NULL;
    if (strcmp(key, "image_id") == 0) {
      VD_RETURN_IF_ERROR(vd_coco_image_id(&c->j, ids, a));
    } else if (strcmp(key, "caption") == 0 && vd_jpull_peek(&c->j) == VD_JSON_STRING) {
      if (a->caption) vd_arena_shrink_last(c->texts, (void *)a->caption, 0);
      VD_RETURN_IF_ERROR(vd_jpull_string(&c->j, c->texts, &a->caption, &a->caption_len));
    } else {
      if (strcmp(key, "caption") == 0) a->caption = NULL;
      VD_RETURN_IF_ERROR(vd_jpull_skip(&c->j));
    }
  }
}

static vd_status vd_coco_push(vd_coco_captions *c, size_t record, const char *text, size_t len) {
  if (c->count == c->capacity) {
    size_t cap = c->capacity ? c->capacity * 2 : 1024;
    vd_coco_piece *grown = realloc(c->pieces, cap * sizeof(*grown));
    if (!grown) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "COCO captions: out of host memory");
    c->pieces = grown;
    c->capacity = cap;
  }
  c->pieces[c->count++] = (vd_coco_piece){record, text, len};
  return NULL;
}

static vd_status vd_coco_read_annotation(vd_dataset *ds, vd_coco_captions *c, vd_arena *ids) {
  const char *at = c->j.p;
  vd_coco_annotation a = {{0}, false, NULL, 0};
  VD_RETURN_IF_ERROR(vd_coco_annotation_fields(c, ids, &a));
  if (!a.has_id) return vd_jpull_error_at(&c->j, at, "annotation has no \"image_id\"");
  char padded[VD_COCO_ID_CAP + 12];
  size_t record;
  vd_coco_zfill(a.id, padded);
  if (!a.id[0] || !vd_coco_find(ds, c, padded, &record)) {
    if (a.caption) vd_arena_shrink_last(c->texts, (void *)a.caption, 0);
    return NULL;
  }
  if (!a.caption) return vd_jpull_error_at(&c->j, at, "annotation of image %s has no string \"caption\"", padded);
  return vd_coco_push(c, record, a.caption, a.caption_len);
}

static vd_status vd_coco_annotations(vd_dataset *ds, vd_coco_captions *c, vd_arena *ids) {
  bool has;
  c->count = 0;  // a repeated "annotations" key: the last list wins, as in Python
  VD_RETURN_IF_ERROR(vd_jpull_array_begin(&c->j));
  for (;;) {
    VD_RETURN_IF_ERROR(vd_jpull_array_next(&c->j, &has));
    if (!has) return NULL;
    VD_RETURN_IF_ERROR(vd_coco_read_annotation(ds, c, ids));
  }
}

static vd_status vd_coco_walk_file(vd_dataset *ds, vd_coco_captions *c, vd_arena *ids) {
  char key[VD_JPULL_KEY_CAP];
  bool has, seen = false;
  VD_RETURN_IF_ERROR(vd_jpull_object_begin(&c->j));
  for (;;) {
    VD_RETURN_IF_ERROR(vd_jpull_object_next(&c->j, key, &has));
    if (!has) break;
    bool want = strcmp(key, "annotations") == 0;
    seen = seen || want;
    VD_RETURN_IF_ERROR(want ? vd_coco_annotations(ds, c, ids) : vd_jpull_skip(&c->j));
  }
  VD_RETURN_IF_ERROR(vd_jpull_finish(&c->j));
  return seen ? NULL : vd_status_make(VD_ERR_FORMAT, "COCO caption file %s has no \"annotations\" list", c->j.label);
}

// Joins each record's pieces, in file order, into one caption string.
static vd_status vd_coco_join(vd_dataset *ds, const vd_coco_captions *c) {
  size_t *len = calloc(ds->count ? ds->count : 1, sizeof(size_t));
  char **cursor = calloc(ds->count ? ds->count : 1, sizeof(char *));
  vd_status st = len && cursor ? NULL : vd_status_make(VD_ERR_OUT_OF_MEMORY, "COCO captions: out of host memory");
  for (size_t i = 0; !st && i < c->count; ++i) len[c->pieces[i].record] += c->pieces[i].len;
  for (size_t i = 0; !st && i < c->count; ++i) {
    size_t r = c->pieces[i].record;
    if (!cursor[r]) {
      char *s = vd_arena_alloc(ds->arena, len[r] + 1);
      if (!s) st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "COCO captions: out of host memory");
      if (!s) break;
      s[len[r]] = '\0';
      ds->records[r].caption = cursor[r] = s;
      ds->records[r].has_caption = true;
      ++ds->captioned;
    }
    memcpy(cursor[r], c->pieces[i].text, c->pieces[i].len);
    cursor[r] += c->pieces[i].len;
  }
  free(len);
  free(cursor);
  return st;
}

static vd_status vd_coco_captions_read(vd_dataset *ds, const char *path) {
  char *text;
  size_t n;
  VD_RETURN_IF_ERROR(vd_dataset_read_file(path, "COCO caption file", &text, &n));
  vd_coco_captions c;
  memset(&c, 0, sizeof(c));
  vd_jpull_init(&c.j, text, n, path);
  vd_arena *ids = vd_arena_create();
  c.texts = vd_arena_create();
  vd_status st = ids && c.texts ? vd_coco_index(ds, &c)
                                : vd_status_make(VD_ERR_OUT_OF_MEMORY, "COCO captions: out of host memory");
  if (!st) st = vd_coco_walk_file(ds, &c, ids);
  if (!st) st = vd_coco_join(ds, &c);
  vd_arena_destroy(ids);
  vd_arena_destroy(c.texts);
  free(c.table);
  free(c.pieces);
  free(text);
  return st;
}

vd_status vd_coco_captions_path(const char *root, vd_split split, const char *suffix, char *out, size_t cap) {
  int n = snprintf(out, cap, "%s/annotations/captions_%s2017%s.json", root, split == VD_SPLIT_TRAIN ? "train" : "val",
                   suffix ? suffix : "");
  if (n < 0 || (size_t)n >= cap) return vd_status_make(VD_ERR_LIMIT, "COCO caption path under %s too long", root);
  return NULL;
}

// ---- attaching ------------------------------------------------------------------------------------------

static vd_status vd_captions_remember(vd_dataset *ds, const char *captions, const char *labels) {
  ds->captions_path = vd_arena_strndup(ds->arena, captions, strlen(captions));
  ds->labels_path = labels ? vd_arena_strndup(ds->arena, labels, strlen(labels)) : NULL;
  if (!ds->captions_path || (labels && !ds->labels_path))
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "captions: out of host memory");
  return NULL;
}

static vd_status vd_captions_coco(vd_dataset *ds, const char *source, const char *suffix) {
  char path[4096];
  struct stat sb;
  if (stat(source, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    int n = snprintf(path, sizeof(path), "%s/captions_%s2017%s.json", source,
                     ds->split == VD_SPLIT_TRAIN ? "train" : "val", suffix ? suffix : "");
    if (n < 0 || (size_t)n >= sizeof(path))
      return vd_status_make(VD_ERR_LIMIT, "COCO caption path under %s too long", source);
    source = path;
  }
  VD_RETURN_IF_ERROR(vd_coco_captions_read(ds, source));
  return vd_captions_remember(ds, source, NULL);
}

vd_status vd_captions_attach(vd_dataset *dataset, const char *source, const char *coco_suffix) {
  vd_status st;
  dataset->captioned = 0;
  if (dataset->kind == VD_DATASET_COCO) {
    st = vd_captions_coco(dataset, source, coco_suffix);
  } else {
    char captions[4096], labels[4096];
    st = vd_captions_find_pair(source, dataset->split, captions, labels, sizeof(captions));
    if (!st) st = vd_captions_pair(dataset, captions, labels);
    if (!st) st = vd_captions_remember(dataset, captions, labels);
  }
  if (st) {
    for (size_t i = 0; i < dataset->count; ++i) {
      dataset->records[i].caption = "";
      dataset->records[i].has_caption = false;
    }
    dataset->captioned = 0;
  }
  return st;
}
