#!/usr/bin/env bash
# Prints the closing line of a test run, "N passed, N failed, N skipped", counted from the xUnit
# file that `swift test --xunit-output` writes (in parallel mode swift test prints no XCTest total
# of its own). Exits 1 when the file is missing or lists no test, so a run that ran nothing fails.
set -euo pipefail
file=${1:?usage: summarize-results.sh RESULTS.xml}
if [ ! -s "$file" ]; then
  echo "no test results in $file: the test run did not finish" >&2
  exit 1
fi
awk '
  /<testcase/ { open = 1; failed = 0; skipped = 0 }
  open && /<failure/ { failed = 1 }
  open && /<skipped/ { skipped = 1 }
  open && (/<\/testcase>/ || /<testcase[^>]*\/>/) {
    if (failed) f++; else if (skipped) s++; else p++
    open = 0
  }
  END {
    if (p + f + s == 0) { print "no test was run" > "/dev/stderr"; exit 1 }
    printf "%d passed, %d failed", p, f
    if (s > 0) printf ", %d skipped", s
    printf "\n"
  }
' "$file"
