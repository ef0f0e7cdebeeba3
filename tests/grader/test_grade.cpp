// grade_submission() on real spec files and folders: verdicts, orientation, dependencies
// between exercises, hidden feedback.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include "grader/grade.hpp"
#include "grader/report/report.hpp"
#include "support/fixtures.hpp"
#include "support/inert.hpp"
#include "support/temp_dir.hpp"
#include "support/text.hpp"

using namespace grader;
using test_support::TempDir;

namespace {

using test_support::contains;

struct Graded : TempDir {
  Spec spec;
  Graded() {
    const auto path = write("spec.yaml", R"(assignment: {id: g, title: G, version: '1'}
data:
  key: [[1, 0], [0, 1]]
exercises:
  - id: a
    title: A
    points: 2
    answers: [{name: q, shape: [1, 2], orientation: any}]
    output: q * 2
    expect: '[[2, 4]]'
  - id: b
    title: B
    points: 1
    answers: [{name: r, shape: [1, 2]}]
    output: q + r
    expect: '[[1, 2]]'
  - id: h
    title: Hidden
    points: 1
    visibility: hidden
    answers: [{name: s, shape: [2, 2]}]
    output: s
    expect: key * 0.25
    mistakes: [{matches: key, message: you forgot the factor}]
)");
    spec = load_spec(path);
  }
  AssignmentResult grade(const std::string& answers_yaml) {
    const auto dir = path() / ("s" + std::to_string(++count));
    write(dir.filename().string() + "/answers.yaml", answers_yaml);
    return grade_submission(spec, dir);
  }
  int count = 0;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(grading, Graded)

BOOST_AUTO_TEST_CASE(a_vector_in_any_orientation_scores_full_points) {
  const auto r = grade("q: [[1], [2]]\nr: [[0, 0]]\ns: [[0.25, 0], [0, 0.25]]\n");
  BOOST_TEST(r.exercises[0].passed());
  BOOST_TEST(r.exercises[0].score() == 2.0);
  BOOST_TEST(r.exercises[1].passed());  // q reused from exercise a, reshaped to (1, 2)
  BOOST_TEST(r.max_score() == 4.0);
}

BOOST_AUTO_TEST_CASE(nan_is_its_own_verdict) {
  const auto r = grade("q: [.nan, 2]\nr: [[0, 0]]\ns: [[0.25, 0], [0, 0.25]]\n");
  BOOST_TEST(to_string(r.exercises[0].verdict()) == "non_finite");
  BOOST_TEST(r.exercises[0].message() == "1 / 2 elements (50%) are NaN or Inf; worst at [0, 0]: got nan, expected 2");
}

BOOST_AUTO_TEST_CASE(an_exercise_reusing_a_broken_answer_says_which_to_fix) {
  const auto r = grade("q: [[1, 2, 3]]\nr: [[0, 0]]\ns: [[0.25, 0], [0, 0.25]]\n");
  BOOST_TEST(to_string(r.exercises[0].verdict()) == "wrong_shape");
  BOOST_TEST(to_string(r.exercises[1].verdict()) == "wrong_shape");
  BOOST_TEST(r.exercises[1].message() ==
             "this exercise uses your 'q' from exercise a, which cannot be used: 'q' "
             "(answers.yaml) has shape (1, 3) but (1, 2) is expected");
}

BOOST_AUTO_TEST_CASE(an_exercise_reusing_a_wrong_answer_notes_it) {
  const auto r = grade("q: [5, 5]\nr: [[0, 0]]\ns: [[0.25, 0], [0, 0.25]]\n");
  BOOST_TEST(to_string(r.exercises[1].verdict()) == "wrong");
  BOOST_TEST(
      contains(r.exercises[1].details(), "note: this exercise uses your 'q' from exercise a, which did not pass"));
}

BOOST_AUTO_TEST_CASE(a_hidden_answers_verdict_is_not_told_through_an_exercise_using_it) {
  // Failing c on purpose must not say whether hidden h passed; hidden i shows its verdict only.
  TempDir dir;
  const auto path = dir.write("spec.yaml", R"(assignment: {id: g, title: G, version: '1'}
data:
  key: [[1, 0], [0, 1]]
exercises:
  - {id: a, title: A, points: 1, answers: [{name: q, shape: [1, 2]}], output: q, expect: '[[1, 2]]'}
  - {id: h, title: H, points: 1, visibility: hidden, answers: [{name: s, shape: [2, 2]}], output: s, expect: key}
  - {id: c, title: C, points: 1, answers: [{name: t, shape: [2, 2]}], output: s + t, expect: key}
  - {id: i, title: I, points: 1, visibility: hidden, answers: [{name: u, shape: [1, 2]}], output: q + u, expect: '[[1, 2]]'}
)");
  const Spec own = load_spec(path);
  dir.write("s/answers.yaml", "q: [[5, 5]]\ns: [[9, 9], [9, 9]]\nt: [[1, 1], [1, 1]]\nu: [[1, 1]]\n");
  const AssignmentResult r = grade_submission(own, dir.path() / "s");
  BOOST_TEST(to_string(r.exercises[1].verdict()) == "wrong");
  BOOST_TEST(to_string(r.exercises[2].verdict()) == "wrong");
  BOOST_TEST(!contains(r.exercises[2].details(), "from exercise h"), r.exercises[2].details());
  BOOST_TEST(to_string(r.exercises[3].verdict()) == "wrong");
  BOOST_TEST(r.exercises[3].details() == "", r.exercises[3].details());
}

BOOST_AUTO_TEST_CASE(hidden_exercises_never_show_expected_values) {
  const auto r = grade("q: [1, 2]\nr: [[0, 0]]\ns: [[0.3, 0.7], [0.1, 0.9]]\n");
  const auto& h = r.exercises[2];
  BOOST_TEST(to_string(h.verdict()) == "wrong");
  BOOST_TEST((h.visibility == Visibility::hidden));
  BOOST_TEST(h.message() == "your result is outside the tolerance (a hidden exercise shows only its verdict)");
  BOOST_TEST(h.details() == "");
}

BOOST_AUTO_TEST_CASE(hidden_exercises_name_no_count_no_position_and_no_mistake) {
  for (const std::string s : {"[[1, 0], [0, 1]]", "[[0.25, 0], [0, .nan]]"}) {
    const auto r = grade("q: [1, 2]\nr: [[0, 0]]\ns: " + s + "\n");
    const auto& h = r.exercises[2];
    BOOST_TEST_CONTEXT(s) {
      BOOST_TEST(!h.passed());
      BOOST_TEST(!h.mistake().has_value());
      std::string all = h.message() + h.details();
      for (const auto& c : h.checks) all += c.message + c.details;
      for (const char* leak : {"forgot", "/ 4", "elements", "%", "[1, 1]", "worst", "hint", "got"})
        BOOST_TEST(!contains(all, leak), leak << " in " << all);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_note_to_fix_another_exercise_first_reaches_every_format) {
  const auto r = grade("q: [5, 5]\nr: [[0, 0]]\ns: [[0.25, 0], [0, 0.25]]\n");
  BOOST_TEST(contains(r.exercises[1].checks[0].details, "fix that one first"));
  BOOST_TEST(contains(report::to_junit(r), "fix that one first"));
}

BOOST_AUTO_TEST_CASE(student_controlled_text_is_made_safe_where_it_enters_the_result) {
  const auto dir = path() / "evil\x1b[2J\xff";
  write("evil\x1b[2J\xff/answers.yaml", "q: [[1, 2]]\nr: [[0, 0]]\ns: [[0.25, 0], [0, 0.25]]\n");
  std::ofstream(dir / "z\x1b[31m\n::set-output name=a::b\xfe.csv") << "1\n";
  const auto r = grade_submission(spec, dir);
  std::string all = r.submission;
  for (const auto& n : r.notes) all += "\n" + n;
  BOOST_TEST(test_support::why_unsafe(all) == "", all);
  BOOST_TEST(contains(all, "set-output name=a::b"));  // still shown
  BOOST_CHECK_NO_THROW(report::to_json(r));
}

BOOST_AUTO_TEST_CASE(csv_cells_never_become_formulas_and_numbers_stay_numbers) {
  BOOST_TEST(report::csv_field("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"");
  BOOST_TEST(report::csv_field("+1+cmd") == "'+1+cmd");
  BOOST_TEST(report::csv_field("-cmd") == "'-cmd");
  BOOST_TEST(report::csv_field("@SUM(A1)") == "'@SUM(A1)");
  BOOST_TEST(report::csv_field("\tx") == "\"'\tx\"");
  BOOST_TEST(report::csv_field("  =1+1") == "'  =1+1");  // spaces before: some spreadsheets skip them
  BOOST_TEST(report::csv_field("\rx") == "\"'\rx\"");
  BOOST_TEST(report::csv_field("-2") == "-2");
  BOOST_TEST(report::csv_field("-0.5") == "-0.5");
  BOOST_TEST(report::csv_field("+3e2") == "+3e2");
  BOOST_TEST(report::csv_field("1.2.1") == "1.2.1");
  BOOST_TEST(report::csv_field("a,b") == "\"a,b\"");
  // A spreadsheet whose locale separates cells with ';' (or a tab) would split this one, and
  // its second cell would be a formula: quoted, it stays one cell.
  BOOST_TEST(report::csv_field("x;=1+1") == "\"x;=1+1\"");
  BOOST_TEST(report::csv_field("x\t=1+1") == "\"x\t=1+1\"");
}

BOOST_AUTO_TEST_CASE(a_missing_folder_is_a_usage_error_not_a_verdict) {
  BOOST_CHECK_THROW(grade_submission(spec, path() / "nobody"), UsageError);
}

BOOST_AUTO_TEST_CASE(a_target_masking_the_students_own_answer_with_inf_is_met_by_the_same_inf) {
  // Found by an instructor: where(causal, scores, -inf) over the student's own scores marked
  // every correct student wrong ("with yours it is not a number"), and a mistake holding the
  // mask's -inf could name nothing. A NaN target still says which answer to fix.
  TempDir dir;
  const auto path = dir.write("spec.yaml", R"(assignment: {id: m, title: M, version: '1'}
data:
  causal: [[1, 0], [1, 1]]
exercises:
  - {id: s, title: S, points: 1, answers: [{name: scores, shape: [2, 2]}], output: scores, expect: '[[1, 2], [3, 4]]'}
  - id: m
    title: Masked
    points: 1
    answers: [{name: masked, shape: [2, 2]}]
    output: masked
    expect: where(causal, scores, -inf)
    mistakes: [{matches: 'where(causal, scores * 2, -inf)', message: the scores are doubled}]
  - {id: n, title: Unit, points: 1, answers: [{name: v, shape: [1, 2]}, {name: u, shape: [1, 2]}], output: u + v * 0, expect: normalize(v)}
)");
  const Spec own = load_spec(path);
  const auto graded = [&](const std::string& name, const std::string& answers) {
    dir.write(name + "/answers.yaml", answers);
    return grade_submission(own, dir.path() / name);
  };
  const auto right =
      graded("right", "scores: [[1, 2], [3, 4]]\nmasked: [[1, -.inf], [3, 4]]\nv: [[3, 4]]\nu: [[0.6, 0.8]]\n");
  BOOST_TEST(right.exercises[1].passed(), right.exercises[1].message());
  BOOST_TEST(right.exercises[2].passed(), right.exercises[2].message());
  // Their own wrong scores, masked as asked: 1.3 judges the masking alone.
  const auto own_scores =
      graded("own", "scores: [[5, 6], [7, 8]]\nmasked: [[5, -.inf], [7, 8]]\nv: [[3, 4]]\nu: [[0.6, 0.8]]\n");
  BOOST_TEST(!own_scores.exercises[0].passed());
  BOOST_TEST(own_scores.exercises[1].passed(), own_scores.exercises[1].message());
  // The -inf left out where the mask puts it: non-finite where the target is, not a pass.
  const auto unmasked =
      graded("unmasked", "scores: [[1, 2], [3, 4]]\nmasked: [[1, 2], [3, 4]]\nv: [[3, 4]]\nu: [[0.6, 0.8]]\n");
  BOOST_TEST(!unmasked.exercises[1].passed());
  const auto doubled =
      graded("doubled", "scores: [[1, 2], [3, 4]]\nmasked: [[2, -.inf], [6, 8]]\nv: [[0, 0]]\nu: [[0, 0]]\n");
  BOOST_TEST(doubled.exercises[1].message() == "the scores are doubled", doubled.exercises[1].message());
  BOOST_TEST(to_string(doubled.exercises[2].verdict()) == "wrong");
  BOOST_TEST(doubled.exercises[2].message() ==
             "this exercise's target is computed from your v, and with yours it is not a number (NaN): fix v first "
             "(a zero vector, for example, has no direction to normalize)");
}

BOOST_AUTO_TEST_CASE(a_target_computed_from_answers_that_are_zeros_is_not_met_by_zeros) {
  // Found by an instructor helper: `output = weights @ V` over the student's own weights gave a
  // student of all-zero answers its points (and spec check failed the spec for it). A student's
  // own wrong but nonzero weights still earn the step that uses them.
  TempDir dir;
  const auto path = dir.write("spec.yaml", R"(assignment: {id: z, title: Z, version: '1'}
data:
  V: [[1, 2], [3, 4]]
exercises:
  - {id: w, title: W, points: 1, answers: [{name: weights, shape: [2, 2]}], output: weights, expect: '[[0.5, 0.5], [0.25, 0.75]]'}
  - {id: o, title: O, points: 1, answers: [{name: output, shape: [2, 2]}], output: output, expect: weights @ V}
)");
  const Spec own = load_spec(path);
  const auto graded = [&](const std::string& name, const std::string& answers) {
    dir.write(name + "/answers.yaml", answers);
    return grade_submission(own, dir.path() / name);
  };
  const auto zeros = graded("zeros", "weights: [[0, 0], [0, 0]]\noutput: [[0, 0], [0, 0]]\n");
  BOOST_TEST(!zeros.exercises[1].passed());
  BOOST_TEST(zeros.exercises[1].message() ==
                 "this exercise's target is computed from your weights, which is all zeros (or next to nothing): from "
                 "zeros it is zeros too, whatever this step computes, so matching it earns nothing: fix weights first",
             zeros.exercises[1].message());
  const auto tiny = graded("tiny", "weights: [[1e-12, 0], [0, 0]]\noutput: [[0, 0], [0, 0]]\n");
  BOOST_TEST(!tiny.exercises[1].passed(), tiny.exercises[1].message());
  const auto theirs = graded("theirs", "weights: [[1, 0], [0, 1]]\noutput: [[1, 2], [3, 4]]\n");
  BOOST_TEST(!theirs.exercises[0].passed());
  BOOST_TEST(theirs.exercises[1].passed(), theirs.exercises[1].message());
}

BOOST_AUTO_TEST_CASE(an_output_joining_two_answers_says_which_one_its_mismatches_come_from) {
  // Found by a student helper: attention-basics' 3.1 compares concat(queries, values), and
  // queries computed from W_k were told "8 / 18 elements outside tolerance" without which answer.
  // A product of the two (every element from both) names neither; nor do two wrong parts.
  TempDir dir;
  const auto path = dir.write("spec.yaml", R"(assignment: {id: c, title: C, version: '1'}
exercises:
  - id: j
    title: Joined
    points: 1
    answers: [{name: queries, shape: [2, 2]}, {name: values, shape: [2, 2]}]
    output: concat(queries, values, dim=1)
    expect: '[[1, 2, 5, 6], [3, 4, 7, 8]]'
  - id: p
    title: Product
    points: 1
    answers: [{name: a, shape: [2, 2]}, {name: b, shape: [2, 2]}]
    output: a @ b
    expect: '[[1, 0], [0, 1]]'
)");
  const Spec joined = load_spec(path);
  const auto graded = [&](const std::string& name, const std::string& answers) {
    dir.write(name + "/answers.yaml", answers);
    return grade_submission(joined, dir.path() / name);
  };
  auto r = graded("queries",
                  "queries: [[1, 2], [3, 9]]\nvalues: [[5, 6], [7, 8]]\na: [[1, 0], [0, 1]]\n"
                  "b: [[1, 0], [0, 2]]\n");
  BOOST_TEST(r.exercises[0].message().rfind(
                 "the part from your values matches; the part from your queries does not: 1 / 8 elements", 0) == 0u,
             r.exercises[0].message());
  BOOST_TEST(!contains(r.exercises[1].message(), "the part from"), r.exercises[1].message());
  r = graded("both", "queries: [[1, 2], [3, 9]]\nvalues: [[5, 6], [7, 9]]\na: [[1, 0], [0, 1]]\nb: [[1, 0], [0, 1]]\n");
  BOOST_TEST(!r.exercises[0].passed());
  BOOST_TEST(!contains(r.exercises[0].message(), "the part from"), r.exercises[0].message());
  // Two answers missing are named at once (found by a student helper: 3.1's values was named
  // only once queries was mended); one missing is named alone.
  r = graded("neither", "a: [[1, 0], [0, 1]]\n");
  BOOST_TEST(to_string(r.exercises[0].verdict()) == "missing");
  BOOST_TEST(contains(r.exercises[0].message(), "'queries'"), r.exercises[0].message());
  BOOST_TEST((contains(r.exercises[0].message(), "\n") && contains(r.exercises[0].message(), "'values'")),
             r.exercises[0].message());
  BOOST_TEST((contains(r.exercises[1].message(), "'b'") && !contains(r.exercises[1].message(), "'a'")),
             r.exercises[1].message());
}

BOOST_AUTO_TEST_CASE(a_target_that_any_answer_of_the_exercise_meets_earns_nothing) {
  // Found in stop 52: 1.4.2's target is the best output the student's own query132 reaches; a
  // query132 next to nothing weighs every key alike, so any m_key2_b met it.
  const Spec attention = load_spec(test_support::source_path("specs/understanding-attention.yaml"));
  const std::string right = test_support::read_file(
      test_support::source_path("submissions/understanding-attention/correct-answers-yaml/answers.yaml"));
  const auto replaced = [&](const std::string& name, const std::string& value) {
    const auto at = right.find(name + ": ");
    BOOST_REQUIRE(at != std::string::npos);
    return right.substr(0, at) + name + ": " + value + right.substr(right.find('\n', at));
  };
  TempDir dir;
  dir.write("right/answers.yaml", right);
  std::string tiny = replaced("query132", "[4.44e-9, 4.6e-9, 4.0e-11]");
  dir.write("tiny/answers.yaml", tiny.replace(tiny.find("m_key2_b: "), 0, "m_key2_b: [[1, 2, 3]]\n#"));
  const auto ok = grade_submission(attention, dir.path() / "right");
  BOOST_REQUIRE_EQUAL(ok.exercises.size(), 6u);
  BOOST_TEST(ok.exercises[5].passed(), ok.exercises[5].message());
  const auto r = grade_submission(attention, dir.path() / "tiny");
  BOOST_TEST(!r.exercises[3].passed());  // 1.3.2, the query132 itself
  // Nor is the mistake of a right m_key2_a told where no key could meet 1.4.1 with that query132
  // (found by a student helper: "your new key[2] changes nothing" of the very key it asks for).
  BOOST_TEST(r.exercises[4].message() ==
                 "with your query132, this exercise's output is the same whatever your m_key2_a holds, and it is not "
                 "the target: fix query132 first",
             r.exercises[4].message());
  BOOST_TEST(!r.exercises[5].passed());
  BOOST_TEST(r.exercises[5].message() ==
                 "with your query132, this exercise's output is the same whatever your m_key2_b holds, so matching "
                 "its target earns nothing: fix query132 first",
             r.exercises[5].message());
}

BOOST_AUTO_TEST_SUITE_END()
