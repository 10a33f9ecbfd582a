#include "runtime/shader_registry.h"

#include <string.h>

const vd_shader_blob *vd_shader_find(const char *name, vd_precision precision) {
  for (size_t i = 0; i < vd_shader_blob_count; ++i) {
    const vd_shader_blob *b = &vd_shader_blobs[i];
    if (b->precision == precision && strcmp(b->name, name) == 0) return b;
  }
  return NULL;
}

const char *vd_precision_name(vd_precision precision) {
  return precision == VD_PRECISION_F16 ? "fp16" : "fp32";
}
