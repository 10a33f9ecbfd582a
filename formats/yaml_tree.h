// A small, bounded YAML document tree built from libyaml events: scalars, sequences and mappings.
// Anchors and aliases are refused (config files do not need them and they allow expansion bombs); depth,
// node count and input size are limited.
#ifndef VD_FORMATS_YAML_TREE_H
#define VD_FORMATS_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "runtime/status.h"

#define VD_YAML_MAX_DEPTH 64            // nesting of collections
#define VD_YAML_MAX_NODES (1u << 20)    // nodes in one document
#define VD_YAML_MAX_BYTES (16u << 20)   // input size

typedef enum vd_yaml_kind { VD_YAML_SCALAR = 0, VD_YAML_SEQUENCE, VD_YAML_MAPPING } vd_yaml_kind;

typedef struct vd_yaml_node vd_yaml_node;
struct vd_yaml_node {
  vd_yaml_kind kind;       // which of the three
  char *value;             // scalar text (NUL-terminated), NULL for collections
  bool quoted;             // scalar was quoted (so "4" is a string, not an int)
  int line;                // 1-based line, for messages
  vd_yaml_node **items;    // sequence items, or mapping key, value, key, value, ...
  size_t count;            // entries of items
  size_t cap;              // allocated
};

// Parses the first document of text[0, len). label names it in errors.
vd_status vd_yaml_parse(const char *text, size_t len, const char *label, vd_yaml_node **out_root);
void vd_yaml_free(vd_yaml_node *node);
// Value of a mapping's scalar key, or NULL (last one wins on duplicates).
const vd_yaml_node *vd_yaml_get(const vd_yaml_node *map, const char *key);

#endif
