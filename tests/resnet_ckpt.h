// The ResNet checkpoint layout of a config for the tests (torchvision / timm key names, flat, no prefix):
// every key the engine reads (each conv weight and its BN's four tensors, vd_resnet_checkpoint_specs of a
// graph that builds all four stages), each BN's num_batches_tracked (int64 scalar) and fc.weight / fc.bias,
// in module order as torch.save writes them. Values follow tests/data/resnet/README.md.
#ifndef VD_TESTS_RESNET_CKPT_H
#define VD_TESTS_RESNET_CKPT_H

#include <stddef.h>

#include "formats/config.h"
#include "tests/torch_ckpt.h"

typedef struct vdt_resnet_ckpt {
  vdt_ckpt_entry *entries;  // the layout
  char *names;              // storage of the entries' names
  size_t count;             // entries
} vdt_resnet_ckpt;

// The layout of config c with an fc of `classes` outputs; skip: a key left out (NULL: none), for the
// missing-key test. Exits the test on failure.
vdt_resnet_ckpt vdt_resnet_ckpt_layout(const vd_resnet_config *c, int classes, const char *skip);
void vdt_resnet_ckpt_free(vdt_resnet_ckpt *k);
// The README's generated values of a key's numel elements (float32 keys); int64 keys stay 0.
void vdt_resnet_ckpt_values(const vdt_ckpt_entry *e, void *data, uint64_t numel);
// Writes the layout with the generated values as a torch zip checkpoint.
void vdt_resnet_ckpt_write(const vdt_resnet_ckpt *k, const char *path);

#endif
