#include "runtime/pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/context.h"

static vd_status vd_pipeline_check(const vd_context *ctx, const vd_pipeline_desc *d, const vd_shader_blob **out_blob) {
  if (d->binding_count > VD_PIPELINE_MAX_BINDINGS || d->spec_count > VD_PIPELINE_MAX_SPEC || d->push_size % 4)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "pipeline %s: bad description", d->shader);
  if (d->push_size > ctx->info->max_push_constants_size)
    return vd_status_make(VD_ERR_LIMIT, "pipeline %s: %u bytes of push constants exceed the device's %u", d->shader,
                          d->push_size, ctx->info->max_push_constants_size);
  if (d->precision == VD_PRECISION_F16 && !ctx->policy.fp16_storage)
    return vd_status_make(VD_ERR_UNAVAILABLE, "pipeline %s: the fp16 variant needs 16-bit storage, off on this device",
                          d->shader);
  const vd_shader_blob *blob = vd_shader_find(d->shader, d->precision);
  if (!blob)
    return vd_status_make(VD_ERR_NOT_FOUND, "no shader \"%s\" (%s) in this build", d->shader,
                          vd_precision_name(d->precision));
  if (blob->coopmat && !ctx->policy.coopmat)
    return vd_status_make(VD_ERR_UNAVAILABLE, "pipeline %s needs cooperative matrices, off on this device", d->shader);
  *out_blob = blob;
  return NULL;
}

static vd_status vd_pipeline_layouts(vd_context *ctx, const vd_pipeline_desc *d, vd_pipeline *p) {
  VkDescriptorSetLayoutBinding b[VD_PIPELINE_MAX_BINDINGS];
  for (uint32_t i = 0; i < d->binding_count; ++i)
    b[i] = (VkDescriptorSetLayoutBinding){i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL};
  VkDescriptorSetLayoutCreateInfo li = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                        .bindingCount = d->binding_count, .pBindings = b};
  VD_VK_CHECK(ctx->vkd.vkCreateDescriptorSetLayout(ctx->device, &li, NULL, &p->set_layout),
              "vkCreateDescriptorSetLayout");
  VkPushConstantRange pr = {VK_SHADER_STAGE_COMPUTE_BIT, 0, d->push_size};
  VkPipelineLayoutCreateInfo pi = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1,
                                   .pSetLayouts = &p->set_layout, .pushConstantRangeCount = d->push_size ? 1 : 0,
                                   .pPushConstantRanges = &pr};
  VD_VK_CHECK(ctx->vkd.vkCreatePipelineLayout(ctx->device, &pi, NULL, &p->layout), "vkCreatePipelineLayout");
  return NULL;
}

static vd_status vd_pipeline_build(vd_context *ctx, const vd_pipeline_desc *d, const vd_shader_blob *blob,
                                   vd_pipeline *p) {
  VkShaderModuleCreateInfo mi = {.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, .codeSize = blob->size,
                                 .pCode = blob->code};
  VkShaderModule module;
  VD_VK_CHECK(ctx->vkd.vkCreateShaderModule(ctx->device, &mi, NULL, &module), "vkCreateShaderModule");
  VkSpecializationMapEntry entries[VD_PIPELINE_MAX_SPEC];
  for (uint32_t i = 0; i < d->spec_count; ++i) entries[i] = (VkSpecializationMapEntry){i, i * 4, 4};
  VkSpecializationInfo spec = {d->spec_count, entries, d->spec_count * 4u, d->spec};
  VkPipelineShaderStageRequiredSubgroupSizeCreateInfo sg = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_REQUIRED_SUBGROUP_SIZE_CREATE_INFO,
      .requiredSubgroupSize = d->required_subgroup_size};
  VkComputePipelineCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
      .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                .pNext = d->required_subgroup_size ? &sg : NULL,
                .stage = VK_SHADER_STAGE_COMPUTE_BIT, .module = module, .pName = "main",
                .pSpecializationInfo = d->spec_count ? &spec : NULL},
      .layout = p->layout};
  VkResult r = ctx->vkd.vkCreateComputePipelines(ctx->device, ctx->pipeline_cache, 1, &ci, NULL, &p->pipeline);
  ctx->vkd.vkDestroyShaderModule(ctx->device, module, NULL);
  if (r < 0) return vd_vk_error(r, "vkCreateComputePipelines");
  return NULL;
}

vd_status vd_pipeline_create(vd_context *ctx, const vd_pipeline_desc *desc, vd_pipeline **out_pipeline) {
  *out_pipeline = NULL;
  const vd_shader_blob *blob = NULL;
  VD_RETURN_IF_ERROR(vd_pipeline_check(ctx, desc, &blob));
  if (desc->required_subgroup_size && !ctx->info->subgroup_size_control)
    return vd_status_make(VD_ERR_UNAVAILABLE, "pipeline %s: a required subgroup size needs subgroupSizeControl",
                          desc->shader);
  vd_pipeline *p = calloc(1, sizeof(*p));
  if (!p) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "pipeline bookkeeping");
  snprintf(p->name, sizeof(p->name), "%s", desc->shader);
  p->precision = desc->precision;
  p->binding_count = desc->binding_count;
  p->push_size = desc->push_size;
  vd_status st = vd_pipeline_layouts(ctx, desc, p);
  if (!st) st = vd_pipeline_build(ctx, desc, blob, p);
  if (st) {
    vd_pipeline_destroy(ctx, p);
    return vd_status_annotate(st, "creating pipeline %s (%s)", desc->shader, vd_precision_name(desc->precision));
  }
  *out_pipeline = p;
  return NULL;
}

void vd_pipeline_destroy(vd_context *ctx, vd_pipeline *p) {
  if (!p) return;
  if (p->pipeline) ctx->vkd.vkDestroyPipeline(ctx->device, p->pipeline, NULL);
  if (p->layout) ctx->vkd.vkDestroyPipelineLayout(ctx->device, p->layout, NULL);
  if (p->set_layout) ctx->vkd.vkDestroyDescriptorSetLayout(ctx->device, p->set_layout, NULL);
  free(p);
}
