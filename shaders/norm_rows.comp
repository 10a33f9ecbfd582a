#version 450
// Row normalisations and softmax with shared-memory reductions (the portable fallback).
#define VD_SUBGROUP 0
#include "norm_rows_body.glsl"
