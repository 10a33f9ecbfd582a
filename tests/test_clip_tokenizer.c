// CLIP BPE tokenizer: the spec's golden vectors with OpenAI's real merges file, and edge cases with a
// small vocabulary made for the test (tests/data/tokenizer/, in vocab.json + merges.txt and
// tokenizer.json form).
#include <stdint.h>
#include <sys/stat.h>

#include "text/clip_tokenizer.h"
#include "vdtest.h"

#define REAL_VOCAB VLMD_SOURCE_DIR "/data/clip/bpe_simple_vocab_16e6.txt.gz"
#define SMALL_DIR VLMD_SOURCE_DIR "/tests/data/tokenizer"

// Tokenizes text and compares the ids before padding with want[0..n); checks padding with the pad id.
static void check_ids(const vd_clip_tokenizer *tok, const char *text, size_t text_len, const int32_t *want, int n,
                      int line) {
  int32_t ids[VD_CLIP_CONTEXT_LENGTH];
  int len = -1;
  vd_status st = vd_clip_tokenize_n(tok, text, text_len, ids, &len);
  CHECK_MSG(st == NULL, "line %d: %s", line, vd_status_message(st));
  vd_status_free(st);
  if (st) return;
  CHECK_MSG(len == n, "line %d: length %d, want %d", line, len, n);
  for (int k = 0; k < n && k < len; ++k) CHECK_MSG(ids[k] == want[k], "line %d: id[%d] = %d, want %d", line, k,
                                                   (int)ids[k], (int)want[k]);
  for (int k = len; k < VD_CLIP_CONTEXT_LENGTH; ++k)
    CHECK_MSG(ids[k] == vd_clip_tokenizer_pad_id(tok), "line %d: pad[%d] = %d", line, k, (int)ids[k]);
  if (len != n || memcmp(ids, want, sizeof(int32_t) * (size_t)n) != 0) {
    fprintf(stderr, "line %d: got", line);
    for (int k = 0; k < len; ++k) fprintf(stderr, " %d", (int)ids[k]);
    fprintf(stderr, "\n");
  }
}

#define CHECK_IDS(tok, text, ...)                                                                  \
  do {                                                                                             \
    static const int32_t want_[] = {__VA_ARGS__};                                                  \
    check_ids(tok, text, sizeof(text) - 1, want_, (int)(sizeof(want_) / sizeof(want_[0])), __LINE__); \
  } while (0)

// tests/data/tokenizer/real_vocab_golden.txt: hex text TAB ids, from tools/reference/clip_tokenizer_reference.py.
static void test_real_golden(const vd_clip_tokenizer *tok) {
  FILE *f = fopen(SMALL_DIR "/real_vocab_golden.txt", "r");
  CHECK_MSG(f != NULL, "cannot open real_vocab_golden.txt");
  if (!f) return;
  static char line[8192];
  int lines = 0;
  while (fgets(line, sizeof(line), f)) {
    char *tab = strchr(line, '\t');
    if (!tab) continue;
    char text[2048];
    size_t n = 0;
    for (char *h = line; h + 1 < tab && n < sizeof(text); h += 2) {
      unsigned v;
      sscanf(h, "%2x", &v);
      text[n++] = (char)v;
    }
    int32_t want[VD_CLIP_CONTEXT_LENGTH];
    int count = 0;
    for (char *p = tab + 1; *p && count < VD_CLIP_CONTEXT_LENGTH;) {
      char *end;
      long v = strtol(p, &end, 10);
      if (end == p) break;
      want[count++] = (int32_t)v;
      p = end;
    }
    check_ids(tok, text, n, want, count, 1000 + lines);
    ++lines;
  }
  fclose(f);
  CHECK(lines >= 10);
}

// Long and hostile inputs finish, keep EOS at position 76, and the size limit is an error.
static void test_bounded_work(const vd_clip_tokenizer *tok) {
  size_t n = VD_CLIP_MAX_TEXT_BYTES;
  char *big = malloc(n + 1);
  if (!big) return;
  int32_t ids[VD_CLIP_CONTEXT_LENGTH];
  int len = 0;
  memset(big, 'a', n);  // one 1 MiB word
  CHECK_OK(vd_clip_tokenize_n(tok, big, n, ids, &len));
  CHECK(len == 77 && ids[0] == 49406 && ids[76] == 49407);
  for (size_t i = 0; i < n; ++i) big[i] = (char)(i * 7919 % 251 + 1);  // arbitrary bytes, no NUL
  CHECK_OK(vd_clip_tokenize_n(tok, big, n, ids, &len));
  CHECK(len == 77 && ids[76] == 49407);
  for (int k = 1; k < 76; ++k) CHECK(ids[k] >= 0 && ids[k] < 49408);
  for (size_t i = 0; i < n; ++i) big[i] = "&amp;\\xef\\xac\\x83"[i % 8];  // entities and ligatures (ftfy loop)
  CHECK_OK(vd_clip_tokenize_n(tok, big, n, ids, &len));
  CHECK_ERR(vd_clip_tokenize_n(tok, big, n + 1, ids, &len), VD_ERR_LIMIT);
  free(big);
  CHECK_ERR(vd_clip_tokenize(tok, NULL, ids, &len), VD_ERR_INVALID_ARGUMENT);
}

static void test_real_vocab(void) {
  vd_clip_tokenizer *tok = NULL;
  CHECK_OK(vd_clip_tokenizer_load(REAL_VOCAB, &tok));
  if (!tok) return;
  CHECK(vd_clip_tokenizer_vocab_size(tok) == 49408);
  CHECK(vd_clip_tokenizer_merge_count(tok) == 48894);
  CHECK(vd_clip_tokenizer_bos_id(tok) == 49406);
  CHECK(vd_clip_tokenizer_eos_id(tok) == 49407);
  CHECK(vd_clip_tokenizer_pad_id(tok) == 49407);
  CHECK_IDS(tok, "a photo of a cat", 49406, 320, 1125, 539, 320, 2368, 49407);
  CHECK_IDS(tok, "", 49406, 49407);
  CHECK_IDS(tok,
            "Describe the visual features of image in detail with a focus on the main object, with around 60 "
            "words and maybe 4 or 5 sentences.",
            49406, 10967, 518, 7195, 4643, 539, 2867, 530, 7657, 593, 320, 4353, 525, 518, 2623, 14115, 267, 593,
            1630, 277, 271, 2709, 537, 3746, 275, 541, 276, 25858, 269, 49407);
  test_real_golden(tok);
  test_bounded_work(tok);
  vd_clip_tokenizer_destroy(tok);
}

// Ids of the small test vocabulary (tests/data/tokenizer/vocab.json).
enum {
  S_BANG = 0, S_BANG_W = 1, S_APOS_W = 3, S_1_W = 4, S_2_W = 5, S_A_W = 7, S_B_W = 9, S_C = 10, S_HE = 21, S_L = 16,
  S_L_W = 17, S_HELLO_W = 24, S_APOS_S_W = 25, S_BANGBANG = 26, S_BANGBANG_W = 27, S_E_ACUTE_W = 29, S_BOS = 30,
  S_EOS = 31, S_AB_W = 33
};

static void test_small_vocab(const char *path, const char *what) {
  vd_clip_tokenizer *tok = NULL;
  CHECK_OK(vd_clip_tokenizer_load(path, &tok));
  if (!tok) return;
  fprintf(stderr, "small vocabulary from %s\n", what);
  CHECK(vd_clip_tokenizer_bos_id(tok) == S_BOS && vd_clip_tokenizer_eos_id(tok) == S_EOS);
  CHECK(vd_clip_tokenizer_pad_id(tok) == S_EOS && vd_clip_tokenizer_merge_count(tok) == 12);
  CHECK_IDS(tok, "", S_BOS, S_EOS);
  CHECK_IDS(tok, "    \t\n  ", S_BOS, S_EOS);
  CHECK_IDS(tok, "hello", S_BOS, S_HELLO_W, S_EOS);
  CHECK_IDS(tok, "  HeLLo  ", S_BOS, S_HELLO_W, S_EOS);
  CHECK_IDS(tok, "hell", S_BOS, S_HE, S_L, S_L_W, S_EOS);          // stops at a pair that is no merge
  CHECK_IDS(tok, "lo", S_BOS, S_EOS, S_EOS);                       // merged symbol not in the vocab: UNK
  CHECK_IDS(tok, "cab", S_BOS, S_C, S_AB_W, S_EOS);
  CHECK_IDS(tok, "!!!", S_BOS, S_BANGBANG, S_BANG_W, S_EOS);       // lowest rank first, left to right
  CHECK_IDS(tok, "hello!!", S_BOS, S_HELLO_W, S_BANGBANG_W, S_EOS);
  CHECK_IDS(tok, "!", S_BOS, S_BANG_W, S_EOS);
  CHECK_IDS(tok, "12", S_BOS, S_1_W, S_2_W, S_EOS);                // single digits
  CHECK_IDS(tok, "21!", S_BOS, S_2_W, S_1_W, S_BANG_W, S_EOS);
  CHECK_IDS(tok, "a's", S_BOS, S_A_W, S_APOS_S_W, S_EOS);          // contraction split off
  CHECK_IDS(tok, "a'b", S_BOS, S_A_W, S_APOS_W, S_B_W, S_EOS);     // not a contraction: punctuation run
  CHECK_IDS(tok, "a\xe2\x80\x99s", S_BOS, S_A_W, S_APOS_S_W, S_EOS);  // curly apostrophe uncurled (ftfy)
  CHECK_IDS(tok, "!'s", S_BOS, S_BANG, S_APOS_W, 19, S_EOS);   // "!'" is one punctuation run, then "s"
  CHECK_IDS(tok, "\xc3\xa9", S_BOS, S_E_ACUTE_W, S_EOS);           // non-ASCII letter, byte-level BPE
  CHECK_IDS(tok, "\xc3\x89", S_BOS, S_E_ACUTE_W, S_EOS);           // É lower-cased
  CHECK_IDS(tok, "e\xcc\x81", S_BOS, S_E_ACUTE_W, S_EOS);          // e + combining acute, NFC-composed
  CHECK_IDS(tok, "\xff", S_BOS, S_EOS, S_EOS, S_EOS, S_EOS);       // invalid byte → U+FFFD, 3 unknown bytes
  CHECK_IDS(tok, "a\xe2\x82", S_BOS, S_A_W, S_EOS, S_EOS, S_EOS, S_EOS);  // truncated sequence → one U+FFFD
  CHECK_IDS(tok, "a<|endoftext|>b", S_BOS, S_A_W, S_EOS, S_B_W, S_EOS);
  CHECK_IDS(tok, "A<|ENDOFTEXT|>", S_BOS, S_A_W, S_EOS, S_EOS);     // matched by the pattern after lower()
  CHECK_IDS(tok, "\xef\xbd\x81\xef\xbc\x81", S_BOS, S_A_W, S_BANG_W, S_EOS);  // full-width "a!" (ftfy width)
  CHECK_IDS(tok, "\xef\xac\x83", S_BOS, S_EOS, S_EOS, S_EOS, S_EOS);  // ligature ffi → "ffi" (f, i unknown)
  CHECK_IDS(tok, "a&amp;b", S_BOS, S_A_W, S_EOS, S_B_W, S_EOS);     // HTML entity unescaped (no '<')
  // A NUL byte inside the text is a control character that ftfy removes.
  int32_t ids[VD_CLIP_CONTEXT_LENGTH];
  int len = 0;
  CHECK_OK(vd_clip_tokenize_n(tok, "a\0b", 3, ids, &len));
  CHECK(len == 3 && ids[1] == 32 + 1);  // "ab" → ab</w>
  // Truncation: 100 words keep 75 tokens, EOS at 76.
  char text[400];
  for (int k = 0; k < 100; ++k) memcpy(text + 2 * k, "a ", 2);
  CHECK_OK(vd_clip_tokenize_n(tok, text, 200, ids, &len));
  CHECK(len == 77 && ids[0] == S_BOS && ids[1] == S_A_W && ids[75] == S_A_W && ids[76] == S_EOS);
  int count = 0;
  int32_t few[3];
  CHECK_OK(vd_clip_tokenizer_encode(tok, text, 200, few, 3, &count));
  CHECK(count == 3 && few[2] == S_A_W);
  vd_clip_tokenizer_destroy(tok);
}

// ftfy steps that change tokens, checked through the real vocabulary against texts without them.
static void test_ftfy_subset(void) {
  vd_clip_tokenizer *tok = NULL;
  CHECK_OK(vd_clip_tokenizer_load(REAL_VOCAB, &tok));
  if (!tok) return;
  static const char *pairs[][2] = {
      {"\xe2\x80\x9cquoted\xe2\x80\x9d", "\"quoted\""},
      {"it\xe2\x80\x99s", "it's"},
      {"\xef\xbc\xa6\xef\xbd\x95\xef\xbd\x8c\xef\xbd\x8c\xe3\x80\x80width", "full width"},
      {"o\xef\xac\x80" "ice", "office"},
      {"fish &amp; chips &lt;3 &#65;&#x42;", "fish & chips <3 ab"},
      {"x&amp;amp;y", "x&y"},                // fixed until stable
      {"\x1b[31mred\x1b[0m", "red"},         // terminal escapes
      {"ctrl\x01\x7f" "chars\xef\xbb\xbf", "ctrlchars"},
      {"\xc2\x93quoted\xc2\x94", "\"quoted\""},   // C1 controls read as Windows-1252
      {"\xc2\x85", "\xe2\x80\xa6"},               // U+0085 → …
      {"cafe\xcc\x81", "caf\xc3\xa9"},
      {"\xce\x9f\xce\x94\xce\x9f\xce\xa3", "\xce\xbf\xce\xb4\xce\xbf\xcf\x82"},  // final sigma
      {"\xc4\xb0stanbul", "i\xcc\x87stanbul"},
      {"no\xc2\xa0" "break\xe2\x80\x83spaces", "no break spaces"},
  };
  for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); ++k) {
    int32_t a[VD_CLIP_CONTEXT_LENGTH], b[VD_CLIP_CONTEXT_LENGTH];
    int la = 0, lb = 0;
    CHECK_OK(vd_clip_tokenize(tok, pairs[k][0], a, &la));
    CHECK_OK(vd_clip_tokenize(tok, pairs[k][1], b, &lb));
    CHECK_MSG(la == lb && memcmp(a, b, sizeof(a)) == 0, "ftfy pair %zu (%s)", k, pairs[k][1]);
  }
  // With '<' present no entity is unescaped: "&amp;" stays the tokens of "&", "amp", ";" (ids from
  // tools/reference/clip_tokenizer_reference.py, which tokenizes the text as written); unescaped it would be
  // the tokens of "a & b < c", 49406 320 261 321 283 322 49407.
  CHECK_IDS(tok, "a &amp; b < c", 49406, 320, 261, 6259, 282, 321, 283, 322, 49407);
  vd_clip_tokenizer_destroy(tok);
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (!f) return;
  fputs(text, f);
  fclose(f);
}

static void check_load_error(const char *path, vd_status_code code, const char *must_mention) {
  vd_clip_tokenizer *tok = NULL;
  vd_status st = vd_clip_tokenizer_load(path, &tok);
  CHECK_MSG(vd_status_code_of(st) == code, "%s: got %s (%s)", path, vd_status_code_name(vd_status_code_of(st)),
            vd_status_message(st));
  CHECK_MSG(strstr(vd_status_message(st), must_mention) != NULL, "message '%s' lacks '%s'",
            vd_status_message(st), must_mention);
  CHECK(tok == NULL);
  vd_status_free(st);
}

static void test_load_errors(void) {
  check_load_error(VLMD_BINARY_DIR "/no/such/tokenizer", VD_ERR_NOT_FOUND, "no/such");
  check_load_error(VLMD_SOURCE_DIR "/tests", VD_ERR_NOT_FOUND, "tokenizer.json");
  char dir[512];
  snprintf(dir, sizeof(dir), "%s/test-clip-tokenizer", VLMD_BINARY_DIR);
  mkdir(dir, 0755);
  char vocab[600], merges[600], fast[600];
  snprintf(vocab, sizeof(vocab), "%s/vocab.json", dir);
  snprintf(merges, sizeof(merges), "%s/merges.txt", dir);
  snprintf(fast, sizeof(fast), "%s/bad.json", dir);
  write_file(vocab, "{\"a\": 0, \"b\": 1, \"<|startoftext|>\": 2, \"<|endoftext|>\": 3}");
  write_file(merges, "#version: 0.2\na b\nthree parts here\n");
  check_load_error(dir, VD_ERR_FORMAT, "merges.txt:3");
  write_file(merges, "#version: 0.2\na b\n");
  write_file(vocab, "{\"a\": 0, \"b\": 1}");
  check_load_error(dir, VD_ERR_FORMAT, "<|endoftext|>");
  write_file(vocab, "{\"a\": -4}");
  check_load_error(dir, VD_ERR_FORMAT, "no valid id");
  write_file(vocab, "{\"a\": 0, \"a\": 1}");
  check_load_error(dir, VD_ERR_FORMAT, "two ids");
  write_file(vocab, "[1, 2");
  check_load_error(dir, VD_ERR_FORMAT, "not valid JSON");
  write_file(fast, "{\"model\": {\"type\": \"Unigram\", \"vocab\": {}}}");
  check_load_error(fast, VD_ERR_FORMAT, "Unigram");
  write_file(fast, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [[\"a\"]]}}");
  check_load_error(fast, VD_ERR_FORMAT, "merges[0]");
  write_file(fast, "{\"model\": {\"type\": \"BPE\", \"end_of_word_suffix\": \"@@\", \"vocab\": {}, \"merges\": []}}");
  check_load_error(fast, VD_ERR_FORMAT, "@@");
  check_load_error(SMALL_DIR "/merges.bin", VD_ERR_NOT_FOUND, "merges.bin");
}

int main(void) {
  test_real_vocab();
  test_small_vocab(SMALL_DIR, "folder (vocab.json + merges.txt)");
  test_small_vocab(SMALL_DIR "/tokenizer.json", "tokenizer.json");
  test_small_vocab(SMALL_DIR "/vocab.json", "vocab.json path");
  test_ftfy_subset();
  test_load_errors();
  return vdt_finish("test_clip_tokenizer");
}
