#include "feedback.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string_view>
#include <vector>

#include "../text.hpp"
#include "grader/report/report.hpp"

namespace grader::report {

AssignmentResult safe_copy(const AssignmentResult& result) {
  AssignmentResult copy = result;
  make_safe(copy);
  return copy;
}

std::string verdict_and_points(const CheckResult& c) {
  return fmt::format("{} ({} / {} points)", to_string(c.verdict), points(c.score), points(c.max_score));
}

namespace {

/// A check's message without the random case it is about ("random case 3 of 20 (n=2): ").
std::string_view without_case(std::string_view message) {
  if (!message.starts_with("random case ")) return message;
  const std::size_t end = message.find("): ");
  return end == std::string_view::npos ? message : message.substr(end + 3);
}

/// The lines of a text, without their newlines.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

}  // namespace

std::string exercise_feedback(const ExerciseResult& e, bool message_apart) {
  if (e.checks.size() == 1) {
    const std::string message = message_apart ? "" : e.message(), details = e.details();
    return message + (message.empty() || details.empty() ? "" : "\n") + details;
  }
  std::string out;
  const CheckResult* shown = nullptr;       // the failing check before, whose message is above
  std::vector<const CheckResult*> in_full;  // the failing checks shown with their details
  std::vector<const CheckResult*> drawn;    // of those, the ones of random cases (a seed line)
  std::set<std::string> noted;              // their details' "note: " lines
  for (const auto& c : e.checks) {
    out += verdict_and_points(c) + ": " + c.name + "\n";
    if (c.passed()) continue;
    // A library that does not compile fails every check alike: said once.
    if (shown && shown->message == c.message && shown->details == c.details) {
      out += "  the same as above\n";
      continue;
    }
    shown = &c;
    // Random cases naming a known mistake a check above named in full (a mask ignored fails
    // every check of its exercise): the message, and of the details how to replay the cases
    // (found by a student helper: one mistake made 168 lines of report). A fixed case, which
    // a student can run, is shown whole; the JSON result keeps every check's details.
    std::string seed;
    for (const std::string_view line : lines_of(c.details))
      if (line.starts_with("seed ")) seed += "  " + std::string(line) + "\n";
    if (c.mistake && !seed.empty() &&
        std::any_of(in_full.begin(), in_full.end(), [&](const CheckResult* f) { return f->mistake == c.mistake; })) {
      out += indented(c.message, "  ") + "  (the same known mistake as above)\n" + seed;
      continue;
    }
    // So do the same error, hang or crash in random cases, after a random case shown in full
    // with its inputs (found by a student helper: one exception, with its case's inputs, three
    // times over).
    // A message word for word the one above is not said twice (found by a student helper: a
    // wrong shape's message, then "(the same as above)"); one of another case says so (found by
    // an instructor helper: "(the same as above)" under a line naming another case).
    const auto same = std::find_if(drawn.begin(), drawn.end(), [&](const CheckResult* f) {
      return f->verdict == c.verdict && without_case(f->message) == without_case(c.message);
    });
    if (!c.mistake && !seed.empty() && same != drawn.end()) {
      out += ((*same)->message == c.message
                  ? "  the same as above\n"
                  : indented(c.message, "  ") + "  (the same failure as above, in another case)\n") +
             seed;
      continue;
    }
    // A note on the function a check above showed (a power that cannot be meant, the definition
    // called) is said once (found by a student helper: the same `** 1/2` note in each check).
    std::string details;
    for (const std::string_view line : lines_of(c.details))
      if (!line.starts_with("note: ") || noted.emplace(line).second) details += std::string(line) + "\n";
    out += indented(c.message, "  ") + indented(details, "  ");
    in_full.push_back(&c);
    if (!seed.empty()) drawn.push_back(&c);
  }
  return out;
}

std::string xml(const std::string& text, bool attribute) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    const auto c = static_cast<unsigned char>(ch);
    if (text.compare(i, 3, "\xef\xbf\xbe") == 0 || text.compare(i, 3, "\xef\xbf\xbf") == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD
      i += 2;
      continue;
    }
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      default:
        out += (c < 0x20 || c == 0x7f) ? '?' : ch;
    }
  }
  return out;
}

std::string json_text(const nlohmann::ordered_json& doc) {
  return doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace grader::report
