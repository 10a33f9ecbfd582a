// Read-only zip archive reader for PyTorch checkpoints: parses the central directory (ZIP64 included,
// since torch.save switches to it for large files) of an archive in memory and locates each entry's data.
// Only stored (uncompressed, unencrypted) entries are accepted, which is what torch.save writes.
#ifndef VD_FORMATS_ZIP_H
#define VD_FORMATS_ZIP_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/status.h"

#define VD_ZIP_MAX_ENTRIES (1u << 20)  // entries in one archive

typedef struct vd_zip_entry {
  char *name;            // NUL-terminated entry name (owned by the archive)
  uint64_t data_offset;  // offset of the entry's bytes in the archive
  uint64_t size;         // bytes (stored: compressed size == uncompressed size)
} vd_zip_entry;

typedef struct vd_zip vd_zip;

// Parses the archive in data[0, size) (not copied; must outlive the object). label names it in errors.
// Every entry must be stored and unencrypted with its local header and data inside the archive; an
// entry failing that is an error naming it.
vd_status vd_zip_open(const uint8_t *data, size_t size, const char *label, vd_zip **out_zip);
void vd_zip_destroy(vd_zip *zip);

size_t vd_zip_count(const vd_zip *zip);
const vd_zip_entry *vd_zip_entry_at(const vd_zip *zip, size_t index);
// NULL when no entry has that exact name.
const vd_zip_entry *vd_zip_find(const vd_zip *zip, const char *name);
// Pointer to an entry's bytes.
const uint8_t *vd_zip_entry_data(const vd_zip *zip, const vd_zip_entry *entry);

#endif
