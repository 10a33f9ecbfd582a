// libFuzzer target: the CLIP text, DINO and ResNet JSON config readers.
#include "formats/config_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  vd_clip_text_config clip;
  vd_dino_config dino;
  vd_resnet_config resnet = {.variant = VD_RESNET_TIMM};
  vd_report notes = {0};
  vd_status_free(vd_clip_text_config_parse_json((const char *)data, size, "fuzz.json", &clip, &notes));
  vd_status_free(vd_dino_config_parse_json((const char *)data, size, "fuzz.json", &dino, &notes));
  vd_status_free(vd_resnet_config_parse_json((const char *)data, size, "fuzz.json", &resnet, &notes));
  vd_report_free(&notes);
  return 0;
}
