#include "grader/spec/spec.hpp"

namespace grader {

Tensor Expression::evaluate(const expr::Scope& scope) const {
  if (value) return *value;
  try {
    return expr::evaluate(*ast, scope);
  } catch (const expr::ExprError& err) {
    Location at = where;
    at.column += static_cast<int>(err.offset());
    throw SpecError(at, std::string("while grading: ") + err.what());
  }
}

}  // namespace grader
