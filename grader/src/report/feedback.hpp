#pragma once
/// What every report format shares: the feedback text of an exercise, check by check, and
/// JSON text that cannot fail.

#include <nlohmann/json.hpp>
#include <string>

#include "grader/result.hpp"

namespace grader::report {

/// A copy of `result` with make_safe() applied: every format starts from one, so that it is
/// inert even for a result that was not made by grade_submission().
AssignmentResult safe_copy(const AssignmentResult& result);

/// "passed (1 / 1 points)": a check's verdict and points.
std::string verdict_and_points(const CheckResult& c);

/// What the student reads about one exercise, as plain text. An exercise of one check: its
/// message, then its details (its details alone with `message_apart`: a format that shows the
/// exercise's message beside this text). Otherwise every check on a line, "wrong (0 / 1
/// points): <name>", each failing one followed by its message and details, indented.
std::string exercise_feedback(const ExerciseResult& e, bool message_apart = false);

/// The heading every format gives what the student's code printed (AssignmentResult::printed),
/// which each shows apart from the grading, after it.
/// The text report's last line, before the confinement a submission's code ran under.
inline constexpr const char* kSandboxLabel = "your code ran confined: ";
inline constexpr const char* kPrintedHeading = "What your code printed (standard output and error; never graded)";

/// Text made safe for XML 1.0 (and HTML) attribute values, or with `attribute` false, element
/// content, which keeps its newlines and tabs: markup escaped, characters XML cannot carry
/// (control characters, U+FFFE and U+FFFF) replaced. `text` is valid UTF-8 (safe_copy()).
std::string xml(const std::string& text, bool attribute = true);

/// Pretty-printed JSON, ending in a newline; bytes that are not UTF-8 (never expected: the
/// model's texts are made safe) become U+FFFD instead of an exception.
std::string json_text(const nlohmann::ordered_json& doc);

}  // namespace grader::report
