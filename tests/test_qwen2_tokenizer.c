// Qwen2 tokenizer against the Python reference (tools/reference/qwen2_tokenizer_reference.py) on the small
// trained tokenizer of tests/data/qwen2/: pre-tokenisation pieces, encode ids, decode text (with and
// without special tokens), id for id; the same goldens through the pair form of the merges and through
// the slow files (vocab.json + merges.txt + tokenizer_config.json) written from the same tokenizer;
// HF's merge order; invalid UTF-8 and hostile input.
#include <cjson/cJSON.h>
#include <stdint.h>
#include <sys/stat.h>

#include "text/qwen2_pretokenize.h"
#include "text/qwen2_tokenizer.h"
#include "text/utf8.h"
#include "vdtest.h"
#include "vdtest_text.h"

#define DATA VLMD_SOURCE_DIR "/tests/data/qwen2"
#define WORK VLMD_BINARY_DIR "/test-qwen2-tokenizer"

static char text_buf[1 << 16];

// ---- pre-tokenisation ---------------------------------------------------------------------------------

static void test_pretokenize_golden(void) {
  vdt_lines lines;
  vdt_lines_read(DATA "/pretokenize_golden.txt", &lines);
  static uint32_t cps[4096];
  int bad = 0;
  for (int i = 0; i < lines.count; ++i) {
    size_t n = vd_utf8_decode(text_buf, vdt_hex_bytes(lines.fields[i][0], text_buf, sizeof(text_buf)), cps);
    int64_t want[256];
    size_t pieces = vdt_numbers(lines.fields[i][1], 10, want, 256), k = 0, at = 0;
    bool ok = true;
    while (at < n && ok) {
      size_t end = vd_qwen2_pretokenize_next(cps, n, at, NULL);
      ok = k < pieces && end > at && (int64_t)(end - at) == want[k];
      at = end;
      ++k;
    }
    if ((!ok || k != pieces) && bad++ < 5) fprintf(stderr, "pretokenize line %d differs at piece %zu\n", i + 1, k);
  }
  CHECK_MSG(bad == 0, "%d of %d pre-tokenisation lines differ", bad, lines.count);
  CHECK(lines.count > 500);
  vdt_lines_free(&lines);
}

static void test_pretokenize_alternatives(void) {
  static const struct {
    const char *text;
    const char *alts;  // alternative of each piece, in order
  } cases[] = {
      {"I'M", "ba"},      {"x'ſ", "ba"},   {"'re'x", "ab"},   {"  word", "fb"},   {"a  1", "bfgc"},
      {"a\n\n b", "beb"}, {" ?!\n\nx", "db"}, {"x   ", "bf"}, {"\t!", "gd"},     {"\u00a0w", "b"},
  };
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); ++c) {
    uint32_t cps[32];
    size_t n = vd_utf8_decode(cases[c].text, strlen(cases[c].text), cps), at = 0, k = 0;
    char got[32] = {0};
    while (at < n && k < 31) {
      vd_qwen2_alternative alt;
      at = vd_qwen2_pretokenize_next(cps, n, at, &alt);
      got[k++] = (char)alt;
    }
    CHECK_MSG(strcmp(got, cases[c].alts) == 0, "\"%s\": alternatives %s, want %s", cases[c].text, got, cases[c].alts);
  }
}

// ---- encode / decode goldens ---------------------------------------------------------------------------

static bool ids_equal(const vd_token_ids *got, const int64_t *want, size_t n) {
  if (got->count != n) return false;
  for (size_t k = 0; k < n; ++k)
    if (got->ids[k] != want[k]) return false;
  return true;
}

// Decodes ids and compares with the hex field; returns true when equal.
static bool decode_equals(const vd_qwen2_tokenizer *tok, const int32_t *ids, size_t n, bool skip, const char *hex) {
  static char want[1 << 16];
  size_t want_len = vdt_hex_bytes(hex, want, sizeof(want)), len = 0;
  char *got = NULL;
  vd_status st = vd_qwen2_tokenizer_decode(tok, ids, n, skip, &got, &len);
  bool ok = st == NULL && len == want_len && memcmp(got, want, len) == 0 && got[len] == '\0';
  vd_status_free(st);
  free(got);
  return ok;
}

// Every encode golden; with_decode also checks both decodes of the golden ids.
static void check_encode_golden(const vd_qwen2_tokenizer *tok, const char *what, bool with_decode) {
  vdt_lines lines;
  vdt_lines_read(DATA "/encode_golden.txt", &lines);
  vd_token_ids ids = {0};
  int bad = 0, bad_decode = 0;
  static int64_t want[1 << 14];
  for (int i = 0; i < lines.count; ++i) {
    size_t len = vdt_hex_bytes(lines.fields[i][0], text_buf, sizeof(text_buf));
    size_t n = vdt_numbers(lines.fields[i][1], 10, want, 1 << 14);
    vd_status st = vd_qwen2_tokenizer_encode(tok, text_buf, len, &ids);
    if ((st || !ids_equal(&ids, want, n)) && bad++ < 5) {
      fprintf(stderr, "%s: encode line %d: %s; got", what, i + 1, st ? vd_status_message(st) : "ids differ");
      for (size_t k = 0; k < ids.count && k < 40; ++k) fprintf(stderr, " %d", (int)ids.ids[k]);
      fprintf(stderr, "\n");
    }
    vd_status_free(st);
    if (with_decode && (!decode_equals(tok, ids.ids, ids.count, false, lines.fields[i][2]) ||
                        !decode_equals(tok, ids.ids, ids.count, true, lines.fields[i][3])) && bad_decode++ < 5)
      fprintf(stderr, "%s: decode of line %d differs\n", what, i + 1);
  }
  CHECK_MSG(bad == 0 && bad_decode == 0, "%s: %d encodes and %d decodes of %d lines differ", what, bad, bad_decode,
            lines.count);
  CHECK(lines.count > 200);
  vd_token_ids_release(&ids);
  vdt_lines_free(&lines);
}

static void check_decode_golden(const vd_qwen2_tokenizer *tok) {
  vdt_lines lines;
  vdt_lines_read(DATA "/decode_golden.txt", &lines);
  int bad = 0;
  for (int i = 0; i < lines.count; ++i) {
    int64_t v[64];
    int32_t ids[64];
    size_t n = vdt_numbers(lines.fields[i][0], 10, v, 64);
    for (size_t k = 0; k < n; ++k) ids[k] = (int32_t)v[k];
    bool same = decode_equals(tok, ids, n, false, lines.fields[i][1]);
    same = decode_equals(tok, ids, n, true, lines.fields[i][2]) && same;
    if (!same && bad++ < 5) fprintf(stderr, "decode golden line %d differs\n", i + 1);
  }
  CHECK_MSG(bad == 0, "%d of %d decode lines differ", bad, lines.count);
  vdt_lines_free(&lines);
}

// ---- variants of the same tokenizer ----------------------------------------------------------------------

static cJSON *read_json(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  static char buf[1 << 20];
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[n] = '\0';
  return cJSON_ParseWithLength(buf, n);
}

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (!f) return;
  fputs(text, f);
  fclose(f);
}

static void write_json(const char *path, const cJSON *j) {
  char *s = cJSON_PrintUnformatted(j);
  write_text(path, s ? s : "");
  cJSON_free(s);
}

// tokenizer.json with every merge as [left, right].
static void write_pair_form(const cJSON *root, const char *path) {
  cJSON *j = cJSON_Duplicate(root, 1);
  cJSON *merges = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "model"), "merges");
  cJSON *pairs = cJSON_CreateArray();
  for (const cJSON *m = merges->child; m; m = m->next) {
    const char *s = m->valuestring, *space = strchr(s, ' ');
    char left[1024];
    snprintf(left, sizeof(left), "%.*s", (int)(space - s), s);
    cJSON *pair = cJSON_CreateArray();
    cJSON_AddItemToArray(pair, cJSON_CreateString(left));
    cJSON_AddItemToArray(pair, cJSON_CreateString(space + 1));
    cJSON_AddItemToArray(pairs, pair);
  }
  cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "model"), "merges", pairs);
  write_json(path, j);
  cJSON_Delete(j);
}

// vocab.json, merges.txt and tokenizer_config.json (added_tokens_decoder) of the same tokenizer in dir.
static void write_slow_files(const cJSON *root, const char *dir) {
  char path[600];
  const cJSON *model = cJSON_GetObjectItemCaseSensitive(root, "model");
  snprintf(path, sizeof(path), "%s/vocab.json", dir);
  write_json(path, cJSON_GetObjectItemCaseSensitive(model, "vocab"));
  snprintf(path, sizeof(path), "%s/merges.txt", dir);
  FILE *f = fopen(path, "wb");
  if (!f) return;
  fputs("#version: 0.2\n", f);
  for (const cJSON *m = cJSON_GetObjectItemCaseSensitive(model, "merges")->child; m; m = m->next)
    fprintf(f, "%s\n\n", m->valuestring);  // blank lines are skipped
  fclose(f);
  cJSON *cfg = cJSON_CreateObject(), *dec = cJSON_CreateObject();
  cJSON_AddStringToObject(cfg, "tokenizer_class", "Qwen2Tokenizer");
  for (const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "added_tokens")->child; a; a = a->next) {
    char key[32];
    snprintf(key, sizeof(key), "%d", (int)cJSON_GetObjectItemCaseSensitive(a, "id")->valuedouble);
    cJSON *e = cJSON_Duplicate(a, 1);
    cJSON_DeleteItemFromObjectCaseSensitive(e, "id");
    cJSON_AddItemToObject(dec, key, e);
  }
  cJSON_AddItemToObject(cfg, "added_tokens_decoder", dec);
  snprintf(path, sizeof(path), "%s/tokenizer_config.json", dir);
  write_json(path, cfg);
  cJSON_Delete(cfg);
}

static void test_variant(const char *path, const char *what) {
  vd_qwen2_tokenizer *tok = NULL;
  CHECK_OK(vd_qwen2_tokenizer_load(path, &tok));
  if (!tok) return;
  CHECK(vd_qwen2_tokenizer_merge_count(tok) == 2500 && vd_qwen2_tokenizer_added_count(tok) == 18);
  check_encode_golden(tok, what, true);
  vd_qwen2_tokenizer_destroy(tok);
}

static void test_variants(void) {
  mkdir(WORK, 0755);
  mkdir(WORK "/slow", 0755);
  cJSON *root = read_json(DATA "/tokenizer.json");
  CHECK(root != NULL);
  if (!root) return;
  write_pair_form(root, WORK "/pairs.json");
  write_slow_files(root, WORK "/slow");
  cJSON_Delete(root);
  test_variant(WORK "/pairs.json", "pair-form merges");
  test_variant(WORK "/slow", "slow files");
  test_variant(WORK "/slow/vocab.json", "vocab.json path");
}

// ---- the main tokenizer --------------------------------------------------------------------------------

static int32_t encode_one(const vd_qwen2_tokenizer *tok, const char *text, vd_token_ids *ids) {
  vd_status st = vd_qwen2_tokenizer_encode(tok, text, strlen(text), ids);
  vd_status_free(st);
  return st ? -2 : ids->count == 1 ? ids->ids[0] : -1;
}

static void test_lookups(const vd_qwen2_tokenizer *tok) {
  const int32_t base = 2756;  // vocabulary entries; the added tokens follow
  CHECK(vd_qwen2_tokenizer_vocab_size(tok) == base + 18);
  CHECK(vd_qwen2_tokenizer_token_id(tok, "<|endoftext|>") == base);
  CHECK(vd_qwen2_tokenizer_token_id(tok, "<|im_end|>") == base + 2);
  CHECK(vd_qwen2_tokenizer_token_id(tok, "<IMG_CONTEXT>") == base + 5);
  CHECK(vd_qwen2_tokenizer_token_id(tok, "!") == 0 && vd_qwen2_tokenizer_token_id(tok, "\xc4\xa0") == 220);
  CHECK(vd_qwen2_tokenizer_token_id(tok, "no such token") == -1 && vd_qwen2_tokenizer_token_id(tok, "") == -1);
  CHECK(vd_qwen2_tokenizer_is_special(tok, base) && vd_qwen2_tokenizer_is_special(tok, base + 12));
  CHECK(!vd_qwen2_tokenizer_is_special(tok, base + 13) && !vd_qwen2_tokenizer_is_special(tok, 5));
  CHECK(vd_qwen2_tokenizer_has_id(tok, 0) && vd_qwen2_tokenizer_has_id(tok, base + 17));
  CHECK(!vd_qwen2_tokenizer_has_id(tok, base + 18) && !vd_qwen2_tokenizer_has_id(tok, -1));
  vd_token_ids ids = {0};
  CHECK(encode_one(tok, "<|im_start|>", &ids) == base + 1);
  CHECK(encode_one(tok, "<|im", &ids) == base + 17);  // the shorter token where the longer does not match
  vd_token_ids_release(&ids);
}

// Random bytes of every kind: encoding succeeds, every id is known, decoding gives valid UTF-8.
static void test_hostile_input(const vd_qwen2_tokenizer *tok) {
  size_t n = 1 << 16;
  char *data = malloc(n);
  vdt_rng rng = {0x9e3779b97f4a7c15ull};
  for (size_t i = 0; i < n; ++i) data[i] = (char)(int)vdt_uniform(&rng, 0, 256);
  memcpy(data + 100, "<|im_end|>", 10);
  vd_token_ids ids = {0};
  CHECK_OK(vd_qwen2_tokenizer_encode(tok, data, n, &ids));
  bool known = ids.count > 0;
  for (size_t k = 0; k < ids.count; ++k) known = known && vd_qwen2_tokenizer_has_id(tok, ids.ids[k]);
  CHECK(known);
  char *text = NULL;
  size_t len = 0;
  CHECK_OK(vd_qwen2_tokenizer_decode(tok, ids.ids, ids.count, false, &text, &len));
  if (text) {
    uint32_t *cps = malloc(sizeof(uint32_t) * (len + 1));
    size_t m = vd_utf8_decode(text, len, cps), back = 0;
    for (size_t i = 0; i < m; ++i) {
      char buf[4];
      back += (size_t)vd_utf8_encode(cps[i], buf);
    }
    CHECK(back == len);  // valid UTF-8 re-encodes to the same length
    free(cps);
  }
  free(text);
  memset(data, 'a', n);  // one long word
  CHECK_OK(vd_qwen2_tokenizer_encode(tok, data, n, &ids));
  CHECK(ids.count > 0);
  free(data);
  char *big = malloc(VD_QWEN2_MAX_TEXT_BYTES + 1);
  memset(big, ' ', VD_QWEN2_MAX_TEXT_BYTES + 1);
  CHECK_ERR(vd_qwen2_tokenizer_encode(tok, big, VD_QWEN2_MAX_TEXT_BYTES + 1, &ids), VD_ERR_LIMIT);
  free(big);
  CHECK_ERR(vd_qwen2_tokenizer_encode(tok, NULL, 3, &ids), VD_ERR_INVALID_ARGUMENT);
  CHECK_OK(vd_qwen2_tokenizer_encode(tok, NULL, 0, &ids));
  CHECK(ids.count == 0);
  CHECK_ERR(vd_qwen2_tokenizer_decode(tok, NULL, 2, false, &text, NULL), VD_ERR_INVALID_ARGUMENT);
  vd_token_ids_release(&ids);
}

static void test_main_tokenizer(void) {
  vd_qwen2_tokenizer *tok = NULL;
  CHECK_OK(vd_qwen2_tokenizer_load(DATA "/tokenizer.json", &tok));
  if (!tok) return;
  check_encode_golden(tok, "tokenizer.json", true);
  check_decode_golden(tok);
  test_lookups(tok);
  test_hostile_input(tok);
  vd_qwen2_tokenizer_destroy(tok);
  CHECK_OK(vd_qwen2_tokenizer_load(DATA, &tok));  // the folder
  vd_qwen2_tokenizer_destroy(tok);
}

// HF applies merges one at a time by (rank, position): "abab" with (ab, a) rank 0 and (a, b) rank 1 gives
// [aba, b], where the Python slow tokenizer's rank batches give [ab, ab]. The file is all \u escapes.
static void test_merge_order(void) {
  vd_qwen2_tokenizer *tok = NULL;
  CHECK_OK(vd_qwen2_tokenizer_load(DATA "/order_tokenizer.json", &tok));
  if (!tok) return;
  vd_token_ids ids = {0};
  CHECK_OK(vd_qwen2_tokenizer_encode(tok, "abab", 4, &ids));
  CHECK(ids.count == 2 && ids.ids[0] == 3 && ids.ids[1] == 1);
  const char *text = "ab ab\xf0\x9f\x99\x82<|x|>c";  // c is not in the vocabulary and there is no unk: dropped
  CHECK_OK(vd_qwen2_tokenizer_encode(tok, text, strlen(text), &ids));
  CHECK(ids.count == 4 && ids.ids[0] == 2 && ids.ids[1] == 4 && ids.ids[2] == 2 && ids.ids[3] == 5);
  CHECK(vd_qwen2_tokenizer_token_id(tok, "\xf0\x9f\x99\x82<|x|>") == 5);
  vd_token_ids_release(&ids);
  vd_qwen2_tokenizer_destroy(tok);
}

int main(void) {
  test_pretokenize_alternatives();
  test_pretokenize_golden();
  test_main_tokenizer();
  test_variants();
  test_merge_order();
  return vdt_finish("test_qwen2_tokenizer");
}
