// Steps 1, 2 and the thumbnail rule of the captioner's tiling (spec §3.7): find_closest_aspect_ratio over
// the candidate grids, in the reference's double arithmetic (Python's int / int true division and float
// abs are the IEEE double operations below; width * height and 0.5 * tile_size^2 * cols * rows are exact
// doubles within the limits, so the comparison is Python's exact int-float comparison).
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "anomaly/vlm_tiles.h"

// The grid whose aspect is closest to width / height; on an exact tie the later grid wins iff the image's
// area exceeds half the grid's area in tiles (the reference's rule, which favours more tiles for larger
// images of one aspect).
static vd_vlm_grid vd_closest_grid(int width, int height, int tile_size, const vd_vlm_grid *grids, int count) {
  double aspect = (double)width / (double)height;
  double area = (double)((int64_t)width * height);
  double best_diff = INFINITY;
  vd_vlm_grid best = {1, 1};
  for (int k = 0; k < count; ++k) {
    double diff = fabs(aspect - (double)grids[k].cols / (double)grids[k].rows);
    if (diff < best_diff) {
      best_diff = diff;
      best = grids[k];
    } else if (diff == best_diff && area > 0.5 * tile_size * tile_size * grids[k].cols * grids[k].rows) {
      best = grids[k];
    }
  }
  return best;
}

static vd_status vd_check_sizes(int width, int height, int tile_size) {
  if (width < 1 || height < 1 || width > VD_IMAGE_MAX_SIDE || height > VD_IMAGE_MAX_SIDE ||
      (uint64_t)width * (uint64_t)height > VD_IMAGE_MAX_PIXELS)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "tiles: image size %dx%d outside the image limits", width,
                          height);
  if (tile_size < 1 || tile_size > VD_VLM_MAX_TILE_SIZE)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "tiles: tile size %d not in 1..%d", tile_size,
                          VD_VLM_MAX_TILE_SIZE);
  return NULL;
}

// The resized grid image must be an image this layer can hold.
static vd_status vd_check_grid_image(vd_vlm_grid g, int tile_size) {
  uint64_t w = (uint64_t)tile_size * (uint64_t)g.cols, h = (uint64_t)tile_size * (uint64_t)g.rows;
  if (w > VD_IMAGE_MAX_SIDE || h > VD_IMAGE_MAX_SIDE || w * h > VD_IMAGE_MAX_PIXELS)
    return vd_status_make(VD_ERR_LIMIT, "tiles: a %dx%d grid of %d-pixel tiles (%llux%llu) exceeds the image limits",
                          g.cols, g.rows, tile_size, (unsigned long long)w, (unsigned long long)h);
  return NULL;
}

vd_status vd_vlm_tiles_plan(int width, int height, int min_tiles, int max_tiles, int tile_size, bool use_thumbnail,
                            vd_vlm_tile_plan *out_plan) {
  memset(out_plan, 0, sizeof(*out_plan));
  VD_RETURN_IF_ERROR(vd_check_sizes(width, height, tile_size));
  vd_vlm_grid grids[VD_VLM_MAX_GRIDS];
  int count;
  VD_RETURN_IF_ERROR(vd_vlm_tiles_candidates(min_tiles, max_tiles, grids, &count));
  vd_vlm_grid g = vd_closest_grid(width, height, tile_size, grids, count);
  VD_RETURN_IF_ERROR(vd_check_grid_image(g, tile_size));
  out_plan->image_width = width;
  out_plan->image_height = height;
  out_plan->tile_size = tile_size;
  out_plan->grid = g;
  out_plan->grid_tiles = g.cols * g.rows;
  out_plan->thumbnail = use_thumbnail && out_plan->grid_tiles != 1;
  out_plan->tiles = out_plan->grid_tiles + out_plan->thumbnail;
  return NULL;
}

size_t vd_vlm_tiles_floats(const vd_vlm_tile_plan *plan) {
  return (size_t)plan->tiles * 3 * (size_t)plan->tile_size * (size_t)plan->tile_size;
}
