#pragma once
/// Evaluating expressions of the spec language over named tensors.

#include <map>
#include <string>
#include <vector>

#include "grader/expr/ast.hpp"
#include "grader/tensor.hpp"

namespace grader::expr {

/// The names an expression can see: layers of name -> tensor, searched in order.
class Scope {
 public:
  /// Adds a layer; it must outlive the scope.
  void add(const std::map<std::string, Tensor>& layer) { layers_.push_back(&layer); }
  const Tensor* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::vector<const std::map<std::string, Tensor>*> layers_;
};

/// Evaluates a parsed expression; throws ExprError at the offending node's offset for
/// unknown names or functions, wrong arity and incompatible shapes.
/// example: evaluate(*parse("value[0:2]"), scope)
Tensor evaluate(const Node& node, const Scope& scope);

/// One function of the language, for documentation and suggestions.
struct FunctionInfo {
  std::string name;
  std::string signature;  ///< e.g. "attention(Q, K, V, scale=None, mask=None)"
  std::string summary;
};

/// Every function of the language, sorted by name.
const std::vector<FunctionInfo>& functions();

}  // namespace grader::expr
