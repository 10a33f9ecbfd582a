// libFuzzer target: the zip central directory reader.
#include <stdlib.h>
#include <string.h>

#include "formats/zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vd_zip *z = NULL;
  vd_status_free(vd_zip_open(data, size, "fuzz.zip", &z));
  if (!z) return 0;
  volatile uint8_t sink = 0;
  for (size_t i = 0; i < vd_zip_count(z); ++i) {
    const vd_zip_entry *e = vd_zip_entry_at(z, i);
    if (vd_zip_find(z, e->name) != e) abort();
    const uint8_t *p = vd_zip_entry_data(z, e);
    if (e->size) sink ^= p[0] ^ p[e->size - 1];  // touch both ends: must be inside the input
  }
  (void)sink;
  vd_zip_destroy(z);
  return 0;
}
