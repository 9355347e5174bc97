#!/usr/bin/env bash
# Issue 17's fleet benchmark: a Release broker on a throwaway PostgreSQL, seeded through the API with N agents (own
# PAKs), S stacks, T targets per agent; the agent mix (heartbeat + target-state, an event every 20th poll) swept over
# concurrency, with /healthz in the same run. Not part of the test run.
# Options: --agents N (1000) --stacks S (5) --targets T (= S) --seconds N (10) --concurrency 4,16,64
# --view-only: issue 21's fleet view alone, GET /fleet timed at each fleet size, the fleet seeded in the database.
# Options: --fleets 10000,20000 --requests 20 --explain (print the statement's plan at each size)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == "--view-only" ]]; then
    shift
    exec dotnet run -c Release --project Brokkr.Benchmarks -- fleet-view "$@"
fi
dotnet run -c Release --project Brokkr.Benchmarks -- fleet "$@"
