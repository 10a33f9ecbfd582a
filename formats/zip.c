#include "formats/zip.h"

#include <stdlib.h>
#include <string.h>

#define VD_ZIP_EOCD_SIG 0x06054b50u
#define VD_ZIP64_LOCATOR_SIG 0x07064b50u
#define VD_ZIP64_EOCD_SIG 0x06064b50u
#define VD_ZIP_CENTRAL_SIG 0x02014b50u
#define VD_ZIP_LOCAL_SIG 0x04034b50u
#define VD_ZIP_EOCD_SIZE 22u
#define VD_ZIP_CENTRAL_SIZE 46u
#define VD_ZIP_LOCAL_SIZE 30u
#define VD_ZIP_MAX_COMMENT 65535u

struct vd_zip {
  char *label;            // archive name for messages
  const uint8_t *data;    // archive bytes
  uint64_t size;          // archive size
  vd_zip_entry *entries;  // central directory order
  size_t count;           // number of entries
  vd_zip_entry **sorted;  // entries sorted by name, for lookup
};

typedef struct vd_zip_directory {
  uint64_t count;   // entries the end record announces
  uint64_t offset;  // where the central directory starts
  uint64_t size;    // its size in bytes
} vd_zip_directory;

static uint64_t vd_zip_le(const uint8_t *p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// True when [offset, offset + len) lies inside the archive.
static bool vd_zip_inside(const vd_zip *z, uint64_t offset, uint64_t len) {
  return offset <= z->size && len <= z->size - offset;
}

static vd_status vd_zip_find_eocd(const vd_zip *z, uint64_t *out_pos) {
  if (z->size < VD_ZIP_EOCD_SIZE)
    return vd_status_make(VD_ERR_FORMAT, "%s: %llu bytes is too short for a zip archive", z->label,
                          (unsigned long long)z->size);
  uint64_t lowest = z->size > VD_ZIP_EOCD_SIZE + VD_ZIP_MAX_COMMENT ? z->size - VD_ZIP_EOCD_SIZE - VD_ZIP_MAX_COMMENT : 0;
  for (uint64_t pos = z->size - VD_ZIP_EOCD_SIZE + 1; pos-- > lowest;) {
    if (vd_zip_le(z->data + pos, 4) == VD_ZIP_EOCD_SIG &&
        pos + VD_ZIP_EOCD_SIZE + vd_zip_le(z->data + pos + 20, 2) == z->size) {
      *out_pos = pos;
      return NULL;
    }
  }
  return vd_status_make(VD_ERR_FORMAT, "%s: no zip end-of-central-directory record (not a zip, or truncated)",
                        z->label);
}

static vd_status vd_zip_read_zip64(const vd_zip *z, uint64_t eocd, vd_zip_directory *dir) {
  if (eocd < 20 || vd_zip_le(z->data + eocd - 20, 4) != VD_ZIP64_LOCATOR_SIG)
    return vd_status_make(VD_ERR_FORMAT, "%s: zip end record needs ZIP64 but has no ZIP64 locator", z->label);
  uint64_t rec = vd_zip_le(z->data + eocd - 20 + 8, 8);
  if (!vd_zip_inside(z, rec, 56) || rec + 56 > eocd - 20 || vd_zip_le(z->data + rec, 4) != VD_ZIP64_EOCD_SIG)
    return vd_status_make(VD_ERR_FORMAT, "%s: ZIP64 end record offset %llu is invalid", z->label,
                          (unsigned long long)rec);
  dir->count = vd_zip_le(z->data + rec + 32, 8);
  dir->size = vd_zip_le(z->data + rec + 40, 8);
  dir->offset = vd_zip_le(z->data + rec + 48, 8);
  return NULL;
}

static vd_status vd_zip_read_directory(const vd_zip *z, vd_zip_directory *dir) {
  uint64_t eocd = 0;
  VD_RETURN_IF_ERROR(vd_zip_find_eocd(z, &eocd));
  const uint8_t *e = z->data + eocd;
  if (vd_zip_le(e + 4, 2) != 0 || vd_zip_le(e + 6, 2) != 0)
    return vd_status_make(VD_ERR_FORMAT, "%s: multi-disk zip archives are not supported", z->label);
  dir->count = vd_zip_le(e + 10, 2);
  dir->size = vd_zip_le(e + 12, 4);
  dir->offset = vd_zip_le(e + 16, 4);
  if (dir->count == 0xffffu || dir->size == 0xffffffffu || dir->offset == 0xffffffffu)
    VD_RETURN_IF_ERROR(vd_zip_read_zip64(z, eocd, dir));
  if (!vd_zip_inside(z, dir->offset, dir->size))
    return vd_status_make(VD_ERR_FORMAT, "%s: central directory [%llu, +%llu) lies outside the %llu-byte file",
                          z->label, (unsigned long long)dir->offset, (unsigned long long)dir->size,
                          (unsigned long long)z->size);
  if (dir->count > VD_ZIP_MAX_ENTRIES || dir->count > dir->size / VD_ZIP_CENTRAL_SIZE)
    return vd_status_make(VD_ERR_FORMAT, "%s: %llu entries cannot fit a %llu-byte central directory (limit %u)",
                          z->label, (unsigned long long)dir->count, (unsigned long long)dir->size,
                          VD_ZIP_MAX_ENTRIES);
  return NULL;
}

typedef struct vd_zip_central {
  uint16_t flags, method;      // general-purpose flags, compression method
  uint64_t csize, usize;       // compressed and uncompressed sizes
  uint64_t local_offset;       // offset of the local header
  uint32_t name_len;           // bytes of the name
  uint32_t extra_len;          // bytes of the extra field
  uint32_t comment_len;        // bytes of the comment
} vd_zip_central;

// Applies a ZIP64 extended-information extra field: 64-bit values for the fields saturated in the header.
static vd_status vd_zip_apply_zip64(const vd_zip *z, const uint8_t *extra, uint32_t len, vd_zip_central *c,
                                    const char *name) {
  for (uint32_t pos = 0; pos + 4 <= len;) {
    uint32_t id = (uint32_t)vd_zip_le(extra + pos, 2), size = (uint32_t)vd_zip_le(extra + pos + 2, 2);
    if (pos + 4 + size > len) break;
    if (id == 1) {
      const uint8_t *p = extra + pos + 4, *end = p + size;
      uint64_t *fields[3] = {&c->usize, &c->csize, &c->local_offset};
      for (int i = 0; i < 3; ++i) {
        if (*fields[i] != 0xffffffffu) continue;
        if (p + 8 > end)
          return vd_status_make(VD_ERR_FORMAT, "%s: entry \"%s\": ZIP64 extra field too short", z->label, name);
        *fields[i] = vd_zip_le(p, 8);
        p += 8;
      }
      return NULL;
    }
    pos += 4 + size;
  }
  if (c->usize == 0xffffffffu || c->csize == 0xffffffffu || c->local_offset == 0xffffffffu)
    return vd_status_make(VD_ERR_FORMAT, "%s: entry \"%s\": needs a ZIP64 extra field but has none", z->label, name);
  return NULL;
}

static vd_status vd_zip_check_method(const vd_zip *z, const vd_zip_central *c, const char *name) {
  if (c->flags & 0x41u)
    return vd_status_make(VD_ERR_FORMAT, "%s: entry \"%s\" is encrypted; encrypted archives are not supported",
                          z->label, name);
  if (c->method != 0)
    return vd_status_make(VD_ERR_FORMAT,
                          "%s: entry \"%s\" is compressed (method %u); only stored entries are supported "
                          "(re-save with torch.save)",
                          z->label, name, c->method);
  if (c->csize != c->usize)
    return vd_status_make(VD_ERR_FORMAT, "%s: entry \"%s\" is stored but its sizes differ (%llu vs %llu)", z->label,
                          name, (unsigned long long)c->csize, (unsigned long long)c->usize);
  return NULL;
}

// Follows the local header of an entry to its data.
static vd_status vd_zip_locate_data(const vd_zip *z, const vd_zip_central *c, vd_zip_entry *e) {
  uint64_t lh = c->local_offset;
  if (!vd_zip_inside(z, lh, VD_ZIP_LOCAL_SIZE) || vd_zip_le(z->data + lh, 4) != VD_ZIP_LOCAL_SIG)
    return vd_status_make(VD_ERR_FORMAT, "%s: entry \"%s\": local header at %llu is missing or outside the file",
                          z->label, e->name, (unsigned long long)lh);
  uint64_t start = lh + VD_ZIP_LOCAL_SIZE + vd_zip_le(z->data + lh + 26, 2) + vd_zip_le(z->data + lh + 28, 2);
  if (!vd_zip_inside(z, start, c->csize))
    return vd_status_make(VD_ERR_FORMAT, "%s: entry \"%s\": %llu bytes of data at %llu run past the end of the file",
                          z->label, e->name, (unsigned long long)c->csize, (unsigned long long)start);
  e->data_offset = start;
  e->size = c->csize;
  return NULL;
}

static vd_status vd_zip_read_entry(const vd_zip *z, uint64_t *pos, uint64_t dir_end, vd_zip_entry *e) {
  if (*pos + VD_ZIP_CENTRAL_SIZE > dir_end || vd_zip_le(z->data + *pos, 4) != VD_ZIP_CENTRAL_SIG)
    return vd_status_make(VD_ERR_FORMAT, "%s: central directory entry at %llu is malformed", z->label,
                          (unsigned long long)*pos);
  const uint8_t *h = z->data + *pos;
  vd_zip_central c = {(uint16_t)vd_zip_le(h + 8, 2), (uint16_t)vd_zip_le(h + 10, 2), vd_zip_le(h + 20, 4),
                      vd_zip_le(h + 24, 4), vd_zip_le(h + 42, 4), (uint32_t)vd_zip_le(h + 28, 2),
                      (uint32_t)vd_zip_le(h + 30, 2), (uint32_t)vd_zip_le(h + 32, 2)};
  uint64_t var = (uint64_t)c.name_len + c.extra_len + c.comment_len;
  if (*pos + VD_ZIP_CENTRAL_SIZE + var > dir_end)
    return vd_status_make(VD_ERR_FORMAT, "%s: central directory entry at %llu runs past the directory", z->label,
                          (unsigned long long)*pos);
  if (!(e->name = malloc(c.name_len + 1u)))
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", z->label);
  memcpy(e->name, h + VD_ZIP_CENTRAL_SIZE, c.name_len);
  e->name[c.name_len] = '\0';
  if (memchr(e->name, '\0', c.name_len))
    return vd_status_make(VD_ERR_FORMAT, "%s: an entry name contains a NUL byte", z->label);
  VD_RETURN_IF_ERROR(vd_zip_apply_zip64(z, h + VD_ZIP_CENTRAL_SIZE + c.name_len, c.extra_len, &c, e->name));
  VD_RETURN_IF_ERROR(vd_zip_check_method(z, &c, e->name));
  VD_RETURN_IF_ERROR(vd_zip_locate_data(z, &c, e));
  *pos += VD_ZIP_CENTRAL_SIZE + var;
  return NULL;
}

static vd_status vd_zip_read_entries(vd_zip *z) {
  vd_zip_directory dir = {0, 0, 0};
  VD_RETURN_IF_ERROR(vd_zip_read_directory(z, &dir));
  z->entries = calloc(dir.count ? dir.count : 1, sizeof(*z->entries));
  if (!z->entries) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", z->label);
  uint64_t pos = dir.offset, end = dir.offset + dir.size;
  for (uint64_t i = 0; i < dir.count; ++i) {
    ++z->count;  // counted first so destroy frees a partly read name
    VD_RETURN_IF_ERROR(vd_zip_read_entry(z, &pos, end, &z->entries[i]));
  }
  return NULL;
}

static int vd_zip_cmp_name(const void *a, const void *b) {
  return strcmp((*(vd_zip_entry *const *)a)->name, (*(vd_zip_entry *const *)b)->name);
}

// Sorts entries by name and rejects duplicates (which would make lookups ambiguous).
static vd_status vd_zip_index(vd_zip *z) {
  if (!(z->sorted = calloc(z->count ? z->count : 1, sizeof(*z->sorted))))
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", z->label);
  for (size_t i = 0; i < z->count; ++i) z->sorted[i] = &z->entries[i];
  qsort(z->sorted, z->count, sizeof(*z->sorted), vd_zip_cmp_name);
  for (size_t i = 1; i < z->count; ++i)
    if (strcmp(z->sorted[i - 1]->name, z->sorted[i]->name) == 0)
      return vd_status_make(VD_ERR_FORMAT, "%s: entry \"%s\" appears twice", z->label, z->sorted[i]->name);
  return NULL;
}

vd_status vd_zip_open(const uint8_t *data, size_t size, const char *label, vd_zip **out_zip) {
  *out_zip = NULL;
  vd_zip *z = calloc(1, sizeof(*z));
  if (!z || !(z->label = strdup(label))) {
    free(z);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", label);
  }
  z->data = data;
  z->size = size;
  vd_status st = vd_zip_read_entries(z);
  if (!st) st = vd_zip_index(z);
  if (st) {
    vd_zip_destroy(z);
    return st;
  }
  *out_zip = z;
  return NULL;
}

void vd_zip_destroy(vd_zip *zip) {
  if (!zip) return;
  for (size_t i = 0; i < zip->count; ++i) free(zip->entries[i].name);
  free(zip->entries);
  free(zip->sorted);
  free(zip->label);
  free(zip);
}

size_t vd_zip_count(const vd_zip *zip) { return zip->count; }

const vd_zip_entry *vd_zip_entry_at(const vd_zip *zip, size_t index) {
  return index < zip->count ? &zip->entries[index] : NULL;
}

const vd_zip_entry *vd_zip_find(const vd_zip *zip, const char *name) {
  size_t lo = 0, hi = zip->count;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(zip->sorted[mid]->name, name);
    if (c == 0) return zip->sorted[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

const uint8_t *vd_zip_entry_data(const vd_zip *zip, const vd_zip_entry *entry) {
  return zip->data + entry->data_offset;
}
