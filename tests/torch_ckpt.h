// Writes PyTorch zip checkpoints the way torch.save(model.state_dict(), PATH) lays them out, for load tests
// of the official key layouts (DINO's .pth, torchvision / timm ResNet-50): a flat OrderedDict of tensors
// as the pickle's top object (archive/data.pkl, protocol 2), one storage entry per tensor
// (archive/data/K, little-endian, 64-byte aligned through an extra field, as torch pads them),
// archive/version, CRC-32 filled in. Tensor data is streamed to the file: full-size networks (~100 MB)
// need no memory beyond the largest tensor.
#ifndef VD_TESTS_TORCH_CKPT_H
#define VD_TESTS_TORCH_CKPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct vdt_ckpt_entry {
  const char *name;  // state-dict key
  int rank;          // dimensions (0: a scalar such as num_batches_tracked)
  int64_t shape[8];  // extents
  bool int64;        // a LongStorage tensor (else float32)
} vdt_ckpt_entry;

// Writes entry i's numel values (float or int64_t per the entry) into data.
typedef void (*vdt_ckpt_fill_fn)(void *user, size_t i, void *data, uint64_t numel);

// Writes the checkpoint to path; exits the test with a message on any I/O error.
void vdt_write_torch_ckpt(const char *path, const vdt_ckpt_entry *entries, size_t n, vdt_ckpt_fill_fn fill,
                          void *user);
uint64_t vdt_ckpt_numel(const vdt_ckpt_entry *e);

#endif
