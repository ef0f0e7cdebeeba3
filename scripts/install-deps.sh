#!/usr/bin/env bash
# Installs the Debian packages the grader needs to build and test, if any are missing.
# As root: runs apt-get update + apt-get install -y. Otherwise prints the exact command and
# exits non-zero. Test fixtures were produced with python3-torch and python3-numpy; those are
# not needed to build or test (see tests/fixtures/README.md).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libarmadillo-dev libopenblas-dev
  libyaml-cpp-dev
  libspdlog-dev libfmt-dev
  libcli11-dev nlohmann-json3-dev
  libseccomp-dev libzip-dev
  libboost-test-dev libpugixml-dev python3-jsonschema python3-yaml
  clang libclang-rt-14-dev  # the fuzz targets: clang with libFuzzer (docs/fuzzing.md)
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install-deps: run this as root, then try again:" >&2
  echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
