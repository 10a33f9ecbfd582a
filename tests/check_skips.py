#!/usr/bin/python3
"""Fails CI when a test skipped that must run on lavapipe.

    ctest --test-dir build --output-on-failure -j2 --output-junit ctest-junit.xml
    /usr/bin/python3 tests/check_skips.py build/ctest-junit.xml

A test may skip (exit code 77, ctest's SKIP_RETURN_CODE) only if it carries a ctest label starting with
"needs-" (needs-coopmat: the device's cooperative matrices; needs-real-weights: a full checkpoint), set in
tests/CMakeLists.txt. Every skipped test is printed with its reason (the "SKIPPED:" line the test printed,
tests/vdtest.h); any other skip, a disabled test, a test without SKIP_RETURN_CODE 77 or a report with no
tests fails. Labels come from `ctest --test-dir BUILD --show-only=json-v1` (BUILD: --build-dir, default the
JUnit file's folder, where ctest writes a relative --output-junit path).
"""
import argparse
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

ALLOWED_PREFIX = "needs-"


def ctest_properties(build_dir):
    """name -> {"labels": [...], "skip_code": int or None} for every registered test."""
    out = subprocess.run(["ctest", "--test-dir", build_dir, "--show-only=json-v1"], check=True,
                         capture_output=True, text=True).stdout
    tests = {}
    for t in json.loads(out)["tests"]:
        props = {p["name"]: p["value"] for p in t.get("properties", [])}
        tests[t["name"]] = {"labels": props.get("LABELS", []), "skip_code": props.get("SKIP_RETURN_CODE")}
    return tests


def skip_reason(case):
    """The test's own "SKIPPED:" lines, else ctest's message."""
    out = case.findtext("system-out") or ""
    lines = [l[len("SKIPPED:"):].strip() for l in out.splitlines() if l.startswith("SKIPPED:")]
    if lines:
        return "; ".join(lines)
    skipped = case.find("skipped")
    return (skipped.get("message") if skipped is not None else None) or "no reason printed"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("junit", help="ctest --output-junit file")
    ap.add_argument("--build-dir", help="the ctest build folder (default: the JUnit file's folder)")
    args = ap.parse_args()
    build_dir = args.build_dir or os.path.dirname(os.path.abspath(args.junit))
    try:
        cases = ET.parse(args.junit).getroot().iter("testcase")
        tests = ctest_properties(build_dir)
    except (OSError, ET.ParseError, subprocess.CalledProcessError, ValueError, KeyError) as e:
        print(f"check_skips: cannot read the results: {e}", file=sys.stderr)
        return 2
    bad, seen = [], 0
    for case in cases:
        seen += 1
        name = case.get("name")
        if case.get("status") not in ("notrun", "disabled") and case.find("skipped") is None:
            continue
        labels = tests.get(name, {}).get("labels", [])
        allowed = [l for l in labels if l.startswith(ALLOWED_PREFIX)]
        verdict = f"allowed ({', '.join(allowed)})" if allowed else "NOT ALLOWED on lavapipe"
        print(f"skipped: {name}: {skip_reason(case)} [{verdict}]")
        if not allowed:
            bad.append(name)
    for name, t in sorted(tests.items()):
        if t["skip_code"] != 77:
            print(f"check_skips: {name} has no SKIP_RETURN_CODE 77: its skips would count as passes", file=sys.stderr)
            bad.append(name)
    if seen == 0:
        print(f"check_skips: {args.junit} reports no tests", file=sys.stderr)
        return 1
    if bad:
        print(f"check_skips: {len(bad)} test(s) skipped or registered against the rules: {', '.join(bad)}",
              file=sys.stderr)
        return 1
    print(f"check_skips: {seen} tests, every skip allowed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
