#include "grader/grade.hpp"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "grader/answers/submission.hpp"
#include "grader/compare.hpp"
#include "grader/expr/evaluate.hpp"
#include "function_grading.hpp"

namespace grader {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

bool is_vector_shape(const Shape& s) {
  std::size_t big = 0;
  for (auto d : s) big += d != 1 ? 1 : 0;
  return big <= 1;
}

/// An answer in its declared shape, or why it cannot be used.
struct Usable {
  std::optional<Tensor> value;
  Verdict verdict = Verdict::missing;
  std::string message;
};

Usable prepare(const AnswerSpec& spec, const Answer& answer) {
  Usable u;
  if (!answer.value) {
    u.verdict = answer.problem;
    u.message = answer.message;
    return u;
  }
  const Tensor& t = *answer.value;
  if (t.shape() == spec.shape) {
    u.value = t;
    return u;
  }
  if (spec.any_orientation && is_vector_shape(t.shape()) && t.size() == element_count(spec.shape)) {
    u.value = t.reshaped(spec.shape);
    return u;
  }
  u.verdict = Verdict::wrong_shape;
  u.message = wrong_shape_message(spec.name, answer.source, t.shape(), spec.shape);
  return u;
}

class Grader {
 public:
  Grader(const Spec& spec, const Submission& submission) : spec_(spec) {
    for (const auto& ex : spec.exercises)
      for (const auto& a : ex.answers) {
        Usable u = prepare(a, submission.answers.at(a.name));
        if (u.value) values_.emplace(a.name, *u.value);
        usable_.emplace(a.name, std::move(u));
      }
    scope_.add(spec.data);
    scope_.add(values_);
  }

  ExerciseResult grade(const Exercise& ex) const {
    const auto start = Clock::now();
    ExerciseResult r;
    r.id = ex.id;
    r.title = ex.title;
    r.visibility = ex.visibility;
    r.max_score = ex.points;
    CheckResult check;
    check.name = "output";
    check.max_score = ex.points;
    grade_check(ex, r, check);
    check.seconds = seconds_since(start);
    r.verdict = check.verdict;
    r.score = check.score;
    r.message = check.message;
    r.details = check.details;
    r.checks.push_back(std::move(check));
    r.seconds = seconds_since(start);
    return r;
  }

 private:
  const Spec& spec_;
  std::map<std::string, Tensor> values_;
  std::map<std::string, Usable> usable_;
  expr::Scope scope_;

  /// The first answer the exercise needs that cannot be used: its own first, then others'.
  const Usable* blocking(const Exercise& ex, std::string& name) const {
    for (const auto& a : ex.answers)
      if (!usable_.at(a.name).value) return name = a.name, &usable_.at(a.name);
    for (const auto& n : ex.output.answers)
      if (!usable_.at(n).value) return name = n, &usable_.at(n);
    for (const auto& n : ex.expect.answers)
      if (!usable_.at(n).value) return name = n, &usable_.at(n);
    return nullptr;
  }

  void grade_check(const Exercise& ex, ExerciseResult& r, CheckResult& check) const {
    std::string name;
    if (const Usable* u = blocking(ex, name)) {
      check.verdict = u->verdict;
      check.message = u->message;
      const Exercise* owner = spec_.owner_of(name);
      if (owner && owner != &ex)
        check.message = "this exercise uses your '" + name + "' from exercise " + owner->id +
                        ", which cannot be used: " + u->message;
      return;
    }
    const Tensor got = ex.output.evaluate(scope_);
    const Tensor expected = ex.expect.evaluate(scope_);
    const auto finite = [](double v) { return std::isfinite(v); };
    if (!ex.expect.answers.empty() && !std::all_of(expected.values().begin(), expected.values().end(), finite)) {
      // A target computed from the student's own answers can be undefined for them.
      const std::string names = fmt::format("{}", fmt::join(ex.expect.answers, ", "));
      check.verdict = Verdict::wrong;
      check.message = "this exercise's target is computed from your " + names +
                      ", and with yours it is not a number (NaN or Inf): fix " + names +
                      " first (a zero vector, for example, has no direction to normalize)";
      return;
    }
    const Comparison c = compare(got, expected, ex.tolerance);
    const bool reveal = ex.visibility == Visibility::visible;
    if (c.passed()) {
      check.verdict = Verdict::passed;
      check.score = ex.points;
      return;
    }
    check.verdict = c.non_finite > 0 ? Verdict::non_finite : Verdict::wrong;
    check.message = summarize(c, reveal);
    check.details = explain(c, got, expected, ex.tolerance, reveal);
    for (const auto& m : ex.mistakes)
      if (matches(got, m.expression.evaluate(scope_), ex.tolerance)) {
        r.mistake = m.message;
        check.details = check.message + "\n" + check.details;
        check.message = m.message;
        break;
      }
  }
};

/// A failed exercise that reuses an answer of another failed exercise says so: fixing that
/// one first may fix both.
void note_failed_dependencies(const Spec& spec, AssignmentResult& result) {
  const auto failed = [&](const std::string& id) {
    for (const auto& e : result.exercises)
      if (e.id == id) return !e.passed();
    return false;
  };
  for (std::size_t i = 0; i < spec.exercises.size(); ++i) {
    ExerciseResult& r = result.exercises[i];
    if (r.passed() || r.verdict != Verdict::wrong) continue;
    const Exercise& ex = spec.exercises[i];
    for (const auto& name : ex.output.answers) {
      const Exercise* owner = spec.owner_of(name);
      if (owner && owner != &ex && failed(owner->id))
        r.details = "note: this exercise uses your '" + name + "' from exercise " + owner->id +
                    ", which did not pass; fix that one first\n" + r.details;
    }
  }
}

}  // namespace

AssignmentResult grade_submission(const Spec& spec, const std::filesystem::path& dir,
                                  const GradeOptions& options) {
  const auto start = Clock::now();
  std::vector<AnswerRequest> requested;
  for (const auto& ex : spec.exercises)
    for (const auto& a : ex.answers) requested.push_back({a.name, a.shape});
  const Submission submission = load_submission(dir, requested, options.limits);
  std::vector<std::string> library_notes;
  std::string sandbox;
  const auto functions = spec.uses_library() ? grade_functions(spec, dir, options, library_notes, sandbox)
                                             : std::map<std::string, ExerciseResult>{};

  AssignmentResult result;
  result.assignment = spec.id;
  result.title = spec.title;
  result.version = spec.version;
  result.submission = dir.string();
  result.notes = submission.notes;
  result.sandbox = sandbox;
  result.notes.insert(result.notes.end(), library_notes.begin(), library_notes.end());
  const Grader grader(spec, submission);
  for (const auto& ex : spec.exercises) {
    result.exercises.push_back(ex.function ? functions.at(ex.id) : grader.grade(ex));
    result.score += result.exercises.back().score;
    result.max_score += result.exercises.back().max_score;
  }
  note_failed_dependencies(spec, result);
  result.seconds = seconds_since(start);
  spdlog::debug("graded {} against {}: {} / {} in {:.3f} ms", dir.string(), spec.id,
                result.score, result.max_score, 1e3 * result.seconds);
  return result;
}

}  // namespace grader
