// libFuzzer target: the ldm YAML config reader.
#include "formats/config_yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vd_ldm_config c;
  vd_report notes = {0};
  vd_status_free(vd_ldm_config_parse_yaml((const char *)data, size, "fuzz.yaml", &c, &notes));
  vd_report_free(&notes);
  return 0;
}
