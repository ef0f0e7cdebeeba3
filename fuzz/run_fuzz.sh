#!/usr/bin/env bash
# Runs one fuzz target for a bounded time, as the CTest test fuzz_NAME does:
#   fuzz/run_fuzz.sh BINARY SECONDS SEED_CORPUS WORK_DIR
# New inputs go to WORK_DIR/corpus (the seed corpus in the repo is only read); a finding is
# saved as WORK_DIR/crash-*, leak-*, timeout-* or oom-*, and the test fails. When the targets
# could not be built (no clang or libFuzzer), this fails with CI=true and is skipped (77) otherwise.
set -euo pipefail
binary=$1 seconds=$2 seeds=$3 work=$4
if [ ! -x "$binary" ]; then
  echo "fuzz: $binary was not built: the fuzz targets need clang++ and libFuzzer" \
       "(Debian: clang libclang-rt-14-dev; scripts/install-deps.sh installs them)" >&2
  if [ "${CI:-}" = true ]; then exit 1; fi
  exit 77
fi
mkdir -p "$work/corpus"
# -timeout: one input slower than 10 s is a finding (a hang); -rss_limit_mb: so is 2 GB.
# A finding exits 1: libFuzzer's own default (77) is what CTest reads as "skipped".
set +e
"$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -error_exitcode=1 -timeout_exitcode=1 -artifact_prefix="$work/" "$work/corpus" "$seeds" \
  > "$work/log" 2>&1
status=$?
set -e
tail -n 60 "$work/log"
if [ "$status" -ne 0 ]; then
  echo "fuzz: $(basename "$binary") found a problem; the input is in $work/ (reproduce: $binary FILE)" >&2
fi
exit "$status"
