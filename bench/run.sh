#!/usr/bin/env bash
# Measures the grader against the baselines a course would otherwise use, in the same run, on
# this machine: Python scripts doing the same checks with NumPy and with PyTorch
# (bench/baselines/). Prints times and ratios; see bench/README.md for recorded figures.
#
#   bench/run.sh [N] [build-dir]        (defaults: 1000, build)
#
# Needs Debian's python3-numpy and python3-torch (apt-get install python3-numpy python3-torch),
# for the baselines only. N synthetic understanding-attention submissions (bench/make_class.py)
# and N pre-compiled sdpa-masked libraries (copies of the bundled samples' builds) are made in a
# temporary folder; compilation is excluded from every figure. N Python hand-ins of the same
# homework (copies of the bundled PyTorch samples), N A2S1.py hand-ins and N UDL NumPy notebooks
# are graded as well.
set -euo pipefail
n=${1:-1000}
build=${2:-build}
cd "$(dirname "$0")/.."
grader="$PWD/$build/grader/grader"
python=/usr/bin/python3
if ! "$python" -c 'import numpy, torch' 2>/dev/null; then
  echo "bench: the baselines need python3-numpy and python3-torch: apt-get install -y python3-numpy python3-torch" >&2
  exit 1
fi
[ -x "$grader" ] || { echo "bench: build first (make build)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache" OPENBLAS_NUM_THREADS=1

# seconds REPS COMMAND...: mean wall-clock seconds of one run, output discarded.
seconds() {
  local reps=$1; shift
  local start end
  start=$(date +%s.%N)
  for _ in $(seq "$reps"); do "$@" > /dev/null 2>&1 || true; done
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v r="$reps" 'BEGIN { printf "%.6f", (e - s) / r }'
}
ms() { awk -v t="$1" 'BEGIN { printf "%.1f ms", 1000 * t }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0fx", b / a }'; }
row() { printf '%-44s %12s %12s %12s %9s %9s  %s\n' "$@"; }

echo "Preparing $n submissions of each kind in $work ..."
"$python" bench/make_class.py "$work/matrix" "$n"
samples=(correct-cpp correct-c no-scale wrong-axis mask-after-softmax)
for s in "${samples[@]}"; do
  mkdir -p "$work/src/$s"
  cp submissions/sdpa-masked/$s/solution.* "$work/src/$s/"
  "$grader" check --spec specs/sdpa-masked.yaml "$work/src/$s" > /dev/null || true
done
libs=("$work"/cache/attention-grader/*/libsolution.so)
for i in $(seq 0 $((n - 1))); do
  mkdir -p "$work/library/student$i"
  cp "${libs[$((i % ${#libs[@]}))]}" "$work/library/student$i/libsolution.so"
done
py_class=$(( n < 100 ? n : 100 ))  # the Python library baselines are slow: a sample of them
py_dirs=()
for i in $(seq 0 $((py_class - 1))); do py_dirs+=("$work/library/student$i"); done

echo
row "" "grader" "NumPy" "PyTorch" "vs NumPy" "vs torch" "target"
one="$work/matrix/student00000"
g=$(seconds 20 "$grader" check --spec specs/understanding-attention.yaml "$one")
np_=$(seconds 10 "$python" bench/baselines/check_matrix.py numpy "$one")
tc=$(seconds 3 "$python" bench/baselines/check_matrix.py torch "$one")
row "one matrix submission, whole process" "$(ms "$g")" "$(ms "$np_")" "$(ms "$tc")" "$(ratio "$g" "$np_")" \
    "$(ratio "$g" "$tc")" ">= 10x, >= 80x"

g=$(seconds 1 "$grader" grade --spec specs/understanding-attention.yaml "$work/matrix" --out "$work/out-matrix" --progress none)
np_=$(seconds 1 "$python" bench/baselines/check_matrix.py numpy "$work"/matrix/*)
tc=$(seconds 1 "$python" bench/baselines/check_matrix.py torch "$work"/matrix/*)
row "$n matrix submissions (grader grade)" "$(printf '%.2f s' "$g")" "$(printf '%.2f s' "$np_")" \
    "$(printf '%.2f s' "$tc")" "$(ratio "$g" "$np_")" "$(ratio "$g" "$tc")" "< 2 s for 1000"

one="$work/library/student0"
g=$(seconds 20 "$grader" check --spec specs/sdpa-masked.yaml "$one")
np_=$(seconds 5 "$python" bench/baselines/check_library.py numpy "$one")
tc=$(seconds 3 "$python" bench/baselines/check_library.py torch "$one")
row "one library submission (291 calls), process" "$(ms "$g")" "$(ms "$np_")" "$(ms "$tc")" \
    "$(ratio "$g" "$np_")" "$(ratio "$g" "$tc")" ""

g=$(seconds 1 "$grader" grade --spec specs/sdpa-masked.yaml "$work/library" --out "$work/out-library" --progress none)
np_=$(seconds 1 "$python" bench/baselines/check_library.py numpy "${py_dirs[@]}")
tc=$(seconds 1 "$python" bench/baselines/check_library.py torch "${py_dirs[@]}")
per=$(awk -v t="$g" -v n="$n" 'BEGIN { print t / n }')
np_per=$(awk -v t="$np_" -v n="$py_class" 'BEGIN { print t / n }')
tc_per=$(awk -v t="$tc" -v n="$py_class" 'BEGIN { print t / n }')
row "$n library submissions (grader grade)" "$(printf '%.2f s' "$g")" "" "" "" "" "<= 3 s for 1000"
row "  per library submission" "$(ms "$per")" "$(ms "$np_per")" "$(ms "$tc_per")" "$(ratio "$per" "$np_per")" \
    "$(ratio "$per" "$tc_per")" "<= 3 ms"

# A2S1.py hand-ins of "Understanding Attention" (Colab and Jupyter exports, finished and
# unfinished): the grader against one fresh python3 running each student's file (what the
# anchors do, before their containers), and one `grader check` against a bare import of torch.
ua_samples=(colab-py-correct jupyter-py-unfinished)
for i in $(seq 0 $((n - 1))); do
  s=${ua_samples[$((i % ${#ua_samples[@]}))]}
  mkdir -p "$work/a2s1/student$i"
  cp submissions/understanding-attention/$s/*.py "$work/a2s1/student$i/"
done
g=$(seconds 1 "$grader" grade --spec specs/understanding-attention.yaml "$work/a2s1" --out "$work/out-a2s1" --progress none)
# The same class on one core (-j 1): on a virtual machine, forked children on two cores can
# slow each other down (bench/README.md); this row shows what one core does alone.
g1=$(seconds 1 "$grader" grade --spec specs/understanding-attention.yaml "$work/a2s1" --out "$work/out-a2s1-j1" --progress none -j 1)
fresh=0
for i in $(seq 0 9); do
  t=$(cd "$work/a2s1/student$i" && seconds 1 "$python" ./*.py)
  fresh=$(awk -v a="$fresh" -v b="$t" 'BEGIN { print a + b }')
done
ua_per_core=$(awk -v t="$g" -v n="$n" -v c="$(nproc)" 'BEGIN { print t * c / n }')
fresh_per=$(awk -v t="$fresh" 'BEGIN { print t / 10 }')
one_check=$(seconds 5 "$grader" check --spec specs/understanding-attention.yaml "$work/a2s1/student0")
bare=$(seconds 5 "$python" -c "import torch")
row "$n A2S1.py hand-ins (grader grade)" "$(printf '%.2f s' "$g")" "" "" "" "" ""
row "" "grader" "fresh py" "" "fresh/gr" "" "target"
row "  per A2S1.py hand-in per core" "$(ms "$ua_per_core")" "$(ms "$fresh_per")" "" "$(ratio "$ua_per_core" "$fresh_per")" "" \
    "<= 30 ms; >= 30x"
ua_one=$(awk -v t="$g1" -v n="$n" 'BEGIN { print t / n }')
row "  per A2S1.py hand-in, one core (-j 1)" "$(ms "$ua_one")" "$(ms "$fresh_per")" "" "$(ratio "$ua_one" "$fresh_per")" "" \
    "<= 30 ms; >= 30x"
row "  grader check of one A2S1.py" "$(ms "$one_check")" "import torch" "$(ms "$bare")" \
    "$(awk -v a="$one_check" -v b="$bare" 'BEGIN { printf "%.2fx", a / b }')" "" "<= 1.5x"

# NumPy notebooks (UDL 12.1, nbgrader .ipynb: correct, rows convention, one function left
# unfinished): they never name torch, so they run in the zygote without it (docs/python-hand-ins.md);
# one `grader check` against a bare import of what that zygote imports.
udl_samples=(ipynb-correct ipynb-rows-convention ipynb-scaled-unfinished)
for i in $(seq 0 $((n - 1))); do
  mkdir -p "$work/udl/student$i"
  cp submissions/udl-self-attention/${udl_samples[$((i % ${#udl_samples[@]}))]}/*.ipynb "$work/udl/student$i/"
done
g=$(seconds 1 "$grader" grade --spec specs/udl-self-attention.yaml "$work/udl" --out "$work/out-udl" --progress none)
g1=$(seconds 1 "$grader" grade --spec specs/udl-self-attention.yaml "$work/udl" --out "$work/out-udl-j1" --progress none -j 1)
one_check=$(seconds 5 "$grader" check --spec specs/udl-self-attention.yaml "$work/udl/student0")
bare=$(seconds 5 "$python" -c "import numpy, matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot")
row "$n UDL notebooks, NumPy (grader grade)" "$(printf '%.2f s' "$g")" "" "" "" "" ""
row "  per UDL notebook per core" "$(ms "$(awk -v t="$g" -v n="$n" -v c="$(nproc)" 'BEGIN { print t * c / n }')")" \
    "" "" "" "" ""
row "  per UDL notebook, one core (-j 1)" "$(ms "$(awk -v t="$g1" -v n="$n" 'BEGIN { print t / n }')")" "" "" "" "" ""
row "  grader check of one UDL notebook" "$(ms "$one_check")" "numpy+plt" "$(ms "$bare")" \
    "$(awk -v a="$one_check" -v b="$bare" 'BEGIN { printf "%.2fx", a / b }')" "" ""

# Python hand-ins of the homework: the grader (confined, forked from a zygote that imported
# torch once) against the same calls made in one unconfined process (a course script) and in a
# fresh python3 per student (what the anchors do).
py_samples=(py-correct-jupyter py-no-scale py-wrong-axis py-mask-after-softmax)
for i in $(seq 0 $((n - 1))); do
  mkdir -p "$work/python/student$i"
  cp submissions/sdpa-masked/${py_samples[$((i % ${#py_samples[@]}))]}/homework.py "$work/python/student$i/"
done
py_loop=()
for i in $(seq 0 $((py_class - 1))); do py_loop+=("$work/python/student$i"); done
fresh_n=10
g=$(seconds 1 "$grader" grade --spec specs/sdpa-masked.yaml "$work/python" --out "$work/out-python" --progress none)
g1=$(seconds 1 "$grader" grade --spec specs/sdpa-masked.yaml "$work/python" --out "$work/out-python-j1" --progress none -j 1)
loop=$(seconds 1 "$python" bench/baselines/check_notebooks.py "${py_loop[@]}")
fresh=0
for i in $(seq 0 $((fresh_n - 1))); do
  t=$(seconds 1 "$python" bench/baselines/check_notebooks.py "$work/python/student$i")
  fresh=$(awk -v a="$fresh" -v b="$t" 'BEGIN { print a + b }')
done
cores=$(nproc)
per_core=$(awk -v t="$g" -v n="$n" -v c="$cores" 'BEGIN { print t * c / n }')
loop_per=$(awk -v t="$loop" -v n="$py_class" 'BEGIN { print t / n }')
fresh_per=$(awk -v t="$fresh" -v n="$fresh_n" 'BEGIN { print t / n }')
row "$n Python hand-ins (grader grade)" "$(printf '%.2f s' "$g")" "" "" "" "" ""
row "" "grader" "in-process" "fresh py" "loop/gr" "fresh/gr" "target"
row "  per Python hand-in per core (291 calls)" "$(ms "$per_core")" "$(ms "$loop_per")" "$(ms "$fresh_per")" \
    "$(awk -v a="$per_core" -v b="$loop_per" 'BEGIN { printf "%.2fx", b / a }')" "$(ratio "$per_core" "$fresh_per")" \
    "<= 40 ms; >= 0.5x; >= 25x"
one=$(awk -v t="$g1" -v n="$n" 'BEGIN { print t / n }')
row "  per Python hand-in, one core (-j 1)" "$(ms "$one")" "$(ms "$loop_per")" "$(ms "$fresh_per")" \
    "$(awk -v a="$one" -v b="$loop_per" 'BEGIN { printf "%.2fx", b / a }')" "$(ratio "$one" "$fresh_per")" \
    "<= 40 ms; >= 0.5x; >= 25x"

echo
echo "(Python library baselines measured on $py_class submissions in one process each, without a sandbox;"
echo " the in-process notebook loop on $py_class hand-ins in one process, fresh interpreters on $fresh_n.)"
echo "machine: $(nproc) cores, $(uname -sr); grader $("$grader" --version)"
