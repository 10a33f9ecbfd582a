// Compute pipelines from the embedded SPIR-V: a shader variant, specialization constants (constant_id
// i takes spec[i]), a push-constant block and N storage-buffer bindings (set 0, bindings 0..N-1).
#ifndef VD_RUNTIME_PIPELINE_H
#define VD_RUNTIME_PIPELINE_H

#include <stdint.h>

#include "runtime/shader_registry.h"
#include "runtime/status.h"
#include "runtime/vk_api.h"

#define VD_PIPELINE_MAX_SPEC 16
#define VD_PIPELINE_MAX_BINDINGS 16

typedef struct vd_context vd_context;

typedef struct vd_pipeline_desc {
  const char *shader;         // registry name, e.g. "axpy"
  vd_precision precision;     // which variant
  uint32_t binding_count;     // storage buffers at set 0, bindings 0..binding_count-1
  uint32_t push_size;         // bytes of push constants (multiple of 4, 0 for none)
  uint32_t spec_count;        // entries in spec
  uint32_t spec[VD_PIPELINE_MAX_SPEC];  // constant_id i = spec[i] (32-bit each)
  uint32_t required_subgroup_size;      // 0: any (else needs subgroupSizeControl)
} vd_pipeline_desc;

typedef struct vd_pipeline {
  VkPipeline pipeline;              // the compute pipeline
  VkPipelineLayout layout;          // its layout
  VkDescriptorSetLayout set_layout; // set 0
  uint32_t binding_count;           // as in the description
  uint32_t push_size;               // as in the description
  char name[64];                    // shader name, for messages
  vd_precision precision;           // variant
} vd_pipeline;

vd_status vd_pipeline_create(vd_context *ctx, const vd_pipeline_desc *desc, vd_pipeline **out_pipeline);
void vd_pipeline_destroy(vd_context *ctx, vd_pipeline *pipeline);

#endif
