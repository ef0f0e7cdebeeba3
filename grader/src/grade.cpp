#include "grader/grade.hpp"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <utility>

#include "digest.hpp"
#include "function_grading.hpp"
#include "grader/answers/submission.hpp"
#include "grader/bounded_file.hpp"
#include "grader/compare.hpp"
#include "grader/error.hpp"
#include "grader/expr/evaluate.hpp"
#include "grader/library/build.hpp"
#include "grader/library/run.hpp"
#include "python/grading.hpp"
#include "python/hand_in.hpp"
#include "text.hpp"

namespace grader {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

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
  std::string precision = "float64";  ///< what its values show (precision_of())
  std::string note;  ///< Answer::note
  /// Where a notebook's answer comes from when the spec says (`python: {expr, cell}`): "m_key[2]
  /// as the cell holding '...' leaves it"; else empty.
  std::string taken;
};

/// Where a notebook's answer is taken: "the notebook leaves it at its end", "the cell holding
/// '...' leaves it", or, where no cell holds that text (`at_test_line`), "its test line '...'
/// finds it".
std::string where_taken(const AnswerSpec& spec, bool at_test_line) {
  return spec.python_cell.empty() ? "the notebook leaves it at its end"
         : at_test_line           ? "its test line '" + spec.python_test_line + "' finds it"
                                  : "the cell holding '" + spec.python_cell + "' leaves it";
}

Usable prepare(const AnswerSpec& spec, const Answer& answer) {
  Usable u;
  // What the values show, whatever carried them (a file, a notebook): precision_of().
  if (answer.value) u.precision = precision_of(*answer.value);
  u.note = answer.note;
  if (python::is_notebook_name(answer.source) && !spec.python_expr.empty() &&
      (spec.python_expr != spec.name || !spec.python_cell.empty()))
    u.taken = spec.python_expr + " as " + where_taken(spec, answer.at_test_line);
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
  // A notebook that holds the answer under another name (`python: output`) is told its own
  // name, and where the value was taken (found by a helper: "'weighted_states' has shape
  // (3,)" for a notebook that has no weighted_states, whose later cell had reassigned output).
  if (python::is_notebook_name(answer.source) && !spec.python_expr.empty() && spec.python_expr != spec.name)
    u.message = wrong_shape_message(
        spec.python_expr,
        answer.source + ", for the answer " + spec.name + ", as " + where_taken(spec, answer.at_test_line), t.shape(),
        spec.shape);
  else
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
    ExerciseResult r{ex.id, ex.title, ex.visibility, ex.points, {}};
    r.checks.push_back(grade_check(ex));
    r.checks.back().seconds = seconds_since(start);
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

  /// The least precise of the answers the exercise uses ("float64" unless one is float32, ...).
  std::string precision(const Exercise& ex) const {
    for (const auto* names : {&ex.output.answers, &ex.expect.answers})
      for (const auto& n : *names)
        if (Tolerance::single(usable_.at(n).precision)) return usable_.at(n).precision;
    return "float64";
  }

  /// The student's answers of other exercises this one reads (in its output or its target),
  /// where with them its output is the same at the tolerance with each of its own answers
  /// negated, and moved by 1 (which a softmax alone does not see): its own answers make no
  /// difference to it. Else nothing.
  std::optional<std::vector<std::string>> own_answers_ignored(const Exercise& ex, const Tensor& got,
                                                              const Tolerance& tolerance) const {
    std::vector<std::string> others;
    for (const auto* names : {&ex.output.answers, &ex.expect.answers})
      for (const auto& n : *names)
        if (std::none_of(ex.answers.begin(), ex.answers.end(), [&](const AnswerSpec& a) { return a.name == n; }) &&
            std::find(others.begin(), others.end(), n) == others.end())
          others.push_back(n);
    if (others.empty() || ex.answers.empty()) return std::nullopt;
    for (const bool negated : {true, false}) {
      std::map<std::string, Tensor> moved;
      for (const auto& a : ex.answers) {
        const Tensor& t = *usable_.at(a.name).value;
        std::vector<double> v(t.values().begin(), t.values().end());
        for (double& x : v) x = negated ? -x : x + 1.0;
        moved.emplace(a.name, Tensor(t.shape(), std::move(v)));
      }
      expr::Scope scope;
      scope.add(moved);
      scope.add(spec_.data);
      scope.add(values_);
      if (!compare(ex.output.evaluate(scope), got, tolerance).passed()) return std::nullopt;
    }
    return others;
  }

  /// For an output computed from several of the exercise's answers (`concat(queries, values)`),
  /// where its mismatches all lie in elements computed from some of them alone, and the elements
  /// of the others match: "the part from your values matches; the part from your queries does
  /// not: ", said before the comparison's own words. Which elements come from an answer alone is
  /// found by evaluating the output with that answer's numbers made NaN; "" where the parts
  /// cannot be told apart (a product of two answers: every element comes from both) or all of
  /// them are wrong. Found by a student helper: attention-basics' 3.1, queries computed from
  /// W_k, was told 8 of 18 mismatches without which answer.
  std::string mismatched_parts(const Exercise& ex, const Tensor& got, const Tensor& expected,
                               const Tolerance& tolerance) const {
    const std::vector<std::string> names(ex.output.answers.begin(), ex.output.answers.end());
    if (names.size() < 2 || any_nan(got)) return "";
    constexpr int kNone = -1, kShared = -2;
    std::vector<int> owner(got.values().size(), kNone);
    try {
      for (std::size_t a = 0; a < names.size(); ++a) {
        const Tensor& t = *usable_.at(names[a]).value;
        const std::map<std::string, Tensor> blank{
            {names[a],
             Tensor(t.shape(), std::vector<double>(t.values().size(), std::numeric_limits<double>::quiet_NaN()))}};
        expr::Scope scope;
        scope.add(blank);
        scope.add(spec_.data);
        scope.add(values_);
        const Tensor out = ex.output.evaluate(scope);
        if (out.shape() != got.shape()) return "";
        for (std::size_t i = 0; i < owner.size(); ++i)
          if (std::isnan(out.values()[i])) owner[i] = owner[i] == kNone ? static_cast<int>(a) : kShared;
      }
    } catch (const std::exception&) {  // an output NaN cannot be computed through: no parts
      return "";
    }
    // The output with got's numbers where `from` holds, the target's elsewhere, matches.
    const auto matches_where = [&](const auto& from) {
      std::vector<double> v(expected.values().begin(), expected.values().end());
      bool any = false;
      for (std::size_t i = 0; i < v.size(); ++i)
        if (from(owner[i])) v[i] = got.values()[i], any = true;
      return !any || compare(Tensor(got.shape(), std::move(v)), expected, tolerance).passed();
    };
    if (!matches_where([](int o) { return o < 0; })) return "";  // a mismatch no single answer makes
    std::vector<std::string> wrong, right;
    for (std::size_t a = 0; a < names.size(); ++a) {
      if (std::find(owner.begin(), owner.end(), static_cast<int>(a)) == owner.end()) return "";
      (matches_where([&](int o) { return o == static_cast<int>(a); }) ? right : wrong).push_back(names[a]);
    }
    if (wrong.empty() || right.empty()) return "";
    return fmt::format("the {} from your {} {}; the part from your {} does not: ", right.size() == 1 ? "part" : "parts",
                       fmt::join(right, ", "), right.size() == 1 ? "matches" : "match", fmt::join(wrong, ", "));
  }

  /// The exercise's one check, "output": its output compared with its target.
  CheckResult grade_check(const Exercise& ex) const {
    CheckResult check;
    check.name = "output";
    check.max_score = ex.points;
    std::string name;
    if (const Usable* u = blocking(ex, name)) {
      check.verdict = u->verdict;
      check.message = u->message;
      if (!u->note.empty() && ex.visibility == Visibility::visible) check.details = "note: " + u->note + "\n";
      const Exercise* owner = spec_.owner_of(name);
      if (owner && owner != &ex)
        check.message = "this exercise uses your '" + name + "' from exercise " + owner->id +
                        ", which cannot be used: " + u->message;
      // Every answer of its own that cannot be used is named at once (found by a student helper:
      // 3.1's `values` was named missing only once `queries` was mended).
      for (const auto& a : ex.answers)
        if (const Usable& other = usable_.at(a.name); a.name != name && !other.value) {
          check.message += "\n" + other.message;
          if (!other.note.empty() && ex.visibility == Visibility::visible)
            check.details += "note: " + other.note + "\n";
        }
      return check;
    }
    const Tensor got = ex.output.evaluate(scope_);
    const Tensor expected = ex.expect.evaluate(scope_);
    if (!ex.expect.answers.empty() && any_nan(expected)) {
      // A target computed from the student's own answers can be undefined for them: a
      // problem of their answers, which even a hidden exercise names. An Inf is no such
      // problem: it is compared as any target's is, only the same value matching (found by an
      // instructor: `where(causal, scores_raw, -inf)` masks the student's own scores, and its
      // -inf marked every correct student wrong).
      const std::string names = fmt::format("{}", fmt::join(ex.expect.answers, ", "));
      check.verdict = Verdict::wrong;
      check.message = "this exercise's target is computed from your " + names +
                      ", and with yours it is not a number (NaN): fix " + names +
                      " first (a zero vector, for example, has no direction to normalize)";
      return check;
    }
    // The student's precision decides the rule, for the target and the known mistakes alike.
    const std::string student_precision = precision(ex);
    const Tolerance tolerance = ex.tolerance.in(student_precision);
    check.tolerance = tolerance.formula();
    const Comparison c = compare(got, expected, tolerance, Hints{ex.masked()});
    check.tolerance_used = c.used;
    if (c.passed()) {
      // A target computed from answers of the student's that are zeros is most often zeros
      // too, whatever this step computes: matching it earns nothing, as a property zeros have
      // earns nothing in a function exercise (found by an instructor helper: all-zero weights
      // earned the step `output = weights @ V` computed from them).
      std::vector<std::string> zeros;
      for (const auto& n : ex.expect.answers)
        if (zeros_at(*usable_.at(n).value, tolerance)) zeros.push_back(n);
      if (!zeros.empty() && zeros_at(expected, tolerance)) {
        const std::string names = fmt::format("{}", fmt::join(zeros, ", "));
        check.verdict = Verdict::wrong;
        check.message = "this exercise's target is computed from your " + names + ", which " +
                        (zeros.size() == 1 ? "is" : "are") +
                        " all zeros (or next to nothing): from zeros it is zeros too, whatever this step computes, "
                        "so matching it earns nothing: fix " +
                        names + " first";
        return check;
      }
    }
    // An output that the exercise's own answers make no difference to, with the student's
    // answers of other exercises: matching its target earns nothing (stop 52: a query132 next
    // to nothing weighs every key alike, so any m_key2_b passed 1.4.2), and missing it is not
    // this exercise's mistake (found by a student helper: a right m_key2_a, with a zero
    // query132, was told "your new key[2] changes nothing").
    if (const auto others = own_answers_ignored(ex, got, tolerance)) {
      std::vector<std::string> own;
      for (const auto& a : ex.answers) own.push_back(a.name);
      const std::string names = fmt::format("{}", fmt::join(*others, ", "));
      check.verdict = Verdict::wrong;
      check.message = "with your " + names + ", this exercise's output is the same whatever your " +
                      fmt::format("{}", fmt::join(own, ", ")) + " holds" +
                      (c.passed() ? ", so matching its target earns nothing" : ", and it is not the target") +
                      ": fix " + names + " first";
      return check;
    }
    if (c.passed()) {
      check.score = ex.points;
      return check;
    }
    // Precision explains the whole mismatch, as in a function exercise (found by an instructor
    // helper: a NumPy student's float32 answers were told only "got -0.7699867, expected
    // -0.7699868").
    Comparison shown = c;
    if (auto hint = precision_hint(student_precision == "float16" || student_precision == "bfloat16", got, expected,
                                   ex.tolerance, student_precision))
      shown.patterns = {std::move(*hint)};
    Feedback f = feedback(shown, got, expected, tolerance, ex.visibility, "", "", [&]() -> std::optional<std::string> {
      for (const auto& m : ex.mistakes) {
        // One computed from an answer of another exercise that cannot be used (missing,
        // unreadable) is not told (found by a student helper: attention-basics' 3.2, wrong,
        // beside a 2.1 whose keys the notebook never defined, stopped the grading as the spec's
        // fault: "unknown name 'keys'").
        if (std::any_of(m.expression.answers.begin(), m.expression.answers.end(),
                        [&](const std::string& n) { return !usable_.at(n).value; }))
          continue;
        if (names_mistake(got, m.expression.evaluate(scope_), expected, m.tolerance.in(student_precision)))
          return m.message;
      }
      return std::nullopt;
    });
    check.verdict = f.verdict;
    check.message = std::move(f.message);
    check.details = std::move(f.details);
    check.mistake = std::move(f.mistake);
    if (ex.visibility == Visibility::visible) {
      if (!check.mistake) check.message = mismatched_parts(ex, got, expected, tolerance) + check.message;
      // "got" is the exercise's output, which may be computed from the answers: said, with
      // where a notebook's answer was taken (found by a student helper: the attention output
      // of a merged cell was read as the student's key, taken where 1.4.2's code had changed it).
      const auto from = [&](const auto& answers) {
        std::vector<std::string> named;
        for (const auto& n : answers) {
          const std::string& taken = usable_.at(n).taken;
          named.push_back(n + (taken.empty() ? "" : " (in your notebook, " + taken + ")"));
        }
        return fmt::format("{}", fmt::join(named, ", "));
      };
      // So is "expected", where the target follows the student's own answers (found by a student
      // helper: 1.4.2's expected, the best output the student's query132 can reach, read as a
      // fixed value).
      if (!ex.expect.answers.empty())
        check.details = "note: expected is " + ex.expect.text + ", computed from your " + from(ex.expect.answers) +
                        "\n" + check.details;
      if (!ex.output.answers.empty() && (ex.output.answers.size() != 1 || ex.output.text != *ex.output.answers.begin()))
        check.details = "note: got is this exercise's output, " + ex.output.text + ", computed from your " +
                        from(ex.output.answers) + "\n" + check.details;
      std::vector<std::string> noted;
      for (auto a = ex.answers.rbegin(); a != ex.answers.rend(); ++a)
        if (const std::string& note = usable_.at(a->name).note; !note.empty()) {
          check.details = "note: " + note + "\n" + check.details;
          noted.insert(noted.begin(), a->name);
        }
      // Where the value graded is another than the one the student looks at (a scratch cell
      // assigned it again, or code stopped while assigning it), the message, a known mistake's
      // advice included, points there (found by a student helper: `keys = keys.t()` in a cell
      // trying something out was told "stack the weight vectors as columns", the cause in a note
      // after it).
      if (!noted.empty()) check.message += " (see the note on " + first_few(noted) + " below)";
    }
    return check;
  }
};

/// A notebook's failure `i` as its note says it: a failure that repeats an earlier one listed
/// above it ("NameError: name 'torch' is not defined; torch is defined by cell 2 (...), which
/// failed before: ModuleNotFoundError: ...") says "(see above)" in its place, unless what it
/// repeats is short (": NotImplementedError"). Found by a student helper: a missing module in the
/// imports cell, advice included, was repeated in six notes.
std::string quoted_above(const std::vector<python::UnitFailure>& failures, std::size_t i) {
  const python::UnitFailure& f = failures[i];
  const bool long_quote = f.message.starts_with(f.before_quote) && f.message.size() > f.before_quote.size() + 62;
  if (!f.quotes || !long_quote) return f.message;
  for (std::size_t j = 0; j < i; ++j)
    if (failures[j].index == *f.quotes) return f.before_quote + " (see above)";
  return f.message;
}

/// The notes of a notebook's failures, in its order: failures that say the same but for their
/// place are one note, at the first's place, with the others' (found by a TA helper: a missing
/// `import torch.nn.functional as F` was six notes, one per cell calling the function).
std::vector<std::string> failure_notes(const std::vector<python::UnitFailure>& failures) {
  std::vector<std::pair<std::vector<std::string>, std::string>> said;  // places, what follows them
  for (std::size_t i = 0; i < failures.size(); ++i) {
    const std::string text = quoted_above(failures, i);
    const std::string& place = failures[i].place;
    if (place.empty() || !text.starts_with(place)) {
      said.push_back({{}, text});
      continue;
    }
    const std::string rest = text.substr(place.size());
    const auto same = std::find_if(said.begin(), said.end(), [&](const auto& s) { return s.second == rest; });
    if (same != said.end() && !same->first.empty())
      same->first.push_back(place);
    else
      said.push_back({{place}, rest});
  }
  std::vector<std::string> notes;
  for (auto& [places, rest] : said) {
    // Where each place ends with the same " (in attention, line 33)", said once.
    std::string common;
    if (const auto open = places.size() > 1 ? places.front().rfind(" (") : std::string::npos;
        open != std::string::npos) {
      common = places.front().substr(open);
      if (std::all_of(places.begin(), places.end(), [&](const std::string& p) { return p.ends_with(common); }))
        for (auto& p : places) p.resize(p.size() - common.size());
      else
        common.clear();
    }
    // "line 30 and line 49"; "cell 10 (...), line 7; and cell 14 (...), line 7", whose places hold commas.
    const bool commas = std::any_of(places.begin(), places.end(),
                                    [](const std::string& p) { return p.find(',') != std::string::npos; });
    std::string at;
    for (std::size_t i = 0; i < std::min<std::size_t>(places.size(), 6); ++i)
      at += (i == 0 ? "" : i + 1 == places.size() ? (commas ? "; and " : " and ") : commas ? "; " : ", ") + places[i];
    if (places.size() > 6) at += (commas ? "; and " : " and ") + std::to_string(places.size() - 6) + " more";
    notes.push_back("your notebook failed " + std::string(places.size() > 1 ? "the same way at " : "at ") + at +
                    common + rest);
  }
  return notes;
}

/// A failed exercise that reuses an answer of another failed exercise says so, in its failing
/// check: fixing that one first may fix both.
void note_failed_dependencies(const Spec& spec, AssignmentResult& result) {
  const auto failed = [&](const std::string& id) {
    for (const auto& e : result.exercises)
      if (e.id == id) return !e.passed();
    return false;
  };
  for (std::size_t i = 0; i < spec.exercises.size(); ++i) {
    ExerciseResult& r = result.exercises[i];
    if (r.verdict() != Verdict::wrong) continue;
    const Exercise& ex = spec.exercises[i];
    // A hidden exercise shows its verdict only, and a hidden owner's verdict is not told
    // through another exercise: failing this one on purpose would test hidden answers.
    if (ex.visibility == Visibility::hidden) continue;
    for (const auto& name : ex.output.answers) {
      const Exercise* owner = spec.owner_of(name);
      if (!owner || owner == &ex || owner->visibility == Visibility::hidden || !failed(owner->id)) continue;
      for (auto& check : r.checks) {
        if (check.passed()) continue;
        // A known mistake matched with the failed answer may be that answer's doing: said first,
        // in the one line (found by a student helper: a query132 that picks key[1] alone, with a
        // right m_key2_a, was told "your new key[2] changes nothing", the note below the line),
        // and as what may be that answer's doing (found by a TA helper: a right key[2], the mean
        // of key[0] and key[1], was told "for example, the mean of key[0] and key[1]" as a fix).
        if (check.mistake && check.message == *check.mistake)
          check.message = "your '" + name + "' from exercise " + owner->id +
                          " did not pass: fix that one first, as this exercise is judged with it (with yours, the "
                          "output here is a known mistake's, maybe your " +
                          name + "'s doing: " + check.message + ")";
        else
          check.details = "note: this exercise uses your '" + name + "' from exercise " + owner->id +
                          ", which did not pass; fix that one first\n" + check.details;
      }
    }
  }
}

/// Data the notebook defines itself (`python: {given: [...]}`) that the hand-in's own differs
/// from at its end is said once, naming the failing exercises that read it, themselves or
/// through data the spec computes from it (`S: Q @ transpose(K)`; found by an instructor helper:
/// a re-seeded notebook was told only of V): their answers were computed from other numbers
/// than they are judged with (a cell that re-drew `key`, or typed a matrix in again). Hidden
/// exercises are not named; a passing one needs no word.
void note_changed_data(const Spec& spec, const std::map<std::string, Tensor>& notebook, AssignmentResult& result) {
  for (const auto& name : spec.python.given) {
    const auto own = notebook.find(name);
    if (own == notebook.end()) continue;
    const std::string how = python::data_difference(own->second, spec.data.at(name));
    if (how.empty()) continue;
    std::vector<std::string> reading;
    for (std::size_t i = 0; i < spec.exercises.size(); ++i) {
      const Exercise& ex = spec.exercises[i];
      if (ex.function || ex.visibility == Visibility::hidden || result.exercises[i].passed()) continue;
      std::set<std::string> names = expr::names_used(*ex.output.ast);
      names.merge(expr::names_used(*ex.expect.ast));
      if (!spec.with_data_read(std::move(names)).count(name)) continue;
      reading.push_back(ex.id);
      // Said in the exercise as well: where each exercise is shown on its own (Gradescope's
      // tests), its numbers would otherwise blame the answers alone (found by a student helper:
      // a retyped v, and 3.2 told only that its keys and queries were wrong).
      for (auto& check : result.exercises[i].checks)
        if (!check.passed())
          check.details = fmt::format(
                              "note: your notebook's {} is not the given one at its end (it {}); this exercise "
                              "judges your answers with the given {}\n",
                              name, how, name) +
                          check.details;
    }
    if (reading.empty()) continue;
    result.notes.push_back(fmt::format(
        "at the end of your notebook, its {} is not the given one: it {}; {} {} {} with the given {}: did a cell "
        "change it?",
        name, how, reading.size() == 1 ? "exercise" : "exercises", fmt::join(reading, ", "),
        reading.size() == 1 ? "judges your answers" : "judge your answers", name));
  }
}

/// The answers a Python hand-in defines join those the folder's files give: one source each.
/// An answer found both as a file and in the notebook is one of two (one_answer_of_two), as
/// one in two files is.
void take_python_values(const Spec& spec, const std::string& hand_in, const python::Run& run, Submission& submission) {
  std::size_t i = 0;
  for (const auto& ex : spec.exercises)
    for (const auto& a : ex.answers) {
      const python::Value& v = run.values.at(i++);
      Answer& answer = submission.answers.at(a.name);
      if (!answer.source.empty()) {  // handed in as a file (readable or not)
        if (v.value) {
          Answer notebook;
          notebook.value = v.value;
          notebook.source = hand_in;
          answer = one_answer_of_two(a.name, std::move(answer), notebook);
        }
        continue;
      }
      answer.source = hand_in;
      answer.value = v.value;
      answer.at_test_line = v.at_test;
      answer.problem = v.problem;
      answer.message = v.value ? "" : hand_in + ": " + v.message;
      // A later cell that assigns the answer again decides it (found by a helper: a Colab
      // student's scratch cell had changed a right answer, and only the value was shown); so
      // does a later line of the answer's own cell, which in a Colab download is every code
      // cell up to the next text cell (found by an instructor helper).
      if (v.value && v.bindings > 1 && !v.bound_at.empty() && !v.variable.empty())
        answer.note = a.python_cell.empty()
                          ? fmt::format(
                                "your notebook assigns {} in {} cells, the last at {}: the value it holds at "
                                "the end is the one graded (if that cell only tries something out, give its "
                                "variable another name)",
                                v.variable, v.bindings, v.bound_at.back())
                          : fmt::format(
                                "your notebook assigns {} {} times in the cell with '{}', the last at {}: the value "
                                "it holds there is the one graded (in a downloaded Colab notebook, code cells with no "
                                "text cell between them are one cell)",
                                v.variable, v.bindings, a.python_cell, v.bound_at.back());
      // Assigned last by code that did not finish (found by a student helper: a loop that never
      // ended after reassigning query131 was said in a note of the notebook only, its answer
      // told numbers).
      if (v.value && v.stopped && !v.variable.empty())
        for (const auto& f : run.failures)
          if (f.index == *v.stopped) {
            const std::string said = "the value graded is what " + v.variable +
                                     " held when the last code that changes it stopped, at " + f.message;
            answer.note = answer.note.empty() ? said : answer.note + "; " + said;
            break;
          }
    }
}

/// Without a hand-in to run (two candidates, or one that cannot be read), every answer no
/// file gives says why.
void python_problem(const Spec& spec, const std::string& problem, Submission& submission) {
  for (const auto& ex : spec.exercises)
    for (const auto& a : ex.answers) {
      Answer& answer = submission.answers.at(a.name);
      if (!answer.source.empty()) continue;
      answer.problem = Verdict::unreadable;
      answer.message = problem;
    }
}

/// A spec that grades only the Python hand-in (`python: {only: true}`) takes no answer from a
/// file: each answer is missing again, until the notebook defines it, and a missing one asks
/// for the notebook, not for files (found by a helper: an empty folder was told to hand in
/// weights.npy, which the spec then set aside). Returns the note that names the files set
/// aside, or "".
std::string set_aside_answer_files(const Spec& spec, Submission& submission) {
  std::set<std::string> files;
  const std::string notebook = spec.python.file.empty() ? "your notebook (.py or .ipynb)" : spec.python.file;
  for (auto& [name, answer] : submission.answers) {
    if (!answer.source.empty()) files.insert(answer.source);
    answer = Answer{};
    answer.message = "no answer '" + name + "': hand in " + notebook + ", which defines it";
  }
  if (files.empty()) return "";
  std::vector<std::string> named(files.begin(), files.end());
  if (named.size() > kMaxListedNotes) {
    named.resize(kMaxListedNotes);
    named.push_back("...");
  }
  return fmt::format("{} {} not graded: this assignment takes its answers from {} only", fmt::join(named, ", "),
                     files.size() == 1 ? "is" : "are", notebook);
}

/// A missing answer of a spec written for notebooks points at the notebook too: the one it
/// names (`file`), or any (found by an instructor helper: a notebook course without one was
/// told to hand in .npy files).
void mention_notebook(const std::string& file, Submission& submission) {
  for (auto& [name, answer] : submission.answers)
    if (!answer.value && answer.problem == Verdict::missing && answer.source.empty())
      answer.message.insert(
          std::min(answer.message.find("; is "), answer.message.size()),
          "; or hand in your notebook" + (file.empty() ? " (.py or .ipynb) that defines it" : ", " + file));
}

/// How grading reads a file of a submission, for its seed: not at all, or whole as an answer
/// file (up to the read limit: a larger one is unreadable whatever it holds), the library run
/// (up to kMaxLibraryBytes) or a source compiled (all of them, while they hold at most
/// kMaxSourceBytes in all: more are not compiled, nor read).
enum class Graded { no, answer, library, source };

/// What seeds a submission's random cases, with its folder's name: its top-level files, names
/// and bytes. The cases of one hand-in then say nothing of another's, even under the same name
/// (Gradescope calls every folder `submission`): the expected values that feedback shows
/// cannot be collected over many hand-ins and replayed. Everything grading reads (`graded`) is
/// hashed whole, whatever its size, so that no change of what is graded keeps a seed (found by
/// hostile helpers: a 69 MB library padded to keep its size, then a source past 512 MiB of
/// padding sources, kept their seeds while their tables of expected values grew round after
/// round); reading it costs grading as much. The other files are read up to the read limit in
/// all, smallest first (a folder of large or sparse files took hours to hash); past it a file
/// counts by its size. Files beside what is graded cannot push it out of its seed.
/// (A Python hand-in's seed adds everything its child is given: grade_submission.)
std::string seed_key(const std::filesystem::path& dir, const std::string& student, const ReadLimits& limits,
                     const std::function<Graded(const std::filesystem::path&)>& graded) {
  struct File {
    std::filesystem::path path;
    std::uintmax_t size = 0;
    Graded graded = Graded::no;
    bool whole = false;  // read by grading: all of it counts
    bool read = false;
  };
  std::vector<File> files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code kind;
    if (it->symlink_status(kind).type() == std::filesystem::file_type::regular)
      files.push_back({it->path(), it->file_size(kind), graded(it->path())});
  }
  std::sort(files.begin(), files.end(), [](const File& a, const File& b) { return a.path < b.path; });
  std::uintmax_t sources = 0;
  for (const File& f : files)
    if (f.graded == Graded::source) sources += f.size;
  for (File& f : files)
    f.whole = f.graded == Graded::answer    ? f.size <= limits.max_bytes
              : f.graded == Graded::library ? f.size <= kMaxLibraryBytes
                                            : f.graded == Graded::source && sources <= kMaxSourceBytes;
  // Small files are taken as they are (what is graded first), larger ones hashed.
  std::vector<File*> smallest;
  for (File& f : files) smallest.push_back(&f);
  std::stable_sort(smallest.begin(), smallest.end(), [](const File* a, const File* b) {
    return std::pair(!a->whole, a->size) < std::pair(!b->whole, b->size);
  });
  std::uintmax_t left = limits.max_bytes;
  for (File* f : smallest)
    if (f->size <= left) f->read = true, left -= f->size;
  Digest key;
  key.add(student);
  for (const File& f : files) {
    key.add(f.path.filename().string());
    std::optional<std::string> bytes;
    try {
      if (f.read) {
        bytes = read_bounded(f.path, limits);
      } else if (f.whole) {
        const BoundedFile file(f.path, ReadLimits{std::max(limits.max_bytes, kMaxLibraryBytes)});
        Digest whole;
        std::string piece;
        for (std::size_t at = 0; at < file.size(); at += piece.size()) {
          piece.clear();
          file.read(at, std::min(file.size(), at + (std::size_t{8} << 20)), piece);
          whole.add(piece);
        }
        bytes = "sha256 " + whole.hex();
      }
    } catch (const ReadError&) {  // gone or unreadable: its size stands for it
    }
    key.add(bytes ? *bytes : "size " + std::to_string(f.size));
  }
  return key.hex();
}

/// What a submission folder is searched for: each exercise's answers, by name and shape.
std::vector<AnswerRequest> answer_requests(const Spec& spec) {
  std::vector<AnswerRequest> requests;
  for (const auto& ex : spec.exercises)
    for (const auto& a : ex.answers) requests.push_back({a.name, a.shape});
  return requests;
}

/// Whether a folder hands in anything the grader reads: an answer file, a notebook (even one
/// it cannot run) or a library's files.
bool hands_in_something(const Submission& submission, const python::Found& python) {
  return python.hand_in || python.problem || python.library_files ||
         std::any_of(submission.answers.begin(), submission.answers.end(),
                     [](const auto& a) { return !a.second.source.empty(); });
}

/// For a submission that hands in nothing: that it is empty, or which of its files are of kinds
/// the grader never reads (an archive left packed, the notebook printed as PDF or HTML), so that
/// the student sees the file they uploaded acknowledged; when no earlier note (`noted`) names
/// its files either (a stray answer file, a folder), the files it holds (found by a TA helper: a
/// folder holding a README alone was told nothing but what each exercise misses). A library of
/// another name than `library_file`, the spec's (none: the spec grades no library), is told that
/// name (found by the next: `solution.so` was one of the files not read).
std::optional<std::string> nothing_handed_in(const std::filesystem::path& dir, bool noted,
                                             const std::string& library_file) {
  constexpr const char* archive = "an archive: extract it and hand in its files";
  constexpr const char* document = "a document: the grader runs code and reads numbers, not printouts";
  static const std::map<std::string, const char*> kinds = {
      {".zip", archive}, {".tar", archive},  {".gz", archive},    {".tgz", archive},   {".7z", archive},
      {".rar", archive}, {".pdf", document}, {".html", document}, {".docx", document}, {".odt", document},
  };
  std::vector<std::string> named, others;
  std::size_t entries = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::filesystem::path& p = it->path();
    if (not_handed_in(p.filename().string())) continue;
    ++entries;
    const std::string ext = lower(p.extension().string());
    if (const auto k = kinds.find(ext); k != kinds.end())
      named.push_back(one_line(p.filename().string(), 80) + " is " + k->second);
    else if (ext == ".so" && !library_file.empty())
      named.push_back(one_line(p.filename().string(), 80) +
                      " is a library of another name than the assignment's: "
                      "name it " +
                      library_file);
    else
      others.push_back(one_line(p.filename().string(), 80));
  }
  if (ec) return std::nullopt;
  if (entries == 0) return "your submission is empty: no file was handed in";
  if (named.empty() && !noted) {
    std::sort(others.begin(), others.end());
    return "nothing in your submission is graded: the grader reads none of its files (" + first_few(others) + ")";
  }
  if (named.empty()) return std::nullopt;
  std::sort(named.begin(), named.end());
  return "nothing in your submission is graded: " + first_few(named, 3, "; ");
}

/// The one folder a submission holds and nothing else (hidden entries and the __MACOSX/ of a zip
/// made on macOS aside): what a student uploads who zipped the folder around their files. Such
/// a submission is graded from that folder, wherever it is graded (Gradescope, PrairieLearn,
/// a class on disk, CI), so that the same upload earns the same points everywhere.
std::optional<std::filesystem::path> wrapped_folder(const std::filesystem::path& dir) {
  std::optional<std::filesystem::path> only;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (not_handed_in(name)) continue;
    std::error_code kind;
    if (only || it->symlink_status(kind).type() != std::filesystem::file_type::directory) return std::nullopt;
    only = it->path();
  }
  return ec ? std::nullopt : only;
}

}  // namespace

std::string read_seed_secret(const std::filesystem::path& file) {
  constexpr std::size_t kLeast = 16, kMost = 4096;
  const std::string make = "make one with: head -c 24 /dev/urandom | base64 > " + file.string();
  std::string secret;
  try {
    std::error_code ec;
    const auto real = std::filesystem::canonical(file, ec);  // a link to the secret is the secret
    if (ec) throw ReadError(ec.message());
    secret = read_bounded(real, ReadLimits{kMost});
  } catch (const ReadError& e) {
    // Not "make one" (found by an instructor helper: a mistyped path, followed by that advice,
    // would grade the class again under a new secret, with other cases than students quoted).
    throw UsageError("--seed-secret " + file.string() + ": cannot read it (" + e.what() +
                     "); check the path: every hand-in of an assignment is graded with the secret it was first "
                     "graded with (another gives everyone other cases)");
  }
  secret.erase(secret.find_last_not_of(" \t\r\n") + 1);  // npos + 1 is 0: white space alone is nothing
  if (secret.size() < kLeast)
    throw UsageError(
        fmt::format("--seed-secret {}: holds {} characters, fewer than the {} a secret needs (a short "
                    "one could be guessed from the seeds feedback shows); {}",
                    file.string(), secret.size(), kLeast, make));
  return secret;
}

bool not_handed_in(const std::string& name) { return name.empty() || name.front() == '.' || name == "__MACOSX"; }

std::vector<std::string> hand_ins_one_folder_down(const Spec& spec, const std::filesystem::path& dir,
                                                  const ReadLimits& limits) {
  constexpr std::size_t kLookedAt = 8;
  const std::vector<AnswerRequest> requests = answer_requests(spec);
  const auto hands_in = [&](const std::filesystem::path& folder) {
    return hands_in_something(load_submission(folder, requests, limits), python::find_hand_in(spec, folder));
  };
  std::vector<std::string> found;
  std::size_t looked = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end && looked < kLookedAt; it.increment(ec)) {
    std::error_code kind;
    const std::string name = it->path().filename().string();
    if (it->symlink_status(kind).type() != std::filesystem::file_type::directory || not_handed_in(name)) continue;
    ++looked;
    try {
      if (hands_in(it->path())) found.push_back(name);
      if (found.size() == 2) break;
    } catch (const std::exception&) {  // a subfolder that cannot be read hints at nothing
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

namespace {

AssignmentResult grade_once(const Spec& spec, const std::filesystem::path& submitted, const GradeOptions& options) {
  const auto start = Clock::now();
  const std::string student = std::filesystem::absolute(submitted).lexically_normal().filename().string();
  auto wrapped = wrapped_folder(submitted);
  const auto locked = wrapped && !readable_folder(*wrapped) ? std::exchange(wrapped, std::nullopt) : std::nullopt;
  const std::filesystem::path dir = wrapped.value_or(submitted);
  Submission submission = load_submission(dir, answer_requests(spec), options.limits);
  const python::Found python = python::find_hand_in(spec, dir);
  const bool something = hands_in_something(submission, python);
  const std::string set_aside = spec.python.only ? set_aside_answer_files(spec, submission) : "";
  // What is graded: answer files; the notebook if there is one, else the library handed in,
  // else the sources compiled (find_or_build_library's order: a source beside a library is not
  // compiled, and a decoy one must not take the library's place in its seed: a hostile helper's
  // sparse a.c of 460 MiB spent the whole-file hashing before libsolution.so was reached).
  std::error_code no_library;
  const bool library_handed_in =
      spec.uses_library() &&
      std::filesystem::is_regular_file(std::filesystem::symlink_status(dir / spec.library.file, no_library)) &&
      !foreign_library(dir / spec.library.file);
  const auto graded = [&](const std::filesystem::path& file) {
    const std::string name = file.filename().string();
    for (const auto& [_, answer] : submission.answers)
      if (answer.source == name) return Graded::answer;
    if (python.hand_in) return name == python.hand_in->name ? Graded::answer : Graded::no;
    if (spec.python.only || !spec.uses_library()) return Graded::no;
    if (library_handed_in) return name == spec.library.file ? Graded::library : Graded::no;
    return compiled_source(file) || source_header(file) ? Graded::source : Graded::no;
  };
  std::string seeds = seed_key(dir, student, options.limits, graded);
  if (python.hand_in) {
    // A notebook reads more than the top level's files: its sub-folders' (found by a hostile
    // helper: a table of expected values in tbl/, grown from the feedback round after round
    // under one seed, passed every case), and a large notebook is graded by its code, not its
    // bytes. Everything its child is given counts.
    Digest all;
    all.add(seeds).add(python.hand_in->name).add(python.hand_in->source);
    for (const auto& [path, bytes] : python.hand_in->files) all.add(path).add(bytes);
    seeds = all.hex();
  }
  if (!options.seed_secret.empty()) {
    // Through SHA-256, never fnv1a alone: a seed is shown in feedback, and fnv1a's state, hence
    // the secret's, could be worked back from one.
    Digest secret;
    secret.add("seed secret").add(options.seed_secret).add(seeds);
    seeds = secret.hex();
  }
  const FunctionPlan plan =
      spec.uses_library() ? plan_functions(spec, seeds, options, python.hand_in.has_value()) : FunctionPlan{};

  AssignmentResult result;
  result.assignment = spec.id;
  result.title = spec.title;
  result.version = spec.version;
  result.submission = submitted.string();
  if (wrapped)
    result.notes.push_back("your submission is one folder, '" + one_line(wrapped->filename().string(), 80) +
                           "': it is graded from there");
  if (locked)
    result.notes.push_back("your submission is one folder, '" + one_line(locked->filename().string(), 80) +
                           "', whose permissions forbid reading it, so nothing in it is graded: give the folder "
                           "read permission (chmod -R u+rwX,go+rX) before zipping, or zip the files themselves");
  const std::size_t notes_of_where = result.notes.size();  // they name no file of the submission
  if (!spec.python.only) {  // what answer files hold, or miss, says nothing where they are not graded
    result.notes.insert(result.notes.end(), submission.notes.begin(), submission.notes.end());
    if (!python.hand_in)
      result.notes.insert(result.notes.end(), submission.stray_files.begin(), submission.stray_files.end());
  }
  result.notes.insert(result.notes.end(), python.notes.begin(), python.notes.end());
  if (!set_aside.empty()) result.notes.push_back(set_aside);
  if (!something) {
    if (const auto down = hand_ins_one_folder_down(spec, dir, options.limits); down.size() == 1)
      result.notes.push_back("nothing at the top of your submission is graded, but its folder '" +
                             one_line(down[0], 80) +
                             "' holds a hand-in: only the top level is read, so move that folder's files up "
                             "(zip the files themselves, not the folder around them)");
    else if (down.size() > 1)
      result.notes.push_back("nothing at the top of your submission is graded, but its folders '" +
                             one_line(down[0], 80) + "', '" + one_line(down[1], 80) +
                             "' and maybe others each hold a hand-in: only the top level is read, so move the files "
                             "of the one to grade up (a folder of students' folders is a class: `grader grade` "
                             "grades each)");
    else if (const auto why = locked ? std::nullopt
                                     : nothing_handed_in(dir, result.notes.size() > notes_of_where,
                                                         spec.uses_library() ? spec.library.file : ""))
      result.notes.push_back(*why);
  }

  std::map<std::string, ExerciseResult> functions;
  std::map<std::string, Tensor> given;  // the notebook's own of the data it defines itself
  if (python.hand_in) {
    const auto ran = Clock::now();
    const python::Run run = python::run(*python.hand_in, python::work_for(spec, plan), python::kNotebookSeed,
                                        python::limits_of(spec.python));
    result.sandbox = run.isolation;
    take_python_values(spec, python.hand_in->name, run, submission);
    for (std::size_t i = 0, first = run.values.size() - spec.python.given.size(); i < spec.python.given.size(); ++i)
      if (const auto& v = run.values.at(first + i).value) given.emplace(spec.python.given[i], *v);
    if (spec.uses_library()) {
      functions = judge_functions(spec, plan, run.calls, seconds_since(ran));
      if (python.library_files)
        result.notes.push_back("only " + python.hand_in->name +
                               " is graded: a folder hands in a notebook or a "
                               "library, and the C/C++ files here are not used");
    }
    result.notes.insert(result.notes.end(), run.notes.begin(), run.notes.end());
    const auto failed = failure_notes(run.failures);
    for (std::size_t i = 0; i < std::min(failed.size(), kMaxListedNotes); ++i) result.notes.push_back(failed[i]);
    if (const std::size_t all = failed.size() + run.more_failures; all > kMaxListedNotes)
      result.notes.push_back("and at " + std::to_string(all - kMaxListedNotes) + " more places");
    result.printed = run.output;
  } else {
    if (python.problem) python_problem(spec, *python.problem, submission);
    if (spec.uses_library()) {
      if (python.problem && (!python.library_files || spec.python.only))
        functions = unavailable_functions(spec, plan, Verdict::unreadable, *python.problem, seconds_since(start));
      else if (spec.python.only)
        functions = unavailable_functions(
            spec, plan, Verdict::missing,
            "no notebook (.py or .ipynb) in the submission: this assignment grades your notebook, which defines " +
                python_function_names(spec) +
                (python.library_files ? "; a library or C/C++ sources are not graded here" : ""),
            seconds_since(start));
      else
        functions = grade_functions_by_library(spec, dir, options, plan, result);
    }
    if (spec.for_notebooks() && !spec.python.only) mention_notebook(spec.python.file, submission);
  }

  if (options.answers_in_float32)
    for (auto& [_, answer] : submission.answers)
      if (answer.value) answer.value = to_float32(std::move(*answer.value));
  const Grader grader(spec, submission);
  for (const auto& ex : spec.exercises)
    result.exercises.push_back(ex.function ? functions.at(ex.id) : grader.grade(ex));
  note_failed_dependencies(spec, result);
  note_changed_data(spec, given, result);
  make_safe(result);
  result.seconds = seconds_since(start);
  spdlog::debug("graded {} against {}: {} / {} in {:.3f} ms", dir.string(), spec.id, result.score(), result.max_score(),
                1e3 * result.seconds);
  return result;
}

}  // namespace

AssignmentResult grade_submission(const Spec& spec, const std::filesystem::path& submitted,
                                  const GradeOptions& options) {
  try {
    return grade_once(spec, submitted, options);
  } catch (const KilledFromOutside& e) {
    // The OOM killer of a machine short of memory for a moment, or a person's kill of the wrong
    // process: once more most likely finishes (a class's gradebook waited for --resume).
    spdlog::warn("{}: {}; grading it once more", one_line(submitted.string(), 4096), e.what());
  }
  try {
    return grade_once(spec, submitted, options);
  } catch (const KilledFromOutside& e) {
    throw KilledFromOutside(std::string(e.what()) +
                            "; it was killed so when graded once more as well: is the machine short of memory? "
                            "grade it again later (grader grade --resume grades what is missing)");
  }
}

}  // namespace grader
