#include "grader/selftest.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "expressions_py.hpp"
#include "function_grading.hpp"
#include "grader/answers/submission.hpp"
#include "grader/bounded_file.hpp"
#include "grader/compare.hpp"
#include "grader/error.hpp"
#include "grader/expr/evaluate.hpp"
#include "grader/grade.hpp"
#include "grader/suggest.hpp"
#include "python/grading.hpp"
#include "python/hand_in.hpp"
#include "text.hpp"

namespace grader::selftest {

namespace fs = std::filesystem;

namespace {

using Kind = Finding::Kind;

/// A private scratch folder, removed with everything in it.
class Scratch {
 public:
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "grader-selftest-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
      throw Error("cannot create a scratch folder in " + fs::temp_directory_path().string());
    path_ = pattern;
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  /// A fresh, empty subfolder.
  fs::path folder(const std::string& name) const {
    fs::create_directories(path_ / name);
    return path_ / name;
  }

 private:
  fs::path path_;
};

nlohmann::json nested(const Tensor& t, std::size_t axis = 0, std::size_t offset = 0) {
  if (t.rank() == 0) return t[0];
  nlohmann::json out = nlohmann::json::array();
  std::size_t stride = 1;
  for (std::size_t a = axis + 1; a < t.rank(); ++a) stride *= t.dim(a);
  for (std::size_t i = 0; i < t.dim(axis); ++i)
    out.push_back(axis + 1 == t.rank() ? nlohmann::json(t[offset + i]) : nested(t, axis + 1, offset + i * stride));
  return out;
}

/// Writes `answers` as answers.json into `dir` (numbers round-trip exactly).
void write_answers(const fs::path& dir, const std::map<std::string, Tensor>& answers) {
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& [name, t] : answers) doc[name] = nested(t);
  std::ofstream(dir / "answers.json") << doc.dump();
}

std::string joined(const std::vector<std::string>& items) { return fmt::format("{}", fmt::join(items, ", ")); }

bool all_zero(const Tensor& t) {
  return std::all_of(t.values().begin(), t.values().end(), [](double v) { return v == 0.0; });
}

std::string describe(const Tolerance& t) { return fmt::format("atol {:g}, rtol {:g}", t.atol, t.rtol); }

/// The answers an exercise reads (its own and those it reuses).
std::set<std::string> answers_read(const Exercise& ex) {
  std::set<std::string> names = ex.output.answers;
  names.insert(ex.expect.answers.begin(), ex.expect.answers.end());
  for (const auto& m : ex.mistakes) names.insert(m.expression.answers.begin(), m.expression.answers.end());
  return names;
}

/// A C library whose every function copies its first input into each output (as far as it
/// goes, zeros after): what a student who has not started hands in.
std::string first_input_library(const Spec& spec) {
  std::string source =
      "#include <stddef.h>\n#include \"grader/solution.h\"\n\n"
      "static int first_input(const grader_tensor *in, int n_in, grader_tensor *out, int n_out) {\n"
      "  for (int o = 0; o < n_out; ++o) {\n"
      "    long long n = 1, m = 0;\n"
      "    for (int d = 0; d < out[o].rank; ++d) n *= out[o].shape[d];\n"
      "    if (n_in > 0) { m = 1; for (int d = 0; d < in[0].rank; ++d) m *= in[0].shape[d]; }\n"
      "    for (long long i = 0; i < n; ++i) out[o].data[i] = i < m ? in[0].data[i] : 0.0;\n"
      "  }\n"
      "  return 0;\n"
      "}\n";
  std::set<std::string> symbols;
  for (const auto& ex : spec.exercises)
    if (ex.function && symbols.insert(ex.function->symbol).second)
      source +=
          "\nint " + ex.function->symbol +
          "(const grader_tensor *in, int n_in, grader_tensor *out, int n_out, char *error, "
          "size_t error_size) {\n  (void)error; (void)error_size;\n  return first_input(in, n_in, out, n_out);\n}\n";
  return source;
}

/// A notebook as Colab's "Download .py" writes it: a header naming it, each markdown cell a
/// string on its own, one blank line between cells, and each code cell as it is, but for one
/// with an IPython magic (`%...`): under a note of Colab's, its lines of magics and shell
/// commands commented out, or for a cell magic (`%%time`) every line. Throws on a notebook
/// without a list of cells.
/// A notebook cell's source, given as one string or as a list of lines.
std::string text_of(const nlohmann::json& source) {
  if (source.is_string()) return source.get<std::string>();
  std::string joined;
  for (const auto& line : source) joined += line.get<std::string>();
  return joined;
}

std::string colab_script(const fs::path& notebook) {
  std::ifstream in(notebook, std::ios::binary);
  const nlohmann::json nb = nlohmann::json::parse(in);
  const std::string quotes = "\"\"\"";
  std::string out = "# -*- coding: utf-8 -*-\n" + quotes + notebook.filename().string() +
                    "\n\nAutomatically generated by Colab.\n" + quotes + "\n";
  for (const auto& cell : nb.at("cells")) {
    std::string source = text_of(cell.at("source"));
    while (!source.empty() && source.back() == '\n') source.pop_back();
    const std::string type = cell.value("cell_type", "");
    if (type == "markdown") {
      for (std::size_t at = 0; (at = source.find(quotes, at)) != std::string::npos;) source.replace(at, 3, "'''");
      out += "\n" + quotes + source + quotes + "\n";
    } else if (type == "code") {
      std::vector<std::string> lines;
      for (std::size_t start = 0; start <= source.size();) {
        const std::size_t end = std::min(source.find('\n', start), source.size());
        lines.push_back(source.substr(start, end - start));
        start = end + 1;
      }
      const auto starts_with = [](const std::string& line, char c) {
        const auto first = line.find_first_not_of(" \t");
        return first != std::string::npos && line[first] == c;
      };
      const auto first = std::find_if(lines.begin(), lines.end(),
                                      [](const std::string& l) { return l.find_first_not_of(" \t") != l.npos; });
      const bool cell_magic = first != lines.end() && first->starts_with("%%");
      const bool magics =
          std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return starts_with(l, '%'); });
      std::string code = magics ? "# Commented out IPython magic to ensure Python compatibility.\n" : "";
      for (const auto& line : lines)
        code +=
            (cell_magic || (magics && (starts_with(line, '%') || starts_with(line, '!'))) ? "# " : "") + line + "\n";
      out += "\n" + code;
    }
  }
  return out;
}

/// A message's first line, cut between words when longer than `width`.
std::string short_message(const std::string& message, std::size_t width = 60) {
  const std::string line = message.substr(0, message.find('\n'));
  if (line.size() <= width) return line;
  const auto space = line.rfind(' ', width - 3);
  return space != std::string::npos && space >= width / 2 ? line.substr(0, space) + "..." : first_line(line, width);
}

/// A known mistake as the self-test names it: its exercise and its message's first words
/// ("exercise 1 'the scores are divided by sqrt of the number of...'").
std::string mistake_name(const std::string& exercise, const std::string& message) {
  return "exercise " + exercise + " '" + short_message(message) + "'";
}

/// What a known mistake that passes asks of the spec's author.
constexpr const char* kPassingMistake =
    ": a mistake that passes computes the right outputs, or ones within the tolerance of them; mend its "
    "expression, or tighten the tolerance";

/// Where a known mistake is written, for a line that asks to mend it: " (spec.yaml:41:30)", the
/// place of its (first) expression.
std::string written_at(const Location& where) { return where.line > 0 ? " (" + where.str() + ")" : ""; }
std::string written_at(const FunctionMistake& m) {
  return m.outputs.empty() ? "" : written_at(m.outputs.begin()->second.where);
}

/// "exercise 2 (wrong: ...)" or "exercises 1.2.2 (missing: ...), 1.3.1 (...)".
std::string exercises_named(const std::vector<std::string>& items) {
  return (items.size() == 1 ? "exercise " : "exercises ") + joined(items);
}

/// A Python number literal for `v`, infinities and NaN included.
std::string python_number(double v) {
  if (std::isnan(v)) return "float(\"nan\")";
  if (std::isinf(v)) return v > 0 ? "float(\"inf\")" : "float(\"-inf\")";
  return fmt::format("{:.17g}", v);
}

/// A Jupyter .py export whose function `fn.python.function` computes the known mistake `m` in
/// NumPy (grader/python/expressions.py): the mistake's outputs, and the reference's for those it
/// leaves, over the arguments as the binding passes them. `unknown` gets the names its
/// expressions read that the function cannot know (a size no input has, given by a check).
std::string mistake_notebook(const Spec& spec, const FunctionSpec& fn, const FunctionMistake& m,
                             std::set<std::string>& unknown) {
  nlohmann::json binding = {{"tensors", fn.python.tensors}};
  std::set<std::string> inputs, sizes;
  nlohmann::json& arguments = binding["arguments"] = nlohmann::json::array();
  for (const auto& a : fn.python.arguments) {
    const bool input = a.passes_input();
    arguments.push_back(
        {{"keyword", a.keyword}, {"input", input ? fn.inputs[a.input].name : ""}, {"rows", a.rows}, {"size", a.size}});
    if (input)
      inputs.insert(fn.inputs[a.input].name);
    else if (!a.size.empty())
      sizes.insert(a.size);
  }
  for (const auto& in : fn.inputs) {
    binding["shapes"][in.name] = in.dims;
    for (const auto& d : in.dims)
      if (!TensorDecl::fixed(d)) sizes.insert(d);
  }
  std::vector<const Expression*> outputs;
  for (std::size_t o = 0; o < fn.outputs.size(); ++o) {
    const auto mistaken = m.outputs.find(fn.outputs[o].name);
    outputs.push_back(mistaken == m.outputs.end() ? &fn.expect[o] : &mistaken->second);
  }
  // What they read, through the lets they read: data is written in, the rest must be known.
  std::set<std::string> read, data;
  std::vector<const expr::Node*> todo;
  for (const auto* e : outputs) todo.push_back(e->ast.get());
  while (!todo.empty()) {
    const expr::Node* node = todo.back();
    todo.pop_back();
    for (const auto& name : expr::names_used(*node)) {
      if (!read.insert(name).second) continue;
      // As a case's names are searched: inputs, lets, sizes, data.
      const auto let = std::find_if(fn.lets.begin(), fn.lets.end(), [&](const Let& l) { return l.name == name; });
      if (inputs.count(name))
        continue;
      else if (let != fn.lets.end())
        todo.push_back(let->expression.ast.get());
      else if (sizes.count(name))
        continue;
      else if (spec.data.count(name))
        data.insert(name);
      else
        unknown.insert(name);
    }
  }
  std::string lets = "{", data_text = "{", results;
  for (const auto& l : fn.lets)
    if (read.count(l.name)) lets += "\n    \"" + l.name + "\": lambda E: " + expr::to_python(*l.expression.ast) + ",";
  for (const auto& name : data) {
    const Tensor& t = spec.data.at(name);
    std::string flat, shape;
    for (std::size_t i = 0; i < t.size(); ++i) flat += (i ? ", " : "") + python_number(t[i]);
    for (std::size_t a = 0; a < t.rank(); ++a) shape += std::to_string(t.dim(a)) + ",";
    data_text += "\n    \"" + name + "\": ([" + flat + "], (" + shape + ")),";
  }
  for (const auto* e : outputs) results += "\n        lambda E: " + expr::to_python(*e->ast) + ",";
  const std::string& marker = fn.python.cell;
  return "#!/usr/bin/env python\n# coding: utf-8\n\n# In[1]:\n\n\n" + std::string(kExpressionsPy) +
         "\n\n# In[2]:\n\n\n" + (marker.empty() ? "" : "# " + marker + "\n") +
         "# The known mistake: " + first_line(m.message, 200) + "\n_BINDING = json.loads(" +
         nlohmann::json(binding.dump()).dump() + ")" + "\n_LETS = " + lets + "\n}\n_DATA = " + data_text +
         "\n}\n\n\ndef " + fn.python.function + "(*args, **kwargs):\n    return _call(_BINDING, _LETS, [" + results +
         "\n    ], _DATA, args, kwargs)\n";
}

class Checker {
 public:
  Checker(const Spec& spec, const Options& options) : spec_(spec), open_(spec) {
    grading_.cache_dir = options.cache_dir;
    grading_.seed = kSeed;
    open_.python.only = false;
  }

  Report run() {
    for (const auto& ex : spec_.exercises) (ex.function ? functions_ : matrices_).push_back(&ex);
    structure();
    portable_numbers();
    reference();
    library_hand_ins();
    empty_submission();
    zero_answers();
    first_input();
    property_needs();
    matrix_mistakes();
    function_mistakes();
    margins();
    if (python_reference_) python_mistakes();
    return report_;
  }

 private:
  const Spec& spec_;
  /// The spec taking every kind of hand-in: a spec that grades notebooks only still has its
  /// answer files and library references checked, and its controls made, as the others.
  Spec open_;
  /// The seed of every random case here, in what is graded (the reference, the controls, the
  /// mistakes as Python functions) and in what is computed (beyond(), told_apart()): both see
  /// the same cases (found by an instructor helper: with seed 1 here and a folder's own seed
  /// there, one line failed a mistake the other passed). `grader check --seed 1` replays them.
  static constexpr std::uint64_t kSeed = 1;
  /// How many seeds after kSeed a reference solution is graded at as well (other_seeds()).
  static constexpr std::uint64_t kOtherSeeds = 9;
  GradeOptions grading_;
  Scratch scratch_;
  Report report_;
  std::vector<const Exercise*> matrices_, functions_;
  std::optional<std::map<std::string, Tensor>> solution_answers_;  ///< when the solution has them
  bool python_reference_ = false;  ///< the solution holds a notebook: students hand in Python
  /// The reference notebook's answers (its variables, as grading takes them), where it runs.
  std::map<std::string, Tensor> notebook_answers_;

  /// A check a reference solution passed: how much of its tolerance it used, where, and
  /// whether its cases are random.
  struct Use {
    double used;
    std::string where;
    bool random;
  };
  std::vector<Use> reference_uses_;
  /// A difference beyond this many times the tolerance tells a mistake apart whatever the order
  /// of computation; nearer the edge, a case may pass for one student and fail for another.
  static constexpr double kApart = 2;
  /// A random check's chance of missing a mistake is judged by at least this many drawn cases:
  /// those of kSeed, then those of the seeds after it. A student's own few say little (found
  /// trying a mistake that shows at one size in a thousand: the one drawn case of a 3-trial
  /// check showed it, and the chance of a miss read 0).
  static constexpr std::size_t kJudgedCases = 200;
  /// How a check's cases tell a known mistake apart (beyond()).
  struct Reach {
    double most = 0;  ///< the largest share of the tolerance it uses in kSeed's cases (above 1: rejected)
    /// Whether a case of every student's sizes lies beyond kApart times the tolerance: a fixed
    /// case, or one of a random check's first two, which take every lower and every upper
    /// bound (for every seed judged).
    bool every = false;
    std::size_t apart = 0;   ///< the other random cases judged where it lies beyond kApart times the tolerance
    std::size_t judged = 0;  ///< the other random cases judged
    std::size_t drawn = 0;   ///< the other random cases of one student
    /// The chance that a student's own cases of this check tell the mistake apart in none:
    /// none if a case of every student's sizes does, else their drawn cases, each apart as
    /// often as those judged here.
    double miss() const {
      if (every) return 0;
      if (judged == 0) return 1;
      return std::pow(1 - static_cast<double>(apart) / static_cast<double>(judged), static_cast<double>(drawn));
    }
  };
  /// The known mistake a student's cases are likeliest to miss, and that chance.
  struct Nearest {
    std::optional<double> miss;
    std::string where;
  } nearest_mistake_;
  bool reference_failed_ = false;  ///< a reference solution failed a check: its margin says nothing
  bool mistake_passed_ = false;    ///< a known mistake passes: "every known mistake" would be false
  void nearer(double miss, std::string where) {
    if (!nearest_mistake_.miss || miss > *nearest_mistake_.miss) nearest_mistake_ = {miss, std::move(where)};
  }

  void add(Kind kind, std::string what, std::string message) {
    report_.findings.push_back({kind, std::move(what), std::move(message)});
  }

  /// `dir` graded as a student's folder (`float32`: its answers rounded to float32 as read).
  AssignmentResult grade(const fs::path& dir, bool float32 = false, std::uint64_t seed = kSeed) {
    GradeOptions options = grading_;
    options.answers_in_float32 = float32;
    options.seed = seed;
    return grade_submission(open_, dir, options);
  }

  /// The random check of a function exercise a check result of a reference solution is, if it
  /// is one.
  const FunctionCheck* random_check(const std::string& exercise, const std::string& check) const {
    for (const Exercise* ex : functions_)
      if (ex->id == exercise)
        for (const auto& c : ex->function->checks)
          if (c.name == check && c.random()) return &c;
    return nullptr;
  }

  /// A reference solution (the folder `dir`, graded as `what` says; `how` as reference_edges()
  /// takes it) graded again at the seeds after kSeed, where function exercises have random
  /// checks: each seed draws other cases, as each student's folder does, and a tolerance that a
  /// right solution misses in a case of some seeds only (near-ties of large scores, in float32)
  /// passes at kSeed and fails those students (found by an instructor helper: a check of large
  /// scores took the point from one right float32 solution in six, and spec check said ok). A
  /// failure names the first seed and check, for `grader check --seed N` to replay; what the
  /// random checks use of their tolerances at each seed counts in the margins line.
  void other_seeds(const fs::path& dir, const std::string& what, const std::string& how) {
    if (std::none_of(functions_.begin(), functions_.end(), [](const Exercise* ex) {
          const auto& checks = ex->function->checks;
          return std::any_of(checks.begin(), checks.end(), [](const FunctionCheck& c) { return c.random(); });
        }))
      return;
    const std::string seeds = fmt::format("seeds {} to {}", kSeed + 1, kSeed + kOtherSeeds);
    for (std::uint64_t seed = kSeed + 1; seed <= kSeed + kOtherSeeds; ++seed)
      for (const auto& e : grade(dir, false, seed).exercises)
        for (const auto& c : e.checks) {
          if (!random_check(e.id, c.name)) continue;
          if (!c.passed()) {
            reference_failed_ = true;  // no margin reads as all well beside it
            add(Kind::failure, what + ", " + seeds,
                fmt::format("fails exercise {} '{}' at seed {} ({}: {}): a student given those cases fails with a "
                            "right solution; loosen the check's tolerance, or mend the solution (`grader check "
                            "--exercise {} --seed {}` replays it)",
                            e.id, c.name, seed, to_string(c.verdict), first_line(c.message, 240), shell_word(e.id),
                            seed));
            return;
          }
          // Its margin at this seed counts as at kSeed's: the margins line speaks of every seed graded.
          if (!c.tolerance.empty())
            reference_uses_.push_back(
                {c.tolerance_used, fmt::format("exercise {} '{}'{}, seed {}", e.id, c.name, how, seed), true});
        }
    add(Kind::ok, what + ", " + seeds, "passes every random check of a function at each seed as well");
  }

  /// "ok" when every exercise of `r` passed, else which failed and why.
  /// Exercises in `files_only` (answered by the solution's files, missing from its notebook)
  /// are left out of a notebook's verdict.
  void report_reference(const std::string& what, const AssignmentResult& r, Kind failing_kind = Kind::failure,
                        const std::vector<std::string>& files_only = {}, const std::string& advice = "") {
    std::vector<std::string> failing, left_out;
    for (const auto& e : r.exercises) {
      if (e.passed()) continue;
      if (e.verdict() == Verdict::missing &&
          std::find(files_only.begin(), files_only.end(), e.id) != files_only.end()) {
        left_out.push_back(e.id);
        continue;
      }
      // Where the exercise is in the spec, for a failure of the spec's own text (found by an
      // instructor helper: a misspelt `cell:` text was told with no line to look at).
      const auto ex =
          std::find_if(spec_.exercises.begin(), spec_.exercises.end(), [&](const Exercise& x) { return x.id == e.id; });
      const std::string at =
          ex != spec_.exercises.end() && ex->where.line > 0 ? "; the exercise is at " + ex->where.str() : "";
      // NumPy code called with torch tensors, the default (found by an instructor helper: the
      // TypeError alone, where one line of the spec mends it).
      const std::string message = e.message();
      const bool numpy_given_torch = ex != spec_.exercises.end() && ex->function &&
                                     ex->function->python.tensors == "torch" &&
                                     message.find("torch tensors, as the exercise passes them") != std::string::npos &&
                                     message.find("numpy") != std::string::npos;
      // Float32 results held to a rule meant for float64 (found by an instructor helper: "abs diff
      // 1.07688e-07" and no word of the fix, which the matrix exercises' warning gives).
      const bool tight_for_float32 =
          ex != spec_.exercises.end() && ex->function && ex->function->python.dtype == "float32" &&
          e.verdict() == Verdict::wrong &&
          std::any_of(ex->function->checks.begin(), ex->function->checks.end(), [](const FunctionCheck& c) {
            return !c.tolerance.float32 && !c.tolerance.float32_same_given &&
                   (c.tolerance.atol < 1e-6 || c.tolerance.rtol < 1e-7);
          });
      failing.push_back(e.id + " (" + std::string(to_string(e.verdict())) + ": " + first_line(message, 240) + at +
                        (numpy_given_torch ? "; NumPy code is called with NumPy arrays where the exercise's function "
                                             "says `python: {tensors: numpy, dtype: float64}`"
                         : tight_for_float32
                             ? "; its Python calls compute in float32, about 1e-7 relative, and a check's tolerance "
                               "asks more: give it a rule for float32 results beside its atol and rtol, "
                               "`float32: {atol: 1.0e-5, rtol: 1.0e-5}`"
                             : "") +
                        ")");
    }
    if (failing.empty() && !left_out.empty())
      add(Kind::ok, what,
          fmt::format("{}: all {} it answers pass ({} only by the folder's files)", spec_.solution->string(),
                      counted(r.exercises.size() - left_out.size(), "exercise"), joined(left_out)));
    else if (failing.empty())
      add(Kind::ok, what,
          fmt::format("{}: {}", spec_.solution->string(),
                      r.exercises.size() == 1 ? "exercise " + r.exercises[0].id + " passes"
                                              : "all " + counted(r.exercises.size(), "exercise") + " pass"));
    else
      add(failing_kind, what, "fails " + exercises_named(failing) + advice);
  }

  /// Records the passing checks of `r`, a reference solution's result, with how close each
  /// came to failing; `how` says which solution ("", ", Python").
  void reference_edges(const AssignmentResult& r, const std::string& how) {
    for (const auto& e : r.exercises) {
      const auto ex =
          std::find_if(functions_.begin(), functions_.end(), [&](const Exercise* x) { return x->id == e.id; });
      for (const auto& c : e.checks) {
        reference_failed_ = reference_failed_ || !c.passed();
        if (!c.passed() || c.tolerance.empty()) continue;
        bool random = false;  // its cases are drawn per student: they vary, and so does its margin
        if (ex != functions_.end())
          for (const auto& check : (*ex)->function->checks) random = random || (check.name == c.name && check.random());
        reference_uses_.push_back(
            {c.tolerance_used, "exercise " + e.id + (e.checks.size() > 1 ? " '" + c.name + "'" : "") + how, random});
      }
    }
  }

  /// Exercise ids (of `among`) whose result passed.
  static std::vector<std::string> passing(const AssignmentResult& r, const std::vector<const Exercise*>& among) {
    std::vector<std::string> out;
    for (const auto& e : r.exercises)
      if (e.passed() && std::any_of(among.begin(), among.end(), [&](const Exercise* x) { return x->id == e.id; }))
        out.push_back(e.id);
    return out;
  }

  void structure() {
    std::vector<std::string> problems;
    std::set<std::string> ids;
    for (const auto& ex : spec_.exercises) {
      if (!ids.insert(ex.id).second) problems.push_back("exercise id " + ex.id + " is used twice");
      if (ex.function) {
        double sum = 0;
        for (const auto& c : ex.function->checks) sum += c.points;
        if (std::abs(sum - ex.points) > 1e-9)
          problems.push_back(fmt::format("exercise {}: its checks' points add up to {:g}, not its {:g} points", ex.id,
                                         sum, ex.points));
      }
    }
    if (problems.empty())
      add(Kind::ok, "structure",
          fmt::format("{}, {:g} point{}, ids unique, check points add up", counted(spec_.exercises.size(), "exercise"),
                      spec_.max_score(), spec_.max_score() == 1 ? "" : "s"));
    else
      add(Kind::failure, "structure", joined(problems));
  }

  /// Numbers every YAML reader reads alike (found by an instructor helper: `atol: 1e-9` loads
  /// here, as YAML 1.2 says, while YAML 1.1 readers, PyYAML and so scripts/validate-spec and
  /// editors' schema checks, read it as text). The loader notes each where it reads a number.
  void portable_numbers() {
    if (spec_.text_numbers.empty()) return;
    std::vector<std::string> items;
    for (const auto& n : spec_.text_numbers)
      items.push_back(n.written + " at " + n.where.str() + " (write " + n.portable + ")");
    add(Kind::warning, "numbers",
        joined(items) +
            ": YAML 1.1 readers (PyYAML, so scripts/validate-spec, and editors' schema checks) read these "
            "as text, where the grader reads numbers; written with a point and a signed exponent, every "
            "reader agrees");
  }

  void reference() {
    if (!spec_.solution) {
      add(Kind::warning, "reference solution",
          "the spec names none (add `solution: <folder>`, relative to the spec, holding the right answers "
          "and/or solution sources): it cannot be shown to pass, and mistakes that read a student's "
          "answers cannot be checked");
      return;
    }
    if (!fs::is_directory(*spec_.solution)) {
      // With a folder of a name alike beside it (found by an instructor helper: `solutions`
      // for `solution`, with no more said).
      std::vector<std::string> beside;
      std::error_code ec;
      for (fs::directory_iterator it(spec_.solution->parent_path(), ec), end; !ec && it != end; it.increment(ec))
        if (it->is_directory(ec)) beside.push_back(it->path().filename().string());
      const auto near = closest(spec_.solution->filename().string(), beside);
      add(Kind::failure, "reference solution",
          "its folder " + spec_.solution->string() + " does not exist (`solution:` is relative to the spec)" +
              (near ? "; did you mean '" + *near + "'?" : ""));
      return;
    }
    // A folder holding a notebook as well is two reference solutions, graded apart as students
    // hand them in: its files and library, and its notebook alone (in each precision it binds).
    std::vector<fs::path> notebooks, others;
    std::error_code ec;
    for (fs::directory_iterator it(*spec_.solution, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string ext = it->path().extension().string();
      (ext == ".py" || ext == ".ipynb" ? notebooks : others).push_back(it->path());
    }
    fs::path main_dir = *spec_.solution;
    if (!notebooks.empty()) {
      main_dir = scratch_.folder("reference");
      for (const auto& f : others) fs::copy(f, main_dir / f.filename(), fs::copy_options::recursive);
    }
    const AssignmentResult r = grade(main_dir);
    const auto passed64 = passing(r, matrices_);
    // Beside a notebook of a spec that grades notebooks only, files are no reference students
    // could hand in: only answers, for the controls below (found by an instructor helper: the
    // files were graded for a library they never hold, and failed).
    if (notebooks.empty() || (!others.empty() && !(spec_.python.only && notebooks.size() == 1))) {
      // Its answers missing beside a notebook that has them (found by an instructor helper: told
      // only a student's "hand in example_weights.npy; or hand in your notebook").
      std::vector<std::string> missing;
      for (const auto& e : r.exercises)
        if (e.verdict() == Verdict::missing &&
            std::any_of(matrices_.begin(), matrices_.end(), [&](const Exercise* m) { return m->id == e.id; }))
          missing.push_back(e.id);
      const std::string advice =
          notebooks.empty() || missing.empty()
              ? ""
              : "; beside its notebook, the solution folder's other files are a reference of their own, graded as a "
                "student who hands in files and a library: give them the answers of " +
                    exercises_named(missing) +
                    " as files too, or write `python: {only: true}` if students hand in notebooks only";
      report_reference("reference solution", r, Kind::failure, {}, advice);
      reference_edges(r, "");
      if (!reference_failed_) other_seeds(main_dir, "reference solution", "");
    }
    if (notebooks.size() > 1) {
      add(Kind::failure, "reference solution (Python)",
          "its folder holds " + std::to_string(notebooks.size()) + " notebooks; keep one .py or .ipynb");
    } else if (notebooks.empty() && spec_.python.only) {
      add(Kind::failure, "reference solution (Python)",
          "the spec grades notebooks only (python: {only: true}), and its solution folder holds none: add the "
          "reference notebook (.py or .ipynb)");
    } else if (notebooks.empty() && !spec_.python.given.empty()) {
      add(Kind::warning, "given data",
          "python given names data the notebook defines itself (" + joined(spec_.python.given) +
              "), and the solution folder holds no notebook to check them against: add the reference notebook");
    } else if (notebooks.size() == 1) {
      python_reference_ = true;
      const fs::path dir = scratch_.folder("reference-python");
      fs::copy(notebooks.front(), dir / notebooks.front().filename());
      std::vector<std::string> by_files;  // what the files answer, for what the notebook leaves out
      if (!others.empty())
        for (const auto& e : r.exercises)
          if (e.passed()) by_files.push_back(e.id);
      const AssignmentResult in_bound = grade(dir);
      report_reference("reference solution (Python)", in_bound, Kind::failure, by_files);
      data_beside_notebook(dir, in_bound);
      function_cells(notebooks.front());
      given_in_notebook(dir);
      notebook_answers_ = notebook_answers(dir);
      reference_edges(in_bound, ", Python");
      if (!reference_failed_) other_seeds(dir, "reference solution (Python)", ", Python");
      if (notebooks.front().extension() == ".ipynb") colab_download(notebooks.front(), in_bound);
      without_instructions(notebooks.front(), in_bound);
      // Its answers as a notebook computing in float32 gives them.
      if (const auto passed = passing(in_bound, matrices_); !passed.empty())
        report_float32("reference in float32 (Python)", passed, passing(grade(dir, true), matrices_));
      // The same notebook called with the other precision: float64 arrays where the spec
      // passes float32 tensors, and the other way round.
      Spec other = open_;
      std::set<std::string> switches;  // "float32 instead of float64"
      for (auto& ex : other.exercises)
        if (ex.function) {
          auto& dtype = ex.function->python.dtype;
          const std::string bound = dtype;
          dtype = dtype == "float32" ? "float64" : "float32";
          switches.insert(dtype + " instead of " + bound);
        }
      const std::string switched = switches.size() > 1
                                       ? "the other precision (float64 instead of float32, and the other way round)"
                                   : switches.empty() ? ""
                                                      : *switches.begin();
      // Students get the precision the spec binds: another one failing is worth knowing (an
      // unstable softmax overflows in float32; a tolerance without a float32 rule is too tight
      // for float32), not a fault of the spec.
      // Only the function exercises that pass in the bound precision are in question: a failure
      // there is reported above, once.
      const auto kept = passing(in_bound, functions_);
      if (!switched.empty() && !kept.empty()) {
        AssignmentResult again = grade_submission(other, dir, grading_);
        // Nor those called with float32 whose float32 rule asks as much as the float64 one:
        // float64 is expected there.
        std::erase_if(again.exercises, [&](const ExerciseResult& e) {
          const auto ex =
              std::find_if(functions_.begin(), functions_.end(), [&](const Exercise* x) { return x->id == e.id; });
          return std::find(kept.begin(), kept.end(), e.id) == kept.end() ||
                 (ex != functions_.end() && (*ex)->function->python.dtype == "float64" &&
                  (*ex)->tolerance.float64_expected());
        });
        report_reference("reference solution (Python, called with " + switched + ", as students never are)", again,
                         Kind::warning, by_files);
      }
    }

    std::vector<AnswerRequest> requested;
    for (const auto* ex : matrices_)
      for (const auto& a : ex->answers) requested.push_back({a.name, a.shape});
    if (requested.empty()) return;
    const Submission s = load_submission(main_dir, requested, grading_.limits);
    std::map<std::string, Tensor> values;
    for (const auto& [name, answer] : s.answers)
      if (answer.value) values.emplace(name, *answer.value);
    values.insert(notebook_answers_.begin(), notebook_answers_.end());  // the files' first
    solution_answers_ = values;

    if (!passed64.empty() && !(spec_.python.only && notebooks.size() == 1))
      report_float32("reference in float32", passed64, passing(grade(main_dir, true), matrices_));
  }

  /// The answers the reference notebook in `dir` gives, as grading takes them (each at the end
  /// of its cell, where the spec says so): for the controls that need the reference's answers
  /// (known mistakes computed from the student's, all-zero answers), without answer files.
  std::map<std::string, Tensor> notebook_answers(const fs::path& dir) const {
    std::map<std::string, Tensor> out;
    const python::Found found = python::find_hand_in(spec_, dir);
    if (!found.hand_in) return out;
    const python::Run run = python::run(*found.hand_in, python::work_for(spec_, FunctionPlan{}), python::kNotebookSeed,
                                        python::limits_of(spec_.python));
    std::size_t i = 0;
    for (const auto& ex : spec_.exercises)
      for (const auto& a : ex.answers) {
        const python::Value& v = run.values.at(i++);
        if (v.value) out.emplace(a.name, *v.value);
      }
    return out;
  }

  /// Where the reference notebook fails an answer exercise: the data whose variables of the same
  /// names in the notebook differ, the likeliest cause (found by an instructor helper: data drawn
  /// with {generator: numpy, seed: 7}, where the notebook used np.random.default_rng(7), was
  /// said only as the reference failing exercises 1a and 1b). A variable of another shape is
  /// another thing of the same name, and says nothing.
  void data_beside_notebook(const fs::path& dir, const AssignmentResult& graded) {
    const bool answers_fail = std::any_of(graded.exercises.begin(), graded.exercises.end(), [&](const auto& e) {
      return !e.passed() && std::any_of(matrices_.begin(), matrices_.end(), [&](auto* m) { return m->id == e.id; });
    });
    const python::Found found = python::find_hand_in(spec_, dir);
    if (!answers_fail || spec_.data_order.empty() || !found.hand_in) return;
    python::Work work;
    for (const auto& name : spec_.data_order) work.values.push_back({name, name, ""});
    const python::Run run = python::run(*found.hand_in, work, python::kNotebookSeed, python::limits_of(spec_.python));
    std::vector<std::string> differ;
    for (std::size_t i = 0; i < spec_.data_order.size() && i < run.values.size(); ++i) {
      const auto& v = run.values[i].value;
      const Tensor& data = spec_.data.at(spec_.data_order[i]);
      if (!v || v->shape() != data.shape()) continue;
      if (const std::string how = python::data_difference(*v, data); !how.empty())
        differ.push_back(spec_.data_order[i] + " (which " + how + ")");
    }
    if (!differ.empty())
      add(Kind::warning, "data and the reference notebook",
          "the notebook's " + joined(differ) +
              " differ from the spec's data of those names, from which the answers' targets are computed: does the "
              "notebook make them as the spec does? (NumPy's np.random.default_rng draws other numbers than "
              "np.random.seed, which {generator: numpy, seed: N} reproduces)");
  }

  /// `python: {given: [...]}` names data the notebook defines itself: the reference notebook's
  /// own must be that data at its end, or a student failing an exercise that reads it would be
  /// told their notebook changed it.
  /// A function's `cell` text that the reference notebook does not hold: the exercise would be
  /// graded with the definition in force at the end, silently (found by an instructor helper: a
  /// misspelt `cell: "# Exercise 3"` passed the self-test).
  void function_cells(const fs::path& notebook) {
    std::string text;
    try {
      text = read_bounded(notebook);
      if (notebook.extension() == ".ipynb") {
        std::string cells;
        for (const auto& cell : nlohmann::json::parse(text).at("cells")) cells += text_of(cell.at("source")) + "\n";
        text = cells;
      }
    } catch (const std::exception&) {
      return;  // grading it has said what is wrong with it
    }
    for (const auto* ex : functions_) {
      const std::string& marker = ex->function->python.cell;
      if (marker.empty() || text.find(marker) != std::string::npos) continue;
      add(Kind::failure, "exercise " + ex->id,
          "its python cell text '" + marker + "' is in no cell of the reference notebook " +
              notebook.filename().string() +
              ", so the exercise is graded with the definition in force at the end of a notebook; give the text of "
              "a line of the cell that tests it, as the handout has it" +
              (ex->where.line > 0 ? " (the exercise is at " + ex->where.str() + ")" : ""));
    }
  }

  void given_in_notebook(const fs::path& dir) {
    const python::Found found = python::find_hand_in(spec_, dir);
    if (spec_.python.given.empty() || !found.hand_in) return;
    python::Work work;
    for (const auto& name : spec_.python.given) work.values.push_back({name, name, ""});
    const python::Run run = python::run(*found.hand_in, work, python::kNotebookSeed, python::limits_of(spec_.python));
    std::vector<std::string> wrong;
    for (std::size_t i = 0; i < spec_.python.given.size(); ++i) {
      const std::string& name = spec_.python.given[i];
      const python::Value& v = run.values.at(i);
      if (!v.value)
        wrong.push_back(name + " (" + v.message + ")");
      else if (const std::string how = python::data_difference(*v.value, spec_.data.at(name)); !how.empty())
        wrong.push_back(name + " (which " + how + ")");
    }
    if (wrong.empty())
      add(Kind::ok, "given data",
          "at its end, the reference notebook holds the spec's data in " + joined(spec_.python.given));
    else
      add(Kind::failure, "given data",
          "python given names data the notebook defines itself, but the reference notebook's " + joined(wrong) +
              ": a student failing an exercise that reads it would be told their notebook changed it; make the data "
              "as the notebook does, or leave the name out of python given");
  }

  /// The reference notebook as Colab downloads it (.py), graded too when an answer or a function
  /// is taken at a cell: such a download does not mark where a code cell ends, so the cell runs
  /// on to the next markdown text or the next answer's text, and a next code cell that changes
  /// the answer's variable changes what is taken (found by a helper writing a course: a correct
  /// Colab download lost the point its .ipynb had). What passes as the .ipynb and fails so is a
  /// warning: the notebook students get should change, not their code.
  void colab_download(const fs::path& notebook, const AssignmentResult& as_ipynb) {
    const bool at_cells = std::any_of(spec_.exercises.begin(), spec_.exercises.end(), [](const Exercise& ex) {
      return (ex.function && !ex.function->python.cell.empty()) ||
             std::any_of(ex.answers.begin(), ex.answers.end(),
                         [](const AnswerSpec& a) { return !a.python_cell.empty(); });
    });
    if (!at_cells) return;
    std::string script;
    try {
      script = colab_script(notebook);
    } catch (const std::exception&) {
      return;  // a notebook that does not read as one: its own grading above says so
    }
    const fs::path dir = scratch_.folder("reference-colab");
    const std::string name = notebook.stem().string() + ".py";
    std::ofstream(dir / name, std::ios::binary) << script;
    const AssignmentResult as_colab = grade(dir);
    std::vector<std::string> lost;
    for (const auto& e : as_colab.exercises)
      if (!e.passed() && std::any_of(as_ipynb.exercises.begin(), as_ipynb.exercises.end(),
                                     [&](const ExerciseResult& x) { return x.id == e.id && x.passed(); }))
        lost.push_back(e.id + " (" + std::string(to_string(e.verdict())) + ": " + first_line(e.message(), 240) + ")");
    if (lost.empty())
      add(Kind::ok, "reference as a Colab download (Python)",
          name + ", the reference notebook as Colab downloads it, passes what the .ipynb passes");
    else
      add(Kind::warning, "reference as a Colab download (Python)",
          name + ", the reference notebook as Colab downloads it, fails " + exercises_named(lost) +
              ": a Colab .py does not mark where a code cell ends, so an answer taken at a cell runs on to the next "
              "markdown text or the next answer's text; put a markdown cell after that answer's cell in the "
              "notebook students get, or have the cell after it not change the answer's variable");
  }

  /// The reference notebook without the comment (and markdown) lines that hold the `cell` texts
  /// of answers that give a `test_line`, as a student who deleted the instruction comments hands it in (and, for an
  /// .ipynb, as Colab downloads it): it must pass what the notebook passes, or a test line
  /// does not stand for its text (a typo in it, or a line of another cell).
  void without_instructions(const fs::path& notebook, const AssignmentResult& whole) {
    std::vector<std::string> texts;
    for (const auto& ex : spec_.exercises)
      for (const auto& a : ex.answers)
        if (!a.python_test_line.empty()) texts.push_back(a.python_cell);
    if (texts.empty()) return;
    // Of code, comment lines only: a student deletes instructions, not code.
    const auto stripped = [&](const std::string& source, bool code) {
      std::string out;
      for (std::size_t start = 0; start < source.size();) {
        const std::size_t end = std::min(source.find('\n', start), source.size() - 1);
        const std::string line = source.substr(start, end + 1 - start);
        const std::size_t first = line.find_first_not_of(" \t");
        if ((code && (first == std::string::npos || line[first] != '#')) ||
            std::none_of(texts.begin(), texts.end(),
                         [&](const std::string& t) { return line.find(t) != std::string::npos; }))
          out += line;
        start = end + 1;
      }
      return out;
    };
    const fs::path dir = scratch_.folder("reference-without-instructions");
    const fs::path copy = dir / notebook.filename();
    std::vector<std::pair<std::string, AssignmentResult>> forms;  // (how, graded)
    try {
      std::ifstream in(notebook, std::ios::binary);
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (notebook.extension() == ".ipynb") {
        nlohmann::json nb = nlohmann::json::parse(text);
        for (auto& cell : nb.at("cells"))
          cell["source"] = stripped(text_of(cell.at("source")), cell.value("cell_type", "") == "code");
        std::ofstream(copy, std::ios::binary) << nb.dump(1);
        forms.emplace_back("", grade(dir));
        const std::string script = colab_script(copy);
        fs::remove(copy);
        std::ofstream(dir / (notebook.stem().string() + ".py"), std::ios::binary) << script;
        forms.emplace_back(" as Colab downloads it", grade(dir));
      } else {
        std::ofstream(copy, std::ios::binary) << stripped(text, true);
        forms.emplace_back("", grade(dir));
      }
    } catch (const std::exception&) {
      return;  // a notebook that does not read as one: its own grading above says so
    }
    std::vector<std::string> lost;
    for (const auto& [how, graded] : forms)
      for (const auto& e : graded.exercises)
        if (!e.passed() && std::any_of(whole.exercises.begin(), whole.exercises.end(),
                                       [&](const ExerciseResult& x) { return x.id == e.id && x.passed(); }))
          lost.push_back(e.id + how + " (" + std::string(to_string(e.verdict())) + ": " + first_line(e.message(), 240) +
                         ")");
    std::string quoted;
    for (const auto& t : texts) quoted += (quoted.empty() ? "'" : ", '") + t + "'";
    const std::string what = "the reference notebook without its comment lines holding " + quoted +
                             ", as a student who deleted the instruction comments hands it in";
    if (lost.empty())
      add(Kind::ok, "test lines (Python)",
          what + ", passes what the notebook passes" +
              (forms.size() > 1 ? ", as itself and as Colab downloads it" : "") +
              ": its answers are taken at their test lines");
    else
      add(Kind::warning, "test lines (Python)",
          what + ", fails " + exercises_named(lost) +
              ": check each such answer's test_line against the notebook (the line of code that tests the answer, "
              "after it, in its cell)");
  }

  /// Whether the matrix exercises the reference passes (`passed64`) still pass with its answers
  /// rounded to float32 (`passed32`), as a student computing in float32 hands them in.
  /// An exercise whose float32 rule asks for what float32 answers cannot meet has been told so
  /// (found by an instructor helper: a float64 course could not clear the warning).
  void report_float32(const std::string& what, const std::vector<std::string>& passed64,
                      const std::vector<std::string>& passed32) {
    std::vector<std::string> lost, meant;
    for (const auto* ex : matrices_)
      if (std::find(passed64.begin(), passed64.end(), ex->id) != passed64.end() &&
          std::find(passed32.begin(), passed32.end(), ex->id) == passed32.end())
        (ex->tolerance.float64_expected() ? meant : lost).push_back(ex->id + " (" + describe(ex->tolerance) + ")");
    if (lost.empty() && !meant.empty())
      add(Kind::ok, what,
          "the reference answers rounded to float32 fail only " + joined(meant) +
              ", whose float32 rule asks as much as its float64 one: float64 is expected there");
    else if (lost.empty())
      add(Kind::ok, what,
          passed64.size() == 1 ? std::string("the reference answers rounded to float32 pass the matrix exercise they "
                                             "pass in float64")
                               : fmt::format("the reference answers rounded to float32 pass the {} matrix exercises "
                                             "they pass in float64",
                                             passed64.size()));
    else
      add(Kind::warning, what,
          "the reference answers rounded to float32 fail " + joined(lost) +
              ": the tolerance is tighter than float32 precision, so a student computing in float32 "
              "(PyTorch's default) fails; give the tolerance a float32 rule, which float32 answers get and "
              "float64 ones do not (`float32: {atol: 1.0e-5, rtol: 1.0e-5}` beside its atol and rtol; "
              "docs/spec-format.md), or, where float64 is expected, a float32 rule as strict as its own "
              "(`float32: {atol: 1.0e-9, rtol: 1.0e-9}`): float32 answers then fail on purpose, told to compute in "
              "float64");
  }

  void empty_submission() {
    const auto passed = passing(grade(scratch_.folder("empty")), all());
    if (passed.empty())
      add(Kind::ok, "empty submission", fmt::format("fails every exercise ({})", spec_.exercises.size()));
    else
      add(Kind::failure, "empty submission", "passes " + joined(passed) + ": these exercises give points for nothing");
  }

  std::vector<const Exercise*> all() const {
    std::vector<const Exercise*> out;
    for (const auto& ex : spec_.exercises) out.push_back(&ex);
    return out;
  }

  void zero_answers() {
    if (matrices_.empty()) return;
    std::map<std::string, Tensor> zeros;
    for (const auto* ex : matrices_)
      for (const auto& a : ex->answers) zeros.emplace(a.name, Tensor::filled(a.shape, 0.0));
    const fs::path dir = scratch_.folder("zeros");
    write_answers(dir, zeros);
    std::vector<std::string> wrongly, expected;
    for (const auto& id : passing(grade(dir), matrices_)) {
      const auto* ex = *std::find_if(matrices_.begin(), matrices_.end(), [&](auto* x) { return x->id == id; });
      // Zeros may be the right answer (a zero query averages all values): not a control then.
      bool zero_is_right = solution_answers_.has_value();
      for (const auto& name : answers_read(*ex)) {
        if (!zero_is_right) break;
        const auto it = solution_answers_->find(name);
        zero_is_right = it != solution_answers_->end() && all_zero(it->second);
      }
      (zero_is_right ? expected : wrongly).push_back(id);
    }
    if (!wrongly.empty()) {
      if (solution_answers_)
        add(Kind::failure, "all-zero answers", "pass " + joined(wrongly) + ": these exercises give points for zeros");
      else
        add(Kind::warning, "all-zero answers",
            "pass " + joined(wrongly) +
                ": if zeros are a right answer there, say so with a reference solution "
                "whose answer is zeros; otherwise these exercises give points for zeros");
      return;
    }
    add(Kind::ok, "all-zero answers",
        fmt::format("fail {} of {}", matrices_.size() - expected.size(), counted(matrices_.size(), "matrix exercise")) +
            (expected.empty() ? "" : " (" + joined(expected) + ": zeros are the reference answer)"));
  }

  /// What a C or C++ library is not given that the Python call passes: a constant
  /// (`{value: 0.5, keyword: scale}`), or a size of each case that no input's or output's shape
  /// holds (`{size: heads}`; a library knows its outputs' shapes, which the grader allocates). Found by an instructor
  /// helper: a colleague's C solution failed both, told "the scale argument is ignored", and nothing had said that no
  /// library could pass.
  void library_hand_ins() {
    if (spec_.python.only) return;
    std::map<std::string, std::set<std::string>> constants_of;  // symbol -> the constants of each exercise
    for (const auto* ex : functions_) {
      std::string given;
      for (const auto& a : ex->function->python.arguments)
        if (!a.constant.empty()) given += (given.empty() ? "" : ", ") + argument_text(a);
      constants_of[ex->function->symbol].insert(given);
    }
    std::vector<std::string> items;
    for (const auto* ex : functions_) {
      const FunctionSpec& fn = *ex->function;
      std::vector<std::string> unseen, constants;
      for (const auto& a : fn.python.arguments) {
        const auto holds = [&](const TensorDecl& d) {
          return std::find(d.dims.begin(), d.dims.end(), a.size) != d.dims.end();
        };
        if (!a.size.empty() && std::none_of(fn.inputs.begin(), fn.inputs.end(), holds) &&
            std::none_of(fn.outputs.begin(), fn.outputs.end(), holds))
          unseen.push_back(argument_text(a));
        if (!a.constant.empty()) constants.push_back(argument_text(a));
      }
      if (!unseen.empty())
        items.push_back(
            fmt::format("exercise {} passes {} to the notebook's {}, a size no input's or output's shape holds: a "
                        "library's {} cannot know it, so no library passes",
                        ex->id, joined(unseen), fn.python.function, fn.symbol));
      if (!constants.empty())
        items.push_back(
            fmt::format("exercise {} passes {} to the notebook's {}: a library's {} is not given {}, and "
                        "passes only computing with {} of its own{}",
                        ex->id, joined(constants), fn.python.function, fn.symbol, constants.size() > 1 ? "them" : "it",
                        constants.size() > 1 ? "them as constants" : "it as a constant",
                        constants_of[fn.symbol].size() > 1
                            ? " (then it fails an exercise that calls " + fn.symbol + " with other constants, or none)"
                            : ""));
    }
    if (!items.empty())
      add(Kind::warning, "library hand-ins",
          fmt::format("{}", fmt::join(items, "; ")) +
              ". A C or C++ function gets the inputs only. If students hand in notebooks only, write `python: "
              "{only: true}`: libraries are then never graded");
  }

  /// A Python argument that is no input, as the call writes it: "scale=0.5", "heads".
  static std::string argument_text(const PythonBinding::Argument& a) {
    const std::string value = a.size.empty() ? a.constant : a.size;
    return a.keyword.empty() ? value : a.keyword + "=" + value;
  }

  /// The inputs a function exercise's property points need (property_points_need): on the case
  /// each random property check draws them anew on (seed 1's: the first of its drawn cases, in
  /// an order from the seed, where they change, else the one of every upper bound), the right
  /// outputs must change, else that call holds a student's outputs to nothing.
  void property_needs() {
    std::size_t calls = 0;
    std::vector<std::string> unchanged;
    const FunctionPlan plan = plan_functions(spec_, "", grading_);
    for (const auto& pc : plan.checks)
      for (const auto& need : pc.needs) {
        ++calls;
        const Case& c = pc.cases[pc.need_case];
        bool changes = false;
        for (std::size_t o = 0; o < need.expected.size(); ++o)
          changes = changes || !compare(need.expected[o], c.expected[o], pc.check->tolerance).passed();
        if (!changes)
          unchanged.push_back(
              fmt::format("{} in exercise {} check '{}' ({})", need.input, pc.exercise->id, pc.check->name, c.label));
      }
    if (calls == 0) return;
    if (!unchanged.empty())
      add(Kind::warning, "property points need",
          "the right outputs stay the same with " + joined(unchanged) +
              " drawn anew: a student's outputs need not follow it there; name only inputs the outputs depend on");
    else
      add(Kind::ok, "property points need",
          fmt::format("the right outputs change with each input named drawn anew ({} call{} with one drawn anew)",
                      calls, calls == 1 ? "" : "s"));
  }

  void first_input() {
    if (functions_.empty()) return;
    const fs::path dir = scratch_.folder("first-input");
    std::ofstream(dir / "solution.c") << first_input_library(spec_);
    const AssignmentResult r = grade(dir);  // the checks a notebook's function meets too
    // Where students hand in notebooks only, a library is no hand-in of theirs (found by an
    // instructor helper, who wondered whether libraries were graded after all).
    const std::string what = spec_.python.only ? "a function returning its first input (tried as a C library)"
                                               : "library returning its first input";
    const auto passed = passing(r, functions_);
    if (!passed.empty()) {
      add(Kind::failure, what, "passes " + joined(passed));
      return;
    }
    for (const auto& e : r.exercises)
      if (e.verdict() == Verdict::compile_error) {
        add(Kind::warning, what,
            "could not be compiled with the spec's compile_c command: " + first_line(e.message(), 200));
        return;
      }
    add(Kind::ok, what, fmt::format("fails every function exercise ({})", functions_.size()));
  }

  /// How much of the tolerance `got` (in float64, or rounded to float32) uses against
  /// `expected` (Comparison::used): above 1 it fails; another shape is infinitely far.
  static double share(const Tensor& got, const Tensor& expected, const Tolerance& t, bool float32) {
    const Comparison c = compare(float32 ? to_float32(got) : got, expected, t.in(float32 ? "float32" : "float64"));
    return c.shape_ok() ? c.used : std::numeric_limits<double>::infinity();
  }

  void matrix_mistakes() {
    std::size_t checked = 0;
    std::vector<std::string> passing_mistakes, skipped, carried;
    std::set<std::string> unread;
    for (const auto* ex : matrices_) {
      if (ex->mistakes.empty()) continue;
      // The target and the mistakes: what they read of the student's answers must come from
      // the reference solution's answer files.
      std::set<std::string> reads = ex->expect.answers;
      for (const auto& m : ex->mistakes) reads.insert(m.expression.answers.begin(), m.expression.answers.end());
      std::set<std::string> lacking;
      for (const auto& n : reads)
        if (!solution_answers_ || !solution_answers_->count(n)) lacking.insert(n);
      if (!lacking.empty()) {
        skipped.push_back(ex->id);
        unread.insert(lacking.begin(), lacking.end());
        continue;
      }
      expr::Scope scope;
      scope.add(spec_.data);
      if (solution_answers_) scope.add(*solution_answers_);
      const Tensor expected = ex->expect.evaluate(scope);
      for (const auto& m : ex->mistakes) {
        const Tensor got = m.expression.evaluate(scope);
        const double in64 = share(got, expected, ex->tolerance, false),
                     in32 = share(got, expected, ex->tolerance, true);
        // A mistake computed from other exercises' answers only (this line right, over a wrong
        // earlier answer) is the target where those answers are the reference's, as it must
        // be: it names nothing there (docs/spec-format.md).
        const bool from_others = !m.expression.answers.empty() &&
                                 std::none_of(ex->answers.begin(), ex->answers.end(), [&](const AnswerSpec& a) {
                                   return m.expression.answers.count(a.name) > 0;
                                 });
        if (from_others && in64 <= 1 && in32 <= 1)
          carried.push_back(mistake_name(ex->id, m.message));
        else if (in64 <= 1 || in32 <= 1)
          passing_mistakes.push_back(fmt::format("{}{} in {} ({})", mistake_name(ex->id, m.message),
                                                 written_at(m.expression.where),
                                                 in64 > 1   ? "float32"
                                                 : in32 > 1 ? "float64"
                                                            : "float64 and float32",  // found by an instructor helper
                                                 describe(ex->tolerance)));
        else  // every student's one case
          nearer(std::min(in64, in32) > kApart ? 0 : 1, mistake_name(ex->id, m.message));
        ++checked;
      }
    }
    if (!skipped.empty())
      add(Kind::warning, "known mistakes",
          fmt::format("not checked for exercise{} {}: the target or the mistakes are computed from the student's {}, "
                      "which {}",
                      skipped.size() == 1 ? "" : "s", joined(skipped), joined({unread.begin(), unread.end()}),
                      solution_answers_ ? "the reference solution gives neither in an answer file nor as its "
                                          "notebook's variable"
                                        : "a reference solution would give (the spec names none)"));
    mistake_passed_ = mistake_passed_ || !passing_mistakes.empty();
    if (!passing_mistakes.empty())
      add(Kind::failure, "known mistakes",
          "these pass, so the tolerance is looser than the mistake, or the mistake is the right answer: " +
              joined(passing_mistakes));
    else if (checked > 0) {
      std::vector<std::string> said;
      if (checked > carried.size())
        said.push_back(fmt::format("each of the {} declared for matrix exercises fails, in float64 and float32",
                                   checked - carried.size()));
      // Named, so that an author sees a mistake of the step itself that only happens to be the
      // target among them (found by a reviewing helper).
      if (!carried.empty())
        said.push_back(
            fmt::format("computed from other exercises' answers only, and the target with the reference "
                        "solution's, as {} must be to name only a wrong earlier answer: {}",
                        carried.size() == 1 ? "it" : "they", joined(carried)));
      add(Kind::ok, "known mistakes", fmt::format("{}", fmt::join(said, "; ")));
    }
  }

  void function_mistakes() {
    std::size_t checked = 0;
    // A check whose float32 rule lets a mistake through that its float64 rule stops gives the
    // mistake that check's points in float32 (found by a helper writing a course: a loose
    // float32 tolerance on one check, and the self-test only asked that each mistake fail some
    // check of its exercise); one that passes every check in float32 is a failure instead.
    std::vector<std::string> passing_mistakes, loose, blind;
    for (const auto* ex : functions_) {
      const FunctionSpec& fn = *ex->function;
      std::vector<bool> rejects(fn.checks.size(), false);  // some known mistake fails it, in both precisions
      for (const auto& m : fn.mistakes) {
        std::vector<std::string> loose_here;
        double in64 = 0, in32 = 0;      // how far beyond the check that rejects it most (above 1: caught)
        double miss64 = 1, miss32 = 1;  // the chance that no check of a student's tells it apart
        for (std::size_t ci = 0; ci < fn.checks.size(); ++ci) {
          const Reach by64 = beyond(fn, ci, m, false), by32 = beyond(fn, ci, m, true);
          in64 = std::max(in64, by64.most);
          in32 = std::max(in32, by32.most);
          miss64 *= by64.miss();
          miss32 *= by32.miss();
          if (by64.most > 1 && by32.most <= 1)
            loose_here.push_back(mistake_name(ex->id, m.message) + " passes '" + fn.checks[ci].name + "'");
          if (by64.most > 1 && by32.most > 1) rejects[ci] = true;
        }
        if (in64 <= 1 || in32 <= 1) {
          passing_mistakes.push_back(mistake_name(ex->id, m.message) + written_at(m) + " in " +
                                     (in64 > 1 ? "float32" : "float64"));
        } else {
          loose.insert(loose.end(), loose_here.begin(), loose_here.end());
          nearer(std::max(miss64, miss32), mistake_name(ex->id, m.message));
        }
        ++checked;
      }
      // Where no check fails any (the mistakes pass), a failure below says so.
      const bool any = std::find(rejects.begin(), rejects.end(), true) != rejects.end();
      for (std::size_t ci = 0; ci < fn.checks.size(); ++ci)
        if (any && !rejects[ci] && !fn.checks[ci].property_got)
          blind.push_back(fmt::format("exercise {} '{}' ({:g} of {:g} points)", ex->id, fn.checks[ci].name,
                                      fn.checks[ci].points, ex->points));
    }
    mistake_passed_ = mistake_passed_ || !passing_mistakes.empty();
    if (!blind.empty())
      add(Kind::warning, "known mistakes",
          "no known mistake of its exercise fails " + joined(blind) +
              ", so a student making any of them gets its points: give it a case where they differ (unless it is "
              "there for other faults)");
    if (!passing_mistakes.empty())
      add(Kind::failure, "known mistakes",
          "these pass every check of their exercise that compares outputs with targets (a property is not tried "
          "here; the Python line below tries them all): " +
              joined(passing_mistakes) + kPassingMistake);
    else if (checked > 0)
      add(Kind::ok, "known mistakes",
          fmt::format("each of the {} declared for function exercises fails a check, in float64 and float32", checked));
    if (!loose.empty())
      add(Kind::warning, "known mistakes",
          "in float32 only, " + joined(loose) +
              ", and gets its points: that check's float32 tolerance is looser than the mistake");
    // Outputs that match two mistakes of different messages name neither (either would be a
    // guess): two that agree in every case are never named (found by a helper: a mistake
    // written twice passed the self-test).
    std::vector<std::string> twins;
    std::size_t pairs = 0;
    for (const auto* ex : functions_) {
      const FunctionSpec& fn = *ex->function;
      for (std::size_t i = 0; i < fn.mistakes.size(); ++i)
        for (std::size_t j = i + 1; j < fn.mistakes.size(); ++j)
          if (fn.mistakes[i].message != fn.mistakes[j].message &&
              (++pairs, !told_apart(fn, fn.mistakes[i], fn.mistakes[j])))
            twins.push_back(mistake_name(ex->id, fn.mistakes[i].message) + " and '" +
                            short_message(fn.mistakes[j].message) + "'");
    }
    if (!twins.empty())
      add(Kind::warning, "known mistakes",
          "these give the same outputs (within their tolerance) in every case checked, so a student who makes them "
          "is told neither: " +
              joined(twins) +
              "; merge them into one message, make a check whose cases tell them apart, or tighten the tolerance");
    else if (pairs > 0)
      add(Kind::ok, "known mistakes",
          fmt::format("every two of a function exercise are told apart in some case ({})", counted(pairs, "pair")));
  }

  /// How near their tolerances' edges the reference solution and the known mistakes come (found
  /// by a helper writing a course: a float32 rule that the reference met at the default
  /// tolerance already, and nothing said how close either side came). A tolerance sits well
  /// between the two: an honest solution computing in another order (another BLAS, PyTorch
  /// version, machine) errs a few times more than the reference here; a mistake that exceeds
  /// the tolerance only a little in these cases may not in a student's random ones.
  void margins() {
    // A fixed case is every student's: what its target owes to rounding (printed values) is
    // the same for all, and only the order of computation differs. Random cases are drawn per
    // student, and the largest error over other cases can be larger.
    constexpr double kRandomShare = 0.25, kFixedShare = 0.9, kMistakeMiss = 1e-3;
    const auto percent = [](double u) { return fmt::format("{:.3g}%", 100 * u); };
    std::vector<std::string> said, near;
    // Where the reference fails a check, or a mistake passes, a failure says so above: a margin
    // of the rest would read as all well.
    if (!reference_failed_) {
      for (const auto& u : reference_uses_)
        if (u.used > (u.random ? kRandomShare : kFixedShare)) near.push_back(u.where + " " + percent(u.used));
      const auto most = std::max_element(reference_uses_.begin(), reference_uses_.end(),
                                         [](const Use& a, const Use& b) { return a.used < b.used; });
      if (!near.empty())
        add(Kind::warning, "margins",
            fmt::format("the reference solution uses much of the tolerance of {} ({} of a random check's, {} of a "
                        "fixed one's, is the most that leaves room): an honest solution computing in another order "
                        "(another BLAS, PyTorch version or machine) or, for random checks, given other cases can err "
                        "more; loosen the tolerance",
                        joined(near), percent(kRandomShare), percent(kFixedShare)));
      else if (most != reference_uses_.end())
        said.push_back(fmt::format("the reference solution uses at most {} of a tolerance ({})", percent(most->used),
                                   most->where));
    }
    if (nearest_mistake_.miss && !mistake_passed_) {
      const double miss = *nearest_mistake_.miss;
      const std::string& where = nearest_mistake_.where;
      if (miss == 1)
        add(Kind::warning, "margins",
            fmt::format("no case here tells {} apart from the right answer by more than {:g} times the tolerance: so "
                        "near its edge, the order of computation can decide whether it passes; tighten the "
                        "tolerance, or add a case where the mistake differs more",
                        where, kApart));
      else if (miss > kMistakeMiss)
        add(Kind::warning, "margins",
            fmt::format(
                "a student making {} has a {} chance that none of their random cases tells it apart from the "
                "right answer by more than {:g} times the tolerance (judging by {} or more cases drawn here): add a "
                "fixed case where it differs, or more trials",
                where, percent(miss), kApart, kJudgedCases));
      else if (miss == 0)  // no "likeliest missed ... with a chance of 0" (found by an instructor helper)
        said.push_back(fmt::format(
            "every known mistake lies beyond {:g} times a tolerance in a case of every student's sizes (a fixed "
            "case, or a random check's bounds)",
            kApart));
      else
        said.push_back(fmt::format(
            "every known mistake lies beyond {:g} times a tolerance in a case of every student's sizes (a fixed "
            "case, or a random check's bounds), or in drawn cases so often that a student's cases miss it with a "
            "chance below {} (the likeliest to be missed: {}, with a chance of {})",
            kApart, percent(kMistakeMiss), where, miss < 1e-6 ? "less than one in a million" : percent(miss)));
    }
    if (!said.empty()) add(Kind::ok, "margins", fmt::format("{}", fmt::join(said, "; ")));
  }

  /// True if some case of a check that compares outputs tells the two mistakes apart: on an
  /// output both give, grading can name one there and not the other, or they differ.
  bool told_apart(const FunctionSpec& fn, const FunctionMistake& a, const FunctionMistake& b) const {
    bool shared = false;
    for (const auto& [out, _] : a.outputs) shared = shared || b.outputs.count(out) > 0;
    if (!shared) return true;  // a student's outputs may match both: then both are named (named_mistake())
    const Tolerance rule = a.tolerance.in("float64");
    for (std::size_t ci = 0; ci < fn.checks.size(); ++ci) {
      if (fn.checks[ci].property_got) continue;
      for (const auto& c : check_cases(spec_, fn, ci, kSeed)) {
        const CaseNames names(fn, c.inputs, c.dims, spec_.data, c.label);
        for (std::size_t o = 0; o < fn.outputs.size(); ++o) {
          const auto& d = fn.outputs[o];
          if (!a.outputs.count(d.name) || !b.outputs.count(d.name)) continue;
          // As grading names them: computed and finite but for the right answer's own Inf
          // (beside outputs of the declared shape, or of the mistake's own where it has another).
          std::optional<Tensor> right;  // computed once an Inf asks for it
          const auto nameable = [&](const FunctionMistake& m) {
            auto v = m.output(d.name, names.scope());
            if (v && !all_finite(*v)) {
              if (!right) right = expected_output(spec_, fn, fn.checks[ci], o, names, c.label);
              if (!finite_but_as(*v, &*right)) v.reset();
            }
            return v;
          };
          const auto x = nameable(a), y = nameable(b);
          if (bool(x) != bool(y) || (x && !is_mistake(*x, *y, rule))) return true;
        }
      }
    }
    return false;
  }

  /// Each known mistake of a function exercise as a Python hand-in computing it with NumPy, in
  /// the precision the spec binds and in the other one (mistake_notebook()): graded as a
  /// student's function, through the confined child, it must fail a check by its values. This
  /// proves, beyond beyond() (the mistake's values rounded to float32 in the grader), that the
  /// tolerances tell it apart where it is computed in float32 from start to end.
  void python_mistakes() {
    std::size_t checked = 0;
    std::vector<std::string> passing_mistakes, passing_other, not_computed, misnamed, unnamed, skipped, read;
    for (const auto* ex : functions_) {
      const FunctionSpec& fn = *ex->function;
      // A mistake is computed in the exercise's form of the outputs, which `read` makes of the
      // student's: a function returning it would be read again.
      if (std::any_of(fn.python.read.begin(), fn.python.read.end(), [](const std::string& r) { return !r.empty(); })) {
        if (!fn.mistakes.empty()) read.push_back(ex->id);
        continue;
      }
      for (std::size_t k = 0; k < fn.mistakes.size(); ++k) {
        const FunctionMistake& m = fn.mistakes[k];
        const std::string name = mistake_name(ex->id, m.message);
        std::set<std::string> unknown;
        const std::string notebook = mistake_notebook(spec_, fn, m, unknown);
        if (!unknown.empty()) {
          skipped.push_back(name + " (reads " + joined({unknown.begin(), unknown.end()}) + ")");
          continue;
        }
        const fs::path dir = scratch_.folder(fmt::format("mistake-{}-{}", checked, k));
        const std::string file =
            spec_.python.file.empty() ? "mistake.py" : fs::path(spec_.python.file).stem().string() + ".py";
        std::ofstream(dir / file, std::ios::binary) << notebook;
        const std::string bound = fn.python.dtype, other = bound == "float32" ? "float64" : "float32";
        for (const std::string& dtype : {bound, other}) {
          Spec one = open_;
          std::erase_if(one.exercises, [&](const Exercise& e) { return e.id != ex->id; });
          one.exercises.front().function->python.dtype = dtype;
          const AssignmentResult r = grade_submission(one, dir, grading_);
          const ExerciseResult& e = r.exercises.front();
          const bool by_values = std::any_of(e.checks.begin(), e.checks.end(), [](const CheckResult& c) {
            return c.verdict == Verdict::wrong || c.verdict == Verdict::wrong_shape || c.verdict == Verdict::non_finite;
          });
          const bool named = std::any_of(e.checks.begin(), e.checks.end(),
                                         [&](const CheckResult& c) { return c.mistake == m.message; });
          const auto other_named = std::find_if(e.checks.begin(), e.checks.end(), [&](const CheckResult& c) {
            return c.mistake && *c.mistake != m.message;
          });
          // Failing some check, one worth no points included, as above: a mistake may be declared to
          // be named in a check for information (the mask's first row, in a causal check only).
          if (!e.any_check_failed())
            (dtype == bound ? passing_mistakes : passing_other).push_back(name + written_at(m) + " in " + dtype);
          else if (!by_values)
            not_computed.push_back(name + " in " + dtype + " (" + std::string(to_string(e.verdict())) + ": " +
                                   first_line(e.message(), 240) + ")");
          else if (ex->visibility != Visibility::visible || dtype != bound)
            continue;
          else if (other_named != e.checks.end())
            misnamed.push_back(name + " in " + dtype + " (told: '" + short_message(*other_named->mistake) + "' in " +
                               other_named->name + ")");
          else if (!named)
            unnamed.push_back(name + " in " + dtype + " (told: " + first_line(e.message(), 160) + ")");
        }
        ++checked;
      }
    }
    const std::string what = "known mistakes (Python)";
    const auto report = [&](Kind kind, const std::vector<std::string>& items, const std::string& before,
                            const std::string& after) {
      if (!items.empty()) add(kind, what, before + joined(items) + after);
    };
    report(Kind::warning, skipped, "not run as Python functions: ",
           ": a size no input's shape holds and no argument passes, which the function cannot know (its "
           "grader-side check above still holds); to run it as Python too, write such a size from those the "
           "function knows, as `size(Q, 2) / heads` for a derived d_head, or `-1` in a reshape");
    report(Kind::ok, read, "not run as Python functions, the known mistakes of exercise ",
           ": its outputs are read through python.read (their grader-side checks above still hold)");
    report(Kind::failure, passing_mistakes,
           "these pass every check of their exercise when a Python function computes them in the precision students "
           "are called with: ",
           kPassingMistake);
    // A mistake that computes at some sizes only (`Q @ K`, keys not transposed, in square cases)
    // fails the exercise all the same, by an error, but names itself only where it computes.
    report(Kind::warning, not_computed,
           "a Python function computing these raised an error in every case that failed, so a student who makes them "
           "is told that error, never the mistake: ",
           "; if the mistake computes at some sizes only, give a check such sizes (a size derived from another: "
           "`d_k: n` makes the cases square)");
    report(Kind::warning, misnamed, "a Python function computing these is told another known mistake: ",
           "; the tolerance is looser than the difference between the two, or they agree on the cases that failed");
    report(
        Kind::warning, passing_other,
        "these pass every check of their exercise when computed in the precision students are never called with: ", "");
    report(Kind::warning, unnamed,
           "these fail, but the feedback does not name them: computed so, their outputs are not within the "
           "mistake's own tolerance of its values (one tighter than the precision; NaN in a row masked whole, where "
           "the spec's functions give zeros), or match another mistake too: ",
           "; students who make them are told the differences only: loosen the mistake's own tolerance, write its "
           "outputs as the student's code computes them, merge it with the other mistake, or drop it (a mistake "
           "whose code gives NaN, a row masked whole, is never named where it does: a NaN would match any "
           "student's NaN; those students are shown the NaN and a hint at its cause)");
    if (passing_mistakes.empty() && checked > 0)
      add(Kind::ok, what,
          fmt::format("each of the {} declared for function exercises, computed by a Python function in NumPy, fails "
                      "a check in the precision students are called with{}",
                      checked, passing_other.empty() ? ", and in the other one" : ""));
  }

  /// How far beyond its tolerance check `ci` finds the mistake over kSeed's cases (share()):
  /// above 1 at worst, the check rejects it; and, for a random check, how often over at least
  /// kJudgedCases drawn cases. No cases for a property, which compares no outputs with targets.
  Reach beyond(const FunctionSpec& fn, std::size_t ci, const FunctionMistake& m, bool float32) const {
    Reach r;
    const FunctionCheck& check = fn.checks[ci];
    if (check.property_got) return r;
    r.every = true;  // until the bounds of a seed do not tell it apart
    for (std::uint64_t seed = kSeed;; ++seed) {
      const auto cases = check_cases(spec_, fn, ci, seed);
      bool at_bounds = false;
      for (std::size_t k = 0; k < cases.size(); ++k) {
        const Case& c = cases[k];
        const CaseNames names(fn, c.inputs, c.dims, spec_.data, c.label);
        const expr::Scope& scope = names.scope();
        double here = 0;
        bool compared = false;
        for (std::size_t o = 0; o < fn.outputs.size(); ++o) {
          const auto mistaken = m.outputs.find(fn.outputs[o].name);
          if (mistaken == m.outputs.end()) continue;
          if (const auto value = m.output(mistaken->first, scope)) {
            here = std::max(here, share(*value, expected_output(spec_, fn, check, o, names), check.tolerance, float32));
            compared = true;
          }
        }
        // Where it cannot be computed (`Q @ K` at other than square sizes), a student's code
        // that makes it raises, and fails the check all the same.
        const bool apart = !compared || here > kApart;
        if (seed == kSeed) r.most = std::max(r.most, here);
        if (!check.random() || k < 2) {
          at_bounds = at_bounds || apart;
        } else {
          ++r.judged;
          r.apart += apart;
        }
      }
      r.every = r.every && at_bounds;
      if (seed == kSeed) r.drawn = r.judged;
      if (!check.random() || r.drawn == 0 || r.judged >= kJudgedCases) break;
    }
    return r;
  }
};

}  // namespace

bool Report::failed() const { return count(Kind::failure) > 0; }

std::size_t Report::count(Finding::Kind kind) const {
  return static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.kind == kind; }));
}

Report check(const Spec& spec, const Options& options) { return Checker(spec, options).run(); }

std::string to_text(const Report& report) {
  std::string out;
  for (const auto& f : report.findings) {
    const char* tag = f.kind == Kind::ok ? "ok  " : f.kind == Kind::warning ? "warn" : "FAIL";
    out += fmt::format("  {}  {}: {}\n", tag, f.what, f.message);
  }
  return out;
}

}  // namespace grader::selftest
