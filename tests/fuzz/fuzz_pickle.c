// libFuzzer target: the pickle interpreter.
#include "formats/pickle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vd_pickle *p = NULL;
  vd_status_free(vd_pickle_load(data, size, "fuzz.pkl", &p));
  if (p) (void)vd_pickle_dict_get(vd_pickle_root(p), "state_dict");
  vd_pickle_destroy(p);
  return 0;
}
