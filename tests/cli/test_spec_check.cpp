// `grader spec check`: the bundled specs pass their self-test, and each kind of weakness in a
// spec is caught: a tolerance a known mistake slips through, a reference solution that fails,
// one too tight for float32, a missing solution, a malformed spec.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "support/fixtures.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

namespace fs = std::filesystem;
using test_support::read_file;
using test_support::run_grader;
using test_support::TempDir;

namespace {

using test_support::contains;

/// A bundled spec (understanding-attention unless named) and its solution in a temporary
/// folder, with the first `from` in the spec's text replaced by `to`.
fs::path edited_copy(const TempDir& dir, const std::string& from, const std::string& to,
                     const std::string& assignment = "understanding-attention") {
  fs::copy(test_support::source_path("specs/" + assignment), dir.path() / assignment, fs::copy_options::recursive);
  std::string spec = read_file(test_support::source_path("specs/" + assignment + ".yaml"));
  if (!from.empty()) {
    BOOST_REQUIRE(spec.find(from) != std::string::npos);
    spec.replace(spec.find(from), from.size(), to);
  }
  return dir.write(assignment + ".yaml", spec);
}

/// A spec of one function exercise, `twice(x)` over NumPy arrays, with one random check of
/// three cases: n = 1, n = 1000, and one drawn size; its reference solution is edge/solution.
const std::string kEdgeSpec = R"YAML(assignment: {id: edge, title: Edge, version: "1"}
solution: edge/solution
exercises:
  - id: "1"
    title: Twice
    points: 1
    function:
      symbol: twice
      inputs: [{name: x, shape: [n]}]
      outputs: [{name: y, shape: [n], expect: "2 * x"}]
      python: {tensors: numpy, dtype: float64}
    checks:
      - {name: random, points: 1, random: {trials: 3, dims: {n: [1, 1000]}}}
)YAML";

/// The size of the drawn case of kEdgeSpec (written as `spec` in `dir`) at `seed`, as the
/// feedback of a hand-in right at the bounds (the first two cases) only names it.
std::string drawn_size(const TempDir& dir, const fs::path& spec, const std::string& seed) {
  const auto hand_in =
      dir.write("student/twice.py", "def twice(x):\n    return 2 * x if len(x) in (1, 1000) else 3 * x\n");
  const auto r = run_grader({"check", "--spec", spec.string(), "--seed", seed, hand_in.parent_path().string()});
  const auto at = r.out.find("random case 3 of 3 (n=");
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, r.out);
  const std::string n = r.out.substr(at + 22, r.out.find(')', at) - at - 22);
  BOOST_REQUIRE(!n.empty() && n.find_first_not_of("0123456789") == std::string::npos);
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(spec_check)

BOOST_AUTO_TEST_CASE(every_bundled_spec_passes_its_self_test) {
  std::vector<std::string> args = {"spec", "check"};
  for (const auto& f : fs::directory_iterator(test_support::source_path("specs")))
    if (f.path().extension() == ".yaml") args.push_back(f.path().string());
  BOOST_REQUIRE(args.size() == 6u);
  const auto r = run_grader(args);
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(!contains(r.out, "  FAIL  "), r.out);
  // At most one warning, and a true one: UDL 12.1's own softmax_cols overflows in float32
  // (students get the float64 arrays the notebook uses), on the random cases where its scores
  // are large: whether those are drawn depends on the seed, which depends on the solution's files.
  const std::size_t warnings = test_support::occurrences(r.out, "  warn  ");
  BOOST_TEST(warnings <= 1u, r.out);
  if (warnings == 1)
    BOOST_TEST(contains(r.out,
                        "warn  reference solution (Python, called with float32 instead of float64, as students "
                        "never are): fails exercise 1 (non_finite"),
               r.out);
  BOOST_TEST(contains(r.out, "ok    reference solution: "));
  // Every Python reference solution passes through the Python path, as students hand it in.
  BOOST_TEST(test_support::occurrences(r.out, "ok    reference solution (Python): ") == 4u, r.out);
  BOOST_TEST(contains(r.out,
                      "ok    reference solution (Python, called with float64 instead of float32, as students "
                      "never are): " +
                          test_support::source_path("specs/sdpa-masked/solution")),
             r.out);
  BOOST_TEST(
      contains(r.out, "ok    all-zero answers: fail 5 of 6 matrix exercises (1.3.1: zeros are the reference answer)"));
  BOOST_TEST(contains(r.out, "ok    library returning its first input: fails every function exercise (2)"));
  BOOST_TEST(contains(r.out, "ok    known mistakes: each of the 30 declared for function exercises fails a check"));
  BOOST_TEST(contains(r.out, "ok    known mistakes: each of the 26 declared for function exercises fails a check"));
  // And each, computed by a Python function in float32 and float64, fails a check and is named.
  for (const int n : {2, 26, 30})  // attention-basics, udl-self-attention, sdpa-masked
    BOOST_TEST(contains(r.out, "ok    known mistakes (Python): each of the " + std::to_string(n) +
                                   " declared for function exercises, computed by a Python function in NumPy, fails a "
                                   "check in the precision students are called with, and in the other one"),
               r.out);
}

BOOST_AUTO_TEST_CASE(known_mistakes_are_run_as_python_functions_in_both_precisions) {
  // Issue 13: spec check runs each known mistake of a function exercise through the Python
  // path, as a student's function computing it in the precision students are called with. A
  // mistake within the float32 tolerance passes there (and fails in float64); one whose own
  // tolerance is tighter than float32 fails unnamed; one that reads a size no input has cannot
  // be written as the function.
  TempDir dir;
  const auto spec = dir.write("twice.yaml", R"YAML(assignment: {id: twice, title: Twice, version: "1"}
solution: twice/solution
data:
  x4: [1, 2, 3, 4]
exercises:
  - id: "1"
    title: Twice
    points: 1
    function:
      symbol: twice
      inputs: [{name: x, shape: [n]}]
      outputs: [{name: y, shape: [n], expect: "2 * x"}]
      python: {tensors: torch, dtype: float32}
    tolerance: {atol: 1.0e-9, rtol: 1.0e-9, float32: {atol: 1.0e-5, rtol: 1.0e-5}}
    checks:
      - {name: random, points: 1, random: {trials: 5, dims: {n: [3, 4]}, values: {x: "uniform(1, 2)"}}}
    mistakes:
      - {outputs: {y: "2 * x + 1.0e-6 * x"}, message: nearly twice}
  - id: "2"
    title: Thrice
    points: 1
    function:
      symbol: thrice
      inputs: [{name: x, shape: [n]}]
      outputs: [{name: y, shape: [n], expect: "3 * x"}]
      python: {tensors: numpy, dtype: float32}
    tolerance: {atol: 1.0e-9, rtol: 1.0e-9, float32: {atol: 1.0e-5, rtol: 1.0e-5}}
    checks:
      - {name: random, points: 1, random: {trials: 5, dims: {n: [3, 4], k: [2, 3]}}}
    mistakes:
      - outputs: {y: "3 * x + 1 / 3"}
        message: plus a third
        tolerance: {atol: 1.0e-12, rtol: 0, float32: {atol: 1.0e-12, rtol: 0}}
      - {outputs: {y: "k * x"}, message: times k}
  - id: "4"
    title: Twice, at a size the mistake cannot compute
    points: 1
    function:
      symbol: twice
      inputs: [{name: x, shape: [n]}]
      outputs: [{name: y, shape: [n], expect: "2 * x"}]
      python: {tensors: torch, dtype: float32}
    tolerance: {atol: 1.0e-9, rtol: 1.0e-9, float32: {atol: 1.0e-5, rtol: 1.0e-5}}
    checks:
      - {name: fixed, points: 1, fixed: {x: x4}}
      - {name: any, points: 0, random: {trials: 2, dims: {n: [3, 3]}}, property: {got: "0 * y", expect: "0 * x"}}
    mistakes:
      - {outputs: {y: "x * [2, 2, 3]"}, message: the last of three tripled}
  - id: "5"
    title: Twice, a mistake that shows only for information
    points: 1
    function:
      symbol: twice
      inputs: [{name: x, shape: [n]}]
      outputs: [{name: y, shape: [n], expect: "2 * x"}]
      python: {tensors: torch, dtype: float32}
    tolerance: {atol: 1.0e-9, rtol: 1.0e-9, float32: {atol: 1.0e-5, rtol: 1.0e-5}}
    checks:
      - {name: fixed, points: 1, fixed: {x: x4}}
      - {name: "for information, negative numbers", points: 0, random: {trials: 3, dims: {n: [3, 4]}}}
    mistakes:
      - {outputs: {y: "2 * abs(x)"}, message: the signs are lost}
  - id: "3"
    title: Plus one
    points: 2
    function:
      symbol: plus_one
      inputs: [{name: x, shape: [n]}]
      outputs: [{name: y, shape: [n], expect: "x + 1"}]
      python: {tensors: torch, dtype: float32}
    tolerance: {atol: 1.0e-9, rtol: 1.0e-9, float32: {atol: 0.005, rtol: 0}}
    checks:
      - {name: random, points: 1, random: {trials: 5, dims: {n: [3, 4]}}}
      - name: loose
        points: 1
        random: {trials: 5, dims: {n: [3, 4]}}
        tolerance: {atol: 1.0e-9, rtol: 1.0e-9, float32: {atol: 0.1, rtol: 0}}
    mistakes:
      - {outputs: {y: "x + 1.01"}, message: off by a hundredth}
      - outputs: {y: "x + 1.013"}
        message: off by a bit more
        tolerance: {atol: 1.0e-12, rtol: 0, float32: {atol: 1.0e-12, rtol: 0}}
)YAML");
  dir.write(
      "twice/solution/twice.py",
      "def twice(x):\n    return 2 * x\n\ndef thrice(x):\n    return 3 * x\n\ndef plus_one(x):\n    return x + 1\n");
  const auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  // A mistake that computes at some sizes only fails by an error elsewhere, and is never named.
  BOOST_TEST(contains(r.out,
                      "warn  known mistakes (Python): a Python function computing these raised an error in every case "
                      "that failed, so a student who makes them is told that error, never the mistake: exercise 4 'the "
                      "last of three tripled' in float32 (threw: fixed: "),
             r.out);
  // One mistake computed in float32 is told as the other, within the exercise's float32 rule.
  BOOST_TEST(contains(r.out,
                      "warn  known mistakes (Python): a Python function computing these is told another known mistake: "
                      "exercise 3 'off by a bit more' in float32 (told: 'off by a hundredth' in random)"),
             r.out);
  // A check whose float32 rule lets the mistakes through gives them its points.
  BOOST_TEST(
      contains(r.out,
               "warn  known mistakes: in float32 only, exercise 3 'off by a hundredth' passes 'loose', exercise 3 "
               "'off by a bit more' passes 'loose', and gets its points: that check's float32 tolerance is "
               "looser than the mistake"),
      r.out);
  // Named with the place its expression is written, and what to do (found by an instructor
  // helper: a mistake equal to the right answer was named without either).
  const std::string text = read_file(spec);
  const std::string line =
      std::to_string(1 + std::count(text.begin(), text.begin() + text.find("2 * x + 1.0e-6 * x"), '\n'));
  BOOST_TEST(contains(r.out,
                      "FAIL  known mistakes (Python): these pass every check of their exercise when a Python "
                      "function computes them in the precision students are called with: exercise 1 'nearly "
                      "twice' (" +
                          spec.string() + ":" + line + ":"),
             r.out);
  BOOST_TEST(contains(r.out,
                      " in float32: a mistake that passes computes the right outputs, or ones within the "
                      "tolerance of them; mend its expression, or tighten the tolerance\n"),
             r.out);
  BOOST_TEST(contains(r.out,
                      "warn  known mistakes (Python): these fail, but the feedback does not name them: computed so, "
                      "their outputs are not within the mistake's own tolerance of its values (one tighter than the "
                      "precision; NaN in a row masked whole, where the spec's functions give zeros), or match another "
                      "mistake too: "
                      "exercise 2 'plus a third' in float32 (told: "),
             r.out);
  // A mistake that fails a check worth no points only is declared to be named there: it fails a
  // check, through the Python path as through the library's.
  BOOST_TEST(!contains(r.out, "'the signs are lost' ("), r.out);
  // And what to do about it (found by an instructor helper, told only the causes).
  BOOST_TEST(contains(r.out,
                      "; students who make them are told the differences only: loosen the mistake's own "
                      "tolerance, write its outputs as the student's code computes them"),
             r.out);
  BOOST_TEST(
      contains(r.out,
               "warn  known mistakes (Python): not run as Python functions: exercise 2 'times k' (reads k): a size no "
               "input's shape holds and no argument passes, which the function cannot know"),
      r.out);
  BOOST_TEST(!contains(r.out, "ok    known mistakes (Python)"), r.out);
}

BOOST_AUTO_TEST_CASE(a_malformed_specs_errors_come_in_the_order_of_its_lines_with_python_habits_explained) {
  // Found by an instructor helper: a function exercise's mistake, checked in a later pass, was
  // listed before an earlier exercise's error; and `K.T` was told only "unexpected '.'".
  TempDir dir;
  const auto spec = dir.write("order.yaml", R"YAML(assignment: {id: order, title: Order, version: "1"}
data:
  W: [[1, 2], [3, 4]]
exercises:
  - {id: "1", title: A, points: 1, answers: [{name: a, shape: [2, 2]}], output: a, expect: W.T}
  - id: "2"
    title: B
    points: 1
    function:
      symbol: f
      inputs: [{name: Q, shape: [n, n]}]
      outputs: [{name: out, shape: [n, n], expect: "Q"}]
    checks:
      - {name: c, points: 1, random: {trials: 2, dims: {n: [1, 3]}}}
    mistakes:
      - outputs: {out: "np.transpose(Q)"}
        message: transposed
)YAML");
  const auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 2, r.out << r.err);
  const auto first = r.err.find(spec.string() +
                                ":5:93: error: exercise 1 expect: unexpected '.' after a complete "
                                "expression: an expression has no attributes; write transpose(x) for x.T");
  const auto second = r.err.find(spec.string() +
                                 ":16:27: error: exercise 2 mistake outputs out: unexpected '.' after "
                                 "a complete expression: functions are written without their module, "
                                 "transpose(...) for np.transpose(...)");
  BOOST_TEST(first != std::string::npos, r.err);
  BOOST_TEST(second != std::string::npos, r.err);
  BOOST_TEST(first < second, r.err);
}

BOOST_AUTO_TEST_CASE(a_tolerance_a_known_mistake_slips_through_fails_the_self_test) {
  TempDir dir;
  // 1.2.1's mistake (value[1] instead of value[0]) is 0.54 away; atol 1 lets it pass.
  const auto spec = edited_copy(dir, "    expect: value[0:1]\n    tolerance: {atol: 1.0e-3, rtol: 0}",
                                "    expect: value[0:1]\n    tolerance: {atol: 1, rtol: 0}");
  const auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(contains(r.out,
                      "FAIL  known mistakes: these pass, so the tolerance is looser than the mistake, or the mistake "
                      "is the right answer: exercise 1.2.1 'your query selects value[1], not value[0]: a query...' (" +
                          spec.string() + ":"),
             r.out);
  BOOST_TEST(contains(r.out, ") in float64 and float32 (atol 1, rtol 0)"), r.out);  // both, said so
}

BOOST_AUTO_TEST_CASE(a_float64_tolerance_the_python_reference_fails_in_float32_says_the_rule_to_add) {
  // Found by an instructor helper: "FAIL reference solution (Python): ... abs diff 1.07688e-07"
  // and no word of a float32 rule, which the warning of matrix exercises gives.
  TempDir dir;
  const auto spec = edited_copy(dir, "tolerance: {atol: 1.0e-9, rtol: 1.0e-9, float32: {atol: 1.0e-5, rtol: 1.0e-5}}",
                                "tolerance: {atol: 1.0e-9, rtol: 1.0e-9}", "sdpa-masked");
  const auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(contains(r.out,
                      "its Python calls compute in float32, about 1e-7 relative, and a check's tolerance asks more: "
                      "give it a rule for float32 results beside its atol and rtol, `float32: {atol: 1.0e-5, rtol: "
                      "1.0e-5}`"),
             r.out);
}

BOOST_AUTO_TEST_CASE(numbers_a_yaml_1_1_reader_takes_for_text_are_a_warning_that_says_how_to_write_them) {
  // Found by an instructor helper: `atol: 1e-9` passed the self-test, and scripts/validate-spec
  // (PyYAML) refused the spec, as the docs warn, with nothing here to say so.
  TempDir dir;
  const auto spec = edited_copy(dir, "    expect: value[0:1]\n    tolerance: {atol: 1.0e-3, rtol: 0}",
                                "    expect: value[0:1]\n    tolerance: {atol: 1e-3, rtol: 0.0e+0}");
  const std::string text = read_file(spec);
  const auto at = text.find("atol: 1e-3") + 6;
  const std::string line = std::to_string(1 + std::count(text.begin(), text.begin() + at, '\n'));
  const std::string column = std::to_string(at - text.rfind('\n', at));
  const auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);  // a warning: the grader reads it as meant
  BOOST_TEST(contains(r.out, "warn  numbers: 1e-3 at " + spec.string() + ":" + line + ":" + column +
                                 " (write 1.0e-3): YAML 1.1 readers (PyYAML, so scripts/validate-spec"),
             r.out);
  BOOST_TEST(!contains(r.out, "0.0e+0 at"), r.out);  // a point and a signed exponent: every reader agrees
  // The bundled specs have none.
  const auto bundled = run_grader({"spec", "check", test_support::source_path("specs/sdpa-masked.yaml")});
  BOOST_TEST(!contains(bundled.out, "numbers:"), bundled.out);
  // Found by a helper attacking this: a text the grader reads as text (a version, an id) is not
  // a number to respell; a sign before a leading point is text to PyYAML; an alias is its
  // anchor, named once; a data literal's numbers count too.
  TempDir other;
  std::string text2 = read_file(test_support::source_path("specs/understanding-attention.yaml"));
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"  version: \"1.0\"", "  version: 1e0"},
           {"    tolerance: {atol: 1.0e-3, rtol: 0}", "    tolerance: &t {atol: +.5e-3, rtol: 0}"}}) {
    BOOST_REQUIRE(text2.find(from) != std::string::npos);
    text2.replace(text2.find(from), from.size(), to);
  }
  const std::string later = "    tolerance: {atol: 1.0e-3, rtol: 0}";
  BOOST_REQUIRE(text2.find(later) != std::string::npos);
  text2.replace(text2.find(later), later.size(), "    tolerance: *t");
  fs::copy(test_support::source_path("specs/understanding-attention"), other.path() / "understanding-attention",
           fs::copy_options::recursive);
  const auto spec2 = other.write("understanding-attention.yaml", text2);
  const auto r2 = run_grader({"spec", "check", spec2.string()});
  BOOST_TEST(!contains(r2.out, "1e0"), r2.out);
  BOOST_TEST(contains(r2.out, "+.5e-3 at " + spec2.string() + ":"), r2.out);
  BOOST_TEST(contains(r2.out, "(write +0.5e-3)"), r2.out);
  BOOST_TEST(test_support::occurrences(r2.out, "+.5e-3 at") == 1u, r2.out);
}

BOOST_AUTO_TEST_CASE(margins_say_how_near_their_tolerances_the_reference_and_the_mistakes_come) {
  // Found by a helper writing a course: nothing said how close to its tolerance the reference
  // solution came, or a known mistake. The bundled spec leaves room on both sides.
  {
    TempDir dir;
    const auto r = run_grader({"spec", "check", edited_copy(dir, "", "").string()});
    BOOST_TEST(r.exit_code == 0, r.out << r.err);
    BOOST_TEST(contains(r.out, "ok    margins: the reference solution uses at most "), r.out);
    BOOST_TEST(contains(r.out,
                        "; every known mistake lies beyond 2 times a tolerance in a case of every student's "
                        "sizes (a fixed case, or a random check's bounds)\n"),
               r.out);
    BOOST_TEST(!contains(r.out, "warn  margins"), r.out);
  }
  // 1.2.1's mistake (value[1] instead of value[0]) is 0.54 away: beyond an atol of 0.3, but
  // not twice beyond it (the other mistake and zeros are farther).
  {
    TempDir dir;
    const auto r = run_grader({"spec", "check",
                               edited_copy(dir, "    expect: value[0:1]\n    tolerance: {atol: 1.0e-3, rtol: 0}",
                                           "    expect: value[0:1]\n    tolerance: {atol: 0.3, rtol: 0}")
                                   .string()});
    BOOST_TEST(r.exit_code == 0, r.out << r.err);
    BOOST_TEST(contains(r.out,
                        "warn  margins: no case here tells exercise 1.2.1 'your query selects value[1], not "
                        "value[0]: a query...' apart from the right answer by more than 2 times the tolerance: so "
                        "near its edge, the order of computation can decide whether it passes; tighten the "
                        "tolerance, or add a case where the mistake differs more"),
               r.out);
  }
  // The reference answer of 1.3.2 is 2.15e-3 from its target (query132 cannot make the mean
  // exactly); an atol of 2.3e-3 leaves it too little room.
  {
    TempDir dir;
    const auto r = run_grader(
        {"spec", "check",
         edited_copy(dir, "    expect: mean(value[0:2], 0, keepdim=1)\n    tolerance: {atol: 5.0e-3, rtol: 0}",
                     "    expect: mean(value[0:2], 0, keepdim=1)\n    tolerance: {atol: 2.3e-3, rtol: 0}")
             .string()});
    BOOST_TEST(r.exit_code == 0, r.out << r.err);
    BOOST_TEST(contains(r.out, "warn  margins: the reference solution uses much of the tolerance of exercise 1.3.2 9"),
               r.out);
    BOOST_TEST(contains(r.out, "(25% of a random check's, 90% of a fixed one's, is the most that leaves room)"), r.out);
  }
  // A mistake told apart in random cases of one size only, no bound of the range: a student's
  // 12 cases may have none. At a bound, every student's cases have it.
  TempDir dir;
  const auto spec = dir.write("edge.yaml", R"YAML(assignment: {id: edge, title: Edge, version: "1"}
exercises:
  - id: "1"
    title: Twice
    points: 1
    function:
      symbol: twice
      inputs: [{name: x, shape: [n]}]
      outputs: [{name: y, shape: [n], expect: "2 * x"}]
    checks:
      - {name: random, points: 1, random: {trials: 12, dims: {n: [1, 4]}}}
    mistakes:
      - outputs: {y: "where(size(x, 0) - 2, 2 * x, 3 * x)"}
        message: three times a pair
)YAML");
  const auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out, "warn  margins: a student making exercise 1 'three times a pair' has a "), r.out);
  BOOST_TEST(contains(r.out,
                      " chance that none of their random cases tells it apart from the right answer by more "
                      "than 2 times the tolerance (judging by 200 or more cases drawn here): add a fixed case where it "
                      "differs, or more trials"),
             r.out);
  std::string spec_text = read_file(spec);
  spec_text.replace(spec_text.find("size(x, 0) - 2"), 14, "size(x, 0) - 1");
  const auto at_bound = run_grader({"spec", "check", dir.write("edge.yaml", spec_text).string()});
  BOOST_TEST(!contains(at_bound.out, "warn  margins"), at_bound.out);
  // Caught in every student's cases: no "likeliest missed ..., with a chance of 0" (found by an
  // instructor helper).
  BOOST_TEST(contains(at_bound.out,
                      "every known mistake lies beyond 2 times a tolerance in a case of every student's "
                      "sizes (a fixed case, or a random check's bounds)\n"),
             at_bound.out);
  // Where a known mistake passes, or the reference fails, the margins of the rest say nothing.
  spec_text.replace(spec_text.find("size(x, 0) - 1, 2 * x, 3 * x"), 28, "size(x, 0) - 1, 2 * x, 2 * x");
  const auto passing = run_grader({"spec", "check", dir.write("edge.yaml", spec_text).string()});
  BOOST_TEST(contains(passing.out, "self-test FAILED (1 failure, 1 warning)"), passing.out);
  BOOST_TEST(!contains(passing.out, "margins"), passing.out);
}

BOOST_AUTO_TEST_CASE(a_numpy_reference_called_with_torch_tensors_is_told_the_line_that_mends_it) {
  // Found by an instructor helper: `python: {tensors: numpy, ...}` left out, the NumPy reference
  // failed with its TypeError alone.
  TempDir dir;
  std::string text = kEdgeSpec;
  const std::string numpy = "      python: {tensors: numpy, dtype: float64}\n";
  BOOST_REQUIRE(contains(text, numpy));
  text.erase(text.find(numpy), numpy.size());
  const auto spec = dir.write("edge.yaml", text);
  dir.write("edge/solution/twice.py", "import numpy as np\n\ndef twice(x):\n    return (2 * np.eye(len(x))) @ x\n");
  const auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(contains(r.out, "FAIL  reference solution (Python): fails exercise 1 (threw: "), r.out);
  BOOST_TEST(contains(r.out,
                      "; NumPy code is called with NumPy arrays where the exercise's function says `python: "
                      "{tensors: numpy, dtype: float64}`)"),
             r.out);
}

BOOST_AUTO_TEST_CASE(the_self_test_judges_the_cases_a_student_graded_with_seed_1_gets) {
  // Found by an instructor helper: the grader-side check of the known mistakes drew its random
  // cases with one seed, the Python line graded with a folder's own, and one said FAIL where
  // the other said ok. Here a mistake shows at one size only, the one drawn case (n = N) of
  // `grader check --seed 1`; both lines must see it. One drawn case seeing it says little of
  // a student's chance of meeting it: that is judged over 200 and more cases.
  TempDir dir;
  const auto spec = dir.write("edge.yaml", kEdgeSpec);
  dir.write("edge/solution/twice.py", "def twice(x):\n    return 2 * x\n");
  const std::string n = drawn_size(dir, spec, "1");
  BOOST_TEST(n != "1");
  BOOST_TEST(n != "1000");
  dir.write("edge.yaml", kEdgeSpec + "    mistakes:\n      - outputs: {y: \"where(size(x, 0) - " + n +
                             ", 2 * x, 3 * x)\"}\n        message: three times at one size\n");
  const auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out, "ok    known mistakes: each of the 1 declared for function exercises fails a check"),
             r.out);
  BOOST_TEST(contains(r.out, "ok    known mistakes (Python): each of the 1 declared for function exercises"), r.out);
  BOOST_TEST(contains(r.out, "warn  margins: a student making exercise 1 'three times at one size' has a 99"), r.out);
}

BOOST_AUTO_TEST_CASE(a_reference_failing_a_random_check_at_another_seed_fails_the_self_test) {
  // Found by an instructor helper: a check of large scores, whose float32 tolerance a right
  // solution missed in a case of some seeds only, took the point from one student in six, and
  // spec check, grading the reference at seed 1, said ok. Here the reference is right but at
  // one size, that of seed 2's drawn case, not seed 1's.
  TempDir dir;
  const auto spec = dir.write("edge.yaml", kEdgeSpec);
  const std::string n = drawn_size(dir, spec, "2");
  BOOST_REQUIRE(n != drawn_size(dir, spec, "1"));
  dir.write("edge/solution/twice.py", "def twice(x):\n    return 2.5 * x if len(x) == " + n + " else 2 * x\n");
  auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(contains(r.out, "ok    reference solution (Python): "), r.out);
  BOOST_TEST(contains(r.out,
                      "FAIL  reference solution (Python), seeds 2 to 10: fails exercise 1 'random' at seed 2 "
                      "(wrong: random case 3 of 3 (n=" +
                          n + ")"),
             r.out);
  BOOST_TEST(contains(r.out, "(`grader check --exercise 1 --seed 2` replays it)"), r.out);
  BOOST_TEST(!contains(r.out, "the reference solution uses at most"), r.out);  // no margin reads as all well
  // Passing there, but near the tolerance's edge: the margins line speaks of that seed too.
  dir.write("edge/solution/twice.py",
            "def twice(x):\n    return 2 * x * (1 + 1.5e-6) if len(x) == " + n + " else 2 * x\n");
  r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out, "warn  margins: the reference solution uses much of the tolerance of exercise 1 "
                             "'random', Python, seed 2 "),
             r.out);
  // Right at every size: ok at every seed.
  dir.write("edge/solution/twice.py", "def twice(x):\n    return 2 * x\n");
  r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out,
                      "ok    reference solution (Python), seeds 2 to 10: passes every random check of a "
                      "function at each seed as well"),
             r.out);
}

BOOST_AUTO_TEST_CASE(a_check_no_known_mistake_fails_is_a_warning) {
  // An instructor helper's wish: a check whose case tells none of the known mistakes apart
  // gives its points to every student who makes one (here zeros, which three times leaves).
  TempDir dir;
  const std::string text = R"YAML(assignment: {id: blind, title: Blind, version: "1"}
data:
  zeros: [0.0, 0.0, 0.0]
exercises:
  - id: "1"
    title: Twice
    points: 3
    function:
      symbol: twice
      inputs: [{name: x, shape: [n]}]
      outputs: [{name: y, shape: [n], expect: "2 * x"}]
    checks:
      - {name: zeros, points: 1, fixed: {x: zeros}}
      - {name: random, points: 2, random: {trials: 10, dims: {n: [1, 4]}}}
    mistakes:
      - outputs: {y: "3 * x"}
        message: three times
)YAML";
  const auto r = run_grader({"spec", "check", dir.write("blind.yaml", text).string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out,
                      "warn  known mistakes: no known mistake of its exercise fails exercise 1 'zeros' (1 of 3 "
                      "points), so a student making any of them gets its points"),
             r.out);
  BOOST_TEST(!contains(r.out, "'random' ("), r.out);
  std::string ones = text;
  ones.replace(ones.find("[0.0, 0.0, 0.0]"), 15, "[1.0, 0.0, 0.0]");
  const auto fixed = run_grader({"spec", "check", dir.write("blind.yaml", ones).string()});
  BOOST_TEST(!contains(fixed.out, "no known mistake of its exercise fails"), fixed.out);
}

BOOST_AUTO_TEST_CASE(an_input_the_properties_need_that_the_outputs_do_not_follow_is_a_warning) {
  // property_points_need calls a random property check's second case again with each input
  // named drawn anew: one the right outputs do not depend on holds a student to nothing there.
  TempDir dir;
  const std::string text = R"YAML(assignment: {id: need, title: Need, version: "1"}
exercises:
  - id: "1"
    title: Twice the first, whatever the second
    points: 2
    function:
      symbol: first
      inputs: [{name: a, shape: [n]}, {name: b, shape: [n]}]
      outputs: [{name: y, shape: [n], expect: "2 * a + 0 * b"}]
    checks:
      - {name: random, points: 1, random: {trials: 5, dims: {n: [1, 4]}}}
      - name: halves
        points: 1
        random: {trials: 5, dims: {n: [1, 4]}}
        property: {got: "y / 2", expect: a}
    property_points_need: [a, b]
)YAML";
  const auto r = run_grader({"spec", "check", dir.write("need.yaml", text).string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out,
                      "warn  property points need: the right outputs stay the same with b in exercise 1 check "
                      "'halves' (random case 2 of 5 (n=4)) drawn anew: a student's outputs need not follow it there; "
                      "name only inputs the outputs depend on"),
             r.out);
  std::string a_only = text;
  a_only.replace(a_only.find("[a, b]"), 6, "[a]");
  const auto fixed = run_grader({"spec", "check", dir.write("need.yaml", a_only).string()});
  BOOST_TEST(contains(fixed.out,
                      "ok    property points need: the right outputs change with each input named drawn "
                      "anew (1 call with one drawn anew)"),
             fixed.out);
}

BOOST_AUTO_TEST_CASE(two_known_mistakes_no_case_tells_apart_are_a_warning) {
  // Found by a helper writing a spec: a mistake written twice, under two messages, passed the
  // self-test; outputs that match both name neither, so neither is ever named.
  TempDir dir;
  fs::copy(test_support::source_path("specs/sdpa-masked"), dir.path() / "sdpa-masked", fs::copy_options::recursive);
  std::string spec = read_file(test_support::source_path("specs/sdpa-masked.yaml"));
  const std::string first = "        message: the scores are not divided by sqrt(d_k)\n";
  BOOST_REQUIRE(spec.find(first) != std::string::npos);
  spec.insert(spec.find(first) + first.size(),
              "      - outputs: {weights: \"softmax(Q @ transpose(K), -1)\"}\n        message: no scale at all\n");
  const auto path = dir.write("sdpa-masked.yaml", spec);
  const auto r = run_grader({"spec", "check", path.string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(
      contains(r.out,
               "warn  known mistakes: these give the same outputs (within their tolerance) in every case checked, "
               "so a student who makes them is told neither: exercise 1 'the scores are not divided by sqrt(d_k)' "
               "and 'no scale at all'; merge them into one message, make a check whose cases tell them apart, or "
               "tighten the tolerance"),
      r.out);
  // And so it is: a student who makes them is told neither (found by a helper writing a
  // course: the first declared was named).
  const auto graded =
      run_grader({"check", "--spec", path.string(), test_support::source_path("submissions/sdpa-masked/py-no-scale"),
                  "--format", "json"});
  BOOST_TEST(graded.exit_code == 1, graded.out << graded.err);
  const auto exercises = nlohmann::json::parse(graded.out).at("exercises");
  BOOST_TEST(exercises[0].at("verdict") == "wrong", exercises[0].dump());
  BOOST_TEST(exercises[0].at("mistake").is_null(), exercises[0].dump());
  for (const auto& check : exercises[0].at("checks")) BOOST_TEST(check.at("mistake").is_null(), check.dump());
  // Exercise 2, which declares the mistake once, names it.
  BOOST_TEST(exercises[1].value("mistake", "") == "the scores are not divided by sqrt(d_k)", exercises[1].dump());
  // The bundled spec's mistakes are each told apart from the others.
  const auto bundled = run_grader({"spec", "check", test_support::source_path("specs/sdpa-masked.yaml")});
  BOOST_TEST(!contains(bundled.out, "give the same outputs"), bundled.out);
}

BOOST_AUTO_TEST_CASE(a_reference_solution_that_fails_fails_the_self_test) {
  TempDir dir;
  const auto spec = edited_copy(dir, "", "");
  fs::remove(dir.path() / "understanding-attention/solution/query122.npy");
  const auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(contains(r.out, "FAIL  reference solution: fails exercise 1.2.2 (missing: "), r.out);
  // Where the exercise is, for a failure of the spec's own text (a misspelt `cell:`, say).
  BOOST_TEST(contains(r.out, "; the exercise is at " + spec.string() + ":"), r.out);
}

BOOST_AUTO_TEST_CASE(a_function_cell_text_the_reference_notebook_does_not_hold_fails_the_self_test) {
  // Found by an instructor helper: a misspelt `cell:` passed, and the exercise was graded with
  // the definition at the end of each notebook, silently.
  TempDir dir;
  const auto path = edited_copy(dir, "cell: \"======= Scaled dot-product attention\"",
                                "cell: \"======= Scaled dot-product atention\"", "sdpa-masked");
  const auto r = run_grader({"spec", "check", path.string()});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(contains(r.out,
                      "FAIL  exercise 1: its python cell text '======= Scaled dot-product atention' is in no cell of "
                      "the reference notebook homework.py, so the exercise is graded with the definition in force at "
                      "the end of a notebook"),
             r.out);
  BOOST_TEST(contains(r.out, "(the exercise is at " + path.string() + ":"), r.out);
}

BOOST_AUTO_TEST_CASE(an_answers_test_line_is_tried_on_the_reference_without_its_instruction_comments) {
  // An answer's test_line stands for its cell's text in a notebook whose instruction comments
  // were deleted: the self-test deletes them from the reference and grades it again.
  TempDir dir;
  const auto bundled = run_grader({"spec", "check", edited_copy(dir, "", "").string()});
  BOOST_TEST(bundled.exit_code == 0, bundled.out << bundled.err);
  BOOST_TEST(
      contains(bundled.out,
               "ok    test lines (Python): the reference notebook without its comment lines holding 'averages the "
               "first three value vectors', 'returns the third value vector v[2]', as a student who deleted "
               "the instruction comments hands it in, passes what the notebook passes"),
      bundled.out);
  TempDir typo;
  const auto path = edited_copy(typo, "test_line: \"check_query(query132, value[2], key=m_key)\"",
                                "test_line: \"check_query(query132, value[3], key=m_key)\"");
  const auto r = run_grader({"spec", "check", path.string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);  // a warning: students who keep the comments are graded right
  BOOST_TEST(contains(r.out, "warn  test lines (Python): the reference notebook without its comment lines holding"),
             r.out);
  BOOST_TEST(contains(r.out, "fails exercise 1.4.2 (missing: A2S1.py: 'm_key[2]' cannot be taken"), r.out);
  BOOST_TEST(contains(r.out, "check each such answer's test_line against the notebook"), r.out);
}

BOOST_AUTO_TEST_CASE(a_python_reference_failing_in_its_precision_is_reported_once) {
  // Found by a helper: a notebook failing in the precision the spec binds failed again, as a
  // warning, "called with float64 instead of float32". Only what passes is tried in the other.
  TempDir dir;
  const auto spec = dir.write("twice.yaml", R"YAML(assignment: {id: twice, title: Twice, version: "1"}
solution: twice/solution
exercises:
  - id: "1"
    title: Twice
    points: 1
    function:
      symbol: twice
      inputs: [{name: x, shape: [n]}]
      outputs: [{name: y, shape: [n], expect: "2 * x"}]
      python: {tensors: torch, dtype: float32}
    tolerance: {atol: 1.0e-9, rtol: 1.0e-9, float32: {atol: 1.0e-6, rtol: 1.0e-6}}
    checks:
      - {name: random, points: 1, random: {trials: 3, dims: {n: [1, 4]}}}
  - id: "2"
    title: Thrice
    points: 1
    function:
      symbol: thrice
      inputs: [{name: x, shape: [n]}]
      outputs: [{name: y, shape: [n], expect: "3 * x"}]
      python: {tensors: torch, dtype: float32}
    tolerance: {atol: 1.0e-9, rtol: 1.0e-9, float32: {atol: 1.0e-6, rtol: 1.0e-6}}
    checks:
      - {name: random, points: 1, random: {trials: 3, dims: {n: [1, 4]}}}
)YAML");
  dir.write("twice/solution/twice.py", "def twice(x):\n    return 2 * x\n\ndef thrice(x):\n    return 4 * x\n");
  const auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(contains(r.out, "FAIL  reference solution (Python): fails exercise 2 (wrong: "), r.out);
  BOOST_TEST(contains(r.out, "ok    reference solution (Python, called with float64 instead of float32, as students "
                             "never are): " +
                                 (dir.path() / "twice/solution").string() + ": exercise 1 passes"),
             r.out);
}

BOOST_AUTO_TEST_CASE(an_answer_a_colab_download_takes_elsewhere_than_the_notebook_is_a_warning) {
  // Found by a helper writing a course: the answer taken at the end of the cell "Exercise 1",
  // whose next code cell changes its variable. A Colab download does not mark where cells end,
  // so a correct student's download lost the point its .ipynb had; spec check now grades the
  // reference notebook as Colab downloads it too, and says what to change. A markdown cell
  // between the two code cells mends it. (And Colab comments out a %%time cell whole, under a
  // note of its own, which the download is graded as running: its import counts.)
  TempDir dir;
  const auto spec = dir.write("cells.yaml", R"YAML(assignment: {id: cells, title: Cells, version: "1"}
solution: cells/solution
exercises:
  - id: "1"
    title: The scores before masking
    points: 1
    answers:
      - {name: scores, shape: [1, 2], python: {expr: scores, cell: "Exercise 1: the scores"}}
    output: scores
    expect: "[[1, 2]]"
)YAML");
  const auto notebook = [](const std::string& between) {
    return R"({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
      {"cell_type": "code", "metadata": {}, "source": ["%matplotlib inline\n", "!pip install numpy"]},
      {"cell_type": "code", "metadata": {}, "source": ["%%time\n", "import numpy as np\n", "\n", "ready = 1"]},
      {"cell_type": "code", "metadata": {}, "source": ["# Exercise 1: the scores\n", "scores = np.array([[1.0, 2.0]])\n"]},
      )" + between +
           R"(
      {"cell_type": "code", "metadata": {}, "source": ["# now mask them\n", "scores = scores * 0"]}]})";
  };
  dir.write("cells/solution/lab.ipynb", notebook(""));
  auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);  // a warning: the students' notebook should change
  BOOST_TEST(contains(r.out, "ok    reference solution (Python)"), r.out);
  BOOST_TEST(contains(r.out,
                      "warn  reference as a Colab download (Python): lab.py, the reference notebook as Colab "
                      "downloads it, fails exercise 1 (wrong: "),
             r.out);
  BOOST_TEST(contains(r.out, "put a markdown cell after that answer's cell"), r.out);
  dir.write("cells/solution/lab.ipynb",
            notebook(R"({"cell_type": "markdown", "metadata": {}, "source": "Now the mask: \"\"\"quoted\"\"\"."},)"));
  r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out,
                      "ok    reference as a Colab download (Python): lab.py, the reference notebook as Colab "
                      "downloads it, passes what the .ipynb passes"),
             r.out);
}

BOOST_AUTO_TEST_CASE(a_notebook_references_variables_check_the_mistakes_computed_from_a_students_answers) {
  // Found by an instructor helper: a mistake computed from the student's own scores was "not
  // checked", since no answer file gave the scores; answer files added beside the notebook of a
  // spec that grades notebooks only were then graded as a library hand-in, and failed.
  TempDir dir;
  const auto spec = dir.write("steps.yaml", R"YAML(assignment: {id: steps, title: Steps, version: "1"}
solution: steps/solution
python: {only: true}
exercises:
  - id: "1"
    title: Scores
    points: 1
    answers: [{name: scores, shape: [2, 2], python: {cell: "# Step 1"}}]
    output: scores
    expect: "[[1, 2], [3, 4]]"
  - id: "2"
    title: Weights
    points: 1
    answers: [{name: weights, shape: [2, 2], python: {cell: "# Step 2"}}]
    output: weights
    expect: softmax(scores, -1)
    mistakes: [{matches: "softmax(scores, 0)", message: the softmax runs over the queries}]
)YAML");
  dir.write("steps/solution/lab.py",
            "import numpy as np\n# Step 1\nscores = np.array([[1.0, 2.0], [3.0, 4.0]])\n"
            "# Step 2\nweights = np.exp(scores) / np.exp(scores).sum(-1, keepdims=True)\n");
  auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out, "ok    known mistakes: each of the 1 declared for matrix exercises fails"), r.out);
  BOOST_TEST(!contains(r.out, "not checked"), r.out);
  BOOST_TEST(contains(r.out, "ok    all-zero answers: fail 2 of 2 matrix exercises"), r.out);
  // Answer files beside it are answers, not a reference of their own.
  dir.write("steps/solution/answers.yaml", "scores: [[1, 2], [3, 4]]\n");
  r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(!contains(r.out, "FAIL"), r.out);
  BOOST_TEST(!contains(r.out, "reference solution: "), r.out);
}

BOOST_AUTO_TEST_CASE(a_tolerance_tighter_than_float32_is_a_warning) {
  TempDir dir;
  // An exercise that wants a third to 1e-12: the reference's float64 answer passes, the same
  // rounded to float32 (1e-8 off) does not.
  const auto spec = edited_copy(dir, "", "");
  std::string text = read_file(spec);
  text +=
      "\n  - id: \"9\"\n    title: A third\n    points: 1\n    answers:\n      - {name: third, shape: [1, 1]}\n"
      "    output: third\n    expect: ones(1, 1) / 3\n    tolerance: {atol: 1e-12, rtol: 0}\n";
  dir.write("understanding-attention.yaml", text);
  dir.write("understanding-attention/solution/answers.json", "{\"third\": [[0.3333333333333333]]}");
  const auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(
      contains(r.out,
               "warn  reference in float32: the reference answers rounded to float32 fail 9 (atol 1e-12, rtol 0)"),
      r.out);
  // With the fix (found by an instructor helper: "loosen it" did not say how).
  BOOST_TEST(contains(r.out,
                      "give the tolerance a float32 rule, which float32 answers get and float64 ones do not "
                      "(`float32: {atol: 1.0e-5, rtol: 1.0e-5}` beside its atol and rtol"),
             r.out);
  // The notebook of the reference solution does not answer 9: its files do.
  BOOST_TEST(contains(r.out, "ok    reference solution (Python): "), r.out);
  BOOST_TEST(contains(r.out, "all 6 exercises it answers pass (9 only by the folder's files)"), r.out);
  // A float32 rule as strict as the float64 one says that float64 is expected: nothing to warn
  // of (found by an instructor helper: a float64 course could not clear the warning).
  const std::string strict = "tolerance: {atol: 1e-12, rtol: 0}";
  text.replace(text.find(strict), strict.size(), "tolerance: {atol: 1e-12, rtol: 0, float32: {atol: 1e-12, rtol: 0}}");
  dir.write("understanding-attention.yaml", text);
  const auto meant = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(meant.exit_code == 0, meant.out << meant.err);
  BOOST_TEST(!contains(meant.out, "warn  reference in float32"), meant.out);
  BOOST_TEST(contains(meant.out,
                      "ok    reference in float32: the reference answers rounded to float32 fail only 9 "
                      "(atol 1e-12, rtol 0"),
             meant.out);
  BOOST_TEST(contains(meant.out, "whose float32 rule asks as much as its float64 one: float64 is expected there"),
             meant.out);
}

BOOST_AUTO_TEST_CASE(no_reference_solution_is_a_warning_and_the_other_controls_still_run) {
  TempDir dir;
  const auto spec = edited_copy(dir, "solution: understanding-attention/solution\n", "");
  const auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  BOOST_TEST(contains(r.out, "warn  reference solution: the spec names none"), r.out);
  BOOST_TEST(contains(r.out, "warn  all-zero answers: pass 1.3.1: if zeros are a right answer there"), r.out);
  BOOST_TEST(contains(r.out, "ok    empty submission: fails every exercise (6)"), r.out);
  // Mistakes that read no answer are checked against the target all the same.
  BOOST_TEST(contains(r.out,
                      "warn  known mistakes: not checked for exercises 1.4.1, 1.4.2: the target or the mistakes are "
                      "computed from the student's m_key2_b, query132, which a reference solution would give (the "
                      "spec names none)"),
             r.out);
  BOOST_TEST(contains(r.out, "ok    known mistakes: each of the 5 declared for matrix exercises fails"), r.out);
}

BOOST_AUTO_TEST_CASE(a_solution_folder_that_is_not_there_fails_the_self_test_but_grading_works) {
  TempDir dir;
  const auto spec = dir.write("x.yaml", read_file(test_support::source_path("specs/understanding-attention.yaml")));
  const auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(contains(r.out, "FAIL  reference solution: its folder " +
                                 (dir.path() / "understanding-attention/solution").string() + " does not exist"),
             r.out);
  // A folder of a name alike is suggested (found by an instructor helper).
  fs::create_directories(dir.path() / "understanding-attention" / "solutions");
  const auto near = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(contains(near.out, "does not exist (`solution:` is relative to the spec); did you mean 'solutions'?"),
             near.out);
  const auto graded = run_grader({"check", "--spec", spec.string(), "submissions/understanding-attention/correct-csv"});
  BOOST_TEST(graded.exit_code == 0, graded.err);
}

BOOST_AUTO_TEST_CASE(what_a_library_is_not_given_that_the_python_call_passes_is_a_warning) {
  // Found by an instructor helper: a colleague's C solution failed an exercise whose Python call
  // passes scale=0.5, told "the scale argument is ignored", and one passing a number of heads
  // that no input's shape holds; nothing had said that no library could pass them.
  TempDir dir;
  const std::string spec =
      "assignment: {id: lib-reach, title: Library reach, version: \"1\"}\n"
      "exercises:\n"
      "  - id: \"1\"\n"
      "    title: Attention at scale 0.5\n"
      "    points: 1\n"
      "    function:\n"
      "      symbol: attend\n"
      "      inputs:\n"
      "        - {name: Q, shape: [n, d]}\n"
      "        - {name: K, shape: [n, d]}\n"
      "        - {name: V, shape: [n, d]}\n"
      "      outputs:\n"
      "        - {name: out, shape: [n, d], expect: \"attention(Q, K, V, scale=0.5)\"}\n"
      "      python: {tensors: numpy, dtype: float64, arguments: [Q, K, V, {value: 0.5, keyword: scale}]}\n"
      "    checks:\n"
      "      - {name: random, points: 1, random: {trials: 5, dims: {n: [1, 4], d: [1, 4]}}}\n"
      "  - id: \"2\"\n"
      "    title: Attention by default\n"
      "    points: 1\n"
      "    function:\n"
      "      symbol: attend\n"
      "      inputs:\n"
      "        - {name: Q, shape: [n, d]}\n"
      "        - {name: K, shape: [n, d]}\n"
      "        - {name: V, shape: [n, d]}\n"
      "      outputs:\n"
      "        - {name: out, shape: [n, d], expect: \"attention(Q, K, V)\"}\n"
      "      python: {tensors: numpy, dtype: float64, arguments: [Q, K, V, {size: n, keyword: rows}]}\n"
      "    checks:\n"
      "      - {name: random, points: 1, random: {trials: 5, dims: {n: [1, 4], d: [1, 4]}}}\n"
      "  - id: \"3\"\n"
      "    title: Split heads\n"
      "    points: 1\n"
      "    function:\n"
      "      symbol: split_heads\n"
      "      inputs:\n"
      "        - {name: x, shape: [n, d_model]}\n"
      "      outputs:\n"
      "        - {name: xh, shape: [heads, n, d_head], expect: \"transpose(reshape(x, n, heads, d_head), 0, 1)\"}\n"
      "      python: {tensors: numpy, dtype: float64, arguments: [x, {size: heads, keyword: n_heads}]}\n"
      "    checks:\n"
      "      - {name: random, points: 1, random: {trials: 5, dims: {n: [1, 4], heads: [1, 3], d_head: [1, 3], d_model: "
      "\"heads * d_head\"}}}\n"
      "  - id: \"4\"\n"
      "    title: Normalized heads\n"
      "    points: 1\n"
      "    function:\n"
      "      symbol: normalize_heads\n"
      "      inputs:\n"
      "        - {name: x, shape: [n, d_model]}\n"
      "      outputs:\n"
      "        - {name: y, shape: [n, d_model], expect: \"reshape(normalize(reshape(x, n, heads, -1)), n, -1)\"}\n"
      "      python: {tensors: numpy, dtype: float64, arguments: [x, {size: heads, keyword: n_heads}]}\n"
      "    checks:\n"
      "      - {name: random, points: 1, random: {trials: 5, dims: {n: [1, 4], heads: [1, 3], d_head: [1, 3], d_model: "
      "\"heads * d_head\"}}}\n";
  const auto r = run_grader({"spec", "check", dir.write("lib.yaml", spec).string()});
  BOOST_TEST(r.exit_code == 0, r.out + r.err);
  BOOST_TEST(contains(r.out,
                      "warn  library hand-ins: exercise 1 passes scale=0.5 to the notebook's attend: a "
                      "library's attend is not given it, and passes only computing with it as a constant of "
                      "its own (then it fails an exercise that calls attend with other constants, or none)"),
             r.out);
  BOOST_TEST(contains(r.out,
                      "exercise 4 passes n_heads=heads to the notebook's normalize_heads, a size no input's or "
                      "output's shape holds: a library's normalize_heads cannot know it, so no library passes"),
             r.out);
  BOOST_TEST(!contains(r.out, "exercise 2 passes"), r.out);  // rows=n: every library sees n in Q's shape
  BOOST_TEST(!contains(r.out, "exercise 3 passes"), r.out);  // heads: xh's shape, which the library fills
  BOOST_TEST(contains(r.out, "write `python: {only: true}`"), r.out);
  // Where only notebooks are graded, libraries never are: nothing to say.
  std::string only = spec;
  only.replace(only.find("exercises:"), 0, "python: {only: true}\n");
  const auto o = run_grader({"spec", "check", dir.write("only.yaml", only).string()});
  BOOST_TEST(!contains(o.out, "library hand-ins"), o.out);
  // Its checks are still tried with a function returning its first input, as a library, and
  // said so (found by an instructor helper: "library returning its first input" read as if
  // libraries were graded after all).
  BOOST_TEST(contains(o.out, "a function returning its first input (tried as a C library): fails every function "
                             "exercise"),
             o.out);
  BOOST_TEST(!contains(o.out, "ok    library returning"), o.out);
}

BOOST_AUTO_TEST_CASE(data_the_reference_notebook_makes_otherwise_is_named_where_it_fails) {
  // Found by an instructor helper: data drawn with {generator: numpy, seed: 7}, where the
  // notebook used np.random.default_rng(7), was said only as the reference failing.
  TempDir dir;
  const std::string spec =
      "assignment: {id: drawn, title: Drawn, version: \"1\"}\n"
      "solution: solution\n"
      "data:\n  np7: {generator: numpy, seed: 7}\n  W: standard_normal(np7, 2, 2)\n  k: [[1.0]]\n"
      "exercises:\n"
      "  - {id: \"1\", title: Twice W, points: 1, answers: [{name: a, shape: [2, 2]}], output: a, expect: W * 2}\n";
  const auto check = [&](const std::string& draw) {
    fs::remove_all(dir.path() / "solution");
    dir.write("solution/hw.py", "import numpy as np\nk = 5.0\n" + draw + "\na = W * 2\n");
    return run_grader({"spec", "check", dir.write("drawn.yaml", spec).string()});
  };
  const auto other = check("W = np.random.default_rng(7).standard_normal((2, 2))");
  BOOST_TEST(other.exit_code == 1, other.out + other.err);
  BOOST_TEST(contains(other.out, "warn  data and the reference notebook: the notebook's W (which holds "), other.out);
  BOOST_TEST(contains(other.out,
                      ") differ from the spec's data of those names, from which the answers' targets are "
                      "computed: does the notebook make them as the spec does?"),
             other.out);
  BOOST_TEST(!contains(other.out, "the notebook's k"), other.out);  // another shape: another thing
  const auto same = check("np.random.seed(7)\nW = np.random.standard_normal((2, 2))");
  BOOST_TEST(same.exit_code == 0, same.out + same.err);
  BOOST_TEST(!contains(same.out, "data and the reference notebook"), same.out);
}

BOOST_AUTO_TEST_CASE(data_the_notebook_makes_itself_is_checked_against_the_reference_notebook) {
  // python: {given: [...]}: students are told where their notebook's own differs, so the
  // reference notebook's own must be the spec's data.
  TempDir dir;
  const std::string spec =
      "assignment: {id: drawn, title: Drawn, version: \"1\"}\n"
      "solution: solution\n"
      "data:\n  np7: {generator: numpy, seed: 7}\n  W: standard_normal(np7, 2, 2)\n"
      "python: {given: [W]}\n"
      "exercises:\n"
      "  - {id: \"1\", title: Twice W, points: 1, answers: [{name: a, shape: [2, 2]}], output: a, expect: W * 2}\n";
  const auto check = [&](const std::string& notebook) {
    fs::remove_all(dir.path() / "solution");
    dir.write("solution/hw.py", "import numpy as np\n" + notebook + "\n");
    return run_grader({"spec", "check", dir.write("drawn.yaml", spec).string()});
  };
  const auto same = check("np.random.seed(7)\nW = np.random.standard_normal((2, 2))\na = W * 2");
  BOOST_TEST(same.exit_code == 0, same.out + same.err);
  BOOST_TEST(contains(same.out, "ok    given data: at its end, the reference notebook holds the spec's data in W"),
             same.out);
  // Drawn otherwise, yet the answer computed from the spec's numbers: only the given data fails.
  const auto other = check(
      "W = np.random.default_rng(7).standard_normal((2, 2))\n"
      "np.random.seed(7)\na = np.random.standard_normal((2, 2)) * 2");
  BOOST_TEST(other.exit_code == 1, other.out + other.err);
  BOOST_TEST(contains(other.out,
                      "FAIL  given data: python given names data the notebook defines itself, but the reference "
                      "notebook's W (which holds "),
             other.out);
  BOOST_TEST(contains(other.out, "a student failing an exercise that reads it would be told their notebook changed it"),
             other.out);
  const auto none = check("np.random.seed(7)\na = np.random.standard_normal((2, 2)) * 2");
  BOOST_TEST(none.exit_code == 1, none.out + none.err);
  BOOST_TEST(contains(none.out, "the reference notebook's W ('W' is not defined"), none.out);
  // No notebook to check them against: a warning.
  fs::remove_all(dir.path() / "solution");
  dir.write("solution/a.csv", "1,2\n3,4\n");
  const auto files = run_grader({"spec", "check", (dir.path() / "drawn.yaml").string()});
  BOOST_TEST(contains(files.out,
                      "warn  given data: python given names data the notebook defines itself (W), and the solution "
                      "folder holds no notebook to check them against"),
             files.out);
}

BOOST_AUTO_TEST_CASE(a_malformed_spec_exits_2_with_its_errors) {
  TempDir dir;
  const auto spec = edited_copy(dir, "output: attention(query121, key, value, scale=1)",
                                "output: attention(query121, kye, value, scale=1)");
  const auto r = run_grader({"spec", "check", spec.string()});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.err, "unknown name 'kye'; did you mean 'key'?"), r.err);
  BOOST_TEST(contains(r.out, "malformed"), r.out);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(spec_show_and_new)

BOOST_AUTO_TEST_CASE(show_prints_the_data_and_the_targets_but_hidden_ones_only_when_revealed) {
  const auto r = run_grader({"spec", "show", "specs/understanding-attention.yaml"});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(contains(r.out, "data\n  key (4, 3)\n    [[0.47, 0.65, 0.6],"), r.out);
  BOOST_TEST(contains(r.out, "  1.3.2 Average the first two value vectors (1 point)\n"), r.out);
  BOOST_TEST(contains(r.out, "    target (1, 3)\n      [[0.15, -0.905, 0.2]]"), r.out);
  BOOST_TEST(contains(r.out, "      (computed from the student's own query132)"), r.out);
  BOOST_TEST(contains(r.out, "Python hand-ins: A2S1.py (or the single .py/.ipynb, with a note); limits: 10 s a cell"),
             r.out);
  BOOST_TEST(contains(r.out,
                      "\n  given: the notebook makes key, value itself; a hand-in whose own differ at its end is "
                      "told so\n"),
             r.out);
  BOOST_TEST(contains(r.out,
                      "    hands in m_key2_a (1, 3), any orientation; from a notebook: m_key[2] at the end "
                      "of the cell holding 'averages the first three value vectors' (else where "
                      "'check_query(query132, value[(0, 1, 2),].mean(0, keepdims=True), key=m_key)' runs)\n"),
             r.out);
  BOOST_TEST(contains(r.out, "    hands in query121 (1, 3), any orientation\n"), r.out);  // its own variable: nothing to add
  BOOST_TEST(!contains(r.out, "Libraries:"), r.out);  // no function exercise
  const auto functions = run_grader({"spec", "show", "specs/sdpa-masked.yaml"});
  BOOST_TEST(functions.exit_code == 0, functions.err);
  BOOST_TEST(contains(functions.out, "Libraries: libsolution.so, or built from the C/C++ sources handed in (at most "
                                     "120 s to compile); limits: 1 s a call, 60 s in all, 20 s of CPU, 2048 MB, 32 "
                                     "threads\n"),
             functions.out);
  // A random check says how its values are drawn; a fixed one lists its inputs in the function's order.
  BOOST_TEST(contains(functions.out,
                      "100 random cases (batch 1..4, block 1..8, d_k 1..16, mask_rows 1..1) of values "
                      "mask padding_mask, others normal(0, 1);"),
             functions.out);
  BOOST_TEST(contains(functions.out, "fixed inputs Q = Q, K = K, V = V, mask = mask;"), functions.out);
  // A known mistake shows the outputs it gives, in the function's order, then its message.
  BOOST_TEST(contains(functions.out,
                      "    known mistake: weights = attention_weights(Q, K, V, scale=1): the scores are not divided by "
                      "sqrt(d_k)\n"),
             functions.out);

  TempDir dir;
  std::string spec = read_file(test_support::source_path("specs/understanding-attention.yaml"));
  const std::string anchor = "    title: Average the first two value vectors\n";
  spec.replace(spec.find(anchor), anchor.size(), anchor + "    visibility: hidden\n");
  const auto path = dir.write("x.yaml", spec);
  const auto hidden = run_grader({"spec", "show", path.string(), "--exercise", "1.3.2"});
  BOOST_TEST(contains(hidden.out, "targets: hidden (--reveal shows them)"), hidden.out);
  BOOST_TEST(!contains(hidden.out, "-0.905"), hidden.out);
  BOOST_TEST(!contains(hidden.out, "\ndata\n"), hidden.out);  // one exercise: no data
  const auto revealed = run_grader({"spec", "show", path.string(), "--exercise", "1.3.2", "--reveal"});
  BOOST_TEST(contains(revealed.out, "[[0.15, -0.905, 0.2]]"), revealed.out);
  BOOST_TEST(run_grader({"spec", "show", path.string(), "--exercise", "9.9"}).exit_code == 2);
}

BOOST_AUTO_TEST_CASE(show_summarizes_a_large_tensor_as_numpy_does_unless_told_full) {
  // Found by an instructor helper: a spec's data printed whole, 100 KB.
  TempDir dir;
  const auto spec = dir.write("big.yaml",
                              "assignment: {id: big, title: Big, version: '1'}\n"
                              "data:\n  g: {generator: numpy, seed: 0}\n  big: randn(g, 2, 30, 40)\n"
                              "  small: [[1, 2], [3, 4]]\n"
                              "exercises:\n  - {id: '1', title: T, points: 1, answers: [{name: x, shape: [2, 30, 40]}],"
                              " output: x, expect: big + 1}\n");
  const auto numbers = [](const std::string& text) {
    static const std::regex number("-?[0-9]+\\.?[0-9]*(e[-+][0-9]+)?");
    return static_cast<std::size_t>(
        std::distance(std::sregex_iterator(text.begin(), text.end(), number), std::sregex_iterator()));
  };
  const auto section = [](const std::string& text, const std::string& from, const std::string& to) {
    const auto a = text.find(from), b = text.find(to, a);
    BOOST_REQUIRE(a != std::string::npos && b != std::string::npos);
    return text.substr(a + from.size(), b - a - from.size());
  };
  const auto r = run_grader({"spec", "show", spec.string()});
  BOOST_TEST(r.exit_code == 0, r.err);
  // Each axis longer than 6: its first and last three around `...`: 2 x 6 x 6 numbers shown.
  const std::string big = section(r.out, "  big (2, 30, 40)\n", "\n    (2400 elements, shown in part");
  BOOST_TEST(numbers(big) == 2u * 6u * 6u, big);
  BOOST_TEST(contains(big, ", ..., "), big);         // along the last axis
  BOOST_TEST(contains(big, "\n      ...,\n"), big);  // along the rows
  BOOST_TEST(contains(r.out,
                      "(2400 elements, shown in part: --full prints them all, --npy DIR writes them as .npy "
                      "files)"),
             r.out);
  BOOST_TEST(contains(r.out, "  small (2, 2)\n    [[1, 2],\n     [3, 4]]\n"), r.out);  // small ones whole
  // The target, of the same size, is summarized too; --full prints every element of both.
  BOOST_TEST(numbers(section(r.out, "    target (2, 30, 40)\n", "(2400 elements")) == 2u * 6u * 6u, r.out);
  const auto full = run_grader({"spec", "show", spec.string(), "--full"});
  BOOST_TEST(full.exit_code == 0, full.err);
  BOOST_TEST(numbers(section(full.out, "  big (2, 30, 40)\n", "  small")) == 2400u);
  BOOST_TEST(!contains(full.out, "..."), full.out.substr(0, 2000));
}

BOOST_AUTO_TEST_CASE(show_writes_npy_files_of_the_data_and_the_fixed_targets) {
  TempDir dir;
  const auto r = run_grader({"spec", "show", "specs/sdpa-masked.yaml", "--npy", dir.path().string()});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(contains(r.out, "wrote 12 .npy files"), r.out);  // 8 data; 2 exercises x 1 fixed check x 2 outputs
  // How a notebook's function is called, and the float32 rule, are shown with the rest.
  const auto shown = run_grader({"spec", "show", "specs/sdpa-masked.yaml"});
  BOOST_TEST(contains(shown.out,
                      "    a notebook's scaled_dot_product_attention(Q, K, V, mask) on torch float32 "
                      "tensors\n"),
             shown.out);
  BOOST_TEST(contains(shown.out,
                      "    a notebook's scaled_dot_product_attention(Q, K, V) on torch float32 tensors, as "
                      "defined at the end of the cell holding '======= Scaled dot-product attention' (at "
                      "the end of the notebook where no line holds it)\n"),
             shown.out);
  BOOST_TEST(contains(shown.out, "tolerance |got - expected| <= 1e-09 + 1e-09 * |expected|; float32 results "
                             "|got - expected| <= 1e-05 + 1e-05 * |expected|\n"),
             shown.out);
  for (const char* f : {"data/Q.npy", "data/mask.npy", "targets/1.check1.output.npy", "targets/2.check1.weights.npy"})
    BOOST_TEST(fs::exists(dir.path() / f), f);
}

BOOST_AUTO_TEST_CASE(new_scaffolds_a_spec_that_loads_and_whose_check_explains_what_is_missing) {
  TempDir dir;
  auto r = run_grader({"spec", "new", "my-course.week3", "--dir", dir.path().string()});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(fs::is_directory(dir.path() / "my-course.week3/solution"));
  const auto spec = (dir.path() / "my-course.week3.yaml").string();
  r = run_grader({"spec", "check", spec});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);  // well formed, but the solution is empty
  BOOST_TEST(contains(r.out, "well formed; self-test FAILED"), r.out);
  BOOST_TEST(contains(r.out, "FAIL  reference solution: fails exercises 1 (missing: no answer 'query'"), r.out);
  BOOST_TEST(contains(r.out, "2 (missing: no libsolution.so and no C or C++ sources"), r.out);
  // The right answers make it pass.
  dir.write("my-course.week3/solution/answers.yaml", "query: [[47000, 65000, 60000]]\n");
  fs::copy_file(test_support::source_path("docs/solution-abi.md"), dir.path() / "abi.md");
  r = run_grader({"spec", "new", "my-course.week3", "--dir", dir.path().string()});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.err, "exists already"), r.err);
  r = run_grader({"spec", "new", "bad name", "--dir", dir.path().string()});
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(contains(r.err, "cannot name an assignment"), r.err);
}

BOOST_AUTO_TEST_SUITE_END()
