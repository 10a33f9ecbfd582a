#include "formats/checkpoint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/pickle.h"
#include "formats/zip.h"

struct vd_checkpoint {
  char *label;                // file name for messages
  vd_mapped_file *mapping;    // owned mapping (NULL when parsing a caller's buffer)
  vd_zip *zip;                // the archive
  vd_pickle *pickle;          // the object tree; tensor names point into it
  char *archive;              // "ARCHIVE/" prefix of every entry
  const char *state_key;      // "state_dict" or ""
  vd_weight_tensor *tensors;  // state-dict order
  size_t count;               // tensors
  size_t skipped;             // non-tensor entries of the state dict
};

// A formatted string in a new allocation (entry names and labels have no length limit: a zip name may be
// 65535 bytes); NULL when out of memory.
static char *vd_ckpt_format(const char *fmt, ...) VD_PRINTF(1, 2);
static char *vd_ckpt_format(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (!s) return NULL;
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

// Finds the single ARCHIVE/data.pkl entry.
static vd_status vd_ckpt_find_pickle(vd_checkpoint *c, const vd_zip_entry **out) {
  *out = NULL;
  for (size_t i = 0; i < vd_zip_count(c->zip); ++i) {
    const vd_zip_entry *e = vd_zip_entry_at(c->zip, i);
    const char *slash = strchr(e->name, '/');
    if (!slash || strcmp(slash, "/data.pkl") != 0) continue;
    if (*out)
      return vd_status_make(VD_ERR_FORMAT, "%s: two pickles (\"%s\" and \"%s\")", c->label, (*out)->name, e->name);
    *out = e;
  }
  if (!*out) return vd_status_make(VD_ERR_FORMAT, "%s: zip holds no ARCHIVE/data.pkl: not a torch.save checkpoint",
                                   c->label);
  size_t n = strlen((*out)->name) - strlen("data.pkl");
  if (!(c->archive = malloc(n + 1))) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", c->label);
  memcpy(c->archive, (*out)->name, n);
  c->archive[n] = '\0';
  return NULL;
}

static vd_status vd_ckpt_check_byteorder(const vd_checkpoint *c) {
  char *name = vd_ckpt_format("%sbyteorder", c->archive);
  if (!name) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", c->label);
  const vd_zip_entry *e = vd_zip_find(c->zip, name);
  free(name);
  if (!e) return NULL;  // older writers omit it; they were little-endian only
  const char *data = (const char *)vd_zip_entry_data(c->zip, e);
  if (e->size == 6 && memcmp(data, "little", 6) == 0) return NULL;
  return vd_status_make(VD_ERR_FORMAT, "%s: checkpoint byte order is not little-endian", c->label);
}

// The dict holding the tensors: root["state_dict"] if it is a dict, else root.
static vd_status vd_ckpt_state_dict(vd_checkpoint *c, const vd_pickle_value **out) {
  const vd_pickle_value *root = vd_pickle_root(c->pickle);
  if (root->kind != VD_PICKLE_DICT)
    return vd_status_make(VD_ERR_FORMAT, "%s: top-level object is a %s, not a dict", c->label,
                          vd_pickle_kind_name(root->kind));
  const vd_pickle_value *sd = vd_pickle_dict_get(root, "state_dict");
  c->state_key = sd && sd->kind == VD_PICKLE_DICT ? "state_dict" : "";
  *out = sd && sd->kind == VD_PICKLE_DICT ? sd : root;
  return NULL;
}

// Checks that the view stays inside its storage entry e and points the tensor at its data.
static vd_status vd_ckpt_bind_entry(vd_checkpoint *c, const vd_pickle_tensor_view *view, const char *entry_name,
                                    const vd_zip_entry *e, vd_weight_tensor *t) {
  const vd_pickle_storage *s = &view->storage->u.storage;
  size_t esize = vd_weight_dtype_size(s->dtype);
  if (s->numel > e->size / esize)
    return vd_status_make(VD_ERR_FORMAT, "%s: tensor \"%s\": storage \"%s\" announces %llu elements but holds %llu bytes",
                          c->label, t->name, entry_name, (unsigned long long)s->numel, (unsigned long long)e->size);
  char *what = vd_ckpt_format("%s: tensor \"%s\"", c->label, t->name);
  if (!what) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", c->label);
  vd_status st = vd_weight_tensor_layout(t, what);
  free(what);
  VD_RETURN_IF_ERROR(st);
  if (t->numel && (view->offset > s->numel || t->span_bytes > (s->numel - view->offset) * esize)) {
    char shape[160];
    return vd_status_make(VD_ERR_FORMAT, "%s: tensor \"%s\" %s at offset %llu reaches past its storage of %llu elements",
                          c->label, t->name, vd_weight_shape_format(t->rank, t->shape, shape, sizeof(shape)),
                          (unsigned long long)view->offset, (unsigned long long)s->numel);
  }
  t->file_offset = e->data_offset + (t->numel ? view->offset * esize : 0);
  t->data = vd_zip_entry_data(c->zip, e) + (t->file_offset - e->data_offset);
  return NULL;
}

// Locates a tensor's storage ARCHIVE/data/KEY in the archive and binds the tensor to it.
static vd_status vd_ckpt_bind(vd_checkpoint *c, const vd_pickle_tensor_view *view, vd_weight_tensor *t) {
  char *entry_name = vd_ckpt_format("%sdata/%s", c->archive, view->storage->u.storage.key);
  if (!entry_name) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", c->label);
  const vd_zip_entry *e = vd_zip_find(c->zip, entry_name);
  vd_status st = e ? vd_ckpt_bind_entry(c, view, entry_name, e, t)
                   : vd_status_make(VD_ERR_FORMAT, "%s: tensor \"%s\": storage \"%s\" is missing from the archive",
                                    c->label, t->name, entry_name);
  free(entry_name);
  return st;
}

static vd_status vd_ckpt_add_tensor(vd_checkpoint *c, const vd_pickle_value *key, const vd_pickle_value *value) {
  if (key->kind != VD_PICKLE_STRING || value->kind != VD_PICKLE_TENSOR) {
    ++c->skipped;
    return NULL;
  }
  const vd_pickle_tensor_view *view = &value->u.tensor;
  vd_weight_tensor *t = &c->tensors[c->count++];
  t->name = key->u.str.data;
  if (strlen(t->name) != key->u.str.len || !t->name[0])
    return vd_status_make(VD_ERR_FORMAT, "%s: a tensor name is empty or holds a NUL byte", c->label);
  t->dtype = view->storage->u.storage.dtype;
  t->rank = view->rank;
  memcpy(t->shape, view->shape, sizeof(t->shape));
  memcpy(t->stride, view->stride, sizeof(t->stride));
  return vd_ckpt_bind(c, view, t);
}

static vd_status vd_ckpt_collect(vd_checkpoint *c) {
  const vd_pickle_value *sd = NULL;
  VD_RETURN_IF_ERROR(vd_ckpt_state_dict(c, &sd));
  c->tensors = calloc(sd->u.dict.count ? sd->u.dict.count : 1, sizeof(*c->tensors));
  if (!c->tensors) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", c->label);
  for (size_t i = 0; i < sd->u.dict.count; ++i)
    VD_RETURN_IF_ERROR(vd_ckpt_add_tensor(c, sd->u.dict.keys[i], sd->u.dict.values[i]));
  return NULL;
}

static vd_status vd_ckpt_read(vd_checkpoint *c, const uint8_t *data, size_t size) {
  VD_RETURN_IF_ERROR(vd_zip_open(data, size, c->label, &c->zip));
  const vd_zip_entry *pkl = NULL;
  VD_RETURN_IF_ERROR(vd_ckpt_find_pickle(c, &pkl));
  VD_RETURN_IF_ERROR(vd_ckpt_check_byteorder(c));
  char *label = vd_ckpt_format("%s: %s", c->label, pkl->name);
  if (!label) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", c->label);
  vd_status st = vd_pickle_load(vd_zip_entry_data(c->zip, pkl), (size_t)pkl->size, label, &c->pickle);
  free(label);
  VD_RETURN_IF_ERROR(st);
  return vd_ckpt_collect(c);
}

vd_status vd_checkpoint_parse(const uint8_t *data, size_t size, const char *label, vd_checkpoint **out_checkpoint) {
  *out_checkpoint = NULL;
  vd_checkpoint *c = calloc(1, sizeof(*c));
  if (!c || !(c->label = strdup(label))) {
    free(c);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", label);
  }
  vd_status st = vd_ckpt_read(c, data, size);
  if (st) {
    vd_checkpoint_destroy(c);
    return st;
  }
  *out_checkpoint = c;
  return NULL;
}

vd_status vd_checkpoint_open(const char *path, vd_checkpoint **out_checkpoint) {
  *out_checkpoint = NULL;
  vd_mapped_file *m = NULL;
  VD_RETURN_IF_ERROR(vd_mapped_file_open(path, &m));
  vd_status st = vd_checkpoint_parse(m->data, m->size, path, out_checkpoint);
  if (st) {
    vd_mapped_file_destroy(m);
    return st;
  }
  (*out_checkpoint)->mapping = m;
  return NULL;
}

void vd_checkpoint_destroy(vd_checkpoint *c) {
  if (!c) return;
  free(c->tensors);
  vd_pickle_destroy(c->pickle);
  vd_zip_destroy(c->zip);
  free(c->archive);
  free(c->label);
  vd_mapped_file_destroy(c->mapping);
  free(c);
}

size_t vd_checkpoint_count(const vd_checkpoint *c) { return c->count; }
const vd_weight_tensor *vd_checkpoint_tensor(const vd_checkpoint *c, size_t index) {
  return index < c->count ? &c->tensors[index] : NULL;
}
size_t vd_checkpoint_skipped(const vd_checkpoint *c) { return c->skipped; }
const char *vd_checkpoint_state_dict_key(const vd_checkpoint *c) { return c->state_key; }
const vd_mapped_file *vd_checkpoint_mapping(const vd_checkpoint *c) { return c->mapping; }
