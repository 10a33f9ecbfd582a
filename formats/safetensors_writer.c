#include "formats/safetensors_writer.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct vd_safetensors_writer {
  char *path;         // final name
  char *tmp_path;     // PATH.tmp, written first
  FILE *out;          // open on tmp_path
  uint64_t *bytes;    // expected data size of each entry
  size_t count;       // number of entries
  size_t next;        // entry the next write belongs to
};

static vd_status vd_stw_oom(const char *path) {
  return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory building the header", path);
}

static cJSON *vd_stw_entry_json(const vd_safetensors_entry *e, uint64_t begin, uint64_t end) {
  cJSON *o = cJSON_CreateObject();
  cJSON *shape = cJSON_CreateArray();
  cJSON *offs = cJSON_CreateArray();
  if (!o || !shape || !offs) {
    cJSON_Delete(o);
    cJSON_Delete(shape);
    cJSON_Delete(offs);
    return NULL;
  }
  cJSON_AddItemToObject(o, "dtype", cJSON_CreateString(vd_weight_dtype_name(e->dtype)));
  for (int i = 0; i < e->rank; ++i) cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)e->shape[i]));
  cJSON_AddItemToObject(o, "shape", shape);
  cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)begin));
  cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)end));
  cJSON_AddItemToObject(o, "data_offsets", offs);
  return o;
}

// Builds the header text; fills w->bytes.
static vd_status vd_stw_header(vd_safetensors_writer *w, const vd_safetensors_entry *entries, char **out_text) {
  cJSON *root = cJSON_CreateObject();
  if (!root) return vd_stw_oom(w->path);
  uint64_t offset = 0;
  for (size_t i = 0; i < w->count; ++i) {
    vd_weight_tensor t = {.name = entries[i].name, .dtype = entries[i].dtype, .rank = entries[i].rank};
    memcpy(t.shape, entries[i].shape, sizeof(t.shape));
    vd_weight_tensor_set_dense_strides(&t);
    vd_status st = vd_weight_tensor_layout(&t, entries[i].name);
    if (st) {
      cJSON_Delete(root);
      return vd_status_annotate(st, "%s", w->path);
    }
    w->bytes[i] = vd_weight_tensor_bytes(&t);
    cJSON *e = vd_stw_entry_json(&entries[i], offset, offset + w->bytes[i]);
    if (!e) {
      cJSON_Delete(root);
      return vd_stw_oom(w->path);
    }
    cJSON_AddItemToObject(root, entries[i].name, e);
    offset += w->bytes[i];
  }
  *out_text = cJSON_PrintUnformatted(root);
  cJSON_Delete(root);
  return *out_text ? NULL : vd_stw_oom(w->path);
}

static vd_status vd_stw_put(vd_safetensors_writer *w, const void *data, size_t bytes) {
  if (bytes && fwrite(data, 1, bytes, w->out) != bytes)
    return vd_status_make(VD_ERR_IO, "%s: write failed: %s", w->tmp_path, strerror(errno));
  return NULL;
}

static vd_status vd_stw_begin(vd_safetensors_writer *w, const vd_safetensors_entry *entries) {
  char *text = NULL;
  VD_RETURN_IF_ERROR(vd_stw_header(w, entries, &text));
  size_t len = strlen(text), padded = (len + 7) / 8 * 8;  // data section starts 8-byte aligned
  uint8_t prefix[8];
  for (int i = 0; i < 8; ++i) prefix[i] = (uint8_t)((uint64_t)padded >> (8 * i));
  w->out = fopen(w->tmp_path, "wb");
  vd_status st = w->out ? NULL : vd_status_make(VD_ERR_IO, "%s: cannot create: %s", w->tmp_path, strerror(errno));
  if (!st) st = vd_stw_put(w, prefix, 8);
  if (!st) st = vd_stw_put(w, text, len);
  if (!st) st = vd_stw_put(w, "       ", padded - len);
  cJSON_free(text);
  return st;
}

vd_status vd_safetensors_writer_create(const char *path, const vd_safetensors_entry *entries, size_t count,
                                       vd_safetensors_writer **out_writer) {
  *out_writer = NULL;
  vd_safetensors_writer *w = calloc(1, sizeof(*w));
  size_t plen = strlen(path);
  if (!w || !(w->path = strdup(path)) || !(w->tmp_path = malloc(plen + 5)) ||
      !(w->bytes = calloc(count ? count : 1, sizeof(uint64_t)))) {
    vd_safetensors_writer_destroy(w);
    return vd_stw_oom(path);
  }
  memcpy(w->tmp_path, path, plen);
  memcpy(w->tmp_path + plen, ".tmp", 5);
  w->count = count;
  vd_status st = vd_stw_begin(w, entries);
  if (st) {
    vd_safetensors_writer_destroy(w);
    return st;
  }
  *out_writer = w;
  return NULL;
}

vd_status vd_safetensors_writer_write(vd_safetensors_writer *w, const void *data, uint64_t bytes) {
  if (w->next >= w->count)
    return vd_status_make(VD_ERR_INTERNAL, "%s: more tensors written than declared", w->path);
  if (bytes != w->bytes[w->next])
    return vd_status_make(VD_ERR_INTERNAL, "%s: tensor %zu has %llu bytes, header says %llu", w->path, w->next,
                          (unsigned long long)bytes, (unsigned long long)w->bytes[w->next]);
  ++w->next;
  return vd_stw_put(w, data, (size_t)bytes);
}

vd_status vd_safetensors_writer_finish(vd_safetensors_writer *w) {
  vd_status st = NULL;
  if (w->next != w->count)
    st = vd_status_make(VD_ERR_INTERNAL, "%s: only %zu of %zu tensors written", w->path, w->next, w->count);
  if (!st && fflush(w->out) != 0)
    st = vd_status_make(VD_ERR_IO, "%s: write failed: %s", w->tmp_path, strerror(errno));
  if (!st && fsync(fileno(w->out)) != 0)
    st = vd_status_make(VD_ERR_IO, "%s: fsync failed: %s", w->tmp_path, strerror(errno));
  if (!st) {
    int rc = fclose(w->out);
    w->out = NULL;
    if (rc != 0) st = vd_status_make(VD_ERR_IO, "%s: close failed: %s", w->tmp_path, strerror(errno));
  }
  if (!st && rename(w->tmp_path, w->path) != 0)
    st = vd_status_make(VD_ERR_IO, "%s: cannot rename to %s: %s", w->tmp_path, w->path, strerror(errno));
  if (!st) {  // renamed: nothing left to remove
    free(w->tmp_path);
    w->tmp_path = NULL;
  }
  vd_safetensors_writer_destroy(w);
  return st;
}

void vd_safetensors_writer_destroy(vd_safetensors_writer *w) {
  if (!w) return;
  if (w->out) fclose(w->out);
  if (w->tmp_path) remove(w->tmp_path);
  free(w->tmp_path);
  free(w->path);
  free(w->bytes);
  free(w);
}
