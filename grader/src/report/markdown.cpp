// Markdown for a CI job summary, and GitHub Actions workflow commands.
#include <fmt/format.h>

#include <algorithm>

#include "grader/report/report.hpp"

namespace grader::report {

namespace {

/// One line of a Markdown table cell: no newlines, pipes escaped, markup characters kept
/// from forming HTML.
std::string cell(const std::string& text, std::size_t width = 160) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > width) line = line.substr(0, width - 3) + "...";
  std::string out;
  for (char c : line) {
    if (c == '|') out += "\\|";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

/// A fence longer than any run of backticks inside `text`.
std::string fence_for(const std::string& text) {
  std::size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<std::size_t>(3, longest + 1), '`');
}

/// Escapes the data of a workflow command (GitHub's toolkit: %, CR, LF), and for property
/// values also ':' and ','.
std::string command_escape(const std::string& text, bool property) {
  std::string out;
  for (char c : text) {
    if (c == '%') out += "%25";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else if (property && c == ':') out += "%3A";
    else if (property && c == ',') out += "%2C";
    else out += c;
  }
  return out;
}

}  // namespace

std::string to_markdown(const AssignmentResult& r) {
  const auto passed = std::count_if(r.exercises.begin(), r.exercises.end(), [](auto& e) { return e.passed(); });
  std::string out = fmt::format("### {} {}: {} / {} points\n\n", r.all_passed() ? "✅" : "❌", cell(r.title),
                                points(r.score), points(r.max_score));
  out += fmt::format("{} of {} exercises passed.\n\n", passed, r.exercises.size());
  out += "| | exercise | points | verdict | message |\n|---|---|---|---|---|\n";
  for (const auto& e : r.exercises)
    out += fmt::format("| {} | {} {} | {} / {} | `{}` | {} |\n", e.passed() ? "✅" : "❌", cell(e.id),
                       cell(e.title), points(e.score), points(e.max_score), to_string(e.verdict), cell(e.message));
  for (const auto& n : r.notes) out += "\n> **Note:** " + cell(n, 1000) + "\n";
  for (const auto& e : r.exercises) {
    if (e.passed()) continue;
    const std::string body = e.message + (e.details.empty() ? "" : "\n\n" + e.details);
    const std::string fence = fence_for(body);
    out += fmt::format("\n<details><summary>{} {}: {}</summary>\n\n{}text\n{}\n{}\n\n</details>\n", cell(e.id),
                       cell(e.title), to_string(e.verdict), fence, body, fence);
  }
  return out;
}

std::string github_annotations(const AssignmentResult& r, std::size_t limit) {
  std::string out;
  std::size_t shown = 0;
  for (const auto& e : r.exercises) {
    if (e.passed()) continue;
    if (shown++ == limit) {
      out += fmt::format("::notice title={}::{} more exercises failed; see the report\n",
                         command_escape(r.assignment, true),
                         std::count_if(r.exercises.begin(), r.exercises.end(), [](auto& x) { return !x.passed(); }) -
                             static_cast<long>(limit));
      break;
    }
    const std::string title = fmt::format("{} {} ({}, {} / {} points)", r.assignment, e.id, to_string(e.verdict),
                                          points(e.score), points(e.max_score));
    out += fmt::format("::error title={}::{}\n", command_escape(title, true),
                       command_escape(e.message + (e.details.empty() ? "" : "\n" + e.details), false));
  }
  return out;
}

}  // namespace grader::report
