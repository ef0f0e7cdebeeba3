#pragma once
/// How tensor_from_nested() reads yaml-cpp nodes.

#include <yaml-cpp/yaml.h>

#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "text.hpp"

namespace grader {

/// For a plain scalar that this grader (YAML 1.2) reads as a number and YAML 1.1 readers
/// (PyYAML) read as text, `1e-9` or `-.5e-3` (a float there has a point and a signed exponent,
/// and no sign before a leading point): a spelling every reader reads as the same number,
/// `1.0e-9`, `-0.5e-3`. Nothing for any other node.
inline std::optional<std::string> yaml11_text_number(const YAML::Node& n) {
  static const std::regex number(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+)");
  static const std::regex yaml11(R"(([-+]?[0-9]+\.[0-9]*|\.[0-9]+)[eE][-+][0-9]+)");
  if (!n.IsScalar() || n.Tag() != "?" || !std::regex_match(n.Scalar(), number) || std::regex_match(n.Scalar(), yaml11))
    return std::nullopt;
  std::string fixed = n.Scalar();
  const auto e = fixed.find_first_of("eE");
  if (fixed[e + 1] != '-' && fixed[e + 1] != '+') fixed.insert(e + 1, "+");
  if (fixed.substr(0, e).find('.') == std::string::npos) fixed.insert(e, ".0");
  const std::size_t digit = fixed.find_first_not_of("+-");
  if (fixed[digit] == '.') fixed.insert(digit, "0");
  return fixed;
}

struct YamlAccess {
  bool is_list(const YAML::Node& n) const { return n.IsSequence(); }
  std::vector<YAML::Node> items(const YAML::Node& n) const { return {n.begin(), n.end()}; }
  std::optional<double> number(const YAML::Node& n) const {
    double v = 0;
    if (n.IsScalar() && YAML::convert<double>::decode(n, v)) return v;
    return std::nullopt;
  }
  std::string show(const YAML::Node& n) const {
    return n.IsScalar() ? "'" + one_line(n.Scalar(), 40) + "'" : n.IsMap() ? "a mapping" : "nothing";
  }
  std::pair<int, int> mark(const YAML::Node& n) const { return {n.Mark().line + 1, n.Mark().column + 1}; }
};

}  // namespace grader
