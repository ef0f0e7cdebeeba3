#pragma once
/// One reader of nested lists of numbers (YAML or JSON) into a tensor: rectangular, rank 0 to
/// 3. Used by spec literals and by answers.yaml / answers.json.

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "grader/tensor.hpp"

namespace grader {

/// Why a nested list is not a tensor, and where (1-based line and column; 0 if unknown).
class NestedListError : public std::runtime_error {
 public:
  NestedListError(const std::string& message, int line, int column)
      : std::runtime_error(message), line_(line), column_(column) {}
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  int line_;
  int column_;
};

/// Builds a tensor from a nested list. `Access` describes the document's nodes:
///   bool is_list(const Node&); std::vector<Node> items(const Node&);
///   std::optional<double> number(const Node&); std::string show(const Node&);
///   std::pair<int, int> mark(const Node&)  // line, column
template <class Node, class Access>
Tensor tensor_from_nested(const Node& root, const Access& access) {
  Shape shape;
  std::vector<double> values;
  const auto fail = [&](const Node& node, const std::string& message) {
    const auto [line, column] = access.mark(node);
    throw NestedListError(message, line, column);
  };
  const auto walk = [&](const auto& self, const Node& node, std::size_t depth) -> void {
    if (access.is_list(node)) {
      if (depth >= kMaxRank) fail(node, "is nested deeper than rank 3");
      const std::vector<Node> items = access.items(node);
      if (shape.size() == depth) {
        if (items.empty()) fail(node, "contains an empty list");
        shape.push_back(items.size());
      } else if (shape.size() < depth || shape[depth] != items.size()) {
        fail(node, "is ragged: a list of " + std::to_string(items.size()) +
                       " elements where others at the same depth have " +
                       (shape.size() > depth ? std::to_string(shape[depth]) : "none"));
      }
      for (const Node& item : items) self(self, item, depth + 1);
      return;
    }
    if (shape.size() != depth) fail(node, "is ragged: a number where a list was expected");
    const std::optional<double> v = access.number(node);
    if (!v) fail(node, "contains " + access.show(node) + ", which is not a number");
    values.push_back(*v);
  };
  walk(walk, root, 0);
  return Tensor(std::move(shape), std::move(values));
}

}  // namespace grader
