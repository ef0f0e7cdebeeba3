#pragma once
/// The one result model every report is made from: assignment -> exercise -> check, each
/// with a verdict, a score, a message and timing (see docs/results-format.md). Checks are
/// recorded; what an exercise and an assignment say is derived from them, here only.

#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grader {

/// Whether feedback may show expected values.
enum class Visibility { visible, hidden };

/// What happened to one check, from the student's point of view.
enum class Verdict {
  passed,       ///< within tolerance
  wrong,        ///< outside tolerance
  wrong_shape,  ///< an answer or output of the wrong shape
  non_finite,   ///< NaN or Inf where the reference is finite
  missing,      ///< no answer handed in
  unreadable,   ///< an answer file that cannot be read
  // Compiled solution libraries:
  compile_error,   ///< the sources did not compile
  load_error,      ///< the library or a function could not be loaded
  crashed,         ///< the process died of a signal, or ended itself, during the call
  timed_out,       ///< the CPU or wall-clock limit ran out
  out_of_memory,   ///< the memory limit ran out
  threw,           ///< a C++ exception escaped the function
  forbidden,       ///< the sandbox stopped a system call
  solution_error,  ///< the function returned non-zero with a message
  skipped,         ///< not run: an earlier call of the same check ended abnormally
};

/// "passed", "wrong", "wrong_shape", ...
std::string_view to_string(Verdict v);

/// The verdict named `name` (as to_string() spells it), or nullopt.
std::optional<Verdict> parse_verdict(std::string_view name);

/// One comparison inside an exercise: the unit everything else is derived from.
struct CheckResult {
  std::string name;
  Verdict verdict = Verdict::passed;
  double score = 0;
  double max_score = 0;
  std::string message;                 ///< one line for the student
  std::string details;                 ///< several lines: mismatches, patterns, matrices
  std::optional<std::string> mistake;  ///< the known mistake this check's answer matches
  double seconds = 0;
  /// The rule the check applied ("|got - expected| <= 1e-05 + 1e-05 * |expected|"), the one
  /// for the student's precision; empty when nothing was compared.
  std::string tolerance;
  /// The largest Comparison::used of the comparisons the check made, passing cases included:
  /// for a check passed, how close it came to failing (`grader spec check` reports the
  /// reference solution's). Not written to result files.
  double tolerance_used = 0;

  bool passed() const { return verdict == Verdict::passed; }
};

/// Whether a part worth `points`, of a whole worth `whole_points`, fails the whole when it
/// fails: a part worth no points (information beyond the contract: an optional exercise, a check
/// beyond the notebook) reports without failing it, unless the whole is worth nothing (a
/// practice sheet, whose failures must still show). For a check of an exercise, and for an
/// exercise of an assignment.
constexpr bool counts_toward(double points, double whole_points) { return points > 0 || whole_points == 0; }

struct ExerciseResult {
  std::string id;
  std::string title;
  Visibility visibility = Visibility::visible;
  double max_score = 0;  ///< the exercise's points, from the spec
  std::vector<CheckResult> checks;

  /// Whether a failure of `c`, one of the checks, fails the exercise (counts_toward).
  bool counts(const CheckResult& c) const { return counts_toward(c.max_score, max_score); }
  /// The failing check that counts() which the exercise reports, or nullptr when every such
  /// check passed: the first, unless its outputs were judged wrong without naming a known
  /// mistake and a later one, whose outputs were judged wrong too, names one (the diagnosis).
  const CheckResult* shown_failure() const;
  /// The shown failure's verdict, or passed.
  Verdict verdict() const;
  bool passed() const { return shown_failure() == nullptr; }
  /// Whether any check failed, one that does not count included: what a report details.
  bool any_check_failed() const;
  /// The sum of the checks' scores (partial credit).
  double score() const;
  /// The shown failure's message, "<check>: <message>", without the check's name when
  /// every check failed the same way (a matrix exercise's one check, a library that does not
  /// compile); for a passed exercise, "for information (no points), <verdict>: <check>" of a
  /// failing check that does not count, if any; otherwise empty.
  std::string message() const;
  /// The shown failure's details.
  std::string details() const;
  /// The first known mistake a failing check that counts() names: none for a passed exercise
  /// (found by a TA helper: the class summary counted a mistake of a check for information only
  /// under an exercise that passed, where it lists the mistakes of failing answers).
  std::optional<std::string> mistake() const;
  /// The sum of the checks' times.
  double seconds() const;
};

struct AssignmentResult {
  std::string assignment;  ///< spec id
  std::string title;
  std::string version;
  std::string submission;  ///< the submission folder as given
  std::vector<ExerciseResult> exercises;
  std::vector<std::string> notes;  ///< about the submission as a whole (stray files, typos)
  /// What the student's notebook or library printed (standard output and error, cut at the
  /// capture limit): offered apart from the grading, in each report's detailed part, and never
  /// graded. Empty when it printed nothing.
  std::string printed;
  std::string sandbox;  ///< how the student's library was confined; empty if none was run
  double seconds = 0;   ///< the whole grading, reading the submission included

  /// Whether a failure of `e`, one of the exercises, fails the assignment (counts_toward): the
  /// exit status, JUnit's failures, the gradebook's `all_passed`.
  bool counts(const ExerciseResult& e) const { return counts_toward(e.max_score, max_score()); }
  /// Whether every exercise that counts() passed.
  bool all_passed() const;
  /// Sums over the exercises.
  double score() const;
  double max_score() const;
};

/// A sum of points as spec authors write them, decimals, rounded to 1e-9: 0.1 + 0.7 is 0.8 in
/// every output, not 0.7999999999999999 (found by a TA helper, in result.json and Gradescope's
/// results). Every sum of points a result holds is one, and the spec's total too.
inline double points_total(double sum) { return std::round(sum * 1e9) / 1e9; }

/// The longest a text of a result may be: longer ones are cut (student output, compiler
/// errors), so that no submission can make its result huge.
constexpr std::size_t kMaxResultText = 64 * 1024;

/// Makes every text of `result` safe for every report: valid UTF-8, control characters
/// escaped, nothing a CI log takes for a command, at most kMaxResultText bytes each (see
/// inert() in text.hpp). grade_submission() calls it on every result it returns, so that what
/// a student controls (file names, their data, their library's output) is safe where it
/// enters the model.
void make_safe(AssignmentResult& result);

/// The id of the student who handed in `folder`: the folder's name, made safe and kept on one
/// line (a newline or tab in it is escaped too), at most 200 bytes (a longer one is cut and ends
/// with a digest of the whole name). Ids name students in gradebooks, reports and OUT/students/.
std::string student_id(const std::filesystem::path& folder);

}  // namespace grader
