#include <fmt/format.h>

#include <algorithm>

#include "../text.hpp"
#include "feedback.hpp"
#include "grader/report/report.hpp"

namespace grader::report {

namespace {

std::string paint(const std::string& text, const char* code, bool color) {
  return color ? fmt::format("\033[{}m{}\033[0m", code, text) : text;
}

}  // namespace

std::string to_text(const AssignmentResult& result, bool color) {
  const AssignmentResult r = safe_copy(result);
  std::string out = fmt::format("{} ({} {})\nsubmission: {}\n", r.title, r.assignment, r.version, r.submission);
  out += "\n";
  std::size_t id_width = 8;
  for (const auto& e : r.exercises) id_width = std::max(id_width, e.id.size());
  out += fmt::format("  {:<{}}  {:>9}  {:<14}  {}\n", "exercise", id_width, "points", "verdict", "message");
  for (const auto& e : r.exercises) {
    const std::string verdict = fmt::format("{:<14}", to_string(e.verdict()));
    out += fmt::format("  {:<{}}  {:>9}  {}  {}\n", e.id, id_width, points(e.score()) + " / " + points(e.max_score),
                       paint(verdict, e.passed() ? "32" : "31", color), first_line(e.message(), 80));
  }
  const std::size_t passed = static_cast<std::size_t>(
      std::count_if(r.exercises.begin(), r.exercises.end(), [](auto& e) { return e.passed(); }));
  std::vector<std::string> information;  // failing, and worth no points of an assignment worth some
  for (const auto& e : r.exercises)
    if (!e.passed() && !r.counts(e)) information.push_back(e.id);
  out += fmt::format("\nscore: {} / {}  ({} of {} exercises passed{})\n", points(r.score()), points(r.max_score()),
                     passed, r.exercises.size(),
                     information.empty() ? ""
                                         : fmt::format("; {} {}, worth no points, for information only",
                                                       information.size() == 1 ? "exercise" : "exercises",
                                                       fmt::join(information, ", ")));

  // A note's further lines (a library's output, say) are indented under it.
  for (const auto& note : r.notes) {
    const std::string lines = indented(note, "  ");
    out += paint("note: ", "33", color) + (lines.empty() ? "\n" : lines.substr(2));
  }

  bool header = false;
  // Only checks for information failed: no "failures" over full marks (found by a helper).
  const bool failed = !r.all_passed();
  // Feedback the exercise before gave word for word is said once (found by a student helper:
  // two notebooks handed in gave every exercise the same paragraph).
  std::string before, before_id;
  for (const auto& e : r.exercises) {
    if (!e.any_check_failed()) continue;  // a passed exercise's check for information is shown too
    if (!header) {
      out += "\n" + paint(failed ? "failures" : "for information (no points)", "1", color) + "\n";
      header = true;
    }
    out += fmt::format("\n{} {}: {}\n", paint(e.id, "1", color), e.title, to_string(e.verdict()));
    std::string feedback = exercise_feedback(e);
    if (!feedback.empty() && feedback == before) {
      out += "  the same as " + before_id + "\n";
      continue;
    }
    out += indented(feedback, "  ");
    before = std::move(feedback);
    before_id = e.id;
  }
  if (!r.printed.empty()) out += "\n" + paint(kPrintedHeading, "1", color) + "\n\n" + indented(r.printed, "  ");
  // How the code was confined, last: what a student reads first is the score (found by a
  // student helper: the line of namespaces and limits opened every report).
  if (!r.sandbox.empty()) out += "\n" + std::string(kSandboxLabel) + r.sandbox + "\n";
  return out;
}

}  // namespace grader::report
