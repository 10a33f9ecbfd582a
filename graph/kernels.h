// A cache of compute pipelines keyed by their full description (shader, precision, specialization
// constants, bindings, push size), so ops ask for a pipeline per dispatch and it is built only once.
#ifndef VD_GRAPH_KERNELS_H
#define VD_GRAPH_KERNELS_H

#include "runtime/cmd.h"
#include "runtime/context.h"
#include "runtime/pipeline.h"

typedef struct vd_kernels vd_kernels;

vd_status vd_kernels_create(vd_context *ctx, vd_kernels **out_kernels);
void vd_kernels_destroy(vd_kernels *kernels);
vd_context *vd_kernels_context(const vd_kernels *kernels);
// Returns the cached pipeline for desc, building it on first use. The pipeline lives as long as kernels.
vd_status vd_kernels_get(vd_kernels *kernels, const vd_pipeline_desc *desc, const vd_pipeline **out_pipeline);
// Number of distinct pipelines built so far.
uint32_t vd_kernels_count(const vd_kernels *kernels);

#endif
