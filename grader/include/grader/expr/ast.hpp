#pragma once
/// The syntax tree of the spec's expression language (see docs/spec-format.md).

#include <cstddef>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "grader/error.hpp"

namespace grader::expr {

/// An error at a character offset (0-based) of an expression's text.
class ExprError : public Error {
 public:
  ExprError(std::size_t offset, const std::string& message, std::string unknown = {})
      : Error(message), offset_(offset), unknown_(std::move(unknown)) {}
  std::size_t offset() const { return offset_; }
  /// The name it is about when that name has no value here (an unknown name, or one used as
  /// a generator that is none); empty otherwise.
  const std::string& unknown() const { return unknown_; }

 private:
  std::size_t offset_;
  std::string unknown_;
};

struct Node;
using NodePtr = std::unique_ptr<Node>;

/// A keyword argument of a call: `scale=1`.
struct KeywordArg {
  std::string name;
  std::size_t offset = 0;
  NodePtr value;
};

struct Node {
  enum class Kind {
    number,  ///< 1.5; `number`
    name,    ///< key; `text`
    list,    ///< [a, b]; `children` are the elements
    negate,  ///< -a; `children[0]`
    binary,  ///< a + b; `text` is the operator ("+", "-", "*", "/", "**", "@"), `children` a, b
    call,    ///< f(a, k=b); `text` is the function, `children` the positional arguments
    index,   ///< a[i, j]; `children[0]` the indexed value, then one node per axis
    slice,   ///< start:stop:step inside an index; `children` has 3 entries, null if absent
  };

  Kind kind;
  std::size_t offset = 0;  ///< where the node starts in the expression's text
  double number = 0.0;
  std::string text;
  std::vector<NodePtr> children;
  std::vector<KeywordArg> keywords;
};

/// Parses an expression; throws ExprError with the offset of the first problem.
/// example: parse("attention(query121, key, value, scale=1)")
NodePtr parse(const std::string& text);

/// The constant a name stands for in every expression (`inf`, infinity: `where(mask, scores,
/// -inf)`), if it is one; the spec refuses such names for its data, answers, inputs and lets.
std::optional<double> constant(const std::string& name);

/// Every name the expression refers to as a value (not function names, not keywords).
std::set<std::string> names_used(const Node& node);

/// The expression as Python over grader/python/expressions.py: names read from `E`, functions
/// called from `F`, in NumPy at that file's working precision (`grader spec check` runs each
/// known mistake of a function exercise so).
/// example: to_python(*parse("softmax(Q, 1)")) is `F["softmax"](E["Q"], 1)`
std::string to_python(const Node& node);

}  // namespace grader::expr
