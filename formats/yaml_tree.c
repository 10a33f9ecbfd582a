#include "formats/yaml_tree.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct vd_yaml_builder {
  const char *label;                       // for messages
  vd_yaml_node *stack[VD_YAML_MAX_DEPTH];  // open collections
  int depth;                               // entries of stack
  vd_yaml_node *root;                      // first node of the document
  size_t nodes;                            // nodes built
  bool done;                               // the first document ended
} vd_yaml_builder;

void vd_yaml_free(vd_yaml_node *n) {
  if (!n) return;
  for (size_t i = 0; i < n->count; ++i) vd_yaml_free(n->items[i]);
  free(n->items);
  free(n->value);
  free(n);
}

static vd_status vd_yaml_attach(vd_yaml_builder *b, vd_yaml_node *n) {
  if (!b->depth) {
    if (b->root) {
      vd_yaml_free(n);
      return vd_status_make(VD_ERR_FORMAT, "%s: more than one root node", b->label);
    }
    b->root = n;
    return NULL;
  }
  vd_yaml_node *parent = b->stack[b->depth - 1];
  if (parent->count == parent->cap) {
    size_t cap = parent->cap ? parent->cap * 2 : 8;
    vd_yaml_node **items = realloc(parent->items, cap * sizeof(*items));
    if (!items) {
      vd_yaml_free(n);
      return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", b->label);
    }
    parent->items = items;
    parent->cap = cap;
  }
  parent->items[parent->count++] = n;
  return NULL;
}

static vd_status vd_yaml_new(vd_yaml_builder *b, vd_yaml_kind kind, const yaml_event_t *e, vd_yaml_node **out) {
  if (++b->nodes > VD_YAML_MAX_NODES)
    return vd_status_make(VD_ERR_LIMIT, "%s: more than %u YAML nodes", b->label, VD_YAML_MAX_NODES);
  vd_yaml_node *n = calloc(1, sizeof(*n));
  if (!n) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", b->label);
  n->kind = kind;
  n->line = (int)e->start_mark.line + 1;
  if (kind == VD_YAML_SCALAR) {
    size_t len = e->data.scalar.length;
    if (!(n->value = malloc(len + 1))) {
      free(n);
      return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", b->label);
    }
    memcpy(n->value, e->data.scalar.value, len);
    n->value[len] = '\0';
    n->quoted = e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
  }
  *out = n;
  return vd_yaml_attach(b, n);
}

static vd_status vd_yaml_open(vd_yaml_builder *b, vd_yaml_kind kind, const yaml_event_t *e) {
  if (b->depth >= VD_YAML_MAX_DEPTH)
    return vd_status_make(VD_ERR_LIMIT, "%s: line %d: YAML nested deeper than %d", b->label,
                          (int)e->start_mark.line + 1, VD_YAML_MAX_DEPTH);
  vd_yaml_node *n = NULL;
  VD_RETURN_IF_ERROR(vd_yaml_new(b, kind, e, &n));
  b->stack[b->depth++] = n;
  return NULL;
}

static vd_status vd_yaml_event(vd_yaml_builder *b, const yaml_event_t *e) {
  vd_yaml_node *n = NULL;
  switch (e->type) {
    case YAML_ALIAS_EVENT:
      return vd_status_make(VD_ERR_FORMAT, "%s: line %d: YAML aliases are not supported", b->label,
                            (int)e->start_mark.line + 1);
    case YAML_SCALAR_EVENT: return vd_yaml_new(b, VD_YAML_SCALAR, e, &n);
    case YAML_SEQUENCE_START_EVENT: return vd_yaml_open(b, VD_YAML_SEQUENCE, e);
    case YAML_MAPPING_START_EVENT: return vd_yaml_open(b, VD_YAML_MAPPING, e);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: --b->depth; return NULL;
    case YAML_DOCUMENT_END_EVENT: b->done = true; return NULL;
    default: return NULL;
  }
}

static vd_status vd_yaml_run(yaml_parser_t *p, vd_yaml_builder *b) {
  while (!b->done) {
    yaml_event_t e;
    if (!yaml_parser_parse(p, &e))
      return vd_status_make(VD_ERR_FORMAT, "%s: line %zu: YAML error: %s", b->label, p->problem_mark.line + 1,
                            p->problem ? p->problem : "malformed");
    bool end = e.type == YAML_STREAM_END_EVENT;
    vd_status st = vd_yaml_event(b, &e);
    yaml_event_delete(&e);
    VD_RETURN_IF_ERROR(st);
    if (end) break;
  }
  if (!b->root) return vd_status_make(VD_ERR_FORMAT, "%s: empty YAML document", b->label);
  return NULL;
}

vd_status vd_yaml_parse(const char *text, size_t len, const char *label, vd_yaml_node **out_root) {
  *out_root = NULL;
  if (len > VD_YAML_MAX_BYTES)
    return vd_status_make(VD_ERR_LIMIT, "%s: YAML larger than %u bytes", label, VD_YAML_MAX_BYTES);
  yaml_parser_t p;
  if (!yaml_parser_initialize(&p)) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", label);
  yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
  vd_yaml_builder b = {.label = label};
  vd_status st = vd_yaml_run(&p, &b);
  yaml_parser_delete(&p);
  if (st) {
    vd_yaml_free(b.root);
    return st;
  }
  *out_root = b.root;
  return NULL;
}

const vd_yaml_node *vd_yaml_get(const vd_yaml_node *map, const char *key) {
  if (!map || map->kind != VD_YAML_MAPPING) return NULL;
  const vd_yaml_node *found = NULL;
  for (size_t i = 0; i + 1 < map->count; i += 2)
    if (map->items[i]->kind == VD_YAML_SCALAR && strcmp(map->items[i]->value, key) == 0) found = map->items[i + 1];
  return found;
}
