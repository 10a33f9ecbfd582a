// Growth by doubling; every failure is an out-of-memory status naming the size.
#include "text/cp_buf.h"

#include <stdlib.h>

void vd_cp_buf_release(vd_cp_buf *buf) {
  free(buf->data);
  *buf = (vd_cp_buf){0};
}

vd_status vd_cp_buf_reserve(vd_cp_buf *buf, size_t n) {
  if (n <= buf->cap) return NULL;
  uint32_t *d = realloc(buf->data, sizeof(uint32_t) * n);
  if (!d) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "text: out of memory for %zu code points", n);
  buf->data = d;
  buf->cap = n;
  return NULL;
}

vd_status vd_cp_buf_push(vd_cp_buf *buf, uint32_t cp) {
  if (buf->len == buf->cap) VD_RETURN_IF_ERROR(vd_cp_buf_reserve(buf, buf->cap ? buf->cap * 2 : 64));
  buf->data[buf->len++] = cp;
  return NULL;
}
