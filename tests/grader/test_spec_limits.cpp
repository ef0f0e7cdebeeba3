// Whatever a spec says, loading it ends in a spec or a located error, never a crash, an
// "internal error" or an allocation without bound (docs/spec-format.md, "Limits"); and the
// rules for tolerances hold: a check's starts from its exercise's, mistakes use their own.
#include <boost/test/unit_test.hpp>

#include "grader/spec/spec.hpp"
#include "support/temp_dir.hpp"

using namespace grader;
using test_support::TempDir;

namespace {

const char* kHeader = "assignment:\n  id: demo\n  title: Demo\n  version: \"1\"\ndata:\n  key: [[1, 0], [0, 1]]\n";

/// The diagnostics of loading kHeader + `rest` (as "line:col: message"), or {"loaded"}.
std::vector<std::string> load(const std::string& rest, Spec* out = nullptr) {
  TempDir dir;
  const auto path = dir.write("spec.yaml", kHeader + rest);
  try {
    const Spec spec = load_spec(path);
    if (out) *out = spec;
    return {"loaded"};
  } catch (const SpecError& e) {
    std::vector<std::string> errors;
    for (const auto& d : e.diagnostics())
      errors.push_back(std::to_string(d.where.line) + ":" + std::to_string(d.where.column) + ": " + d.message);
    return errors;
  }
}

bool any_has(const std::vector<std::string>& errors, const std::string& part) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const std::string& e) { return e.find(part) != std::string::npos; });
}

std::string matrix_exercise(const std::string& output, const std::string& name = "q") {
  return "exercises:\n  - id: a\n    title: A\n    points: 1\n    answers:\n      - {name: " + name +
         ", shape: [1, 2]}\n    output: " + output + "\n    expect: key[0:1]\n";
}

std::string function_exercise(const std::string& shape, const std::string& dims, const std::string& extra = "") {
  return "exercises:\n  - id: f\n    title: F\n    points: 1\n    tolerance: {atol: 0.5, rtol: 0.25}\n"
         "    function:\n      symbol: f\n      inputs:\n        - {name: Q, shape: " +
         shape +
         "}\n"
         "      outputs:\n        - {name: out, shape: " +
         shape +
         ", expect: \"Q\"}\n"
         "    checks:\n      - name: random\n        points: 1\n        random: {trials: 2, dims: " +
         dims + "}\n" + extra;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(spec_limits)

BOOST_AUTO_TEST_CASE(a_function_input_beyond_the_rank_limit_is_a_located_error) {
  const auto errors = load(function_exercise("[a, b, c, d]", "{a: [1, 2], b: [1, 2], c: [1, 2], d: [1, 2]}"));
  BOOST_TEST(any_has(errors, "15:28: exercise f input shape must list 1 to 3 sizes"), errors.front());
}

BOOST_AUTO_TEST_CASE(long_chains_are_refused_before_they_can_overflow_the_stack) {
  std::string sum = "q";
  for (int i = 0; i < 300000; ++i) sum += "+1";
  BOOST_TEST(any_has(load(matrix_exercise(sum)), "an expression may be at most 10000 characters long"));
  std::string chain = "q";
  for (int i = 0; i < 3000; ++i) chain += "+1";
  BOOST_TEST(any_has(load(matrix_exercise(chain)), "expression is nested too deeply"));
  std::string products = "q";
  for (int i = 0; i < 1500; ++i) products += "*1";
  BOOST_TEST(any_has(load(matrix_exercise(products)), "nested too deeply"));
  std::string indexing = "key";
  for (int i = 0; i < 1500; ++i) indexing += "[0:2]";
  BOOST_TEST(any_has(load(matrix_exercise("q + " + indexing + "[0:1]")), "nested too deeply"));
  // Shallow but wide: groups of 100 terms, 15 of them.
  std::string group = "(1";
  for (int i = 0; i < 99; ++i) group += "+1";
  group += ")";
  std::string wide = "q";
  for (int i = 0; i < 15; ++i) wide += "+" + group;
  BOOST_TEST(any_has(load(matrix_exercise(wide)), "an expression may have at most 1000 terms"));
}

BOOST_AUTO_TEST_CASE(a_very_long_name_is_a_located_error) {
  const auto errors = load(matrix_exercise("q", std::string(200000, 'q')));
  BOOST_TEST(any_has(errors, "12:16: exercise a answer name is 200000 characters long; at most 10000 are allowed"),
             errors.front());
}

BOOST_AUTO_TEST_CASE(sizes_are_bounded_where_they_are_written) {
  BOOST_TEST(any_has(load(function_exercise("[99999999999999999999]", "{}")),
                     "size 99999999999999999999 must be from 1 to 4096"));
  // Inside the per-axis limit, but 4096^3 elements: refused before anything is allocated.
  const auto errors = load(function_exercise("[a, b, c]", "{a: [1, 4096], b: [1, 4096], c: [1, 4096]}"));
  BOOST_TEST(any_has(errors, "at the largest sizes, Q's shape (4096, 4096, 4096) has more than 16777216 elements"),
             errors.front());
  BOOST_TEST(any_has(load(matrix_exercise("q + 0 * sum(ones(100000, 100000))")), "more than 16777216 elements"));
}

BOOST_AUTO_TEST_CASE(texts_must_be_utf8_and_points_finite) {
  TempDir dir;
  const auto bad_title = "assignment:\n  id: demo\n  title: \"Caf\xe9\"\n  version: \"1\"\n" + matrix_exercise("q");
  const auto path = dir.write("spec.yaml", std::string(bad_title).replace(bad_title.find("key[0:1]"), 8, "q"));
  try {
    load_spec(path);
    BOOST_FAIL("a title with invalid UTF-8 loaded");
  } catch (const SpecError& e) {
    BOOST_TEST(std::string(e.what()).find("assignment title is not valid UTF-8 (byte 0xe9") != std::string::npos,
               e.what());
  }
  std::string huge = matrix_exercise("q");
  huge.replace(huge.find("points: 1"), 9, "points: 1e308");
  BOOST_TEST(any_has(load(huge), "exercise a points must be at most 1000000, found 1e308"));
}

BOOST_AUTO_TEST_CASE(time_limits_that_would_fail_a_correct_solution_are_refused) {
  const std::string fn = function_exercise("[n]", "{n: [1, 2]}");
  for (const auto& [library, message] :
       {std::pair{"library:\n  call_seconds: 0\n", "call_seconds must be from 0.1 to 3600, found 0"},
        {"library:\n  budget_seconds: 2\n  call_seconds: 5\n", "budget_seconds (2) must be at least call_seconds (5)"},
        {"library:\n  memory_mb: 1\n", "memory_mb must be from 256 to 1048576, found 1"}}) {
    BOOST_TEST_CONTEXT(library) {
      const auto errors = load(library + fn);
      BOOST_TEST(any_has(errors, message), errors.front());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_checks_tolerance_starts_from_its_exercises) {
  Spec spec;
  const auto loaded = load(function_exercise("[n]", "{n: [1, 2]}") + "        tolerance: {atol: 0.125}\n", &spec);
  BOOST_REQUIRE(loaded == std::vector<std::string>{"loaded"});
  const Tolerance& t = spec.exercises[0].function->checks[0].tolerance;
  BOOST_TEST(t.atol == 0.125);  // its own
  BOOST_TEST(t.rtol == 0.25);   // the exercise's, not the global default
}

BOOST_AUTO_TEST_CASE(mistakes_are_matched_with_their_own_tolerance_or_the_exercises) {
  Spec spec;
  const auto loaded = load(function_exercise("[n]", "{n: [1, 2]}") +
                               "        tolerance: {atol: 0, rtol: 0}\n"
                               "    mistakes:\n"
                               "      - {outputs: {out: \"2 * Q\"}, message: doubled}\n"
                               "      - {outputs: {out: \"3 * Q\"}, message: tripled, tolerance: {atol: 0.01}}\n",
                           &spec);
  BOOST_REQUIRE(loaded == std::vector<std::string>{"loaded"});
  const auto& mistakes = spec.exercises[0].function->mistakes;
  BOOST_TEST(mistakes[0].tolerance.atol == 0.5);  // the exercise's, not the exact check's
  BOOST_TEST(mistakes[1].tolerance.atol == 0.01);
  BOOST_TEST(mistakes[1].tolerance.rtol == 0.25);
}

BOOST_AUTO_TEST_SUITE_END()
