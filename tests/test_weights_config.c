// Config readers: the reference ldm YAML, tiny variants, wrong types and hostile YAML; CLIP and DINO JSON.
#include "formats/config_json.h"
#include "formats/config_yaml.h"
#include "tests/weights_samples.h"
#include "tests/weights_util.h"

static vd_status yaml(const char *text, vd_ldm_config *c, vd_report *notes) {
  return vd_ldm_config_parse_yaml(text, strlen(text), "cfg.yaml", c, notes);
}

static void test_reference_yaml(void) {
  vd_ldm_config c, d;
  vd_ldm_config_default(&d);
  vd_report notes = {0};
  CHECK_OK(yaml(vdt_ldm_yaml, &c, &notes));
  CHECK(memcmp(&c, &d, sizeof(c)) == 0);  // defaults equal the published model
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

int main(void) {
  test_reference_yaml();
  test_tiny_yaml();
  test_wrong_types();
  test_hostile_yaml();
  test_json();
  return vdt_finish("test_weights_config");
}
