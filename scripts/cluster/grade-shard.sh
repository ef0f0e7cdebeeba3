#!/usr/bin/env bash
# Grades one shard of a class: run by each task of a Slurm job array (slurm-grade.sbatch) or
# each pod of a Kubernetes Indexed Job (k8s-grade-job.yaml). See docs/scaling.md.
#
# The shard's index comes from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (from 0), the
# number of shards from SHARDS (or SLURM_ARRAY_TASK_COUNT). Settings (environment):
#   SPEC      the assignment's spec                         (required)
#   CLASS     the folder with one folder per student          (required)
#   RESULTS   where shard-<index>/ folders go                 (required)
#   GRADER    the grader executable                           (default: grader on PATH)
#   JOBS      submissions at once in this task (default: SLURM_CPUS_PER_TASK, else every core)
#   FORMATS   extra formats, e.g. junit,gradescope            (default: none)
#   SEED_SECRET  a file of the instructor's secret for the seeds, the same for every shard
#             (--seed-secret; docs/grading-a-class.md)           (default: none)
# A task that is retried (preempted, node lost) resumes where it stopped.
set -euo pipefail
: "${SPEC:?set SPEC}" "${CLASS:?set CLASS}" "${RESULTS:?set RESULTS}"
index=${SLURM_ARRAY_TASK_ID:-${JOB_COMPLETION_INDEX:?neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set}}
count=${SHARDS:-${SLURM_ARRAY_TASK_COUNT:?set SHARDS}}
jobs=${JOBS:-${SLURM_CPUS_PER_TASK:-0}}
args=(grade --spec "$SPEC" "$CLASS" --out "$RESULTS/shard-$index" --shard "$index/$count" --resume
      --jobs "$jobs" --progress lines)
[ -n "${FORMATS:-}" ] && args+=(--format "$FORMATS")
[ -n "${SEED_SECRET:-}" ] && args+=(--seed-secret "$SEED_SECRET")
exec "${GRADER:-grader}" "${args[@]}"
