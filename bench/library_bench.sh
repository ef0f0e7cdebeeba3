#!/usr/bin/env bash
# Grades N pre-compiled library submissions of the masked-attention assignment
# (specs/sdpa-masked.yaml: 100 random trials in each exercise's main check, 282 calls per
# submission) and reports the wall-clock time per submission, compilation excluded.
# Usage: bench/library_bench.sh [N] [build-dir]     (defaults: 200, build)
set -euo pipefail
n=${1:-200}
build=${2:-build}
cd "$(dirname "$0")/.."
grader="$build/grader/grader"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Compile each sample once (outside the measurement), then hand the libraries in.
samples=(correct-cpp correct-c no-scale wrong-axis mask-after-softmax)
for s in "${samples[@]}"; do
  mkdir -p "$work/src/$s"
  cp submissions/sdpa-masked/$s/solution.* "$work/src/$s/"
  XDG_CACHE_HOME="$work/cache" "$grader" check --spec specs/sdpa-masked.yaml "$work/src/$s" > /dev/null || true
done
libs=("$work"/cache/attention-grader/*/libsolution.so)
for i in $(seq 1 "$n"); do
  mkdir -p "$work/class/student$i"
  cp "${libs[$(( i % ${#libs[@]} ))]}" "$work/class/student$i/libsolution.so"
done

start=$(date +%s.%N)
for i in $(seq 1 "$n"); do
  "$grader" check --spec specs/sdpa-masked.yaml "$work/class/student$i" --format json > /dev/null || true
done
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$n" 'BEGIN {
  t = e - s
  printf "sdpa-masked: %d pre-compiled submissions in %.2f s: %.1f ms per submission (whole grader process, one runner each)\n", n, t, 1000 * t / n
}'
