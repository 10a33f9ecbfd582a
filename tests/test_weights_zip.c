// Zip central directory reader: stored entries (plain and ZIP64), compressed and encrypted entries,
// truncation at every byte and corrupt offsets.
#include "formats/zip.h"
#include "tests/weights_util.h"

static vd_status open_buf(const vdt_buf *b, size_t size) {
  uint8_t *copy = malloc(size ? size : 1);  // exact size so ASan catches over-reads
  memcpy(copy, b->data, size);
  vd_zip *z = NULL;
  vd_status st = vd_zip_open(copy, size, "test.zip", &z);
  vd_zip_destroy(z);
  free(copy);
  return st;
}

static void test_stored(int zip64) {
  vdt_zip_item items[3] = {{"arc/data.pkl", "PICKLE", 6, 0, 0}, {"arc/data/0", "0123456789", 10, 0, 0},
                           {"arc/version", "3\n", 2, 0, 0}};
  vdt_buf b = vdt_zip_build(items, 3, zip64);
  vd_zip *z = NULL;
  CHECK_OK(vd_zip_open(b.data, b.size, "test.zip", &z));
  if (z) {
    CHECK(vd_zip_count(z) == 3);
    const vd_zip_entry *e = vd_zip_find(z, "arc/data/0");
    CHECK(e && e->size == 10 && memcmp(vd_zip_entry_data(z, e), "0123456789", 10) == 0);
    CHECK(vd_zip_find(z, "arc/data/1") == NULL);
    CHECK(strcmp(vd_zip_entry_at(z, 2)->name, "arc/version") == 0);
    vd_zip_destroy(z);
  }
  int accepted = 0;
  for (size_t n = 0; n < b.size; ++n) {
    vd_status st = open_buf(&b, n);
    accepted += st == NULL;
    vd_status_free(st);
  }
  CHECK_MSG(accepted == 0, "zip64=%d: %d truncations accepted", zip64, accepted);
  vdt_buf_free(&b);
}

static void test_rejected_entries(void) {
  vdt_zip_item deflated[2] = {{"arc/data.pkl", "x", 1, 0, 0}, {"arc/data/0", "abc", 3, 8, 0}};
  vdt_buf b = vdt_zip_build(deflated, 2, 0);
  CHECK_ERR_MSG(open_buf(&b, b.size), "\"arc/data/0\" is compressed");
  vdt_buf_free(&b);
  vdt_zip_item encrypted[1] = {{"arc/data.pkl", "x", 1, 0, 1}};
  b = vdt_zip_build(encrypted, 1, 0);
  CHECK_ERR_MSG(open_buf(&b, b.size), "\"arc/data.pkl\" is encrypted");
  vdt_buf_free(&b);
  vdt_zip_item dup[2] = {{"a", "x", 1, 0, 0}, {"a", "y", 1, 0, 0}};
  b = vdt_zip_build(dup, 2, 0);
  CHECK_ERR_MSG(open_buf(&b, b.size), "twice");
  vdt_buf_free(&b);
}

static void test_corrupt_offsets(void) {
  vdt_zip_item items[1] = {{"arc/data/0", "0123456789", 10, 0, 0}};
  vdt_buf b = vdt_zip_build(items, 1, 0);
  size_t eocd = b.size - 22, cd = eocd - 46 - strlen(items[0].name);
  vdt_buf c = {0};
  vdt_buf_put(&c, b.data, b.size);
  c.data[eocd + 16] = 0xf0;  // central directory offset past the end
  CHECK_ERR_MSG(open_buf(&c, c.size), "outside");
  memcpy(c.data, b.data, b.size);
  c.data[eocd + 10] = 0x40;  // 64 entries claimed in a 1-entry directory
  CHECK_ERR_MSG(open_buf(&c, c.size), "entries");
  memcpy(c.data, b.data, b.size);
  c.data[cd + 42] = 0x7f;  // local header offset nowhere
  CHECK_ERR_MSG(open_buf(&c, c.size), "local header");
  memcpy(c.data, b.data, b.size);
  c.data[cd + 20] = 0xff;  // sizes larger than the file
  c.data[cd + 24] = 0xff;
  CHECK_ERR_MSG(open_buf(&c, c.size), "past the end");
  memcpy(c.data, b.data, b.size);
  c.data[cd + 20] = 0xff;  // ZIP64 marker without the extra field
  c.data[cd + 21] = 0xff;
  c.data[cd + 22] = 0xff;
  c.data[cd + 23] = 0xff;
  CHECK_ERR_MSG(open_buf(&c, c.size), "ZIP64");
  vdt_buf_free(&c);
  vdt_buf_free(&b);
  uint8_t garbage[64] = "not a zip at all";
  vd_zip *z = NULL;
  CHECK_ERR_MSG(vd_zip_open(garbage, sizeof(garbage), "garbage.bin", &z), "garbage.bin");
}

int main(void) {
  test_stored(0);
  test_stored(1);
  test_rejected_entries();
  test_corrupt_offsets();
  return vdt_finish("test_weights_zip");
}
