#pragma once
/// How tensor_from_nested() reads yaml-cpp nodes.

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "text.hpp"

namespace grader {

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
