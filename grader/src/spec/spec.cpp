// The spec model's own operations; loading is in load.cpp.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>

#include "grader/spec/spec.hpp"

#include <fmt/format.h>

#include "grader/result.hpp"

namespace grader {

bool Tolerance::single(std::string_view precision) {
  return precision == "float32" || precision == "float16" || precision == "bfloat16";
}

Tolerance Tolerance::in(std::string_view precision) const {
  if (!float32 || !single(precision)) return *this;
  Tolerance t;
  t.atol = float32->atol;
  t.rtol = float32->rtol;
  t.max_abs = float32->max_abs;
  return t;
}

double Tolerance::allowance(double expected) const {
  const double a = atol + rtol * std::abs(expected);
  return max_abs ? std::min(a, *max_abs) : a;
}

std::string Tolerance::formula() const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "|got - expected| <= %g + %g * |expected|", atol, rtol);
  std::string out = buf;
  if (max_abs) {
    std::snprintf(buf, sizeof buf, " (at most %g)", *max_abs);
    out += buf;
  }
  return out;
}

bool Spec::uses_library() const {
  return std::any_of(exercises.begin(), exercises.end(), [](const Exercise& e) { return e.function.has_value(); });
}

bool Spec::for_notebooks() const {
  return python.declared || std::any_of(exercises.begin(), exercises.end(), [](const Exercise& e) {
           return (e.function && e.function->python.where.line > 0) ||
                  std::any_of(e.answers.begin(), e.answers.end(), [](const AnswerSpec& a) {
                    return (!a.python_expr.empty() && a.python_expr != a.name) || !a.python_cell.empty();
                  });
         });
}

bool Exercise::masked() const {
  const auto has = [](const std::string& text) { return text.find("mask") != std::string::npos; };
  if (has(expect.text) || has(output.text)) return true;
  return function && (std::any_of(function->inputs.begin(), function->inputs.end(),
                                  [&](const TensorDecl& d) { return has(d.name); }) ||
                      std::any_of(function->expect.begin(), function->expect.end(),
                                  [&](const Expression& e) { return has(e.text); }));
}

const Exercise* Spec::owner_of(const std::string& answer) const {
  for (const auto& ex : exercises)
    for (const auto& a : ex.answers)
      if (a.name == answer) return &ex;
  return nullptr;
}

const AnswerSpec* Spec::answer(const std::string& name) const {
  for (const auto& ex : exercises)
    for (const auto& a : ex.answers)
      if (a.name == name) return &a;
  return nullptr;
}

std::set<std::string> Spec::with_data_read(std::set<std::string> names) const {
  std::vector<std::string> todo(names.begin(), names.end());
  while (!todo.empty()) {
    const auto reads = data_reads.find(todo.back());
    todo.pop_back();
    if (reads == data_reads.end()) continue;
    for (const auto& n : reads->second)
      if (names.insert(n).second) todo.push_back(n);
  }
  return names;
}

double Spec::max_score() const {
  double total = 0;
  for (const auto& ex : exercises) total += ex.points;
  return points_total(total);
}

Tensor Expression::evaluate(const expr::Scope& scope, std::string_view context) const {
  if (value) return *value;
  try {
    return expr::evaluate(*ast, scope);
  } catch (const expr::ExprError& err) {
    Location at = where;
    at.column += static_cast<int>(err.offset());
    throw SpecError(at, "while grading" + (context.empty() ? "" : " " + std::string(context)) + ": " + err.what());
  }
}

std::optional<Tensor> FunctionMistake::output(const std::string& name, const expr::Scope& scope) const {
  try {
    return expr::evaluate(*outputs.at(name).ast, scope);
  } catch (const expr::ExprError&) {
    return std::nullopt;
  }
}

bool TensorDecl::fixed(const std::string& dim) {
  return !dim.empty() && std::isdigit(static_cast<unsigned char>(dim[0]));
}

Shape TensorDecl::shape(const std::map<std::string, std::size_t>& sizes) const {
  Shape out;
  for (const auto& dim : dims) out.push_back(fixed(dim) ? std::stoull(dim) : sizes.at(dim));
  return out;
}

double FunctionCheck::derived_size(const expr::Node& node, const std::map<std::string, std::size_t>& known) {
  using Kind = expr::Node::Kind;
  switch (node.kind) {
    case Kind::number:
      if (node.number < 1 || node.number != std::floor(node.number))
        throw expr::ExprError(node.offset, "a derived size's numbers are whole numbers from 1 up");
      return node.number;
    case Kind::name:
      if (const auto it = known.find(node.text); it != known.end()) return static_cast<double>(it->second);
      throw expr::ExprError(node.offset, "'" + node.text + "' is not a size of this check");
    case Kind::binary:
      if (node.text == "+") return derived_size(*node.children[0], known) + derived_size(*node.children[1], known);
      if (node.text == "*") return derived_size(*node.children[0], known) * derived_size(*node.children[1], known);
      break;
    default:
      break;
  }
  throw expr::ExprError(node.offset, "a derived size adds and multiplies sizes and whole numbers only (+, *)");
}

std::map<std::string, std::size_t> FunctionCheck::with_derived(const std::map<std::string, std::size_t>& ranged) const {
  std::map<std::string, std::size_t> sizes = ranged;
  // Each derived size once the derived sizes it reads are known (heads: 2, d_model: "heads * d_head").
  std::set<std::string> left;
  for (const auto& [size, e] : derived) left.insert(size);
  while (!left.empty()) {
    const auto ready = std::find_if(left.begin(), left.end(), [&](const std::string& size) {
      const auto used = expr::names_used(*derived.at(size).ast);
      return std::none_of(used.begin(), used.end(), [&](const std::string& n) { return left.count(n) > 0; });
    });
    if (ready == left.end()) {
      std::string cycle;
      for (const auto& n : left) cycle += (cycle.empty() ? "" : ", ") + n;
      throw expr::ExprError(0, "the derived sizes " + cycle + " read one another");
    }
    // (capped: the loader refuses a value above its limit, and a double that large has no size_t)
    sizes[*ready] = static_cast<std::size_t>(std::min(derived_size(*derived.at(*ready).ast, sizes), 1e15));
    left.erase(ready);
  }
  return sizes;
}

CaseNames::CaseNames(const FunctionSpec& fn, const std::map<std::string, Tensor>& inputs,
                     const std::map<std::string, std::size_t>& sizes, const std::map<std::string, Tensor>& data,
                     std::string_view context, const std::map<std::string, Tensor>* outputs, const LetFailure& failed) {
  for (const auto& [name, size] : sizes) sizes_.emplace(name, Tensor::scalar(static_cast<double>(size)));
  scope_.add(inputs);  // first: inputs may share a name with data (Q, K, V)
  if (outputs) scope_.add(*outputs);
  scope_.add(lets_);  // filled in order below: each sees those before it
  scope_.add(sizes_);
  scope_.add(data);
  for (const auto& let : fn.lets) {
    if (let.unread) continue;
    try {
      lets_.emplace(let.name, expr::evaluate(*let.expression.ast, scope_));
    } catch (const expr::ExprError& err) {
      if (let.for_mistakes_only) continue;  // its mistakes match nothing in this case
      if (failed) failed(let, err);
      lets_.emplace(let.name, let.expression.evaluate(scope_, context));  // throws the spec's error, where it is
    }
  }
}

std::string Distribution::text() const {
  const auto number = [](double v) { return fmt::format("{:g}", v); };
  switch (kind) {
    case Kind::normal:
      return "normal(" + number(a) + ", " + number(b) + ")";
    case Kind::uniform:
      return "uniform(" + number(a) + ", " + number(b) + ")";
    case Kind::padding_mask:
      return "padding_mask";
    case Kind::causal_mask:
      return "causal_mask";
  }
  return "";
}

std::string FunctionCheck::describe(const std::map<std::string, std::size_t>& sizes) const {
  std::string out;
  for (const auto& [dim, size] : sizes)
    if (const auto d = derived.find(dim); d == derived.end() || d->second.ast->kind != expr::Node::Kind::name)
      out += (out.empty() ? "" : ", ") + dim + "=" + std::to_string(size);
  return out;
}

}  // namespace grader
