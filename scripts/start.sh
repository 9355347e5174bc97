#!/usr/bin/env bash
# Quick start, command 1: installs missing prerequisites, then starts the whole system through the AppHost.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/prerequisites.sh
exec dotnet run --project Brokkr.AppHost -- "$@"
