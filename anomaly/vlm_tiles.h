// The InternVL2 captioner's image pre-processing exactly as VLMDiff runs it (load_image /
// dynamic_preprocess / build_transform; spec encoders-and-captioner.md §3.7, config keys §3.2):
//
//   1. candidate grids: every (cols, rows) with min_tiles <= cols * rows <= max_tiles, in the reference's
//      order: a Python set sorted by the product only, so within a product CPython's set order;
//   2. the grid whose aspect cols / rows is closest to width / height (double arithmetic, strict <); on an
//      exact tie a later grid replaces the best one iff width * height > 0.5 * tile_size^2 * cols * rows;
//   3. the whole image resized to (tile_size * cols, tile_size * rows) by Pillow's default filter for RGB,
//      BICUBIC (a copy when the size already matches), cut into cols * rows tiles in row-major order;
//   4. when more than one tile and use_thumbnail: the whole image resized to tile_size^2 (BICUBIC, from
//      the original), appended last;
//   5. per tile build_transform: Resize((tile_size, tile_size), BICUBIC), a no-op on a tile of that size
//      (Pillow returns a copy), ToTensor (v / 255 in float32), Normalize(ImageNet mean, std) in float32.
//
// The result is float32 [T, 3, tile_size, tile_size]; the reference then casts it to bfloat16 for the
// network (the model's input upload, not this step). Before load_image VLMDiff's loaders turn the decoded
// image into a ToTensor tensor and back (to_pil_image, mul(255).byte()): exact for every byte, so the input
// here is simply the decoded image, convert('RGB') (vd_image_load with VD_PIXELS_RGB8).
#ifndef VD_ANOMALY_VLM_TILES_H
#define VD_ANOMALY_VLM_TILES_H

#include <stdbool.h>
#include <stddef.h>

#include "anomaly/image.h"

#define VD_VLM_TILE_SIZE 448         // InternVL2's force_image_size (the vision model's image_size)
#define VD_VLM_DEFAULT_MIN_TILES 1   // min_dynamic_patch
#define VD_VLM_DEFAULT_MAX_TILES 12  // max_dynamic_patch, and VLMDiff's load_image(max_num=12): --max-tiles
#define VD_VLM_USE_THUMBNAIL true    // use_thumbnail (VLMDiff's load_image passes True)
#define VD_VLM_MAX_TILES 64          // the largest max_tiles accepted (grid tiles; the thumbnail comes on top)
#define VD_VLM_MAX_GRIDS 320         // capacity for the candidate grids of max_tiles = VD_VLM_MAX_TILES (280)
#define VD_VLM_MAX_TILE_SIZE 4096    // the largest tile side accepted

// One candidate grid.
typedef struct vd_vlm_grid {
  int cols;  // tiles across: the resized image is tile_size * cols wide
  int rows;  // tiles down: tile_size * rows high
} vd_vlm_grid;

// How one image becomes tiles: a pure function of its size and the settings (vd_vlm_tiles_plan).
typedef struct vd_vlm_tile_plan {
  int image_width;   // the source image's width in pixels
  int image_height;  // the source image's height in pixels
  int tile_size;     // side of every tile in pixels
  vd_vlm_grid grid;  // the grid picked (step 2)
  int grid_tiles;    // grid.cols * grid.rows crops, row-major
  bool thumbnail;    // a tile_size^2 resize of the whole image follows the crops
  int tiles;         // grid_tiles + thumbnail: T of the [T, 3, tile_size, tile_size] tensor
} vd_vlm_tile_plan;

// The candidate grids of step 1 in the reference's order into out_grids[0, *out_count). Requires
// 1 <= min_tiles <= max_tiles <= VD_VLM_MAX_TILES.
vd_status vd_vlm_tiles_candidates(int min_tiles, int max_tiles, vd_vlm_grid out_grids[VD_VLM_MAX_GRIDS],
                                  int *out_count);

// Steps 1, 2 and 4's condition for a width x height image. Requires sizes within the image limits
// (anomaly/image.h), 1 <= min_tiles <= max_tiles <= VD_VLM_MAX_TILES, 1 <= tile_size <=
// VD_VLM_MAX_TILE_SIZE, and the resized grid image within the image limits too.
vd_status vd_vlm_tiles_plan(int width, int height, int min_tiles, int max_tiles, int tile_size, bool use_thumbnail,
                            vd_vlm_tile_plan *out_plan);

// Floats of the plan's tensor: tiles * 3 * tile_size * tile_size.
size_t vd_vlm_tiles_floats(const vd_vlm_tile_plan *plan);

// Steps 3 to 5 for an RGB8 image of the plan's size, into out_tensor[vd_vlm_tiles_floats(plan)]: tile k
// (row-major, the thumbnail last) at out_tensor + k * 3 * tile_size^2, planes R, G, B.
vd_status vd_vlm_tiles_make(const vd_image *rgb, const vd_vlm_tile_plan *plan, float *out_tensor);

#endif
