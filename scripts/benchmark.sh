#!/usr/bin/env bash
# Runs the benchmarks docs/benchmarks.md reports, each scenario in its own process (meter listeners are process-wide),
# and prints Markdown rows. Not part of the test run: numbers depend on the machine, so they are documented, not asserted.
set -euo pipefail
cd "$(dirname "$0")/.."

dotnet build -c Release Brokkr.Benchmarks -v quiet -nologo >/dev/null
bench="dotnet Brokkr.Benchmarks/bin/Release/net10.0/Brokkr.Benchmarks.dll"

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n1)
echo "## $(date -u +%Y-%m-%d) on $(nproc) cores (${cpu:-CPU model unknown}), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), .NET SDK $(dotnet --version), load average $(cut -d" " -f1 /proc/loadavg)"
echo
echo "| benchmark | operations | mean µs | median µs | p95 µs | allocated KiB/op | CPU µs/op |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for series in 100 1000 10000; do
  $bench scrape "$series" 300
done
# Cycle through the modes twice so drift on a shared machine shows up instead of biasing one side.
for round in 1 2; do
  for mode in none metrics metrics+tracing; do
    $bench http "$mode" 30000
  done
done
