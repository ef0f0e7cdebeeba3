// The results files of grading platforms: Gradescope's autograder specification and
// PrairieLearn's external grading.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "feedback.hpp"
#include "grader/report/report.hpp"

namespace grader::report {

namespace {

using json = nlohmann::ordered_json;

/// The notes about the whole submission, one paragraph each. With `hidden_apart` (Gradescope,
/// where a hidden exercise is shown after the due date), counts and points are of the visible
/// exercises only, so that they do not tell a hidden exercise's verdict before then.
std::string overall(const AssignmentResult& r, bool hidden_apart = false) {
  std::size_t counted = 0, passed = 0, apart = 0;
  double score = 0, max_score = 0, apart_points = 0;
  for (const auto& e : r.exercises) {
    if (hidden_apart && e.visibility == Visibility::hidden) {
      ++apart;
      apart_points += e.max_score;
      continue;
    }
    ++counted;
    passed += e.passed();
    score += e.score();
    max_score += e.max_score;
  }
  std::string out = fmt::format("{}: {} of {} exercises passed, {} / {} points.", r.title, passed, counted,
                                points(score), points(max_score));
  if (apart > 0)
    out += fmt::format(" {} more exercise{} ({} point{}) shown after the due date.", apart, apart == 1 ? "" : "s",
                       points(apart_points), apart_points == 1 ? "" : "s");
  for (const auto& note : r.notes) out += "\n\nNote: " + note;
  return out;
}

/// What the student's code printed, under its heading; empty when it printed nothing.
std::string printed(const AssignmentResult& r) {
  return r.printed.empty() ? "" : std::string(kPrintedHeading) + ":\n" + r.printed;
}

}  // namespace

std::string to_gradescope(const AssignmentResult& result) {
  const AssignmentResult r = safe_copy(result);
  json tests = json::array();
  for (const auto& e : r.exercises) {
    json checks = json::array();
    for (const auto& c : e.checks)
      checks.push_back(
          {{"name", c.name}, {"verdict", to_string(c.verdict)}, {"score", c.score}, {"max_score", c.max_score}});
    tests.push_back({{"name", e.title},  // Gradescope shows the number before it
                     {"number", e.id},
                     {"score", e.score()},
                     {"max_score", e.max_score},
                     {"status", e.passed() ? "passed" : "failed"},
                     {"output", exercise_feedback(e)},
                     {"visibility", e.visibility == Visibility::hidden ? "after_due_date" : "visible"},
                     {"extra_data",
                      {{"verdict", to_string(e.verdict())},
                       {"mistake", e.mistake() ? json(*e.mistake()) : json(nullptr)},
                       {"checks", std::move(checks)}}}});
  }
  const json doc = {{"score", r.score()},
                    {"execution_time", r.seconds},
                    {"output", r.printed.empty() ? overall(r, true) : overall(r, true) + "\n\n" + printed(r)},
                    {"output_format", "text"},
                    {"test_output_format", "text"},
                    {"visibility", "visible"},
                    {"stdout_visibility", "hidden"},
                    {"tests", std::move(tests)}};
  return json_text(doc);
}

std::string to_prairielearn(const AssignmentResult& result) {
  const AssignmentResult r = safe_copy(result);
  json tests = json::array();
  for (const auto& e : r.exercises)
    tests.push_back({{"name", e.id + " " + e.title},
                     {"points", e.score()},
                     {"max_points", e.max_score},
                     {"message", e.message()},  // shown above the output: not in it again
                     {"output", exercise_feedback(e, true)}});
  const double score = r.max_score() > 0 ? std::clamp(r.score() / r.max_score(), 0.0, 1.0) : 1.0;
  json doc = {{"gradable", true}, {"score", score}, {"message", overall(r)}};
  if (!r.printed.empty()) doc["output"] = printed(r);
  doc["tests"] = std::move(tests);
  return json_text(doc);
}

std::string to_prairielearn_ungradable() {
  // The reason goes to the grading job's log (stderr), for staff: it names the server's paths
  // and may quote the spec, which students see nothing of (found by a TA helper).
  const json doc = {{"gradable", false},
                    {"score", 0.0},
                    {"message",
                     "This submission could not be graded because the autograder is misconfigured. This is not your "
                     "fault: please tell your instructor (the reason is in the grading job's log)."}};
  return json_text(doc);
}

}  // namespace grader::report
