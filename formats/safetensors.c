#include "formats/safetensors.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vd_safetensors {
  char *label;                // file name for messages
  vd_mapped_file *mapping;    // owned mapping, NULL when parsing a caller's buffer
  cJSON *header;              // parsed header; tensor names point into it
  vd_weight_tensor *tensors;  // header order
  size_t count;               // number of tensors
  const vd_weight_tensor **by_name;  // tensors sorted by name, for lookup
};

#define VD_ST_MAX_INTEGER 9007199254740992.0  // 2^53: JSON numbers above are not exact doubles

static uint64_t vd_le64(const uint8_t *p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Reads a non-negative integral JSON number.
static bool vd_st_integer(const cJSON *item, uint64_t *out) {
  if (!cJSON_IsNumber(item)) return false;
  double d = item->valuedouble;
  if (!(d >= 0.0 && d <= VD_ST_MAX_INTEGER) || d != (double)(uint64_t)d) return false;
  *out = (uint64_t)d;
  return true;
}

static vd_status vd_st_metadata(const cJSON *meta, const char *label) {
  if (!cJSON_IsObject(meta))
    return vd_status_make(VD_ERR_FORMAT, "%s: __metadata__ is not an object", label);
  for (const cJSON *m = meta->child; m; m = m->next)
    if (!cJSON_IsString(m))
      return vd_status_make(VD_ERR_FORMAT, "%s: __metadata__ entry \"%s\" is not a string", label, m->string);
  return NULL;
}

static vd_status vd_st_shape(const cJSON *shape, vd_weight_tensor *t, const char *label) {
  if (!cJSON_IsArray(shape))
    return vd_status_make(VD_ERR_FORMAT, "%s: tensor \"%s\": shape is not an array", label, t->name);
  int rank = cJSON_GetArraySize(shape);
  if (rank > VD_WEIGHT_MAX_RANK)
    return vd_status_make(VD_ERR_FORMAT, "%s: tensor \"%s\": rank %d exceeds the limit %d", label, t->name,
                          rank, VD_WEIGHT_MAX_RANK);
  t->rank = rank;
  int i = 0;
  for (const cJSON *d = shape->child; d; d = d->next, ++i) {
    uint64_t v = 0;
    if (!vd_st_integer(d, &v) || v > (uint64_t)INT64_MAX)
      return vd_status_make(VD_ERR_FORMAT, "%s: tensor \"%s\": dimension %d is not a non-negative integer",
                            label, t->name, i);
    t->shape[i] = (int64_t)v;
  }
  vd_weight_tensor_set_dense_strides(t);
  return NULL;
}

static vd_status vd_st_offsets(const cJSON *offs, uint64_t data_size, vd_weight_tensor *t, uint64_t *out_end,
                               const char *label) {
  uint64_t begin = 0, end = 0;
  if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2 || !vd_st_integer(offs->child, &begin) ||
      !vd_st_integer(offs->child->next, &end))
    return vd_status_make(VD_ERR_FORMAT, "%s: tensor \"%s\": data_offsets is not [begin, end]", label, t->name);
  if (begin > end || end > data_size)
    return vd_status_make(VD_ERR_FORMAT,
                          "%s: tensor \"%s\": data_offsets [%llu, %llu] outside the data section of %llu bytes",
                          label, t->name, (unsigned long long)begin, (unsigned long long)end,
                          (unsigned long long)data_size);
  uint64_t need = vd_weight_tensor_bytes(t);
  if (need != end - begin) {
    char shape[160];
    return vd_status_make(VD_ERR_FORMAT, "%s: tensor \"%s\": %s %s needs %llu bytes but data_offsets span %llu",
                          label, t->name, vd_weight_dtype_name(t->dtype),
                          vd_weight_shape_format(t->rank, t->shape, shape, sizeof(shape)),
                          (unsigned long long)need, (unsigned long long)(end - begin));
  }
  t->file_offset = begin;  // relative to the data section until the caller rebases it
  *out_end = end;
  return NULL;
}

static vd_status vd_st_entry(const cJSON *e, uint64_t data_size, vd_weight_tensor *t, const char *label) {
  t->name = e->string;
  if (!t->name[0]) return vd_status_make(VD_ERR_FORMAT, "%s: a tensor has an empty name", label);
  if (!cJSON_IsObject(e))
    return vd_status_make(VD_ERR_FORMAT, "%s: tensor \"%s\": entry is not an object", label, t->name);
  const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(e, "dtype");
  if (!cJSON_IsString(dtype) || !vd_weight_dtype_parse(dtype->valuestring, &t->dtype))
    return vd_status_make(VD_ERR_FORMAT, "%s: tensor \"%s\": unknown or missing dtype %s%s%s", label, t->name,
                          cJSON_IsString(dtype) ? "\"" : "", cJSON_IsString(dtype) ? dtype->valuestring : "",
                          cJSON_IsString(dtype) ? "\"" : "");
  VD_RETURN_IF_ERROR(vd_st_shape(cJSON_GetObjectItemCaseSensitive(e, "shape"), t, label));
  char what[300];
  snprintf(what, sizeof(what), "%s: tensor \"%s\"", label, t->name);
  VD_RETURN_IF_ERROR(vd_weight_tensor_layout(t, what));
  uint64_t end = 0;
  return vd_st_offsets(cJSON_GetObjectItemCaseSensitive(e, "data_offsets"), data_size, t, &end, label);
}

static int vd_st_cmp_name(const void *a, const void *b) {
  return strcmp((*(const vd_weight_tensor *const *)a)->name, (*(const vd_weight_tensor *const *)b)->name);
}
static int vd_st_cmp_offset(const void *a, const void *b) {
  uint64_t x = (*(const vd_weight_tensor *const *)a)->file_offset;
  uint64_t y = (*(const vd_weight_tensor *const *)b)->file_offset;
  return x < y ? -1 : x > y;
}

// Rejects duplicate names and overlapping byte ranges; leaves by_name sorted by name.
static vd_status vd_st_check_unique(vd_safetensors *f) {
  for (size_t i = 0; i < f->count; ++i) f->by_name[i] = &f->tensors[i];
  qsort(f->by_name, f->count, sizeof(*f->by_name), vd_st_cmp_offset);
  const vd_weight_tensor *reach = NULL;  // the tensor ending farthest so far
  for (size_t i = 0; i < f->count; ++i) {
    const vd_weight_tensor *b = f->by_name[i];
    if (vd_weight_tensor_bytes(b) == 0) continue;
    if (reach && reach->file_offset + vd_weight_tensor_bytes(reach) > b->file_offset)
      return vd_status_make(VD_ERR_FORMAT, "%s: tensors \"%s\" and \"%s\" overlap in the data section", f->label,
                            reach->name, b->name);
    reach = b;
  }
  qsort(f->by_name, f->count, sizeof(*f->by_name), vd_st_cmp_name);
  for (size_t i = 1; i < f->count; ++i)
    if (strcmp(f->by_name[i - 1]->name, f->by_name[i]->name) == 0)
      return vd_status_make(VD_ERR_FORMAT, "%s: tensor \"%s\" appears twice", f->label, f->by_name[i]->name);
  return NULL;
}

static vd_status vd_st_entries(vd_safetensors *f, const uint8_t *data, uint64_t data_start, uint64_t data_size) {
  size_t n = 0;
  for (const cJSON *e = f->header->child; e; e = e->next) n += strcmp(e->string, "__metadata__") != 0;
  if (n > VD_SAFETENSORS_MAX_TENSORS)
    return vd_status_make(VD_ERR_LIMIT, "%s: %zu tensors exceed the limit %u", f->label, n,
                          VD_SAFETENSORS_MAX_TENSORS);
  f->tensors = calloc(n ? n : 1, sizeof(*f->tensors));
  f->by_name = calloc(n ? n : 1, sizeof(*f->by_name));
  if (!f->tensors || !f->by_name) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", f->label);
  for (const cJSON *e = f->header->child; e; e = e->next) {
    if (strcmp(e->string, "__metadata__") == 0) {
      VD_RETURN_IF_ERROR(vd_st_metadata(e, f->label));
      continue;
    }
    vd_weight_tensor *t = &f->tensors[f->count++];
    VD_RETURN_IF_ERROR(vd_st_entry(e, data_size, t, f->label));
  }
  VD_RETURN_IF_ERROR(vd_st_check_unique(f));
  for (size_t i = 0; i < f->count; ++i) {
    f->tensors[i].file_offset += data_start;
    f->tensors[i].data = data + f->tensors[i].file_offset;
  }
  return NULL;
}

static vd_status vd_st_header(vd_safetensors *f, const uint8_t *data, size_t size) {
  if (size < 8) return vd_status_make(VD_ERR_FORMAT, "%s: %zu bytes is too short for safetensors", f->label, size);
  uint64_t n = vd_le64(data);
  if (n > VD_SAFETENSORS_MAX_HEADER)
    return vd_status_make(VD_ERR_LIMIT, "%s: header of %llu bytes exceeds the limit of %u", f->label,
                          (unsigned long long)n, VD_SAFETENSORS_MAX_HEADER);
  if (n > size - 8)
    return vd_status_make(VD_ERR_FORMAT, "%s: header of %llu bytes runs past the end of the %zu-byte file",
                          f->label, (unsigned long long)n, size);
  if (n < 2 || data[8] != '{')
    return vd_status_make(VD_ERR_FORMAT, "%s: header does not start with a JSON object", f->label);
  const char *json = (const char *)data + 8, *end = NULL;
  f->header = cJSON_ParseWithLengthOpts(json, (size_t)n, &end, 0);
  if (!f->header || !cJSON_IsObject(f->header))
    return vd_status_make(VD_ERR_FORMAT, "%s: header is not well-formed JSON (near byte %lld)", f->label,
                          (long long)(end ? 8 + (end - json) : 8));
  for (const char *p = end; p < json + n; ++p)
    if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t' && *p != '\0')
      return vd_status_make(VD_ERR_FORMAT, "%s: unexpected bytes after the JSON header", f->label);
  return vd_st_entries(f, data, 8 + n, size - 8 - n);
}

vd_status vd_safetensors_parse(const uint8_t *data, size_t size, const char *label, vd_safetensors **out_file) {
  *out_file = NULL;
  vd_safetensors *f = calloc(1, sizeof(*f));
  if (!f || !(f->label = strdup(label))) {
    free(f);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", label);
  }
  vd_status st = vd_st_header(f, data, size);
  if (st) {
    vd_safetensors_destroy(f);
    return st;
  }
  *out_file = f;
  return NULL;
}

vd_status vd_safetensors_open(const char *path, vd_safetensors **out_file) {
  *out_file = NULL;
  vd_mapped_file *m = NULL;
  VD_RETURN_IF_ERROR(vd_mapped_file_open(path, &m));
  vd_status st = vd_safetensors_parse(m->data, m->size, path, out_file);
  if (st) {
    vd_mapped_file_destroy(m);
    return st;
  }
  (*out_file)->mapping = m;
  return NULL;
}

void vd_safetensors_destroy(vd_safetensors *file) {
  if (!file) return;
  cJSON_Delete(file->header);
  free(file->tensors);
  free(file->by_name);
  free(file->label);
  vd_mapped_file_destroy(file->mapping);
  free(file);
}

size_t vd_safetensors_count(const vd_safetensors *file) { return file->count; }

const vd_weight_tensor *vd_safetensors_tensor(const vd_safetensors *file, size_t index) {
  return index < file->count ? &file->tensors[index] : NULL;
}

const vd_weight_tensor *vd_safetensors_find(const vd_safetensors *file, const char *name) {
  size_t lo = 0, hi = file->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(file->by_name[mid]->name, name);
    if (c == 0) return file->by_name[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

const vd_mapped_file *vd_safetensors_mapping(const vd_safetensors *file) { return file->mapping; }
