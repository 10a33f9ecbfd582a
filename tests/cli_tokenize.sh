#!/usr/bin/env bash
# `vlmdiff tokenize`: every encode golden of the small Qwen2 tokenizer (tests/data/qwen2, made by the
# Python reference) through --text-file (raw bytes, invalid UTF-8 and NUL included) and --decode, --json
# forms, the CLIP tokenizer through the real merges file (data/clip) against test_clip_tokenizer's
# vectors, and the errors: one line on stderr, nothing on stdout, exit 2 for usage errors and 1 otherwise.
set -u
bin=${1:?usage: cli_tokenize.sh VLMDIFF}
root=$(cd "$(dirname "$0")/.." && pwd)
qwen=$root/tests/data/qwen2
source "$(dirname "$0")/vdtest.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- Qwen2: every encode golden line, through a file of its raw bytes -------------------------------
python3 - "$qwen/encode_golden.txt" "$tmp" <<'EOF'
import sys
for i, line in enumerate(open(sys.argv[1])):
    hex_text, ids, dec, dec_skip = line.rstrip("\n").split("\t")
    open(f"{sys.argv[2]}/in{i}.bin", "wb").write(bytes.fromhex(hex_text))
    open(f"{sys.argv[2]}/ids{i}.txt", "w").write(ids + "\n")
    open(f"{sys.argv[2]}/dec{i}.bin", "wb").write(bytes.fromhex(dec) + b"\n")
    open(f"{sys.argv[2]}/skip{i}.bin", "wb").write(bytes.fromhex(dec_skip) + b"\n")
EOF
lines=$(wc -l <"$qwen/encode_golden.txt")
enc_bad=0 dec_bad=0
for ((i = 0; i < lines; i++)); do
  got=$("$bin" tokenize --tokenizer "$qwen" --text-file "$tmp/in$i.bin") || enc_bad=$((enc_bad + 1))
  [ "$got" = "$(cat "$tmp/ids$i.txt")" ] || { enc_bad=$((enc_bad + 1)); echo "encode line $((i + 1)): $got" >&2; }
  ids=$(cat "$tmp/ids$i.txt")
  [ -n "$ids" ] || continue
  # shellcheck disable=SC2086
  "$bin" tokenize --tokenizer "$qwen/tokenizer.json" --decode $ids >"$tmp/out.bin" && cmp -s "$tmp/out.bin" "$tmp/dec$i.bin" \
    || { dec_bad=$((dec_bad + 1)); echo "decode line $((i + 1))" >&2; }
  # shellcheck disable=SC2086
  "$bin" tokenize --tokenizer "$qwen" --decode $ids --skip-special >"$tmp/out.bin" && cmp -s "$tmp/out.bin" "$tmp/skip$i.bin" \
    || { dec_bad=$((dec_bad + 1)); echo "decode --skip-special line $((i + 1))" >&2; }
done
[ "$lines" -gt 200 ] && [ $enc_bad -eq 0 ] && ok || bad "$enc_bad of $lines encodes differ from the goldens"
[ $dec_bad -eq 0 ] && ok || bad "$dec_bad decodes differ from the goldens"

# --text and --json, standard input
got=$("$bin" tokenize --tokenizer "$qwen" --text "Hello, World! It's a test.")
[ "$got" = "1018 292 78 11 419 1262 0 1340 335 353 304 68 295 13" ] && ok || bad "--text: $got"
got=$("$bin" tokenize --tokenizer "$qwen" --text "<|im_start|>user
Hi<|im_end|>" --json)
[ "$got" = '{"ids": [2757, 585, 259, 198, 39, 72, 2758]}' ] && ok || bad "--json: $got"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d == {"ids": [2757, 585, 259, 198, 39, 72, 2758]}' "$got" \
  && ok || bad "--json is not that JSON"
got=$(printf 'Hello world' | "$bin" tokenize --tokenizer "$qwen" --text-file -)
[ "$got" = "1018 292 78 1887" ] && ok || bad "--text-file -: $got"
got=$("$bin" tokenize --tokenizer "$qwen" --text "")
[ -z "$got" ] && ok || bad "empty text gives \"$got\""
got=$("$bin" tokenize --tokenizer "$qwen" --decode 1018 292 78 11 2758 --json)
[ "$got" = '{"text":"Hello,<|im_end|>"}' ] && ok || bad "--decode --json: $got"

# ---- CLIP through the real merges file: test_clip_tokenizer's vectors ------------------------------------
pad() { local s=$1 n=$2; for ((k = n; k < 77; k++)); do s="$s 49407"; done; echo "$s"; }
want=$(pad "49406 320 1125 539 320 2368 49407" 7)
for path in "$root/data/clip" "$root/data/clip/bpe_simple_vocab_16e6.txt.gz"; do
  got=$("$bin" tokenize --tokenizer "$path" --text "a photo of a cat")
  [ "$got" = "$want" ] && ok || bad "CLIP $path: $got"
done
got=$("$bin" tokenize --tokenizer "$root/data/clip" --text "")
[ "$got" = "$(pad "49406 49407" 2)" ] && ok || bad "CLIP empty text: $got"
pd="Describe the visual features of image in detail with a focus on the main object, with around 60 words and maybe 4 or 5 sentences."
want=$(pad "49406 10967 518 7195 4643 539 2867 530 7657 593 320 4353 525 518 2623 14115 267 593 1630 277 271 2709 537 3746 275 541 276 25858 269 49407" 30)
got=$("$bin" tokenize --tokenizer "$root/data/clip" --text "$pd")
[ "$got" = "$want" ] && ok || bad "CLIP pd prompt: $got"
got=$("$bin" tokenize --tokenizer "$root/data/clip" --text "$pd" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["ids"]))')
[ "$got" = 77 ] && ok || bad "CLIP --json has $got ids"
# shellcheck disable=SC2046
got=$("$bin" tokenize --tokenizer "$root/data/clip" --decode $("$bin" tokenize --tokenizer "$root/data/clip" --text "$pd") --skip-special)
[ "$got" = "describe the visual features of image in detail with a focus on the main object , with around 6 0 words and maybe 4 or 5 sentences ." ] \
  && ok || bad "CLIP decode: $got"
got=$("$bin" tokenize --tokenizer "$root/data/clip" --decode 49406 320 2368 49407)
[ "$got" = "<|startoftext|> a cat <|endoftext|>" ] && ok || bad "CLIP decode with specials: $got"
got=$("$bin" tokenize --tokenizer "$root/tests/data/tokenizer/tokenizer.json" --text "hello")
[ "${got:0:9}" = "30 24 31 " ] && ok || bad "CLIP tokenizer.json (</w> suffix) not recognised: ${got:0:20}"

# ---- errors: one line on stderr, nothing on stdout ------------------------------------------------------
expect() {  # expect CODE MESSAGE_PART ARGS...
  local code=$1 part=$2
  shift 2
  "$bin" tokenize "$@" >"$tmp/stdout" 2>"$tmp/stderr"
  local rc=$?
  [ $rc -eq "$code" ] && [ ! -s "$tmp/stdout" ] && [ "$(wc -l <"$tmp/stderr")" -eq 1 ] && grep -q -- "$part" "$tmp/stderr" \
    && ok || bad "tokenize $*: exit $rc, stderr: $(cat "$tmp/stderr")"
}
expect 2 "missing --tokenizer" --text a
expect 2 "exactly one of" --tokenizer "$qwen"
expect 2 "exactly one of" --tokenizer "$qwen" --text a --decode 1
expect 2 "exactly one of" --tokenizer "$qwen" --text a --text-file "$tmp/in0.bin"
expect 2 "--decode needs ids" --tokenizer "$qwen" --decode
expect 2 '"x1" is not a token id' --tokenizer "$qwen" --decode 1 x1
expect 2 "unexpected argument" --tokenizer "$qwen" --text a --bogus
expect 2 "--tokenizer needs a value" --tokenizer
expect 2 "--skip-special goes with --decode" --tokenizer "$qwen" --text a --skip-special
expect 1 "no such file or folder" --tokenizer "$tmp/none" --text a
expect 1 "not in the vocabulary" --tokenizer "$qwen" --decode 1 99999
expect 1 "not in the vocabulary" --tokenizer "$root/data/clip" --decode 49408
expect 1 "cannot open" --tokenizer "$qwen" --text-file "$tmp/none.txt"
sed 's/"type": "NFC"/"type": "Lowercase"/' "$qwen/order_tokenizer.json" >"$tmp/lower.json"
expect 1 "normalizer Lowercase is not supported" --tokenizer "$tmp/lower.json" --text a
"$bin" tokenize --help >"$tmp/stdout" && grep -q "usage: vlmdiff tokenize" "$tmp/stdout" && ok || bad "--help"
"$bin" --help | grep -q "tokenize" && ok || bad "vlmdiff --help does not list tokenize"

vdt_finish cli_tokenize
