// JUnit XML, as GitLab's test reports and GitHub's test-report actions read it.
#include <fmt/format.h>

#include "feedback.hpp"
#include "grader/report/report.hpp"

namespace grader::report {

namespace {

bool is_failure(Verdict v) { return v == Verdict::wrong || v == Verdict::wrong_shape || v == Verdict::non_finite; }

std::string seconds(double s) { return fmt::format("{:.6f}", s); }

}  // namespace

std::string to_junit(const AssignmentResult& result) {
  const AssignmentResult r = safe_copy(result);
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  std::string cases;
  for (const auto& e : r.exercises) {
    for (const auto& c : e.checks) {
      ++tests;
      cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{}\">\n", xml(r.assignment),
                           xml(e.id + " " + e.title + (e.checks.size() > 1 || c.name != "output" ? ": " + c.name : "")),
                           seconds(c.seconds));
      cases += fmt::format(
          "      <properties>\n        <property name=\"score\" value=\"{}\"/>\n"
          "        <property name=\"max_score\" value=\"{}\"/>\n      </properties>\n",
          points(c.score), points(c.max_score));
      const std::string summary = verdict_and_points(c);
      if (c.verdict == Verdict::passed || !e.counts(c) || !r.counts(e)) {  // information fails nothing
      } else if (c.verdict == Verdict::skipped) {
        ++skipped;
        cases += fmt::format("      <skipped message=\"{}\"/>\n", xml(c.message));
      } else {
        const char* tag = is_failure(c.verdict) ? "failure" : "error";
        ++(is_failure(c.verdict) ? failures : errors);
        cases += fmt::format("      <{} message=\"{}\" type=\"{}\">{}</{}>\n", tag, xml(summary + ": " + c.message),
                             to_string(c.verdict), xml(c.message + "\n" + c.details, false), tag);
      }
      cases += fmt::format("      <system-out>{}, {} / {} points</system-out>\n", to_string(c.verdict), points(c.score),
                           points(c.max_score));
      cases += "    </testcase>\n";
    }
  }
  std::string notes;
  for (const auto& n : r.notes) notes += "note: " + n + "\n";
  if (!r.printed.empty()) notes += std::string(notes.empty() ? "" : "\n") + kPrintedHeading + ":\n" + r.printed + "\n";
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">\n",
                     xml(r.title), tests, failures, errors, skipped, seconds(r.seconds));
  out +=
      fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">\n",
                  xml(r.assignment), tests, failures, errors, skipped, seconds(r.seconds));
  out += fmt::format(
      "    <properties>\n      <property name=\"score\" value=\"{}\"/>\n"
      "      <property name=\"max_score\" value=\"{}\"/>\n"
      "      <property name=\"submission\" value=\"{}\"/>\n    </properties>\n",
      points(r.score()), points(r.max_score()), xml(r.submission));
  out += cases;
  if (!notes.empty()) out += "    <system-out>" + xml(notes, false) + "</system-out>\n";
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace grader::report
