// Helpers shared by the weight-file tests: a growable byte buffer, hostile-file builders, and checks
// on error messages.
#ifndef VD_TESTS_WEIGHTS_UTIL_H
#define VD_TESTS_WEIGHTS_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/vdtest.h"

typedef struct vdt_buf {
  uint8_t *data;  // bytes
  size_t size;    // used
  size_t cap;     // allocated
} vdt_buf;

static inline void vdt_buf_put(vdt_buf *b, const void *p, size_t n) {
  if (b->size + n > b->cap) {
    b->cap = (b->size + n) * 2 + 64;
    b->data = realloc(b->data, b->cap);
    if (!b->data) abort();
  }
  if (n) memcpy(b->data + b->size, p, n);
  b->size += n;
}
static inline void vdt_buf_u8(vdt_buf *b, unsigned v) {
  uint8_t x = (uint8_t)v;
  vdt_buf_put(b, &x, 1);
}
static inline void vdt_buf_le(vdt_buf *b, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) vdt_buf_u8(b, i < 8 ? (unsigned)(v >> (8 * i)) & 0xffu : 0u);
}
#define VDT_BUF_LIT(b, lit) vdt_buf_put((b), (lit), sizeof(lit) - 1)
static inline void vdt_buf_str(vdt_buf *b, const char *s) { vdt_buf_put(b, s, strlen(s)); }
static inline void vdt_buf_free(vdt_buf *b) {
  free(b->data);
  memset(b, 0, sizeof(*b));
}

// A safetensors file from a header text and `data_bytes` bytes of data (value i & 0xff).
static inline vdt_buf vdt_safetensors_bytes(const char *header, size_t data_bytes) {
  vdt_buf b = {0};
  vdt_buf_le(&b, strlen(header), 8);
  vdt_buf_str(&b, header);
  for (size_t i = 0; i < data_bytes; ++i) vdt_buf_u8(&b, (unsigned)i & 0xffu);
  return b;
}

// Writes a buffer to a file under the build tree; returns the path (static storage per call site).
static inline const char *vdt_write_temp(const char *name, const void *data, size_t size) {
  static char path[8][512];
  static int slot = 0;
  char *p = path[slot++ % 8];
  snprintf(p, 512, "%s/test-tmp-%s", VLMD_BINARY_DIR, name);
  FILE *f = fopen(p, "wb");
  if (!f || (size && fwrite(data, 1, size, f) != size)) {
    fprintf(stderr, "cannot write %s\n", p);
    exit(1);
  }
  fclose(f);
  return p;
}

// Checks that st is an error whose message contains `needle`; frees it.
#define CHECK_ERR_MSG(expr, needle)                                                                 \
  do {                                                                                              \
    vd_status vdt_e_ = (expr);                                                                      \
    ++vdt_checks;                                                                                   \
    if (!vdt_e_ || !strstr(vd_status_message(vdt_e_), (needle))) {                                  \
      ++vdt_failures;                                                                               \
      fprintf(stderr, "%s:%d: %s: expected an error mentioning \"%s\", got: %s\n", __FILE__, __LINE__, \
              #expr, (needle), vd_status_message(vdt_e_));                                          \
    }                                                                                               \
    vd_status_free(vdt_e_);                                                                         \
  } while (0)

// ---- zip archives --------------------------------------------------------------------------------

typedef struct vdt_zip_item {
  const char *name;  // entry name
  const void *data;  // bytes stored
  size_t size;       // bytes
  unsigned method;   // 0 stored, 8 deflate (the bytes are not actually compressed)
  unsigned flags;    // general-purpose flags (bit 0: encrypted)
} vdt_zip_item;

// A zip archive of the items; zip64 writes every size and offset through ZIP64 records.
static inline vdt_buf vdt_zip_build(const vdt_zip_item *items, int n, int zip64) {
  vdt_buf b = {0};
  uint64_t offsets[64];
  for (int i = 0; i < n; ++i) {
    offsets[i] = b.size;
    vdt_buf_le(&b, 0x04034b50u, 4);
    vdt_buf_le(&b, 20, 2);
    vdt_buf_le(&b, items[i].flags, 2);
    vdt_buf_le(&b, items[i].method, 2);
    vdt_buf_le(&b, 0, 8);  // time, date, crc
    vdt_buf_le(&b, items[i].size, 4);
    vdt_buf_le(&b, items[i].size, 4);
    vdt_buf_le(&b, strlen(items[i].name), 2);
    vdt_buf_le(&b, 0, 2);
    vdt_buf_str(&b, items[i].name);
    vdt_buf_put(&b, items[i].data, items[i].size);
  }
  uint64_t cd = b.size;
  for (int i = 0; i < n; ++i) {
    vdt_buf_le(&b, 0x02014b50u, 4);
    vdt_buf_le(&b, 45, 2);
    vdt_buf_le(&b, 45, 2);
    vdt_buf_le(&b, items[i].flags, 2);
    vdt_buf_le(&b, items[i].method, 2);
    vdt_buf_le(&b, 0, 8);
    vdt_buf_le(&b, zip64 ? 0xffffffffu : items[i].size, 4);
    vdt_buf_le(&b, zip64 ? 0xffffffffu : items[i].size, 4);
    vdt_buf_le(&b, strlen(items[i].name), 2);
    vdt_buf_le(&b, zip64 ? 28 : 0, 2);
    vdt_buf_le(&b, 0, 10);  // comment length, disk, internal and external attributes
    vdt_buf_le(&b, zip64 ? 0xffffffffu : offsets[i], 4);
    vdt_buf_str(&b, items[i].name);
    if (zip64) {
      vdt_buf_le(&b, 1, 2);
      vdt_buf_le(&b, 24, 2);
      vdt_buf_le(&b, items[i].size, 8);
      vdt_buf_le(&b, items[i].size, 8);
      vdt_buf_le(&b, offsets[i], 8);
    }
  }
  uint64_t cd_size = b.size - cd;
  if (zip64) {
    uint64_t rec = b.size;
    vdt_buf_le(&b, 0x06064b50u, 4);
    vdt_buf_le(&b, 44, 8);
    vdt_buf_le(&b, 45, 2);
    vdt_buf_le(&b, 45, 2);
    vdt_buf_le(&b, 0, 8);  // disk numbers
    vdt_buf_le(&b, (uint64_t)n, 8);
    vdt_buf_le(&b, (uint64_t)n, 8);
    vdt_buf_le(&b, cd_size, 8);
    vdt_buf_le(&b, cd, 8);
    vdt_buf_le(&b, 0x07064b50u, 4);
    vdt_buf_le(&b, 0, 4);
    vdt_buf_le(&b, rec, 8);
    vdt_buf_le(&b, 1, 4);
  }
  vdt_buf_le(&b, 0x06054b50u, 4);
  vdt_buf_le(&b, 0, 4);
  vdt_buf_le(&b, zip64 ? 0xffffu : (unsigned)n, 2);
  vdt_buf_le(&b, zip64 ? 0xffffu : (unsigned)n, 2);
  vdt_buf_le(&b, zip64 ? 0xffffffffu : cd_size, 4);
  vdt_buf_le(&b, zip64 ? 0xffffffffu : cd, 4);
  vdt_buf_le(&b, 0, 2);
  return b;
}

// ---- pickles -------------------------------------------------------------------------------------

static inline void vdt_pk_str(vdt_buf *b, const char *s) {
  vdt_buf_u8(b, 'X');
  vdt_buf_le(b, strlen(s), 4);
  vdt_buf_str(b, s);
}
static inline void vdt_pk_int(vdt_buf *b, int64_t v) {
  if (v >= INT32_MIN && v <= INT32_MAX) {
    vdt_buf_u8(b, 'J');
    vdt_buf_le(b, (uint64_t)v, 4);
  } else {
    vdt_buf_u8(b, 0x8a);
    vdt_buf_u8(b, 8);
    vdt_buf_le(b, (uint64_t)v, 8);
  }
}
static inline void vdt_pk_global(vdt_buf *b, const char *module, const char *name) {
  vdt_buf_u8(b, 'c');
  vdt_buf_str(b, module);
  vdt_buf_u8(b, '\n');
  vdt_buf_str(b, name);
  vdt_buf_u8(b, '\n');
}
static inline void vdt_pk_ints(vdt_buf *b, const int64_t *v, int n) {
  vdt_buf_u8(b, '(');
  for (int i = 0; i < n; ++i) vdt_pk_int(b, v[i]);
  vdt_buf_u8(b, 't');
}

typedef struct vdt_pk_tensor {
  const char *name;       // state-dict key
  const char *storage;    // storage type, e.g. "FloatStorage"
  const char *key;        // storage key (archive entry data/KEY)
  int64_t numel;          // storage elements announced
  int64_t offset;         // storage offset
  int rank;               // dimensions
  int64_t shape[9];       // sizes
  int64_t stride[9];      // strides
} vdt_pk_tensor;

// Emits `name: _rebuild_tensor_v2(...)` as a SETITEMS body element pair (no MARK).
static inline void vdt_pk_tensor_item(vdt_buf *b, const vdt_pk_tensor *t) {
  vdt_pk_str(b, t->name);
  vdt_pk_global(b, "torch._utils", "_rebuild_tensor_v2");
  vdt_buf_u8(b, '(');
  vdt_buf_u8(b, '(');
  vdt_pk_str(b, "storage");
  vdt_pk_global(b, "torch", t->storage);
  vdt_pk_str(b, t->key);
  vdt_pk_str(b, "cpu");
  vdt_pk_int(b, t->numel);
  vdt_buf_u8(b, 't');
  vdt_buf_u8(b, 'Q');
  vdt_pk_int(b, t->offset);
  vdt_pk_ints(b, t->shape, t->rank);
  vdt_pk_ints(b, t->stride, t->rank);
  vdt_buf_u8(b, 0x89);
  vdt_pk_global(b, "collections", "OrderedDict");
  vdt_buf_u8(b, ')');
  vdt_buf_u8(b, 'R');
  vdt_buf_u8(b, 't');
  vdt_buf_u8(b, 'R');
}

// {"state_dict": OrderedDict(tensors)} as torch.save writes it (protocol 2).
static inline vdt_buf vdt_pk_state_dict(const vdt_pk_tensor *t, int n) {
  vdt_buf b = {0};
  vdt_buf_put(&b, "\x80\x02}q\x00", 5);
  vdt_pk_str(&b, "state_dict");
  vdt_pk_global(&b, "collections", "OrderedDict");
  vdt_buf_put(&b, ")R(", 3);
  for (int i = 0; i < n; ++i) vdt_pk_tensor_item(&b, &t[i]);
  vdt_buf_put(&b, "us.", 3);
  return b;
}

#endif
