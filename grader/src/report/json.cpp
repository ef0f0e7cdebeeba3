#include <nlohmann/json.hpp>

#include "feedback.hpp"
#include "grader/error.hpp"
#include "grader/report/report.hpp"
#include "grader/version.hpp"

namespace grader::report {

namespace {

using json = nlohmann::ordered_json;

json optional_text(const std::optional<std::string>& text) { return text ? json(*text) : json(nullptr); }

}  // namespace

std::string to_json(const AssignmentResult& result) {
  const AssignmentResult r = safe_copy(result);
  json exercises = json::array();
  for (const auto& e : r.exercises) {
    json checks = json::array();
    for (const auto& c : e.checks)
      checks.push_back({{"name", c.name},
                        {"status", c.passed() ? "passed" : "failed"},
                        {"verdict", to_string(c.verdict)},
                        {"score", c.score},
                        {"max_score", c.max_score},
                        {"message", c.message},
                        {"details", c.details},
                        {"mistake", optional_text(c.mistake)},
                        {"tolerance", c.tolerance},
                        {"seconds", c.seconds}});
    exercises.push_back({{"id", e.id},
                         {"title", e.title},
                         {"visibility", e.visibility == Visibility::hidden ? "hidden" : "visible"},
                         {"status", e.passed() ? "passed" : "failed"},
                         {"verdict", to_string(e.verdict())},
                         {"score", e.score()},
                         {"max_score", e.max_score},
                         {"message", e.message()},
                         {"details", e.details()},
                         {"mistake", optional_text(e.mistake())},
                         {"checks", std::move(checks)},
                         {"seconds", e.seconds()}});
  }
  const json doc = {{"format_version", kJsonFormatVersion},
                    {"grader_version", std::string(version())},
                    {"assignment", r.assignment},
                    {"title", r.title},
                    {"version", r.version},
                    {"submission", r.submission},
                    {"status", r.all_passed() ? "passed" : "failed"},
                    {"score", r.score()},
                    {"max_score", r.max_score()},
                    {"exercises", std::move(exercises)},
                    {"notes", r.notes},
                    {"printed", r.printed},
                    {"sandbox", r.sandbox.empty() ? json(nullptr) : json(r.sandbox)},
                    {"seconds", r.seconds}};
  return json_text(doc);
}

AssignmentResult from_json(const std::string& text) {
  try {
    const json doc = json::parse(text);
    if (doc.at("format_version") != kJsonFormatVersion)
      throw Error("format_version " + doc.at("format_version").dump() + " is not " +
                  std::to_string(kJsonFormatVersion));
    AssignmentResult r;
    r.assignment = doc.at("assignment");
    r.title = doc.at("title");
    r.version = doc.at("version");
    r.submission = doc.at("submission");
    r.notes = doc.at("notes").get<std::vector<std::string>>();
    r.printed = doc.value("printed", std::string());  // absent from results of grader 0.1.0
    r.sandbox = doc.at("sandbox").is_null() ? "" : doc.at("sandbox").get<std::string>();
    r.seconds = doc.at("seconds");
    for (const auto& e : doc.at("exercises")) {
      ExerciseResult ex{e.at("id"),
                        e.at("title"),
                        e.at("visibility") == "hidden" ? Visibility::hidden : Visibility::visible,
                        e.at("max_score"),
                        {}};
      for (const auto& c : e.at("checks")) {
        const auto verdict = parse_verdict(c.at("verdict").get<std::string>());
        if (!verdict) throw Error("unknown verdict " + c.at("verdict").dump());
        const bool has_mistake = c.contains("mistake") && !c.at("mistake").is_null();
        ex.checks.push_back({c.at("name"), *verdict, c.at("score"), c.at("max_score"), c.at("message"), c.at("details"),
                             has_mistake ? std::optional<std::string>(c.at("mistake")) : std::nullopt,
                             c.value("seconds", 0.0), c.value("tolerance", std::string())});
      }
      r.exercises.push_back(std::move(ex));
    }
    return r;
  } catch (const Error& e) {
    throw Error(std::string("not a result of this grader: ") + e.what());
  } catch (const std::exception& e) {  // nlohmann's parse, type and key errors
    throw Error(std::string("not a result of this grader: ") + e.what());
  }
}

}  // namespace grader::report
