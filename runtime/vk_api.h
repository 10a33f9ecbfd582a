// The Vulkan API loaded at run time (dlopen of the loader, then vkGet*ProcAddr), so that the binary
// starts on a machine without Vulkan and reports it. Function pointers live in tables owned by whoever
// loaded them, so several instances and devices (including a host application's) can coexist.
#ifndef VD_RUNTIME_VK_API_H
#define VD_RUNTIME_VK_API_H

#include <vulkan/vulkan.h>

#include "runtime/status.h"
#include "runtime/vk_coopmat.h"

#define VD_VK_GLOBAL_FNS(X)                  \
  X(vkCreateInstance)                        \
  X(vkEnumerateInstanceExtensionProperties)  \
  X(vkEnumerateInstanceLayerProperties)

#define VD_VK_INSTANCE_FNS(X)                 \
  X(vkDestroyInstance)                        \
  X(vkEnumeratePhysicalDevices)               \
  X(vkGetPhysicalDeviceProperties)            \
  X(vkGetPhysicalDeviceProperties2)           \
  X(vkGetPhysicalDeviceFeatures2)             \
  X(vkGetPhysicalDeviceMemoryProperties)      \
  X(vkGetPhysicalDeviceQueueFamilyProperties) \
  X(vkEnumerateDeviceExtensionProperties)     \
  X(vkCreateDevice)                           \
  X(vkGetDeviceProcAddr)

#define VD_VK_DEVICE_FNS(X)            \
  X(vkDestroyDevice)                   \
  X(vkGetDeviceQueue)                  \
  X(vkDeviceWaitIdle)                  \
  X(vkQueueSubmit)                     \
  X(vkQueueWaitIdle)                   \
  X(vkCreateBuffer)                    \
  X(vkDestroyBuffer)                   \
  X(vkGetBufferMemoryRequirements)     \
  X(vkAllocateMemory)                  \
  X(vkFreeMemory)                      \
  X(vkBindBufferMemory)                \
  X(vkMapMemory)                       \
  X(vkUnmapMemory)                     \
  X(vkFlushMappedMemoryRanges)         \
  X(vkInvalidateMappedMemoryRanges)    \
  X(vkCreateShaderModule)              \
  X(vkDestroyShaderModule)             \
  X(vkCreateDescriptorSetLayout)       \
  X(vkDestroyDescriptorSetLayout)      \
  X(vkCreatePipelineLayout)            \
  X(vkDestroyPipelineLayout)           \
  X(vkCreateComputePipelines)          \
  X(vkDestroyPipeline)                 \
  X(vkCreatePipelineCache)             \
  X(vkDestroyPipelineCache)            \
  X(vkGetPipelineCacheData)            \
  X(vkCreateDescriptorPool)            \
  X(vkDestroyDescriptorPool)           \
  X(vkResetDescriptorPool)             \
  X(vkAllocateDescriptorSets)          \
  X(vkUpdateDescriptorSets)            \
  X(vkCreateCommandPool)               \
  X(vkDestroyCommandPool)              \
  X(vkResetCommandPool)                \
  X(vkAllocateCommandBuffers)          \
  X(vkFreeCommandBuffers)              \
  X(vkBeginCommandBuffer)              \
  X(vkEndCommandBuffer)                \
  X(vkCmdBindPipeline)                 \
  X(vkCmdBindDescriptorSets)           \
  X(vkCmdPushConstants)                \
  X(vkCmdDispatch)                     \
  X(vkCmdPipelineBarrier)              \
  X(vkCmdCopyBuffer)                   \
  X(vkCmdFillBuffer)                   \
  X(vkCmdWriteTimestamp)               \
  X(vkCmdResetQueryPool)               \
  X(vkCreateQueryPool)                 \
  X(vkDestroyQueryPool)                \
  X(vkGetQueryPoolResults)             \
  X(vkCreateFence)                     \
  X(vkDestroyFence)                    \
  X(vkResetFences)                     \
  X(vkWaitForFences)

#define VD_VK_DECLARE_FN(name) PFN_##name name;

// Loader-level entry points (no instance yet).
typedef struct vd_vk_global {
  void *library;                                  // dlopen handle; NULL when supplied by a host
  PFN_vkGetInstanceProcAddr vkGetInstanceProcAddr;  // the root of everything else
  PFN_vkEnumerateInstanceVersion vkEnumerateInstanceVersion;  // NULL on a 1.0 loader
  VD_VK_GLOBAL_FNS(VD_VK_DECLARE_FN)
} vd_vk_global;

// Entry points of one VkInstance, including optional extension functions (NULL when absent).
typedef struct vd_vk_instance_fns {
  VD_VK_INSTANCE_FNS(VD_VK_DECLARE_FN)
  PFN_vkCreateDebugUtilsMessengerEXT vkCreateDebugUtilsMessengerEXT;    // VK_EXT_debug_utils
  PFN_vkDestroyDebugUtilsMessengerEXT vkDestroyDebugUtilsMessengerEXT;  // VK_EXT_debug_utils
  vd_PFN_GetCoopmatProperties vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR;  // coopmat
} vd_vk_instance_fns;

// Entry points of one VkDevice.
typedef struct vd_vk_device_fns {
  VD_VK_DEVICE_FNS(VD_VK_DECLARE_FN)
} vd_vk_device_fns;

// Opens the Vulkan loader (VLMD_VULKAN_LIBRARY overrides the file name) and resolves the global entry
// points. Errors name the library that could not be opened.
vd_status vd_vk_global_load(vd_vk_global *out_global);
// Uses a host-supplied vkGetInstanceProcAddr instead of opening a library.
vd_status vd_vk_global_from_proc(PFN_vkGetInstanceProcAddr gipa, vd_vk_global *out_global);
void vd_vk_global_unload(vd_vk_global *global);

vd_status vd_vk_instance_load(const vd_vk_global *global, VkInstance instance,
                              vd_vk_instance_fns *out_fns);
vd_status vd_vk_device_load(const vd_vk_instance_fns *ifns, VkDevice device,
                            vd_vk_device_fns *out_fns);

// Human-readable name of a VkResult ("VK_ERROR_DEVICE_LOST").
const char *vd_vk_result_name(VkResult r);
// Wraps a failed Vulkan call into a status naming the call; VK_ERROR_DEVICE_LOST maps to
// VD_ERR_DEVICE_LOST, out-of-memory results to VD_ERR_OUT_OF_MEMORY.
vd_status vd_vk_error(VkResult r, const char *call);

#define VD_VK_CHECK(call_expr, what)              \
  do {                                            \
    VkResult vd_vr_ = (call_expr);                \
    if (vd_vr_ < 0) return vd_vk_error(vd_vr_, what); \
  } while (0)

#endif
