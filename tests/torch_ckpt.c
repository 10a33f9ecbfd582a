#include "tests/torch_ckpt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "tests/weights_util.h"

typedef struct vdt_zip_out {
  FILE *f;             // the archive
  const char *path;    // for messages
  uint64_t offset;     // bytes written
  vdt_buf central;     // central directory records so far
  uint32_t entries;    // entries written
} vdt_zip_out;

static void vdt_zip_die(const vdt_zip_out *z, const char *what) {
  fprintf(stderr, "%s: %s\n", z->path, what);
  exit(1);
}

static void vdt_zip_write(vdt_zip_out *z, const void *p, size_t n) {
  if (n && fwrite(p, 1, n, z->f) != n) vdt_zip_die(z, "write failed");
  z->offset += n;
}

// One stored entry whose data starts 64-byte aligned (torch's padding extra field, id "FB").
static void vdt_zip_entry(vdt_zip_out *z, const char *name, const void *data, uint64_t size) {
  if (size > 0xffffffffu || z->offset > 0xffffffffu) vdt_zip_die(z, "entry beyond 4 GiB (no ZIP64 here)");
  uint32_t crc = (uint32_t)crc32(0L, data, (uInt)size), name_len = (uint32_t)strlen(name);
  uint64_t data_at = z->offset + 30 + name_len + 4;
  uint32_t pad = (uint32_t)((64 - data_at % 64) % 64), extra = 4 + pad;
  vdt_buf h = {0};
  vdt_buf_le(&h, 0x04034b50u, 4), vdt_buf_le(&h, 20, 2), vdt_buf_le(&h, 0, 2), vdt_buf_le(&h, 0, 2);
  vdt_buf_le(&h, 0, 4), vdt_buf_le(&h, crc, 4), vdt_buf_le(&h, size, 4), vdt_buf_le(&h, size, 4);
  vdt_buf_le(&h, name_len, 2), vdt_buf_le(&h, extra, 2), vdt_buf_str(&h, name);
  vdt_buf_le(&h, 0x4246, 2), vdt_buf_le(&h, pad, 2);
  for (uint32_t i = 0; i < pad; ++i) vdt_buf_u8(&h, 'Z');
  uint64_t local = z->offset;
  vdt_zip_write(z, h.data, h.size);
  vdt_zip_write(z, data, size);
  vdt_buf_free(&h);
  vdt_buf *c = &z->central;
  vdt_buf_le(c, 0x02014b50u, 4), vdt_buf_le(c, 20, 2), vdt_buf_le(c, 20, 2), vdt_buf_le(c, 0, 2);
  vdt_buf_le(c, 0, 2), vdt_buf_le(c, 0, 4), vdt_buf_le(c, crc, 4), vdt_buf_le(c, size, 4);
  vdt_buf_le(c, size, 4), vdt_buf_le(c, name_len, 2), vdt_buf_le(c, 0, 2), vdt_buf_le(c, 0, 10);
  vdt_buf_le(c, local, 4), vdt_buf_str(c, name);
  z->entries++;
}

static void vdt_zip_finish(vdt_zip_out *z) {
  uint64_t cd = z->offset;
  vdt_zip_write(z, z->central.data, z->central.size);
  vdt_buf e = {0};
  vdt_buf_le(&e, 0x06054b50u, 4), vdt_buf_le(&e, 0, 4), vdt_buf_le(&e, z->entries, 2);
  vdt_buf_le(&e, z->entries, 2), vdt_buf_le(&e, z->central.size, 4), vdt_buf_le(&e, cd, 4), vdt_buf_le(&e, 0, 2);
  vdt_zip_write(z, e.data, e.size);
  vdt_buf_free(&e);
  vdt_buf_free(&z->central);
  if (fclose(z->f) != 0) vdt_zip_die(z, "close failed");
}

uint64_t vdt_ckpt_numel(const vdt_ckpt_entry *e) {
  uint64_t n = 1;
  for (int i = 0; i < e->rank; ++i) n *= (uint64_t)e->shape[i];
  return n;
}

// OrderedDict(name -> _rebuild_tensor_v2(storage K, 0, shape, contiguous strides, False, OrderedDict())).
static vdt_buf vdt_ckpt_pickle(const vdt_ckpt_entry *entries, size_t n, char (*keys)[24]) {
  vdt_buf b = {0};
  vdt_buf_put(&b, "\x80\x02", 2);
  vdt_pk_global(&b, "collections", "OrderedDict");
  vdt_buf_put(&b, ")R(", 3);
  for (size_t i = 0; i < n; ++i) {
    vdt_pk_tensor t = {.name = entries[i].name, .storage = entries[i].int64 ? "LongStorage" : "FloatStorage",
                       .key = keys[i], .numel = (int64_t)vdt_ckpt_numel(&entries[i]), .rank = entries[i].rank};
    int64_t stride = 1;
    for (int d = entries[i].rank - 1; d >= 0; --d) t.shape[d] = entries[i].shape[d], t.stride[d] = stride,
                                                    stride *= entries[i].shape[d];
    vdt_pk_tensor_item(&b, &t);
  }
  vdt_buf_put(&b, "u.", 2);
  return b;
}

void vdt_write_torch_ckpt(const char *path, const vdt_ckpt_entry *entries, size_t n, vdt_ckpt_fill_fn fill,
                          void *user) {
  vdt_zip_out z = {.f = fopen(path, "wb"), .path = path};
  if (!z.f) vdt_zip_die(&z, "cannot create");
  char (*keys)[24] = calloc(n + 1, sizeof *keys);
  if (!keys) vdt_zip_die(&z, "out of memory");
  for (size_t i = 0; i < n; ++i) snprintf(keys[i], sizeof keys[i], "%zu", i);
  vdt_buf pk = vdt_ckpt_pickle(entries, n, keys);
  vdt_zip_entry(&z, "archive/data.pkl", pk.data, pk.size);
  vdt_buf_free(&pk);
  for (size_t i = 0; i < n; ++i) {
    uint64_t numel = vdt_ckpt_numel(&entries[i]), bytes = numel * (entries[i].int64 ? 8 : 4);
    void *data = calloc(1, bytes + 8);
    if (!data) vdt_zip_die(&z, "out of memory");
    fill(user, i, data, numel);
    char name[48];
    snprintf(name, sizeof name, "archive/data/%s", keys[i]);
    vdt_zip_entry(&z, name, data, bytes);
    free(data);
  }
  vdt_zip_entry(&z, "archive/version", "3\n", 2);
  vdt_zip_finish(&z);
  free(keys);
}
