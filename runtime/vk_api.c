#include "runtime/vk_api.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

// dlsym returns void*; converting it to a function pointer is what POSIX requires to work.
static PFN_vkVoidFunction vd_dlsym_fn(void *lib, const char *name) {
  PFN_vkVoidFunction fn;
  void *p = dlsym(lib, name);
  memcpy(&fn, &p, sizeof(fn));
  return fn;
}

static vd_status vd_vk_global_resolve(vd_vk_global *g) {
#define VD_LOAD_GLOBAL(name)                                                  \
  g->name = (PFN_##name)g->vkGetInstanceProcAddr(VK_NULL_HANDLE, #name);      \
  if (!g->name)                                                               \
    return vd_status_make(VD_ERR_UNAVAILABLE, "the Vulkan loader lacks %s", #name);
  VD_VK_GLOBAL_FNS(VD_LOAD_GLOBAL)
#undef VD_LOAD_GLOBAL
  g->vkEnumerateInstanceVersion = (PFN_vkEnumerateInstanceVersion)g->vkGetInstanceProcAddr(
      VK_NULL_HANDLE, "vkEnumerateInstanceVersion");
  return NULL;
}

vd_status vd_vk_global_load(vd_vk_global *out_global) {
  memset(out_global, 0, sizeof(*out_global));
  const char *override = getenv("VLMD_VULKAN_LIBRARY");
  const char *names[] = {override, "libvulkan.so.1", "libvulkan.so"};
  const char *tried = NULL;
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i) {
    if (!names[i] || !names[i][0]) continue;
    tried = tried ? tried : names[i];
    out_global->library = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (out_global->library || override) break;  // an explicit override is not second-guessed
  }
  if (!out_global->library)
    return vd_status_make(VD_ERR_UNAVAILABLE,
                          "no Vulkan loader: could not open %s (install libvulkan1 and a Vulkan "
                          "driver, e.g. mesa-vulkan-drivers)",
                          tried);
  out_global->vkGetInstanceProcAddr =
      (PFN_vkGetInstanceProcAddr)vd_dlsym_fn(out_global->library, "vkGetInstanceProcAddr");
  vd_status st = out_global->vkGetInstanceProcAddr
                     ? vd_vk_global_resolve(out_global)
                     : vd_status_make(VD_ERR_UNAVAILABLE,
                                      "%s does not export vkGetInstanceProcAddr", tried);
  if (st) vd_vk_global_unload(out_global);
  return st;
}

vd_status vd_vk_global_from_proc(PFN_vkGetInstanceProcAddr gipa, vd_vk_global *out_global) {
  memset(out_global, 0, sizeof(*out_global));
  if (!gipa)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "host supplied no vkGetInstanceProcAddr");
  out_global->vkGetInstanceProcAddr = gipa;
  return vd_vk_global_resolve(out_global);
}

void vd_vk_global_unload(vd_vk_global *global) {
  if (global->library) dlclose(global->library);
  memset(global, 0, sizeof(*global));
}

vd_status vd_vk_instance_load(const vd_vk_global *global, VkInstance instance,
                              vd_vk_instance_fns *out_fns) {
  memset(out_fns, 0, sizeof(*out_fns));
  PFN_vkGetInstanceProcAddr gipa = global->vkGetInstanceProcAddr;
#define VD_LOAD_INSTANCE(name)                                            \
  out_fns->name = (PFN_##name)gipa(instance, #name);                      \
  if (!out_fns->name)                                                     \
    return vd_status_make(VD_ERR_UNAVAILABLE, "instance lacks %s", #name);
  VD_VK_INSTANCE_FNS(VD_LOAD_INSTANCE)
#undef VD_LOAD_INSTANCE
  out_fns->vkCreateDebugUtilsMessengerEXT =
      (PFN_vkCreateDebugUtilsMessengerEXT)gipa(instance, "vkCreateDebugUtilsMessengerEXT");
  out_fns->vkDestroyDebugUtilsMessengerEXT =
      (PFN_vkDestroyDebugUtilsMessengerEXT)gipa(instance, "vkDestroyDebugUtilsMessengerEXT");
  out_fns->vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR = (vd_PFN_GetCoopmatProperties)gipa(
      instance, "vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR");
  return NULL;
}

vd_status vd_vk_device_load(const vd_vk_instance_fns *ifns, VkDevice device,
                            vd_vk_device_fns *out_fns) {
  memset(out_fns, 0, sizeof(*out_fns));
#define VD_LOAD_DEVICE(name)                                               \
  out_fns->name = (PFN_##name)ifns->vkGetDeviceProcAddr(device, #name);    \
  if (!out_fns->name) return vd_status_make(VD_ERR_UNAVAILABLE, "device lacks %s", #name);
  VD_VK_DEVICE_FNS(VD_LOAD_DEVICE)
#undef VD_LOAD_DEVICE
  return NULL;
}

const char *vd_vk_result_name(VkResult r) {
  switch (r) {
#define VD_CASE(x) \
  case x: return #x;
    VD_CASE(VK_SUCCESS)
    VD_CASE(VK_NOT_READY)
    VD_CASE(VK_TIMEOUT)
    VD_CASE(VK_INCOMPLETE)
    VD_CASE(VK_ERROR_OUT_OF_HOST_MEMORY)
    VD_CASE(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    VD_CASE(VK_ERROR_INITIALIZATION_FAILED)
    VD_CASE(VK_ERROR_DEVICE_LOST)
    VD_CASE(VK_ERROR_MEMORY_MAP_FAILED)
    VD_CASE(VK_ERROR_LAYER_NOT_PRESENT)
    VD_CASE(VK_ERROR_EXTENSION_NOT_PRESENT)
    VD_CASE(VK_ERROR_FEATURE_NOT_PRESENT)
    VD_CASE(VK_ERROR_INCOMPATIBLE_DRIVER)
    VD_CASE(VK_ERROR_TOO_MANY_OBJECTS)
    VD_CASE(VK_ERROR_FORMAT_NOT_SUPPORTED)
    VD_CASE(VK_ERROR_FRAGMENTED_POOL)
    VD_CASE(VK_ERROR_OUT_OF_POOL_MEMORY)
    VD_CASE(VK_ERROR_UNKNOWN)
#undef VD_CASE
    default: return "VkResult(?)";
  }
}

vd_status vd_vk_error(VkResult r, const char *call) {
  vd_status_code code = VD_ERR_VULKAN;
  if (r == VK_ERROR_DEVICE_LOST) code = VD_ERR_DEVICE_LOST;
  if (r == VK_ERROR_OUT_OF_HOST_MEMORY || r == VK_ERROR_OUT_OF_DEVICE_MEMORY)
    code = VD_ERR_OUT_OF_MEMORY;
  if (r == VK_ERROR_INCOMPATIBLE_DRIVER || r == VK_ERROR_LAYER_NOT_PRESENT ||
      r == VK_ERROR_EXTENSION_NOT_PRESENT || r == VK_ERROR_FEATURE_NOT_PRESENT)
    code = VD_ERR_UNAVAILABLE;
  return vd_status_make(code, "%s failed: %s (%d)", call, vd_vk_result_name(r), (int)r);
}
