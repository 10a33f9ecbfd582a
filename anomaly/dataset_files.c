// The file-system side of the readers: index files, sorted folder listings, the up-front existence check.
#include <dirent.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "anomaly/dataset_internal.h"
#include "text/text_file.h"

vd_status vd_dataset_path(char *out, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out, cap, fmt, ap);
  va_end(ap);
  if (n >= 0 && (size_t)n < cap) return NULL;
  return vd_status_make(VD_ERR_LIMIT, "path %.200s... longer than %zu bytes", out, cap);
}

vd_status vd_dataset_read_file(const char *path, const char *what, char **out_text, size_t *out_len) {
  struct stat sb;
  *out_text = NULL;
  *out_len = 0;
  if (stat(path, &sb) != 0) return vd_status_make(VD_ERR_NOT_FOUND, "%s %s does not exist", what, path);
  if (!S_ISREG(sb.st_mode)) return vd_status_make(VD_ERR_NOT_FOUND, "%s %s is not a file", what, path);
  return vd_status_annotate(vd_text_file_read(path, VD_DATASET_INDEX_MAX_BYTES, out_text, out_len), "%s", what);
}

typedef struct vd_dir_entry {
  char *name;  // entry name (malloc'd while listing)
  bool dir;    // a folder (symlinks followed)
} vd_dir_entry;

static int vd_dir_entry_cmp(const void *a, const void *b) {
  return strcmp(((const vd_dir_entry *)a)->name, ((const vd_dir_entry *)b)->name);
}

static bool vd_dir_entry_is_dir(const char *folder, const struct dirent *e) {
  if (e->d_type == DT_DIR) return true;
  if (e->d_type != DT_UNKNOWN && e->d_type != DT_LNK) return false;
  char path[PATH_MAX];
  struct stat sb;
  int n = snprintf(path, sizeof(path), "%s/%s", folder, e->d_name);
  return n > 0 && (size_t)n < sizeof(path) && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

// Reads the entries of an open folder into a malloc'd array (*out and *out_count set even on failure).
static vd_status vd_dir_collect(DIR *d, const char *path, bool skip_hidden, vd_dir_entry **out, size_t *out_count) {
  vd_dir_entry *list = NULL;
  size_t n = 0, cap = 0;
  bool failed = false;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || (skip_hidden && e->d_name[0] == '.')) continue;
    if (n == cap) {
      vd_dir_entry *grown = realloc(list, (cap ? cap * 2 : 64) * sizeof(*grown));
      if ((failed = grown == NULL)) break;
      list = grown;
      cap = cap ? cap * 2 : 64;
    }
    if ((failed = (list[n].name = strdup(e->d_name)) == NULL)) break;
    list[n++].dir = vd_dir_entry_is_dir(path, e);
  }
  *out = list;
  *out_count = n;
  return failed ? vd_status_make(VD_ERR_OUT_OF_MEMORY, "listing %s: out of host memory", path) : NULL;
}

vd_status vd_dataset_list_dir(const char *path, vd_arena *arena, bool skip_hidden, const char ***out_names,
                              bool **out_dirs, size_t *out_count) {
  DIR *d = opendir(path);
  if (!d) return vd_status_make(VD_ERR_NOT_FOUND, "cannot list the folder %s", path);
  vd_dir_entry *list;
  size_t n;
  vd_status st = vd_dir_collect(d, path, skip_hidden, &list, &n);
  closedir(d);
  if (n > 1) qsort(list, n, sizeof(*list), vd_dir_entry_cmp);
  const char **names = st ? NULL : vd_arena_alloc(arena, sizeof(*names) * (n ? n : 1));
  bool *dirs = names ? vd_arena_alloc(arena, sizeof(*dirs) * (n ? n : 1)) : NULL;
  for (size_t i = 0; i < n; ++i) {
    if (dirs && !(names[i] = vd_arena_strndup(arena, list[i].name, strlen(list[i].name)))) dirs = NULL;
    if (dirs) dirs[i] = list[i].dir;
    free(list[i].name);
  }
  free(list);
  if (!st && !dirs) st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "listing %s: out of host memory", path);
  if (st) return st;
  *out_names = names;
  if (out_dirs) *out_dirs = dirs;
  *out_count = n;
  return NULL;
}

// ---- the existence check ----------------------------------------------------------------------------------

typedef struct vd_missing {
  char text[8192];  // the error's list of missing files
  size_t len;       // bytes of text used
  size_t count;     // missing files so far
} vd_missing;

static bool vd_is_file(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

// One missing file: "REL (WHAT record INDEX[WHY])".
static void vd_missing_add(vd_missing *m, const char *rel, const char *what, size_t index, const char *why) {
  if (m->count++ >= VD_DATASET_MISSING_SHOWN || m->len >= sizeof(m->text)) return;
  int n = snprintf(m->text + m->len, sizeof(m->text) - m->len, "\n  %s (%s record %zu%s)", rel, what, index, why);
  if (n > 0) m->len = m->len + (size_t)n < sizeof(m->text) ? m->len + (size_t)n : sizeof(m->text);
}

vd_status vd_dataset_check_files(const vd_dataset *dataset) {
  vd_missing *m = calloc(1, sizeof(*m));
  if (!m) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "checking the dataset files: out of host memory");
  size_t checked = 0;
  for (size_t i = 0; i < dataset->count; ++i) {
    const vd_dataset_record *r = &dataset->records[i];
    ++checked;
    if (!vd_is_file(r->path)) vd_missing_add(m, r->rel_path, "image of", i, "");
    if (r->mask_kind != VD_MASK_FILE) continue;
    ++checked;
    if (!vd_is_file(r->mask_path))
      vd_missing_add(m, r->mask_rel_path, r->label ? "mask of anomalous" : "mask of", i,
                     r->label ? ": the index names it, the file is missing" : "");
  }
  vd_status st = NULL;
  if (m->count) {
    char more[64] = "";
    if (m->count > VD_DATASET_MISSING_SHOWN)
      snprintf(more, sizeof(more), "\n  ... and %zu more", m->count - VD_DATASET_MISSING_SHOWN);
    st = vd_status_make(VD_ERR_NOT_FOUND, "%s %s split: %zu of %zu files do not exist under %s:%s%s",
                        vd_dataset_kind_name(dataset->kind), vd_split_name(dataset->split), m->count, checked,
                        dataset->root, m->text, more);
  }
  free(m);
  return st;
}
