// NumPy .npy files (format versions 1.0, 2.0 and 3.0) holding float32 or float64 arrays, little-endian
// and C order: the raw anomaly maps (float64 256 x 256, as the reference's pred) and tensors such as
// 1 x 256 x 256 or 3 x 256 x 256 float32. Reading checks everything: magic, version, header size and
// syntax (the Python dict literal numpy writes: 'descr', 'fortran_order', 'shape' and nothing else), the
// dtype ('<f4' / '<f8'; big-endian, other types and structured dtypes are errors that say so), Fortran
// order (refused), the shape (rank <= VD_NPY_MAX_RANK, no overflow) and that the data is exactly what
// the shape needs (truncated files and trailing bytes are errors). Writing produces np.save's exact bytes
// (version 1.0 header, 64-byte aligned data) atomically. The host is assumed little-endian.
#ifndef VD_ANOMALY_NPY_H
#define VD_ANOMALY_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/status.h"

#define VD_NPY_MAX_RANK 8
#define VD_NPY_MAX_HEADER 65536           // header bytes accepted (numpy itself writes about 120)
#define VD_NPY_MAX_DIM (1ll << 40)        // largest extent accepted

typedef enum vd_npy_dtype {
  VD_NPY_F32 = 1,  // '<f4'
  VD_NPY_F64 = 2,  // '<f8'
} vd_npy_dtype;

typedef struct vd_npy_array {
  vd_npy_dtype dtype;              // element type
  int rank;                        // dimensions (0: a scalar of one element)
  int64_t shape[VD_NPY_MAX_RANK];  // extents, C order
  size_t count;                    // elements: the product of the extents
  void *data;                      // count elements, owned (vd_npy_free); NULL when count is 0
} vd_npy_array;

// Bytes of one element.
size_t vd_npy_dtype_size(vd_npy_dtype dtype);

// Parses a whole .npy file held in memory (name labels errors); copies the data out.
vd_status vd_npy_parse(const uint8_t *data, size_t size, const char *name, vd_npy_array *out_array);
vd_status vd_npy_read(const char *path, vd_npy_array *out_array);
void vd_npy_free(vd_npy_array *array);

// np.save's header for the array (magic, version 1.0, length, padded dict) into a malloc'ed buffer.
vd_status vd_npy_header(vd_npy_dtype dtype, int rank, const int64_t *shape, uint8_t **out_header,
                        size_t *out_size);
// Writes data (the product of shape elements of dtype) as path, atomically.
vd_status vd_npy_write(const char *path, vd_npy_dtype dtype, int rank, const int64_t *shape, const void *data);

#endif
