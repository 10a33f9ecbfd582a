#include "formats/weight_file.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/checkpoint.h"
#include "formats/mapped_file.h"
#include "formats/safetensors.h"

struct vd_weight_file {
  char *path;                              // as opened, for messages
  vd_weight_format format;                 // what was recognised
  vd_safetensors **shards;                 // safetensors files (one unless sharded)
  size_t shard_count;                      // entries of shards
  vd_checkpoint *checkpoint;               // torch zip checkpoint, or NULL
  const vd_weight_tensor **tensors;        // every tensor, file order
  const vd_weight_tensor **sorted;         // same, sorted by name
  size_t count;                            // tensors
};

const char *vd_weight_format_name(vd_weight_format format) {
  switch (format) {
    case VD_WEIGHT_FORMAT_SAFETENSORS: return "safetensors";
    case VD_WEIGHT_FORMAT_SAFETENSORS_SHARDED: return "safetensors (sharded)";
    case VD_WEIGHT_FORMAT_TORCH_ZIP: return "pytorch zip checkpoint";
  }
  return "?";
}

static int vd_wf_cmp_name(const void *a, const void *b) {
  return strcmp((*(const vd_weight_tensor *const *)a)->name, (*(const vd_weight_tensor *const *)b)->name);
}

static vd_status vd_wf_add(vd_weight_file *f, const vd_weight_tensor *t) {
  f->tensors[f->count++] = t;
  return NULL;
}

// Collects the tensors of all sources into one list and a sorted index; names must be unique.
static vd_status vd_wf_index(vd_weight_file *f, const char *path) {
  size_t n = f->checkpoint ? vd_checkpoint_count(f->checkpoint) : 0;
  for (size_t s = 0; s < f->shard_count; ++s) n += vd_safetensors_count(f->shards[s]);
  f->tensors = calloc(n ? n : 1, sizeof(*f->tensors));
  f->sorted = calloc(n ? n : 1, sizeof(*f->sorted));
  if (!f->tensors || !f->sorted) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
  if (f->checkpoint)
    for (size_t i = 0; i < vd_checkpoint_count(f->checkpoint); ++i)
      VD_RETURN_IF_ERROR(vd_wf_add(f, vd_checkpoint_tensor(f->checkpoint, i)));
  for (size_t s = 0; s < f->shard_count; ++s)
    for (size_t i = 0; i < vd_safetensors_count(f->shards[s]); ++i) {
      ((vd_weight_tensor *)vd_safetensors_tensor(f->shards[s], i))->source = (int)s;
      VD_RETURN_IF_ERROR(vd_wf_add(f, vd_safetensors_tensor(f->shards[s], i)));
    }
  memcpy(f->sorted, f->tensors, n * sizeof(*f->sorted));
  qsort(f->sorted, n, sizeof(*f->sorted), vd_wf_cmp_name);
  for (size_t i = 1; i < n; ++i)
    if (strcmp(f->sorted[i - 1]->name, f->sorted[i]->name) == 0)
      return vd_status_make(VD_ERR_FORMAT, "%s: tensor \"%s\" appears twice", path, f->sorted[i]->name);
  return NULL;
}

static vd_status vd_wf_add_shard(vd_weight_file *f, const char *path) {
  if (f->shard_count >= VD_WEIGHT_FILE_MAX_SHARDS)
    return vd_status_make(VD_ERR_LIMIT, "%s: more than %d shards", path, VD_WEIGHT_FILE_MAX_SHARDS);
  vd_safetensors **grown = realloc(f->shards, (f->shard_count + 1) * sizeof(*grown));
  if (!grown) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
  f->shards = grown;
  VD_RETURN_IF_ERROR(vd_safetensors_open(path, &f->shards[f->shard_count]));
  ++f->shard_count;
  return NULL;
}

// Opens every distinct shard named by weight_map (relative to the index's folder); names[i] is the
// weight_map string of shard i (pointing into the index JSON).
static vd_status vd_wf_open_shards(vd_weight_file *f, const char *index_path, const cJSON *map, const char **names) {
  const char *slash = strrchr(index_path, '/');
  int dir_len = slash ? (int)(slash - index_path + 1) : 0;
  for (const cJSON *e = map->child; e; e = e->next) {
    if (!cJSON_IsString(e) || strchr(e->valuestring, '/') || !e->valuestring[0])
      return vd_status_make(VD_ERR_FORMAT, "%s: weight_map entry \"%s\" is not a plain file name", index_path,
                            e->string);
    bool seen = false;
    for (size_t i = 0; i < f->shard_count && !seen; ++i) seen = strcmp(names[i], e->valuestring) == 0;
    if (seen) continue;
    char shard[4096];
    if (snprintf(shard, sizeof(shard), "%.*s%s", dir_len, index_path, e->valuestring) >= (int)sizeof(shard))
      return vd_status_make(VD_ERR_LIMIT, "%s: shard path too long", index_path);
    VD_RETURN_IF_ERROR(vd_wf_add_shard(f, shard));
    names[f->shard_count - 1] = e->valuestring;
  }
  return NULL;
}

// Position of name in f->sorted, or f->count when absent.
static size_t vd_wf_position(const vd_weight_file *f, const char *name) {
  size_t lo = 0, hi = f->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(f->sorted[mid]->name, name);
    if (c == 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return f->count;
}

// weight_map and the shards must agree: every key is stored in the shard it names, no key is listed twice,
// and every tensor of every shard is listed.
static vd_status vd_wf_check_map(const vd_weight_file *f, const char *index_path, const cJSON *map,
                                 const char *const *names) {
  bool *listed = calloc(f->count ? f->count : 1, sizeof(*listed));
  if (!listed) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", index_path);
  vd_status st = NULL;
  for (const cJSON *e = map->child; e && !st; e = e->next) {
    size_t i = vd_wf_position(f, e->string);
    const vd_weight_tensor *t = i < f->count ? f->sorted[i] : NULL;
    if (!t)
      st = vd_status_make(VD_ERR_FORMAT, "%s: tensor \"%s\" is in weight_map (shard \"%s\") but in no shard",
                          index_path, e->string, e->valuestring);
    else if (strcmp(names[t->source], e->valuestring) != 0)
      st = vd_status_make(VD_ERR_FORMAT, "%s: tensor \"%s\" is listed in weight_map under shard \"%s\" but is "
                          "stored in shard \"%s\"", index_path, e->string, e->valuestring, names[t->source]);
    else if (listed[i])
      st = vd_status_make(VD_ERR_FORMAT, "%s: tensor \"%s\" appears twice in weight_map", index_path, e->string);
    else
      listed[i] = true;
  }
  for (size_t i = 0; i < f->count && !st; ++i)
    if (!listed[i])
      st = vd_status_make(VD_ERR_FORMAT, "%s: tensor \"%s\" of shard \"%s\" is not in weight_map", index_path,
                          f->sorted[i]->name, names[f->sorted[i]->source]);
  free(listed);
  return st;
}

static vd_status vd_wf_open_index(vd_weight_file *f, const char *path, const vd_mapped_file *m) {
  if (m->size > VD_WEIGHT_INDEX_MAX_BYTES)
    return vd_status_make(VD_ERR_LIMIT, "%s: index JSON larger than %u bytes", path, VD_WEIGHT_INDEX_MAX_BYTES);
  cJSON *root = cJSON_ParseWithLength((const char *)m->data, m->size);
  const cJSON *map = cJSON_GetObjectItemCaseSensitive(root, "weight_map");
  const char *names[VD_WEIGHT_FILE_MAX_SHARDS];  // weight_map's name of each opened shard
  vd_status st = NULL;
  if (!cJSON_IsObject(map))
    st = vd_status_make(VD_ERR_FORMAT, "%s: not a safetensors index (no \"weight_map\" object)", path);
  f->format = VD_WEIGHT_FORMAT_SAFETENSORS_SHARDED;
  if (!st) st = vd_wf_open_shards(f, path, map, names);
  if (!st) st = vd_wf_index(f, path);
  if (!st) st = vd_wf_check_map(f, path, map, names);
  cJSON_Delete(root);
  return st;
}

// True when the bytes have the shape of a safetensors file: an 8-byte little-endian length n that fits the
// file, then n header bytes that open a JSON object and close it (trailing spaces, as writers pad, allowed).
// Checked before any first-byte signature, since the length's first byte can be anything ('{' for n = 123,
// 0x80 0x01 for n = 384). The safetensors reader does the full parse.
static bool vd_wf_looks_safetensors(const vd_mapped_file *m) {
  const uint8_t *d = m->data;
  if (m->size < 10) return false;
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | d[i];
  if (n < 2 || n > m->size - 8 || d[8] != '{') return false;
  const uint8_t *end = d + 8 + n;
  while (end > d + 9 && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\r' || end[-1] == '\t' || end[-1] == '\0'))
    --end;
  return end[-1] == '}';
}

// Recognises the format and opens it: safetensors by its header, then a zip checkpoint, then a shard index
// (JSON), then the refusal of a legacy pickle; anything else goes to the safetensors reader for its error.
static vd_status vd_wf_open_any(vd_weight_file *f, const char *path) {
  vd_mapped_file *m = NULL;
  VD_RETURN_IF_ERROR(vd_mapped_file_open(path, &m));
  const uint8_t *d = m->data;
  bool safetensors = vd_wf_looks_safetensors(m);
  bool zip = !safetensors && m->size >= 4 && d[0] == 'P' && d[1] == 'K' && d[2] == 3 && d[3] == 4;
  bool json = !safetensors && !zip && m->size >= 1 && d[0] == '{';
  bool legacy = !safetensors && !zip && !json && m->size >= 2 && d[0] == 0x80 && d[1] <= 5;
  vd_status st = NULL;
  if (json) st = vd_wf_open_index(f, path, m);
  vd_mapped_file_destroy(m);
  if (json) return st;
  if (legacy)
    return vd_status_make(VD_ERR_FORMAT, "%s: legacy (pre-1.6, non-zip) torch.save format is not supported; "
                          "re-save it with a current torch.save", path);
  if (zip) {
    f->format = VD_WEIGHT_FORMAT_TORCH_ZIP;
    VD_RETURN_IF_ERROR(vd_checkpoint_open(path, &f->checkpoint));
  } else {
    f->format = VD_WEIGHT_FORMAT_SAFETENSORS;
    VD_RETURN_IF_ERROR(vd_wf_add_shard(f, path));
  }
  return vd_wf_index(f, path);
}

vd_status vd_weight_file_open(const char *path, vd_weight_file **out_file) {
  *out_file = NULL;
  vd_weight_file *f = calloc(1, sizeof(*f));
  if (!f || !(f->path = strdup(path))) {
    free(f);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
  }
  vd_status st = vd_wf_open_any(f, path);
  if (st) {
    vd_weight_file_destroy(f);
    return st;
  }
  *out_file = f;
  return NULL;
}

void vd_weight_file_destroy(vd_weight_file *f) {
  if (!f) return;
  for (size_t i = 0; i < f->shard_count; ++i) vd_safetensors_destroy(f->shards[i]);
  free(f->shards);
  vd_checkpoint_destroy(f->checkpoint);
  free(f->tensors);
  free(f->sorted);
  free(f->path);
  free(f);
}

const char *vd_weight_file_path(const vd_weight_file *f) { return f->path; }

vd_weight_format vd_weight_file_format(const vd_weight_file *f) { return f->format; }
size_t vd_weight_file_count(const vd_weight_file *f) { return f->count; }

const vd_weight_tensor *vd_weight_file_tensor(const vd_weight_file *f, size_t index) {
  return index < f->count ? f->tensors[index] : NULL;
}

const vd_weight_tensor *vd_weight_file_find(const vd_weight_file *f, const char *name) {
  if (!f->sorted) return NULL;
  size_t i = vd_wf_position(f, name);
  return i < f->count ? f->sorted[i] : NULL;
}

uint64_t vd_weight_file_total_bytes(const vd_weight_file *f) {
  uint64_t total = 0;
  for (size_t i = 0; i < f->count; ++i) total += vd_weight_tensor_bytes(f->tensors[i]);
  return total;
}

void vd_weight_file_release(const vd_weight_file *f, const vd_weight_tensor *t) {
  const vd_mapped_file *m = f->checkpoint ? vd_checkpoint_mapping(f->checkpoint)
                            : (size_t)t->source < f->shard_count ? vd_safetensors_mapping(f->shards[t->source])
                                                                 : NULL;
  if (m) vd_mapped_file_release(m, t->file_offset, t->span_bytes);
}
