#pragma once
/// One reader of nested lists of numbers (YAML or JSON) into a tensor: rectangular, rank 0 to
/// 3. Used by spec literals and by answers.yaml / answers.json.
///
/// Bounded whatever the document: it never descends below rank 3 (so it recurses at most four
/// calls deep), and it stops after `max_values` numbers, so YAML aliases that repeat a list
/// (a "billion laughs" document) cost no more than the numbers a caller is willing to read.

#include <cstddef>
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

/// A nested list holding more than the `max_values` numbers its reader was allowed.
class NestedListTooLarge : public NestedListError {
 public:
  NestedListTooLarge(std::size_t max_values, int line, int column)
      : NestedListError("has more than " + std::to_string(max_values) + " values", line, column),
        max_values_(max_values) {}
  std::size_t max_values() const { return max_values_; }

 private:
  std::size_t max_values_;
};

/// Builds a tensor from a nested list of at most `max_values` numbers. `Access` describes the
/// document's nodes:
///   bool is_list(const Node&); items(const Node&) -> a sized range of Node;
///   std::optional<double> number(const Node&); std::string show(const Node&);
///   std::pair<int, int> mark(const Node&)  // line, column
template <class Node, class Access>
Tensor tensor_from_nested(const Node& root, const Access& access, std::size_t max_values) {
  Shape shape;
  std::vector<double> values;
  bool numbers_seen = false;  // then shape.size() is the rank: no list may be that deep
  const auto fail = [&](const Node& node, const std::string& message) {
    const auto [line, column] = access.mark(node);
    throw NestedListError(message, line, column);
  };
  const auto walk = [&](const auto& self, const Node& node, std::size_t depth) -> void {
    if (access.is_list(node)) {
      if (numbers_seen && depth >= shape.size()) fail(node, "is ragged: a list where a number was expected");
      if (depth >= kMaxRank) fail(node, "is nested deeper than rank 3");
      const auto& items = access.items(node);
      const std::size_t n = items.size();
      if (shape.size() == depth) {
        if (n == 0) fail(node, "contains an empty list");
        shape.push_back(n);
      } else if (shape.size() < depth || shape[depth] != n) {
        fail(node, "is ragged: a list of " + std::to_string(n) + " elements where others at the same depth have " +
                       (shape.size() > depth ? std::to_string(shape[depth]) : "none"));
      }
      for (const Node& item : items) self(self, item, depth + 1);
      return;
    }
    if (shape.size() != depth) fail(node, "is ragged: a number where a list was expected");
    const std::optional<double> v = access.number(node);
    if (!v) fail(node, "contains " + access.show(node) + ", which is not a number");
    if (values.size() == max_values) {
      const auto [line, column] = access.mark(node);
      throw NestedListTooLarge(max_values, line, column);
    }
    values.push_back(*v);
    numbers_seen = true;
  };
  walk(walk, root, 0);
  return Tensor(std::move(shape), std::move(values));
}

}  // namespace grader
