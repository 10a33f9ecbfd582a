#include "anomaly/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly/metric_class.h"
#include "anomaly/metric_curves.h"
#include "anomaly/metric_score.h"
#include "anomaly/metric_sort.h"

typedef enum vd_metrics_phase {
  VD_METRICS_FIRST_PASS,   // images arrive the first time
  VD_METRICS_SECOND_PASS,  // streaming: the same images again
  VD_METRICS_FED,          // every pass ended; finish may run
  VD_METRICS_FINISHED,     // finish ran; nothing more is accepted
} vd_metrics_phase;

struct vd_metrics_acc {
  vd_metrics_options options;                        // with defaults filled in
  vd_metrics_mode mode;                              // EXACT or STREAMING (AUTO resolved)
  bool automatic;                                    // AUTO: may still turn to streaming
  vd_metrics_phase phase;                            // where in the protocol it is
  uint64_t stored_bytes;                             // exact mode: bytes of stored pixels
  size_t class_count;                                // classes seen
  vd_metric_class *classes[VD_METRICS_MAX_CLASSES];  // in order of first appearance
  vd_metric_scratch scratch;                         // per-image buffers
  uint64_t added;                                    // images added in this pass (names unnamed images)
};

static const char *const vd_metric_names[VD_METRIC_COUNT] = {
    "image_auroc", "image_ap", "image_f1", "pixel_auroc", "pixel_ap", "pixel_f1", "pixel_aupro", "mad"};
static const char *const vd_metric_ref_names[VD_METRIC_COUNT] = {"max",  "apsp", "f1sp", "pixel",
                                                                 "appx", "f1px", "pro",  "mad"};

const char *vd_metric_name(vd_metric metric) {
  return (unsigned)metric < VD_METRIC_COUNT ? vd_metric_names[metric] : "unknown";
}

const char *vd_metric_reference_name(vd_metric metric) {
  return (unsigned)metric < VD_METRIC_COUNT ? vd_metric_ref_names[metric] : "unknown";
}

// ---- creation ---------------------------------------------------------------------------------------

vd_status vd_metrics_acc_create(const vd_metrics_options *options, vd_metrics_acc **out_acc) {
  *out_acc = NULL;
  vd_metrics_options o = {0};
  if (options) o = *options;
  if ((unsigned)o.mode > VD_METRICS_STREAMING)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "metrics: unknown mode %d", (int)o.mode);
  if (!(o.pro_fpr_limit >= 0.0 && o.pro_fpr_limit <= 1.0))
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "metrics: AU-PRO FPR limit %g is not in [0, 1]",
                          o.pro_fpr_limit);
  if (!o.memory_budget) o.memory_budget = VD_METRICS_DEFAULT_BUDGET;
  if (!o.histogram_bins) o.histogram_bins = VD_METRICS_DEFAULT_BINS;
  if (!o.pro_steps) o.pro_steps = VD_METRICS_DEFAULT_PRO_STEPS;
  if (o.pro_fpr_limit == 0.0) o.pro_fpr_limit = VD_METRICS_DEFAULT_PRO_FPR;
  vd_metrics_acc *acc = calloc(1, sizeof(*acc));
  if (!acc) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "metrics: accumulator");
  acc->options = o;
  acc->automatic = o.mode == VD_METRICS_AUTO;
  acc->mode = o.mode == VD_METRICS_STREAMING ? VD_METRICS_STREAMING : VD_METRICS_EXACT;
  if (acc->automatic && o.expected_pixels > o.memory_budget / sizeof(double)) {
    acc->mode = VD_METRICS_STREAMING;
    acc->automatic = false;
  }
  *out_acc = acc;
  return NULL;
}

static void vd_metric_scratch_free(vd_metric_scratch *s) {
  free(s->map);
  free(s->work);
  free(s->split);
  free(s->labels);
  free(s->parent);
  free(s->areas);
  memset(s, 0, sizeof(*s));
}

static void vd_metric_class_free(vd_metric_class *c) {
  if (!c) return;
  vd_metric_stored_free(c);
  vd_metric_stream_free(c);
  free(c->image_score);
  free(c->image_label);
  free(c);
}

void vd_metrics_acc_destroy(vd_metrics_acc *acc) {
  if (!acc) return;
  for (size_t i = 0; i < acc->class_count; ++i) vd_metric_class_free(acc->classes[i]);
  vd_metric_scratch_free(&acc->scratch);
  free(acc);
}

vd_metrics_mode vd_metrics_acc_mode(const vd_metrics_acc *acc) { return acc->mode; }

// ---- validation -------------------------------------------------------------------------------------

// "image NAME" or "image #k" for messages.
static const char *vd_image_label(const vd_metrics_acc *acc, const vd_metrics_image *im, char *buf,
                                  size_t size) {
  if (im->image_name && im->image_name[0]) return im->image_name;
  snprintf(buf, size, "#%llu of this pass", (unsigned long long)acc->added);
  return buf;
}

static vd_status vd_image_check(const vd_metrics_image *im, const char *name) {
  if (!im->map || !im->mask)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "metrics: image %s: map or mask is NULL", name);
  if (im->map_dtype != VD_MAP_F32 && im->map_dtype != VD_MAP_F64)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "metrics: image %s: unknown map dtype %d", name,
                          (int)im->map_dtype);
  if (im->map_height != im->mask_height || im->map_width != im->mask_width)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "metrics: image %s: the map is %ux%u but the mask is %ux%u",
                          name, im->map_height, im->map_width, im->mask_height, im->mask_width);
  if (im->map_height < VD_SCORE_MIN_SIDE || im->map_width < VD_SCORE_MIN_SIDE ||
      im->map_height > VD_METRICS_MAX_SIDE || im->map_width > VD_METRICS_MAX_SIDE)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT,
                          "metrics: image %s: a %ux%u map is outside %ux%u to %ux%u (eight 8x8 pools need 57)",
                          name, im->map_height, im->map_width, VD_SCORE_MIN_SIDE, VD_SCORE_MIN_SIDE,
                          VD_METRICS_MAX_SIDE, VD_METRICS_MAX_SIDE);
  if (!im->class_name || !im->class_name[0] || strlen(im->class_name) >= VD_METRICS_MAX_NAME)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT,
                          "metrics: image %s: the class name is empty or longer than %d bytes", name,
                          VD_METRICS_MAX_NAME - 1);
  return NULL;
}

// Copies the map into out as doubles; a NaN or infinity is an error naming its position.
static vd_status vd_image_load(const vd_metrics_image *im, const char *name, double *out) {
  size_t n = (size_t)im->map_height * im->map_width;
  if (im->map_dtype == VD_MAP_F64)
    memcpy(out, im->map, n * sizeof(*out));
  else
    for (size_t i = 0; i < n; ++i) out[i] = ((const float *)im->map)[i];
  for (size_t i = 0; i < n; ++i)
    if (!isfinite(out[i]))
      return vd_status_make(VD_ERR_INVALID_ARGUMENT,
                            "metrics: image %s (class %s): map value %g at row %zu, column %zu", name,
                            im->class_name, out[i], i / im->map_width, i % im->map_width);
  return NULL;
}

static vd_status vd_scratch_reserve(vd_metric_scratch *s, size_t n) {
  if (n <= s->capacity) return NULL;
  vd_metric_scratch_free(s);
  s->map = malloc(n * sizeof(*s->map));
  s->work = malloc(n * sizeof(*s->work));
  s->split = malloc(n * sizeof(*s->split));
  s->labels = malloc(n * sizeof(*s->labels));
  s->parent = malloc((n + 1) * sizeof(*s->parent));
  s->areas = malloc(n * sizeof(*s->areas));
  if (!s->map || !s->work || !s->split || !s->labels || !s->parent || !s->areas) {
    vd_metric_scratch_free(s);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "metrics: scratch for %zu pixels", n);
  }
  s->capacity = n;
  return NULL;
}

// ---- classes ----------------------------------------------------------------------------------------

static vd_metric_class *vd_class_find(vd_metrics_acc *acc, const char *name) {
  for (size_t i = acc->class_count; i-- > 0;)
    if (!strcmp(acc->classes[i]->name, name)) return acc->classes[i];
  return NULL;
}

static vd_status vd_class_create(vd_metrics_acc *acc, const vd_metrics_image *im, vd_metric_class **out) {
  if (acc->class_count == VD_METRICS_MAX_CLASSES)
    return vd_status_make(VD_ERR_LIMIT, "metrics: class %s would exceed the limit of %d classes",
                          im->class_name, VD_METRICS_MAX_CLASSES);
  vd_metric_class *c = calloc(1, sizeof(*c));
  if (!c) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "metrics: class %s", im->class_name);
  strcpy(c->name, im->class_name);
  c->height = im->map_height;
  c->width = im->map_width;
  c->min = INFINITY;
  c->max = -INFINITY;
  acc->classes[acc->class_count++] = c;
  *out = c;
  return NULL;
}

// Room for one more image in the per-image arrays.
static vd_status vd_class_grow(vd_metric_class *c, bool exact) {
  if (c->images < c->capacity) return NULL;
  size_t cap = c->capacity ? 2 * c->capacity : 64;
  double *score = realloc(c->image_score, cap * sizeof(*score));
  if (score) c->image_score = score;
  uint8_t *label = realloc(c->image_label, cap * sizeof(*label));
  if (label) c->image_label = label;
  vd_metric_stored *stored = exact ? realloc(c->stored, cap * sizeof(*stored)) : c->stored;
  if (exact && stored) c->stored = stored;
  if (!score || !label || (exact && !stored))
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "metrics: %zu images of class %s", cap, c->name);
  c->capacity = cap;
  return NULL;
}

// AUTO: drops the stored pixels and continues as streaming (a second pass will be needed).
static void vd_metrics_to_streaming(vd_metrics_acc *acc) {
  for (size_t i = 0; i < acc->class_count; ++i) {
    vd_metric_class *c = acc->classes[i];
    vd_metric_stored_free(c);
    c->regions = 0;
  }
  acc->stored_bytes = 0;
  acc->mode = VD_METRICS_STREAMING;
  acc->automatic = false;
}

// ---- adding -----------------------------------------------------------------------------------------

// First pass: image score, range, labels; exact mode also stores the pixels.
static vd_status vd_metrics_add_first(vd_metrics_acc *acc, vd_metric_class *c, const vd_metrics_image *im) {
  vd_metric_scratch *s = &acc->scratch;
  size_t n = (size_t)c->height * c->width;
  uint64_t need = n * sizeof(double);
  if (acc->automatic && acc->stored_bytes + need > acc->options.memory_budget) vd_metrics_to_streaming(acc);
  bool exact = acc->mode == VD_METRICS_EXACT;
  VD_RETURN_IF_ERROR(vd_class_grow(c, exact));
  double score = vd_image_score(s->map, c->height, c->width, s->work);
  uint32_t positives = 0, regions = 0;
  if (exact) {
    regions = vd_metric_split(s, im->mask, c->height, c->width, &positives);
    VD_RETURN_IF_ERROR(vd_metric_store(c, s, regions, positives, &acc->stored_bytes));
  } else {
    for (size_t i = 0; i < n; ++i) positives += im->mask[i] != 0;
  }
  for (size_t i = 0; i < n; ++i) {
    if (s->map[i] < c->min) c->min = s->map[i];
    if (s->map[i] > c->max) c->max = s->map[i];
  }
  c->image_score[c->images] = score;
  c->image_label[c->images] = positives > 0;
  c->anomalous_pixels += positives;
  c->anomalous_images += positives > 0;
  ++c->images;
  return NULL;
}

// Second pass (streaming): the image must fit what the first pass saw.
static vd_status vd_metrics_add_second(vd_metrics_acc *acc, vd_metric_class *c, const vd_metrics_image *im,
                                       const char *name) {
  vd_metric_scratch *s = &acc->scratch;
  size_t n = (size_t)c->height * c->width;
  if (c->stream->images == c->images)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT,
                          "metrics: image %s: the second pass has more images of class %s than the first (%zu)",
                          name, c->name, c->images);
  for (size_t i = 0; i < n; ++i)
    if (s->map[i] < c->min || s->map[i] > c->max)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT,
                            "metrics: image %s: value %.17g at row %zu, column %zu is outside the first pass's "
                            "range of class %s [%.17g, %.17g]",
                            name, s->map[i], i / c->width, i % c->width, c->name, c->min, c->max);
  uint32_t positives = 0;
  uint32_t regions = vd_metric_split(s, im->mask, c->height, c->width, &positives);
  vd_metric_stream_add(c, s, im->mask, regions, positives);
  return NULL;
}

// The class of an image (created in the first pass), checking its size.
static vd_status vd_metrics_class_of(vd_metrics_acc *acc, const vd_metrics_image *im, const char *name,
                                     vd_metric_class **out) {
  vd_metric_class *c = vd_class_find(acc, im->class_name);
  if (!c && acc->phase == VD_METRICS_SECOND_PASS)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "metrics: image %s: class %s was not in the first pass",
                          name, im->class_name);
  if (c && (c->height != im->map_height || c->width != im->map_width))
    return vd_status_make(VD_ERR_INVALID_ARGUMENT,
                          "metrics: image %s: a %ux%u map, but class %s's maps are %ux%u", name, im->map_height,
                          im->map_width, c->name, c->height, c->width);
  if (!c) VD_RETURN_IF_ERROR(vd_class_create(acc, im, &c));
  *out = c;
  return NULL;
}

vd_status vd_metrics_acc_add(vd_metrics_acc *acc, const vd_metrics_image *image) {
  if (!acc || !image) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "metrics: NULL accumulator or image");
  if (acc->phase >= VD_METRICS_FED)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "metrics: image added after the last pass ended");
  char buf[48];
  const char *name = vd_image_label(acc, image, buf, sizeof(buf));
  VD_RETURN_IF_ERROR(vd_image_check(image, name));
  VD_RETURN_IF_ERROR(vd_scratch_reserve(&acc->scratch, (size_t)image->map_height * image->map_width));
  VD_RETURN_IF_ERROR(vd_image_load(image, name, acc->scratch.map));
  vd_metric_class *c = NULL;
  VD_RETURN_IF_ERROR(vd_metrics_class_of(acc, image, name, &c));
  vd_status st = acc->phase == VD_METRICS_FIRST_PASS ? vd_metrics_add_first(acc, c, image)
                                                     : vd_metrics_add_second(acc, c, image, name);
  if (!st) ++acc->added;
  return st;
}

// ---- passes -----------------------------------------------------------------------------------------

static vd_status vd_metrics_check_second(const vd_metrics_acc *acc) {
  for (size_t i = 0; i < acc->class_count; ++i) {
    const vd_metric_class *c = acc->classes[i];
    if (c->stream->images != c->images || c->stream->anomalous_pixels != c->anomalous_pixels)
      return vd_status_make(VD_ERR_INVALID_ARGUMENT,
                            "metrics: class %s: the second pass had %llu images and %llu anomalous pixels, the "
                            "first %zu and %llu",
                            c->name, (unsigned long long)c->stream->images,
                            (unsigned long long)c->stream->anomalous_pixels, c->images,
                            (unsigned long long)c->anomalous_pixels);
  }
  return NULL;
}

vd_status vd_metrics_acc_end_pass(vd_metrics_acc *acc, bool *out_again) {
  if (!acc || !out_again) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "metrics: NULL accumulator or flag");
  *out_again = false;
  if (acc->phase >= VD_METRICS_FED) return NULL;
  if (acc->phase == VD_METRICS_SECOND_PASS) {
    VD_RETURN_IF_ERROR(vd_metrics_check_second(acc));
    acc->phase = VD_METRICS_FED;
    return NULL;
  }
  acc->automatic = false;
  if (acc->mode == VD_METRICS_EXACT || !acc->class_count) {
    acc->phase = VD_METRICS_FED;
    return NULL;
  }
  for (size_t i = 0; i < acc->class_count; ++i)
    VD_RETURN_IF_ERROR(vd_metric_stream_begin(acc->classes[i], &acc->options));
  acc->phase = VD_METRICS_SECOND_PASS;
  acc->added = 0;
  *out_again = true;
  return NULL;
}

// ---- finishing --------------------------------------------------------------------------------------

// Image AUROC, AP and F1 from the pooled scores (exact in both modes).
static vd_status vd_metrics_image_level(const vd_metric_class *c, vd_metrics_class *out) {
  size_t n = c->images, np = c->anomalous_images;
  uint64_t *keys = malloc(2 * n * sizeof(*keys) + sizeof(*keys));
  if (!keys) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "metrics: image scores of class %s", c->name);
  uint64_t *pos = keys, *neg = keys + np, *tmp = keys + n;
  size_t ip = 0, in = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t k = vd_sort_key(c->image_score[i]);
    if (c->image_label[i])
      pos[ip++] = k;
    else
      neg[in++] = k;
  }
  vd_sort_keys(pos, tmp, np);
  vd_sort_keys(neg, tmp, n - np);
  vd_curve_result r;
  vd_curve_from_sorted(pos, np, neg, n - np, &r);
  free(keys);
  out->value[VD_METRIC_IMAGE_AUROC] = r.auroc;
  out->value[VD_METRIC_IMAGE_AP] = r.ap;
  out->value[VD_METRIC_IMAGE_F1] = r.f1;
  return NULL;
}

static vd_status vd_metrics_finish_class(vd_metrics_acc *acc, vd_metric_class *c, vd_metrics_class *out) {
  memset(out, 0, sizeof(*out));
  strcpy(out->name, c->name);
  out->images = c->images;
  out->anomalous_images = c->anomalous_images;
  out->pixels = (uint64_t)c->images * c->height * c->width;
  out->anomalous_pixels = c->anomalous_pixels;
  VD_RETURN_IF_ERROR(vd_metrics_image_level(c, out));
  if (acc->mode == VD_METRICS_EXACT)
    VD_RETURN_IF_ERROR(vd_metric_exact_finish(c, &acc->options, out));
  else
    VD_RETURN_IF_ERROR(vd_metric_stream_finish(c, &acc->options, out));
  out->regions = c->regions;
  double sum = 0.0, bound = 0.0;
  for (int m = 0; m < VD_METRIC_MAD; ++m) {
    sum += out->value[m];
    bound += out->bound[m];
  }
  out->value[VD_METRIC_MAD] = sum / VD_METRIC_MAD;
  out->bound[VD_METRIC_MAD] = bound / VD_METRIC_MAD;
  return NULL;
}

static void vd_metrics_mean(vd_metrics_result *r) {
  for (int m = 0; m < VD_METRIC_COUNT; ++m) {
    double sum = 0.0, bound = 0.0;
    for (size_t i = 0; i < r->class_count; ++i) {
      sum += r->classes[i].value[m];
      bound += r->classes[i].bound[m];
    }
    r->mean[m] = r->class_count ? sum / (double)r->class_count : NAN;
    r->mean_bound[m] = r->class_count ? bound / (double)r->class_count : 0.0;
  }
}

vd_status vd_metrics_acc_finish(vd_metrics_acc *acc, vd_metrics_result **out_result) {
  if (!acc || !out_result) return vd_status_make(VD_ERR_INVALID_ARGUMENT, "metrics: NULL accumulator or result");
  *out_result = NULL;
  if (acc->phase == VD_METRICS_FINISHED)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "metrics: the accumulator was already finished");
  if (acc->mode == VD_METRICS_STREAMING && acc->phase != VD_METRICS_FED && acc->class_count)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT,
                          "metrics: streaming mode needs both passes over the maps (vd_metrics_acc_end_pass "
                          "asks for the second)");
  acc->phase = VD_METRICS_FINISHED;
  vd_metrics_result *r = calloc(1, sizeof(*r));
  if (r) r->classes = calloc(acc->class_count ? acc->class_count : 1, sizeof(*r->classes));
  if (!r || !r->classes) {
    vd_metrics_result_destroy(r);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "metrics: results of %zu classes", acc->class_count);
  }
  r->mode = acc->mode;
  r->class_count = acc->class_count;
  for (size_t i = 0; i < acc->class_count; ++i) {
    vd_status st = vd_metrics_finish_class(acc, acc->classes[i], &r->classes[i]);
    if (st) {
      vd_metrics_result_destroy(r);
      return st;
    }
  }
  vd_metrics_mean(r);
  *out_result = r;
  return NULL;
}

void vd_metrics_result_destroy(vd_metrics_result *result) {
  if (!result) return;
  free(result->classes);
  free(result);
}
