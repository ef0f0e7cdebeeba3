#!/bin/sh
# PrairieLearn's external-grading entrypoint (docs/platforms.md): grades /grade/student against
# a spec and writes /grade/results/results.json. Copy it beside the spec into
# serverFilesCourse/attention-grader/, and give the spec in the question's entrypoint:
#   "entrypoint": "/grade/serverFilesCourse/attention-grader/grade.sh sdpa-masked.yaml"
#
# PrairieLearn reads results.json only when its entrypoint exits 0, so the grader's status is
# not passed on: 1 (an exercise failed) is a result like any other, and 2 (the spec or the
# grader is broken) is written into results.json as "gradable": false. With no results.json
# (the grader could not run at all) this script exits 1, and PrairieLearn reports the job as
# failed to the course staff rather than recording a score.
#
#   $1       the spec: a path, or a file name in this script's folder        (required)
#   seed-secret, beside this script: when there, the instructor's secret mixed into the seeds
#            (grader check --seed-secret; docs/grading-a-class.md)
#   GRADE    PrairieLearn's folder                                  (default: /grade)
#   GRADER   the grader executable                        (default: grader on PATH)
set -u
spec=${1:?usage: grade.sh SPEC (a path, or the name of a spec beside this script)}
here=$(dirname "$(readlink -f "$0")")
case $spec in
  /*) ;;
  *) spec="$here/$spec" ;;
esac
set --
# (a link that leads nowhere is passed too: the grader says so, rather than grading without it;
# and so is a secret of another name, seed-secret.txt: the job is not graded without it)
{ [ -e "$here/seed-secret" ] || [ -L "$here/seed-secret" ]; } && set -- --seed-secret "$here/seed-secret"
for near in "$here"/seed-secret?* "$here"/seed_secret*; do
  if [ $# -eq 0 ] && { [ -e "$near" ] || [ -L "$near" ]; }; then
    echo "grade.sh: $near is not read: name the secret seed-secret" >&2
    set -- --seed-secret "$here/seed-secret"
  fi
done
grade=${GRADE:-/grade}
results="$grade/results/results.json"
rm -f "$results"
"${GRADER:-grader}" check --spec "$spec" "$grade/student" "$@" --format prairielearn --output "$results"
status=$?
[ -s "$results" ] && exit 0
echo "grade.sh: the grader wrote no $results (exit status $status)" >&2
exit 1
