#include "anomaly/atomic_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static vd_status vd_write_parts(FILE *f, const char *tmp, const vd_file_part *parts, int count) {
  for (int i = 0; i < count; ++i)
    if (parts[i].size && fwrite(parts[i].data, 1, parts[i].size, f) != parts[i].size)
      return vd_status_make(VD_ERR_IO, "%s: write failed: %s", tmp, strerror(errno));
  if (fflush(f) != 0 || fsync(fileno(f)) != 0)
    return vd_status_make(VD_ERR_IO, "%s: write failed: %s", tmp, strerror(errno));
  return NULL;
}

vd_status vd_write_file_atomic(const char *path, const vd_file_part *parts, int count) {
  size_t len = strlen(path) + 32;
  char *tmp = malloc(len);
  if (!tmp) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
  snprintf(tmp, len, "%s.%ld.tmp", path, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  vd_status st = f ? NULL : vd_status_make(VD_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
  if (!st) st = vd_write_parts(f, tmp, parts, count);
  if (f && fclose(f) != 0 && !st) st = vd_status_make(VD_ERR_IO, "%s: close failed: %s", tmp, strerror(errno));
  if (!st && rename(tmp, path) != 0)
    st = vd_status_make(VD_ERR_IO, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
  if (st && f) remove(tmp);
  free(tmp);
  return st;
}
