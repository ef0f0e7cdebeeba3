#include <nlohmann/json.hpp>

#include "grader/report/report.hpp"
#include "grader/version.hpp"

namespace grader::report {

std::string to_json(const AssignmentResult& r) {
  using json = nlohmann::ordered_json;
  json exercises = json::array();
  for (const auto& e : r.exercises) {
    json checks = json::array();
    for (const auto& c : e.checks)
      checks.push_back({{"name", c.name},
                        {"status", c.verdict == Verdict::passed ? "passed" : "failed"},
                        {"verdict", to_string(c.verdict)},
                        {"score", c.score},
                        {"max_score", c.max_score},
                        {"message", c.message},
                        {"details", c.details},
                        {"seconds", c.seconds}});
    exercises.push_back({{"id", e.id},
                         {"title", e.title},
                         {"visibility", e.visibility == Visibility::hidden ? "hidden" : "visible"},
                         {"status", e.passed() ? "passed" : "failed"},
                         {"verdict", to_string(e.verdict)},
                         {"score", e.score},
                         {"max_score", e.max_score},
                         {"message", e.message},
                         {"details", e.details},
                         {"mistake", e.mistake ? json(*e.mistake) : json(nullptr)},
                         {"checks", std::move(checks)},
                         {"seconds", e.seconds}});
  }
  const json doc = {{"format_version", kJsonFormatVersion},
                    {"grader_version", std::string(version())},
                    {"assignment", r.assignment},
                    {"title", r.title},
                    {"version", r.version},
                    {"submission", r.submission},
                    {"status", r.all_passed() ? "passed" : "failed"},
                    {"score", r.score},
                    {"max_score", r.max_score},
                    {"exercises", std::move(exercises)},
                    {"notes", r.notes},
                    {"sandbox", r.sandbox.empty() ? json(nullptr) : json(r.sandbox)},
                    {"seconds", r.seconds}};
  return doc.dump(2) + "\n";
}

}  // namespace grader::report
