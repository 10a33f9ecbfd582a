#include "runtime/pipeline_cache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/context.h"

#define VD_PCACHE_MAGIC "VLMDPC01"
#define VD_PCACHE_MAX_FILE (512u << 20)

// File layout: this header, then the driver's cache blob (which starts with Vulkan's own header).
typedef struct vd_pcache_header {
  char magic[8];            // VD_PCACHE_MAGIC
  uint32_t vendor_id;       // device identity the blob belongs to
  uint32_t device_id;
  uint32_t driver_version;
  uint32_t reserved;        // 0
  uint8_t uuid[VK_UUID_SIZE];  // pipelineCacheUUID
  uint64_t payload_size;    // bytes after this header
  uint64_t checksum;        // FNV-1a 64 of the payload
} vd_pcache_header;

static uint64_t vd_fnv1a(const uint8_t *p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

static uint32_t vd_le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool vd_pipeline_cache_path(const vd_device_info *info, char *out_path, size_t cap) {
  const char *dir = getenv("VLMD_CACHE_DIR");
  const char *xdg = getenv("XDG_CACHE_HOME");
  const char *home = getenv("HOME");
  char base[768];
  if (dir && dir[0]) snprintf(base, sizeof(base), "%s", dir);
  else if (xdg && xdg[0]) snprintf(base, sizeof(base), "%s/vlmdiff", xdg);
  else if (home && home[0]) snprintf(base, sizeof(base), "%s/.cache/vlmdiff", home);
  else return false;
  char uuid[2 * VK_UUID_SIZE + 1];
  for (unsigned i = 0; i < VK_UUID_SIZE; ++i) snprintf(uuid + 2 * i, 3, "%02x", info->pipeline_cache_uuid[i]);
  int n = snprintf(out_path, cap, "%s/pipelines-%04x-%04x-%s-%08x.bin", base, info->vendor_id, info->device_id,
                   uuid, info->driver_version);
  return n > 0 && (size_t)n < cap;
}

bool vd_pipeline_cache_validate(const vd_device_info *info, const uint8_t *data, size_t size,
                                const uint8_t **out_payload, size_t *out_size) {
  vd_pcache_header h;
  if (size < sizeof(h)) return false;
  memcpy(&h, data, sizeof(h));
  if (memcmp(h.magic, VD_PCACHE_MAGIC, 8) != 0 || h.vendor_id != info->vendor_id ||
      h.device_id != info->device_id || h.driver_version != info->driver_version ||
      memcmp(h.uuid, info->pipeline_cache_uuid, VK_UUID_SIZE) != 0 || h.payload_size != size - sizeof(h))
    return false;
  const uint8_t *payload = data + sizeof(h);
  if (vd_fnv1a(payload, h.payload_size) != h.checksum) return false;
  // Vulkan's own header: length, version ONE, vendor, device, UUID.
  if (h.payload_size < 32 || vd_le32(payload) < 32 || vd_le32(payload) > h.payload_size ||
      vd_le32(payload + 4) != VK_PIPELINE_CACHE_HEADER_VERSION_ONE || vd_le32(payload + 8) != info->vendor_id ||
      vd_le32(payload + 12) != info->device_id || memcmp(payload + 16, info->pipeline_cache_uuid, VK_UUID_SIZE) != 0)
    return false;
  *out_payload = payload;
  *out_size = h.payload_size;
  return true;
}

static uint8_t *vd_read_file(const char *path, size_t *out_size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *data = NULL;
  struct stat sb;
  if (fstat(fileno(f), &sb) == 0 && sb.st_size > 0 && (uint64_t)sb.st_size <= VD_PCACHE_MAX_FILE) {
    data = malloc((size_t)sb.st_size);
    if (data && fread(data, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
      free(data);
      data = NULL;
    }
    *out_size = (size_t)sb.st_size;
  }
  fclose(f);
  return data;
}

vd_status vd_pipeline_cache_open(vd_context *ctx, bool enabled) {
  ctx->pipeline_cache_path[0] = '\0';
  const char *env = getenv("VLMD_PIPELINE_CACHE");
  if (env && strcmp(env, "0") == 0) enabled = false;
  size_t size = 0;
  uint8_t *data = NULL;
  const uint8_t *payload = NULL;
  size_t payload_size = 0;
  if (enabled && vd_pipeline_cache_path(ctx->info, ctx->pipeline_cache_path, sizeof(ctx->pipeline_cache_path))) {
    data = vd_read_file(ctx->pipeline_cache_path, &size);
    if (data && !vd_pipeline_cache_validate(ctx->info, data, size, &payload, &payload_size)) payload = NULL;
  }
  VkPipelineCacheCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO,
                                  .initialDataSize = payload ? payload_size : 0, .pInitialData = payload};
  VkResult r = ctx->vkd.vkCreatePipelineCache(ctx->device, &ci, NULL, &ctx->pipeline_cache);
  if (r < 0 && payload) {  // a driver that still refuses the data: start empty
    ci.initialDataSize = 0;
    ci.pInitialData = NULL;
    r = ctx->vkd.vkCreatePipelineCache(ctx->device, &ci, NULL, &ctx->pipeline_cache);
  }
  free(data);
  if (r < 0) {
    ctx->pipeline_cache = VK_NULL_HANDLE;
    return vd_vk_error(r, "vkCreatePipelineCache");
  }
  return NULL;
}

static int vd_mkdir_p(const char *dir) {
  char tmp[1024];
  snprintf(tmp, sizeof(tmp), "%s", dir);
  for (char *p = tmp + 1; *p; ++p) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  return (mkdir(tmp, 0755) == 0 || errno == EEXIST) ? 0 : -1;
}

static bool vd_write_cache_file(const char *path, const vd_pcache_header *h, const void *payload) {
  char dir[1024], tmp[1100];
  snprintf(dir, sizeof(dir), "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash) *slash = '\0';
  if (slash && vd_mkdir_p(dir) != 0) return false;
  snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  if (!f) return false;
  bool ok = fwrite(h, sizeof(*h), 1, f) == 1 && fwrite(payload, 1, h->payload_size, f) == h->payload_size;
  ok = (fclose(f) == 0) && ok;
  if (ok && rename(tmp, path) == 0) return true;
  remove(tmp);
  return false;
}

void vd_pipeline_cache_close(vd_context *ctx) {
  if (!ctx->pipeline_cache) return;
  size_t size = 0;
  void *data = NULL;
  if (ctx->pipeline_cache_path[0] &&
      ctx->vkd.vkGetPipelineCacheData(ctx->device, ctx->pipeline_cache, &size, NULL) == VK_SUCCESS && size &&
      (data = malloc(size)) &&
      ctx->vkd.vkGetPipelineCacheData(ctx->device, ctx->pipeline_cache, &size, data) == VK_SUCCESS) {
    vd_pcache_header h = {.vendor_id = ctx->info->vendor_id, .device_id = ctx->info->device_id,
                          .driver_version = ctx->info->driver_version, .payload_size = size,
                          .checksum = vd_fnv1a(data, size)};
    memcpy(h.magic, VD_PCACHE_MAGIC, 8);
    memcpy(h.uuid, ctx->info->pipeline_cache_uuid, VK_UUID_SIZE);
    if (!vd_write_cache_file(ctx->pipeline_cache_path, &h, data))
      fprintf(stderr, "vlmdiff: note: could not write the pipeline cache %s\n", ctx->pipeline_cache_path);
  }
  free(data);
  ctx->vkd.vkDestroyPipelineCache(ctx->device, ctx->pipeline_cache, NULL);
  ctx->pipeline_cache = VK_NULL_HANDLE;
}
