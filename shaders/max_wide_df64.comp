#version 450
// Double-float variant of common/max_wide_body.glsl.
#define VD_WIDE_DF64 1
#include "max_wide_body.glsl"
