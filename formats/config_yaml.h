// Reads the reference's ldm YAML (models/vlmdiff.yaml layout): model.params (schedule, latent scale),
// unet_config.params, control_stage_config.params and first_stage_config.params(.ddconfig). Keys that
// are absent keep the built-in defaults (the published model); unknown keys are ignored with a note;
// a value of the wrong type is an error naming the key and its line.
#ifndef VD_FORMATS_CONFIG_YAML_H
#define VD_FORMATS_CONFIG_YAML_H

#include <stddef.h>

#include "formats/config.h"
#include "formats/weight_report.h"

// notes: optional, receives one line per ignored key. label names the text in errors.
vd_status vd_ldm_config_parse_yaml(const char *text, size_t len, const char *label, vd_ldm_config *out_config,
                                   vd_report *notes);
vd_status vd_ldm_config_read_yaml(const char *path, vd_ldm_config *out_config, vd_report *notes);

// Reads a whole (small) text file into a NUL-terminated buffer of at most max_bytes.
vd_status vd_config_read_text(const char *path, size_t max_bytes, char **out_text, size_t *out_len);

#endif
