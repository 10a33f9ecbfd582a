// A host application creates its own instance, device and queue (with validation), hands them to the
// engine, runs a kernel through the engine, destroys the engine's context, and keeps using its device:
// the engine created only its own objects and destroyed none of the host's.
#include "runtime/cmd.h"
#include "runtime/context.h"
#include "runtime/vk_api.h"
#include "tests/vdtest.h"

typedef struct host_app {
  vd_vk_global g;
  vd_vk_instance_fns vki;
  vd_vk_device_fns vkd;
  VkInstance instance;
  VkPhysicalDevice physical;
  VkDevice device;
  VkQueue queue;
  uint32_t family;
} host_app;

static VkBool32 VKAPI_PTR host_messenger(VkDebugUtilsMessageSeverityFlagBitsEXT s, VkDebugUtilsMessageTypeFlagsEXT t,
                                         const VkDebugUtilsMessengerCallbackDataEXT *d, void *user) {
  (void)s, (void)t;
  ++*(int *)user;
  fprintf(stderr, "host validation: %s\n", d->pMessage);
  return VK_FALSE;
}

static void host_create(host_app *h, int *messages, VkDebugUtilsMessengerEXT *out_m) {
  CHECK_OK(vd_vk_global_load(&h->g));
  const char *layers[] = {"VK_LAYER_KHRONOS_validation"};
  const char *exts[] = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME};
  VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO, .apiVersion = VK_API_VERSION_1_2};
  VkInstanceCreateInfo ici = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, .pApplicationInfo = &app,
                              .enabledLayerCount = 1, .ppEnabledLayerNames = layers,
                              .enabledExtensionCount = 1, .ppEnabledExtensionNames = exts};
  CHECK(h->g.vkCreateInstance(&ici, NULL, &h->instance) == VK_SUCCESS);
  CHECK_OK(vd_vk_instance_load(&h->g, h->instance, &h->vki));
  VkDebugUtilsMessengerCreateInfoEXT mi = {
      .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
      .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
      .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT,
      .pfnUserCallback = host_messenger, .pUserData = messages};
  CHECK(h->vki.vkCreateDebugUtilsMessengerEXT(h->instance, &mi, NULL, out_m) == VK_SUCCESS);
  uint32_t n = 1;
  CHECK(h->vki.vkEnumeratePhysicalDevices(h->instance, &n, &h->physical) >= 0 && n == 1);
  h->family = 0;  // lavapipe and most GPUs: family 0 does compute
  float prio = 1.0f;
  VkDeviceQueueCreateInfo qi = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO, .queueFamilyIndex = 0,
                                .queueCount = 1, .pQueuePriorities = &prio};
  VkPhysicalDeviceVulkan11Features f11 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
  VkDeviceCreateInfo dci = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, .pNext = &f11, .queueCreateInfoCount = 1,
                            .pQueueCreateInfos = &qi};
  CHECK(h->vki.vkCreateDevice(h->physical, &dci, NULL, &h->device) == VK_SUCCESS);
  CHECK_OK(vd_vk_device_load(&h->vki, h->device, &h->vkd));
  h->vkd.vkGetDeviceQueue(h->device, 0, 0, &h->queue);
}

static void engine_work(host_app *h) {
  vd_external_device ext = {.get_instance_proc_addr = h->g.vkGetInstanceProcAddr, .instance = h->instance,
                            .physical_device = h->physical, .device = h->device, .queue_family = h->family,
                            .queue = h->queue};  // the host enabled no 16-bit storage
  vd_context *ctx = NULL;
  CHECK_OK(vd_context_create_external(&ext, NULL, &ctx));
  if (!ctx) return;
  CHECK(!ctx->policy.fp16_storage && !ctx->policy.coopmat);  // only what the host enabled
  CHECK(ctx->policy.default_precision == VD_PRECISION_F32);
  vd_pipeline *axpy = NULL;
  vd_pipeline_desc d = {.shader = "axpy", .binding_count = 2, .push_size = 8};
  CHECK_OK(vd_pipeline_create(ctx, &d, &axpy));
  vd_pipeline_desc d16 = {.shader = "axpy", .precision = VD_PRECISION_F16, .binding_count = 2, .push_size = 8};
  vd_pipeline *p16 = NULL;
  CHECK_ERR(vd_pipeline_create(ctx, &d16, &p16), VD_ERR_UNAVAILABLE);  // not enabled by the host
  enum { N = 1000 };
  float x[N], y[N], out[N];
  for (int i = 0; i < N; ++i) x[i] = (float)i * 0.5f + 1.0f, y[i] = 3.0f - (float)i;
  vd_buffer *bx = NULL, *by = NULL;
  CHECK_OK(vd_buffer_create(ctx, VD_MEMORY_DEVICE, sizeof(x), &bx));
  CHECK_OK(vd_buffer_create(ctx, VD_MEMORY_DEVICE, sizeof(y), &by));
  CHECK_OK(vd_buffer_upload(ctx, bx, 0, x, sizeof(x)));
  CHECK_OK(vd_buffer_upload(ctx, by, 0, y, sizeof(y)));
  vd_cmd *cmd = NULL;
  CHECK_OK(vd_cmd_create(ctx, 0, &cmd));
  CHECK_OK(vd_cmd_begin(cmd));
  struct { uint32_t n; float a; } push = {N, 2.0f};
  vd_binding b[2] = {{bx, 0, 0}, {by, 0, 0}};
  uint32_t groups[3] = {(N + 255) / 256, 1, 1};
  CHECK_OK(vd_cmd_dispatch(cmd, axpy, b, 2, &push, groups, NULL));
  CHECK_OK(vd_cmd_end(cmd));
  CHECK_OK(vd_cmd_run(cmd));
  CHECK_OK(vd_buffer_download(ctx, by, 0, out, sizeof(out)));
  int wrong = 0;
  for (int i = 0; i < N; ++i) wrong += out[i] != 2.0f * x[i] + y[i];
  CHECK(wrong == 0);
  vd_cmd_destroy(cmd);
  vd_buffer_destroy(ctx, bx);
  vd_buffer_destroy(ctx, by);
  vd_pipeline_destroy(ctx, axpy);
  vd_context_destroy(ctx);
}

int main(void) {
  host_app h = {0};
  int messages = 0;
  VkDebugUtilsMessengerEXT m = VK_NULL_HANDLE;
  host_create(&h, &messages, &m);
  engine_work(&h);
  engine_work(&h);  // twice: nothing of the host's was destroyed by the first context
  // The host's device and queue still work: create and use a fence on its queue.
  VkFence fence;
  VkFenceCreateInfo fi = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  CHECK(h.vkd.vkCreateFence(h.device, &fi, NULL, &fence) == VK_SUCCESS);
  CHECK(h.vkd.vkQueueSubmit(h.queue, 0, NULL, fence) == VK_SUCCESS);
  CHECK(h.vkd.vkWaitForFences(h.device, 1, &fence, VK_TRUE, 10000000000ull) == VK_SUCCESS);
  h.vkd.vkDestroyFence(h.device, fence, NULL);
  CHECK(h.vkd.vkDeviceWaitIdle(h.device) == VK_SUCCESS);
  h.vkd.vkDestroyDevice(h.device, NULL);  // would be reported by validation if the engine leaked objects
  h.vki.vkDestroyDebugUtilsMessengerEXT(h.instance, m, NULL);
  h.vki.vkDestroyInstance(h.instance, NULL);
  vd_vk_global_unload(&h.g);
  CHECK_MSG(messages == 0, "%d validation messages on the host's instance", messages);
  CHECK_ERR(vd_context_create_external(NULL, NULL, &(vd_context *){NULL}), VD_ERR_INVALID_ARGUMENT);
  return vdt_finish("test_external_device");
}
