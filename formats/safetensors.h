// safetensors reader: an 8-byte little-endian header length, a JSON header naming every tensor
// (dtype, shape, data_offsets into the byte buffer that follows) and the raw little-endian data.
// Nothing in the header is trusted: see vd_safetensors_parse for the checks.
#ifndef VD_FORMATS_SAFETENSORS_H
#define VD_FORMATS_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "formats/mapped_file.h"
#include "formats/weight_tensor.h"

#define VD_SAFETENSORS_MAX_HEADER (100u << 20)  // header bytes accepted (the reference reader uses 100 MB)
#define VD_SAFETENSORS_MAX_TENSORS (1u << 20)   // tensors in one file

typedef struct vd_safetensors vd_safetensors;

// Maps path and parses it. The file stays mapped until destroy.
vd_status vd_safetensors_open(const char *path, vd_safetensors **out_file);
// Parses bytes already in memory (not copied; must outlive the object). label names it in errors.
// Checks: header length within the file and the limit, JSON well-formed (trailing spaces only), every
// entry an object with a known dtype, a shape of at most VD_WEIGHT_MAX_RANK non-negative integers and
// two data_offsets with begin <= end <= data size, shape x dtype size == end - begin without overflow,
// unique names, ranges not overlapping; "__metadata__" must map strings to strings.
vd_status vd_safetensors_parse(const uint8_t *data, size_t size, const char *label, vd_safetensors **out_file);
void vd_safetensors_destroy(vd_safetensors *file);

size_t vd_safetensors_count(const vd_safetensors *file);
// Tensors in header order.
const vd_weight_tensor *vd_safetensors_tensor(const vd_safetensors *file, size_t index);
// NULL when absent.
const vd_weight_tensor *vd_safetensors_find(const vd_safetensors *file, const char *name);
// The mapping (NULL for a parsed buffer), for releasing consumed pages.
const vd_mapped_file *vd_safetensors_mapping(const vd_safetensors *file);

#endif
