#!/usr/bin/env bash
# Quick start, command 2: installs missing prerequisites (and checks for kubectl, which the operations tests need),
# then runs every test and prints one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prerequisites.sh --tests

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test Brokkr.sln --logger "console;verbosity=normal" --blame-hang-timeout 10m "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# dotnet test closes each test run with "Total tests: N" and "Passed: N" / "Failed: N" / "Skipped: N" lines.
awk '/^ *Total tests: [0-9]+$/ { n++ }
     /^ *Passed: [0-9]+$/ { p += $2 } /^ *Failed: [0-9]+$/ { f += $2 } /^ *Skipped: [0-9]+$/ { s += $2 }
     END { if (n) printf "tests: %d passed, %d failed, %d skipped\n", p, f, s; else print "tests: no test run summary found" }' "$log"
exit "$status"
