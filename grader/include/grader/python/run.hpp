#pragma once
/// Running a student's Python hand-in (a notebook, or a script downloaded from one) confined,
/// in a child of this worker's Python zygote (docs/python-hand-ins.md, docs/sandbox.md), and
/// taking the values the spec asks for. The child only hands values back; the grader decides.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "grader/library/run.hpp"
#include "grader/result.hpp"
#include "grader/tensor.hpp"

namespace grader::python {

/// Limits of the children that run one hand-in.
struct Limits {
  double unit_seconds = 10.0;                    ///< wall clock of one cell (or statement)
  double call_seconds = 5.0;                     ///< wall clock of one call of a student's function
  double budget_seconds = 60.0;                  ///< wall clock for the whole hand-in, every retry included
  unsigned cpu_seconds = 60;                     ///< CPU time of one child
  unsigned long long memory_bytes = 4ull << 30;  ///< address space (torch alone maps ~1 GiB)
  unsigned threads = 16;                         ///< threads a child may start
  unsigned scratch_mib = 64;                     ///< its private, writable scratch folder
  std::size_t capture_bytes = 16384;             ///< of what it prints
};

/// A value to take from the notebook: `expr` (a Python expression, usually a variable's name)
/// evaluated at the end, or at the end of the cell holding the text `cell` (else where the line
/// `test_line` runs: AnswerSpec::python_test_line).
struct Request {
  std::string name;
  std::string expr;
  std::string cell;
  /// What the exercise asks ("exercise 3.3: F.softmax(...)", from its description), said to a
  /// notebook that never assigns the variable; "" for none.
  std::string asked = {};
  std::string test_line = {};
};

/// A function of the notebook: its name, taken at the end (or at the end of the cell holding
/// the text `cell`).
struct Binding {
  std::string function;
  std::string cell;
  /// The names of the inputs passed by position, in order ("" for a constant): for a function
  /// whose parameters take them in another order.
  std::vector<std::string> positional;
  /// Per output: the spec's Python expression read in its place (PythonBinding::read); "" or
  /// none: as returned.
  std::vector<std::string> read{};
  /// The outputs' names, the one name each `read` expression may use of the notebook's.
  std::vector<std::string> outputs{};
  /// The ids of the exercises that call it (for what is said of them all).
  std::vector<std::string> exercises{};
};

/// One argument of a call: input `input`, by position or as `keyword`; a tensor, or the list
/// of its rows (as a notebook passes [v_1, v_2, v_3]); or a constant (JSON text) in its place.
struct Argument {
  std::size_t input = 0;
  std::string keyword;
  bool rows = false;
  std::string constant;
};

/// One call of a student's function: the grader's inputs (sent as bytes), converted to
/// `tensors` ("torch" or "numpy") of `dtype`; `random`, numpy and torch seeded with `seed`.
struct FunctionCall {
  std::size_t binding = 0;
  std::vector<Tensor> inputs;
  std::vector<Argument> arguments;
  std::string tensors = "torch";
  std::string dtype = "float32";
  std::vector<std::string> outputs;  ///< the names of what it returns, in order
  std::vector<Shape> output_shapes;  ///< and their shapes in this call
  int group = 0;                     ///< after a hang or crash, the rest of the group is skipped
  std::uint64_t seed = 0;
  bool masked = false;  ///< its exercise has a mask (Exercise::masked()): what shape hints may name
};

/// What to take from a hand-in.
struct Work {
  std::vector<Request> values;
  std::vector<Binding> bindings;
  std::vector<FunctionCall> calls;
};

/// The hand-in: its file and a copy of the student's folder (what the notebook may read).
struct HandIn {
  std::string name;                                        ///< the file name, e.g. A2S1.py
  std::string source;                                      ///< its bytes
  std::vector<std::pair<std::string, std::string>> files;  ///< other files: name, bytes
};

/// A value taken, or why there is none (missing: never defined; unreadable: not numbers).
struct Value {
  std::optional<Tensor> value;
  Verdict problem = Verdict::missing;
  std::string message;
  std::string dtype;  ///< "float32", "float64", "python", ...
  /// For an answer taken at the end: its variable, and the places that assigned it another
  /// value as the notebook ran (cells; a Colab download's cells count once), the last few
  /// ("cell 9 (\"query121 = ...\")", "line 88"), of `bindings` in all.
  std::string variable;
  std::vector<std::string> bound_at;
  std::size_t bindings = 0;
  /// The unit that assigned it last, when that unit did not finish (a cell stopped after its
  /// time, or raising after the assignment): a UnitFailure's index.
  std::optional<std::size_t> stopped;
  /// Taken where its `test_line` runs: no cell holds the text of its `cell`.
  bool at_test = false;
};

/// A unit (a cell, or a statement of a script) that did not run to its end.
struct UnitFailure {
  std::size_t index = 0;
  std::string place;                 ///< "line 45", "cell 7"
  Verdict verdict = Verdict::threw;  ///< threw (an exception), timed_out, crashed, out_of_memory, ...
  std::string message;
  bool left_to_do = false;  ///< it raised NotImplementedError as an nbgrader stub does
  /// The earlier unit whose failure `message` repeats at its end, and `message` before that
  /// repetition (a NameError's "x is defined by cell 2, which failed before: ModuleNotFoundError:
  /// ..."): the list of failures says "(see above)" in its place where that one is listed above.
  std::optional<std::size_t> quotes{};
  std::string before_quote{};
};

struct Run {
  std::vector<Value> values;          ///< one per request, in order
  std::vector<CallResult> calls;      ///< one per call, in order (as a library's)
  std::vector<std::string> notes;     ///< about the functions called (an argument changed in place)
  std::vector<UnitFailure> failures;  ///< in the order of the hand-in (the first few hundred)
  std::size_t more_failures = 0;      ///< failed units beyond those, counted only
  std::string output;                 ///< what it printed, truncated
  std::string isolation;              ///< how the children were confined, and the versions; "" where no code ran
  int processes = 0;                  ///< children started
};

/// The seed of `random`, `numpy` and `torch` before a notebook runs, when the grader runs it:
/// one for every hand-in, every run and every replay (`--seed` sets the cases' seeds, and the
/// calls' from them), so that a notebook's own draws at its top level are the same whenever it
/// is graded, with or without an instructor's secret (found by a hostile helper: the seed the
/// hand-in's files gave, replaced by the `--seed` given, changed them in a replay; and it told
/// a notebook, by `torch.initial_seed()`, the seeds of its exercises before any feedback).
constexpr std::uint64_t kNotebookSeed = 0;

/// Runs the hand-in and takes the requested values, `seed` seeding `random`, `numpy` and
/// `torch` before it runs (kNotebookSeed in grading). Throws grader::Error only when the
/// grader cannot run it (no Python runtime, no confinement): never the student's fault.
Run run(const HandIn& hand_in, const Work& work, std::uint64_t seed, const Limits& limits = {});

}  // namespace grader::python
