// vlmdiff public C API.
//
// The engine runs VLMDiff anomaly detection through Vulkan compute. A context owns (or borrows) a
// VkInstance / VkPhysicalDevice / VkDevice and a queue; everything else hangs off it. All fallible calls
// return a vd_status: NULL on success, otherwise an error the caller must free with vd_status_free.
#ifndef VLMDIFF_H
#define VLMDIFF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---- status ---------------------------------------------------------------------------------------

typedef enum vd_status_code {
  VD_OK = 0,
  VD_ERR_INVALID_ARGUMENT,  // caller passed something malformed
  VD_ERR_NOT_FOUND,         // a file, device, tensor or shader does not exist
  VD_ERR_UNAVAILABLE,       // the Vulkan loader, a driver or a feature is missing
  VD_ERR_OUT_OF_MEMORY,     // host or device allocation failed
  VD_ERR_LIMIT,             // a request exceeds a device or format limit
  VD_ERR_IO,                // reading or writing a file failed
  VD_ERR_FORMAT,            // a file's content is malformed or hostile
  VD_ERR_VULKAN,            // a Vulkan call returned an error
  VD_ERR_DEVICE_LOST,       // the device was lost or a wait timed out
  VD_ERR_INTERNAL,          // a bug in the engine
} vd_status_code;

typedef struct vd_status_rec *vd_status;  // NULL means success

vd_status_code vd_status_code_of(vd_status st);
const char *vd_status_message(vd_status st);  // "ok" for NULL
const char *vd_status_code_name(vd_status_code code);
void vd_status_free(vd_status st);

// ---- precision -----------------------------------------------------------------------------------

typedef enum vd_precision {
  VD_PRECISION_F32 = 0,  // fp32 storage, fp32 arithmetic (parity mode)
  VD_PRECISION_F16 = 1,  // fp16 storage, fp32 accumulation
} vd_precision;

// ---- context --------------------------------------------------------------------------------------

typedef struct vd_context vd_context;

typedef struct vd_context_options {
  const char *device;     // NULL/"" automatic, else an index or a name substring (VLMD_DEVICE if NULL)
  bool validation;        // enable VK_LAYER_KHRONOS_validation + synchronization validation (required)
  bool quiet_validation;  // count validation messages without printing them
  bool no_pipeline_cache; // do not read or write the on-disk pipeline cache
} vd_context_options;

// A device created by a host application (a renderer). The engine creates only its own pools, buffers
// and pipelines on it, and never destroys the instance, device or queue.
typedef struct vd_external_device {
  PFN_vkGetInstanceProcAddr get_instance_proc_addr;  // the host's loader entry point
  VkInstance instance;                               // host's instance
  uint32_t instance_api_version;                     // the apiVersion it was created with (0: 1.2)
  VkPhysicalDevice physical_device;                  // host's physical device
  VkDevice device;                                   // host's device
  uint32_t queue_family;                             // a family with VK_QUEUE_COMPUTE_BIT
  VkQueue queue;                                     // queue of that family; host must not use it concurrently
  bool storage_buffer_16bit_enabled;                 // host enabled storageBuffer16BitAccess
  bool shader_float16_enabled;                       // host enabled shaderFloat16
  bool cooperative_matrix_enabled;                   // host enabled VK_KHR_cooperative_matrix + feature
  bool vulkan_memory_model_enabled;                  // host enabled vulkanMemoryModel
  bool shader_float64_enabled;                       // host enabled shaderFloat64 (else double-float is used)
} vd_external_device;

vd_status vd_context_create(const vd_context_options *options, vd_context **out_context);
vd_status vd_context_create_external(const vd_external_device *device, const vd_context_options *options,
                                     vd_context **out_context);
void vd_context_destroy(vd_context *context);
// Number of validation errors and warnings seen since the context was created (0 without validation).
uint32_t vd_context_validation_messages(const vd_context *context);
const char *vd_context_device_name(const vd_context *context);
// The precision runs use unless told otherwise (fp16 storage on GPUs that have it, fp32 on CPUs).
vd_precision vd_context_default_precision(const vd_context *context);

#ifdef __cplusplus
}
#endif

#endif
