#include "formats/config_yaml.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/config_fields.h"
#include "formats/yaml_tree.h"

#define VD_F(s, key, type) {#key, type, offsetof(s, key)}
#define VD_IGNORE(key) {key, VD_CFG_IGNORE, 0}

static const vd_cfg_field vd_diffusion_fields[] = {
    VD_F(vd_diffusion_config, linear_start, VD_CFG_FLOAT), VD_F(vd_diffusion_config, linear_end, VD_CFG_FLOAT),
    VD_F(vd_diffusion_config, timesteps, VD_CFG_INT),      VD_F(vd_diffusion_config, scale_factor, VD_CFG_FLOAT),
    VD_F(vd_diffusion_config, image_size, VD_CFG_INT),     VD_F(vd_diffusion_config, channels, VD_CFG_INT),
    VD_F(vd_diffusion_config, only_mid_control, VD_CFG_BOOL), VD_F(vd_diffusion_config, use_ema, VD_CFG_BOOL),
    VD_IGNORE("num_timesteps_cond"), VD_IGNORE("log_every_t"), VD_IGNORE("first_stage_key"),
    VD_IGNORE("cond_stage_key"), VD_IGNORE("control_key"), VD_IGNORE("cond_stage_trainable"),
    VD_IGNORE("conditioning_key"), VD_IGNORE("monitor"), VD_IGNORE("scale_by_std"), VD_IGNORE("sd_locked"),
    VD_IGNORE("unet_config"), VD_IGNORE("control_stage_config"), VD_IGNORE("first_stage_config"),
    VD_IGNORE("cond_stage_config"), VD_IGNORE("scheduler_config"), VD_IGNORE("parameterization"),
};

static const vd_cfg_field vd_unet_fields[] = {
    VD_F(vd_unet_config, image_size, VD_CFG_INT),          VD_F(vd_unet_config, in_channels, VD_CFG_INT),
    VD_F(vd_unet_config, out_channels, VD_CFG_INT),        VD_F(vd_unet_config, hint_channels, VD_CFG_INT),
    VD_F(vd_unet_config, model_channels, VD_CFG_INT),      VD_F(vd_unet_config, attention_resolutions, VD_CFG_INT_LIST),
    VD_F(vd_unet_config, num_res_blocks, VD_CFG_INT),      VD_F(vd_unet_config, channel_mult, VD_CFG_INT_LIST),
    VD_F(vd_unet_config, num_heads, VD_CFG_INT),           VD_F(vd_unet_config, num_head_channels, VD_CFG_INT),
    VD_F(vd_unet_config, transformer_depth, VD_CFG_INT),   VD_F(vd_unet_config, context_dim, VD_CFG_INT),
    VD_F(vd_unet_config, use_spatial_transformer, VD_CFG_BOOL),
    VD_F(vd_unet_config, use_linear_in_transformer, VD_CFG_BOOL), VD_F(vd_unet_config, use_checkpoint, VD_CFG_BOOL),
    VD_F(vd_unet_config, legacy, VD_CFG_BOOL),             VD_F(vd_unet_config, dropout, VD_CFG_FLOAT),
    VD_IGNORE("use_fp16"), VD_IGNORE("conv_resample"), VD_IGNORE("dims"), VD_IGNORE("use_scale_shift_norm"),
    VD_IGNORE("resblock_updown"), VD_IGNORE("use_new_attention_order"),
};

static const vd_cfg_field vd_vae_fields[] = {
    VD_F(vd_vae_config, double_z, VD_CFG_BOOL),      VD_F(vd_vae_config, z_channels, VD_CFG_INT),
    VD_F(vd_vae_config, resolution, VD_CFG_INT),     VD_F(vd_vae_config, in_channels, VD_CFG_INT),
    VD_F(vd_vae_config, out_ch, VD_CFG_INT),         VD_F(vd_vae_config, ch, VD_CFG_INT),
    VD_F(vd_vae_config, ch_mult, VD_CFG_INT_LIST),   VD_F(vd_vae_config, num_res_blocks, VD_CFG_INT),
    VD_F(vd_vae_config, attn_resolutions, VD_CFG_INT_LIST), VD_F(vd_vae_config, dropout, VD_CFG_FLOAT),
};

static const vd_cfg_field vd_first_stage_fields[] = {
    VD_F(vd_vae_config, embed_dim, VD_CFG_INT), VD_IGNORE("ddconfig"), VD_IGNORE("lossconfig"),
    VD_IGNORE("monitor"), VD_IGNORE("ckpt_path"), VD_IGNORE("image_key"),
};

#define VD_COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct vd_yaml_reader {
  const char *label;  // file name
  vd_report *notes;   // optional
} vd_yaml_reader;

static vd_status vd_yaml_type_error(const vd_yaml_reader *r, const char *path, const vd_yaml_node *v,
                                    const char *want) {
  return vd_status_make(VD_ERR_FORMAT, "%s: line %d: %s: expected %s, got %s%s%s", r->label, v->line, path, want,
                        v->kind == VD_YAML_SCALAR ? "\"" : "",
                        v->kind == VD_YAML_SCALAR ? v->value : v->kind == VD_YAML_SEQUENCE ? "a list" : "a mapping",
                        v->kind == VD_YAML_SCALAR ? "\"" : "");
}

static vd_status vd_yaml_int_list(const vd_yaml_reader *r, const char *path, const vd_yaml_node *v, vd_int_list *out) {
  if (v->kind != VD_YAML_SEQUENCE) return vd_yaml_type_error(r, path, v, "a list of integers");
  if (v->count > VD_CONFIG_MAX_LEVELS)
    return vd_status_make(VD_ERR_FORMAT, "%s: line %d: %s: more than %d entries", r->label, v->line, path,
                          VD_CONFIG_MAX_LEVELS);
  vd_int_list list = {{0}, (int)v->count};
  for (size_t i = 0; i < v->count; ++i) {
    const vd_yaml_node *e = v->items[i];
    if (e->kind != VD_YAML_SCALAR || e->quoted || !vd_cfg_parse_int(e->value, &list.v[i]))
      return vd_yaml_type_error(r, path, e, "an integer in the list");
  }
  *out = list;
  return NULL;
}

// Stores one value into the struct at base according to its field.
static vd_status vd_yaml_store(const vd_yaml_reader *r, const char *path, const vd_cfg_field *f,
                               const vd_yaml_node *v, void *base) {
  char *dst = (char *)base + f->offset;
  bool scalar = v->kind == VD_YAML_SCALAR;
  switch (f->type) {
    case VD_CFG_INT:
      if (!scalar || v->quoted || !vd_cfg_parse_int(v->value, (int *)(void *)dst))
        return vd_yaml_type_error(r, path, v, "an integer");
      return NULL;
    case VD_CFG_FLOAT:
      if (!scalar || v->quoted || !vd_cfg_parse_float(v->value, (float *)(void *)dst))
        return vd_yaml_type_error(r, path, v, "a number");
      return NULL;
    case VD_CFG_DOUBLE:
      if (!scalar || v->quoted || !vd_cfg_parse_double(v->value, (double *)(void *)dst))
        return vd_yaml_type_error(r, path, v, "a number");
      return NULL;
    case VD_CFG_BOOL:
      if (!scalar || v->quoted || !vd_cfg_parse_bool(v->value, (bool *)(void *)dst))
        return vd_yaml_type_error(r, path, v, "true or false");
      return NULL;
    case VD_CFG_INT_LIST: return vd_yaml_int_list(r, path, v, (vd_int_list *)(void *)dst);
    case VD_CFG_STRING:
      if (!scalar || strlen(v->value) >= VD_CFG_STRING_CAP) return vd_yaml_type_error(r, path, v, "a short string");
      strcpy(dst, v->value);
      return NULL;
    case VD_CFG_IGNORE: return NULL;
  }
  return NULL;
}

// Reads every key of mapping `map` (at `section`) through fields into base.
static vd_status vd_yaml_section(const vd_yaml_reader *r, const vd_yaml_node *map, const char *section,
                                 const vd_cfg_field *fields, size_t count, void *base) {
  if (!map) return NULL;
  if (map->kind != VD_YAML_MAPPING) return vd_yaml_type_error(r, section, map, "a mapping");
  for (size_t i = 0; i + 1 < map->count; i += 2) {
    const vd_yaml_node *k = map->items[i], *v = map->items[i + 1];
    char path[300];
    if (k->kind != VD_YAML_SCALAR) return vd_yaml_type_error(r, section, k, "scalar keys");
    snprintf(path, sizeof(path), "%s.%s", section, k->value);
    const vd_cfg_field *f = vd_cfg_find(fields, count, k->value);
    if (!f) {
      if (r->notes) vd_report_line(r->notes, "%s: line %d: ignoring unknown key %s", r->label, k->line, path);
      continue;
    }
    VD_RETURN_IF_ERROR(vd_yaml_store(r, path, f, v, base));
  }
  return NULL;
}

// The mapping at <parent>.<name>.params, or NULL when absent.
static vd_status vd_yaml_params(const vd_yaml_reader *r, const vd_yaml_node *parent, const char *name,
                                const vd_yaml_node **out) {
  const vd_yaml_node *sub = vd_yaml_get(parent, name);
  *out = NULL;
  if (!sub) return NULL;
  char path[120];
  snprintf(path, sizeof(path), "model.params.%s", name);
  if (sub->kind != VD_YAML_MAPPING) return vd_yaml_type_error(r, path, sub, "a mapping");
  *out = vd_yaml_get(sub, "params");
  return NULL;
}

static vd_status vd_yaml_model(const vd_yaml_reader *r, const vd_yaml_node *root, vd_ldm_config *c) {
  const vd_yaml_node *model = vd_yaml_get(root, "model"), *params = NULL, *sub = NULL;
  if (!model) return vd_status_make(VD_ERR_FORMAT, "%s: no \"model\" section: not an ldm config", r->label);
  if (model->kind != VD_YAML_MAPPING) return vd_yaml_type_error(r, "model", model, "a mapping");
  params = vd_yaml_get(model, "params");
  if (!params) return vd_status_make(VD_ERR_FORMAT, "%s: no model.params section", r->label);
  VD_RETURN_IF_ERROR(vd_yaml_section(r, params, "model.params", vd_diffusion_fields, VD_COUNT(vd_diffusion_fields),
                                     &c->diffusion));
  VD_RETURN_IF_ERROR(vd_yaml_params(r, params, "unet_config", &sub));
  VD_RETURN_IF_ERROR(vd_yaml_section(r, sub, "model.params.unet_config.params", vd_unet_fields,
                                     VD_COUNT(vd_unet_fields), &c->unet));
  VD_RETURN_IF_ERROR(vd_yaml_params(r, params, "control_stage_config", &sub));
  VD_RETURN_IF_ERROR(vd_yaml_section(r, sub, "model.params.control_stage_config.params", vd_unet_fields,
                                     VD_COUNT(vd_unet_fields), &c->control));
  VD_RETURN_IF_ERROR(vd_yaml_params(r, params, "first_stage_config", &sub));
  VD_RETURN_IF_ERROR(vd_yaml_section(r, sub, "model.params.first_stage_config.params", vd_first_stage_fields,
                                     VD_COUNT(vd_first_stage_fields), &c->vae));
  return vd_yaml_section(r, vd_yaml_get(sub, "ddconfig"), "model.params.first_stage_config.params.ddconfig",
                         vd_vae_fields, VD_COUNT(vd_vae_fields), &c->vae);
}

vd_status vd_ldm_config_parse_yaml(const char *text, size_t len, const char *label, vd_ldm_config *out_config,
                                   vd_report *notes) {
  vd_ldm_config c;
  vd_ldm_config_default(&c);
  vd_yaml_node *root = NULL;
  VD_RETURN_IF_ERROR(vd_yaml_parse(text, len, label, &root));
  vd_yaml_reader r = {label, notes};
  vd_status st = root->kind == VD_YAML_MAPPING ? vd_yaml_model(&r, root, &c)
                                               : vd_status_make(VD_ERR_FORMAT, "%s: top level is not a mapping", label);
  vd_yaml_free(root);
  if (!st) st = vd_ldm_config_validate(&c, label);
  if (!st) *out_config = c;
  return st;
}

vd_status vd_config_read_text(const char *path, size_t max_bytes, char **out_text, size_t *out_len) {
  *out_text = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return vd_status_make(errno == ENOENT ? VD_ERR_NOT_FOUND : VD_ERR_IO, "%s: cannot open: %s", path,
                                strerror(errno));
  long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
  if (size < 0 || (unsigned long)size > max_bytes || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return vd_status_make(size < 0 ? VD_ERR_IO : VD_ERR_LIMIT, "%s: unreadable or larger than %zu bytes", path,
                          max_bytes);
  }
  char *buf = malloc((size_t)size + 1);
  size_t n = buf ? fread(buf, 1, (size_t)size, f) : 0;
  fclose(f);
  if (!buf) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "%s: out of memory", path);
  if (n != (size_t)size) {
    free(buf);
    return vd_status_make(VD_ERR_IO, "%s: read failed", path);
  }
  buf[n] = '\0';
  *out_text = buf;
  *out_len = n;
  return NULL;
}

vd_status vd_ldm_config_read_yaml(const char *path, vd_ldm_config *out_config, vd_report *notes) {
  char *text = NULL;
  size_t len = 0;
  VD_RETURN_IF_ERROR(vd_config_read_text(path, VD_YAML_MAX_BYTES, &text, &len));
  vd_status st = vd_ldm_config_parse_yaml(text, len, path, out_config, notes);
  free(text);
  return st;
}
