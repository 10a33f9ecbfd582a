// The reference's tensors (VLMDiff data_loaders/data_utils.py, spec vlmdiff-pipeline.md §1.2): images go
// through torchvision's Resize((256, 256)) + ToTensor + Normalize(ImageNet mean, std), masks through
// Resize((256, 256)) + ToTensor, all float32 and CHW, with torch's arithmetic: ToTensor is a float32
// division by 255, Normalize a float32 subtraction of mean[c] then division by std[c], where mean and std
// are the float32 roundings of the decimal constants. And back, for pictures: the de-normalisation
// test.py applies before drawing a heat map, (x * std[c] + mean[c]) * 255 in float32.
#ifndef VD_ANOMALY_PREPROCESS_H
#define VD_ANOMALY_PREPROCESS_H

#include "anomaly/image.h"

#define VD_INPUT_SIZE 256  // the side every image and mask is resized to

extern const float vd_imagenet_mean[3];  // (float)0.485, (float)0.456, (float)0.406
extern const float vd_imagenet_std[3];   // (float)0.229, (float)0.224, (float)0.225

// ToTensor + Normalize of an RGB8 image into out_chw[3 * height * width] (R plane, then G, then B).
vd_status vd_image_normalize(const vd_image *rgb, float *out_chw);
// ToTensor of an L8 mask into out[height * width]: value / 255 (not binarised).
vd_status vd_mask_to_unit(const vd_image *mask, float *out);

// The dataset transforms, from a file: decode (convert('RGB') / convert('L')), resize to size x size,
// then the tensor above. *out_* is malloc'ed: 3 * size * size floats for an image, size * size for a mask.
vd_status vd_load_image_tensor(const char *path, int size, float **out_chw);
vd_status vd_load_mask_tensor(const char *path, int size, float **out_mask);

typedef enum vd_denorm_rounding {
  VD_DENORM_TRUNCATE = 0,  // numpy's astype(uint8) as test.py does for the heat-map background
  VD_DENORM_ROUND = 1,     // OpenCV's saturate_cast (round half to even) as cv2.imwrite of a float image
} vd_denorm_rounding;

// The de-normalised image of a CHW tensor: v = (x * std[c] + mean[c]) * 255 in float32, then rounded as
// asked and clamped to [0, 255] (NaN gives 0). Out-of-range values wrap in numpy's cast; they are clamped
// here (a normalised input image never has any).
vd_status vd_image_denormalize(const float *chw, int width, int height, vd_denorm_rounding rounding,
                               vd_image *out_rgb);

#endif
