#version 450
// Double-float variant of common/blur_wide_body.glsl.
#define VD_WIDE_DF64 1
#include "blur_wide_body.glsl"
