// Pillow's 8-bit separable resampling (Pillow 9.4, libImaging Resample.c semantics), written from its
// definition; one resampler, the filter chosen per call. Per axis, for output index o with
// scale = in / out, s = max(scale, 1) and the filter's support r (bilinear 1, bicubic 2):
//   center = (o + 0.5) * scale, support = r * s,
//   first  = max(0, (int)(center - support + 0.5)), end = min(in, (int)(center + support + 0.5)),
//   w_i    = K(((first + i) - center + 0.5) * (1 / s)), i < end - first,
//   w_i   /= sum(w), then fixed point: (int)(w_i * 2^22 + 0.5), or (int)(w_i * 2^22 - 0.5) when w_i < 0.
// K is the triangle max(0, 1 - |t|) or Keys' cubic with a = -0.5 (negative lobes, so bicubic overshoots
// and the clip below matters). A pass computes (2^21 + sum_i pixel_i * w_i) >> 22 (floor), clipped to
// [0, 255]. The double arithmetic is the same operation for operation (no fused multiply-add: anomaly/ is
// compiled with -ffp-contract=off).
#include "anomaly/resize.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define VD_RESAMPLE_BITS 22  // fractional bits of the fixed-point coefficients (Pillow's PRECISION_BITS)

typedef struct vd_resample_axis {
  int out_size;      // output samples along the axis
  int taps;          // coefficient slots per output sample
  int *first;        // first input index of each output sample
  int *count;        // inputs used by each output sample
  int32_t *weights;  // out_size * taps fixed-point coefficients
} vd_resample_axis;

static void vd_axis_free(vd_resample_axis *a) {
  free(a->first);
  free(a->count);
  free(a->weights);
  memset(a, 0, sizeof(*a));
}

// A filter: its kernel over unscaled input samples and where the kernel ends.
typedef struct vd_resample_kernel {
  double (*weight)(double t);  // K(t), t in input samples from the centre (before the down-scale stretch)
  double support;              // K(t) = 0 for |t| >= support
} vd_resample_kernel;

static double vd_triangle(double t) {
  if (t < 0.0) t = -t;
  return t < 1.0 ? 1.0 - t : 0.0;
}

// Keys' cubic convolution kernel with a = -0.5, each piece in Horner form (Pillow's operation order).
static double vd_keys_cubic(double t) {
  const double a = -0.5;
  if (t < 0.0) t = -t;
  if (t < 1.0) return ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0;
  if (t < 2.0) return (((t - 5.0) * t + 8.0) * t - 4.0) * a;
  return 0.0;
}

static const vd_resample_kernel vd_kernels[] = {
    [VD_RESAMPLE_BILINEAR] = {vd_triangle, 1.0},
    [VD_RESAMPLE_BICUBIC] = {vd_keys_cubic, 2.0},
};

// The coefficients of one output sample into w[0, taps); returns how many inputs it uses.
static int vd_axis_sample(const vd_resample_kernel *k, int in_size, double scale, double filter_scale, int o,
                          int *out_first, double *w) {
  double support = k->support * filter_scale;
  double center = (o + 0.5) * scale;
  double inv = 1.0 / filter_scale;
  int first = (int)(center - support + 0.5);
  if (first < 0) first = 0;
  int end = (int)(center + support + 0.5);
  if (end > in_size) end = in_size;
  int n = end - first;
  double sum = 0.0;
  for (int i = 0; i < n; ++i) {
    w[i] = k->weight(((double)(i + first) - center + 0.5) * inv);
    sum += w[i];
  }
  for (int i = 0; i < n; ++i)
    if (sum != 0.0) w[i] /= sum;
  *out_first = first;
  return n;
}

static int32_t vd_fixed(double w) {
  double scaled = w * (double)(1 << VD_RESAMPLE_BITS);
  return (int32_t)(w < 0 ? -0.5 + scaled : 0.5 + scaled);
}

static vd_status vd_axis_plan(const vd_resample_kernel *k, int in_size, int out_size, vd_resample_axis *a) {
  memset(a, 0, sizeof(*a));
  double scale = (double)in_size / out_size;
  double filter_scale = scale < 1.0 ? 1.0 : scale;
  a->out_size = out_size;
  a->taps = (int)ceil(k->support * filter_scale) * 2 + 1;
  a->first = malloc(sizeof(int) * (size_t)out_size);
  a->count = malloc(sizeof(int) * (size_t)out_size);
  a->weights = calloc((size_t)out_size * (size_t)a->taps, sizeof(int32_t));
  double *w = malloc(sizeof(double) * (size_t)a->taps);
  if (!a->first || !a->count || !a->weights || !w) {
    free(w);
    vd_axis_free(a);
    return vd_status_make(VD_ERR_OUT_OF_MEMORY, "no memory for resampling coefficients (%d -> %d)", in_size,
                          out_size);
  }
  for (int o = 0; o < out_size; ++o) {
    a->count[o] = vd_axis_sample(k, in_size, scale, filter_scale, o, &a->first[o], w);
    for (int i = 0; i < a->count[o]; ++i) a->weights[(size_t)o * (size_t)a->taps + (size_t)i] = vd_fixed(w[i]);
  }
  free(w);
  return NULL;
}

static uint8_t vd_round_fixed(int32_t acc) {
  if (acc < 0) return 0;
  int32_t v = acc >> VD_RESAMPLE_BITS;
  return (uint8_t)(v > 255 ? 255 : v);
}

// One output sample: the weighted sum of count inputs that lie `stride` bytes apart.
static uint8_t vd_resample_one(const uint8_t *src, size_t stride, const int32_t *w, int count) {
  int32_t acc = 1 << (VD_RESAMPLE_BITS - 1);
  for (int i = 0; i < count; ++i) acc += (int32_t)src[(size_t)i * stride] * w[i];
  return vd_round_fixed(acc);
}

// Horizontal pass over rows [row0, row0 + rows) of src (width in_w) into dst (width a->out_size).
static void vd_pass_horizontal(const uint8_t *src, int in_w, int channels, int row0, int rows,
                               const vd_resample_axis *a, uint8_t *dst) {
  size_t c = (size_t)channels;
  for (int y = 0; y < rows; ++y) {
    const uint8_t *in = src + (size_t)(row0 + y) * (size_t)in_w * c;
    uint8_t *out = dst + (size_t)y * (size_t)a->out_size * c;
    for (int x = 0; x < a->out_size; ++x) {
      const int32_t *w = a->weights + (size_t)x * (size_t)a->taps;
      for (size_t k = 0; k < c; ++k)
        out[(size_t)x * c + k] = vd_resample_one(in + (size_t)a->first[x] * c + k, c, w, a->count[x]);
    }
  }
}

// Vertical pass: src holds rows starting at input row row0, each width * channels bytes.
static void vd_pass_vertical(const uint8_t *src, int width, int channels, int row0, const vd_resample_axis *a,
                             uint8_t *dst) {
  size_t line = (size_t)width * (size_t)channels;
  for (int y = 0; y < a->out_size; ++y) {
    const int32_t *w = a->weights + (size_t)y * (size_t)a->taps;
    const uint8_t *in = src + (size_t)(a->first[y] - row0) * line;
    uint8_t *out = dst + (size_t)y * line;
    for (size_t i = 0; i < line; ++i) out[i] = vd_resample_one(in + i, line, w, a->count[y]);
  }
}

// Both passes once the vertical plan is known: the horizontal pass covers only the rows it reads.
static vd_status vd_resample(const vd_resample_kernel *k, const vd_image *in, const vd_resample_axis *v, int out_w,
                             vd_image *out) {
  int row0 = v->first[0];
  int row_end = v->first[v->out_size - 1] + v->count[v->out_size - 1];
  const uint8_t *rows = in->pixels;
  uint8_t *temp = NULL;
  if (out_w != in->width) {
    vd_resample_axis h;
    VD_RETURN_IF_ERROR(vd_axis_plan(k, in->width, out_w, &h));
    temp = malloc((size_t)out_w * (size_t)in->channels * (size_t)(row_end - row0));
    if (!temp) {
      vd_axis_free(&h);
      return vd_status_make(VD_ERR_OUT_OF_MEMORY, "no memory for the horizontal resampling pass");
    }
    vd_pass_horizontal(in->pixels, in->width, in->channels, row0, row_end - row0, &h, temp);
    vd_axis_free(&h);
    rows = temp;
  } else {
    row0 = 0;
  }
  vd_pass_vertical(rows, out_w, in->channels, row0, v, out->pixels);
  free(temp);
  return NULL;
}

vd_status vd_image_resample(const vd_image *image, int out_width, int out_height, vd_resample_filter filter,
                            vd_image *out_image) {
  memset(out_image, 0, sizeof(*out_image));
  if (!image->pixels || (image->channels != 1 && image->channels != 3))
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "resize: input is not an L8 or RGB8 image");
  if (filter != VD_RESAMPLE_BILINEAR && filter != VD_RESAMPLE_BICUBIC)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "resize: unknown filter %d", (int)filter);
  VD_RETURN_IF_ERROR(vd_image_alloc(out_width, out_height, image->channels, out_image));
  if (out_width == image->width && out_height == image->height) {
    memcpy(out_image->pixels, image->pixels, (size_t)out_width * (size_t)out_height * (size_t)image->channels);
    return NULL;
  }
  const vd_resample_kernel *k = &vd_kernels[filter];
  vd_resample_axis v;
  vd_status st = vd_axis_plan(k, image->height, out_height, &v);
  if (!st) st = vd_resample(k, image, &v, out_width, out_image);
  vd_axis_free(&v);
  if (st) vd_image_free(out_image);
  return st;
}

vd_status vd_image_resize(const vd_image *image, int out_width, int out_height, vd_image *out_image) {
  return vd_image_resample(image, out_width, out_height, VD_RESAMPLE_BILINEAR, out_image);
}
