#!/usr/bin/env bash
# Installs the Debian packages the grader needs, if any are missing:
#   scripts/install-deps.sh            to build, test and run the demo (everything below)
#   scripts/install-deps.sh --build    only what building and running the grader needs (no test
#                                      or fuzzing packages): a Gradescope image, a student's CI job
#   scripts/install-deps.sh --python   only what grading Python hand-ins needs at run time, on a
#                                      machine that grades with a grader built elsewhere (its
#                                      source and build folders copied whole, to the same paths)
# As root: runs apt-get update + apt-get install -y. Otherwise prints the exact command and
# exits non-zero.
set -euo pipefail

# Python hand-ins run on Debian's python3 with these (docs/python-hand-ins.md); the tests and
# the demo grade notebooks, so building and testing needs them too.
python_runtime=(python3 python3-numpy python3-torch python3-matplotlib)

build=(
  build-essential cmake pkg-config
  libarmadillo-dev libopenblas-dev
  libyaml-cpp-dev
  libspdlog-dev libfmt-dev
  libcli11-dev nlohmann-json3-dev
  libseccomp-dev libminizip-dev nettle-dev libutf8proc-dev
  "${python_runtime[@]}"
)
packages=(
  "${build[@]}"
  libzip-dev libboost-test-dev libpugixml-dev python3-jsonschema python3-yaml  # the tests
  clang libclang-rt-14-dev  # the fuzz targets: clang with libFuzzer (docs/fuzzing.md)
)
case "${1:-}" in
  --build) packages=("${build[@]}") ;;
  --python) packages=("${python_runtime[@]}") ;;
  "") ;;
  *) echo "usage: scripts/install-deps.sh [--build | --python]" >&2; exit 2 ;;
esac

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
