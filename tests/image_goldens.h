// Helpers of the image tests (tests/test_image_*.c): the C twins of tools/reference/make_image_goldens.py's
// fnv64 (the goldens' hash), mix (splitmix64) and pattern (synthetic images), whole-file reading, the
// golden manifests' lines, and a scratch folder.
#ifndef VD_TESTS_IMAGE_GOLDENS_H
#define VD_TESTS_IMAGE_GOLDENS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anomaly/image.h"

#define VDT_IMAGES VLMD_SOURCE_DIR "/tests/data/images"

static inline uint64_t vdt_fnv64(const void *data, size_t n) {
  const uint8_t *p = data;
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

static inline uint64_t vdt_mix(uint64_t seed, uint64_t i) {
  uint64_t z = (seed << 32) + i;
  z *= 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// pattern(kind, seed, w, h, c) of the generator into a new image: "noise" or "smooth".
static inline vd_image vdt_pattern(const char *kind, uint64_t seed, int w, int h, int c) {
  vd_image img;
  vd_status st = vd_image_alloc(w, h, c, &img);
  if (st) {
    fprintf(stderr, "pattern %dx%dx%d: %s\n", w, h, c, vd_status_message(st));
    exit(1);
  }
  int noise = strcmp(kind, "noise") == 0;
  for (int y = 0, i = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch, ++i) {
        uint64_t z = vdt_mix(seed, (uint64_t)i);
        img.pixels[i] = noise ? (uint8_t)(z >> 56) : (uint8_t)((x * 3 + y * 5 + ch * 60 + (int)(z >> 62)) & 255);
      }
  return img;
}

// The whole file; exits the test when it cannot be read (a golden that is missing is a broken checkout).
static inline uint8_t *vdt_read_file(const char *path, size_t *out_size) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *data = malloc(n > 0 ? (size_t)n : 1);
  if (!data || fread(data, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(1);
  }
  fclose(f);
  *out_size = (size_t)n;
  return data;
}

// Opens a golden manifest; exits when it is missing.
static inline FILE *vdt_open_manifest(const char *name) {
  char path[512];
  snprintf(path, sizeof(path), "%s/%s", VDT_IMAGES, name);
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  return f;
}

// Next non-comment line of a manifest into line[cap]; 0 at the end.
static inline int vdt_next_line(FILE *f, char *line, size_t cap) {
  while (fgets(line, (int)cap, f)) {
    if (line[0] != '#' && line[0] != '\n') return 1;
  }
  return 0;
}

// A fresh scratch folder /tmp/vdt_TAG_XXXXXX into out[cap]; exits on failure.
static inline void vdt_scratch_dir(const char *tag, char *out, size_t cap) {
  snprintf(out, cap, "/tmp/vdt_%s_XXXXXX", tag);
  if (!mkdtemp(out)) {
    fprintf(stderr, "mkdtemp %s failed\n", out);
    exit(1);
  }
}

#endif
