// The accumulator's state per class, shared by the exact store (metric_exact.c), the streaming counts
// (metric_stream.c) and the accumulator (metrics.c). Internal to anomaly/.
#ifndef VD_ANOMALY_METRIC_CLASS_H
#define VD_ANOMALY_METRIC_CLASS_H

#include "anomaly/metric_pro.h"
#include "anomaly/metrics.h"

typedef struct vd_metric_stored {
  double *values;      // positives grouped by region (vd_metric_split layout), then negatives
  uint32_t *areas;     // pixels of each region
  uint32_t positives;  // anomalous pixels (the first values)
  uint32_t regions;    // entries of areas
} vd_metric_stored;

typedef struct vd_metric_stream {
  vd_pro_thresholds thresholds;  // AU-PRO thresholds from the first pass's range
  vd_pro_counts pro;             // exact AU-PRO counts
  uint32_t bins;                 // score histogram bins
  double lo;                     // score at the bottom of bin 0 (the class minimum)
  double scale;                  // bins per score unit
  uint64_t *pos_bins;            // anomalous pixels per bin
  uint64_t *neg_bins;            // normal pixels per bin
  double *bin_value;             // the first score that fell into each bin
  uint8_t *bin_mixed;            // bit per bin: a second, different score fell into it
  uint64_t images;               // images of the second pass
  uint64_t anomalous_pixels;     // anomalous pixels of the second pass
} vd_metric_stream;

typedef struct vd_metric_class {
  char name[VD_METRICS_MAX_NAME];  // class name
  uint32_t height;                 // map rows of every image of the class
  uint32_t width;                  // map columns
  size_t images;                   // images added (first pass)
  size_t capacity;                 // entries allocated in the per-image arrays
  double *image_score;             // [images]: pooled image scores
  uint8_t *image_label;            // [images]: 1 when the mask has an anomalous pixel
  vd_metric_stored *stored;        // [images]: exact mode's pixels (NULL in streaming)
  double min;                      // smallest pixel score
  double max;                      // largest pixel score
  uint64_t anomalous_pixels;       // mask pixels > 0
  uint64_t anomalous_images;       // images with label 1
  uint64_t regions;                // regions (exact: counted when stored; streaming: second pass)
  vd_metric_stream *stream;        // streaming counts (second pass)
} vd_metric_class;

// Per-image scratch of the accumulator, sized for the largest map seen.
typedef struct vd_metric_scratch {
  size_t capacity;   // pixels each buffer holds
  double *map;       // the map as doubles
  double *work;      // pooling buffer
  double *split;     // vd_metric_split output
  uint32_t *labels;  // component labels
  uint32_t *parent;  // union-find parents, then group cursors (capacity + 1)
  uint32_t *areas;   // region areas
} vd_metric_scratch;

// Writes the pixels with label > 0 grouped by region into s->split, the others after them in raster
// order, and the region areas into s->areas. Returns the number of regions; *out_positives the
// anomalous pixels.
uint32_t vd_metric_split(vd_metric_scratch *s, const uint8_t *mask, uint32_t h, uint32_t w,
                         uint32_t *out_positives);

// Exact mode: keeps s->split of an image (after vd_metric_split); adds its bytes to *bytes.
vd_status vd_metric_store(vd_metric_class *c, const vd_metric_scratch *s, uint32_t regions, uint32_t positives,
                          uint64_t *bytes);
void vd_metric_stored_free(vd_metric_class *c);
// Exact mode: the pixel metrics and AU-PRO of a class (frees its stored pixels as it goes).
vd_status vd_metric_exact_finish(vd_metric_class *c, const vd_metrics_options *o, vd_metrics_class *out);

// Streaming: allocates the counts from the first pass's range.
vd_status vd_metric_stream_begin(vd_metric_class *c, const vd_metrics_options *o);
// Streaming second pass: counts one image (after vd_metric_split, s->map holding its scores).
void vd_metric_stream_add(vd_metric_class *c, const vd_metric_scratch *s, const uint8_t *mask, uint32_t regions,
                          uint32_t positives);
void vd_metric_stream_free(vd_metric_class *c);
vd_status vd_metric_stream_finish(vd_metric_class *c, const vd_metrics_options *o, vd_metrics_class *out);

#endif
