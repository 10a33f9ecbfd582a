// JSON model configs: a Hugging Face CLIP text config.json (a CLIPTextConfig, or a full CLIPConfig whose
// "text_config" is used), the small DINO JSON ({"arch", "patch_size", "embed_dim", "depth", "num_heads", ...})
// and the ResNet JSON ({"stem_width", "layers", "base_width", "expansion", "bn_eps"}). Absent keys keep the
// published defaults (for DINO: those of the preset "arch" names, v1s8 without one); unknown keys are
// noted; wrong types are errors naming the key.
#ifndef VD_FORMATS_CONFIG_JSON_H
#define VD_FORMATS_CONFIG_JSON_H

#include <stddef.h>

#include "formats/config.h"
#include "formats/weight_report.h"

#define VD_CONFIG_JSON_MAX_BYTES (4u << 20)  // size of a config file

vd_status vd_clip_text_config_parse_json(const char *text, size_t len, const char *label,
                                         vd_clip_text_config *out_config, vd_report *notes);
vd_status vd_clip_text_config_read_json(const char *path, vd_clip_text_config *out_config, vd_report *notes);
vd_status vd_dino_config_parse_json(const char *text, size_t len, const char *label, vd_dino_config *out_config,
                                    vd_report *notes);
vd_status vd_dino_config_read_json(const char *path, vd_dino_config *out_config, vd_report *notes);
// The ResNet sizes; out_config->variant is kept (the variant is the caller's choice, not the file's).
vd_status vd_resnet_config_parse_json(const char *text, size_t len, const char *label, vd_resnet_config *out_config,
                                      vd_report *notes);
vd_status vd_resnet_config_read_json(const char *path, vd_resnet_config *out_config, vd_report *notes);

#endif
