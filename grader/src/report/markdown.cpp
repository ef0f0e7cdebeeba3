// Markdown for a CI job summary, and GitHub Actions workflow commands.
#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "../text.hpp"
#include "feedback.hpp"
#include "grader/report/report.hpp"

namespace grader::report {

namespace {

/// Inline Markdown showing `text` as it is, on one line of at most `width` bytes: the
/// punctuation that can start markup is backslash-escaped, which CommonMark renders
/// literally, so that no link, image, emphasis, HTML tag, entity, table pipe, autolink,
/// mention or math can start.
std::string cell(const std::string& text, std::size_t width = 160) {
  constexpr std::string_view kMarkup = "\\`*_{}[]()<>#+-!|~&:@$^";
  std::string out;
  for (const char c : first_line(text, width)) {
    if (kMarkup.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

/// `text` in a fenced code block (shown literally), its fence longer than any run of
/// backticks inside.
std::string fenced(const std::string& text) {
  std::size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(std::max<std::size_t>(3, longest + 1), '`');
  return fence + "text\n" + text + (text.empty() || text.back() == '\n' ? "" : "\n") + fence + "\n";
}

/// Escapes the data of a workflow command (GitHub's toolkit: %, CR, LF), and for property
/// values also ':' and ','.
std::string command_escape(const std::string& text, bool property) {
  std::string out;
  for (char c : text) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else if (property && c == ':')
      out += "%3A";
    else if (property && c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string to_markdown(const AssignmentResult& result) {
  const AssignmentResult r = safe_copy(result);
  const auto passed = std::count_if(r.exercises.begin(), r.exercises.end(), [](auto& e) { return e.passed(); });
  std::string out = fmt::format("### {} {}: {} / {} points\n\n", r.all_passed() ? "✅" : "❌", cell(r.title),
                                points(r.score()), points(r.max_score()));
  out += fmt::format("{} of {} exercises passed.\n\n", passed, r.exercises.size());
  out += "| | exercise | points | verdict | message |\n|---|---|---|---|---|\n";
  for (const auto& e : r.exercises)
    out += fmt::format("| {} | {} {} | {} / {} | `{}` | {} |\n", e.passed() ? "✅" : "❌", cell(e.id), cell(e.title),
                       points(e.score()), points(e.max_score), to_string(e.verdict()), cell(e.message()));
  for (const auto& n : r.notes) {
    const auto newline = n.find('\n');
    out += "\n> **Note:** " + cell(n, 1000) + "\n";
    if (newline != std::string::npos) out += "\n" + fenced(n.substr(newline + 1));
  }
  for (const auto& e : r.exercises) {
    if (!e.any_check_failed()) continue;  // a passed exercise's check for information is shown too
    out += fmt::format("\n<details><summary>{} {}: {}</summary>\n\n", xml(first_line(e.id, 160)),
                       xml(first_line(e.title, 160)), to_string(e.verdict()));
    if (e.checks.size() > 1) {
      out += "| | check | points | verdict |\n|---|---|---|---|\n";
      for (const auto& c : e.checks)
        out += fmt::format("| {} | {} | {} / {} | `{}` |\n", c.passed() ? "✅" : "❌", cell(c.name), points(c.score),
                           points(c.max_score), to_string(c.verdict));
      out += "\n";
    }
    out += fenced(exercise_feedback(e)) + "\n</details>\n";
  }
  if (!r.printed.empty())
    out += fmt::format("\n<details><summary>{}</summary>\n\n", kPrintedHeading) + fenced(r.printed) + "\n</details>\n";
  return out;
}

std::string github_annotations(const AssignmentResult& result, std::size_t limit) {
  const AssignmentResult r = safe_copy(result);
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
    const std::string title = fmt::format("{} {} ({}, {} / {} points)", r.assignment, e.id, to_string(e.verdict()),
                                          points(e.score()), points(e.max_score));
    out += fmt::format("::{} title={}::{}\n", r.counts(e) ? "error" : "notice",  // worth no points: information
                       command_escape(title, true), command_escape(exercise_feedback(e), false));
  }
  return out;
}

}  // namespace grader::report
