#!/usr/bin/env bash
# The command's contract: `vlmdiff devices` lists the test device (text and JSON), help exits 0, and a
# missing loader, a missing driver or a bad --device give a one-line reason and exit 1 (usage errors 2).
set -u
bin=${1:?usage: cli_devices.sh VLMDIFF}
source "$(dirname "$0")/vdtest.sh"
expect() {  # expect DESCRIPTION EXPECTED_RC PATTERN -- command...
  local what=$1 want=$2 pattern=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  [ $rc -eq "$want" ] || { bad "$what: exit $rc, wanted $want: $out"; return; }
  if [ -n "$pattern" ] && ! grep -qiE -- "$pattern" <<<"$out"; then bad "$what: output lacks /$pattern/: $out"; return; fi
  ok
}
expect "devices lists lavapipe" 0 "llvmpipe" -- "$bin" devices
expect "devices shows the chosen device" 0 "chosen: automatic" -- "$bin" devices
expect "devices shows the policy" 0 "subgroup size [0-9]+" -- "$bin" devices
expect "devices --json" 0 '"chosen":[[:space:]]*true' -- "$bin" devices --json
json=$("$bin" devices --json 2>/dev/null)
if /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["devices"] and any(x["chosen"] for x in d["devices"])' <<<"$json"; then ok; else bad "devices --json is not valid JSON with a chosen device"; fi
expect "devices --device 0" 0 "requested" -- "$bin" devices --device 0
expect "devices --device by name" 0 "requested" -- "$bin" devices --device=LLVMPIPE
expect "devices with validation" 0 "llvmpipe" -- env VLMD_VALIDATION=1 "$bin" devices
expect "--help" 0 "usage: vlmdiff VERB" -- "$bin" --help
expect "devices --help" 0 "usage: vlmdiff devices" -- "$bin" devices --help
expect "no verb" 2 "usage" -- "$bin"
expect "unknown verb" 2 'unknown verb "frobnicate"' -- "$bin" frobnicate
expect "unknown option" 2 "unknown option --bogus" -- "$bin" devices --bogus
expect "--device without value" 2 "needs a value" -- "$bin" devices --device
expect "device index out of range" 1 "^vlmdiff devices: device 9 requested but only [0-9]+ device\(s\) exist$" -- "$bin" devices --device 9
expect "device name not found" 1 '^vlmdiff devices: no device.s name contains "nosuchgpu"$' -- "$bin" devices --device nosuchgpu
expect "no Vulkan loader" 1 "^vlmdiff devices: no Vulkan loader: could not open /nonexistent/libvulkan.so.1" -- \
  env VLMD_VULKAN_LIBRARY=/nonexistent/libvulkan.so.1 "$bin" devices
# (a loader without a driver fails instance creation; one that creates it anyway finds no device)
expect "no Vulkan driver" 1 "^vlmdiff devices: no Vulkan (driver is installed or usable|device)" -- \
  env VK_DRIVER_FILES=/nonexistent/icd.json VK_ICD_FILENAMES=/nonexistent/icd.json "$bin" devices
# one line on stderr for a failure
lines=$(env VLMD_VULKAN_LIBRARY=/nonexistent/libvulkan.so.1 "$bin" devices 2>&1 >/dev/null | wc -l)
[ "$lines" -eq 1 ] && ok || bad "failure prints $lines lines on stderr, wanted 1"
vdt_finish cli_devices
