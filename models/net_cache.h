// A small cache of recorded networks keyed by what they were built for (network kind and shapes): the
// graph, its weights and its recorded executor are made once per key and replayed afterwards. The
// oldest entry is evicted when the cache is full. Shared by the model runners (ldm, dino).
#ifndef VD_MODELS_NET_CACHE_H
#define VD_MODELS_NET_CACHE_H

#include "graph/exec.h"
#include "models/weights_gpu.h"

#define VD_NET_CACHE_SIZE 8

typedef struct vd_net_key {
  uint32_t kind;          // which network (the runner's enum)
  uint32_t n, h, w, len;  // the shapes it is built for (unused ones 0)
} vd_net_key;

// Builds the graph for key; loads (or generates) its weights into the runner's weights.
typedef vd_status (*vd_net_build_fn)(void *user, const vd_net_key *key, vd_graph *g);
typedef vd_status (*vd_net_load_fn)(void *user, const vd_net_key *key, const vd_graph *g);

typedef struct vd_net_entry {
  vd_net_key key;  // what it was built for
  vd_graph *graph;  // its graph
  vd_exec *exec;    // recorded once
} vd_net_entry;

typedef struct vd_net_cache {
  vd_context *ctx;           // device
  vd_kernels *kernels;       // pipelines
  vd_weights_gpu *weights;   // resolves the graphs' weights
  vd_precision precision;    // of every graph
  uint32_t count;            // live entries
  vd_net_entry entries[VD_NET_CACHE_SIZE];
} vd_net_cache;

// The executor for key, building, loading and recording it on first use.
vd_status vd_net_cache_get(vd_net_cache *cache, const vd_net_key *key, vd_net_build_fn build, vd_net_load_fn load,
                           void *user, vd_exec **out_exec);
void vd_net_cache_clear(vd_net_cache *cache);

#endif
