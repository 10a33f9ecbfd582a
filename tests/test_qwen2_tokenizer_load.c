// Qwen2 tokenizer loading: the pipeline options it honours (unk_token and fuse_unk, ignore_merges, ByteLevel
// add_prefix_space, no normaliser, no decoder, NFC version, added_tokens.json with special_tokens_map.json),
// the parts it refuses (each error names the part), malformed files, and which kind of tokenizer a path
// holds (text/tokenizer.h). Expected ids were checked with the Python reference. Variants are written from
// tests/data/qwen2/order_tokenizer.json (vocabulary a b ab aba Ġ, merges "ab a", "a b").
#include <cjson/cJSON.h>
#include <stdint.h>
#include <sys/stat.h>

#include "text/byte_level.h"
#include "text/qwen2_tokenizer.h"
#include "text/tokenizer.h"
#include "text/utf8.h"
#include "vdtest.h"

#define DATA VLMD_SOURCE_DIR "/tests/data/qwen2"
#define WORK VLMD_BINARY_DIR "/test-qwen2-load"

static cJSON *base(void) {
  FILE *f = fopen(DATA "/order_tokenizer.json", "rb");
  if (!f) return cJSON_CreateObject();
  char buf[8192];
  size_t n = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  return cJSON_ParseWithLength(buf, n);
}

static cJSON *model_of(cJSON *j) { return cJSON_GetObjectItemCaseSensitive(j, "model"); }

static void set(cJSON *obj, const char *key, cJSON *value) {
  if (cJSON_GetObjectItemCaseSensitive(obj, key)) {
    cJSON_ReplaceItemInObjectCaseSensitive(obj, key, value);
  } else {
    cJSON_AddItemToObject(obj, key, value);
  }
}

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (!f) return;
  fputs(text, f);
  fclose(f);
}

// Writes j to WORK/name and deletes j; returns the path (static buffer).
static const char *save(cJSON *j, const char *name) {
  static char path[600];
  snprintf(path, sizeof(path), "%s/%s", WORK, name);
  char *s = cJSON_PrintUnformatted(j);
  write_text(path, s ? s : "");
  cJSON_free(s);
  cJSON_Delete(j);
  return path;
}

static void check_ids(const char *path, const char *text, const int32_t *want, size_t n, int line) {
  vd_qwen2_tokenizer *tok = NULL;
  vd_status st = vd_qwen2_tokenizer_load(path, &tok);
  CHECK_MSG(st == NULL, "line %d: %s", line, vd_status_message(st));
  vd_status_free(st);
  if (!tok) return;
  vd_token_ids ids = {0};
  CHECK_OK(vd_qwen2_tokenizer_encode(tok, text, strlen(text), &ids));
  bool same = ids.count == n && (n == 0 || memcmp(ids.ids, want, sizeof(int32_t) * n) == 0);
  CHECK_MSG(same, "line %d: \"%s\" gives %zu ids (first %d)", line, text, ids.count, ids.count ? (int)ids.ids[0] : -1);
  vd_token_ids_release(&ids);
  vd_qwen2_tokenizer_destroy(tok);
}

#define CHECK_IDS(path, text, ...)                                                              \
  do {                                                                                          \
    static const int32_t want_[] = {__VA_ARGS__};                                               \
    check_ids(path, text, want_, sizeof(want_) / sizeof(want_[0]), __LINE__);                   \
  } while (0)

static void check_decode(const char *path, const int32_t *ids, size_t n, const char *want) {
  vd_qwen2_tokenizer *tok = NULL;
  CHECK_OK(vd_qwen2_tokenizer_load(path, &tok));
  if (!tok) return;
  char *text = NULL;
  CHECK_OK(vd_qwen2_tokenizer_decode(tok, ids, n, false, &text, NULL));
  CHECK_MSG(text && strcmp(text, want) == 0, "decoded \"%s\", want \"%s\"", text ? text : "", want);
  free(text);
  vd_qwen2_tokenizer_destroy(tok);
}

static void check_error(const char *path, vd_status_code code, const char *must_mention) {
  vd_qwen2_tokenizer *tok = NULL;
  vd_status st = vd_qwen2_tokenizer_load(path, &tok);
  CHECK_MSG(vd_status_code_of(st) == code, "%s: got %s (%s)", must_mention, vd_status_code_name(vd_status_code_of(st)),
            vd_status_message(st));
  CHECK_MSG(strstr(vd_status_message(st), must_mention) != NULL, "message '%s' lacks '%s'", vd_status_message(st),
            must_mention);
  CHECK(tok == NULL);
  vd_status_free(st);
}

// ---- options that are honoured ---------------------------------------------------------------------------

// Vocabulary a b ab <unk>: c is unknown.
static cJSON *with_unk(bool fuse) {
  cJSON *j = base(), *m = model_of(j);
  set(j, "added_tokens", cJSON_CreateArray());
  set(m, "vocab", cJSON_Parse("{\"a\": 0, \"b\": 1, \"ab\": 2, \"<unk>\": 3}"));
  set(m, "merges", cJSON_Parse("[\"a b\"]"));
  set(m, "unk_token", cJSON_CreateString("<unk>"));
  set(m, "fuse_unk", cJSON_CreateBool(fuse));
  return j;
}

static void test_options(void) {
  CHECK_IDS(save(base(), "plain.json"), "acca", 0, 0);        // unknown characters dropped without unk_token
  CHECK_IDS(save(with_unk(false), "unk.json"), "accab", 0, 3, 3, 2);
  CHECK_IDS(save(with_unk(true), "fuse.json"), "accab", 0, 3, 2);
  cJSON *j = base();
  set(model_of(j), "vocab", cJSON_Parse("{\"a\": 0, \"b\": 1, \"ab\": 2, \"aba\": 3, \"\xc4\xa0\": 4, \"abab\": 5}"));
  set(j, "added_tokens", cJSON_Parse("[{\"id\": 6, \"content\": \"<s>\", \"special\": true, \"normalized\": false}]"));
  cJSON *ignore = cJSON_Duplicate(j, 1);
  set(model_of(ignore), "ignore_merges", cJSON_CreateTrue());
  CHECK_IDS(save(j, "merges.json"), "abab", 3, 1);
  CHECK_IDS(save(ignore, "ignore.json"), "abab", 5);           // the whole piece is an entry: no merging
  j = base();
  cJSON *bl = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "pre_tokenizer"),
                                                                   "pretokenizers"), 1);
  set(bl, "add_prefix_space", cJSON_CreateTrue());
  CHECK_IDS(save(j, "prefix.json"), "ab ab", 4, 2, 4, 2);      // "ab" becomes "Ġab" too
  j = base();
  set(j, "normalizer", cJSON_CreateNull());
  // Byte-level characters: Ã (byte c3), ¡ (a1), Ì (cc), ģ (81).
  set(model_of(j), "vocab", cJSON_Parse("{\"a\": 0, \"b\": 1, \"ab\": 2, \"aba\": 3, \"\xc4\xa0\": 4, \"\xc3\x83\": 5, "
                                        "\"\xc2\xa1\": 6, \"\xc3\x8c\": 7, \"\xc4\xa3\": 8}"));
  set(j, "added_tokens", cJSON_Parse("[{\"id\": 9, \"content\": \"<s>\", \"special\": true}]"));
  cJSON *nfc = cJSON_Duplicate(j, 1);
  set(nfc, "normalizer", cJSON_Parse("{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFC\"}]}"));
  CHECK_IDS(save(j, "no_nfc.json"), "a\xcc\x81", 0, 7, 8);     // a U+0301 kept: bytes 61 cc 81
  CHECK_IDS(save(nfc, "seq_nfc.json"), "a\xcc\x81", 5, 6);     // NFC: á, bytes c3 a1
  j = base();
  set(j, "decoder", cJSON_CreateNull());
  static const int32_t ids[] = {2, 4, 3};
  check_decode(save(j, "no_decoder.json"), ids, 3, "ab \xc4\xa0 aba");  // joined with spaces, bytes not mapped
}

// NFC of a character added after Unicode 9.0 (U+1E4EC, ccc 232 since 15.0) before a ccc-230 mark: with
// 9.0 tables (HF's) it is a starter and nothing moves; with 15.0 tables the marks are reordered.
static void test_nfc_version(void) {
  cJSON *j = base();
  set(j, "added_tokens", cJSON_CreateArray());
  cJSON *vocab = cJSON_CreateObject();
  for (int b = 0; b < 256; ++b) {  // every byte with its value as id, no merges: ids are the bytes
    char name[8];
    int n = vd_utf8_encode(vd_byte_level_char((uint8_t)b), name);
    name[n] = '\0';
    cJSON_AddNumberToObject(vocab, name, b);
  }
  set(model_of(j), "vocab", vocab);
  set(model_of(j), "merges", cJSON_CreateArray());
  const char *path = save(j, "nfc_version.json");
  const char *text = "x\xf0\x9e\x93\xac\xcc\x81";  // x U+1E4EC U+0301
  vd_qwen2_tokenizer *hf = NULL, *latest = NULL;
  vd_qwen2_options opts = {.nfc_age = VD_UCD_AGE(15, 0)};
  CHECK_OK(vd_qwen2_tokenizer_load(path, &hf));
  CHECK_OK(vd_qwen2_tokenizer_load_with(path, &opts, &latest));
  if (hf && latest) {
    vd_token_ids a = {0}, b = {0};
    CHECK_OK(vd_qwen2_tokenizer_encode(hf, text, strlen(text), &a));
    CHECK_OK(vd_qwen2_tokenizer_encode(latest, text, strlen(text), &b));
    // 9.0: bytes in input order (f0 9e 93 ac cc 81); 15.0: U+0301 (cc 81) sorts before U+1E4EC.
    CHECK(a.count == 7 && a.ids[1] == 0xF0 && a.ids[5] == 0xCC);
    CHECK(b.count == 7 && b.ids[1] == 0xCC && b.ids[3] == 0xF0);
    vd_token_ids_release(&a);
    vd_token_ids_release(&b);
  }
  vd_qwen2_tokenizer_destroy(hf);
  vd_qwen2_tokenizer_destroy(latest);
}

// added_tokens.json {content: id}: special when special_tokens_map.json names it.
static void test_added_tokens_json(void) {
  mkdir(WORK "/legacy", 0755);
  write_text(WORK "/legacy/vocab.json", "{\"a\": 0, \"b\": 1, \"ab\": 2, \"\\u0120\": 3}");
  write_text(WORK "/legacy/merges.txt", "#version: 0.2\r\n  a   b  \r\n\r\n");
  write_text(WORK "/legacy/added_tokens.json", "{\"<|endoftext|>\": 4, \"<x>\": 5}");
  write_text(WORK "/legacy/special_tokens_map.json", "{\"eos_token\": {\"content\": \"<|endoftext|>\"}}");
  vd_qwen2_tokenizer *tok = NULL;
  CHECK_OK(vd_qwen2_tokenizer_load(WORK "/legacy", &tok));
  if (!tok) return;
  CHECK(vd_qwen2_tokenizer_is_special(tok, 4) && !vd_qwen2_tokenizer_is_special(tok, 5));
  vd_token_ids ids = {0};
  CHECK_OK(vd_qwen2_tokenizer_encode(tok, "ab<x> ab<|endoftext|>", 21, &ids));
  CHECK(ids.count == 5 && ids.ids[0] == 2 && ids.ids[1] == 5 && ids.ids[2] == 3 && ids.ids[3] == 2 && ids.ids[4] == 4);
  char *text = NULL;
  CHECK_OK(vd_qwen2_tokenizer_decode(tok, ids.ids, ids.count, true, &text, NULL));
  CHECK(text && strcmp(text, "ab<x> ab") == 0);
  free(text);
  vd_token_ids_release(&ids);
  vd_qwen2_tokenizer_destroy(tok);
}

// ---- refusals --------------------------------------------------------------------------------------------

static void refuse(const char *name, const char *key, const char *value_json, bool in_model, const char *mention) {
  cJSON *j = base();
  set(in_model ? model_of(j) : j, key, cJSON_Parse(value_json));
  check_error(save(j, name), VD_ERR_UNAVAILABLE, mention);
}

static void test_refusals(void) {
  refuse("lower.json", "normalizer", "{\"type\": \"Lowercase\"}", false, "normalizer Lowercase");
  refuse("seq.json", "normalizer",
         "{\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFC\"}, {\"type\": \"NFKC\"}]}", false, "NFKC");
  refuse("gpt2.json", "pre_tokenizer", "{\"type\": \"ByteLevel\", \"use_regex\": true}", false,
         "Sequence[Split, ByteLevel]");
  refuse("regex.json", "pre_tokenizer",
         "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": \"\\\\s+\"}, "
         "\"behavior\": \"Isolated\", \"invert\": false}, {\"type\": \"ByteLevel\", \"use_regex\": false}]}",
         false, "PRETOKENIZE_REGEX");
  cJSON *j = base();
  cJSON *split = cJSON_GetArrayItem(
      cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "pre_tokenizer"), "pretokenizers"), 0);
  set(split, "behavior", cJSON_CreateString("Removed"));
  check_error(save(j, "removed.json"), VD_ERR_UNAVAILABLE, "Split behavior Removed");
  refuse("decoder.json", "decoder", "{\"type\": \"WordPiece\"}", false, "decoder WordPiece");
  refuse("post.json", "post_processor", "{\"type\": \"TemplateProcessing\"}", false, "TemplateProcessing");
  refuse("trunc.json", "truncation", "{\"max_length\": 8}", false, "truncation");
  refuse("pad.json", "padding", "{\"strategy\": \"BatchLongest\"}", false, "padding");
  refuse("dropout.json", "dropout", "0.1", true, "dropout");
  refuse("fallback.json", "byte_fallback", "true", true, "byte_fallback");
  refuse("suffix.json", "end_of_word_suffix", "\"</w>\"", true, "end_of_word_suffix");
  refuse("prefix.json", "continuing_subword_prefix", "\"##\"", true, "continuing_subword_prefix");
  refuse("unigram.json", "type", "\"Unigram\"", true, "Unigram");
}

static void malformed(const char *name, const char *key, const char *value_json, bool in_model, const char *mention) {
  cJSON *j = base();
  set(in_model ? model_of(j) : j, key, cJSON_Parse(value_json));
  check_error(save(j, name), VD_ERR_FORMAT, mention);
}

static void test_malformed(void) {
  mkdir(WORK, 0755);
  malformed("m1.json", "merges", "[\"a c\"]", true, "'c' is not in the vocabulary");
  malformed("m2.json", "merges", "[\"b a\"]", true, "merged token 'ba'");
  malformed("m3.json", "merges", "[\"ab\"]", true, "merges[0] is not \"left right\"");
  malformed("m4.json", "merges", "[[\"a\"]]", true, "merges[0] is neither");
  malformed("m5.json", "vocab", "{\"a\": 0, \"b\": 0}", true, "id 0 belongs to two tokens");
  malformed("m6.json", "vocab", "{\"a\": -1}", true, "no valid id");
  malformed("m7.json", "unk_token", "\"<unk>\"", true, "unk_token '<unk>' is not in the vocabulary");
  malformed("m8.json", "added_tokens", "[{\"id\": 9, \"content\": \"<s>\"}]", false,
            "HF tokenizers would give it id 5");
  malformed("m9.json", "added_tokens", "[{\"id\": 5, \"content\": \"<s>\", \"special\": 1}]", false,
            "special is not a boolean");
  malformed("m10.json", "added_tokens",
            "[{\"id\": 5, \"content\": \"<s>\"}, {\"id\": 6, \"content\": \"<s>\", \"special\": true}]", false,
            "listed twice");
  write_text(WORK "/bad.json", "{\"model\": ");
  check_error(WORK "/bad.json", VD_ERR_FORMAT, "not valid JSON");
  check_error(WORK "/none", VD_ERR_NOT_FOUND, "no such file");
  check_error(VLMD_SOURCE_DIR "/tests", VD_ERR_NOT_FOUND, "no tokenizer.json or vocab.json + merges.txt");
  mkdir(WORK "/slow_bad", 0755);
  write_text(WORK "/slow_bad/vocab.json", "{\"a\": 0, \"b\": 1, \"ab\": 2}");
  write_text(WORK "/slow_bad/merges.txt", "#version: 0.2\na b c\n");
  check_error(WORK "/slow_bad", VD_ERR_FORMAT, "merges.txt:2");
  write_text(WORK "/slow_bad/merges.txt", "a b\n");
  write_text(WORK "/slow_bad/tokenizer_config.json", "{\"tokenizer_class\": \"LlamaTokenizer\"}");
  check_error(WORK "/slow_bad", VD_ERR_UNAVAILABLE, "LlamaTokenizer");
}

static void check_kind(const char *path, vd_tokenizer_kind want) {
  vd_tokenizer_kind kind = 0;
  vd_status st = vd_tokenizer_detect(path, &kind);
  CHECK_MSG(st == NULL && kind == want, "%s: %s, kind %d", path, st ? vd_status_message(st) : "ok", (int)kind);
  vd_status_free(st);
}

static void test_detect(void) {
  check_kind(DATA, VD_TOKENIZER_QWEN2);
  check_kind(DATA "/tokenizer.json", VD_TOKENIZER_QWEN2);
  check_kind(WORK "/legacy", VD_TOKENIZER_QWEN2);
  check_kind(WORK "/legacy/merges.txt", VD_TOKENIZER_QWEN2);
  check_kind(VLMD_SOURCE_DIR "/data/clip", VD_TOKENIZER_CLIP);
  check_kind(VLMD_SOURCE_DIR "/data/clip/bpe_simple_vocab_16e6.txt.gz", VD_TOKENIZER_CLIP);
  check_kind(VLMD_SOURCE_DIR "/tests/data/tokenizer", VD_TOKENIZER_CLIP);           // vocab.json with </w>
  check_kind(VLMD_SOURCE_DIR "/tests/data/tokenizer/tokenizer.json", VD_TOKENIZER_CLIP);
  check_kind(VLMD_SOURCE_DIR "/tests/data/tokenizer/vocab.json", VD_TOKENIZER_CLIP);
  mkdir(WORK "/clip_cfg", 0755);
  write_text(WORK "/clip_cfg/vocab.json", "{\"a\": 0}");
  write_text(WORK "/clip_cfg/merges.txt", "#version: 0.2\n");
  write_text(WORK "/clip_cfg/tokenizer_config.json", "{\"tokenizer_class\": \"CLIPTokenizer\"}");
  check_kind(WORK "/clip_cfg", VD_TOKENIZER_CLIP);
  vd_tokenizer_kind kind;
  CHECK_ERR(vd_tokenizer_detect(WORK "/none", &kind), VD_ERR_NOT_FOUND);
  CHECK_ERR(vd_tokenizer_detect(VLMD_SOURCE_DIR "/tests", &kind), VD_ERR_NOT_FOUND);
  CHECK_ERR(vd_tokenizer_detect(VLMD_SOURCE_DIR "/README.md", &kind), VD_ERR_INVALID_ARGUMENT);
}

int main(void) {
  mkdir(WORK, 0755);
  test_malformed();
  test_refusals();
  test_options();
  test_nfc_version();
  test_added_tokens_json();
  test_detect();
  return vdt_finish("test_qwen2_tokenizer_load");
}
