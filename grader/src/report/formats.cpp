#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string_view>

#include "grader/report/report.hpp"

namespace grader::report {

namespace {

struct FormatInfo {
  Format format;
  std::string_view name;
  std::string_view file;
};

constexpr std::array<FormatInfo, 7> kFormats{{
    {Format::text, "text", "feedback.txt"},
    {Format::json, "json", "result.json"},
    {Format::gradescope, "gradescope", "gradescope.json"},
    {Format::prairielearn, "prairielearn", "prairielearn.json"},
    {Format::junit, "junit", "junit.xml"},
    {Format::markdown, "markdown", "summary.md"},
    {Format::csv, "csv", "result.csv"},
}};

const FormatInfo& info(Format f) {
  for (const auto& i : kFormats)
    if (i.format == f) return i;
  return kFormats[0];
}

}  // namespace

const std::vector<Format>& all_formats() {
  static const std::vector<Format> formats = [] {
    std::vector<Format> out;
    for (const auto& i : kFormats) out.push_back(i.format);
    return out;
  }();
  return formats;
}

const std::vector<std::string>& format_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& i : kFormats) out.emplace_back(i.name);
    return out;
  }();
  return names;
}

std::optional<Format> parse_format(std::string_view name) {
  for (const auto& i : kFormats)
    if (i.name == name) return i.format;
  return std::nullopt;
}

std::string_view name(Format f) { return info(f).name; }

std::string_view file_name(Format f) { return info(f).file; }

std::string render(Format format, const AssignmentResult& result, const std::string& student) {
  switch (format) {
    case Format::text:
      return to_text(result, false);
    case Format::json:
      return to_json(result);
    case Format::gradescope:
      return to_gradescope(result);
    case Format::prairielearn:
      return to_prairielearn(result);
    case Format::junit:
      return to_junit(result);
    case Format::markdown:
      return to_markdown(result);
    case Format::csv:
      return to_csv(result, student);
  }
  return to_json(result);
}

std::string points(double value) { return fmt::format("{:g}", value); }

namespace {

/// True if a spreadsheet reads `text` as a number ("-2", "+0.5", "1e3").
bool is_number(const std::string& text) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return false;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  return errno == 0 && end == text.c_str() + text.size() && std::isfinite(v) &&
         text.find_first_of("xXnN") == std::string::npos;  // no hex floats, inf or nan
}

}  // namespace

std::string csv_field(const std::string& value) {
  // A cell starting with = + - @ tab or CR, after spaces (which some spreadsheets skip), is a
  // formula to a spreadsheet: a quote in front keeps it text (OWASP's advice), unless it is a
  // plain number.
  std::string text = value;
  const std::size_t first = text.find_first_not_of(' ');
  if (first != std::string::npos && std::string_view("=+-@\t\r").find(text[first]) != std::string_view::npos &&
      !is_number(text))
    text = "'" + text;
  // Quoted as well: a separator of a spreadsheet set to another locale (';', a tab), after which
  // a cell of its own would start with "=".
  if (text.find_first_of(",;\t\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string to_csv(const AssignmentResult& r, const std::string& student) {
  std::string header = "student", row = csv_field(student);
  for (const auto& e : r.exercises) {
    header += "," + csv_field(e.id);
    row += "," + points(e.score());
  }
  return header + ",total,max\n" + row + "," + points(r.score()) + "," + points(r.max_score()) + "\n";
}

}  // namespace grader::report
