// The seven metrics of the reference evaluation (utils/eval_helper.py, spec §6.2) and their mean (mAD),
// per class and as the unweighted mean over classes.
//
// Usage: create an accumulator, feed it every test image (its anomaly map, float32 or float64 H×W, its
// ground-truth mask, uint8 H×W, > 0 = anomalous, and its class name) in any order, end the pass, and
// finish:
//
//     vd_metrics_acc *acc;  vd_metrics_acc_create(NULL, &acc);
//     bool again;
//     do {
//       for (each image) vd_metrics_acc_add(acc, &image);
//       vd_metrics_acc_end_pass(acc, &again);
//     } while (again);                        // only the streaming mode asks for a second pass
//     vd_metrics_result *r;  vd_metrics_acc_finish(acc, &r);  ...  vd_metrics_result_destroy(r);
//
// Modes. EXACT keeps every pixel (8 bytes each), sorts each class once and computes the metrics exactly
// (equal to scikit-learn / scikit-image up to float rounding); one pass. STREAMING keeps a fixed amount
// of memory per class: pass 1 finds each class's score range (the AU-PRO thresholds need it), pass 2
// counts pixels into a score histogram (pixel AUROC/AP/F1, with a computed error bound reported in
// `bound`) and counts AU-PRO overlaps exactly per threshold. The image metrics are exact in both modes
// (16 bytes per image). AUTO (the default) starts exact and turns to streaming when the stored pixels
// would exceed the memory budget (or from the start when expected_pixels says they will); it then asks
// for a second pass, so a caller that cannot feed the maps twice must choose EXACT.
//
// Conventions (spec §6.2, resolved against Debian's scikit-learn 1.2 / scikit-image 0.19 / NumPy 1.24;
// details in anomaly/README.md): pixel label = mask > 0, image label = any mask pixel > 0; image score =
// max after eight 8×8 stride-1 valid average pools (fp64); AUROC = trapezoid under the tie-grouped ROC,
// reported as 1 − AUROC when below 0.5; AP = Σ ΔR·P over distinct thresholds; F1-max over the
// precision-recall points plus (P = 1, R = 0); AU-PRO: thresholds NumPy arange(min, max, (max − min)/200),
// P > th, 8-connected regions, region-weighted overlap, FPR over all normal pixels, FPR < 0.3 kept and
// divided by the largest kept FPR, trapezoid. Undefined values are NaN, as in the reference: AUROC of a
// class with one image label only (AP and F1 are then what scikit-learn returns: 0 with no positives, 1
// with no negatives), AU-PRO without regions, without normal pixels, of a constant class, with fewer than
// two kept thresholds or a largest kept FPR of 0. A NaN makes that class's mAD and the mean over classes
// NaN (np.mean).
#ifndef VD_ANOMALY_METRICS_H
#define VD_ANOMALY_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/status.h"

#define VD_METRICS_MAX_CLASSES 1024                // classes one accumulator holds
#define VD_METRICS_MAX_NAME 128                    // bytes of a class name, NUL included
#define VD_METRICS_MAX_SIDE 16384                  // largest map height or width
#define VD_METRICS_DEFAULT_BUDGET (1536ull << 20)  // AUTO: stored pixel bytes before streaming
#define VD_METRICS_DEFAULT_BINS (1u << 18)         // STREAMING: score histogram bins per class
#define VD_METRICS_DEFAULT_PRO_STEPS 200           // AU-PRO: (max − min) / steps is the threshold step
#define VD_METRICS_DEFAULT_PRO_FPR 0.3             // AU-PRO: integration limit (strict <)

typedef enum vd_metrics_mode {
  VD_METRICS_AUTO = 0,   // exact until the memory budget is reached, then streaming
  VD_METRICS_EXACT,      // every pixel stored; one pass; exact
  VD_METRICS_STREAMING,  // fixed memory per class; two passes; pixel AUROC/AP/F1 binned with a bound
} vd_metrics_mode;

typedef enum vd_metric {
  VD_METRIC_IMAGE_AUROC,  // reference "max"
  VD_METRIC_IMAGE_AP,     // reference "apsp"
  VD_METRIC_IMAGE_F1,     // reference "f1sp"
  VD_METRIC_PIXEL_AUROC,  // reference "pixel"
  VD_METRIC_PIXEL_AP,     // reference "appx"
  VD_METRIC_PIXEL_F1,     // reference "f1px"
  VD_METRIC_PIXEL_AUPRO,  // reference "pro"
  VD_METRIC_MAD,          // mean of the seven above
  VD_METRIC_COUNT
} vd_metric;

typedef enum vd_map_dtype {
  VD_MAP_F32,  // float
  VD_MAP_F64,  // double (what the reference's Gaussian filter produces)
} vd_map_dtype;

typedef struct vd_metrics_options {
  vd_metrics_mode mode;    // see above; AUTO when zero-initialised
  uint64_t memory_budget;  // AUTO: bytes of stored pixels before streaming (0: VD_METRICS_DEFAULT_BUDGET)
  uint64_t
      expected_pixels;      // AUTO: pixels that will be fed, if known (0: unknown); over budget: stream at once
  uint32_t histogram_bins;  // STREAMING: bins per class and label (0: VD_METRICS_DEFAULT_BINS)
  uint32_t pro_steps;       // AU-PRO threshold steps (0: VD_METRICS_DEFAULT_PRO_STEPS)
  double pro_fpr_limit;     // AU-PRO FPR limit (0: VD_METRICS_DEFAULT_PRO_FPR)
} vd_metrics_options;

typedef struct vd_metrics_image {
  const char *class_name;  // the class (clsname); metrics are per class
  const char *image_name;  // names the image in error messages (may be NULL)
  const void *map;         // anomaly map, row-major, map_height × map_width of map_dtype
  vd_map_dtype map_dtype;  // element type of map
  uint32_t map_height;     // rows of map (≥ 57: eight 8×8 pools must leave one pixel)
  uint32_t map_width;      // columns of map (≥ 57)
  const uint8_t *mask;     // ground truth, row-major, mask_height × mask_width; > 0 is anomalous
  uint32_t mask_height;    // rows of mask (must equal map_height)
  uint32_t mask_width;     // columns of mask (must equal map_width)
} vd_metrics_image;

typedef struct vd_metrics_class {
  char name[VD_METRICS_MAX_NAME];  // class name
  double value[VD_METRIC_COUNT];   // the eight numbers, indexed by vd_metric (NaN where undefined)
  double bound[VD_METRIC_COUNT];   // largest possible |value − exact value| (0 when exact)
  uint64_t images;                 // images of the class
  uint64_t anomalous_images;       // images with any mask pixel > 0
  uint64_t pixels;                 // pixels of all its maps
  uint64_t anomalous_pixels;       // mask pixels > 0
  uint64_t regions;                // 8-connected ground-truth regions of all its masks
  uint32_t pro_thresholds;         // AU-PRO thresholds (NumPy arange length: 200 or 201; 0 if none)
  uint32_t pro_kept;               // thresholds with FPR below the limit
} vd_metrics_class;

typedef struct vd_metrics_result {
  vd_metrics_mode mode;                // EXACT or STREAMING: the mode that computed it
  size_t class_count;                  // classes, in order of first appearance
  vd_metrics_class *classes;           // class_count entries
  double mean[VD_METRIC_COUNT];        // unweighted mean over classes (NaN if any class is NaN)
  double mean_bound[VD_METRIC_COUNT];  // mean of the classes' bounds
} vd_metrics_result;

typedef struct vd_metrics_acc vd_metrics_acc;

// options may be NULL (all defaults).
vd_status vd_metrics_acc_create(const vd_metrics_options *options, vd_metrics_acc **out_acc);
void vd_metrics_acc_destroy(vd_metrics_acc *acc);
// Adds one image. Errors (nothing is added): NULL pointers, map and mask sizes that differ, a size other
// than the class's first image's, a side below 57 or above the limit, a NaN or infinite map value (the
// message names the image, row and column), an empty or too long class name, too many classes; in the
// second pass, a class or a value outside what the first pass saw.
vd_status vd_metrics_acc_add(vd_metrics_acc *acc, const vd_metrics_image *image);
// Ends a pass over the images; *out_again is true when the same images must be fed once more (streaming).
// After the second pass it checks that it saw the same images (counts per class, anomalous pixels).
vd_status vd_metrics_acc_end_pass(vd_metrics_acc *acc, bool *out_again);
// The mode in use now (AUTO resolves to EXACT or STREAMING).
vd_metrics_mode vd_metrics_acc_mode(const vd_metrics_acc *acc);
// Computes the metrics. In exact mode it may be called without end_pass. The accumulator accepts
// nothing afterwards (destroy it).
vd_status vd_metrics_acc_finish(vd_metrics_acc *acc, vd_metrics_result **out_result);
void vd_metrics_result_destroy(vd_metrics_result *result);

// "image_auroc", … "mad"; and the reference's evaluator names ("max", "apsp", "f1sp", "pixel", "appx",
// "f1px", "pro", "mad").
const char *vd_metric_name(vd_metric metric);
const char *vd_metric_reference_name(vd_metric metric);

#endif
