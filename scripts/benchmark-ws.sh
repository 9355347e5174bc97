#!/usr/bin/env bash
# Issue 22's agent-channel benchmark: a Release broker on a throwaway PostgreSQL, seeded through the API with N agents
# (own PAKs), S stacks, T targets per agent; one /internal/ws/agent WebSocket per agent; C stack changes, each reaching
# the ~N*T/S agents that target the stack. Prints push latency (POST sent → stack_changed received) p50/p99/max,
# missed pushes, failed and dropped connections, and broker RSS. Not part of the test run.
# Options: --agents N (1000) --stacks S (50) --targets T (5) --changes C (20) --telemetry-frames F (20 per socket)
set -euo pipefail
cd "$(dirname "$0")/.."
# Each agent's socket is a file descriptor in this process and in the broker.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
dotnet run -c Release --project Brokkr.Benchmarks -- channel "$@"
