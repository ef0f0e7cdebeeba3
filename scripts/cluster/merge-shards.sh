#!/usr/bin/env bash
# Combines the shards of a class into RESULTS/all: gradebook.csv, summary.json and every
# student's files, as one run would have written them. Settings: RESULTS (required), GRADER.
set -euo pipefail
: "${RESULTS:?set RESULTS}"
shopt -s nullglob
shards=("$RESULTS"/shard-*)
[ ${#shards[@]} -gt 0 ] || { echo "merge-shards: no $RESULTS/shard-* folders" >&2; exit 2; }
exec "${GRADER:-grader}" merge --out "$RESULTS/all" "${shards[@]}"
