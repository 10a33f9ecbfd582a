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
  for (int i = 0; i < bytes; ++i) vdt_buf_u8(b, (unsigned)(v >> (8 * i)) & 0xffu);
}
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

#endif
