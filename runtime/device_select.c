#include "runtime/device_select.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int vd_device_type_rank(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 4;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 3;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 1;
    default: return 0;
  }
}

static bool vd_is_index(const char *s) {
  if (!*s) return false;
  for (; *s; ++s)
    if (!isdigit((unsigned char)*s)) return false;
  return true;
}

static bool vd_contains_nocase(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (; *hay; ++hay)
    if (strncasecmp(hay, needle, n) == 0) return true;
  return false;
}

static vd_status vd_select_requested(const vd_device_info *const *infos, const bool *supported,
                                     uint32_t count, const char *request, uint32_t *out_index,
                                     char *reason) {
  uint32_t found = UINT32_MAX;
  if (vd_is_index(request)) {
    unsigned long idx = strtoul(request, NULL, 10);
    if (idx >= count)
      return vd_status_make(VD_ERR_NOT_FOUND, "device %lu requested but only %u device(s) exist", idx,
                            count);
    found = (uint32_t)idx;
  } else {
    for (uint32_t i = 0; i < count && found == UINT32_MAX; ++i)
      if (vd_contains_nocase(infos[i]->name, request)) found = i;
    if (found == UINT32_MAX)
      return vd_status_make(VD_ERR_NOT_FOUND, "no device's name contains \"%s\"", request);
  }
  if (!supported[found])
    return vd_status_make(VD_ERR_UNAVAILABLE, "device %u (%s) was requested but cannot run the engine",
                          found, infos[found]->name);
  *out_index = found;
  snprintf(reason, VD_SELECT_REASON_LEN, "requested by the user (\"%s\")", request);
  return NULL;
}

vd_status vd_device_select(const vd_device_info *const *infos, const bool *supported, uint32_t count,
                           const char *request, uint32_t *out_index,
                           char out_reason[VD_SELECT_REASON_LEN]) {
  out_reason[0] = '\0';
  if (count == 0)
    return vd_status_make(VD_ERR_UNAVAILABLE,
                          "no Vulkan device found (is a driver installed? for CPU-only machines "
                          "install mesa-vulkan-drivers for lavapipe)");
  if (request && request[0])
    return vd_select_requested(infos, supported, count, request, out_index, out_reason);
  uint32_t best = UINT32_MAX;
  for (uint32_t i = 0; i < count; ++i) {
    if (!supported[i]) continue;
    if (best == UINT32_MAX) {
      best = i;
      continue;
    }
    int ri = vd_device_type_rank(infos[i]->type), rb = vd_device_type_rank(infos[best]->type);
    if (ri > rb || (ri == rb && vd_device_info_local_heap(infos[i]) > vd_device_info_local_heap(infos[best])))
      best = i;
  }
  if (best == UINT32_MAX)
    return vd_status_make(VD_ERR_UNAVAILABLE, "none of the %u Vulkan device(s) supports Vulkan 1.2 compute",
                          count);
  *out_index = best;
  snprintf(out_reason, VD_SELECT_REASON_LEN, "automatic: the best supported device type (%s)%s",
           vd_device_type_name(infos[best]->type),
           count > 1 ? ", then the largest device-local memory" : "");
  return NULL;
}
