// Config readers: the reference ldm YAML, tiny variants, wrong types and hostile YAML; CLIP, DINO and ResNet JSON.
#include "formats/config_json.h"
#include "formats/config_yaml.h"
#include "tests/weights_samples.h"
#include "tests/weights_util.h"

static vd_status yaml(const char *text, vd_ldm_config *c, vd_report *notes) {
  return vd_ldm_config_parse_yaml(text, strlen(text), "cfg.yaml", c, notes);
}

// Field by field: the structs have padding, whose bytes memcmp would compare too (stack garbage).
static bool list_eq(const vd_int_list *a, const vd_int_list *b) {
  return a->count == b->count && memcmp(a->v, b->v, (size_t)a->count * sizeof(int)) == 0;
}

static bool unet_eq(const vd_unet_config *a, const vd_unet_config *b) {
  return a->image_size == b->image_size && a->in_channels == b->in_channels && a->out_channels == b->out_channels &&
         a->hint_channels == b->hint_channels && a->model_channels == b->model_channels &&
         list_eq(&a->attention_resolutions, &b->attention_resolutions) && a->num_res_blocks == b->num_res_blocks &&
         list_eq(&a->channel_mult, &b->channel_mult) && a->num_heads == b->num_heads &&
         a->num_head_channels == b->num_head_channels && a->transformer_depth == b->transformer_depth &&
         a->context_dim == b->context_dim && a->use_spatial_transformer == b->use_spatial_transformer &&
         a->use_linear_in_transformer == b->use_linear_in_transformer && a->use_checkpoint == b->use_checkpoint &&
         a->legacy == b->legacy && a->dropout == b->dropout;
}

static bool ldm_eq(const vd_ldm_config *a, const vd_ldm_config *b) {
  const vd_diffusion_config *x = &a->diffusion, *y = &b->diffusion;
  const vd_vae_config *v = &a->vae, *w = &b->vae;
  return x->linear_start == y->linear_start && x->linear_end == y->linear_end && x->timesteps == y->timesteps &&
         x->scale_factor == y->scale_factor && x->image_size == y->image_size && x->channels == y->channels &&
         x->only_mid_control == y->only_mid_control && x->use_ema == y->use_ema && unet_eq(&a->unet, &b->unet) &&
         unet_eq(&a->control, &b->control) && v->embed_dim == w->embed_dim && v->double_z == w->double_z &&
         v->z_channels == w->z_channels && v->resolution == w->resolution && v->in_channels == w->in_channels &&
         v->out_ch == w->out_ch && v->ch == w->ch && list_eq(&v->ch_mult, &w->ch_mult) &&
         v->num_res_blocks == w->num_res_blocks && list_eq(&v->attn_resolutions, &w->attn_resolutions) &&
         v->dropout == w->dropout;
}

static void test_reference_yaml(void) {
  vd_ldm_config c, d;
  vd_ldm_config_default(&d);
  vd_report notes = {0};
  CHECK_OK(yaml(vdt_ldm_yaml, &c, &notes));
  CHECK(ldm_eq(&c, &d));  // defaults equal the published model
  CHECK_MSG(notes.lines == 0, "%s", vd_report_text(&notes));
  CHECK(c.unet.channel_mult.count == 4 && c.unet.channel_mult.v[3] == 4 && c.control.hint_channels == 3);
  CHECK(c.vae.attn_resolutions.count == 0 && c.vae.ch == 128 && c.diffusion.scale_factor == 0.18215f);
  vd_report_free(&notes);
}

static void test_tiny_yaml(void) {
  const char *tiny =
      "model:\n  params:\n    timesteps: 100\n    mystery_knob: 3\n"
      "    unet_config:\n      params:\n        model_channels: 32\n        channel_mult: [1, 2]\n"
      "        attention_resolutions: [2]\n        num_heads: -1\n        num_head_channels: 16\n"
      "        context_dim: 64\n        sparkle: yes\n"
      "    first_stage_config:\n      params:\n        ddconfig: {ch: 32, ch_mult: [1, 2], z_channels: 4}\n";
  vd_ldm_config c;
  vd_report notes = {0};
  CHECK_OK(yaml(tiny, &c, &notes));
  CHECK(c.diffusion.timesteps == 100 && c.unet.model_channels == 32 && c.unet.channel_mult.count == 2);
  CHECK(c.unet.num_heads == -1 && c.unet.num_head_channels == 16 && c.vae.ch == 32 && c.vae.ch_mult.count == 2);
  CHECK(c.control.model_channels == 320);  // untouched sections keep their defaults
  CHECK_MSG(strstr(vd_report_text(&notes), "model.params.mystery_knob") &&
                strstr(vd_report_text(&notes), "model.params.unet_config.params.sparkle") && notes.lines == 2,
            "%s", vd_report_text(&notes));
  vd_report_free(&notes);
}

static void test_wrong_types(void) {
  vd_ldm_config c;
  CHECK_ERR_MSG(yaml("model:\n  params:\n    unet_config:\n      params:\n        model_channels: abc\n", &c, NULL),
                "line 5: model.params.unet_config.params.model_channels: expected an integer, got \"abc\"");
  CHECK_ERR_MSG(yaml("model:\n  params:\n    unet_config:\n      params:\n        model_channels: \"320\"\n", &c, NULL),
                "model_channels: expected an integer");
  CHECK_ERR_MSG(yaml("model:\n  params:\n    unet_config:\n      params:\n        channel_mult: 4\n", &c, NULL),
                "channel_mult: expected a list of integers");
  CHECK_ERR_MSG(yaml("model:\n  params:\n    unet_config:\n      params:\n        channel_mult: [1, x]\n", &c, NULL),
                "channel_mult: expected an integer in the list");
  CHECK_ERR_MSG(yaml("model:\n  params:\n    control_stage_config:\n      params:\n        channel_mult: "
                     "[1,1,1,1,1,1,1,1,1]\n",
                     &c, NULL),
                "more than 8");
  CHECK_ERR_MSG(yaml("model:\n  params:\n    linear_start: [1]\n", &c, NULL), "linear_start: expected a number");
  CHECK_ERR_MSG(yaml("model:\n  params:\n    use_ema: maybe\n", &c, NULL), "use_ema: expected true or false");
  CHECK_ERR_MSG(yaml("model:\n  params:\n    timesteps: 99999999999\n", &c, NULL), "timesteps");
  CHECK_ERR_MSG(yaml("model:\n  params:\n    scale_factor: .nan\n", &c, NULL), "scale_factor");
  CHECK_ERR_MSG(yaml("model:\n  params:\n    first_stage_config:\n      params:\n        ddconfig: [1]\n", &c, NULL),
                "ddconfig: expected a mapping");
  CHECK_ERR_MSG(yaml("model:\n  params:\n    unet_config: 3\n", &c, NULL), "unet_config: expected a mapping");
  CHECK_ERR_MSG(yaml("model:\n  params:\n    unet_config:\n      params:\n        num_heads: 7\n", &c, NULL),
                "divisible");
  CHECK_ERR_MSG(yaml("model:\n  params:\n    unet_config:\n      params:\n        model_channels: 0\n", &c, NULL),
                "model_channels must be positive");
  CHECK_ERR_MSG(yaml("model:\n  params:\n    linear_end: 0.0001\n", &c, NULL), "linear_start < linear_end");
}

static void test_hostile_yaml(void) {
  vd_ldm_config c;
  CHECK_ERR_MSG(yaml("model: [\n", &c, NULL), "YAML error");
  CHECK_ERR_MSG(yaml("", &c, NULL), "empty");
  CHECK_ERR_MSG(yaml("- 1\n- 2\n", &c, NULL), "not a mapping");
  CHECK_ERR_MSG(yaml("lightning: {}\n", &c, NULL), "no \"model\" section");
  CHECK_ERR_MSG(yaml("model:\n  target: x\n", &c, NULL), "model.params");
  CHECK_ERR_MSG(yaml("a: &x [1, 2]\nb: *x\nmodel: {params: {}}\n", &c, NULL), "aliases");
  char deep[1000];
  memset(deep, '[', 200);
  deep[200] = '\0';
  CHECK_ERR_MSG(yaml(deep, &c, NULL), "nested deeper");
  CHECK_ERR_MSG(yaml("model:\n  params:\n    ? [a]\n    : 1\n", &c, NULL), "scalar keys");
  CHECK_ERR_MSG(vd_ldm_config_read_yaml("/nonexistent/cfg.yaml", &c, NULL), "/nonexistent/cfg.yaml");
  int accepted = 0;  // truncations either parse (YAML is forgiving) or fail cleanly; none may crash
  for (size_t n = 0; n < sizeof(vdt_ldm_yaml) - 1; ++n) {
    char *copy = malloc(n + 1);
    memcpy(copy, vdt_ldm_yaml, n);
    vd_status st = vd_ldm_config_parse_yaml(copy, n, "cut.yaml", &c, NULL);
    accepted += st == NULL;
    vd_status_free(st);
    free(copy);
  }
  CHECK(accepted > 0);
}

static void test_json(void) {
  vd_clip_text_config clip, dclip;
  vd_clip_text_config_default(&dclip);
  vd_report notes = {0};
  CHECK_OK(vd_clip_text_config_parse_json(vdt_clip_json, strlen(vdt_clip_json), "config.json", &clip, &notes));
  CHECK(memcmp(&clip, &dclip, sizeof(clip)) == 0);
  CHECK_MSG(notes.lines == 0, "%s", vd_report_text(&notes));
  const char *flat = "{\"hidden_size\": 64, \"num_attention_heads\": 4, \"num_hidden_layers\": 2, \"new_thing\": 1}";
  CHECK_OK(vd_clip_text_config_parse_json(flat, strlen(flat), "tiny.json", &clip, &notes));
  CHECK(clip.hidden_size == 64 && clip.num_hidden_layers == 2 && clip.vocab_size == 49408);
  CHECK(strstr(vd_report_text(&notes), "\"new_thing\""));
  vd_report_free(&notes);
  const char *bad[] = {"{\"hidden_size\": \"768\"}", "{\"hidden_size\": 768.5}", "{\"hidden_act\": 3}",
                       "{\"layer_norm_eps\": true}", "{\"text_config\": []}", "[1]", "{\"hidden_size\": 1e300}",
                       "{\"hidden_act\": \"relu\"}", "{\"num_attention_heads\": 5}", "{"};
  const char *needle[] = {"\"hidden_size\": expected an integer", "\"hidden_size\"", "\"hidden_act\"",
                          "\"layer_norm_eps\"", "\"text_config\"", "not a JSON object", "\"hidden_size\"",
                          "relu", "divisible", "not a JSON object"};
  for (int i = 0; i < 10; ++i)
    CHECK_ERR_MSG(vd_clip_text_config_parse_json(bad[i], strlen(bad[i]), "bad.json", &clip, NULL), needle[i]);

  vd_dino_config dino, ddino;
  vd_dino_config_default(&ddino);
  CHECK_OK(vd_dino_config_parse_json(vdt_dino_json, strlen(vdt_dino_json), "dino.json", &dino, NULL));
  CHECK(memcmp(&dino, &ddino, sizeof(dino)) == 0);
  const char *dbad = "{\"patch_size\": 8, \"depth\": \"twelve\"}";
  CHECK_ERR_MSG(vd_dino_config_parse_json(dbad, strlen(dbad), "dino.json", &dino, NULL), "dino.json: \"depth\"");
  const char *dzero = "{\"num_heads\": 0}";
  CHECK_ERR_MSG(vd_dino_config_parse_json(dzero, strlen(dzero), "dino.json", &dino, NULL), "num_heads");
  const char *path = vdt_write_temp("dino.json", vdt_dino_json, strlen(vdt_dino_json));
  CHECK_OK(vd_dino_config_read_json(path, &dino, NULL));
}

// The reference YAML with `n` (from, to) replacements applied in turn (each `from` must occur in it).
static vd_status yaml_with(const char *const *edits, int n, vd_ldm_config *c) {
  char *text = strdup(vdt_ldm_yaml);
  for (int i = 0; text && i < n; ++i) {
    const char *from = edits[2 * i], *to = edits[2 * i + 1], *at = strstr(text, from);
    CHECK_MSG(at != NULL, "\"%s\" is not in the sample YAML", from);
    if (!at) break;
    size_t size = strlen(text) + strlen(to) + 1;
    char *next = malloc(size);
    snprintf(next, size, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    free(text);
    text = next;
  }
  vd_status st = text ? yaml(text, c, NULL) : vd_status_make(VD_ERR_OUT_OF_MEMORY, "sample YAML");
  free(text);
  return st;
}

// Channel counts the networks pass between each other must agree: the hint is the input image itself
// (spec §1.5.5, sgn.py get_input), so the guidance network's hint_channels must equal the VAE's
// in_channels; the VAE latent is the UNet's (and the guidance network's) input and eps has its shape.
static void test_channel_agreement(void) {
  vd_ldm_config c;
  const char *hint4[] = {"hint_channels: 3", "hint_channels: 4"};
  vd_status st = yaml_with(hint4, 1, &c);
  const char *msg = vd_status_message(st);
  CHECK_MSG(st && strstr(msg, "cfg.yaml") && strstr(msg, "control_stage_config.params.hint_channels (4)") &&
                strstr(msg, "ddconfig.in_channels (3)"),
            "hint_channels 4 with in_channels 3: %s", msg);
  vd_status_free(st);
  const char *image1[] = {"          in_channels: 3", "          in_channels: 1"};
  CHECK_ERR_MSG(yaml_with(image1, 1, &c), "hint_channels");
  const char *embed8[] = {"embed_dim: 4", "embed_dim: 8"};
  CHECK_ERR_MSG(yaml_with(embed8, 1, &c), "first_stage_config.params.embed_dim (8)");
  const char *out8[] = {"out_channels: 4", "out_channels: 8"};
  CHECK_ERR_MSG(yaml_with(out8, 1, &c), "unet_config.params.out_channels (8)");
  const char *sgn8[] = {"        in_channels: 4\n        hint_channels", "        in_channels: 8\n        hint_channels"};
  CHECK_ERR_MSG(yaml_with(sgn8, 1, &c), "control_stage_config.params.in_channels (8)");
  // A consistent model of 4-channel images (4-channel hint, 4-channel decoder output) is fine.
  const char *rgba[] = {"hint_channels: 3", "hint_channels: 4", "          in_channels: 3", "          in_channels: 4",
                        "out_ch: 3", "out_ch: 4"};
  CHECK_OK(yaml_with(rgba, 3, &c));
  CHECK(c.control.hint_channels == 4 && c.vae.in_channels == 4 && c.vae.out_ch == 4);
}

// The ResNet JSON: integer lists, an exact double eps, the variant kept from the caller, and errors.
static void test_resnet_json(void) {
  vd_resnet_config c = {.variant = VD_RESNET_DINO}, def;
  vd_resnet_config_default(&def);
  const char *j = "{\"layers\": [3, 4, 6, 3], \"bn_eps\": 1e-5, \"stem_width\": 64}";
  CHECK_OK(vd_resnet_config_parse_json(j, strlen(j), "r.json", &c, NULL));
  CHECK(c.variant == VD_RESNET_DINO && c.bn_eps == 1e-5 && c.layers.count == 4 && c.layers.v[2] == 6);
  CHECK(c.stem_width == def.stem_width && c.base_width == def.base_width && c.expansion == def.expansion);
  CHECK(memcmp(c.layers.v, def.layers.v, sizeof c.layers.v) == 0 && c.layers.count == def.layers.count);
  static const struct { const char *json, *needle; } bad[] = {
      {"{\"layers\": [3, 4, 6]}", "layers needs 4 entries"},
      {"{\"layers\": [3, 4, 6, 3, 1, 1, 1, 1, 1]}", "\"layers\": expected a list of at most 8 integers"},
      {"{\"layers\": [3, 4.5, 6, 3]}", "\"layers\": expected a list of integers"},
      {"{\"layers\": 3}", "\"layers\": expected a list"},
      {"{\"layers\": [3, 0, 6, 3]}", "must be positive"},
      {"{\"bn_eps\": \"small\"}", "\"bn_eps\": expected a number"},
      {"{\"bn_eps\": -1}", "bn_eps must be positive"},
      {"{\"base_width\": 0}", "base_width must be positive"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
    c.variant = VD_RESNET_TIMM;
    CHECK_ERR_MSG(vd_resnet_config_parse_json(bad[i].json, strlen(bad[i].json), "r.json", &c, NULL), bad[i].needle);
  }
  vd_report notes = {0};
  j = "{\"fc_classes\": 1000}";
  CHECK_OK(vd_resnet_config_parse_json(j, strlen(j), "r.json", &c, &notes));
  CHECK(strstr(vd_report_text(&notes), "ignoring unknown key \"fc_classes\""));
  vd_report_free(&notes);
}

int main(void) {
  test_reference_yaml();
  test_tiny_yaml();
  test_wrong_types();
  test_hostile_yaml();
  test_json();
  test_channel_agreement();
  test_resnet_json();
  return vdt_finish("test_weights_config");
}
