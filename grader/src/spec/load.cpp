// Reading a spec: the file, field bookkeeping, error placement, scalars, metadata (loader.hpp).
#include "loader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <tuple>

#include "../text.hpp"
#include "../yaml_access.hpp"
#include "grader/bounded_file.hpp"

namespace grader::spec_loading {

bool is_identifier(const std::string& s) {
  if (s.empty() || s.size() > kMaxName || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

bool is_folder_name(const std::string& s) {
  if (s.empty() || s.size() > kMaxName || !std::isalnum(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

std::string node_kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "'" + n.Scalar() + "'";
    default:
      return "nothing";
  }
}

std::string fmt_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.15g", v);
  return buf;
}

Spec Loader::load() {
  std::string text;
  try {
    text = read_bounded(path_);
  } catch (const ReadError& e) {
    throw SpecError(Location{path_.string()}, e.what());
  }
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) lines_.push_back(line);

  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    // The usual causes: a plain text (a message, a title) holding ": ", which YAML reads as a
    // key; or a key indented more than the one above it (found by a TA helper, told of quotes).
    std::string hint;
    if (e.msg == YAML::ErrorMsg::MAP_VALUE) {
      const auto line = static_cast<std::size_t>(std::max(e.mark.line, 0));
      const std::string here = line < lines_.size() ? lines_[line] : "";
      const auto first = here.find(": ");
      std::size_t above = std::min(line, lines_.size());
      while (above > 0 && lines_[above - 1].find_first_not_of(' ') == std::string::npos) --above;
      const auto indent = [](const std::string& l) { return l.find_first_not_of(' '); };
      if (first != std::string::npos && here.find(": ", first + 2) != std::string::npos)
        hint = "; a text holding ': ' must be quoted: message: \"no mask: ...\"";
      else if (above > 0 && indent(here) != std::string::npos && indent(here) > indent(lines_[above - 1]))
        hint = fmt::format(
            "; line {} is indented more than line {} above it: the keys of one mapping start in one "
            "column",
            line + 1, above);
      else
        hint =
            "; a text holding ': ' must be quoted (message: \"no mask: ...\"), and the keys of one mapping start "
            "in one column";
    }
    // A tab where YAML wants spaces (found by an instructor helper: "illegal tab when looking
    // for indentation" said nothing of what to do).
    if (e.msg.find("tab") != std::string::npos)
      hint = "; YAML indents with spaces only: replace the tabs at the start of the line with spaces";
    throw SpecError(at(e.mark), "this is not valid YAML: " + e.msg + hint);
  }
  if (!root.IsMap())
    throw SpecError(Location{path_.string(), 1, 1}, "a spec is a mapping with keys assignment, data, exercises");

  Spec spec;
  spec.path = path_;
  try {
    Fields top(*this, root, "the spec");
    load_metadata(spec, top.require("assignment"));
    if (auto data = top.take("data")) load_data(spec, data);
    if (auto library = top.take("library")) load_library(spec, library);
    if (auto python = top.take("python")) load_python(spec, python);
    // Only `spec check` reads it: a spec copied without it still grades.
    if (auto solution = top.take("solution")) spec.solution = path_.parent_path() / string_of(solution, "solution");
    const YAML::Node exercises = top.require("exercises");
    top.finish();
    load_exercises(spec, exercises);
  } catch (const Abandon&) {
  }
  // In the order of the file's lines, as an editor shows it (found by an instructor helper:
  // exercises' mistakes, checked in a later pass, came before their exercises' own lines); on
  // one line as found (an unknown key before the key it misspells, which is then missing).
  std::stable_sort(diagnostics_.begin(), diagnostics_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.where.file, a.where.line) < std::tie(b.where.file, b.where.line);
  });
  if (!diagnostics_.empty()) throw SpecError(std::move(diagnostics_));
  for (auto& [place, number] : text_numbers_) spec.text_numbers.push_back(std::move(number));
  spdlog::debug("loaded {}: {} data tensors, {} exercises", path_.string(), spec.data.size(), spec.exercises.size());
  return spec;
}

Location Loader::at(const YAML::Mark& mark) const {
  if (mark.is_null()) return Location{path_.string()};
  return Location{path_.string(), mark.line + 1, mark.column + 1};
}

Location Loader::expression_at(const YAML::Node& node, std::size_t offset) const {
  Location where = at(node);
  const auto line = static_cast<std::size_t>(where.line - 1);
  if (where.line <= 0 || line >= lines_.size()) return where;
  const auto col = static_cast<std::size_t>(where.column - 1);
  const char first = col < lines_[line].size() ? lines_[line][col] : '\0';
  if (first == '|' || first == '>') return where;  // block scalar: its first line
  where.column += static_cast<int>(offset) + ((first == '"' || first == '\'') ? 1 : 0);
  return where;
}

void Loader::fail(const Location& where, const std::string& message) {
  diagnostics_.push_back({where, message});
  throw Abandon{};
}
void Loader::note(const Location& where, const std::string& message) { diagnostics_.push_back({where, message}); }

void Loader::fail_expression(const Location& where, const std::string& what, const expr::ExprError& err) {
  if (reads_failed_data(err)) throw Abandon{};  // said where it failed
  fail(where, what + ": " + err.what());
}

void Loader::claim_name(const YAML::Node& node, const std::string& name, const std::string& what) {
  if (const auto value = expr::constant(name))
    fail(at(node), what + " '" + name + "' is a constant every expression knows (" + name + " = " + fmt_number(*value) +
                       "); choose another name");
}

Loader::Fields::Fields(Loader& loader, const YAML::Node& node, std::string context)
    : loader_(loader), node_(node), context_(std::move(context)) {
  if (!node.IsMap()) loader.fail(loader.at(node), context_ + " must be a mapping, found " + node_kind(node));
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    if (std::find(seen_.begin(), seen_.end(), key) != seen_.end())
      loader.fail(loader.at(kv.first), "key '" + key + "' appears twice in " + context_);
    seen_.push_back(key);
  }
}

YAML::Node Loader::Fields::take(const std::string& key) {
  taken_.push_back(key);
  for (const auto& kv : node_)
    if (kv.first.Scalar() == key) return kv.second;
  return YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node Loader::Fields::require(const std::string& key) {
  YAML::Node value = take(key);
  if (value && !value.IsNull()) return value;
  // A key of this mapping spelt like it is the likely cause: said here, since the error ends
  // the mapping before finish() would call it unknown.
  std::vector<std::string> others;
  for (const auto& kv : node_)
    if (kv.first.Scalar() != key) others.push_back(kv.first.Scalar());
  if (const auto near = closest(key, others))
    for (const auto& kv : node_)
      if (kv.first.Scalar() == *near)
        loader_.fail(loader_.at(kv.first), context_ + " needs '" + key + "'; is '" + *near + "' it, misspelt?");
  loader_.fail(loader_.at(node_), context_ + " needs '" + key + "'");
}

std::string Loader::Fields::allowed() const {
  std::string out;
  for (const auto& k : taken_) out += (out.empty() ? "" : ", ") + k;
  return out;
}

namespace {

/// Where a key found in the wrong place belongs, for the keys an author puts there expecting
/// them to work (found by an instructor helper: a check's `visibility` and `seed`); "" else.
std::string belongs_elsewhere(const std::string& key) {
  if (key == "visibility")
    return "; visibility is a key of an exercise: a check hidden on its own is an exercise of its own that calls "
           "the same function";
  if (key == "seed")
    return "; random cases are seeded from each hand-in (docs/grading-a-class.md), and `grader check --seed N` "
           "replays them";
  return "";
}

}  // namespace

void Loader::Fields::finish() {
  for (const auto& kv : node_) {
    const std::string key = kv.first.Scalar();
    if (std::find(taken_.begin(), taken_.end(), key) == taken_.end())
      loader_.note(loader_.at(kv.first), "unknown key '" + key + "' in " + context_ + did_you_mean(key, taken_) +
                                             " (allowed: " + allowed() + ")" + belongs_elsewhere(key));
  }
}

bool Loader::boolean_of(const YAML::Node& node, const std::string& what) {
  const std::string text = node.IsScalar() ? node.Scalar() : "";
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  fail(at(node),
       what + " must be true or false, found " + (node.IsScalar() ? "'" + text.substr(0, 24) + "'" : node_kind(node)));
}

std::string Loader::string_of(const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) fail(at(node), what + " must be text, found " + node_kind(node));
  std::string s = node.Scalar();
  if (const auto bad = invalid_utf8_at(s); bad != std::string::npos) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(s[bad]));
    fail(at(node), what + " is not valid UTF-8 (byte " + byte + " at character " + std::to_string(bad + 1) +
                       "); save the spec as UTF-8");
  }
  if (s.size() > kMaxText)
    fail(at(node), what + " is " + std::to_string(s.size()) + " characters long; at most " + std::to_string(kMaxText) +
                       " are allowed");
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

void Loader::portable(const YAML::Node& node) {
  if (const auto fixed = yaml11_text_number(node)) {
    const Location where = at(node);  // an alias's node has its anchor's place: named once
    text_numbers_.try_emplace({where.line, where.column}, Spec::TextNumber{where, node.Scalar(), *fixed});
  }
}

double Loader::number_of(const YAML::Node& node, const std::string& what) {
  if (node.IsScalar()) {
    try {
      const double v = node.as<double>();
      if (std::isfinite(v)) {
        portable(node);
        return v;
      }
    } catch (const YAML::Exception&) {
    }
  }
  fail(at(node), what + " must be a finite number, found " + node_kind(node));
}

double Loader::non_negative(const YAML::Node& node, const std::string& what) {
  const double v = number_of(node, what);
  if (v < 0) fail(at(node), what + " must not be negative, found " + node.Scalar());
  return v;
}

double Loader::points_of(const YAML::Node& node, const std::string& what) {
  const double v = non_negative(node, what);
  if (v > kMaxPoints) fail(at(node), what + " must be at most " + fmt_number(kMaxPoints) + ", found " + node.Scalar());
  return v;
}

double Loader::between(const YAML::Node& node, const std::string& what, double low, double high) {
  const double v = number_of(node, what);
  if (v < low || v > high)
    fail(at(node), what + " must be from " + fmt_number(low) + " to " + fmt_number(high) + ", found " + node.Scalar());
  return v;
}

void Loader::load_metadata(Spec& spec, const YAML::Node& node) {
  Fields f(*this, node, "'assignment'");
  spec.id = string_of(f.require("id"), "assignment id");
  if (!is_folder_name(spec.id))
    note(at(node), "assignment id '" + spec.id + "' must be letters, digits, '.', '_' or '-', at most " +
                       std::to_string(kMaxName) + " of them (it names folders)");
  spec.title = string_of(f.require("title"), "assignment title");
  spec.version = string_of(f.require("version"), "assignment version");
  f.finish();
}

}  // namespace grader::spec_loading

namespace grader {

Spec load_spec(const std::filesystem::path& path) { return spec_loading::Loader(path).load(); }

}  // namespace grader
