#include "models/net_cache.h"

#include <string.h>

static void vd_net_entry_free(vd_net_entry *e) {
  vd_exec_destroy(e->exec);
  vd_graph_destroy(e->graph);
  memset(e, 0, sizeof(*e));
}

vd_status vd_net_cache_get(vd_net_cache *c, const vd_net_key *key, vd_net_build_fn build, vd_net_load_fn load,
                           void *user, vd_exec **out_exec) {
  for (uint32_t i = 0; i < c->count; ++i)
    if (memcmp(&c->entries[i].key, key, sizeof(*key)) == 0) {
      *out_exec = c->entries[i].exec;
      return NULL;
    }
  if (c->count == VD_NET_CACHE_SIZE) {  // evict the oldest
    vd_net_entry_free(&c->entries[0]);
    memmove(&c->entries[0], &c->entries[1], (VD_NET_CACHE_SIZE - 1) * sizeof(vd_net_entry));
    c->count--;
  }
  vd_net_entry *e = &c->entries[c->count];
  *e = (vd_net_entry){.key = *key};
  vd_status st = vd_graph_create(c->precision, &e->graph);
  if (!st) st = build(user, key, e->graph);
  if (!st) st = load(user, key, e->graph);
  if (!st) st = vd_exec_create(c->ctx, c->kernels, e->graph, vd_weights_gpu_resolve, c->weights, NULL, &e->exec);
  if (st) {
    vd_net_entry_free(e);
    return st;
  }
  c->count++;
  *out_exec = e->exec;
  return NULL;
}

void vd_net_cache_clear(vd_net_cache *c) {
  for (uint32_t i = 0; i < c->count; ++i) vd_net_entry_free(&c->entries[i]);
  c->count = 0;
}
