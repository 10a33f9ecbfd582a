// Reading the tensors of a forward call's --inputs file by name with shape and dtype checks that name
// the tensor, and collecting outputs for one safetensors file (written whole, then renamed).
#ifndef VD_APPS_TENSOR_FILE_H
#define VD_APPS_TENSOR_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include "formats/safetensors.h"

#define VD_OUT_MAX 8

// A tensor read from the inputs as float32 (any float or integer dtype converted) or int32.
typedef struct vd_host_array {
  int rank;           // dimensions
  int64_t shape[8];   // extents
  uint64_t count;     // elements
  float *f;           // float32 data (NULL when read as int32)
  int32_t *i;         // int32 data (NULL when read as float32)
} vd_host_array;

// NULL file or absent tensor: *found = false and no error when optional, else an error naming it.
vd_status vd_input_f32(const vd_safetensors *file, const char *name, bool optional, vd_host_array *out, bool *found);
// Integer tensors only (token ids); values must fit int32.
vd_status vd_input_i32(const vd_safetensors *file, const char *name, vd_host_array *out);
// Checks rank and the extents given (-1: any); the error names the tensor and both shapes.
vd_status vd_input_expect(const char *name, const vd_host_array *a, int rank, const int64_t *want);
void vd_host_array_free(vd_host_array *a);

typedef struct vd_outputs {
  uint32_t count;
  const char *names[VD_OUT_MAX];
  int ranks[VD_OUT_MAX];
  int64_t shapes[VD_OUT_MAX][8];
  const float *data[VD_OUT_MAX];  // borrowed until vd_outputs_write
} vd_outputs;

void vd_outputs_add(vd_outputs *o, const char *name, int rank, const int64_t *shape, const float *data);
// Writes every output as F32 to path (PATH.tmp, then rename): no half-written file on failure.
vd_status vd_outputs_write(const vd_outputs *o, const char *path);

#endif
