// A tensor as stored in a weight file: element type, shape, strides and a pointer into the file's
// read-only mapping. Shared by the safetensors and PyTorch-checkpoint readers and the weight store.
#ifndef VD_FORMATS_WEIGHT_TENSOR_H
#define VD_FORMATS_WEIGHT_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/status.h"

#define VD_WEIGHT_MAX_RANK 8                      // highest rank accepted from any file
#define VD_WEIGHT_MAX_ELEMENTS (1ull << 40)       // sanity bound on the element count of one tensor

typedef enum vd_weight_dtype {
  VD_WEIGHT_F32 = 0,
  VD_WEIGHT_F16,
  VD_WEIGHT_BF16,
  VD_WEIGHT_F64,
  VD_WEIGHT_I64,
  VD_WEIGHT_I32,
  VD_WEIGHT_I16,
  VD_WEIGHT_I8,
  VD_WEIGHT_U8,
  VD_WEIGHT_BOOL,
  VD_WEIGHT_DTYPE_COUNT,
} vd_weight_dtype;

typedef struct vd_weight_tensor {
  const char *name;                    // NUL-terminated, owned by the file object
  vd_weight_dtype dtype;               // element type
  int rank;                            // number of dimensions, 0..VD_WEIGHT_MAX_RANK
  int64_t shape[VD_WEIGHT_MAX_RANK];   // extent of each dimension
  int64_t stride[VD_WEIGHT_MAX_RANK];  // step of each dimension, in elements
  bool contiguous;                     // row-major dense: data holds numel elements in order
  uint64_t numel;                      // product of shape (1 for rank 0)
  uint64_t span_bytes;                 // bytes from data to the end of the last element reached
  const uint8_t *data;                 // first element (may be unaligned); inside the mapping
  uint64_t file_offset;                // offset of data in its file (for release/prefetch)
  int source;                          // which file of a sharded set holds it (0 otherwise)
} vd_weight_tensor;

// "F32", "F16", ... as safetensors spells them.
const char *vd_weight_dtype_name(vd_weight_dtype dtype);
// Parses a safetensors dtype name; false when unknown.
bool vd_weight_dtype_parse(const char *name, vd_weight_dtype *out_dtype);
size_t vd_weight_dtype_size(vd_weight_dtype dtype);
bool vd_weight_dtype_is_float(vd_weight_dtype dtype);

// Formats a shape as "(1280, 320)" into buf (always NUL-terminated); returns buf.
const char *vd_weight_shape_format(int rank, const int64_t *shape, char *buf, size_t buf_size);
// numel * element size of a contiguous copy.
uint64_t vd_weight_tensor_bytes(const vd_weight_tensor *t);

// Fills contiguous, numel and span_bytes from dtype/rank/shape/stride, checking every product for
// overflow. `what` names the tensor in errors.
vd_status vd_weight_tensor_layout(vd_weight_tensor *t, const char *what);
// Writes row-major strides of t's shape into t->stride.
void vd_weight_tensor_set_dense_strides(vd_weight_tensor *t);

#endif
