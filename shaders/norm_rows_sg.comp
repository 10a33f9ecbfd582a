#version 450
// Row normalisations and softmax with subgroup arithmetic reductions.
#define VD_SUBGROUP 1
#include "norm_rows_body.glsl"
