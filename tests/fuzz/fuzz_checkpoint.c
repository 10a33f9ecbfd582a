// libFuzzer target: a whole PyTorch zip checkpoint (zip + pickle + tensor views), converting what loads.
#include "formats/checkpoint.h"
#include "tests/fuzz/fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vd_checkpoint *c = NULL;
  vd_status_free(vd_checkpoint_parse(data, size, "fuzz.ckpt", &c));
  if (!c) return 0;
  for (size_t i = 0; i < vd_checkpoint_count(c); ++i) vd_fuzz_convert(vd_checkpoint_tensor(c, i));
  vd_checkpoint_destroy(c);
  return 0;
}
