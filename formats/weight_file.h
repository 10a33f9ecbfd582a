// formats/ — weight files and configs as host data: safetensors (read and write, sharded sets), the zip
// reader, the non-executing pickle interpreter, PyTorch checkpoints, ldm YAML and JSON configs with the
// networks' hyper-parameter structs, the weight store and its report, dtype conversion. Host code: uses no
// GPU code, only runtime/status.h and runtime/half.h. This header is its entry point.
//
// One interface over every weight format: a safetensors file, a sharded safetensors set (its
// *.safetensors.index.json), or a PyTorch zip checkpoint (.ckpt/.pth/.pt). The format is recognised
// from the content, not the name: a safetensors header first (its length, whose first byte may be any
// value, and a JSON object), then the zip signature, then an index JSON. A shard index's weight_map must
// list every tensor of its shards, each under the shard that stores it. Tensors point into read-only
// mappings of the files.
#ifndef VD_FORMATS_WEIGHT_FILE_H
#define VD_FORMATS_WEIGHT_FILE_H

#include <stddef.h>

#include "formats/weight_tensor.h"

#define VD_WEIGHT_FILE_MAX_SHARDS 256         // shards of one sharded set
#define VD_WEIGHT_INDEX_MAX_BYTES (64u << 20)  // size of an index JSON

typedef enum vd_weight_format {
  VD_WEIGHT_FORMAT_SAFETENSORS = 0,  // one .safetensors file
  VD_WEIGHT_FORMAT_SAFETENSORS_SHARDED,  // index JSON + shards
  VD_WEIGHT_FORMAT_TORCH_ZIP,        // torch.save zip archive
} vd_weight_format;

typedef struct vd_weight_file vd_weight_file;

vd_status vd_weight_file_open(const char *path, vd_weight_file **out_file);
void vd_weight_file_destroy(vd_weight_file *file);

const char *vd_weight_file_path(const vd_weight_file *file);
vd_weight_format vd_weight_file_format(const vd_weight_file *file);
const char *vd_weight_format_name(vd_weight_format format);
size_t vd_weight_file_count(const vd_weight_file *file);
// Tensors in file order (for shards: shard order, then file order).
const vd_weight_tensor *vd_weight_file_tensor(const vd_weight_file *file, size_t index);
// NULL when absent.
const vd_weight_tensor *vd_weight_file_find(const vd_weight_file *file, const char *name);
// Sum of the dense sizes of all tensors in their stored types.
uint64_t vd_weight_file_total_bytes(const vd_weight_file *file);
// Lets the kernel drop the pages of a tensor that has been consumed (keeps RSS bounded on big files).
void vd_weight_file_release(const vd_weight_file *file, const vd_weight_tensor *tensor);

#endif
