// Steps 3 to 5 of the captioner's tiling (spec §3.7): the BICUBIC resize of the whole image to the grid,
// row-major crops, the thumbnail from the original image, and ToTensor + Normalize per tile. The per-tile
// Resize((tile_size, tile_size), BICUBIC) of build_transform is not run: every tile already has that size,
// and Pillow returns an unfiltered copy then.
#include <string.h>

#include "anomaly/preprocess.h"
#include "anomaly/resize.h"
#include "anomaly/vlm_tiles.h"

static vd_status vd_check_plan(const vd_image *rgb, const vd_vlm_tile_plan *p) {
  if (!rgb->pixels || rgb->channels != 3)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "tiles: the image is not RGB8");
  if (rgb->width != p->image_width || rgb->height != p->image_height)
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "tiles: the image is %dx%d, the plan is for %dx%d", rgb->width,
                          rgb->height, p->image_width, p->image_height);
  if (p->tile_size < 1 || p->tile_size > VD_VLM_MAX_TILE_SIZE || p->grid.cols < 1 || p->grid.rows < 1 ||
      p->grid_tiles != p->grid.cols * p->grid.rows || p->grid_tiles > VD_VLM_MAX_TILES ||
      p->tiles != p->grid_tiles + (p->thumbnail ? 1 : 0))
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "tiles: inconsistent plan (use vd_vlm_tiles_plan)");
  return NULL;
}

// resized.crop((x0, y0, x0 + side, y0 + side)) into tile (side x side, RGB8), inside resized.
static void vd_crop(const vd_image *resized, int x0, int y0, vd_image *tile) {
  size_t row = (size_t)tile->width * 3;
  for (int y = 0; y < tile->height; ++y) {
    const uint8_t *src = resized->pixels + ((size_t)(y0 + y) * (size_t)resized->width + (size_t)x0) * 3;
    memcpy(tile->pixels + (size_t)y * row, src, row);
  }
}

// The grid tiles of the plan into out[0, grid_tiles), one tile-sized image at a time.
static vd_status vd_grid_tiles(const vd_image *rgb, const vd_vlm_tile_plan *p, float *out) {
  int side = p->tile_size;
  size_t per_tile = 3 * (size_t)side * (size_t)side;
  vd_image resized, tile;
  VD_RETURN_IF_ERROR(vd_image_resample(rgb, side * p->grid.cols, side * p->grid.rows, VD_RESAMPLE_BICUBIC, &resized));
  vd_status st = vd_image_alloc(side, side, 3, &tile);
  for (int k = 0; !st && k < p->grid_tiles; ++k) {
    vd_crop(&resized, (k % p->grid.cols) * side, (k / p->grid.cols) * side, &tile);
    st = vd_image_normalize(&tile, out + (size_t)k * per_tile);
  }
  vd_image_free(&tile);
  vd_image_free(&resized);
  return st;
}

// The thumbnail: the original image resized to tile_size^2, BICUBIC.
static vd_status vd_thumbnail(const vd_image *rgb, int side, float *out) {
  vd_image thumb;
  VD_RETURN_IF_ERROR(vd_image_resample(rgb, side, side, VD_RESAMPLE_BICUBIC, &thumb));
  vd_status st = vd_image_normalize(&thumb, out);
  vd_image_free(&thumb);
  return st;
}

vd_status vd_vlm_tiles_make(const vd_image *rgb, const vd_vlm_tile_plan *plan, float *out_tensor) {
  VD_RETURN_IF_ERROR(vd_check_plan(rgb, plan));
  VD_RETURN_IF_ERROR(vd_grid_tiles(rgb, plan, out_tensor));
  if (!plan->thumbnail) return NULL;
  size_t per_tile = 3 * (size_t)plan->tile_size * (size_t)plan->tile_size;
  return vd_thumbnail(rgb, plan->tile_size, out_tensor + (size_t)plan->grid_tiles * per_tile);
}
