// PNG and JPEG decoding against Debian 12's Pillow (tests/data/images/decode.txt: the mode each file
// opens as and the hash of convert('RGB') and convert('L')), Pillow's conversions from CMYK and RGB on
// 65,536 colours each, then what must fail: every cut of every file (a sample of the large ones) with
// Pillow's outcome (cuts.txt: an error naming the file, or exactly the whole file's pixels), corrupted
// files (never a crash), files that are no image, missing and empty files, and images over the limits
// refused from the header alone.
#include <zlib.h>

#include "anomaly/image_source.h"
#include "tests/image_goldens.h"
#include "tests/vdtest.h"
#include "tests/weights_util.h"  // CHECK_ERR_MSG

typedef struct decode_golden {
  char file[128];    // name under decode/
  char mode[8];      // Pillow's mode
  int width;         // pixels
  int height;        // pixels
  uint64_t rgb;      // fnv64 of convert('RGB')
  uint64_t grey;     // fnv64 of convert('L')
} decode_golden;

static uint64_t decode_hash(const uint8_t *data, size_t size, const char *name, vd_pixel_format format,
                            vd_status *out_st) {
  vd_image img;
  *out_st = vd_image_decode_memory(data, size, name, format, &img);
  if (*out_st) return 0;
  uint64_t h = vdt_fnv64(img.pixels, (size_t)img.width * (size_t)img.height * (size_t)img.channels);
  vd_image_free(&img);
  return h;
}

static int g_compared;  // files whose RGB and L outputs both matched
static int g_cuts;      // cut files tried

static void check_golden(const decode_golden *g, const uint8_t *data, size_t size) {
  vd_image_info info;
  CHECK_OK(vd_image_probe_memory(data, size, g->file, &info));
  CHECK_MSG(!strcmp(info.mode, g->mode) && info.width == g->width && info.height == g->height,
            "%s: probe says %s %dx%d, Pillow %s %dx%d", g->file, info.mode, info.width, info.height, g->mode,
            g->width, g->height);
  vd_status st;
  uint64_t rgb = decode_hash(data, size, g->file, VD_PIXELS_RGB8, &st);
  CHECK_MSG(!st && rgb == g->rgb, "%s: RGB differs from Pillow's (%s)", g->file, vd_status_message(st));
  vd_status_free(st);
  uint64_t grey = decode_hash(data, size, g->file, VD_PIXELS_L8, &st);
  CHECK_MSG(!st && grey == g->grey, "%s: L differs from Pillow's (%s)", g->file, vd_status_message(st));
  vd_status_free(st);
  g_compared += rgb == g->rgb && grey == g->grey;
}

// Pillow's outcome for every cut of a file, from cuts.txt: runs "length:e|o" (e: an error, o: the
// whole file's pixels) in the order of cut_next.
typedef struct cut_golden {
  char runs[1024];  // the runs text of the file's line
} cut_golden;

static int cut_golden_find(const char *file, size_t size, cut_golden *out) {
  FILE *f = vdt_open_manifest("cuts.txt");
  char line[1200], name[128];
  size_t n = 0;
  int found = 0, used = 0;
  while (!found && vdt_next_line(f, line, sizeof(line)))
    if (sscanf(line, "%127s %zu %n", name, &n, &used) == 2 && !strcmp(name, file) && n == size) {
      snprintf(out->runs, sizeof(out->runs), "%s", line + used);
      found = 1;
    }
  fclose(f);
  return found;
}

// Pillow's outcome at cut n: the kind of the last run starting at or before n.
static char cut_golden_at(const cut_golden *g, size_t n) {
  char kind = '?';
  const char *p = g->runs;
  size_t start;
  char k;
  int used;
  while (sscanf(p, "%zu:%c%n", &start, &k, &used) == 2 && start <= n) {
    kind = k;
    p += used;
  }
  return kind;
}

// The cuts tested (make_image_goldens.py's cut_points): every length up to 8 KiB, else every 61st and
// the last 200. Returns size when done.
static size_t cut_next(size_t n, size_t size) {
  if (size <= 8192 || n + 1 >= size - 200) return n + 1;
  size_t next = (n / 61 + 1) * 61;
  return next < size - 200 ? next : size - 200;
}

// Every cut: the same outcome as Pillow's (an error naming the file, or exactly the whole file's pixels).
static int check_truncations(const decode_golden *g, const uint8_t *data, size_t size) {
  cut_golden cg;
  if (!cut_golden_find(g->file, size, &cg)) {
    CHECK_MSG(0, "%s: not in cuts.txt", g->file);
    return 0;
  }
  int same = 0, cuts = 0;
  for (size_t n = 0; n < size; n = cut_next(n, size), ++cuts) {
    uint8_t *copy = malloc(n ? n : 1);  // exact size: ASan sees any read past the cut
    memcpy(copy, data, n);
    vd_status st;
    uint64_t h = decode_hash(copy, n, g->file, VD_PIXELS_RGB8, &st);
    char want = cut_golden_at(&cg, n), got = st ? 'e' : h == g->rgb ? 'o' : 'x';
    same += got == want;
    CHECK_MSG(got == want, "%s cut at %zu: %c, Pillow %c (%s)", g->file, n, got, want, vd_status_message(st));
    if (st)
      CHECK_MSG(strstr(vd_status_message(st), g->file) != NULL, "%s cut at %zu: message without the name: %s",
                g->file, n, vd_status_message(st));
    vd_status_free(st);
    free(copy);
  }
  g_cuts += cuts;
  return same;
}

// Flipped bytes anywhere: never a crash; when it still decodes, the header's size holds.
static void check_corruptions(const decode_golden *g, const uint8_t *data, size_t size, vdt_rng *rng) {
  uint8_t *copy = malloc(size);
  for (int trial = 0; trial < 40; ++trial) {
    memcpy(copy, data, size);
    int flips = 1 + trial % 4;
    for (int k = 0; k < flips; ++k) {
      size_t at = (size_t)vdt_uniform(rng, 0, (double)size);
      copy[at] ^= (uint8_t)(1 + (int)vdt_uniform(rng, 0, 255));
    }
    vd_image img;
    vd_status st = vd_image_decode_memory(copy, size, g->file, VD_PIXELS_L8, &img);
    if (!st) {
      CHECK(img.width > 0 && img.height > 0 && img.channels == 1);
      vd_image_free(&img);
    } else {
      CHECK_MSG(strstr(vd_status_message(st), g->file) != NULL, "%s corrupted: %s", g->file, vd_status_message(st));
    }
    vd_status_free(st);
  }
  free(copy);
}

static void test_goldens(void) {
  FILE *f = vdt_open_manifest("decode.txt");
  char line[512];
  int files = 0, png = 0, jpeg = 0, cuts_same = 0;
  vdt_rng rng = {0x1234567ull};
  while (vdt_next_line(f, line, sizeof(line))) {
    decode_golden g;
    unsigned long long rgb, grey;
    if (sscanf(line, "%127s %7s %d %d %llx %llx", g.file, g.mode, &g.width, &g.height, &rgb, &grey) != 6) {
      CHECK_MSG(0, "bad decode.txt line: %s", line);
      continue;
    }
    g.rgb = rgb;
    g.grey = grey;
    char path[512];
    snprintf(path, sizeof(path), "%s/decode/%s", VDT_IMAGES, g.file);
    size_t size;
    uint8_t *data = vdt_read_file(path, &size);
    check_golden(&g, data, size);
    cuts_same += check_truncations(&g, data, size);
    check_corruptions(&g, data, size, &rng);
    free(data);
    ++files;
    png += strstr(g.file, ".png") != NULL;
    jpeg += strstr(g.file, ".jpg") != NULL;
  }
  fclose(f);
  CHECK_MSG(files >= 100 && g_compared == files, "%d of %d files identical to Pillow", g_compared, files);
  CHECK_MSG(g_cuts > 50000 && cuts_same == g_cuts, "%d of %d cuts as Pillow", cuts_same, g_cuts);
  printf("decode: %d files (%d PNG, %d JPEG) identical to Pillow in RGB and L; %d of %d cuts as Pillow's\n",
         files, png, jpeg, cuts_same, g_cuts);
}

// Pillow's CMYK -> RGB / L and RGB -> L on images holding every (C, K) pair and 65,536 colours.
static void test_conversions(void) {
  FILE *f = vdt_open_manifest("convert.txt");
  char line[256], name[32];
  unsigned long long want[3] = {0};
  for (int i = 0; i < 3 && vdt_next_line(f, line, sizeof(line)); ++i) sscanf(line, "%31s %llx", name, &want[i]);
  fclose(f);
  vd_source_image cmyk = {.mode = VD_SOURCE_CMYK, .width = 256, .height = 256};
  vd_source_image rgb = {.mode = VD_SOURCE_RGB, .width = 256, .height = 256};
  vd_image out;
  for (int pass = 0; pass < 3; ++pass) {
    vd_source_image *s = pass < 2 ? &cmyk : &rgb;
    s->pixels = malloc(256 * 256 * 4);
    for (int y = 0, i = 0; y < 256; ++y)
      for (int x = 0; x < 256; ++x, ++i) {
        uint8_t *p = s->pixels + (size_t)i * (size_t)vd_source_bytes(s->mode);
        p[0] = (uint8_t)x;
        if (s == &cmyk) {
          p[1] = (uint8_t)((x * 7 + y) & 255);
          p[2] = (uint8_t)((x + 3 * y) & 255);
          p[3] = (uint8_t)y;
        } else {
          p[1] = (uint8_t)y;
          p[2] = (uint8_t)((x * y + 3) & 255);
        }
      }
    CHECK_OK(vd_source_convert(s, pass == 0 ? VD_PIXELS_RGB8 : VD_PIXELS_L8, "convert", &out));
    CHECK_MSG(vdt_fnv64(out.pixels, (size_t)256 * 256 * (size_t)out.channels) == want[pass],
              "conversion %d differs from Pillow's", pass);
    vd_image_free(&out);
  }
}

// A minimal PNG header (signature + IHDR) of the given size: nothing after it.
static size_t png_header(uint32_t w, uint32_t h, uint8_t *out) {
  static const uint8_t head[16] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
  memcpy(out, head, 16);
  for (int i = 0; i < 4; ++i) {
    out[16 + i] = (uint8_t)(w >> (24 - 8 * i));
    out[20 + i] = (uint8_t)(h >> (24 - 8 * i));
  }
  memcpy(out + 24, "\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, not interlaced
  uint32_t crc = (uint32_t)crc32(0, out + 12, 17);
  for (int i = 0; i < 4; ++i) out[29 + i] = (uint8_t)(crc >> (24 - 8 * i));
  return 33;
}

// A JPEG that ends right after its SOF0 marker.
static size_t jpeg_header(uint16_t w, uint16_t h, uint8_t *out) {
  const uint8_t sof[] = {0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, (uint8_t)(h >> 8), (uint8_t)h, (uint8_t)(w >> 8),
                         (uint8_t)w, 1, 1, 0x11, 0};
  memcpy(out, sof, sizeof(sof));
  return sizeof(sof);
}

static void test_limits(void) {
  uint8_t buf[64];
  vd_image img;
  vd_image_info info;
  size_t n = png_header(70000, 1, buf);
  CHECK_ERR(vd_image_decode_memory(buf, n, "wide.png", VD_PIXELS_RGB8, &img), VD_ERR_LIMIT);
  CHECK_ERR(vd_image_probe_memory(buf, n, "wide.png", &info), VD_ERR_LIMIT);
  n = png_header(20000, 20000, buf);  // 400 M pixels: under the side limit, over the total
  CHECK_ERR_MSG(vd_image_decode_memory(buf, n, "huge.png", VD_PIXELS_RGB8, &img), "huge.png");
  CHECK_ERR(vd_image_decode_memory(buf, n, "huge.png", VD_PIXELS_L8, &img), VD_ERR_LIMIT);
  n = png_header(13000, 13000, buf);  // 169 M pixels: allowed, so the missing data is the error
  CHECK_ERR(vd_image_decode_memory(buf, n, "ok.png", VD_PIXELS_RGB8, &img), VD_ERR_FORMAT);
  CHECK_ERR_MSG(vd_image_probe_memory(buf, n, "ok.png", &info), "truncated before its image data");
  n = png_header(0, 5, buf);
  CHECK_ERR(vd_image_decode_memory(buf, n, "empty.png", VD_PIXELS_RGB8, &img), VD_ERR_FORMAT);
  n = jpeg_header(65500, 65500, buf);
  CHECK_ERR(vd_image_decode_memory(buf, n, "huge.jpg", VD_PIXELS_RGB8, &img), VD_ERR_LIMIT);
  CHECK_ERR(vd_image_probe_memory(buf, n, "huge.jpg", &info), VD_ERR_LIMIT);
  n = jpeg_header(12000, 12000, buf);
  CHECK_ERR_MSG(vd_image_decode_memory(buf, n, "cut.jpg", VD_PIXELS_RGB8, &img), "truncated");
}

static void test_not_images(void) {
  vd_image img;
  const uint8_t text[] = "P6\n3 3\n255\n";
  CHECK_ERR_MSG(vd_image_decode_memory(text, sizeof(text), "x.ppm", VD_PIXELS_RGB8, &img), "x.ppm: not a PNG or JPEG");
  CHECK_ERR(vd_image_decode_memory(text, 0, "zero", VD_PIXELS_RGB8, &img), VD_ERR_FORMAT);
  CHECK_ERR(vd_image_decode_memory(text, sizeof(text), "x", (vd_pixel_format)2, &img), VD_ERR_INVALID_ARGUMENT);
  CHECK_ERR_MSG(vd_image_load(VDT_IMAGES "/no-such-file.png", VD_PIXELS_RGB8, &img), "no-such-file.png");
  CHECK_ERR(vd_image_load(VDT_IMAGES "/no-such-file.png", VD_PIXELS_RGB8, &img), VD_ERR_NOT_FOUND);
  CHECK_ERR_MSG(vd_image_load(VDT_IMAGES "/decode.txt", VD_PIXELS_L8, &img), "decode.txt: not a PNG or JPEG");
  CHECK_ERR(vd_image_load(VDT_IMAGES, VD_PIXELS_L8, &img), VD_ERR_IO);  // a folder
  char dir[256], path[300];
  vdt_scratch_dir("decode", dir, sizeof(dir));
  snprintf(path, sizeof(path), "%s/empty.png", dir);
  FILE *f = fopen(path, "wb");
  if (f) fclose(f);
  CHECK_ERR_MSG(vd_image_load(path, VD_PIXELS_RGB8, &img), "empty.png");
  remove(path);
  rmdir(dir);
}

static void test_load_from_file(void) {
  vd_image img;
  vd_image_info info;
  CHECK_OK(vd_image_probe(VDT_IMAGES "/decode/photo_rgb_300x217.jpg", &info));
  CHECK(info.codec == VD_CODEC_JPEG && info.width == 300 && info.height == 217 && !strcmp(info.mode, "RGB"));
  CHECK_OK(vd_image_load(VDT_IMAGES "/decode/mask_1bit_300x217.png", VD_PIXELS_L8, &img));
  int binary = img.pixels != NULL;
  for (size_t i = 0; binary && i < (size_t)img.width * (size_t)img.height; ++i)
    binary = img.pixels[i] == 0 || img.pixels[i] == 255;
  CHECK(img.width == 300 && img.height == 217 && binary);
  vd_image_free(&img);
}

int main(void) {
  test_goldens();
  test_conversions();
  test_limits();
  test_not_images();
  test_load_from_file();
  return vdt_finish("test_image_decode");
}
