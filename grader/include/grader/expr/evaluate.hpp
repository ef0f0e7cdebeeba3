#pragma once
/// Evaluating expressions of the spec language over named tensors.

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "grader/expr/ast.hpp"
#include "grader/random.hpp"
#include "grader/tensor.hpp"

namespace grader::expr {

/// A seeded generator of the data section: `{generator: torch, seed: 0}` is
/// torch.manual_seed(0), `{generator: numpy, seed: 3}` np.random.seed(3).
using Generator = std::variant<random::TorchGenerator, random::NumpyGenerator>;

/// The names an expression can see: layers of name -> tensor, searched in order, and the
/// generators random draws may use (only while the data section is evaluated).
class Scope {
 public:
  /// Adds a layer; it must outlive the scope.
  void add(const std::map<std::string, Tensor>& layer) { layers_.push_back(&layer); }
  const Tensor* find(const std::string& name) const;
  std::vector<std::string> names() const;

  /// Lets expressions draw from these generators (advancing them); they must outlive the scope.
  void draw_from(std::map<std::string, Generator>& generators) { generators_ = &generators; }
  /// The generator of that name, or nullptr; `can_draw` says whether there are generators at all.
  Generator* generator(const std::string& name) const;
  bool can_draw() const { return generators_ != nullptr; }

 private:
  std::vector<const std::map<std::string, Tensor>*> layers_;
  std::map<std::string, Generator>* generators_ = nullptr;
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
