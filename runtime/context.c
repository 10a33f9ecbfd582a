#include "runtime/context.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/pipeline_cache.h"

#define VD_DEFAULT_TIMEOUT_S 600.0

static uint64_t vd_timeout_from_env(void) {
  const char *s = getenv("VLMD_TIMEOUT_S");
  double t = s ? strtod(s, NULL) : 0.0;
  if (!(t > 0.0)) t = VD_DEFAULT_TIMEOUT_S;
  return (uint64_t)(t * 1e9);
}

// Builds the feature chain for vkCreateDevice from the policy and creates the device.
static vd_status vd_create_device(vd_context *ctx) {
  const vd_device_info *info = ctx->info;
  const vd_policy *p = &ctx->policy;
  bool v13 = info->effective_api_version >= VK_API_VERSION_1_3;
  vd_vk_coopmat_features cm = {.sType = VD_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_KHR,
                               .cooperativeMatrix = VK_TRUE};
  VkPhysicalDeviceVulkan13Features f13 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES,
                                          .pNext = p->coopmat ? &cm : NULL,
                                          .subgroupSizeControl = info->subgroup_size_control,
                                          .computeFullSubgroups = info->compute_full_subgroups};
  VkPhysicalDeviceVulkan12Features f12 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
                                          .pNext = v13 ? (void *)&f13 : (p->coopmat ? (void *)&cm : NULL),
                                          .shaderFloat16 = p->fp16_arith,
                                          .vulkanMemoryModel = info->vulkan_memory_model};
  VkPhysicalDeviceVulkan11Features f11 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
                                          .pNext = &f12, .storageBuffer16BitAccess = p->fp16_storage};
  VkPhysicalDeviceFeatures2 f2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, .pNext = &f11};
  f2.features.shaderInt16 = info->shader_int16;
  f2.features.shaderInt64 = info->shader_int64;
  f2.features.shaderFloat64 = p->fp64;
  float prio = 1.0f;
  VkDeviceQueueCreateInfo qi = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
                                .queueFamilyIndex = info->compute_queue_family, .queueCount = 1,
                                .pQueuePriorities = &prio};
  const char *exts[] = {VD_KHR_COOPERATIVE_MATRIX_EXTENSION_NAME};
  VkDeviceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, .pNext = &f2, .queueCreateInfoCount = 1,
                           .pQueueCreateInfos = &qi, .enabledExtensionCount = p->coopmat ? 1 : 0,
                           .ppEnabledExtensionNames = exts};
  VD_VK_CHECK(ctx->inst->vki.vkCreateDevice(ctx->physical, &ci, NULL, &ctx->device), "vkCreateDevice");
  ctx->owns_device = true;
  ctx->queue_family = info->compute_queue_family;
  VD_RETURN_IF_ERROR(vd_vk_device_load(&ctx->inst->vki, ctx->device, &ctx->vkd));
  ctx->vkd.vkGetDeviceQueue(ctx->device, ctx->queue_family, 0, &ctx->queue);
  return NULL;
}

// Everything the engine creates on a device, own or host's.
static vd_status vd_context_init_engine(vd_context *ctx, const vd_context_options *opts) {
  ctx->wait_timeout_ns = vd_timeout_from_env();
  VkCommandPoolCreateInfo pi = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
                                .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
                                .queueFamilyIndex = ctx->queue_family};
  VD_VK_CHECK(ctx->vkd.vkCreateCommandPool(ctx->device, &pi, NULL, &ctx->command_pool), "vkCreateCommandPool");
  VD_RETURN_IF_ERROR(vd_memory_init(ctx));
  return vd_pipeline_cache_open(ctx, !opts->no_pipeline_cache);
}

vd_status vd_context_create(const vd_context_options *options, vd_context **out_context) {
  *out_context = NULL;
  vd_context_options opts = options ? *options : (vd_context_options){0};
  const char *env_validation = getenv("VLMD_VALIDATION");
  if (env_validation && strcmp(env_validation, "1") == 0) opts.validation = true;
  vd_context *ctx = calloc(1, sizeof(*ctx));
  if (!ctx) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "context bookkeeping");
  vd_status st = vd_instance_create(opts.validation, opts.quiet_validation, &ctx->inst);
  if (!st) {
    const char *req = opts.device ? opts.device : getenv("VLMD_DEVICE");
    st = vd_device_select((const vd_device_info *const *)ctx->inst->infos, ctx->inst->supported,
                          ctx->inst->device_count, req, &ctx->device_index, ctx->select_reason);
  }
  if (!st) {
    ctx->physical = ctx->inst->physical[ctx->device_index];
    ctx->info = ctx->inst->infos[ctx->device_index];
    ctx->policy = ctx->inst->policies[ctx->device_index];
    st = vd_create_device(ctx);
  }
  if (!st) st = vd_context_init_engine(ctx, &opts);
  if (st) {
    vd_context_destroy(ctx);
    return st;
  }
  *out_context = ctx;
  return NULL;
}

// The host decides what is enabled on its device: the policy keeps only fast paths it enabled.
static void vd_policy_restrict_to_host(vd_policy *p, const vd_external_device *d) {
  if (!d->storage_buffer_16bit_enabled) {
    p->fp16_storage = false;
    p->default_precision = VD_PRECISION_F32;
  }
  if (!d->shader_float16_enabled || !d->storage_buffer_16bit_enabled) p->fp16_arith = false;
  if (!d->cooperative_matrix_enabled || !d->vulkan_memory_model_enabled || !p->fp16_storage) p->coopmat = false;
  if (!d->shader_float64_enabled) p->fp64 = false;
}

vd_status vd_context_create_external(const vd_external_device *d, const vd_context_options *options,
                                     vd_context **out_context) {
  *out_context = NULL;
  vd_context_options opts = options ? *options : (vd_context_options){0};
  if (!d || !d->device || !d->queue)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "host-supplied device or queue is NULL");
  vd_context *ctx = calloc(1, sizeof(*ctx));
  if (!ctx) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "context bookkeeping");
  vd_status st = vd_instance_wrap(d->get_instance_proc_addr, d->instance, d->instance_api_version, d->physical_device,
                                  &ctx->inst);
  if (!st) {
    ctx->physical = d->physical_device;
    ctx->info = ctx->inst->infos[0];
    ctx->policy = ctx->inst->policies[0];
    vd_policy_restrict_to_host(&ctx->policy, d);
    ctx->device = d->device;
    ctx->queue = d->queue;
    ctx->queue_family = d->queue_family;
    snprintf(ctx->select_reason, sizeof(ctx->select_reason), "supplied by the host application");
    st = vd_vk_device_load(&ctx->inst->vki, ctx->device, &ctx->vkd);
  }
  if (!st) st = vd_context_init_engine(ctx, &opts);
  if (st) {
    vd_context_destroy(ctx);
    return st;
  }
  *out_context = ctx;
  return NULL;
}

void vd_context_destroy(vd_context *ctx) {
  if (!ctx) return;
  if (ctx->device) {
    if (ctx->vkd.vkDeviceWaitIdle) ctx->vkd.vkDeviceWaitIdle(ctx->device);
    if (ctx->pipeline_cache) vd_pipeline_cache_close(ctx);
    vd_memory_deinit(ctx);
    if (ctx->command_pool) ctx->vkd.vkDestroyCommandPool(ctx->device, ctx->command_pool, NULL);
    if (ctx->owns_device && ctx->vkd.vkDestroyDevice) ctx->vkd.vkDestroyDevice(ctx->device, NULL);
  }
  vd_instance_destroy(ctx->inst);
  free(ctx);
}

uint32_t vd_context_validation_messages(const vd_context *ctx) {
  return ctx && ctx->inst ? vd_instance_validation_messages(ctx->inst) : 0;
}

const char *vd_context_device_name(const vd_context *ctx) { return ctx->info->name; }

vd_precision vd_context_default_precision(const vd_context *ctx) { return ctx->policy.default_precision; }
