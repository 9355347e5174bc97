#!/usr/bin/env bash
# Issue 5's benchmark: target-state throughput with broker metrics on vs off, same run (~1.5 min with the defaults).
# Not part of the test run. Options: --rounds N --seconds N --warmup N --concurrency N --stacks N
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project Brokkr.Benchmarks -- broker-metrics "$@"
