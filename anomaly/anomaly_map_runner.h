// The anomaly map ready to run (anomaly/anomaly_map.h): one recorded graph per shape (levels, batch,
// image size), built on first use and replayed afterwards. Host data in, host data out; the detect and
// eval commands and `vlmdiff forward --net anomaly-map` call it.
#ifndef VD_ANOMALY_ANOMALY_MAP_RUNNER_H
#define VD_ANOMALY_ANOMALY_MAP_RUNNER_H

#include "anomaly/anomaly_map.h"
#include "graph/exec.h"

#define VD_AMAP_CACHE_SIZE 8  // recorded shapes kept; the oldest is evicted

typedef enum vd_amap_wide_choice {
  VD_AMAP_WIDE_AUTO = 0,  // float64 where the device policy has fp64, else double-float
  VD_AMAP_WIDE_F64,       // float64 (fails on devices without it)
  VD_AMAP_WIDE_DF64,      // double-float everywhere
} vd_amap_wide_choice;

typedef struct vd_amap_options {
  vd_precision precision;    // storage of the features on the device (fp32 is the parity mode)
  vd_amap_wide_choice wide;  // representation of the float64 stages
} vd_amap_options;

typedef struct vd_amap_runner vd_amap_runner;

vd_status vd_amap_runner_create(vd_context *ctx, const vd_amap_options *options, vd_amap_runner **out_runner);
void vd_amap_runner_destroy(vd_amap_runner *runner);
// The representation the runner's graphs use.
vd_wide vd_amap_runner_wide(const vd_amap_runner *runner);

// features_a[i], features_b[i]: float32 [N, C_i, h_i, w_i] (level i of shape); map: N*H*W floats (the
// smoothed map rounded to float32); score: N doubles, from the float64 map (NaN when a side of the image is
// below 57, where the reference's avg_pool2d refuses to run). score may be NULL.
vd_status vd_amap_run(vd_amap_runner *runner, const vd_amap_shape *shape, const float *const *features_a,
                      const float *const *features_b, float *map, double *score);
// The executor of the last vd_amap_run (its tensors stay readable until the next run), for tests and dumps.
vd_exec *vd_amap_runner_last(vd_amap_runner *runner);

#endif
