#!/usr/bin/env bash
# Installs what Brokkr needs on a Debian/Ubuntu machine and is missing: the PostgreSQL server programs and
# Prometheus (with promtool). Idempotent; prints what it installs; uses sudo when not root.
#
# --tests (scripts/test.sh): also chromium (the Aspire dashboard's browser test drives Debian's, nothing is downloaded)
# and kubectl 1.24 or newer, which the operations tests run to render deploy/kubernetes
# (its built-in kustomize must know components, replacements and their `*` field paths). It is installed from an apt
# source that offers a new enough one; when none does (Debian's own kubernetes-client is 1.20) the script stops here,
# before any test runs, and says what to install.
set -euo pipefail

readonly kubectl_minimum_minor=24
for_tests=false
for arg in "$@"; do
  case "$arg" in
    --tests) for_tests=true ;;
    *) echo "usage: $0 [--tests]" >&2; exit 2 ;;
  esac
done

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null || missing+=(postgresql)
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || missing+=(prometheus)
command -v curl >/dev/null || missing+=(curl)  # the README's API journey (ReadmeJourneyTests)
command -v jq >/dev/null || missing+=(jq)
if [ "$for_tests" = true ]; then
  command -v chromium >/dev/null || missing+=(chromium)
fi

if ! command -v dotnet >/dev/null; then
  echo "error: the .NET 10 SDK is required (https://learn.microsoft.com/dotnet/core/install/linux-debian)" >&2
  exit 1
fi

# The client's minor version ("v1.32.4" or, from old clients, GitVersion:"v1.20.2"); empty without kubectl.
kubectl_minor() {
  command -v kubectl >/dev/null || return 0
  kubectl version --client 2>/dev/null | grep -o 'v1\.[0-9]*' | head -n 1 | cut -d . -f 2
}

needs_kubectl() {
  local minor
  minor=$(kubectl_minor)
  [ -z "$minor" ] || [ "$minor" -lt "$kubectl_minimum_minor" ]
}

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  sudo=(sudo)
fi

updated=false
apt_update() {
  if [ "$updated" = false ]; then
    "${sudo[@]}" apt-get update -qq
    updated=true
  fi
}

# An apt package whose candidate is kubectl 1.24 or newer: "kubectl" (the Kubernetes project's or Google Cloud's
# repository, when configured) or Debian's "kubernetes-client".
kubectl_package() {
  local package candidate
  for package in kubectl kubernetes-client; do
    candidate=$(apt-cache policy "$package" 2>/dev/null | awk '/Candidate:/ { print $2 }')
    if [ -n "$candidate" ] && [ "$candidate" != "(none)" ] && dpkg --compare-versions "$candidate" ge "1.$kubectl_minimum_minor"; then
      echo "$package"
      return 0
    fi
  done
}

if [ "$for_tests" = true ] && needs_kubectl; then
  apt_update
  package=$(kubectl_package)
  if [ -z "$package" ]; then
    found=$(kubectl_minor)
    found=${found:+v1.$found}
    cat >&2 <<EOF
error: the tests need kubectl 1.$kubectl_minimum_minor or newer (found: ${found:-none}).
  Brokkr.Tests/Operations/KustomizeTests render deploy/kubernetes with 'kubectl kustomize', whose built-in kustomize
  must support components and replacements with '*' field paths. No configured apt source offers one (Debian's
  kubernetes-client package is kubectl 1.20). Install kubectl from the Kubernetes project's apt repository or as the
  static binary (https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/), put it on PATH, then run
  scripts/test.sh again.
EOF
    exit 1
  fi
  missing+=("$package")
fi

if [ ${#missing[@]} -eq 0 ]; then
  installed="PostgreSQL and Prometheus are installed"
  [ "$for_tests" = false ] || installed+=", chromium, and kubectl v1.$(kubectl_minor)"
  echo "prerequisites: $installed"
  exit 0
fi

echo "prerequisites: installing ${missing[*]} with apt-get"
apt_update
# Debian starts the packages' own services where it can; Brokkr never uses them (it runs private instances).
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "prerequisites: installed ${missing[*]}"
if [ "$for_tests" = true ] && needs_kubectl; then
  echo "error: kubectl on PATH ($(command -v kubectl)) is still older than 1.$kubectl_minimum_minor; put the new one first" >&2
  exit 1
fi
