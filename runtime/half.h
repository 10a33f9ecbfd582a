// IEEE half <-> float conversions on the host (round to nearest even; NaN and infinities kept).
#ifndef VD_RUNTIME_HALF_H
#define VD_RUNTIME_HALF_H

#include <stddef.h>
#include <stdint.h>

uint16_t vd_f32_to_f16(float f);
float vd_f16_to_f32(uint16_t h);
void vd_f32_to_f16_array(const float *src, uint16_t *dst, size_t n);
void vd_f16_to_f32_array(const uint16_t *src, float *dst, size_t n);

#endif
