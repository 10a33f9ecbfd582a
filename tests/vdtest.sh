# Sourced by the shell tests (tests/cli_*.sh): the counting and exit codes of tests/vdtest.h.
#   ok                 a check held
#   bad DESCRIPTION    a check failed (printed on stderr)
#   skip REASON        a part did not run here, and why
#   vdt_finish NAME    the last line: prints "N passed, N failed, N skipped" (and "SKIPPED: reasons"), then
#                      exits 1 if anything failed, else 77 (skipped: ctest's SKIP_RETURN_CODE) if anything was
#                      skipped or nothing was checked, else 0.
vdt_pass=0
vdt_fail=0
vdt_skips=()
ok() { vdt_pass=$((vdt_pass + 1)); }
bad() { vdt_fail=$((vdt_fail + 1)); echo "FAIL: $*" >&2; }
skip() { vdt_skips+=("$*"); echo "skipped: $*"; }
vdt_finish() {
  echo "$1: $vdt_pass passed, $vdt_fail failed, ${#vdt_skips[@]} skipped"
  local reasons="" r
  for r in "${vdt_skips[@]}"; do reasons+="${reasons:+; }$r"; done
  [ $vdt_pass -gt 0 ] || [ -n "$reasons" ] || [ $vdt_fail -gt 0 ] || reasons="no check ran, and the test gave no reason"
  [ -z "$reasons" ] || echo "SKIPPED: $reasons"
  [ $vdt_fail -eq 0 ] || exit 1
  [ -z "$reasons" ] || exit 77
  exit 0
}
