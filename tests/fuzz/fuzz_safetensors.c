// libFuzzer target: the safetensors header parser (and conversion of what it accepts).
#include "formats/safetensors.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vd_safetensors *f = NULL;
  vd_status st = vd_safetensors_parse(data, size, "fuzz.safetensors", &f);
  vd_status_free(st);
  if (!f) return 0;
  for (size_t i = 0; i < vd_safetensors_count(f); ++i) {
    const vd_weight_tensor *t = vd_safetensors_tensor(f, i);
    if (vd_safetensors_find(f, t->name) != t) abort();
    vd_fuzz_convert(t);
  }
  vd_safetensors_destroy(f);
  return 0;
}
