#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "grader/expr/ast.hpp"

namespace grader::expr {

namespace {

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "math.inf" : "-math.inf";  // `inf` (the parser gives no NaN)
  return fmt::format("{:.17g}", v);
}

std::string slice(const Node& node) {
  std::string out = "slice(";
  for (std::size_t k = 0; k < 3; ++k)
    out += (k ? ", " : "") + (node.children[k] ? to_python(*node.children[k]) : std::string("None"));
  return out + ")";
}

}  // namespace

std::string to_python(const Node& node) {
  switch (node.kind) {
    case Node::Kind::number:
      return number(node.number);
    case Node::Kind::name:
      return "E[\"" + node.text + "\"]";
    case Node::Kind::list: {
      std::string out = "_L([";
      for (std::size_t i = 0; i < node.children.size(); ++i) out += (i ? ", " : "") + to_python(*node.children[i]);
      return out + "])";
    }
    case Node::Kind::negate:
      return "_C(-_C(" + to_python(*node.children[0]) + "))";
    case Node::Kind::binary: {
      const std::string a = "_C(" + to_python(*node.children[0]) + ")", b = "_C(" + to_python(*node.children[1]) + ")";
      if (node.text == "@") return "_C(np.matmul(" + a + ", " + b + "))";
      return "_C(" + a + " " + node.text + " " + b + ")";
    }
    case Node::Kind::call: {
      std::string out = "F[\"" + node.text + "\"](";
      bool first = true;
      for (const auto& child : node.children) {
        out += (first ? "" : ", ") + to_python(*child);
        first = false;
      }
      for (const auto& k : node.keywords) {
        out += (first ? "" : ", ") + k.name + "=" + to_python(*k.value);
        first = false;
      }
      return out + ")";
    }
    case Node::Kind::index: {
      std::string out = "_I(" + to_python(*node.children[0]) + ", (";
      for (std::size_t i = 1; i < node.children.size(); ++i) {
        const Node& item = *node.children[i];
        out += (item.kind == Node::Kind::slice ? slice(item) : to_python(item)) + ",";
      }
      return out + "))";
    }
    case Node::Kind::slice:
      return slice(node);
  }
  throw std::logic_error("unknown expression node");
}

}  // namespace grader::expr
