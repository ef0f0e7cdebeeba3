#pragma once
/// An assignment as its spec describes it (see docs/spec-format.md): data, exercises, answers,
/// targets and tolerances. Built only by load_spec(), which checks everything it can before
/// any student is graded.

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "grader/error.hpp"
#include "grader/expr/ast.hpp"
#include "grader/expr/evaluate.hpp"
#include "grader/result.hpp"
#include "grader/tensor.hpp"
#include "grader/tolerance.hpp"

namespace grader {

/// An expression of the spec, parsed and checked.
struct Expression {
  std::string text;
  Location where;  ///< where the text starts in the spec
  std::shared_ptr<expr::Node> ast;
  std::set<std::string> answers;  ///< the student answers it reads
  std::optional<Tensor> value;    ///< computed at load time when it reads no answer
  Shape shape;                    ///< its shape (answers have their declared shapes)

  /// Its value for one student (the precomputed one if any). An error here is the spec's
  /// fault, never the student's: SpecError at the offending character, saying "while grading
  /// <context>" (which case, for instance).
  Tensor evaluate(const expr::Scope& scope, std::string_view context = {}) const;
};

/// A matrix the student hands in.
struct AnswerSpec {
  std::string name;
  Shape shape;
  /// A vector of n may come as (n,), (1, n) or (n, 1) whatever `shape` says.
  bool any_orientation = false;
  Location where;
  /// From a Python hand-in: this Python expression (by default the answer's name), evaluated
  /// at the end of the notebook, or at the end of the cell holding the text `python_cell`.
  std::string python_expr;
  std::string python_cell;
  /// The notebook's line that tests the answer (`check_query(...)`), with `python_cell` only:
  /// where no cell holds that text (a student deleted the instruction comment), the answer is
  /// taken where this line runs; and in a Colab download, whose cells have no marked end, at
  /// the latest there.
  std::string python_test_line;
};

/// A wrong result students are known to produce, and what to tell them. A failing answer
/// matches it when it is within the mistake's tolerance of it (by default the exercise's,
/// whatever a check's own tolerance: a check that demands exactness still names mistakes).
struct Mistake {
  Expression expression;
  std::string message;
  Tolerance tolerance;
};

/// A tensor passed to or returned by a solution function; its sizes are named dimensions
/// ("batch", "d_k") or fixed numbers.
struct TensorDecl {
  std::string name;
  std::vector<std::string> dims;  ///< a dimension name, or digits for a fixed size
  Location where;

  /// True for a size given as a number ("1"), false for a named one ("d_k").
  static bool fixed(const std::string& dim);
  /// Its shape, given the value of every named size it uses.
  Shape shape(const std::map<std::string, std::size_t>& sizes) const;
};

/// How a randomized check draws the values of one input.
struct Distribution {
  enum class Kind { normal, uniform, padding_mask, causal_mask } kind = Kind::normal;
  double a = 0.0;  ///< normal: mean; uniform: low
  double b = 1.0;  ///< normal: standard deviation; uniform: high

  /// As a spec writes it: "normal(0, 2)", "uniform(-1, 1)", "padding_mask".
  std::string text() const;
};

/// A further call of the student's function, on transformed inputs, for a property check.
/// Its outputs are visible to the property as `<name>_<output>`.
struct ExtraCall {
  std::string name;
  std::map<std::string, Expression> inputs;  ///< replaced inputs; the others are the case's
};

/// One graded check of a function exercise, with its own points (partial credit).
struct FunctionCheck {
  std::string name;
  double points = 1.0;
  Tolerance tolerance;
  // Where the inputs come from: fixed expressions over data, or random draws.
  std::map<std::string, Expression> fixed;                          ///< input name -> expression (fixed cases)
  std::map<std::string, Expression> expect_override;                ///< output -> printed value to match
  int trials = 0;                                                   ///< random cases: how many
  std::map<std::string, std::pair<std::size_t, std::size_t>> dims;  ///< name -> [low, high]
  /// name -> what it always equals: another size (`block`), a number, or a sum or product of
  /// sizes and whole numbers (`heads * d_head`, `2 * half`); a fixed check's own sizes
  /// (`sizes: {heads: 2}`) are numbers.
  std::map<std::string, Expression> derived;
  /// The sizes no input has (`heads`, read by a derived size, an expression or a Python
  /// argument), and where the spec gives them.
  std::map<std::string, Location> own_sizes;
  std::map<std::string, Distribution> values;                       ///< input -> distribution (default normal)
  // What is compared: every output with its reference, or a property.
  std::optional<Expression> property_got, property_expect;
  std::vector<ExtraCall> calls;
  Location where;

  bool random() const { return trials > 0; }
  /// A random property check worth points: the kind whose points `property_points_need` guards.
  bool needs_followed() const { return random() && property_got && points > 0; }
  /// Every size of a random case, from those with a range: the derived ones computed.
  std::map<std::string, std::size_t> with_derived(const std::map<std::string, std::size_t>& ranged) const;
  /// The value of a derived size's expression over the sizes `known`; throws expr::ExprError
  /// at the offending character for anything but whole numbers, those sizes, `+`, `*` and
  /// parentheses (so that a derived size is smallest at the ranges' lows and largest at their
  /// highs).
  static double derived_size(const expr::Node& node, const std::map<std::string, std::size_t>& known);
  /// The sizes of a random case as feedback names them ("d_k=2, n=3"), those that are only
  /// another size's (mask_rows: block) left out.
  std::string describe(const std::map<std::string, std::size_t>& sizes) const;
};

/// A wrong implementation students are known to write, as the outputs it produces; matched
/// like a Mistake, within its own tolerance (by default the exercise's).
struct FunctionMistake {
  std::map<std::string, Expression> outputs;  ///< output -> expression over inputs
  std::string message;
  Tolerance tolerance;
  /// False: outputs that match it earn no property check's points. Such outputs have the
  /// properties without computing what they check (uniform weights sum to 1).
  bool property_points = true;

  /// What the mistake gives for `output` on a case, or nothing where its expression cannot be
  /// computed at the case's sizes: `Q @ K` (keys not transposed) computes in square cases only,
  /// as the student's own code would, and matches nothing elsewhere. The loader has checked
  /// that it computes, with the output's shape, at some sizes.
  std::optional<Tensor> output(const std::string& name, const expr::Scope& scope) const;
};

/// How a function exercise calls a Python hand-in's function (docs/python-hand-ins.md).
struct PythonBinding {
  /// One argument: an input, by position or as a keyword, as a tensor or as the list of its
  /// rows; or what the C function does not take: a constant (`{keyword: n_heads, value: 2}`)
  /// or a size of each case (`{keyword: n_heads, size: heads}`).
  struct Argument {
    std::size_t input = 0;
    std::string keyword;
    bool rows = false;
    std::string constant;  ///< the constant as JSON text (2, 0.5, true, null, "mean"); empty: an input
    std::string size;      ///< a size of each case, as an int (n_heads=heads); empty: an input or a constant
    /// Whether it passes input `input` (else a constant or a size; a function of sizes alone
    /// has no input to name).
    bool passes_input() const { return constant.empty() && size.empty(); }
  };
  std::string function;             ///< its name in the notebook (default: the symbol)
  std::string tensors = "torch";    ///< "torch" or "numpy"
  std::string dtype = "float32";    ///< of the inputs: torch's default, or numpy's float64
  std::vector<Argument> arguments;  ///< default: every input, in order, by position
  std::string cell;                 ///< take the definition at the end of this cell's text
  /// Per output, in the function's order: a Python expression of it (named as the output) that
  /// the grader reads in its place, as `weights.flatten(0, 1)` for weights of four axes; "": the
  /// output as returned.
  std::vector<std::string> read;
  Location where;
};

/// A name a function exercise gives an expression (`let: {Q: "X @ W_q"}`), for its references,
/// properties and mistakes to read: over a case's inputs, its sizes, the data and the names
/// given before it.
struct Let {
  std::string name;
  Location where;  ///< of its name
  Expression expression;
  /// Read by known mistakes only: where it cannot be computed (keys not transposed, at sizes
  /// that are not square), the mistakes that read it match nothing, as they would not compute
  /// themselves. Any other let that cannot be computed is the spec's error.
  bool for_mistakes_only = false;
  /// Read by nothing of its exercise (a let shared by several exercises through a YAML
  /// anchor): never computed.
  bool unread = false;
};

/// A function the student's library implements (see docs/solution-abi.md).
struct FunctionSpec {
  std::string symbol;
  std::vector<TensorDecl> inputs;
  std::vector<TensorDecl> outputs;
  std::vector<Let> lets;           ///< in the order given
  std::vector<Expression> expect;  ///< per output: the reference, over the inputs
  std::vector<FunctionCheck> checks;
  std::vector<FunctionMistake> mistakes;
  /// The inputs a property's points need the outputs to follow (`property_points_need`): a
  /// random property check worth points fails where the student's outputs stay the same with
  /// one of them drawn anew and the right ones change (weights that never use Q K^T).
  std::vector<std::string> property_needs;
  PythonBinding python;  ///< how a Python hand-in's function is called
};

/// The names the expressions of a function check see on one case, first to last: its inputs,
/// the student's outputs (for a property), the exercise's `let` names, its sizes as numbers
/// (`heads`, `d_k`), the data.
class CaseNames {
 public:
  /// What becomes of a let that cannot be computed on the case and is not for mistakes only:
  /// by default the spec's error, "while grading <context>" (Expression::evaluate); the loader
  /// reports it as its own. It must throw.
  using LetFailure = std::function<void(const Let&, const expr::ExprError&)>;

  CaseNames(const FunctionSpec& fn, const std::map<std::string, Tensor>& inputs,
            const std::map<std::string, std::size_t>& sizes, const std::map<std::string, Tensor>& data,
            std::string_view context = {}, const std::map<std::string, Tensor>* outputs = nullptr,
            const LetFailure& failed = {});
  CaseNames(const CaseNames&) = delete;
  CaseNames& operator=(const CaseNames&) = delete;
  const expr::Scope& scope() const { return scope_; }

 private:
  std::map<std::string, Tensor> sizes_, lets_;
  expr::Scope scope_;
};

/// How a submission's library is found or built.
struct LibrarySpec {
  std::string file = "libsolution.so";
  std::string compile_c = "cc -std=c11 -O2 -shared -fPIC -I{include} {sources} -o {output} -lm";
  std::string compile_cxx = "c++ -std=c++17 -O2 -shared -fPIC -I{include} {sources} -o {output} -larmadillo";
  double compile_seconds = 120.0;
  double call_seconds = 5.0;     ///< wall clock per call
  double budget_seconds = 60.0;  ///< wall clock for all the calls of one submission
  unsigned cpu_seconds = 20;     ///< CPU time per child
  unsigned memory_mb = 2048;     ///< address space per child
  unsigned threads = 32;         ///< threads a child may start
};

/// How a Python hand-in (a notebook, or a script downloaded from one) is found and run.
struct PythonSpec {
  bool declared = false;         ///< the spec has a `python:` section
  std::string file;              ///< the name students are asked for (A2S1.py); empty: any
  /// Only the Python hand-in is graded: answer files, a library and C/C++ sources are not.
  bool only = false;
  double cell_seconds = 10.0;    ///< wall clock per cell (or statement)
  double call_seconds = 5.0;     ///< wall clock per call of a function
  double budget_seconds = 60.0;  ///< wall clock for the whole hand-in
  unsigned cpu_seconds = 60;     ///< CPU time per child
  unsigned memory_mb = 4096;     ///< address space per child (torch alone maps about 1 GiB)
  unsigned threads = 16;         ///< threads a child may start
  /// Data entries the notebook defines itself, under the same names (`key`, `value`): a
  /// hand-in whose own differs at its end is told so where an exercise reading one fails.
  std::vector<std::string> given;
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
  /// Set for an exercise graded by calling the student's library; answers, output, expect
  /// and mistakes are then unused.
  std::optional<FunctionSpec> function;

  /// Whether a mask takes part: an input of its function or a word of its targets spelled with
  /// "mask" (`attention(Q, K, V, mask=mask)`). Hints name masks as a cause only then (Hints).
  bool masked() const;
};

struct Spec {
  std::filesystem::path path;
  std::string id;
  std::string title;
  std::string version;
  std::vector<std::string> data_order;  ///< data names in document order
  std::map<std::string, Tensor> data;
  /// Per data entry computed by an expression: the data entries it reads (`ws: transpose(W_k)`
  /// reads W_k).
  std::map<std::string, std::set<std::string>> data_reads;
  std::vector<Exercise> exercises;
  LibrarySpec library;
  PythonSpec python;
  /// The files the data section reads, as written (relative to the spec's folder).
  std::vector<std::filesystem::path> data_files;
  /// The reference solution's folder (`solution:`, relative to the spec), for `spec check`.
  std::optional<std::filesystem::path> solution;
  /// Numbers the grader reads that YAML 1.1 readers (PyYAML, so scripts/validate-spec, and
  /// editors' schema checks) read as text, such as `1e-9`: where, as written, and a spelling
  /// every reader reads as that number (`1.0e-9`). `spec check` warns of them.
  struct TextNumber {
    Location where;
    std::string written, portable;
  };
  std::vector<TextNumber> text_numbers;

  /// True if any exercise calls the student's library.
  bool uses_library() const;
  /// True if the spec is written for notebooks: it has a `python:` section, or an answer or a
  /// function says how a notebook gives it. (Any spec grades a notebook handed in; a missing
  /// answer of one written for them says to hand in the notebook too.)
  bool for_notebooks() const;
  /// The exercise that declares an answer, or nullptr.
  const Exercise* owner_of(const std::string& answer) const;
  /// The declaration of an answer, or nullptr.
  const AnswerSpec* answer(const std::string& name) const;
  /// `names` with every data entry they read through data computed from others (data_reads),
  /// however deep: an expression over `ws`, where `ws: transpose(W_k)`, reads W_k too.
  std::set<std::string> with_data_read(std::set<std::string> names) const;
  double max_score() const;
};

/// Reads and checks a spec; throws SpecError listing every problem with file:line:column.
/// example: const Spec spec = load_spec("specs/understanding-attention.yaml");
Spec load_spec(const std::filesystem::path& path);

}  // namespace grader
