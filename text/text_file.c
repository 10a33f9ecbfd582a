// Files are read through zlib's gzread, which passes plain files through unchanged.
#include "text/text_file.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

// Grows *data (capacity *cap) to hold more bytes; an error past max_bytes.
static vd_status vd_text_file_grow(const char *path, char **data, size_t *cap, size_t max_bytes) {
  if (*cap >= max_bytes) return vd_status_make(VD_ERR_LIMIT, "%s: larger than %zu bytes", path, max_bytes);
  size_t want = *cap * 2 < max_bytes ? *cap * 2 : max_bytes;
  char *grown = realloc(*data, want + 1);
  if (!grown) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
  *data = grown;
  *cap = want;
  return NULL;
}

vd_status vd_text_file_read(const char *path, size_t max_bytes, char **out_data, size_t *out_len) {
  *out_data = NULL;
  *out_len = 0;
  gzFile f = gzopen(path, "rb");
  if (!f) return vd_status_make(VD_ERR_NOT_FOUND, "%s: cannot open", path);
  gzbuffer(f, 1 << 17);
  size_t cap = 1 << 20 < max_bytes ? 1 << 20 : max_bytes, len = 0;
  char *data = malloc(cap + 1);
  vd_status st = data ? NULL : vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
  while (!st) {
    if (len == cap && (st = vd_text_file_grow(path, &data, &cap, max_bytes)) != NULL) break;
    size_t want = cap - len < (1u << 30) ? cap - len : (1u << 30);
    int got = gzread(f, data + len, (unsigned)want);
    if (got < 0) {
      int err;
      st = vd_status_make(VD_ERR_IO, "%s: read failed: %s", path, gzerror(f, &err));
    } else if (got == 0) {
      break;
    } else {
      len += (size_t)got;
    }
  }
  gzclose(f);
  if (st) {
    free(data);
    return st;
  }
  data[len] = '\0';
  *out_data = data;
  *out_len = len;
  return NULL;
}

vd_status vd_text_json_read(const char *path, size_t max_bytes, cJSON **out_root) {
  *out_root = NULL;
  char *text;
  size_t len;
  VD_RETURN_IF_ERROR(vd_text_file_read(path, max_bytes, &text, &len));
  *out_root = cJSON_ParseWithLength(text, len);
  free(text);
  if (!*out_root) return vd_status_make(VD_ERR_FORMAT, "%s: not valid JSON", path);
  return NULL;
}

bool vd_text_path_is_dir(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

bool vd_text_path_is_file(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

bool vd_text_ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

vd_status vd_text_path_join(char *out, size_t cap, const char *dir, const char *name) {
  int n = snprintf(out, cap, "%s/%s", dir, name);
  if (n < 0 || (size_t)n >= cap) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: path too long", dir);
  return NULL;
}

vd_status vd_text_path_dirname(const char *path, char *out, size_t cap) {
  const char *slash = strrchr(path, '/');
  size_t n = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
  if (n + 1 > cap) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "%s: path too long", path);
  memcpy(out, slash ? path : ".", n);
  out[n] = '\0';
  return NULL;
}
