#!/usr/bin/env bash
# Installs what Brokkr needs on a Debian/Ubuntu machine and is missing: the PostgreSQL server programs and
# Prometheus (with promtool). Idempotent; prints what it installs; uses sudo when not root.
set -euo pipefail

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null || missing+=(postgresql)
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || missing+=(prometheus)
command -v curl >/dev/null || missing+=(curl)  # the README's API journey (ReadmeJourneyTests)
command -v jq >/dev/null || missing+=(jq)

if ! command -v dotnet >/dev/null; then
  echo "error: the .NET 10 SDK is required (https://learn.microsoft.com/dotnet/core/install/linux-debian)" >&2
  exit 1
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "prerequisites: PostgreSQL and Prometheus are installed"
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  sudo=(sudo)
fi

echo "prerequisites: installing ${missing[*]} with apt-get"
"${sudo[@]}" apt-get update -qq
# Debian starts the packages' own services where it can; Brokkr never uses them (it runs private instances).
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "prerequisites: installed ${missing[*]}"
