#include "grader/result.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <memory>

#include "digest.hpp"
#include "text.hpp"

namespace grader {

namespace {

constexpr std::array kVerdicts = {
    Verdict::passed,        Verdict::wrong,         Verdict::wrong_shape, Verdict::non_finite,     Verdict::missing,
    Verdict::unreadable,    Verdict::compile_error, Verdict::load_error,  Verdict::crashed,        Verdict::timed_out,
    Verdict::out_of_memory, Verdict::threw,         Verdict::forbidden,   Verdict::solution_error, Verdict::skipped,
};

}  // namespace

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::passed:
      return "passed";
    case Verdict::wrong:
      return "wrong";
    case Verdict::wrong_shape:
      return "wrong_shape";
    case Verdict::non_finite:
      return "non_finite";
    case Verdict::missing:
      return "missing";
    case Verdict::unreadable:
      return "unreadable";
    case Verdict::compile_error:
      return "compile_error";
    case Verdict::load_error:
      return "load_error";
    case Verdict::crashed:
      return "crashed";
    case Verdict::timed_out:
      return "timed_out";
    case Verdict::out_of_memory:
      return "out_of_memory";
    case Verdict::threw:
      return "threw";
    case Verdict::forbidden:
      return "forbidden";
    case Verdict::solution_error:
      return "solution_error";
    case Verdict::skipped:
      return "skipped";
  }
  return "unknown";
}

std::optional<Verdict> parse_verdict(std::string_view name) {
  for (const Verdict v : kVerdicts)
    if (to_string(v) == name) return v;
  return std::nullopt;
}

const CheckResult* ExerciseResult::shown_failure() const {
  const CheckResult* first = nullptr;
  for (const auto& c : checks)
    if (!c.passed() && counts(c)) {
      if (!first) first = &c;
      // Outputs judged wrong: a later check that names the known mistake they follow is the
      // diagnosis (found by trying an inverted mask: the notebook's example, NaN where every key
      // was masked, came first, and "the mask is inverted" only in the details below it).
      const bool judged = first->verdict == Verdict::wrong || first->verdict == Verdict::non_finite ||
                          first->verdict == Verdict::wrong_shape;
      if (!judged || first->mistake) return first;
      if (c.mistake && (c.verdict == Verdict::wrong || c.verdict == Verdict::wrong_shape)) return &c;
    }
  return first;
}

bool ExerciseResult::any_check_failed() const {
  return std::any_of(checks.begin(), checks.end(), [](const CheckResult& c) { return !c.passed(); });
}

Verdict ExerciseResult::verdict() const {
  const CheckResult* failed = shown_failure();
  return failed ? failed->verdict : Verdict::passed;
}

double ExerciseResult::score() const {
  double sum = 0;
  for (const auto& c : checks) sum += c.score;
  return points_total(sum);
}

std::string ExerciseResult::message() const {
  const CheckResult* failed = shown_failure();
  if (!failed) {
    for (const auto& c : checks)
      if (!c.passed()) return "for information (no points), " + std::string(to_string(c.verdict)) + ": " + c.name;
    return "";
  }
  const bool shared = std::all_of(checks.begin(), checks.end(), [&](const CheckResult& c) {
    return c.verdict == failed->verdict && c.message == failed->message;
  });
  return shared ? failed->message : failed->name + ": " + failed->message;
}

std::string ExerciseResult::details() const {
  const CheckResult* failed = shown_failure();
  return failed ? failed->details : "";
}

std::optional<std::string> ExerciseResult::mistake() const {
  for (const auto& c : checks)
    if (!c.passed() && counts(c) && c.mistake) return c.mistake;
  return std::nullopt;
}

double ExerciseResult::seconds() const {
  double sum = 0;
  for (const auto& c : checks) sum += c.seconds;
  return sum;
}

bool AssignmentResult::all_passed() const {
  return std::all_of(exercises.begin(), exercises.end(),
                     [&](const ExerciseResult& e) { return e.passed() || !counts(e); });
}

double AssignmentResult::score() const {
  double sum = 0;
  for (const auto& e : exercises) sum += e.score();
  return points_total(sum);
}

double AssignmentResult::max_score() const {
  double sum = 0;
  for (const auto& e : exercises) sum += e.max_score;
  return points_total(sum);
}

void make_safe(AssignmentResult& r) {
  const auto safe = [](std::string& text) { text = inert(text, kMaxResultText); };
  for (std::string* text : {&r.assignment, &r.title, &r.version, &r.submission, &r.sandbox, &r.printed}) safe(*text);
  for (auto& note : r.notes) safe(note);
  for (auto& e : r.exercises) {
    safe(e.id);
    safe(e.title);
    for (auto& c : e.checks) {
      for (std::string* text : {&c.name, &c.message, &c.details}) safe(*text);
      if (c.mistake) safe(*c.mistake);
    }
  }
}

std::string student_id(const std::filesystem::path& folder) {
  std::filesystem::path path = std::filesystem::absolute(folder).lexically_normal();
  if (!path.has_filename()) path = path.parent_path();  // "alice/" names alice
  const std::string name = path.filename().string();
  std::string id = ci_inert(one_line(name, 4 * name.size() + 8));  // whole: each byte escapes to at most 4
  // In Unicode NFC, as rosters typed on Linux or Windows are: a folder from a macOS zip spells
  // é as e and a combining accent (NFD), which looks the same and matches nothing. The escaped
  // name is valid UTF-8, as utf8proc requires.
  const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> nfc(
      utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(id.c_str())), &std::free);
  if (nfc) id = reinterpret_cast<const char*>(nfc.get());
  // Escaping can make a 255-byte folder name (the longest Linux allows) too long to be a file
  // name itself: the id is then cut, on a character boundary, and ends with a digest of the
  // whole name, so that names alike in their first 180 bytes stay apart.
  constexpr std::size_t kMaxId = 200, kKept = kMaxId - 17;
  if (id.size() > kMaxId) {
    std::size_t end = kKept;
    while (end > 0 && (static_cast<unsigned char>(id[end]) & 0xc0) == 0x80) --end;
    id = id.substr(0, end) + "~" + Digest().add(name).hex().substr(0, 16);
  }
  return id;
}

}  // namespace grader
