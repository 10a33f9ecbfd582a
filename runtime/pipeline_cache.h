// The on-disk pipeline cache: one file per device in the user's cache directory, keyed by the device's
// pipeline-cache UUID and driver version. A file that is corrupt, truncated or from another device or
// driver is ignored (and replaced on exit), never handed to the driver.
#ifndef VD_RUNTIME_PIPELINE_CACHE_H
#define VD_RUNTIME_PIPELINE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/device_info.h"
#include "runtime/status.h"

typedef struct vd_context vd_context;

// Directory: $VLMD_CACHE_DIR, else $XDG_CACHE_HOME/vlmdiff, else $HOME/.cache/vlmdiff. File name from
// the device. Returns false if no directory can be determined.
bool vd_pipeline_cache_path(const vd_device_info *info, char *out_path, size_t cap);
// True when data (a file's whole content) is a cache this engine wrote for this device and driver, and
// its payload passes the checksum; out_payload/out_size then point into data. Pure.
bool vd_pipeline_cache_validate(const vd_device_info *info, const uint8_t *data, size_t size,
                                const uint8_t **out_payload, size_t *out_size);
// Creates ctx->pipeline_cache, seeded from the file when it is valid. Never fails on a bad file.
vd_status vd_pipeline_cache_open(vd_context *ctx, bool enabled);
// Writes the cache back (temporary file + rename) and destroys it. Errors are reported, not fatal.
void vd_pipeline_cache_close(vd_context *ctx);

#endif
