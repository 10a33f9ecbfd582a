// PyTorch zip checkpoints (.ckpt, .pth, .pt as written by torch.save since 1.6): ARCHIVE/data.pkl holds
// the object tree, ARCHIVE/data/KEY the raw little-endian storages. The state dict is the dict under
// "state_dict" (PyTorch Lightning) or the top-level dict itself; its tensors point into the mapping.
#ifndef VD_FORMATS_CHECKPOINT_H
#define VD_FORMATS_CHECKPOINT_H

#include <stddef.h>

#include "formats/mapped_file.h"
#include "formats/weight_tensor.h"


typedef struct vd_checkpoint vd_checkpoint;

vd_status vd_checkpoint_open(const char *path, vd_checkpoint **out_checkpoint);
// Parses an archive already in memory (not copied). label names it in errors.
vd_status vd_checkpoint_parse(const uint8_t *data, size_t size, const char *label, vd_checkpoint **out_checkpoint);
void vd_checkpoint_destroy(vd_checkpoint *checkpoint);

size_t vd_checkpoint_count(const vd_checkpoint *checkpoint);
// Tensors in state-dict order. Views may be non-contiguous (stride/contiguous say so): vd_weight_convert
// gathers them into a dense copy.
const vd_weight_tensor *vd_checkpoint_tensor(const vd_checkpoint *checkpoint, size_t index);
// Entries of the state dict that are not tensors (skipped), and where the state dict was found
// ("state_dict" or "" for a bare dict).
size_t vd_checkpoint_skipped(const vd_checkpoint *checkpoint);
const char *vd_checkpoint_state_dict_key(const vd_checkpoint *checkpoint);
const vd_mapped_file *vd_checkpoint_mapping(const vd_checkpoint *checkpoint);

#endif
