#!/usr/bin/env bash
# Grades every bundled sample submission against its bundled spec and prints the results:
# submissions/<assignment>/<student>/ is graded with specs/<assignment>.yaml, one student at a
# time (grader check), then each assignment as a class (grader grade, into
# <grader's folder>/demo-results/<assignment>/: gradebook.csv, summary.json, JUnit, ...).
# Usage: scripts/demo.sh path/to/grader
# Exits non-zero only if the grader reports a broken spec or fails (exit status 2 or worse);
# failing students (exit status 1) are the point of the demo.
set -uo pipefail
grader=${1:?usage: scripts/demo.sh path/to/grader}
cd "$(dirname "$0")/.."

status=0
summary=()
for spec in specs/*.yaml; do
  assignment=$(basename "$spec" .yaml)
  [ -d "submissions/$assignment" ] || continue
  for student in "submissions/$assignment"/*/; do
    student=${student%/}
    echo "=================================================================================="
    echo "\$ grader check --spec $spec $student"
    "$grader" check --spec "$spec" "$student"
    rc=$?
    summary+=("$(printf '%-28s %-24s exit %d' "$assignment" "$(basename "$student")" "$rc")")
    if [ "$rc" -ge 2 ]; then status=1; fi
  done
done
echo "=================================================================================="
echo "Summary (exit 0: all passed, 1: something failed, 2: broken spec or grader):"
printf '  %s\n' "${summary[@]}"

results="$(dirname "$grader")/demo-results"
for spec in specs/*.yaml; do
  assignment=$(basename "$spec" .yaml)
  [ -d "submissions/$assignment" ] || continue
  echo "=================================================================================="
  # --prune: the results mirror the samples bundled now (one renamed since an earlier demo goes).
  echo "\$ grader grade --spec $spec submissions/$assignment --out $results/$assignment --format junit,gradescope --resume --prune"
  "$grader" grade --spec "$spec" "submissions/$assignment" --out "$results/$assignment" \
    --format junit,gradescope --resume --prune --progress none || status=1
done
exit $status
