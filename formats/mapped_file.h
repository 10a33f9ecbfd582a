// A whole file mapped read-only into memory. Pages are loaded on demand, so opening a 5 GB checkpoint
// costs nothing until tensors are read; vd_mapped_file_release drops pages already consumed.
#ifndef VD_FORMATS_MAPPED_FILE_H
#define VD_FORMATS_MAPPED_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/status.h"

typedef struct vd_mapped_file {
  char *path;           // owned copy of the path, for messages
  const uint8_t *data;  // first byte of the mapping
  size_t size;          // file size in bytes (> 0)
} vd_mapped_file;

// Maps path. Empty files are an error (nothing to map, nothing valid to read).
vd_status vd_mapped_file_open(const char *path, vd_mapped_file **out_file);
void vd_mapped_file_destroy(vd_mapped_file *file);
// Advises the kernel that [offset, offset + bytes) will not be needed again (keeps RSS bounded).
void vd_mapped_file_release(const vd_mapped_file *file, uint64_t offset, uint64_t bytes);

#endif
