// The SPIR-V embedded at build time (cmake/Shaders.cmake): every shader in an fp32 and an fp16-storage
// variant, looked up by name.
#ifndef VD_RUNTIME_SHADER_REGISTRY_H
#define VD_RUNTIME_SHADER_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "vlmdiff.h"  // vd_precision

typedef struct vd_shader_blob {
  const char *name;        // file name without extension, e.g. "axpy"
  vd_precision precision;  // which variant this is
  int coopmat;             // 1 when the shader needs VK_KHR_cooperative_matrix
  const uint32_t *code;    // SPIR-V words
  size_t size;             // size in bytes
} vd_shader_blob;

extern const vd_shader_blob vd_shader_blobs[];
extern const size_t vd_shader_blob_count;
extern const int vd_shader_coopmat_compiled;          // glslc accepted GL_KHR_cooperative_matrix
extern const char *const vd_shader_coopmat_skipped[];  // names not built because it did not
extern const size_t vd_shader_coopmat_skipped_count;
extern const int vd_shader_spirv_validated;           // every module passed spirv-val at build time

// NULL when no such shader (or variant) was built.
const vd_shader_blob *vd_shader_find(const char *name, vd_precision precision);
const char *vd_precision_name(vd_precision precision);

#endif
