#pragma once
/// Report formats made from the one result model (docs/results-format.md).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grader/result.hpp"

namespace grader::report {

/// Version of the native JSON result (docs/results-format.md); bumped on incompatible change.
constexpr int kJsonFormatVersion = 1;

/// The native JSON result, pretty-printed.
std::string to_json(const AssignmentResult& result);

/// The result in a native JSON result (what to_json() wrote), to resume or merge a class;
/// throws grader::Error saying what is missing or malformed.
AssignmentResult from_json(const std::string& text);

/// A table then the details of each failure; ANSI colours only when `color`.
std::string to_text(const AssignmentResult& result, bool color);

/// Gradescope's results.json (its autograder specification): score, execution_time, output,
/// visibility, stdout_visibility and one test per exercise (hidden exercises: after_due_date).
std::string to_gradescope(const AssignmentResult& result);

/// PrairieLearn's external-grading results.json: gradable, score in [0, 1], message, tests.
std::string to_prairielearn(const AssignmentResult& result);

/// PrairieLearn's results.json for a submission that could not be graded through no fault of
/// the student (a broken spec): gradable false; the reason is for the job's log, not the message.
std::string to_prairielearn_ungradable();

/// JUnit XML: one testsuite for the assignment, one testcase per check of each exercise;
/// `failure` for wrong answers, `error` for crashes, time-outs, missing answers and the like.
std::string to_junit(const AssignmentResult& result);

/// A Markdown summary, for $GITHUB_STEP_SUMMARY or a merge-request comment.
std::string to_markdown(const AssignmentResult& result);

/// The gradebook's header and one row for this submission, `student` naming it.
std::string to_csv(const AssignmentResult& result, const std::string& student);

/// GitHub Actions workflow commands (`::error title=...::message`) for the first `limit`
/// failing exercises, to annotate a workflow run.
std::string github_annotations(const AssignmentResult& result, std::size_t limit = 10);

/// The formats a command can write, by name.
enum class Format { text, json, gradescope, prairielearn, junit, markdown, csv };

/// Every format, in declaration order, and their names ("text", "json", ...).
const std::vector<Format>& all_formats();
const std::vector<std::string>& format_names();
std::optional<Format> parse_format(std::string_view name);
std::string_view name(Format f);

/// The file a batch run writes a submission's report to in this format, e.g. "junit.xml".
std::string_view file_name(Format f);

/// The report in `format` (text without colour).
std::string render(Format format, const AssignmentResult& result, const std::string& student);

/// RFC 4180 quoting, for the gradebook too.
std::string csv_field(const std::string& value);

/// A score printed without trailing zeros ("2", "0.5").
std::string points(double value);

}  // namespace grader::report
