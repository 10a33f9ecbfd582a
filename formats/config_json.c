#include "formats/config_json.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "formats/config_fields.h"
#include "formats/config_yaml.h"

#define VD_F(s, key, type) {#key, type, offsetof(s, key)}
#define VD_IGNORE(key) {key, VD_CFG_IGNORE, 0}
#define VD_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const vd_cfg_field vd_clip_fields[] = {
    VD_F(vd_clip_text_config, vocab_size, VD_CFG_INT),
    VD_F(vd_clip_text_config, hidden_size, VD_CFG_INT),
    VD_F(vd_clip_text_config, intermediate_size, VD_CFG_INT),
    VD_F(vd_clip_text_config, num_hidden_layers, VD_CFG_INT),
    VD_F(vd_clip_text_config, num_attention_heads, VD_CFG_INT),
    VD_F(vd_clip_text_config, max_position_embeddings, VD_CFG_INT),
    VD_F(vd_clip_text_config, hidden_act, VD_CFG_STRING),
    VD_F(vd_clip_text_config, layer_norm_eps, VD_CFG_FLOAT),
    VD_IGNORE("bos_token_id"), VD_IGNORE("eos_token_id"), VD_IGNORE("pad_token_id"),  // the tokenizer's ids rule
    VD_IGNORE("architectures"), VD_IGNORE("model_type"), VD_IGNORE("torch_dtype"),
    VD_IGNORE("transformers_version"), VD_IGNORE("_name_or_path"), VD_IGNORE("initializer_range"),
    VD_IGNORE("initializer_factor"), VD_IGNORE("attention_dropout"), VD_IGNORE("dropout"),
    VD_IGNORE("projection_dim"), VD_IGNORE("text_config_dict"), VD_IGNORE("vision_config"),
    VD_IGNORE("vision_config_dict"), VD_IGNORE("logit_scale_init_value"), VD_IGNORE("text_config"),
};

static const vd_cfg_field vd_dino_fields[] = {
    VD_F(vd_dino_config, patch_size, VD_CFG_INT),       VD_F(vd_dino_config, embed_dim, VD_CFG_INT),
    VD_F(vd_dino_config, depth, VD_CFG_INT),            VD_F(vd_dino_config, num_heads, VD_CFG_INT),
    VD_F(vd_dino_config, mlp_ratio, VD_CFG_FLOAT),      VD_F(vd_dino_config, layer_norm_eps, VD_CFG_FLOAT),
    VD_F(vd_dino_config, img_size, VD_CFG_INT),         VD_IGNORE("qkv_bias"), VD_IGNORE("num_classes"),
    VD_IGNORE("arch"),  // read first: the preset the other keys override
};

static const vd_cfg_field vd_resnet_fields[] = {
    VD_F(vd_resnet_config, stem_width, VD_CFG_INT), VD_F(vd_resnet_config, layers, VD_CFG_INT_LIST),
    VD_F(vd_resnet_config, base_width, VD_CFG_INT), VD_F(vd_resnet_config, expansion, VD_CFG_INT),
    VD_F(vd_resnet_config, bn_eps, VD_CFG_DOUBLE),
};

static vd_status vd_json_type_error(const char *label, const char *key, const char *want) {
  return vd_status_make(VD_ERR_FORMAT, "%s: \"%s\": expected %s", label, key, want);
}

static vd_status vd_json_int_list(const char *label, const char *key, const cJSON *v, vd_int_list *out) {
  if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > VD_CONFIG_MAX_LEVELS)
    return vd_json_type_error(label, key, "a list of at most 8 integers");
  vd_int_list list = {{0}, 0};
  for (const cJSON *e = v->child; e; e = e->next) {
    double d = cJSON_IsNumber(e) ? e->valuedouble : NAN;
    if (!cJSON_IsNumber(e) || d != floor(d) || d < -2147483648.0 || d > 2147483647.0)
      return vd_json_type_error(label, key, "a list of integers");
    list.v[list.count++] = (int)d;
  }
  *out = list;
  return NULL;
}

static vd_status vd_json_store(const char *label, const vd_cfg_field *f, const cJSON *v, void *base) {
  char *dst = (char *)base + f->offset;
  double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
  switch (f->type) {
    case VD_CFG_INT:
      if (!cJSON_IsNumber(v) || d != floor(d) || d < -2147483648.0 || d > 2147483647.0)
        return vd_json_type_error(label, f->key, "an integer");
      *(int *)(void *)dst = (int)d;
      return NULL;
    case VD_CFG_FLOAT:
      if (!cJSON_IsNumber(v) || !isfinite(d) || fabs(d) > 3.0e38) return vd_json_type_error(label, f->key, "a number");
      *(float *)(void *)dst = (float)d;
      return NULL;
    case VD_CFG_DOUBLE:
      if (!cJSON_IsNumber(v) || !isfinite(d)) return vd_json_type_error(label, f->key, "a number");
      *(double *)(void *)dst = d;
      return NULL;
    case VD_CFG_BOOL:
      if (!cJSON_IsBool(v)) return vd_json_type_error(label, f->key, "true or false");
      *(bool *)(void *)dst = cJSON_IsTrue(v);
      return NULL;
    case VD_CFG_STRING:
      if (!cJSON_IsString(v) || strlen(v->valuestring) >= VD_CFG_STRING_CAP)
        return vd_json_type_error(label, f->key, "a short string");
      strcpy(dst, v->valuestring);
      return NULL;
    case VD_CFG_INT_LIST: return vd_json_int_list(label, f->key, v, (vd_int_list *)(void *)dst);
    case VD_CFG_IGNORE: return NULL;
  }
  return NULL;
}

static vd_status vd_json_object(const char *label, const cJSON *obj, const vd_cfg_field *fields, size_t count,
                                void *base, vd_report *notes) {
  for (const cJSON *v = obj->child; v; v = v->next) {
    const vd_cfg_field *f = vd_cfg_find(fields, count, v->string);
    if (!f) {
      if (notes) vd_report_line(notes, "%s: ignoring unknown key \"%s\"", label, v->string);
      continue;
    }
    VD_RETURN_IF_ERROR(vd_json_store(label, f, v, base));
  }
  return NULL;
}

static vd_status vd_json_parse(const char *text, size_t len, const char *label, cJSON **out) {
  if (len > VD_CONFIG_JSON_MAX_BYTES)
    return vd_status_make(VD_ERR_LIMIT, "%s: config larger than %u bytes", label, VD_CONFIG_JSON_MAX_BYTES);
  *out = cJSON_ParseWithLength(text, len);
  if (!cJSON_IsObject(*out)) {
    cJSON_Delete(*out);
    *out = NULL;
    return vd_status_make(VD_ERR_FORMAT, "%s: not a JSON object", label);
  }
  return NULL;
}

vd_status vd_clip_text_config_parse_json(const char *text, size_t len, const char *label,
                                         vd_clip_text_config *out_config, vd_report *notes) {
  vd_clip_text_config c;
  vd_clip_text_config_default(&c);
  cJSON *root = NULL;
  VD_RETURN_IF_ERROR(vd_json_parse(text, len, label, &root));
  const cJSON *obj = cJSON_GetObjectItemCaseSensitive(root, "text_config");
  vd_status st = NULL;
  if (obj && !cJSON_IsObject(obj)) st = vd_json_type_error(label, "text_config", "an object");
  if (!st) st = vd_json_object(label, obj ? obj : root, vd_clip_fields, VD_COUNT(vd_clip_fields), &c, notes);
  cJSON_Delete(root);
  if (!st) st = vd_clip_text_config_validate(&c, label);
  if (!st) *out_config = c;
  return st;
}

vd_status vd_dino_config_parse_json(const char *text, size_t len, const char *label, vd_dino_config *out_config,
                                    vd_report *notes) {
  vd_dino_config c;
  vd_dino_config_default(&c);
  cJSON *root = NULL;
  VD_RETURN_IF_ERROR(vd_json_parse(text, len, label, &root));
  const cJSON *arch = cJSON_GetObjectItemCaseSensitive(root, "arch");
  vd_status st = NULL;
  if (arch && !cJSON_IsString(arch)) st = vd_json_type_error(label, "arch", "a preset name");
  if (!st && arch) {
    st = vd_dino_config_preset(arch->valuestring, &c);
    if (st) {
      vd_status_free(st);
      st = vd_status_make(VD_ERR_FORMAT, "%s: \"arch\": unknown preset \"%s\" (known: %s)", label,
                          arch->valuestring, vd_dino_arch_names());
    }
  }
  if (!st) st = vd_json_object(label, root, vd_dino_fields, VD_COUNT(vd_dino_fields), &c, notes);
  cJSON_Delete(root);
  if (!st) st = vd_dino_config_validate(&c, label);
  if (!st) *out_config = c;
  return st;
}

vd_status vd_clip_text_config_read_json(const char *path, vd_clip_text_config *out_config, vd_report *notes) {
  char *text = NULL;
  size_t len = 0;
  VD_RETURN_IF_ERROR(vd_config_read_text(path, VD_CONFIG_JSON_MAX_BYTES, &text, &len));
  vd_status st = vd_clip_text_config_parse_json(text, len, path, out_config, notes);
  free(text);
  return st;
}

vd_status vd_dino_config_read_json(const char *path, vd_dino_config *out_config, vd_report *notes) {
  char *text = NULL;
  size_t len = 0;
  VD_RETURN_IF_ERROR(vd_config_read_text(path, VD_CONFIG_JSON_MAX_BYTES, &text, &len));
  vd_status st = vd_dino_config_parse_json(text, len, path, out_config, notes);
  free(text);
  return st;
}

vd_status vd_resnet_config_parse_json(const char *text, size_t len, const char *label, vd_resnet_config *out_config,
                                      vd_report *notes) {
  vd_resnet_config c;
  vd_resnet_config_default(&c);
  c.variant = out_config->variant;
  cJSON *root = NULL;
  VD_RETURN_IF_ERROR(vd_json_parse(text, len, label, &root));
  vd_status st = vd_json_object(label, root, vd_resnet_fields, VD_COUNT(vd_resnet_fields), &c, notes);
  cJSON_Delete(root);
  if (!st) st = vd_resnet_config_validate(&c, label);
  if (!st) *out_config = c;
  return st;
}

vd_status vd_resnet_config_read_json(const char *path, vd_resnet_config *out_config, vd_report *notes) {
  char *text = NULL;
  size_t len = 0;
  VD_RETURN_IF_ERROR(vd_config_read_text(path, VD_CONFIG_JSON_MAX_BYTES, &text, &len));
  vd_status st = vd_resnet_config_parse_json(text, len, path, out_config, notes);
  free(text);
  return st;
}
