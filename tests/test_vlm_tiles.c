// The captioner's tiling (anomaly/vlm_tiles.h) against the reference's own functions run under CPython
// 3.11, Pillow 9.4 and torchvision 0.14 (tools/reference/vlm_tiles_reference.py, tests/data/vlm_tiles/):
// the candidate order for every 1 <= min <= max <= 64, the spec's example table, the grid picked for
// every width 1..4096 (3000 for other settings) at many heights, sizes at exact ties (midpoints and
// same-aspect grids around the area rule), and every byte of the uint8 tiles and float32 tensors of 22
// images (tiny, 1x1, tall, wide, 1x4000, exact sizes, decoded files, other settings).
#include "anomaly/resize.h"
#include "anomaly/vlm_tiles.h"
#include "tests/image_goldens.h"
#include "tests/vdtest.h"

#define VDT_TILES VLMD_SOURCE_DIR "/tests/data/vlm_tiles"

static FILE *open_golden(const char *name) {
  char path[512];
  snprintf(path, sizeof(path), "%s/%s", VDT_TILES, name);
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  return f;
}

// The next line that is not a comment, into *line (getline's buffer); 0 at the end.
static int next_line(FILE *f, char **line, size_t *cap) {
  while (getline(line, cap, f) > 0)
    if ((*line)[0] != '#' && (*line)[0] != '\n') return 1;
  return 0;
}

static vd_vlm_tile_plan plan_of(int w, int h, int mn, int mx, int size, bool thumb) {
  vd_vlm_tile_plan p;
  CHECK_OK(vd_vlm_tiles_plan(w, h, mn, mx, size, thumb, &p));
  return p;
}

// The spec's list (§3.7, CPython 3.11) for min 1, max 12, typed in from the spec.
static void test_spec_order(void) {
  static const int want[35][2] = {{1, 1},  {1, 2}, {2, 1}, {3, 1}, {1, 3},  {2, 2},  {4, 1}, {1, 4}, {5, 1},
                                  {1, 5},  {1, 6}, {6, 1}, {3, 2}, {2, 3},  {7, 1},  {1, 7}, {4, 2}, {2, 4},
                                  {1, 8},  {8, 1}, {1, 9}, {3, 3}, {9, 1},  {2, 5},  {5, 2}, {10, 1}, {1, 10},
                                  {11, 1}, {1, 11}, {12, 1}, {3, 4}, {4, 3}, {1, 12}, {6, 2}, {2, 6}};
  vd_vlm_grid g[VD_VLM_MAX_GRIDS];
  int n = 0;
  CHECK_OK(vd_vlm_tiles_candidates(1, 12, g, &n));
  CHECK_MSG(n == 35, "%d candidate grids for max 12 (35 expected)", n);
  int same = 0;
  for (int i = 0; i < n && i < 35; ++i) same += g[i].cols == want[i][0] && g[i].rows == want[i][1];
  CHECK_MSG(same == 35, "%d of 35 candidates in the spec's order", same);
}

// orders.txt: per max, the fnv64 of the lists for every min.
static void test_orders(void) {
  FILE *f = open_golden("orders.txt");
  char *line = NULL;
  size_t cap = 0;
  int maxes = 0, same = 0, lists = 0;
  while (next_line(f, &line, &cap)) {
    int mx;
    unsigned long long want;
    if (sscanf(line, "order %d %llx", &mx, &want) != 2) continue;
    static uint8_t bytes[VD_VLM_MAX_TILES * (2 * VD_VLM_MAX_GRIDS + 2)];
    size_t len = 0;
    for (int mn = 1; mn <= mx; ++mn, ++lists) {
      vd_vlm_grid g[VD_VLM_MAX_GRIDS];
      int n = 0;
      CHECK_OK(vd_vlm_tiles_candidates(mn, mx, g, &n));
      for (int i = 0; i < n; ++i) {
        bytes[len++] = (uint8_t)g[i].cols;
        bytes[len++] = (uint8_t)g[i].rows;
      }
      bytes[len++] = 0;
      bytes[len++] = 0;
    }
    CHECK_MSG(vdt_fnv64(bytes, len) == want, "candidate order for max %d differs from CPython's", mx);
    same += vdt_fnv64(bytes, len) == want;
    ++maxes;
  }
  free(line);
  fclose(f);
  CHECK_MSG(maxes == VD_VLM_MAX_TILES && same == maxes, "%d of %d candidate orders as CPython's", same, maxes);
  printf("tiles: candidate order of %d (min, max) settings as CPython's\n", lists);
}

// The spec's example table (§3.7), with and without the thumbnail.
static void test_spec_table(void) {
  static const int rows[][5] = {{633, 633, 1, 1, 1},  {634, 634, 2, 2, 5},   {700, 700, 2, 2, 5},
                                {800, 800, 2, 2, 5},  {840, 840, 2, 2, 5},   {900, 900, 2, 2, 5},
                                {950, 950, 2, 2, 5},  {951, 951, 3, 3, 10},  {1000, 1000, 3, 3, 10},
                                {1024, 1024, 3, 3, 10}, {640, 480, 4, 3, 13}, {1500, 1000, 3, 2, 7},
                                {640, 427, 3, 2, 7},  {1, 1, 1, 1, 1},       {256, 256, 1, 1, 1}};
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); ++i) {
    const int *r = rows[i];
    vd_vlm_tile_plan p = plan_of(r[0], r[1], 1, 12, 448, true);
    CHECK_MSG(p.grid.cols == r[2] && p.grid.rows == r[3] && p.tiles == r[4] && p.grid_tiles == r[2] * r[3] &&
                  p.thumbnail == (r[4] > 1),
              "%dx%d: %dx%d grid, %d tiles (spec: %dx%d, %d)", r[0], r[1], p.grid.cols, p.grid.rows, p.tiles, r[2],
              r[3], r[4]);
    vd_vlm_tile_plan q = plan_of(r[0], r[1], 1, 12, 448, false);
    CHECK(q.grid.cols == r[2] && q.grid.rows == r[3] && q.tiles == r[2] * r[3] && !q.thumbnail);
  }
}

// One plans.txt line: the runs "w:CxR" for w = 1..wmax; returns how many sizes matched.
static int check_runs(int mn, int mx, int size, int h, int wmax, char *runs, int *out_sizes) {
  int matched = 0, w = 1, cols = 0, rows = 0, next = 0, c2 = 0, r2 = 0, used = 0;
  char *p = runs;
  if (sscanf(p, "%d:%dx%d%n", &next, &c2, &r2, &used) != 3 || next != 1) return -1;
  for (; w <= wmax; ++w) {
    if (w == next) {
      cols = c2, rows = r2;
      p += used;
      if (sscanf(p, "%d:%dx%d%n", &next, &c2, &r2, &used) != 3) next = wmax + 1;
    }
    vd_vlm_tile_plan got = plan_of(w, h, mn, mx, size, true);
    if (got.grid.cols == cols && got.grid.rows == rows) {
      ++matched;
    } else if (matched + 1 == w) {  // report the first mismatch of a line only
      CHECK_MSG(0, "min %d max %d size %d: %dx%d gets %dx%d, the reference %dx%d", mn, mx, size, w, h, got.grid.cols,
                got.grid.rows, cols, rows);
    }
  }
  *out_sizes = wmax;
  return matched;
}

static void test_plans(void) {
  FILE *f = open_golden("plans.txt");
  char *line = NULL;
  size_t cap = 0;
  int lines = 0, sizes = 0, matched = 0;
  while (next_line(f, &line, &cap)) {
    int mn, mx, size, h, wmax, used = 0, n = 0;
    if (sscanf(line, "plan %d %d %d %d %d %n", &mn, &mx, &size, &h, &wmax, &used) != 5) continue;
    int m = check_runs(mn, mx, size, h, wmax, line + used, &n);
    CHECK_MSG(m >= 0, "bad plans.txt line: %.60s", line);
    matched += m > 0 ? m : 0;
    sizes += n;
    ++lines;
  }
  free(line);
  fclose(f);
  CHECK_MSG(lines > 200 && matched == sizes, "%d of %d sizes get the reference's grid", matched, sizes);
  printf("tiles: %d of %d sizes (%d heights x all widths, 15 settings) get the reference's grid\n", matched, sizes,
         lines);
}

static void test_ties(void) {
  FILE *f = open_golden("ties.txt");
  char *line = NULL;
  size_t cap = 0;
  int cases = 0, same = 0, kinds[3] = {0, 0, 0};
  while (next_line(f, &line, &cap)) {
    int mn, mx, size, w, h, cols, rows, kind;
    if (sscanf(line, "tie %d %d %d %d %d %d %d %d", &mn, &mx, &size, &w, &h, &cols, &rows, &kind) != 8) continue;
    vd_vlm_tile_plan p = plan_of(w, h, mn, mx, size, true);
    int ok = p.grid.cols == cols && p.grid.rows == rows;
    CHECK_MSG(ok, "tie case min %d max %d size %d %dx%d: %dx%d, the reference %dx%d", mn, mx, size, w, h, p.grid.cols,
              p.grid.rows, cols, rows);
    same += ok;
    kinds[kind >= 0 && kind <= 2 ? kind : 0]++;
    ++cases;
  }
  free(line);
  fclose(f);
  CHECK_MSG(cases > 1000 && same == cases && kinds[1] > 100 && kinds[2] > 100, "%d of %d tie sizes as the reference",
            same, cases);
  printf("tiles: %d of %d tie sizes as the reference (%d decided among grids of one aspect, %d at a midpoint)\n",
         same, cases, kinds[1], kinds[2]);
}

// A tensors.txt case's image: a pattern of the generator, or a decoded file.
static vd_image case_image(const char *kind, const char *arg, int w, int h) {
  vd_image img = {0};
  if (strcmp(kind, "file") == 0) {
    char path[512];
    snprintf(path, sizeof(path), "%s/decode/%s", VDT_IMAGES, arg);
    CHECK_OK(vd_image_load(path, VD_PIXELS_RGB8, &img));
    return img;
  }
  return vdt_pattern(kind, strtoull(arg, NULL, 10), w, h, 3);
}

// The expected uint8 tile k of a plan, made independently: resize, crop or thumbnail.
static uint64_t tile_bytes_hash(const vd_image *rgb, const vd_vlm_tile_plan *p, int k) {
  int s = p->tile_size;
  vd_image big;
  int thumb = k == p->grid_tiles;
  CHECK_OK(vd_image_resample(rgb, thumb ? s : s * p->grid.cols, thumb ? s : s * p->grid.rows, VD_RESAMPLE_BICUBIC,
                             &big));
  if (!big.pixels) return 0;
  int x0 = thumb ? 0 : (k % p->grid.cols) * s, y0 = thumb ? 0 : (k / p->grid.cols) * s;
  uint8_t *tile = malloc((size_t)s * (size_t)s * 3);
  for (int y = 0; tile && y < s; ++y)
    memcpy(tile + (size_t)y * (size_t)s * 3, big.pixels + ((size_t)(y0 + y) * (size_t)big.width + (size_t)x0) * 3,
           (size_t)s * 3);
  uint64_t h = tile ? vdt_fnv64(tile, (size_t)s * (size_t)s * 3) : 0;
  free(tile);
  vd_image_free(&big);
  return h;
}

typedef struct tensor_case {
  char name[64], kind[16], arg[96];
  int w, h, mn, mx, size, thumb, cols, rows, tiles;
} tensor_case;

// Checks one case's tiles against the following `tiles` lines of the file; returns the tiles matched.
static int check_tensor_case(const tensor_case *c, FILE *f, char **line, size_t *cap) {
  vd_image rgb = case_image(c->kind, c->arg, c->w, c->h);
  vd_vlm_tile_plan p = plan_of(rgb.width, rgb.height, c->mn, c->mx, c->size, c->thumb != 0);
  CHECK_MSG(rgb.width == c->w && rgb.height == c->h && p.grid.cols == c->cols && p.grid.rows == c->rows &&
                p.tiles == c->tiles,
            "%s: plan %dx%d, %d tiles (reference %dx%d, %d)", c->name, p.grid.cols, p.grid.rows, p.tiles, c->cols,
            c->rows, c->tiles);
  size_t per_tile = 3 * (size_t)c->size * (size_t)c->size;
  float *t = malloc(vd_vlm_tiles_floats(&p) * sizeof(float) + 1);
  CHECK_OK(vd_vlm_tiles_make(&rgb, &p, t));
  int matched = 0;
  for (int k = 0; k < c->tiles && next_line(f, line, cap); ++k) {
    char name[64];
    int kk;
    unsigned long long want_bytes, want_floats;
    if (sscanf(*line, "tile %63s %d %llx %llx", name, &kk, &want_bytes, &want_floats) != 4 || kk != k ||
        strcmp(name, c->name) != 0) {
      CHECK_MSG(0, "tensors.txt: tile %d of %s missing", k, c->name);
      break;
    }
    int bytes_ok = k >= p.tiles || tile_bytes_hash(&rgb, &p, k) == want_bytes;
    int floats_ok = k < p.tiles && vdt_fnv64(t + (size_t)k * per_tile, per_tile * sizeof(float)) == want_floats;
    CHECK_MSG(bytes_ok && floats_ok, "%s tile %d: %s differ from the reference", c->name, k,
              bytes_ok ? "the float32 values" : "the resized pixels");
    matched += bytes_ok && floats_ok;
  }
  free(t);
  vd_image_free(&rgb);
  return matched;
}

static void test_tensors(void) {
  FILE *f = open_golden("tensors.txt");
  char *line = NULL;
  size_t cap = 0;
  int cases = 0, tiles = 0, matched = 0;
  while (next_line(f, &line, &cap)) {
    tensor_case c;
    if (sscanf(line, "case %63s %15s %95s %d %d %d %d %d %d %d %d %d", c.name, c.kind, c.arg, &c.w, &c.h, &c.mn,
               &c.mx, &c.size, &c.thumb, &c.cols, &c.rows, &c.tiles) != 12) {
      CHECK_MSG(0, "bad tensors.txt line: %.60s", line);
      continue;
    }
    matched += check_tensor_case(&c, f, &line, &cap);
    tiles += c.tiles;
    ++cases;
  }
  free(line);
  fclose(f);
  CHECK_MSG(cases >= 20 && matched == tiles, "%d of %d tiles identical to the reference's", matched, tiles);
  printf("tiles: %d of %d tiles of %d images identical to the reference's (uint8 and float32)\n", matched, tiles,
         cases);
}

static void test_errors(void) {
  vd_vlm_tile_plan p;
  vd_vlm_grid g[VD_VLM_MAX_GRIDS];
  int n = 7;
  CHECK_ERR(vd_vlm_tiles_plan(0, 5, 1, 12, 448, true, &p), VD_ERR_INVALID_ARGUMENT);
  CHECK_ERR(vd_vlm_tiles_plan(5, 70000, 1, 12, 448, true, &p), VD_ERR_INVALID_ARGUMENT);
  CHECK_ERR(vd_vlm_tiles_plan(5, 5, 0, 12, 448, true, &p), VD_ERR_INVALID_ARGUMENT);
  CHECK_ERR(vd_vlm_tiles_plan(5, 5, 3, 2, 448, true, &p), VD_ERR_INVALID_ARGUMENT);
  CHECK_ERR(vd_vlm_tiles_plan(5, 5, 1, VD_VLM_MAX_TILES + 1, 448, true, &p), VD_ERR_INVALID_ARGUMENT);
  CHECK_ERR(vd_vlm_tiles_plan(5, 5, 1, 12, 0, true, &p), VD_ERR_INVALID_ARGUMENT);
  CHECK_ERR(vd_vlm_tiles_plan(64, 1, 1, 64, 2048, true, &p), VD_ERR_LIMIT);  // 64 x 2048 wide
  CHECK_ERR(vd_vlm_tiles_candidates(1, 0, g, &n), VD_ERR_INVALID_ARGUMENT);
  CHECK(n == 0);
  CHECK_OK(vd_vlm_tiles_candidates(VD_VLM_MAX_TILES, VD_VLM_MAX_TILES, g, &n));
  CHECK(n == 7);  // the divisors of 64
  CHECK_OK(vd_vlm_tiles_candidates(1, VD_VLM_MAX_TILES, g, &n));
  CHECK(n == 280);
  // make: the image must be RGB8 of the plan's size, the plan consistent.
  vd_image rgb = vdt_pattern("noise", 1, 30, 20, 3), grey = vdt_pattern("noise", 2, 30, 20, 1);
  p = plan_of(30, 20, 1, 12, 16, true);
  float *t = malloc(vd_vlm_tiles_floats(&p) * sizeof(float));
  CHECK_ERR(vd_vlm_tiles_make(&grey, &p, t), VD_ERR_INVALID_ARGUMENT);
  vd_vlm_tile_plan other = plan_of(31, 20, 1, 12, 16, true), bad = p;
  CHECK_ERR(vd_vlm_tiles_make(&rgb, &other, t), VD_ERR_INVALID_ARGUMENT);
  bad.tiles += 1;
  CHECK_ERR(vd_vlm_tiles_make(&rgb, &bad, t), VD_ERR_INVALID_ARGUMENT);
  CHECK_OK(vd_vlm_tiles_make(&rgb, &p, t));
  free(t);
  vd_image_free(&rgb);
  vd_image_free(&grey);
}

int main(void) {
  test_spec_order();
  test_orders();
  test_spec_table();
  test_plans();
  test_ties();
  test_tensors();
  test_errors();
  return vdt_finish("test_vlm_tiles");
}
