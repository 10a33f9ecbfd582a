// Writing a whole file so that a reader never sees it half-written: the bytes go to PATH.<pid>.tmp,
// which is flushed, synced and renamed to PATH; on any failure the temporary file is removed and PATH is
// left as it was.
#ifndef VD_ANOMALY_ATOMIC_FILE_H
#define VD_ANOMALY_ATOMIC_FILE_H

#include <stddef.h>

#include "runtime/status.h"

typedef struct vd_file_part {
  const void *data;  // bytes to write
  size_t size;       // how many
} vd_file_part;

// Writes the parts one after another as the new content of path.
vd_status vd_write_file_atomic(const char *path, const vd_file_part *parts, int count);

#endif
