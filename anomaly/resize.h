// Pillow's Image.resize((W, H), Image.BILINEAR) for 8-bit images (what torchvision's Resize((256, 256))
// runs on a PIL image, reducing_gap None): a triangle filter whose support is stretched by the
// down-scale factor (antialiasing), coefficients in double normalised to sum 1 and rounded to 22-bit
// fixed point, a horizontal pass over the rows the vertical pass needs, rounded to uint8, then the
// vertical pass, rounded to uint8. The aspect ratio is whatever W x H says (not preserved).
#ifndef VD_ANOMALY_RESIZE_H
#define VD_ANOMALY_RESIZE_H

#include "anomaly/image.h"

// Resizes an L8 or RGB8 image to out_width x out_height (a copy when the size is unchanged, as Pillow).
vd_status vd_image_resize(const vd_image *image, int out_width, int out_height, vd_image *out_image);

#endif
