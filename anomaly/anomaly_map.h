// The anomaly map and the image score as one graph (spec vlmdiff-pipeline §1.7 items 4–7, §6.2, quirks
// 19–21), reproducing the reference's arithmetic:
//   per level i:  a_i = 1 - cosine_similarity(features_a.i, features_b.i)      (float32, PyTorch's order)
//                 up_i = bilinear(a_i, H x W, align_corners=True)             (float32, PyTorch's kernel)
//   sum = ((0 + up_0) + up_1) + ...                                            (float64)
//   map = gaussian_filter(sum, sigma 5, truncate 4, reflect), axis 0 then 1   (float64, SciPy's order)
//   score = max(avg_pool2d^8(map, 8, stride 1))                               (float64, PyTorch's order)
// The float64 stages are IEEE double where the device has shaderFloat64 and double-float elsewhere
// (vd_wide, graph/op_amap.h). Each image is independent (the reference runs one at a time).
#ifndef VD_ANOMALY_ANOMALY_MAP_H
#define VD_ANOMALY_ANOMALY_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/build_amap.h"

#define VD_AMAP_MAX_LEVELS 8   // feature levels one map sums (DINO: 1, ResNet-50: 3)
#define VD_AMAP_SIGMA 5.0      // gaussian_filter sigma
#define VD_AMAP_TRUNCATE 4.0   // SciPy's default truncate: radius 20
#define VD_AMAP_POOL_K 8       // avg_pool2d kernel of the image score
#define VD_AMAP_POOLS 8        // how many times it is applied
#define VD_AMAP_MIN_SCORED (VD_AMAP_POOLS * (VD_AMAP_POOL_K - 1) + 1)  // 57: smallest side the score takes

typedef struct vd_amap_level {
  uint32_t c, h, w;  // channels and feature-map size of one level
} vd_amap_level;

typedef struct vd_amap_shape {
  uint32_t n;                                // images
  uint32_t h, w;                             // image (map) size
  uint32_t level_count;                      // feature levels, 1..VD_AMAP_MAX_LEVELS
  vd_amap_level levels[VD_AMAP_MAX_LEVELS];  // each level's shape (features_a.i and features_b.i)
} vd_amap_shape;

// Checks a shape: levels present and non-empty, image non-empty; the error names the offending part.
vd_status vd_amap_shape_check(const vd_amap_shape *s);
// Whether the image score is defined: both sides >= 57 (PyTorch's avg_pool2d refuses smaller inputs).
bool vd_amap_scored(const vd_amap_shape *s);

// Builds the whole graph: inputs "features_a.<i>", "features_b.<i>" [N, C_i, h_i, w_i] (the graph's float
// dtype); outputs "map" fp32 [N, H, W], "map_f64" wide [N, H, W] and, when scored, "score" wide [N].
vd_status vd_amap_build(vd_graph *g, const vd_amap_shape *s, vd_wide wide);
// The float64 tail alone, from a wide [N, H, W] sum: the blur and (when both sides are >= 57) the score,
// with the outputs above. For tests of the float64 stages on reference inputs.
vd_status vd_amap_build_tail(vd_graph *g, vd_tensor_id sum);

#endif
