#!/usr/bin/env bash
# `vlmdiff bench --ops`: runs a cheap case, prints the table, writes valid JSON; bad options fail clearly.
set -u
bin=${1:?usage: cli_bench.sh VLMDIFF}
source "$(dirname "$0")/vdtest.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$("$bin" bench --ops --filter scale_add --repeat 2 --json "$tmp/b.json" 2>&1) && ok || bad "bench failed: $out"
grep -q "scale_add .*GB/s" <<<"$out" && ok || bad "no scale_add row: $out"
/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["ops"][0]; assert r["op"]=="scale_add" and r["gpu_ms"]>0 and r["gbps"]>0' "$tmp/b.json" && ok || bad "bad JSON"
out=$("$bin" bench --ops --filter scale_add --repeat 1 --precision fp16 2>&1) && grep -qE "^scale_add .* eltwise fp16 .*GB/s" <<<"$out" && ok || bad "fp16: $out"
"$bin" bench --help | grep -q "^usage: vlmdiff bench" && ok || bad "help"
"$bin" bench 2>/dev/null; [ $? -eq 2 ] && ok || bad "no mode should exit 2"
"$bin" bench --ops --repeat 0 2>/dev/null; [ $? -eq 2 ] && ok || bad "--repeat 0 should exit 2"
"$bin" bench --ops --precision fp8 2>/dev/null; [ $? -eq 2 ] && ok || bad "bad precision should exit 2"
"$bin" bench --ops --json /nonexistent/dir/x.json --filter scale_add --repeat 1 >/dev/null 2>&1; [ $? -eq 1 ] && ok || bad "unwritable JSON should exit 1"
vdt_finish cli_bench
