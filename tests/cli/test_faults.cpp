// A fault on the grader's side is never a student's verdict: a read-only or full build cache,
// or a grader started under `ulimit -v` so that children cannot set their own memory limit,
// ends `grader check` with status 2 and a message naming the cause, and leaves a class
// submission ungraded for --resume (docs/results-format.md).
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

namespace fs = std::filesystem;
using test_support::run_process;
using test_support::TempDir;

namespace {

using test_support::contains;

/// `grader check` of a C++ sample that must be compiled, in `shell` (which prepares the
/// machine and runs "$@"), with the build cache at `cache`.
test_support::ProcessResult check_with(const std::string& shell, const fs::path& cache) {
  return run_process({"/bin/sh", "-c", shell, "sh", GRADER_EXECUTABLE, "check", "--spec",
                      test_support::source_path("specs/sdpa-masked.yaml"),
                      test_support::source_path("submissions/sdpa-masked/correct-cpp")},
                     {"XDG_CACHE_HOME=" + cache.string()});
}

/// Runs `inner` (a shell script) with a small or read-only tmpfs at "$DIR" of its own mount
/// namespace: as root directly, otherwise in a user namespace (unshare -r).
std::string with_tmpfs(const std::string& options, const fs::path& dir, const std::string& inner) {
  const std::string unshare = geteuid() == 0 ? "unshare -m" : "unshare -rm";
  return unshare + " sh -c 'mount -t tmpfs -o " + options + " tmpfs " + dir.string() + " && " + inner + "' sh \"$@\"";
}

/// A spec whose one exercise calls split_heads(X) of a NumPy hand-in, X of shape (n, d), with
/// the reference `expect` and 40 random cases of `dims`.
fs::path heads_spec(const TempDir& dir, const std::string& expect, const std::string& dims) {
  return dir.write("heads.yaml", R"YAML(assignment: {id: heads, title: Heads, version: "1"}
exercises:
  - id: "1"
    title: Split into two heads and join them again
    points: 1
    function:
      symbol: split_heads
      inputs: [{name: X, shape: [n, d]}]
      outputs: [{name: H, shape: [n, d], expect: ")YAML" +
                                     expect + R"YAML("}]
      python: {tensors: numpy, dtype: float64}
    checks:
      - {name: random widths, points: 1, random: {trials: 40, dims: )YAML" +
                                     dims + R"YAML(}}
)YAML");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(grader_faults)

BOOST_AUTO_TEST_CASE(a_spec_expression_that_is_not_python_is_never_the_students_fault) {
  // Found by a helper writing a course: `python: "np.concatenate(heads, 1) @@ W_o"` loaded,
  // and every student's answer was "unreadable: ... raised SyntaxError", exit 1. (What the load
  // checks of Python, unclosed brackets for one, it refuses before.)
  TempDir dir;
  const std::string spec = test_support::read_file(test_support::source_path("specs/understanding-attention.yaml"));
  const std::string good = "expr: \"m_key[2]\"\n          cell: \"averages the first three value vectors\"";
  const auto at = spec.find(good);
  BOOST_TEST_REQUIRE(at != std::string::npos);
  std::string broken = spec;
  broken.replace(at, good.size(),
                 "expr: \"m_key[2] @@ m_key\"\n          cell: \"averages the first three value vectors\"");
  fs::create_directories(dir.path() / "specs");
  fs::copy(test_support::source_path("specs/understanding-attention"), dir.path() / "specs/understanding-attention",
           fs::copy_options::recursive);
  const fs::path file = dir.write("specs/understanding-attention.yaml", broken);
  const auto r = run_process({GRADER_EXECUTABLE, "check", "--spec", file.string(),
                              test_support::source_path("submissions/understanding-attention/colab-py-correct")});
  BOOST_TEST(r.exit_code == 2, r.out << r.err);
  BOOST_TEST(contains(r.err, "the spec's python expression 'm_key[2] @@ m_key' of the answer"), r.err);
  BOOST_TEST(r.out.empty(), r.out);  // no report charging the student
}

BOOST_AUTO_TEST_CASE(a_random_case_the_spec_cannot_compute_is_never_the_students_fault) {
  // Found by a helper writing a course: heads split by reshape(..., 2, -1) of a width drawn
  // from [2, 8]. The load checks draw even widths; an odd one came up while grading, and a
  // correct student whose reshape raised there was charged `threw` (exit 1), while one whose
  // code happened to cope got exit 2.
  TempDir dir;
  const fs::path spec =
      heads_spec(dir, "reshape(reshape(X, size(X, 0), 2, -1), size(X, 0), -1)", "{n: [1, 4], d: [2, 8]}");
  dir.write(
      "raises/heads.py",
      "import numpy as np\n\ndef split_heads(X):\n    return X.reshape(X.shape[0], 2, -1).reshape(X.shape[0], -1)\n");
  dir.write("copes/heads.py", "import numpy as np\n\ndef split_heads(X):\n    return X.copy()\n");
  for (const char* student : {"raises", "copes"}) {
    const auto r = run_process({GRADER_EXECUTABLE, "check", "--spec", spec.string(), (dir.path() / student).string()});
    BOOST_TEST(r.exit_code == 2, student << ": " << r.out << r.err);
    BOOST_TEST(r.out.empty(), r.out);  // no report charging the student
    // Where, in the spec and in the grading: the expression's character, the check, the case.
    BOOST_TEST(contains(r.err, "heads.yaml:9:"), r.err);
    BOOST_TEST(contains(r.err, "while grading exercise 1, check 'random widths', random case "), r.err);
    BOOST_TEST(contains(r.err, "cannot reshape ("), r.err);
    BOOST_TEST(contains(r.err, ", 2, -1): its "), r.err);  // the target as written, and why not
  }
  const auto checked = run_process({GRADER_EXECUTABLE, "spec", "check", spec.string()});
  BOOST_TEST(checked.exit_code == 2, checked.out << checked.err);
  // Named once, as FILE:LINE:COLUMN: error: MESSAGE, with no prefix of the grader's before it.
  BOOST_TEST(checked.err.rfind(spec.string() + ":9:", 0) == 0, checked.err);
  BOOST_TEST(test_support::occurrences(checked.err, spec.string()) == 1u, checked.err);
}

BOOST_AUTO_TEST_CASE(a_width_drawn_as_twice_another_size_splits_into_heads_in_every_case) {
  // The spec above as its instructor fixes it: d = 2 * half is even in every case, so every
  // case computes, a correct split passes and a wrong one fails on its own merits.
  TempDir dir;
  const fs::path spec = heads_spec(dir, "reshape(transpose(reshape(X, size(X, 0), 2, -1), 0, 1), size(X, 0), -1)",
                                   "{n: [1, 4], half: [1, 4], d: \"2 * half\"}");
  // Row i of H: head 0 of every row, then head 1 (a transposed split): the heads interleave.
  dir.write("splits/heads.py",
            "import numpy as np\n\ndef split_heads(X):\n    n = X.shape[0]\n"
            "    return X.reshape(n, 2, -1).transpose(1, 0, 2).reshape(n, -1)\n");
  dir.write("copies/heads.py", "import numpy as np\n\ndef split_heads(X):\n    return X.copy()\n");
  const auto splits =
      run_process({GRADER_EXECUTABLE, "check", "--spec", spec.string(), (dir.path() / "splits").string()});
  BOOST_TEST(splits.exit_code == 0, splits.out << splits.err);
  BOOST_TEST(contains(splits.out, "score: 1 / 1"), splits.out);
  const auto copies =
      run_process({GRADER_EXECUTABLE, "check", "--spec", spec.string(), (dir.path() / "copies").string()});
  BOOST_TEST(copies.exit_code == 1, copies.out << copies.err);
  // Its smallest failing case, named by its sizes: rows of width 2 (one of n = 1 is no
  // failure: one row split into two heads and joined is a copy).
  BOOST_TEST(contains(copies.out, "(d=2, half=1, n="), copies.out);
  BOOST_TEST(!contains(copies.out, "(d=2, half=1, n=1)"), copies.out);
  const auto shown = run_process({GRADER_EXECUTABLE, "spec", "show", spec.string()});
  BOOST_TEST(contains(shown.out, "d = 2 * half"), shown.out);
}

BOOST_AUTO_TEST_CASE(a_read_only_build_cache_is_the_graders_fault) {
  TempDir dir;
  const fs::path cache = dir.path() / "cache";
  fs::create_directories(cache);
  const auto r = check_with(with_tmpfs("ro,size=1m", cache, "exec \"$@\""), cache);
  BOOST_TEST(r.exit_code == 2, r.out << r.err);
  BOOST_TEST(contains(r.err, "cannot create the build cache"), r.err);
  BOOST_TEST(r.out.empty(), r.out);  // no report charging the student
}

BOOST_AUTO_TEST_CASE(a_compiler_killed_from_outside_builds_again_and_its_words_alone_prove_nothing) {
  // Found by a TA helper: cc1plus killed (as the OOM killer does on a machine short of memory)
  // gave a correct C++ hand-in "compile_error", 0 points, which --resume kept. Its build runs
  // once more. The driver's words, which a student's #error prints as well (found by a
  // hostile-student helper: every run of its class was a grader failure), said twice are the
  // student's compile error.
  TempDir dir;
  const fs::path cache = dir.path() / "cache";
  fs::create_directories(cache);
  const std::string kill_the_compiler = R"sh("$@" & g=$!
below() { for c in $(pgrep -P "$1"); do echo "$c"; below "$c"; done; }
for i in $(seq 1 3000); do
  for p in $(below "$g"); do
    if [ "$(cat /proc/"$p"/comm 2>/dev/null)" = cc1plus ]; then kill -KILL "$p"; echo killed >&2; break 2; fi
  done
  sleep 0.01
done
wait "$g")sh";
  const auto r = check_with(kill_the_compiler, cache);
  BOOST_REQUIRE_MESSAGE(contains(r.err, "killed\n"), "cc1plus was never seen: " + r.err);
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.err, "the compiler was killed from outside (SIGKILL) while building"), r.err);
  BOOST_TEST(contains(r.out, "(2 of 2 exercises passed)"), r.out);
  dir.write("forged/solution.cpp", "#error Killed signal terminated program cc1plus\n");
  const auto forged =
      run_process({GRADER_EXECUTABLE, "check", "--spec", test_support::source_path("specs/sdpa-masked.yaml"),
                   (dir.path() / "forged").string()},
                  {"XDG_CACHE_HOME=" + cache.string()});
  BOOST_TEST(forged.exit_code == 1, forged.out << forged.err);
  BOOST_TEST(contains(forged.out, "compile_error"), forged.out);
  BOOST_TEST(contains(forged.out, "the compiler said it was killed (SIGKILL), twice"), forged.out);
}

/// Runs "$@" (a grader command) and kills with SIGKILL, from outside, the first `kills` notebook
/// children it starts (a python3 child of the python3 zygote, found asleep), each once; says
/// "killed" on stderr for each.
const char* const kKillNotebookChildren = R"sh(kills=$1; shift; "$@" & g=$!
below() { for c in $(pgrep -P "$1"); do echo "$c"; below "$c"; done; }
done_pids=
for i in $(seq 1 3000); do
  for p in $(below "$g"); do
    case " $done_pids " in *" $p "*) continue;; esac
    parent=$(cut -d' ' -f4 /proc/"$p"/stat 2>/dev/null)
    if [ "$(cat /proc/"$p"/comm 2>/dev/null)" = python3 ] && [ "$(cat /proc/"$parent"/comm 2>/dev/null)" = python3 ] &&
       grep -q sleep /proc/"$p"/wchan 2>/dev/null; then
      kill -KILL "$p"; echo killed >&2; done_pids="$done_pids $p"; kills=$((kills - 1))
    fi
  done
  [ "$kills" -le 0 ] && break
  sleep 0.01
done
wait "$g")sh";

BOOST_AUTO_TEST_CASE(a_notebook_killed_from_outside_well_within_its_memory_is_graded_once_more) {
  // Found by a TA helper: a correct notebook killed with SIGKILL (as the OOM killer does on a
  // machine short of memory) at a peak of 147 MiB was told it most likely used too much
  // memory, 0 points, which --resume kept. A child may not send itself SIGKILL: killed so, and
  // holding less than a quarter of its memory limit, it was not the student's doing. Such a
  // submission is graded once more at once (a class's gradebook waited for --resume); killed
  // again, the grader fails, charging no one. (Asleep 6 s: long enough to be found under load,
  // within the cell's 10 s when graded once more.)
  TempDir dir;
  std::string notebook =
      test_support::read_file(test_support::source_path("submissions/sdpa-masked/py-correct-jupyter/homework.py"));
  dir.write("student/homework.py", "import time\ntime.sleep(6)\n" + notebook);
  const auto check = [&](int kills) {
    return run_process({"/bin/sh", "-c", kKillNotebookChildren, "sh", std::to_string(kills), GRADER_EXECUTABLE, "check",
                        "--spec", test_support::source_path("specs/sdpa-masked.yaml"),
                        (dir.path() / "student").string()});
  };
  auto r = check(1);
  BOOST_REQUIRE_MESSAGE(contains(r.err, "killed\n"), "the notebook's child was never seen: " + r.err);
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.err, "a child running the submission was killed from outside"), r.err);
  BOOST_TEST(contains(r.err, "grading it once more"), r.err);
  BOOST_TEST(contains(r.out, "score: 8 / 8"), r.out);

  r = check(2);
  BOOST_REQUIRE_MESSAGE(test_support::occurrences(r.err, "killed\n") == 2u, "not killed twice: " + r.err);
  BOOST_TEST(r.exit_code == 2, r.out << r.err);
  BOOST_TEST(contains(r.err, "not the student's doing"), r.err);
  BOOST_TEST(contains(r.err, "killed so when graded once more as well"), r.err);
  BOOST_TEST(r.out.empty(), r.out);  // no report charging the student
}

BOOST_AUTO_TEST_CASE(in_a_class_a_notebook_killed_from_outside_once_is_graded_and_the_gradebook_written) {
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out";
  std::string notebook =
      test_support::read_file(test_support::source_path("submissions/sdpa-masked/py-correct-jupyter/homework.py"));
  dir.write("class/alice/homework.py", "import time\ntime.sleep(6)\n" + notebook);
  const auto r = run_process({"/bin/sh", "-c", kKillNotebookChildren, "sh", "1", GRADER_EXECUTABLE, "grade", "--spec",
                              test_support::source_path("specs/sdpa-masked.yaml"), root.string(), "--out", out.string(),
                              "--progress", "none"});
  BOOST_REQUIRE_MESSAGE(contains(r.err, "killed\n"), "the notebook's child was never seen: " + r.err);
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.err, "grading it once more"), r.err);
  BOOST_TEST(!contains(r.err, "could not grade"), r.err);
  BOOST_TEST(contains(test_support::read_file(out / "gradebook.csv"), "alice,"));
}

BOOST_AUTO_TEST_CASE(a_full_build_cache_is_the_graders_fault) {
  TempDir dir;
  const fs::path cache = dir.path() / "cache";
  fs::create_directories(cache);
  // Room for the sources, not for what the compiler writes.
  const auto r = check_with(with_tmpfs("size=48k", cache, "exec \"$@\""), cache);
  BOOST_TEST(r.exit_code == 2, r.out << r.err);
  BOOST_TEST((contains(r.err, "disk is full") || contains(r.err, "No space left on device")), r.err);
  BOOST_TEST(r.out.empty(), r.out);
}

BOOST_AUTO_TEST_CASE(a_class_on_a_full_disk_stops_starting_submissions) {
  // Found by a helper: once --out was full, every remaining student was still graded (Python
  // ones taking seconds each), each only to fail to be written.
  TempDir dir;
  const fs::path root = dir.path() / "class", out = dir.path() / "out";
  fs::create_directories(root);
  for (const std::string sample : {"correct-csv", "wrong-row", "missing-answer", "scale-too-small", "wrong-shape"})
    for (const std::string copy : {"-1", "-2"})
      fs::copy(test_support::source_path("submissions/understanding-attention/" + sample), root / (sample + copy),
               fs::copy_options::recursive);
  fs::create_directories(out);
  const auto r = run_process({"/bin/sh", "-c", with_tmpfs("size=12k", out, "exec \"$@\""), "sh", GRADER_EXECUTABLE,
                              "grade", "--spec", test_support::source_path("specs/understanding-attention.yaml"),
                              root.string(), "--out", out.string(), "--progress", "none", "-j", "1"});
  BOOST_TEST(r.exit_code == 2, r.out << r.err);
  BOOST_TEST(contains(r.err, "No space left on device: the disk is full; make room"), r.err);
  BOOST_TEST(contains(r.err, "is full: no submission was started after that"), r.err);
  BOOST_TEST(test_support::occurrences(r.err, "grader: could not grade ") == 1u,
             r.err);  // the one that found the disk full, not the ten
}

BOOST_AUTO_TEST_CASE(a_class_whose_build_cache_fills_up_stops_starting_submissions) {
  // Found by a re-attack: the cache's disk full, every remaining C/C++ student was still
  // compiled, each failing with "Input/output error" (a full tmpfs fails a copy so).
  TempDir dir;
  const fs::path root = dir.path() / "class", cache = dir.path() / "cache";
  for (int i = 0; i < 6; ++i) {  // sources that differ: no build is found in the cache
    const fs::path student = root / ("student" + std::to_string(i));
    fs::create_directories(student);
    for (const auto& f : fs::directory_iterator(test_support::source_path("submissions/sdpa-masked/correct-c")))
      fs::copy(f.path(), student);
    std::ofstream(student / "solution.c", std::ios::app) << "// " << i << "\n";
  }
  fs::create_directories(cache);
  const auto r = run_process({"/bin/sh", "-c", with_tmpfs("size=96k", cache, "exec \"$@\""), "sh", GRADER_EXECUTABLE,
                              "grade", "--spec", test_support::source_path("specs/sdpa-masked.yaml"), root.string(),
                              "--out", (dir.path() / "out").string(), "--progress", "none", "-j", "1"},
                             {"XDG_CACHE_HOME=" + cache.string()});
  BOOST_TEST(r.exit_code == 2, r.out << r.err);
  BOOST_TEST(contains(r.err, "the build cache's disk is full"), r.err);
  BOOST_TEST(contains(r.err, "no submission was started after that"), r.err);
  BOOST_TEST(test_support::occurrences(r.err, "grader: could not grade ") == 1u, r.err);
}

/// AddressSanitizer reserves terabytes of address space for its shadow: a sanitizer build of the
/// grader cannot start under `ulimit -v` at all, so these cases run in normal builds only.
static bool under_address_sanitizer() {
#if defined(__SANITIZE_ADDRESS__)
  BOOST_TEST_MESSAGE("skipped in a sanitizer build: the grader cannot start under ulimit -v");
  return true;
#else
  return false;
#endif
}

BOOST_AUTO_TEST_CASE(a_grader_under_ulimit_v_does_not_charge_students) {
  if (under_address_sanitizer()) return;
  TempDir cache;
  // Children cannot raise their address-space limit to the spec's 2 GiB: the compiler's and
  // the library's confinement fails, which is the grader's problem, not the student's.
  const auto r = check_with("ulimit -v 1500000 && exec \"$@\"", cache.path());
  BOOST_TEST(r.exit_code == 2, r.out << r.err);
  BOOST_TEST(contains(r.err, "could not confine"), r.err);
  BOOST_TEST(contains(r.err, "the grader was started with a lower hard limit"), r.err);  // and what to do
  BOOST_TEST(r.out.empty(), r.out);
}

BOOST_AUTO_TEST_CASE(in_a_class_a_grader_fault_leaves_the_submission_for_resume) {
  if (under_address_sanitizer()) return;
  TempDir dir, cache;
  const fs::path root = dir.path() / "class", out = dir.path() / "out";
  fs::create_directories(root / "alice");
  for (const auto& f : fs::directory_iterator(test_support::source_path("submissions/sdpa-masked/correct-c")))
    fs::copy(f.path(), root / "alice");
  const std::vector<std::string> grade = {"/bin/sh",
                                          "-c",
                                          "ulimit -v 1500000 && exec \"$@\"",
                                          "sh",
                                          GRADER_EXECUTABLE,
                                          "grade",
                                          "--spec",
                                          test_support::source_path("specs/sdpa-masked.yaml"),
                                          root.string(),
                                          "--out",
                                          out.string()};
  auto r = run_process(grade, {"XDG_CACHE_HOME=" + cache.path().string()});
  BOOST_TEST(r.exit_code == 2, r.out << r.err);
  BOOST_TEST(!fs::exists(out / "students/alice/result.json"));
  BOOST_TEST(!fs::exists(out / "gradebook.csv"));
  r = test_support::run_grader(
      {"grade", "--spec", "specs/sdpa-masked.yaml", root.string(), "--out", out.string(), "--resume"});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(fs::exists(out / "gradebook.csv"));
}

BOOST_AUTO_TEST_SUITE_END()
