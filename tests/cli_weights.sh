#!/usr/bin/env bash
# vlmdiff inspect / convert: output, exit codes, one-line errors, and no output file left on failure.
set -u
vlmdiff=${1:?usage: cli_weights.sh PATH_TO_VLMDIFF}
data="$(cd "$(dirname "$0")" && pwd)/data/weights"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/vdtest.sh"
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then ok; else bad "$what"; fi
}

out=$("$vlmdiff" inspect "$data/golden.ckpt")
check "inspect exits 0" test $? -eq 0
check "inspect names the format" grep -q "format:  pytorch zip checkpoint" <<<"$out"
check "inspect counts tensors" grep -q "tensors: 9" <<<"$out"
check "inspect lists a shape" grep -q "F32  (4, 3, 3, 3) .*model.conv.weight" <<<"$out"
check "inspect flags non-contiguous" grep -q "model.proj.weight_t  (non-contiguous)" <<<"$out"
json=$("$vlmdiff" inspect --json "$data/golden.safetensors")
check "inspect --json" grep -q '"tensor_count":	9' <<<"$json"
check "inspect --help" bash -c "\"$vlmdiff\" inspect --help | grep -q '^usage: vlmdiff inspect FILE'"

"$vlmdiff" convert "$data/golden.ckpt" "$tmp/all.safetensors" --dtype f16 >/dev/null
check "convert exits 0" test $? -eq 0
check "convert leaves no temp file" test ! -e "$tmp/all.safetensors.tmp"
out=$("$vlmdiff" inspect "$tmp/all.safetensors")
check "converted floats are F16" grep -q "F16  (5, 3) .*model.proj.weight_t" <<<"$out"
check "converted ints keep I64" grep -q "I64  (1, 7) .*cond.position_ids" <<<"$out"
"$vlmdiff" convert "$data/golden.ckpt" "$tmp/cond.safetensors" --prefix cond. >/dev/null
out=$("$vlmdiff" inspect "$tmp/cond.safetensors")
check "convert --prefix strips the prefix" grep -q "tensors: 1" <<<"$out"
check "convert --prefix keeps the key" grep -q " position_ids$" <<<"$out"
check "convert --help" bash -c "\"$vlmdiff\" convert --help | grep -q '^usage: vlmdiff convert IN OUT'"

err=$("$vlmdiff" convert "$data/golden.ckpt" "$tmp/none.safetensors" --prefix nope. 2>&1 >/dev/null)
check "convert with an empty selection fails" test $? -eq 1
check "error is one line" test "$(wc -l <<<"$err")" -eq 1
check "error names the verb" grep -q "^vlmdiff convert: .*nope." <<<"$err"
check "no output on failure" test ! -e "$tmp/none.safetensors" -a ! -e "$tmp/none.safetensors.tmp"
printf '\x80\x02\x63posix\nsystem\nX\x02\x00\x00\x00ls\x85R.' >"$tmp/data.pkl"
(cd "$tmp" && mkdir -p evil && cp data.pkl evil/ && python3 -c "
import zipfile
with zipfile.ZipFile('evil.ckpt', 'w', zipfile.ZIP_STORED) as z: z.write('evil/data.pkl')
with zipfile.ZipFile('deflated.ckpt', 'w', zipfile.ZIP_DEFLATED) as z: z.write('evil/data.pkl')")
err=$("$vlmdiff" inspect "$tmp/evil.ckpt" 2>&1 >/dev/null)
check "inspect of a hostile pickle fails" test $? -eq 1
check "hostile global is named" grep -q "^vlmdiff inspect: .*forbidden global \"posix.system\"" <<<"$err"
err=$("$vlmdiff" convert "$tmp/evil.ckpt" "$tmp/evil.safetensors" 2>&1 >/dev/null)
check "convert of a hostile pickle fails" test $? -eq 1
check "no output for a hostile file" test ! -e "$tmp/evil.safetensors"
err=$("$vlmdiff" inspect "$tmp/deflated.ckpt" 2>&1 >/dev/null)
check "compressed entry is refused" grep -q "\"evil/data.pkl\" is compressed" <<<"$err"
head -c 100 "$data/golden.safetensors" >"$tmp/cut.safetensors"
err=$("$vlmdiff" inspect "$tmp/cut.safetensors" 2>&1 >/dev/null)
check "truncated safetensors fails" test $? -eq 1
check "truncation is named" grep -q "^vlmdiff inspect: .*cut.safetensors: header of [0-9]* bytes runs past the end of the 100-byte file$" <<<"$err"
# safetensors files whose header length (384: bytes 80 01, 123: byte 7B '{') looks like a pickle or an index.
for len in 384 123; do
  python3 -c "
import struct, sys
h = b'{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}'.ljust($len)
open(sys.argv[1], 'wb').write(struct.pack('<Q', len(h)) + h + struct.pack('<2f', 1.5, -2.0))" "$tmp/len$len.safetensors"
  out=$("$vlmdiff" inspect "$tmp/len$len.safetensors" 2>&1)
  check "inspect of a safetensors file with a $len-byte header exits 0" test $? -eq 0
  check "header of $len bytes: recognised as safetensors" grep -q "format:  safetensors$" <<<"$out"
  check "header of $len bytes: its tensor is listed" grep -q "F32  (2,) .* w$" <<<"$out"
done
err=$("$vlmdiff" inspect 2>&1 >/dev/null)
check "missing argument is a usage error" test $? -eq 2
check "missing argument is named" grep -q "^vlmdiff inspect: missing FILE" <<<"$err"
err=$("$vlmdiff" convert a b --dtype bf16 2>&1 >/dev/null)
check "bad --dtype is a usage error" test $? -eq 2
check "bad --dtype is named" grep -q '^vlmdiff convert: --dtype must be f32 or f16, not "bf16"$' <<<"$err"

vdt_finish cli_weights
