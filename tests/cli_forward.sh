#!/usr/bin/env bash
# `vlmdiff forward` on the tiny model: each --net against its PyTorch golden (tests/data/nets), the
# default empty-caption context, and the errors a user meets (missing tensor, wrong shape, bad option)
# with no output file left behind.
set -u
bin=${1:?usage: cli_forward.sh VLMDIFF NETS_TOOL}
tool=${2:?usage: cli_forward.sh VLMDIFF NETS_TOOL}
data=$(cd "$(dirname "$0")/data/nets" && pwd)
source "$(dirname "$0")/vdtest.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$tool" weights "$tmp/tiny.safetensors" || { echo "cannot make the tiny weights"; exit 1; }
fwd() { "$bin" forward --config "$data/tiny.yaml" --weights "$tmp/tiny.safetensors" "$@"; }
check() {  # check NAME OUT GOLDEN TENSOR...
  local what=$1 out=$2 golden=$3; shift 3
  for t in "$@"; do "$tool" compare "$out" "$golden" "$t" >/dev/null && ok || bad "$what: $t differs from the golden"; done
}
fwd --net vae-encode --inputs "$data/vae_encode.safetensors" --out "$tmp/enc.st" && ok || bad "vae-encode failed"
check vae-encode "$tmp/enc.st" "$data/vae_encode.safetensors" mean logvar
fwd --net vae-decode --inputs "$data/vae_decode.safetensors" --out "$tmp/dec.st" && ok || bad "vae-decode failed"
check vae-decode "$tmp/dec.st" "$data/vae_decode.safetensors" image
fwd --net eps --inputs "$data/eps.safetensors" --out "$tmp/eps.st" && ok || bad "eps failed"
check eps "$tmp/eps.st" "$data/eps.safetensors" eps
fwd --net eps --full-control --inputs "$data/eps_full_control.safetensors" --out "$tmp/epsf.st" && ok || bad "eps --full-control failed"
check "eps --full-control" "$tmp/epsf.st" "$data/eps_full_control.safetensors" eps
"$bin" forward --net clip-text --config "$data/tiny_clip_config.json" --weights "$tmp/tiny.safetensors" \
  --inputs "$data/clip_text.safetensors" --out "$tmp/clip.st" && ok || bad "clip-text failed"
check clip-text "$tmp/clip.st" "$data/clip_text.safetensors" context
fwd --net reconstruct --inputs "$data/reconstruct.safetensors" --out "$tmp/rec.st" && ok || bad "reconstruct failed"
check reconstruct "$tmp/rec.st" "$data/reconstruct.safetensors" latent samples
# --text goes through the real CLIP tokenizer (49408 ids): the tiny model's 1000-entry vocabulary refuses
# the ids, naming the problem, which proves the text reached the tokenizer and the encoder's checks.
bpe="$(dirname "$0")/../data/clip/bpe_simple_vocab_16e6.txt.gz"
out=$("$bin" forward --net clip-text --config "$data/tiny_clip_config.json" --weights "$tmp/tiny.safetensors" \
  --text "a photo of a bottle" --tokenizer "$bpe" --out "$tmp/t.st" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "token 49406 at position 0 is outside the vocabulary of 1000" <<<"$out" && [ ! -e "$tmp/t.st" ] \
  && ok || bad "--text: rc=$rc $out"
# The default context is the empty caption: without context tensors, computed by the tiny CLIP.
"$tool" subset "$data/reconstruct_uncond_mean.safetensors" "$tmp/in_mean.st" image noise >/dev/null && ok || bad "subset"
fwd --net reconstruct --posterior mean --clip-config "$data/tiny_clip_config.json" --inputs "$tmp/in_mean.st" \
  --out "$tmp/rec_mean.st" && ok || bad "reconstruct with the default empty caption failed"
check "reconstruct (empty caption)" "$tmp/rec_mean.st" "$data/reconstruct_uncond_mean.safetensors" latent samples
# VLMD_DUMP writes the matching nodes' outputs (named by node) to a safetensors file.
VLMD_DUMP='first_stage_model.encoder.down.1.block.*.conv2' VLMD_DUMP_FILE="$tmp/dump.st" \
  fwd --net vae-encode --inputs "$data/vae_encode.safetensors" --out "$tmp/enc2.st" 2>/dev/null && ok || bad "dump run failed"
dump=$("$bin" inspect "$tmp/dump.st" 2>&1)
grep -q "first_stage_model.encoder.down.1.block.0.conv2" <<<"$dump" && grep -q "tensors: 2" <<<"$dump" && ok || bad "dump: $dump"
# Errors name the tensor, exit non-zero, leave no output.
"$tool" subset "$data/eps.safetensors" "$tmp/no_hint.st" x t context >/dev/null
out=$(fwd --net eps --inputs "$tmp/no_hint.st" --out "$tmp/e1.st" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q 'input tensor "hint" is missing' <<<"$out" && [ ! -e "$tmp/e1.st" ] && ok || bad "missing hint: rc=$rc $out"
out=$(fwd --net vae-decode --inputs "$data/eps.safetensors" --out "$tmp/e2.st" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q 'input tensor "z" is missing' <<<"$out" && ok || bad "missing z: rc=$rc $out"
out=$(fwd --net vae-encode --inputs "$data/eps.safetensors" --out "$tmp/e3.st" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q 'input tensor "image" is missing' <<<"$out" && ok || bad "missing image: rc=$rc $out"
# reconstruct of vae_encode's 64x96 image: the size is refused before anything else.
out=$(fwd --net reconstruct --inputs "$data/vae_encode.safetensors" --out "$tmp/e4.st" 2>&1); rc=$?
[ $rc -eq 1 ] && [ "$out" = "vlmdiff forward: input image: height and width must be multiples of 64" ] && [ ! -e "$tmp/e4.st" ] \
  && ok || bad "reconstruct of a 64x96 image: rc=$rc $out"
# reconstruct without a context and without --clip-config to compute the empty caption's.
"$tool" subset "$data/reconstruct.safetensors" "$tmp/no_context.st" image noise posterior_noise uncond_context >/dev/null
out=$(fwd --net reconstruct --inputs "$tmp/no_context.st" --out "$tmp/e6.st" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -qx "vlmdiff forward: input context is absent: give it, or --clip-config .*" <<<"$out" && [ ! -e "$tmp/e6.st" ] \
  && ok || bad "reconstruct without context: rc=$rc $out"
out=$(fwd --net bogus --inputs x --out y 2>&1); rc=$?
[ $rc -eq 2 ] && grep -q -- "--net takes" <<<"$out" && ok || bad "bad --net: rc=$rc $out"
out=$(fwd --net eps --inputs "$data/eps.safetensors" 2>&1); rc=$?
[ $rc -eq 2 ] && ok || bad "missing --out: rc=$rc"
out=$("$bin" forward --net eps --config "$data/tiny.yaml" --weights /nonexistent.ckpt --inputs "$data/eps.safetensors" --out "$tmp/e5.st" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "nonexistent.ckpt" <<<"$out" && ok || bad "missing weights file: $out"
"$bin" forward --help | grep -q "^usage: vlmdiff forward" && ok || bad "help"
vdt_finish cli_forward
