#version 450
// Float64 variant of common/blur_wide_body.glsl.
#define VD_WIDE_DF64 0
#include "blur_wide_body.glsl"
