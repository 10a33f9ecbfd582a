// Graph builders of the anomaly map's ops (graph/op_amap.h), one per op, in the style of graph/build.h:
// the node is "<scope>.<name>", shapes are checked here and the first error stays in the graph. Wide
// tensors are F64 or DF64 (graph/graph.h); which one a builder makes follows vd_wide.
#ifndef VD_GRAPH_BUILD_AMAP_H
#define VD_GRAPH_BUILD_AMAP_H

#include "graph/graph.h"
#include "graph/op_amap.h"

vd_dtype vd_wide_dtype(vd_wide wide);  // VD_DTYPE_F64 or VD_DTYPE_DF64

// 1 - cos over channels of a and b [N, C, h, w] (the graph's float dtype) -> fp32 [N, h, w].
vd_tensor_id vd_b_amap_cosine(vd_graph *g, const char *name, vd_tensor_id a, vd_tensor_id b);
// (prev, or 0 when prev is VD_NO_TENSOR) + the fp32 map [N, h, w] up-sampled to [N, oh, ow]
// (align_corners=True) -> wide [N, oh, ow]; prev must be wide of that shape.
vd_tensor_id vd_b_amap_upsample_add(vd_graph *g, const char *name, vd_wide wide, vd_tensor_id level,
                                    vd_tensor_id prev, uint32_t oh, uint32_t ow);
// SciPy's gaussian_filter(sigma, truncate) of a wide [N, H, W] -> wide [N, H, W]; *out_map (optional)
// receives the same values as fp32.
vd_tensor_id vd_b_blur_wide(vd_graph *g, const char *name, vd_tensor_id x, double sigma, double truncate,
                            vd_tensor_id *out_map);
// k x k stride-1 valid average pooling of a wide [N, h, w] -> [N, h-k+1, w-k+1] (k a power of two).
vd_tensor_id vd_b_avgpool_wide(vd_graph *g, const char *name, vd_tensor_id x, uint32_t k);
// Max over all but the first axis of a wide [N, ...] -> wide [N].
vd_tensor_id vd_b_max_wide(vd_graph *g, const char *name, vd_tensor_id x);

#endif
