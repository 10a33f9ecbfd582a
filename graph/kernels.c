#include "graph/kernels.h"

#include <stdlib.h>
#include <string.h>

typedef struct vd_kernel_entry {
  vd_pipeline_desc desc;   // key (shader name copied into name_buf)
  char name_buf[64];       // owned copy of desc.shader
  vd_pipeline *pipeline;   // value
} vd_kernel_entry;

struct vd_kernels {
  vd_context *ctx;           // owner of the pipelines
  vd_kernel_entry *entries;  // linear table: a network uses a few dozen distinct pipelines
  uint32_t count;            // entries in use
  uint32_t capacity;         // entries allocated
};

vd_status vd_kernels_create(vd_context *ctx, vd_kernels **out_kernels) {
  *out_kernels = calloc(1, sizeof(vd_kernels));
  if (!*out_kernels) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "kernel cache");
  (*out_kernels)->ctx = ctx;
  return NULL;
}

void vd_kernels_destroy(vd_kernels *k) {
  if (!k) return;
  for (uint32_t i = 0; i < k->count; ++i) vd_pipeline_destroy(k->ctx, k->entries[i].pipeline);
  free(k->entries);
  free(k);
}

vd_context *vd_kernels_context(const vd_kernels *k) { return k->ctx; }
uint32_t vd_kernels_count(const vd_kernels *k) { return k->count; }

static bool vd_desc_equal(const vd_pipeline_desc *a, const vd_pipeline_desc *b) {
  return strcmp(a->shader, b->shader) == 0 && a->precision == b->precision && a->binding_count == b->binding_count &&
         a->push_size == b->push_size && a->spec_count == b->spec_count &&
         a->required_subgroup_size == b->required_subgroup_size &&
         memcmp(a->spec, b->spec, a->spec_count * sizeof(uint32_t)) == 0;
}

vd_status vd_kernels_get(vd_kernels *k, const vd_pipeline_desc *desc, const vd_pipeline **out_pipeline) {
  for (uint32_t i = 0; i < k->count; ++i)
    if (vd_desc_equal(&k->entries[i].desc, desc)) {
      *out_pipeline = k->entries[i].pipeline;
      return NULL;
    }
  if (strlen(desc->shader) >= sizeof(k->entries[0].name_buf))
    return vd_status_make(VD_ERR_INVALID_ARGUMENT, "shader name too long: %s", desc->shader);
  if (k->count == k->capacity) {
    uint32_t cap = k->capacity ? 2 * k->capacity : 32;
    vd_kernel_entry *e = realloc(k->entries, cap * sizeof(*e));
    if (!e) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "kernel cache");
    k->entries = e;
    k->capacity = cap;
    for (uint32_t i = 0; i < k->count; ++i) k->entries[i].desc.shader = k->entries[i].name_buf;  // moved
  }
  vd_kernel_entry *e = &k->entries[k->count];
  vd_pipeline *p = NULL;
  VD_RETURN_IF_ERROR(vd_pipeline_create(k->ctx, desc, &p));
  e->desc = *desc;
  strcpy(e->name_buf, desc->shader);
  e->desc.shader = e->name_buf;
  e->pipeline = p;
  k->count++;
  *out_pipeline = p;
  return NULL;
}
