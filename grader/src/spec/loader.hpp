#pragma once
/// The spec loader (internal to grader/src/spec/). One class, its members split by concept:
///   load.cpp             reading the file, field bookkeeping, error placement, scalars, metadata
///   load_data.cpp        the data section: files, literals, generators, constant expressions
///   load_exercises.cpp   matrix exercises: answers, output/expect/mistakes, tolerances
///   load_functions.cpp   the library section and function exercises: declarations, checks
///   load_python.cpp      the python section, answers' python keys, functions' python bindings
///   verify_shapes.cpp    every expression of a function exercise evaluated on its checks' shapes
/// Every error is recorded with its file:line:column; loading goes on with the next unit (data
/// entry, exercise) so that one run lists them all.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "grader/expr/evaluate.hpp"
#include "grader/spec/spec.hpp"
#include "grader/suggest.hpp"

namespace grader::spec_loading {

/// The longest name (of data, answers, inputs, sizes) a spec may use.
constexpr std::size_t kMaxName = 64;
/// The largest size of an axis, fixed or drawn.
constexpr std::size_t kMaxDim = 4096;
/// The most points an exercise or a check may be worth.
constexpr double kMaxPoints = 1e6;
/// The longest text a spec may give (a description, a message, a command).
constexpr std::size_t kMaxText = 10000;

/// Letters, digits and '_', not starting with a digit, at most kMaxName of them.
bool is_identifier(const std::string& s);
/// A name that also names folders: letters, digits, '.', '_' or '-', not starting with '.' or '-'.
bool is_folder_name(const std::string& s);
/// What a node is, for messages: "a mapping", "a list", 'its text' or "nothing".
std::string node_kind(const YAML::Node& n);
/// A number as a spec would write it (15 significant digits).
std::string fmt_number(double v);

/// Thrown to abandon the current unit (data entry, exercise) after recording a diagnostic.
struct Abandon {};

class Loader {
 public:
  explicit Loader(std::filesystem::path path) : path_(std::move(path)) {}

  Spec load();

 private:
  std::filesystem::path path_;
  std::vector<std::string> lines_;
  std::vector<Diagnostic> diagnostics_;
  /// Numbers read that YAML 1.1 readers take for text (Spec::text_numbers), by place.
  std::map<std::pair<int, int>, Spec::TextNumber> text_numbers_;
  /// The data section's generators, advanced by its draws in document order.
  std::map<std::string, expr::Generator> generators_;
  /// Data names whose definition failed, with an error recorded: an expression that fails only
  /// because it reads one is not an error of its own (found by an instructor helper: one refused
  /// generator gave three errors, the last "unknown name 'W'; did you mean 'a'?").
  std::set<std::string> failed_data_;

  // ---- error placement (load.cpp) ---------------------------------------------------------

  Location at(const YAML::Mark& mark) const;
  Location at(const YAML::Node& node) const { return at(node.Mark()); }
  /// The location of character `offset` of a scalar's text.
  Location expression_at(const YAML::Node& node, std::size_t offset) const;
  [[noreturn]] void fail(const Location& where, const std::string& message);
  /// Whether `err` is only that an expression reads a data name whose definition failed.
  bool reads_failed_data(const expr::ExprError& err) const {
    return !err.unknown().empty() && failed_data_.count(err.unknown());
  }
  /// fail() with an expression's error, "what: error", unless reads_failed_data(err): then the
  /// unit is abandoned without another error.
  [[noreturn]] void fail_expression(const Location& where, const std::string& what, const expr::ExprError& err);
  /// Records `node`, a number the grader reads, if YAML 1.1 readers take it for text.
  void portable(const YAML::Node& node);
  void note(const Location& where, const std::string& message);
  /// Fails unless `name`, which `node` gives to a `what` that expressions read, is free: `inf`
  /// is the expressions' constant (expr::constant).
  void claim_name(const YAML::Node& node, const std::string& name, const std::string& what);

  /// Runs one unit, recording its first error and carrying on with the next unit.
  template <class F>
  void unit(F f) {
    try {
      f();
    } catch (const Abandon&) {
    }
  }

  /// A mapping whose keys are consumed one by one; what is left over is an error.
  class Fields {
   public:
    Fields(Loader& loader, const YAML::Node& node, std::string context);
    YAML::Node take(const std::string& key);
    YAML::Node require(const std::string& key);
    /// Records every key that was never taken.
    void finish();

   private:
    Loader& loader_;
    YAML::Node node_;
    std::string context_;
    std::vector<std::string> seen_, taken_;

    std::string allowed() const;
  };

  // ---- scalars (load.cpp) -----------------------------------------------------------------

  /// A text field, without the trailing newline that YAML's folded and literal styles keep.
  std::string string_of(const YAML::Node& node, const std::string& what);
  bool boolean_of(const YAML::Node& node, const std::string& what);
  double number_of(const YAML::Node& node, const std::string& what);
  double non_negative(const YAML::Node& node, const std::string& what);
  double points_of(const YAML::Node& node, const std::string& what);
  /// A number from `low` to `high`.
  double between(const YAML::Node& node, const std::string& what, double low, double high);

  void load_metadata(Spec& spec, const YAML::Node& node);

  // ---- data and expressions (load_data.cpp) -----------------------------------------------

  void load_data(Spec& spec, const YAML::Node& node);
  Tensor data_value(Spec& spec, const std::string& name, const YAML::Node& node);
  expr::Generator generator(const std::string& name, const YAML::Node& node);
  Tensor literal(const YAML::Node& node, const std::string& what);
  Expression parse_expression(const YAML::Node& node, const std::string& what);
  std::string number_or_text(const YAML::Node& node, const std::string& what);
  Tensor evaluate_at(const YAML::Node& node, const Expression& e, const expr::Scope& scope, const std::string& what);
  Tensor constant_expression(Spec& spec, const std::string& name, const YAML::Node& node);

  // ---- matrix exercises (load_exercises.cpp) ----------------------------------------------

  /// What pass 1 keeps of an exercise for pass 2, which compiles its expressions.
  struct Pending {
    YAML::Node output, expect;
    struct PendingMistake {
      YAML::Node matches;
      std::string message;
      Tolerance tolerance;
    };
    std::vector<PendingMistake> mistakes;
    bool ok = false;
  };

  void load_exercises(Spec& spec, const YAML::Node& node);
  void load_exercise_fields(Spec& spec, Exercise& ex, const YAML::Node& node, Pending& pending);
  /// A tolerance: what it gives replaces `base` (the exercise's, for a check).
  Tolerance load_tolerance(const YAML::Node& node, const std::string& context, const Tolerance& base);
  void load_answers(Spec& spec, Exercise& ex, const YAML::Node& node, const std::string& context);
  Expression compile(const YAML::Node& node, const std::string& what, const Spec& spec, const expr::Scope& scope);
  void compile_exercise(const Spec& spec, Exercise& ex, const Pending& p, const expr::Scope& scope);

  // ---- libraries and function exercises (load_functions.cpp) ------------------------------

  void load_library(Spec& spec, const YAML::Node& node);
  /// The name and shape of one input or output, from its mapping (the caller owns `f`, takes
  /// any other keys, and finishes it). Names must be unique among `taken`.
  TensorDecl load_decl(Fields& f, const YAML::Node& item, const std::string& what,
                       const std::vector<TensorDecl>& taken);
  Distribution load_distribution(const YAML::Node& node, const std::string& what);
  std::map<std::string, Expression> expression_map(const YAML::Node& node, const std::string& what,
                                                   const std::vector<TensorDecl>& allowed);
  FunctionSpec load_function(const Spec& spec, const YAML::Node& node, const YAML::Node& checks,
                             const YAML::Node& mistakes, const YAML::Node& needs, const Tolerance& tolerance,
                             const std::string& context);
  FunctionCheck load_check(const FunctionSpec& fn, const YAML::Node& node, const Tolerance& tolerance,
                           const std::set<std::string>& dim_names, const std::string& context);

  // ---- Python (load_python.cpp) -----------------------------------------------------------

  /// The `python` section: how a Python hand-in is found and run.
  void load_python(Spec& spec, const YAML::Node& node);
  /// A Python expression of the spec: checked to parse as one, in words, at load.
  std::string python_expression(const YAML::Node& node, const std::string& what);
  /// An answer's `python` key: an expression, or {expr, cell}.
  void load_answer_python(AnswerSpec& a, const YAML::Node& node, const std::string& context);
  /// A function exercise's `python` binding (its defaults when absent).
  PythonBinding load_binding(const FunctionSpec& fn, const YAML::Node& node, const std::string& context);

  // ---- shapes (verify_shapes.cpp) ---------------------------------------------------------

  /// Evaluates every expression of a function exercise on the shapes its checks produce.
  void verify_function_shapes(const Spec& spec, FunctionSpec& fn, const std::string& context);
};

}  // namespace grader::spec_loading
