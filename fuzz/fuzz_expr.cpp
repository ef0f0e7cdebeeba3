// The expression language on its own: parse, then evaluate over a few named tensors (what a
// spec's output, expect and mistakes do for every student). Errors must be ExprError with an
// offset inside the text.
#include "fuzz_support.hpp"
#include "grader/expr/evaluate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  static const std::map<std::string, grader::Tensor> names = [] {
    std::map<std::string, grader::Tensor> m;
    std::vector<double> v(24);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0.25 * static_cast<double>(i) - 2.0;
    m.emplace("key", grader::Tensor({4, 3}, {v.begin(), v.begin() + 12}));
    m.emplace("value", grader::Tensor({4, 3}, {v.begin() + 12, v.end()}));
    m.emplace("q", grader::Tensor({1, 3}, {v.begin(), v.begin() + 3}));
    m.emplace("cube", grader::Tensor({2, 3, 4}, v));
    m.emplace("s", grader::Tensor::scalar(2.0));
    return m;
  }();
  grader::expr::Scope scope;
  scope.add(names);
  try {
    const grader::expr::NodePtr node = grader::expr::parse(text);
    static_cast<void>(grader::expr::names_used(*node));
    static_cast<void>(grader::expr::evaluate(*node, scope));
  } catch (const grader::expr::ExprError& e) {
    fuzz::require(e.offset() <= text.size(), "an error offset outside the text");
  }
  return 0;
}
