// CLIP BPE tokenizer: the spec's golden vectors with OpenAI's real merges file, and edge cases with a
// small vocabulary made for the test (tests/data/tokenizer/, in vocab.json + merges.txt and
// tokenizer.json form).
#include <stdint.h>

#include "models/clip_tokenizer.h"
#include "vdtest.h"

#define REAL_VOCAB VLMD_SOURCE_DIR "/../shared/data/clip/bpe_simple_vocab_16e6.txt.gz"
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
  vd_clip_tokenizer_destroy(tok);
}

int main(void) {
  test_real_vocab();
  return vdt_finish("test_clip_tokenizer");
}
