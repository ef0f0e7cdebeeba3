#pragma once
/// An assignment as its spec describes it (see docs/spec-format.md): data, exercises, answers,
/// targets and tolerances. Built only by load_spec(), which checks everything it can before
/// any student is graded.

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "grader/error.hpp"
#include "grader/expr/ast.hpp"
#include "grader/tensor.hpp"

namespace grader {

/// The element-wise acceptance rule |got - expected| <= atol + rtol * |expected|, the
/// allowance capped at max_abs when given. The defaults are PyTorch's for float32
/// (torch.testing.assert_close), so an honest float32 answer passes.
struct Tolerance {
  double atol = 1e-5;
  double rtol = 1.3e-6;
  std::optional<double> max_abs;

  /// The largest difference accepted where the expected value is `expected`.
  double allowance(double expected) const;
  /// "|got - expected| <= 1e-05 + 1.3e-06 * |expected|" (and the cap, if any).
  std::string formula() const;
};

/// Whether feedback may show expected values.
enum class Visibility { visible, hidden };

/// An expression of the spec, parsed and checked.
struct Expression {
  std::string text;
  Location where;                    ///< where the text starts in the spec
  std::shared_ptr<expr::Node> ast;
  std::set<std::string> answers;     ///< the student answers it reads
  std::optional<Tensor> value;       ///< computed at load time when it reads no answer
  Shape shape;                       ///< its shape (answers have their declared shapes)
};

/// A matrix the student hands in.
struct AnswerSpec {
  std::string name;
  Shape shape;
  /// A vector of n may come as (n,), (1, n) or (n, 1) whatever `shape` says.
  bool any_orientation = false;
  Location where;
};

/// A wrong result students are known to produce, and what to tell them.
struct Mistake {
  Expression expression;
  std::string message;
};

struct Exercise {
  std::string id;
  std::string title;
  std::string description;
  double points = 1.0;
  std::vector<AnswerSpec> answers;
  Expression output;  ///< computed from the student's answers
  Expression expect;  ///< what output must equal
  Tolerance tolerance;
  Visibility visibility = Visibility::visible;
  std::vector<Mistake> mistakes;
  Location where;
};

struct Spec {
  std::filesystem::path path;
  std::string id;
  std::string title;
  std::string version;
  std::vector<std::string> data_order;  ///< data names in document order
  std::map<std::string, Tensor> data;
  std::vector<Exercise> exercises;

  /// The exercise that declares an answer, or nullptr.
  const Exercise* owner_of(const std::string& answer) const;
  /// The declaration of an answer, or nullptr.
  const AnswerSpec* answer(const std::string& name) const;
  double max_score() const;
};

/// Reads and checks a spec; throws SpecError listing every problem with file:line:column.
/// example: const Spec spec = load_spec("specs/understanding-attention.yaml");
Spec load_spec(const std::filesystem::path& path);

}  // namespace grader
