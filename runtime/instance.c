#include "runtime/instance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VD_VALIDATION_LAYER "VK_LAYER_KHRONOS_validation"

static VKAPI_ATTR VkBool32 VKAPI_CALL vd_debug_callback(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                         VkDebugUtilsMessageTypeFlagsEXT types,
                                                         const VkDebugUtilsMessengerCallbackDataEXT *data,
                                                         void *user) {
  (void)types;
  vd_validation_log *log = user;
  bool error = severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  if (error) atomic_fetch_add(&log->errors, 1);
  else atomic_fetch_add(&log->warnings, 1);
  if (!log->quiet)
    fprintf(stderr, "vulkan validation %s: %s\n", error ? "error" : "warning",
            data && data->pMessage ? data->pMessage : "(no message)");
  return VK_FALSE;
}

static vd_status vd_check_layer(const vd_vk_global *g) {
  uint32_t n = 0;
  VD_VK_CHECK(g->vkEnumerateInstanceLayerProperties(&n, NULL), "vkEnumerateInstanceLayerProperties");
  VkLayerProperties *layers = calloc(n ? n : 1, sizeof(*layers));
  if (!layers) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "listing layers");
  VkResult r = g->vkEnumerateInstanceLayerProperties(&n, layers);
  bool found = false;
  for (uint32_t i = 0; r >= 0 && i < n; ++i) found |= strcmp(layers[i].layerName, VD_VALIDATION_LAYER) == 0;
  free(layers);
  if (r < 0) return vd_vk_error(r, "vkEnumerateInstanceLayerProperties");
  if (!found)
    return vd_status_make(VD_ERR_UNAVAILABLE,
                          "validation requested but %s is not installed (Debian: vulkan-validationlayers)",
                          VD_VALIDATION_LAYER);
  return NULL;
}

static vd_status vd_create_vk_instance(vd_instance *inst, bool validation) {
  const vd_vk_global *g = &inst->global;
  uint32_t api = VK_API_VERSION_1_2;
  if (g->vkEnumerateInstanceVersion) {
    uint32_t loader = 0;
    if (g->vkEnumerateInstanceVersion(&loader) == VK_SUCCESS && loader >= VK_API_VERSION_1_3) api = VK_API_VERSION_1_3;
  }
  VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO, .pApplicationName = "vlmdiff",
                           .pEngineName = "vlmdiff", .apiVersion = api};
  const char *layers[] = {VD_VALIDATION_LAYER};
  const char *exts[] = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME, VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME};
  VkValidationFeatureEnableEXT enables[] = {VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT};
  VkValidationFeaturesEXT features = {.sType = VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT,
                                      .enabledValidationFeatureCount = 1, .pEnabledValidationFeatures = enables};
  VkInstanceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, .pApplicationInfo = &app};
  if (validation) {
    VD_RETURN_IF_ERROR(vd_check_layer(g));
    ci.pNext = &features;
    ci.enabledLayerCount = 1;
    ci.ppEnabledLayerNames = layers;
    ci.enabledExtensionCount = 2;
    ci.ppEnabledExtensionNames = exts;
  }
  VkResult r = g->vkCreateInstance(&ci, NULL, &inst->instance);
  if (r == VK_ERROR_INCOMPATIBLE_DRIVER)
    return vd_status_make(VD_ERR_UNAVAILABLE, "no Vulkan driver is installed or usable (vkCreateInstance: "
                                              "VK_ERROR_INCOMPATIBLE_DRIVER); on a CPU-only machine install "
                                              "mesa-vulkan-drivers for lavapipe");
  VD_VK_CHECK(r, "vkCreateInstance");
  inst->owns_instance = true;
  inst->api_version = api;
  return NULL;
}

static vd_status vd_create_messenger(vd_instance *inst) {
  if (!inst->vki.vkCreateDebugUtilsMessengerEXT)
    return vd_status_make(VD_ERR_UNAVAILABLE, "validation requested but VK_EXT_debug_utils is missing");
  VkDebugUtilsMessengerCreateInfoEXT mi = {
      .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
      .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
      .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT,
      .pfnUserCallback = vd_debug_callback,
      .pUserData = &inst->validation};
  VD_VK_CHECK(inst->vki.vkCreateDebugUtilsMessengerEXT(inst->instance, &mi, NULL, &inst->messenger),
              "vkCreateDebugUtilsMessengerEXT");
  return NULL;
}

static vd_status vd_snapshot_device(vd_instance *inst, uint32_t i) {
  inst->infos[i] = calloc(1, sizeof(vd_device_info));
  if (!inst->infos[i]) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "device snapshot");
  VD_RETURN_IF_ERROR(vd_device_info_capture(&inst->vki, inst->physical[i], inst->api_version, inst->infos[i]));
  vd_policy_switches sw = vd_policy_switches_from_env();
  vd_policy_compute(inst->infos[i], &sw, &inst->policies[i]);
  inst->supported[i] = inst->policies[i].supported;
  return NULL;
}

static vd_status vd_enumerate(vd_instance *inst) {
  uint32_t n = VD_MAX_PHYSICAL_DEVICES;
  VkResult r = inst->vki.vkEnumeratePhysicalDevices(inst->instance, &n, inst->physical);
  if (r < 0) return vd_vk_error(r, "vkEnumeratePhysicalDevices");
  inst->device_count = n;
  for (uint32_t i = 0; i < n; ++i) VD_RETURN_IF_ERROR(vd_snapshot_device(inst, i));
  return NULL;
}

vd_status vd_instance_create(bool validation, bool quiet, vd_instance **out_instance) {
  *out_instance = NULL;
  vd_instance *inst = calloc(1, sizeof(*inst));
  if (!inst) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "instance bookkeeping");
  inst->validation.quiet = quiet;
  vd_status st = vd_vk_global_load(&inst->global);
  if (!st) st = vd_create_vk_instance(inst, validation);
  if (!st) st = vd_vk_instance_load(&inst->global, inst->instance, &inst->vki);
  if (!st && validation) st = vd_create_messenger(inst);
  if (!st) st = vd_enumerate(inst);
  if (st) {
    vd_instance_destroy(inst);
    return st;
  }
  *out_instance = inst;
  return NULL;
}

vd_status vd_instance_wrap(PFN_vkGetInstanceProcAddr gipa, VkInstance instance, uint32_t api_version,
                           VkPhysicalDevice physical, vd_instance **out_instance) {
  *out_instance = NULL;
  if (!instance || !physical)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "host-supplied instance or physical device is NULL");
  vd_instance *inst = calloc(1, sizeof(*inst));
  if (!inst) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "instance bookkeeping");
  inst->instance = instance;
  inst->api_version = api_version ? api_version : VK_API_VERSION_1_2;
  vd_status st = vd_vk_global_from_proc(gipa, &inst->global);
  if (!st) st = vd_vk_instance_load(&inst->global, instance, &inst->vki);
  if (!st) {
    inst->device_count = 1;
    inst->physical[0] = physical;
    st = vd_snapshot_device(inst, 0);
  }
  if (st) {
    vd_instance_destroy(inst);
    return st;
  }
  *out_instance = inst;
  return NULL;
}

void vd_instance_destroy(vd_instance *inst) {
  if (!inst) return;
  for (uint32_t i = 0; i < VD_MAX_PHYSICAL_DEVICES; ++i) free(inst->infos[i]);
  if (inst->messenger) inst->vki.vkDestroyDebugUtilsMessengerEXT(inst->instance, inst->messenger, NULL);
  if (inst->owns_instance && inst->instance) inst->vki.vkDestroyInstance(inst->instance, NULL);
  vd_vk_global_unload(&inst->global);
  free(inst);
}

uint32_t vd_instance_validation_messages(const vd_instance *inst) {
  return atomic_load(&inst->validation.errors) + atomic_load(&inst->validation.warnings);
}
