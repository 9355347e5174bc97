#!/usr/bin/env bash
# Issue 17's fleet benchmark: a Release broker on a throwaway PostgreSQL, seeded through the API with N agents (own
# PAKs), S stacks, T targets per agent; the agent mix (heartbeat + target-state, an event every 20th poll) swept over
# concurrency, with /healthz in the same run. Not part of the test run.
# Options: --agents N (1000) --stacks S (5) --targets T (= S) --seconds N (10) --concurrency 4,16,64
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project Brokkr.Benchmarks -- fleet "$@"
