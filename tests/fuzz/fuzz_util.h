// Shared by the fuzz targets: converts every small tensor so the strided gather and dtype code run too.
#ifndef VD_TESTS_FUZZ_UTIL_H
#define VD_TESTS_FUZZ_UTIL_H

#include <stdlib.h>

#include "formats/weight_convert.h"

#define VD_FUZZ_MAX_TENSOR_BYTES (1u << 20)

static inline void vd_fuzz_convert(const vd_weight_tensor *t) {
  for (int target = VD_WEIGHT_F32; target <= VD_WEIGHT_F16; ++target) {
    vd_weight_dtype out = vd_weight_convert_dtype(t->dtype, (vd_weight_dtype)target);
    uint64_t bytes = t->numel * vd_weight_dtype_size(out);
    if (bytes > VD_FUZZ_MAX_TENSOR_BYTES) return;
    void *buf = malloc(bytes ? (size_t)bytes : 1);
    if (!buf) return;
    vd_status_free(vd_weight_convert(t, (vd_weight_dtype)target, buf, bytes));
    free(buf);
  }
}

#endif
