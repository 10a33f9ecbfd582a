// Choosing a device: discrete > integrated > virtual > CPU, larger device-local memory first, unless the
// user names one (--device N|NAME or VLMD_DEVICE). Pure: works on snapshots.
#ifndef VD_RUNTIME_DEVICE_SELECT_H
#define VD_RUNTIME_DEVICE_SELECT_H

#include <stdint.h>

#include "runtime/device_info.h"
#include "runtime/status.h"

#define VD_SELECT_REASON_LEN 200

// request: NULL or "" for automatic; a decimal index; or a case-insensitive substring of the name.
// supported[i] says whether the engine can run on device i (see vd_policy::supported).
vd_status vd_device_select(const vd_device_info *const *infos, const bool *supported, uint32_t count,
                           const char *request, uint32_t *out_index,
                           char out_reason[VD_SELECT_REASON_LEN]);
// Rank used for automatic choice: higher is better.
int vd_device_type_rank(VkPhysicalDeviceType type);

#endif
