#include "anomaly/caption_json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text/utf8.h"

vd_status vd_caption_names_make(const char *dataset, const char *vlm, const char *prompt_type, vd_split split,
                                long start, long end, vd_caption_names *out_names) {
  const char *s = vd_split_name(split);
  int a = snprintf(out_names->folder, VD_CAPTION_NAME_CAP, "%s_captions_%s_%s", dataset, vlm, prompt_type);
  int b =
      snprintf(out_names->captions, VD_CAPTION_NAME_CAP, "%s_captions_%s_%s_%ld_%ld.json", s, dataset, vlm, start, end);
  int c = snprintf(out_names->labels, VD_CAPTION_NAME_CAP, "%s_labels_%s_%s_%ld_%ld.json", s, dataset, vlm, start, end);
  if (a < 0 || b < 0 || c < 0 || a >= VD_CAPTION_NAME_CAP || b >= VD_CAPTION_NAME_CAP || c >= VD_CAPTION_NAME_CAP)
    return vd_status_make(VD_ERR_LIMIT, "caption file names for %s/%s/%s longer than %d bytes", dataset, vlm,
                          prompt_type, VD_CAPTION_NAME_CAP);
  if (strchr(dataset, '/') || strchr(vlm, '/') || strchr(prompt_type, '/'))
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "caption file names: \"%s\", \"%s\", \"%s\" may not contain '/'",
                          dataset, vlm, prompt_type);
  return NULL;
}

// ---- encoding ---------------------------------------------------------------------------------------------

typedef struct vd_json_out {
  char *data;       // bytes so far (malloc'd)
  size_t len, cap;  // used and allocated
  uint32_t *cps;    // scratch: one string's code points
  size_t cps_cap;   // entries of cps
  bool failed;      // an allocation failed
} vd_json_out;

static void vd_json_reserve(vd_json_out *o, size_t more) {
  if (o->failed || o->len + more + 1 <= o->cap) return;
  size_t cap = o->cap ? o->cap : 4096;
  while (cap < o->len + more + 1) cap *= 2;
  char *grown = realloc(o->data, cap);
  if (!grown) {
    o->failed = true;
    return;
  }
  o->data = grown;
  o->cap = cap;
}

static void vd_json_put(vd_json_out *o, const char *s, size_t n) {
  vd_json_reserve(o, n);
  if (o->failed) return;
  memcpy(o->data + o->len, s, n);
  o->len += n;
}

static void vd_json_put_code(vd_json_out *o, uint32_t cp) {
  static const char short_escapes[128][3] = {
      ['"'] = "\\\"", ['\\'] = "\\\\", ['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t"};
  char buf[16];
  if (cp < 0x80 && short_escapes[cp][0]) {
    vd_json_put(o, short_escapes[cp], 2);
  } else if (cp >= 0x20 && cp <= 0x7E) {
    buf[0] = (char)cp;
    vd_json_put(o, buf, 1);
  } else if (cp < 0x10000) {
    snprintf(buf, sizeof(buf), "\\u%04x", (unsigned)cp);
    vd_json_put(o, buf, 6);
  } else {
    uint32_t v = cp - 0x10000;
    snprintf(buf, sizeof(buf), "\\u%04x\\u%04x", (unsigned)(0xD800 + (v >> 10)), (unsigned)(0xDC00 + (v & 0x3FF)));
    vd_json_put(o, buf, 12);
  }
}

// One string, quoted and escaped as Python's ensure_ascii encoder does.
static void vd_json_put_string(vd_json_out *o, const char *s) {
  size_t n = strlen(s);
  if (n > o->cps_cap) {
    uint32_t *grown = realloc(o->cps, (n ? n : 1) * sizeof(*grown));
    if (!grown) {
      o->failed = true;
      return;
    }
    o->cps = grown;
    o->cps_cap = n;
  }
  size_t count = vd_utf8_decode(s, n, o->cps);
  vd_json_put(o, "\"", 1);
  for (size_t i = 0; i < count; ++i) vd_json_put_code(o, o->cps[i]);
  vd_json_put(o, "\"", 1);
}

vd_status vd_caption_json_encode(const char *const *items, size_t count, bool as_lists, char **out, size_t *out_len) {
  vd_json_out o = {0};
  vd_json_put(&o, "[", 1);
  for (size_t i = 0; i < count; ++i) {
    if (i) vd_json_put(&o, ", ", 2);
    if (as_lists) vd_json_put(&o, "[", 1);
    vd_json_put_string(&o, items[i] ? items[i] : "");
    if (as_lists) vd_json_put(&o, "]", 1);
  }
  vd_json_put(&o, "]", 1);
  free(o.cps);
  if (o.failed) {
    free(o.data);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "encoding %zu captions: out of host memory", count);
  }
  o.data[o.len] = '\0';
  *out = o.data;
  *out_len = o.len;
  return NULL;
}

// ---- writing ----------------------------------------------------------------------------------------------

static vd_status vd_caption_write_all(int fd, const char *path, const char *bytes, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, bytes, len);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return vd_status_make(VD_ERR_IO, "writing %s: %s", path, strerror(errno));
    bytes += w;
    len -= (size_t)w;
  }
  return fsync(fd) == 0 ? NULL : vd_status_make(VD_ERR_IO, "syncing %s: %s", path, strerror(errno));
}

// Writes the temporary file beside path; *tmp gets its name.
static vd_status vd_caption_write_tmp(const char *path, const char *bytes, size_t len, char *tmp, size_t cap) {
  int n = snprintf(tmp, cap, "%s.tmp.%ld", path, (long)getpid());
  if (n < 0 || (size_t)n >= cap) return vd_status_make(VD_ERR_LIMIT, "%s: path too long", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return vd_status_make(VD_ERR_IO, "cannot create %s: %s", tmp, strerror(errno));
  vd_status st = vd_caption_write_all(fd, tmp, bytes, len);
  if (close(fd) != 0 && !st) st = vd_status_make(VD_ERR_IO, "closing %s: %s", tmp, strerror(errno));
  if (st) unlink(tmp);
  return st;
}

static vd_status vd_caption_rename(const char *tmp, const char *path) {
  if (rename(tmp, path) == 0) return NULL;
  vd_status st = vd_status_make(VD_ERR_IO, "renaming %s to %s: %s", tmp, path, strerror(errno));
  unlink(tmp);
  return st;
}

vd_status vd_caption_file_write(const char *path, const char *bytes, size_t len) {
  char tmp[4200];
  VD_RETURN_IF_ERROR(vd_caption_write_tmp(path, bytes, len, tmp, sizeof(tmp)));
  return vd_caption_rename(tmp, path);
}

// mkdir -p.
static vd_status vd_caption_mkdirs(const char *dir) {
  char path[4096];
  int n = snprintf(path, sizeof(path), "%s", dir);
  if (n <= 0 || (size_t)n >= sizeof(path)) return vd_status_make(VD_ERR_LIMIT, "caption folder %s: path too long", dir);
  for (char *p = path + 1;; ++p) {
    if (*p != '/' && *p != '\0') continue;
    char c = *p;
    *p = '\0';
    struct stat sb;
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
      return vd_status_make(VD_ERR_IO, "cannot create the folder %s: %s", path, strerror(errno));
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) return vd_status_make(VD_ERR_IO, "%s is not a folder", path);
    *p = c;
    if (!c) return NULL;
  }
}

static vd_status vd_caption_pair_files(const char *dir, const vd_caption_names *names, const char *cbytes, size_t clen,
                                       const char *lbytes, size_t llen) {
  char cpath[4200], lpath[4200], ctmp[4300], ltmp[4300];
  int a = snprintf(cpath, sizeof(cpath), "%s/%s", dir, names->captions);
  int b = snprintf(lpath, sizeof(lpath), "%s/%s", dir, names->labels);
  if (a < 0 || b < 0 || (size_t)a >= sizeof(cpath) || (size_t)b >= sizeof(lpath))
    return vd_status_make(VD_ERR_LIMIT, "caption files in %s: path too long", dir);
  VD_RETURN_IF_ERROR(vd_caption_write_tmp(cpath, cbytes, clen, ctmp, sizeof(ctmp)));
  vd_status st = vd_caption_write_tmp(lpath, lbytes, llen, ltmp, sizeof(ltmp));
  if (st) {
    unlink(ctmp);
    return st;
  }
  st = vd_caption_rename(ctmp, cpath);
  if (st) {
    unlink(ltmp);
    return st;
  }
  return vd_caption_rename(ltmp, lpath);
}

vd_status vd_caption_pair_write(const char *parent, const vd_caption_names *names, const char *const *captions,
                                const char *const *labels, size_t count, bool labels_as_lists) {
  char dir[4096];
  int n = snprintf(dir, sizeof(dir), "%s/%s", parent, names->folder);
  if (n < 0 || (size_t)n >= sizeof(dir))
    return vd_status_make(VD_ERR_LIMIT, "caption folder under %s: path too long", parent);
  char *cbytes = NULL, *lbytes = NULL;
  size_t clen, llen;
  vd_status st = vd_caption_mkdirs(dir);
  if (!st) st = vd_caption_json_encode(captions, count, false, &cbytes, &clen);
  if (!st) st = vd_caption_json_encode(labels, count, labels_as_lists, &lbytes, &llen);
  if (!st) st = vd_caption_pair_files(dir, names, cbytes, clen, lbytes, llen);
  free(cbytes);
  free(lbytes);
  return st;
}
