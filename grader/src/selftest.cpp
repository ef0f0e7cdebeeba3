#include "grader/selftest.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "function_grading.hpp"
#include "grader/answers/submission.hpp"
#include "grader/compare.hpp"
#include "grader/error.hpp"
#include "grader/expr/evaluate.hpp"
#include "grader/grade.hpp"
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

class Checker {
 public:
  Checker(const Spec& spec, const Options& options) : spec_(spec), open_(spec) {
    grading_.cache_dir = options.cache_dir;
    open_.python.only = false;
  }

  Report run() {
    for (const auto& ex : spec_.exercises) (ex.function ? functions_ : matrices_).push_back(&ex);
    structure();
    reference();
    empty_submission();
    zero_answers();
    first_input();
    matrix_mistakes();
    function_mistakes();
    return report_;
  }

 private:
  const Spec& spec_;
  /// The spec taking every kind of hand-in: a spec that grades notebooks only still has its
  /// answer files and library references checked, and its controls made, as the others.
  Spec open_;
  GradeOptions grading_;
  Scratch scratch_;
  Report report_;
  std::vector<const Exercise*> matrices_, functions_;
  std::optional<std::map<std::string, Tensor>> solution_answers_;  ///< when the solution has them

  void add(Kind kind, std::string what, std::string message) {
    report_.findings.push_back({kind, std::move(what), std::move(message)});
  }

  /// `dir` graded as a student's folder (`float32`: its answers rounded to float32 as read).
  AssignmentResult grade(const fs::path& dir, bool float32 = false) {
    GradeOptions options = grading_;
    options.answers_in_float32 = float32;
    return grade_submission(open_, dir, options);
  }

  /// "ok" when every exercise of `r` passed, else which failed and why.
  /// Exercises in `files_only` (answered by the solution's files, missing from its notebook)
  /// are left out of a notebook's verdict.
  void report_reference(const std::string& what, const AssignmentResult& r, Kind failing_kind = Kind::failure,
                        const std::vector<std::string>& files_only = {}) {
    std::vector<std::string> failing, left_out;
    for (const auto& e : r.exercises) {
      if (e.passed()) continue;
      if (e.verdict() == Verdict::missing &&
          std::find(files_only.begin(), files_only.end(), e.id) != files_only.end()) {
        left_out.push_back(e.id);
        continue;
      }
      failing.push_back(e.id + " (" + std::string(to_string(e.verdict())) + ": " + first_line(e.message(), 240) + ")");
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
      add(failing_kind, what, "fails " + joined(failing));
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

  void reference() {
    if (!spec_.solution) {
      add(Kind::warning, "reference solution",
          "the spec names none (add `solution: <folder>`, relative to the spec, holding the right answers "
          "and/or solution sources): it cannot be shown to pass, and mistakes that read a student's "
          "answers cannot be checked");
      return;
    }
    if (!fs::is_directory(*spec_.solution)) {
      add(Kind::failure, "reference solution",
          "its folder " + spec_.solution->string() + " does not exist (`solution:` is relative to the spec)");
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
    if (notebooks.empty() || !others.empty()) report_reference("reference solution", r);
    if (notebooks.size() > 1) {
      add(Kind::failure, "reference solution (Python)",
          "its folder holds " + std::to_string(notebooks.size()) + " notebooks; keep one .py or .ipynb");
    } else if (notebooks.empty() && spec_.python.only) {
      add(Kind::failure, "reference solution (Python)",
          "the spec grades notebooks only (python: {only: true}), and its solution folder holds none: add the "
          "reference notebook (.py or .ipynb)");
    } else if (notebooks.size() == 1) {
      const fs::path dir = scratch_.folder("reference-python");
      fs::copy(notebooks.front(), dir / notebooks.front().filename());
      std::vector<std::string> by_files;  // what the files answer, for what the notebook leaves out
      if (!others.empty())
        for (const auto& e : r.exercises)
          if (e.passed()) by_files.push_back(e.id);
      const AssignmentResult in_bound = grade(dir);
      report_reference("reference solution (Python)", in_bound, Kind::failure, by_files);
      // Its answers as a notebook computing in float32 gives them.
      if (const auto passed = passing(in_bound, matrices_); !passed.empty())
        report_float32("reference in float32 (Python)", passed, passing(grade(dir, true), matrices_));
      // The same notebook called with the other precision: float64 arrays where the spec
      // passes float32 tensors, and the other way round.
      Spec other = open_;
      std::string switched;  // "float32 instead of float64"
      for (auto& ex : other.exercises)
        if (ex.function) {
          auto& dtype = ex.function->python.dtype;
          const std::string bound = dtype;
          dtype = dtype == "float32" ? "float64" : "float32";
          if (switched.empty()) switched = dtype + " instead of " + bound;
        }
      // Students get the precision the spec binds: another one failing is worth knowing (an
      // unstable softmax overflows in float32; a tolerance without a float32 rule is too tight
      // for float32), not a fault of the spec.
      // Only the function exercises that pass in the bound precision are in question: a failure
      // there is reported above, once.
      const auto kept = passing(in_bound, functions_);
      if (!switched.empty() && !kept.empty()) {
        AssignmentResult again = grade_submission(other, dir, grading_);
        std::erase_if(again.exercises,
                      [&](const ExerciseResult& e) { return std::find(kept.begin(), kept.end(), e.id) == kept.end(); });
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
    solution_answers_ = values;

    if (!passed64.empty()) report_float32("reference in float32", passed64, passing(grade(main_dir, true), matrices_));
  }

  /// Whether the matrix exercises the reference passes (`passed64`) still pass with its answers
  /// rounded to float32 (`passed32`), as a student computing in float32 hands them in.
  void report_float32(const std::string& what, const std::vector<std::string>& passed64,
                      const std::vector<std::string>& passed32) {
    std::vector<std::string> lost;
    for (const auto* ex : matrices_)
      if (std::find(passed64.begin(), passed64.end(), ex->id) != passed64.end() &&
          std::find(passed32.begin(), passed32.end(), ex->id) == passed32.end())
        lost.push_back(ex->id + " (" + describe(ex->tolerance) + ")");
    if (lost.empty())
      add(Kind::ok, what,
          fmt::format("the reference answers rounded to float32 pass the {} matrix exercises they pass in float64",
                      passed64.size()));
    else
      add(Kind::warning, what,
          "the reference answers rounded to float32 fail " + joined(lost) +
              ": the tolerance is tighter than float32 precision, so a student computing in float32 "
              "(PyTorch's default) fails; loosen it, or say that float64 is expected");
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
        fmt::format("fail {} of {} matrix exercises", matrices_.size() - expected.size(), matrices_.size()) +
            (expected.empty() ? "" : " (" + joined(expected) + ": zeros are the reference answer)"));
  }

  void first_input() {
    if (functions_.empty()) return;
    const fs::path dir = scratch_.folder("first-input");
    std::ofstream(dir / "solution.c") << first_input_library(spec_);
    const AssignmentResult r = grade(dir);
    const auto passed = passing(r, functions_);
    if (!passed.empty()) {
      add(Kind::failure, "library returning its first input", "passes " + joined(passed));
      return;
    }
    for (const auto& e : r.exercises)
      if (e.verdict() == Verdict::compile_error) {
        add(Kind::warning, "library returning its first input",
            "could not be compiled with the spec's compile_c command: " + first_line(e.message(), 200));
        return;
      }
    add(Kind::ok, "library returning its first input",
        fmt::format("fails every function exercise ({})", functions_.size()));
  }

  /// True if `got` (in float64, or rounded to float32) is within tolerance of `expected`.
  static bool passes(const Tensor& got, const Tensor& expected, const Tolerance& t, bool float32) {
    return compare(float32 ? to_float32(got) : got, expected, t.in(float32 ? "float32" : "float64")).passed();
  }

  void matrix_mistakes() {
    std::size_t checked = 0;
    std::vector<std::string> passing_mistakes, skipped;
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
        for (const bool float32 : {false, true})
          if (passes(got, expected, ex->tolerance, float32)) {
            passing_mistakes.push_back(fmt::format("{} '{}' in {} ({})", ex->id, first_line(m.message, 50),
                                                   float32 ? "float32" : "float64", describe(ex->tolerance)));
            break;
          }
        ++checked;
      }
    }
    if (!skipped.empty())
      add(Kind::warning, "known mistakes",
          fmt::format("not checked for exercise{} {}: the target or the mistakes are computed from the student's {}, "
                      "which {}",
                      skipped.size() == 1 ? "" : "s", joined(skipped), joined({unread.begin(), unread.end()}),
                      solution_answers_ ? "the reference solution gives in no answer file (a notebook's variables are "
                                          "not read here)"
                                        : "a reference solution would give (the spec names none)"));
    if (!passing_mistakes.empty())
      add(Kind::failure, "known mistakes",
          "these pass, so the tolerance is looser than the mistake: " + joined(passing_mistakes));
    else if (checked > 0)
      add(Kind::ok, "known mistakes",
          fmt::format("each of the {} declared for matrix exercises fails, in float64 and float32", checked));
  }

  void function_mistakes() {
    std::size_t checked = 0;
    std::vector<std::string> passing_mistakes;
    for (const auto* ex : functions_) {
      const FunctionSpec& fn = *ex->function;
      for (const auto& m : fn.mistakes) {
        for (const bool float32 : {false, true}) {
          if (!caught(fn, m, float32)) {
            passing_mistakes.push_back(
                fmt::format("{} '{}' in {}", ex->id, first_line(m.message, 50), float32 ? "float32" : "float64"));
            break;
          }
        }
        ++checked;
      }
    }
    if (!passing_mistakes.empty())
      add(Kind::failure, "known mistakes", "these pass every check of their exercise: " + joined(passing_mistakes));
    else if (checked > 0)
      add(Kind::ok, "known mistakes",
          fmt::format("each of the {} declared for function exercises fails a check, in float64 and float32", checked));
  }

  /// True if some check of `fn` that compares outputs rejects the mistake on some case.
  bool caught(const FunctionSpec& fn, const FunctionMistake& m, bool float32) const {
    for (const auto& check : fn.checks) {
      if (check.property_got) continue;
      for (const auto& c : check_cases(spec_, fn, check, 1)) {
        const CaseNames names(c.inputs, c.dims, spec_.data);
        const expr::Scope& scope = names.scope();
        for (std::size_t o = 0; o < fn.outputs.size(); ++o) {
          const auto mistaken = m.outputs.find(fn.outputs[o].name);
          if (mistaken == m.outputs.end()) continue;
          const auto value = m.output(mistaken->first, scope);
          if (value && !passes(*value, expected_output(spec_, fn, check, o, c), check.tolerance, float32)) return true;
        }
      }
    }
    return false;
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
