// Element-type conversion and strided gather: turns any tensor of a weight file into a dense row-major
// buffer of the precision a run uses (f32 or f16 from f32/f16/bf16/f64; integers are copied as-is).
#ifndef VD_FORMATS_WEIGHT_CONVERT_H
#define VD_FORMATS_WEIGHT_CONVERT_H

#include <stdint.h>

#include "formats/weight_tensor.h"
#include "runtime/half.h"  // vd_f32_to_f16 / vd_f16_to_f32

float vd_bf16_to_f32(uint16_t b);

// The element type tensor t becomes when a run asks for `target` (F32, F16, or the source type itself
// for a plain dense copy): floats become target, integers and bools keep their type.
vd_weight_dtype vd_weight_convert_dtype(vd_weight_dtype source, vd_weight_dtype target);

// Writes t as a dense row-major array of dtype vd_weight_convert_dtype(t->dtype, target) into dst, which
// must hold exactly numel * that size bytes (dst_bytes is checked). Handles non-contiguous strides.
vd_status vd_weight_convert(const vd_weight_tensor *t, vd_weight_dtype target, void *dst, uint64_t dst_bytes);

#endif
