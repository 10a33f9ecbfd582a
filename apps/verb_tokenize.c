// vlmdiff tokenize --tokenizer PATH (--text TEXT | --text-file FILE) [--json]
// vlmdiff tokenize --tokenizer PATH --decode ID... [--skip-special] [--json]
// Runs a tokenizer from its files: Qwen2 byte-level BPE or CLIP BPE, recognised by text/tokenizer.h.
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/cli.h"
#include "apps/verbs.h"
#include "text/clip_tokenizer.h"
#include "text/qwen2_tokenizer.h"
#include "text/tokenizer.h"

#define VD_TOKENIZE_MAX_IDS 1000000  // ids accepted by --decode

static const char *const vd_tokenize_verb = "tokenize";

static void vd_tokenize_usage(FILE *f) {
  fprintf(f,
          "usage: vlmdiff tokenize --tokenizer PATH (--text TEXT | --text-file FILE) [--json]\n"
          "       vlmdiff tokenize --tokenizer PATH --decode ID... [--skip-special] [--json]\n\n"
          "Encodes a text to token ids, or decodes ids to text, with a tokenizer read from its files:\n"
          "  Qwen2 byte-level BPE (InternVL2's captioner): a tokenizer.json, a folder holding one, or the slow\n"
          "    files vocab.json + merges.txt (+ tokenizer_config.json / added_tokens.json); ids as HF tokenizers\n"
          "    gives them (no BOS/EOS); special tokens such as <|im_end|> in the text become their ids.\n"
          "  CLIP BPE (Stable Diffusion 1.x): bpe_simple_vocab_16e6.txt(.gz), a CLIP vocab.json + merges.txt or\n"
          "    tokenizer.json; --text gives the 77 ids the engine feeds the text encoder (BOS, at most 75\n"
          "    tokens, EOS, padded with EOS).\n\n"
          "  --tokenizer PATH   the tokenizer's file or folder\n"
          "  --text TEXT        the text to encode (UTF-8; invalid bytes count as U+FFFD)\n"
          "  --text-file FILE   encode the bytes of FILE (\"-\": standard input)\n"
          "  --decode ID...     decode these ids (the remaining arguments) and print the text\n"
          "  --skip-special     with --decode: drop special tokens\n"
          "  --json             print {\"ids\": [...]} (encoding) or {\"text\": \"...\"} (decoding)\n\n"
          "Ids are printed space-separated on one line; decoded text is printed as it is, then a newline.\n");
}

// Parsed command line.
typedef struct vd_tokenize_args {
  const char *tokenizer;  // --tokenizer
  const char *text;       // --text
  const char *text_file;  // --text-file
  char **decode;          // the ids after --decode
  int decode_count;       // how many
  bool decoding;          // --decode given
  bool skip_special;      // --skip-special
  bool json;              // --json
} vd_tokenize_args;

// Returns -1 when parsing succeeded, else the exit code (0 for --help, 2 for a usage error).
static int vd_tokenize_parse(int argc, char **argv, vd_tokenize_args *a) {
  *a = (vd_tokenize_args){0};
  for (int i = 1; i < argc; ++i) {
    bool missing = false;
    if (vd_cli_is_help(argv[i])) {
      vd_tokenize_usage(stdout);
      return 0;
    }
    if (vd_cli_value(argc, argv, &i, "--tokenizer", &a->tokenizer, &missing) ||
        vd_cli_value(argc, argv, &i, "--text-file", &a->text_file, &missing) ||
        vd_cli_value(argc, argv, &i, "--text", &a->text, &missing)) {
      if (missing) return vd_cli_usage_error(vd_tokenize_verb, "%s needs a value", argv[i]);
    } else if (strcmp(argv[i], "--json") == 0) {
      a->json = true;
    } else if (strcmp(argv[i], "--skip-special") == 0) {
      a->skip_special = true;
    } else if (strcmp(argv[i], "--decode") == 0) {
      a->decoding = true;
      a->decode = argv + i + 1;
      for (; i + 1 < argc && argv[i + 1][0] != '-'; ++i) ++a->decode_count;
    } else {
      return vd_cli_usage_error(vd_tokenize_verb, "unexpected argument \"%s\"", argv[i]);
    }
  }
  if (!a->tokenizer) return vd_cli_usage_error(vd_tokenize_verb, "missing --tokenizer PATH");
  int inputs = (a->text != NULL) + (a->text_file != NULL) + a->decoding;
  if (inputs != 1) return vd_cli_usage_error(vd_tokenize_verb, "give exactly one of --text, --text-file, --decode");
  if (a->decoding && a->decode_count == 0) return vd_cli_usage_error(vd_tokenize_verb, "--decode needs ids");
  if (a->skip_special && !a->decoding) return vd_cli_usage_error(vd_tokenize_verb, "--skip-special goes with --decode");
  return -1;
}

// The ids after --decode; a usage error (exit 2) when one is not a non-negative integer.
static int vd_tokenize_parse_ids(const vd_tokenize_args *a, int32_t **out_ids) {
  if (a->decode_count > VD_TOKENIZE_MAX_IDS)
    return vd_cli_usage_error(vd_tokenize_verb, "more than %d ids", VD_TOKENIZE_MAX_IDS);
  int32_t *ids = malloc(sizeof(int32_t) * (size_t)(a->decode_count + 1));
  if (!ids) return vd_cli_fail(vd_tokenize_verb, vd_status_make(VD_ERR_OUT_OF_MEMORY, "out of memory"));
  for (int k = 0; k < a->decode_count; ++k) {
    char *end;
    errno = 0;
    long v = strtol(a->decode[k], &end, 10);
    if (errno || *end || end == a->decode[k] || v < 0 || v > INT32_MAX) {
      free(ids);
      return vd_cli_usage_error(vd_tokenize_verb, "\"%s\" is not a token id", a->decode[k]);
    }
    ids[k] = (int32_t)v;
  }
  *out_ids = ids;
  return -1;
}

static vd_status vd_tokenize_read_input(const vd_tokenize_args *a, char **out_text, size_t *out_len) {
  if (a->text) {
    *out_len = strlen(a->text);
    *out_text = malloc(*out_len + 1);
    if (!*out_text) return vd_status_make(VD_ERR_OUT_OF_MEMORY, "out of memory");
    memcpy(*out_text, a->text, *out_len + 1);
    return NULL;
  }
  bool std_in = strcmp(a->text_file, "-") == 0;
  FILE *f = std_in ? stdin : fopen(a->text_file, "rb");
  if (!f) return vd_status_make(VD_ERR_NOT_FOUND, "%s: cannot open", a->text_file);
  size_t cap = 1 << 16, len = 0;
  char *data = malloc(cap + 1);
  vd_status st = data ? NULL : vd_status_make(VD_ERR_OUT_OF_MEMORY, "out of memory");
  while (!st) {
    if (len == cap) {
      if (cap > VD_QWEN2_MAX_TEXT_BYTES) {
        st = vd_status_make(VD_ERR_LIMIT, "%s: longer than %u bytes", a->text_file, VD_QWEN2_MAX_TEXT_BYTES);
        break;
      }
      char *grown = realloc(data, cap * 2 + 1);
      if (!grown) {
        st = vd_status_make(VD_ERR_OUT_OF_MEMORY, "out of memory");
        break;
      }
      data = grown;
      cap *= 2;
    }
    size_t got = fread(data + len, 1, cap - len, f);
    len += got;
    if (got == 0) {
      if (ferror(f)) st = vd_status_make(VD_ERR_IO, "%s: read failed", a->text_file);
      break;
    }
  }
  if (!std_in) fclose(f);
  if (st) {
    free(data);
    return st;
  }
  data[len] = '\0';
  *out_text = data;
  *out_len = len;
  return NULL;
}

// ---- output -----------------------------------------------------------------------------------------

static void vd_tokenize_print_ids(const int32_t *ids, size_t n, bool json) {
  if (json) fputs("{\"ids\": [", stdout);
  for (size_t k = 0; k < n; ++k) printf("%s%d", k ? (json ? ", " : " ") : "", (int)ids[k]);
  puts(json ? "]}" : "");
}

static int vd_tokenize_print_text(const char *text, size_t len, bool json) {
  if (!json) {
    fwrite(text, 1, len, stdout);
    putchar('\n');
    return 0;
  }
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "text", text);  // NUL bytes end the JSON string
  char *s = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  if (!s) return vd_cli_fail(vd_tokenize_verb, vd_status_make(VD_ERR_OUT_OF_MEMORY, "out of memory"));
  puts(s);
  cJSON_free(s);
  return 0;
}

// ---- the two tokenizers -----------------------------------------------------------------------------

static int vd_tokenize_qwen2(const vd_tokenize_args *a, const char *text, size_t len, const int32_t *ids) {
  vd_qwen2_tokenizer *tok;
  vd_status st = vd_qwen2_tokenizer_load(a->tokenizer, &tok);
  if (st) return vd_cli_fail(vd_tokenize_verb, st);
  int rc = 0;
  if (ids) {
    for (int k = 0; k < a->decode_count && !st; ++k)
      if (!vd_qwen2_tokenizer_has_id(tok, ids[k]))
        st = vd_status_make(VD_ERR_INVALID_ARGUMENT, "id %d is not in the vocabulary (size %d)", (int)ids[k],
                            (int)vd_qwen2_tokenizer_vocab_size(tok));
    char *out = NULL;
    size_t out_len = 0;
    if (!st) st = vd_qwen2_tokenizer_decode(tok, ids, (size_t)a->decode_count, a->skip_special, &out, &out_len);
    rc = st ? vd_cli_fail(vd_tokenize_verb, st) : vd_tokenize_print_text(out, out_len, a->json);
    free(out);
  } else {
    vd_token_ids out = {0};
    st = vd_qwen2_tokenizer_encode(tok, text, len, &out);
    if (st) {
      rc = vd_cli_fail(vd_tokenize_verb, st);
    } else {
      vd_tokenize_print_ids(out.ids, out.count, a->json);
    }
    vd_token_ids_release(&out);
  }
  vd_qwen2_tokenizer_destroy(tok);
  return rc;
}

static int vd_tokenize_clip(const vd_tokenize_args *a, const char *text, size_t len, const int32_t *ids) {
  vd_clip_tokenizer *tok;
  vd_status st = vd_clip_tokenizer_load(a->tokenizer, &tok);
  if (st) return vd_cli_fail(vd_tokenize_verb, st);
  int rc = 0;
  if (ids) {
    char *out = NULL;
    size_t out_len = 0;
    st = vd_clip_tokenizer_decode(tok, ids, (size_t)a->decode_count, a->skip_special, &out, &out_len);
    rc = st ? vd_cli_fail(vd_tokenize_verb, st) : vd_tokenize_print_text(out, out_len, a->json);
    free(out);
  } else {
    int32_t out[VD_CLIP_CONTEXT_LENGTH];
    st = vd_clip_tokenize_n(tok, text, len, out, NULL);
    if (st) {
      rc = vd_cli_fail(vd_tokenize_verb, st);
    } else {
      vd_tokenize_print_ids(out, VD_CLIP_CONTEXT_LENGTH, a->json);
    }
  }
  vd_clip_tokenizer_destroy(tok);
  return rc;
}

int vd_verb_tokenize(int argc, char **argv) {
  vd_tokenize_args a;
  int rc = vd_tokenize_parse(argc, argv, &a);
  if (rc >= 0) return rc;
  int32_t *ids = NULL;
  char *text = NULL;
  size_t len = 0;
  if (a.decoding && (rc = vd_tokenize_parse_ids(&a, &ids)) >= 0) return rc;
  vd_tokenizer_kind kind;
  vd_status st = vd_tokenizer_detect(a.tokenizer, &kind);
  if (!st && !a.decoding) st = vd_tokenize_read_input(&a, &text, &len);
  if (st) {
    rc = vd_cli_fail(vd_tokenize_verb, st);
  } else if (kind == VD_TOKENIZER_QWEN2) {
    rc = vd_tokenize_qwen2(&a, text, len, ids);
  } else {
    rc = vd_tokenize_clip(&a, text, len, ids);
  }
  free(ids);
  free(text);
  return rc;
}
