// A growable array of Unicode code points, the working text of the tokenizers' normalisers.
#ifndef VD_TEXT_CP_BUF_H
#define VD_TEXT_CP_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/status.h"

typedef struct vd_cp_buf {
  uint32_t *data;  // code points
  size_t len;      // code points in use
  size_t cap;      // code points allocated
} vd_cp_buf;

void vd_cp_buf_release(vd_cp_buf *buf);
// Makes room for at least n code points in total (contents kept).
vd_status vd_cp_buf_reserve(vd_cp_buf *buf, size_t n);
// Appends one code point, growing the buffer when full.
vd_status vd_cp_buf_push(vd_cp_buf *buf, uint32_t cp);

#endif
