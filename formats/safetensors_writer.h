// safetensors writer: the header is fixed up front from the list of entries, data is then streamed
// tensor by tensor in that order into PATH.tmp, which is renamed to PATH only when finished. A writer
// destroyed before finishing removes its temporary file, so a failed run leaves no output.
#ifndef VD_FORMATS_SAFETENSORS_WRITER_H
#define VD_FORMATS_SAFETENSORS_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "formats/weight_tensor.h"

typedef struct vd_safetensors_entry {
  const char *name;                   // tensor name (copied)
  vd_weight_dtype dtype;              // element type
  int rank;                           // number of dimensions
  int64_t shape[VD_WEIGHT_MAX_RANK];  // extents
} vd_safetensors_entry;

typedef struct vd_safetensors_writer vd_safetensors_writer;

// Checks the entries, opens PATH.tmp and writes the header (padded so the data starts 8-byte aligned).
vd_status vd_safetensors_writer_create(const char *path, const vd_safetensors_entry *entries, size_t count,
                                       vd_safetensors_writer **out_writer);
// Appends the data of the next entry; bytes must equal its shape x dtype size.
vd_status vd_safetensors_writer_write(vd_safetensors_writer *writer, const void *data, uint64_t bytes);
// Flushes, closes and renames PATH.tmp to PATH once every entry was written. Always destroys the writer.
vd_status vd_safetensors_writer_finish(vd_safetensors_writer *writer);
// Abandons an unfinished writer: closes and removes PATH.tmp.
void vd_safetensors_writer_destroy(vd_safetensors_writer *writer);

#endif
