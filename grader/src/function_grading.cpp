#include "function_grading.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "grader/compare.hpp"
#include "grader/expr/ast.hpp"
#include "grader/expr/evaluate.hpp"
#include "grader/library/build.hpp"
#include "grader/library/run.hpp"
#include "hash.hpp"
#include "text.hpp"

namespace grader {

namespace {

/// SplitMix64 with Box-Muller normals: portable, so a seed replays on any machine (the
/// standard library's distributions differ between implementations).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  std::size_t between(std::size_t lo, std::size_t hi) { return lo + next() % (hi - lo + 1); }
  double normal() {  // Box-Muller, both values used
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform(), u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * M_PI * u2);
    has_spare_ = true;
    return r * std::cos(2.0 * M_PI * u2);
  }

 private:
  std::uint64_t state_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

std::uint64_t mix(std::uint64_t a, std::uint64_t b) { return Rng(a ^ (b * 0x9e3779b97f4a7c15ull)).next(); }

using Dims = std::map<std::string, std::size_t>;

Tensor draw(const Shape& shape, const Distribution& dist, Rng& rng) {
  Tensor t = Tensor::filled(shape, 0.0);
  const std::size_t cols = shape.empty() ? 1 : shape.back();
  const std::size_t rows = shape.size() >= 2 ? shape[shape.size() - 2] : 1;
  switch (dist.kind) {
    case Distribution::Kind::normal:
      for (double& v : t.values()) v = dist.a + dist.b * rng.normal();
      break;
    case Distribution::Kind::uniform:
      for (double& v : t.values()) v = dist.a + (dist.b - dist.a) * rng.uniform();
      break;
    case Distribution::Kind::padding_mask:  // each row keeps a random prefix of length >= 1
      for (std::size_t r = 0; r < t.size() / cols; ++r) {
        const std::size_t keep = rng.between(1, cols);
        for (std::size_t c = 0; c < cols; ++c) t[r * cols + c] = c < keep ? 1.0 : 0.0;
      }
      break;
    case Distribution::Kind::causal_mask:  // query i sees keys 0..i
      for (std::size_t i = 0; i < t.size(); ++i) t[i] = (i % cols) <= ((i / cols) % rows) ? 1.0 : 0.0;
      break;
  }
  return t;
}

/// Input `name` of random case `c` of `check` drawn anew, from a generator of its own (`seed`:
/// the case's): what a property_points_need call passes in its place.
Tensor drawn_anew(const FunctionSpec& fn, const FunctionCheck& check, const Case& c, const std::string& name,
                  std::uint64_t seed) {
  const auto d = std::find_if(fn.inputs.begin(), fn.inputs.end(), [&](const TensorDecl& i) { return i.name == name; });
  const auto dist = check.values.find(name);
  Rng rng(mix(seed, 0x6e656564ull + static_cast<std::uint64_t>(d - fn.inputs.begin())));  // "need"
  return draw(d->shape(c.dims), dist == check.values.end() ? Distribution{} : dist->second, rng);
}

}  // namespace

std::vector<Case> check_cases(const Spec& spec, const FunctionSpec& fn, std::size_t ci, std::uint64_t seed) {
  const FunctionCheck& check = fn.checks.at(ci);
  seed = mix(seed, ci);
  std::vector<Case> cases;
  if (!check.random()) {
    expr::Scope scope;
    scope.add(spec.data);
    Case c;
    for (const auto& d : fn.inputs) {
      const Tensor& t = c.inputs.emplace(d.name, check.fixed.at(d.name).evaluate(scope)).first->second;
      for (std::size_t k = 0; k < d.dims.size(); ++k) c.dims[d.dims[k]] = t.dim(k);  // checked at load
    }
    c.dims = check.with_derived(c.dims);  // its own sizes (heads: 2)
    // A fixed check has one case: the check's name says it all.
    cases.push_back(std::move(c));
    return cases;
  }
  for (int trial = 0; trial < check.trials; ++trial) {
    Rng rng(mix(seed, static_cast<std::uint64_t>(trial)));
    Case c;
    for (const auto& [name, range] : check.dims)  // the first trials take the bounds
      c.dims[name] = trial == 0 ? range.first : trial == 1 ? range.second : rng.between(range.first, range.second);
    c.dims = check.with_derived(c.dims);
    for (const auto& d : fn.inputs) {
      const auto dist = check.values.find(d.name);
      c.inputs.emplace(d.name, draw(d.shape(c.dims), dist == check.values.end() ? Distribution{} : dist->second, rng));
    }
    c.label = fmt::format("random case {} of {} ({})", trial + 1, check.trials, check.describe(c.dims));
    cases.push_back(std::move(c));
  }
  return cases;
}

namespace {

/// What known mistake i gives for an output in a case (nothing where it cannot be computed).
using MistakeValue = std::function<std::optional<Tensor>(std::size_t mistake, const std::string& output)>;

/// The inputs of a case, when each is small enough to read (a random case's: a student has no
/// other way to see them), for a visible exercise.
std::string shown_inputs(const FunctionSpec& fn, const Case& c, bool in_python) {
  if (std::any_of(c.inputs.begin(), c.inputs.end(), [](const auto& i) { return i.second.size() > kShownElements; }))
    return "";
  std::string out = "inputs of this case:\n";
  for (std::size_t i = 0; i < fn.inputs.size(); ++i) {
    const Tensor& t = c.inputs.at(fn.inputs[i].name);
    // Passed as the list of its rows ([v_1, v_2, v_3]): said so, not shown as a matrix the
    // function never sees (found by a student helper).
    const bool rows =
        in_python && t.rank() >= 1 &&
        std::any_of(fn.python.arguments.begin(), fn.python.arguments.end(),
                    [&](const PythonBinding::Argument& a) { return a.passes_input() && a.input == i && a.rows; });
    out += fn.inputs[i].name +
           (rows ? fmt::format(" (passed as a list of {} row{}, each a 1-D {})", t.shape()[0],
                               t.shape()[0] == 1 ? "" : "s", fn.python.tensors == "numpy" ? "array" : "tensor")
                 : std::string()) +
           " =\n" + format_tensor(t) + "\n";
  }
  // What a notebook's function is passed beside them: a size of the case (n_heads=heads), a
  // constant (found by a student helper: a function that assumed 2 heads failed at 1, and the
  // inputs shown never said n_heads was 1).
  for (const auto& a : in_python ? fn.python.arguments : std::vector<PythonBinding::Argument>{}) {
    if (a.passes_input()) continue;
    const auto size = c.dims.find(a.size);
    const std::string value = a.size.empty()         ? a.constant
                              : size == c.dims.end() ? a.size
                                                     : std::to_string(size->second);
    out += a.keyword.empty() ? value + " (passed by position" + (a.size.empty() ? "" : ": " + a.size) + ")\n"
                             : a.keyword + " = " + value + "\n";
  }
  return out;
}

/// The elements of a case's inputs: how large it is to read.
std::size_t input_elements(const Case& c) {
  std::size_t n = 0;
  for (const auto& [name, t] : c.inputs) n += t.size();
  return n;
}

/// Whether a check's outputs are half-precision numbers (float16 or bfloat16: at most 11
/// significant bits), every finite value of every call's, and at least two have 8 or more, as
/// rounded results do: weights of 0.5 or 0.25 (uniform over 2 or 4 keys) are half-precision
/// numbers too, and say nothing. Over the whole check, whose smallest failing case may hold a
/// single value.
bool half_precision(const PlannedCheck& pc, const std::vector<CallResult>& results) {
  std::size_t rounded = 0;
  for (const auto& calls : pc.calls)
    for (std::size_t call : calls)
      for (const Tensor& t : results[call].outputs)
        for (double v : t.values()) {
          if (!std::isfinite(v) || v == 0) continue;
          const auto f = static_cast<float>(v);
          if (static_cast<double>(f) != v) return false;
          const std::uint32_t mantissa = (std::bit_cast<std::uint32_t>(f) & 0x7fffffu) | 0x800000u;  // 24 bits
          const int significant = 24 - std::countr_zero(mantissa);
          if (significant > 11) return false;
          rounded += significant >= 8;
        }
  return rounded >= 2;
}

/// The known mistakes that `outputs`, the student's in case `c`, match: every output the mistake
/// gives is computed, finite, of the student's shape (which may be another than declared: the
/// rows convention's transposed outputs) and matched, and one of them differs from the right
/// answer. Those the case contradicts (they compute, to finite values of the outputs' shapes
/// that the outputs, finite too, do not match) are marked in `contradicted`; a mistake marked
/// already, which no case can name any more (named_mistake()), is not computed again. `only`: a
/// mistake that gives this output, or none. `value(i, output)`: what mistake i gives for the
/// output in this case, computed once: each case is judged once.
std::vector<std::size_t> matching_mistakes(const FunctionSpec& fn, const Case& c,
                                           const std::map<std::string, Tensor>& outputs, const MistakeValue& value,
                                           const std::string& precision, std::vector<bool>& contradicted,
                                           const std::string* only = nullptr) {
  std::vector<std::size_t> matches;
  for (std::size_t i = 0; i < fn.mistakes.size(); ++i) {
    const FunctionMistake& m = fn.mistakes[i];
    if (contradicted[i] || (only && !m.outputs.count(*only))) continue;
    bool all = true, distinct = false, evidence = true;
    for (const auto& output : m.outputs) {
      const std::string& out = output.first;
      const std::optional<Tensor> value_of = value(i, out);
      // An output of an extra call has no reference here.
      const auto right =
          std::find_if(fn.outputs.begin(), fn.outputs.end(), [&](const auto& d) { return d.name == out; });
      const Tensor* expected =
          right == fn.outputs.end() ? nullptr : &c.expected[static_cast<std::size_t>(right - fn.outputs.begin())];
      // Not computable here, not to numbers that can tell anything, or not to numbers of the
      // output's shape (`transpose(keys)` where the keys are not square, as code that gets them
      // transposed by a reshape computes them): not this mistake, and nothing against it.
      if (!value_of || !finite_but_as(*value_of, expected) || value_of->shape() != outputs.at(out).shape()) {
        all = false;
        evidence = false;
        break;
      }
      // Outputs holding NaN say nothing against it either: the student's library may
      // give NaN where the reference gives 0 (a softmax over keys all masked).
      evidence = evidence && finite_but_as(outputs.at(out), expected);
      const Tolerance rule = m.tolerance.in(precision);
      all = all && is_mistake(outputs.at(out), *value_of, rule);
      distinct = distinct || !expected || !is_mistake(*expected, *value_of, rule);  // none: it differs
    }
    // A failing case the mistake does not explain: dividing by a constant 2 looks like
    // dividing by sqrt(N) where N is 4, and only there.
    if (evidence && !all) contradicted[i] = true;
    if (all && distinct) matches.push_back(i);
  }
  return matches;
}

/// The known mistake a failing case names, of those its outputs match (`matches`): a mistake
/// that another failing case contradicts is a coincidence, not the diagnosis (dividing by a
/// constant 2 looks like dividing by sqrt(N) only where N is 4), and outputs that match two
/// mistakes of different messages that give an output alike name neither: either would be a
/// guess (found by a helper writing a course: the first declared was named, as the self-test's
/// warning said it would not be). Mistakes of different outputs (the weights of one, the
/// output of another) each explain their own: all are named, "A; and another: B" (found by an
/// instructor helper: two such, both matched, were named neither, and the self-test compares
/// no such two).
std::optional<std::string> named_mistake(const FunctionSpec& fn, const std::vector<std::size_t>& matches,
                                         const std::vector<bool>& contradicted) {
  std::vector<const FunctionMistake*> kept;
  for (std::size_t i : matches)
    if (!contradicted[i]) kept.push_back(&fn.mistakes[i]);
  const auto share = [](const FunctionMistake& a, const FunctionMistake& b) {
    return std::any_of(a.outputs.begin(), a.outputs.end(), [&](const auto& o) { return b.outputs.count(o.first); });
  };
  for (std::size_t a = 0; a < kept.size(); ++a)
    for (std::size_t b = a + 1; b < kept.size(); ++b)
      if (kept[a]->message != kept[b]->message && share(*kept[a], *kept[b])) return std::nullopt;
  std::optional<std::string> named;
  std::set<std::string> said;
  for (const auto* m : kept)
    if (said.insert(m->message).second)
      named = named ? without_full_stop(*named) + "; and another: " + m->message : m->message;
  return named;
}

/// The student's outputs of case `k`, named, and those of its extra calls as <call>_<output>.
std::map<std::string, Tensor> case_outputs(const FunctionSpec& fn, const PlannedCheck& pc, std::size_t k,
                                           const std::vector<CallResult>& results) {
  std::map<std::string, Tensor> outputs;
  const auto& main_outputs = results[pc.calls[k][0]].outputs;
  for (std::size_t o = 0; o < fn.outputs.size(); ++o) outputs.emplace(fn.outputs[o].name, main_outputs[o]);
  for (std::size_t e = 0; e < pc.check->calls.size(); ++e)
    for (std::size_t o = 0; o < fn.outputs.size(); ++o)
      outputs.emplace(pc.check->calls[e].name + "_" + fn.outputs[o].name, results[pc.calls[k][e + 1]].outputs[o]);
  return outputs;
}

/// Both sides of a property check over the student's `outputs` of case `c`; nothing when they
/// cannot be computed (an output of an extra call had another shape than declared). An `expect`
/// of one number stands for every element of `got` (`expect: "1"`: verify_shapes.cpp allows it).
std::optional<std::pair<Tensor, Tensor>> property_sides(const Spec& spec, const FunctionSpec& fn,
                                                        const FunctionCheck& check, const Case& c,
                                                        const std::map<std::string, Tensor>& outputs) {
  const CaseNames with_outputs(fn, c.inputs, c.dims, spec.data, c.label, &outputs);
  try {
    Tensor got = check.property_got->evaluate(with_outputs.scope());
    Tensor expect = check.property_expect->evaluate(with_outputs.scope());
    if (expect.values().size() == 1 && expect.shape() != got.shape())
      expect = Tensor::filled(got.shape(), expect.values()[0]);
    return std::pair(std::move(got), std::move(expect));
  } catch (const SpecError&) {
    return std::nullopt;
  }
}

/// The outputs a property check reads: all of them where it reads only an extra call's.
std::vector<std::size_t> property_reads(const FunctionSpec& fn, const FunctionCheck& check) {
  std::set<std::string> names = expr::names_used(*check.property_got->ast);
  for (const auto& n : expr::names_used(*check.property_expect->ast)) names.insert(n);
  std::vector<std::size_t> read;
  for (std::size_t o = 0; o < fn.outputs.size(); ++o)
    if (names.count(fn.outputs[o].name)) read.push_back(o);
  if (read.empty())
    for (std::size_t o = 0; o < fn.outputs.size(); ++o) read.push_back(o);
  return read;
}

/// Whether the outputs a property check reads are zeros at `tolerance` in case `c`, and a
/// right one is not: every property of this kind holds for zeros.
bool trivially_held(const FunctionSpec& fn, const FunctionCheck& check, const CallResult& main, const Case& c,
                    const Tolerance& tolerance) {
  const std::vector<std::size_t> read = property_reads(fn, check);
  return std::all_of(read.begin(), read.end(), [&](std::size_t o) { return zeros_at(main.outputs[o], tolerance); }) &&
         std::any_of(read.begin(), read.end(), [&](std::size_t o) { return !zeros_at(c.expected[o], tolerance); });
}

/// How a case failed, found before any message is written: enough to rank it against the
/// check's other failing cases, and to write its message if it is the one shown.
struct Finding {
  enum class Kind {
    shape,                ///< output `output` has another shape than declared
    property_shape,       ///< the property cannot be computed on the outputs
    property_non_finite,  ///< a side of the property holds NaN or Inf
    property_zeros,       ///< every output is (next to) zeros where a right one is not: the property says nothing
    property_mistake,     ///< the outputs match a known mistake that earns no property points (`matches`)
    property_unsteady,    ///< the outputs differ when the case is called again (PlannedCheck::repeat)
    property_need_nan,    ///< the outputs hold NaN or Inf with need `output` drawn anew (PlannedCheck::needs)
    property_ignores,     ///< the outputs stay the same with need `output` drawn anew
    value,                ///< compared output `output` (a property: 0) fails
  };
  Kind kind = Kind::value;
  std::size_t k = 0;
  std::size_t output = 0;
  std::vector<std::size_t> matches;  ///< the known mistakes its outputs match (matching_mistakes())
  double tolerance_used = 0;         ///< the largest Comparison::used up to this case's
};

/// Judges case `k` (its calls ran and returned outputs): nothing if its outputs pass, else how
/// they fail, with the known mistakes they match (for a visible exercise: a hidden one names
/// none), marking those the case contradicts in `contradicted`. Each comparison raises `used`,
/// a passing one too.
std::optional<Finding> examine_case(const Spec& spec, const FunctionSpec& fn, const PlannedCheck& pc, std::size_t k,
                                    const std::vector<CallResult>& results, const Visibility visibility,
                                    const Tolerance& tolerance, std::vector<bool>& contradicted, double& used) {
  const FunctionCheck& check = *pc.check;
  const Case& c = pc.cases[k];
  const CallResult& main = results[pc.calls[k][0]];
  std::optional<std::map<std::string, Tensor>> outputs;  // named, once needed
  const auto named_outputs = [&]() -> const std::map<std::string, Tensor>& {
    if (!outputs) outputs = case_outputs(fn, pc, k, results);
    return *outputs;
  };
  std::optional<CaseNames> names;  // the case's (its lets computed once), for the known mistakes
  const MistakeValue value = [&](std::size_t i, const std::string& out) {
    if (!names) names.emplace(fn, c.inputs, c.dims, spec.data, c.label);
    return fn.mistakes[i].output(out, names->scope());
  };
  Finding f;
  f.k = k;
  const auto found = [&](Finding::Kind kind, std::size_t output, const std::string* only) {
    f.kind = kind;
    f.output = output;
    if (visibility == Visibility::visible && kind != Finding::Kind::property_shape &&
        kind != Finding::Kind::property_non_finite && kind != Finding::Kind::property_zeros)
      f.matches = matching_mistakes(fn, c, named_outputs(), value, main.precision, contradicted, only);
    f.tolerance_used = used;
    return f;
  };
  // Outputs of another shape than declared (a Python function returns what it likes) are a
  // verdict before anything computes with them; a known mistake of the student's shapes may
  // explain them (the rows convention's outputs, transposed: found by a student helper, told
  // only the shapes). A property check judges only those it reads (found by an instructor
  // helper: transposed weights failed a property of the output alone).
  for (std::size_t o = 0; o < fn.outputs.size(); ++o)
    if (main.outputs[o].shape() != fn.outputs[o].shape(c.dims)) {
      if (check.property_got) {
        const auto read = property_reads(fn, check);
        if (std::find(read.begin(), read.end(), o) == read.end()) continue;
      }
      return found(Finding::Kind::shape, o, &fn.outputs[o].name);
    }
  if (check.property_got) {
    const auto sides = property_sides(spec, fn, check, c, named_outputs());
    if (!sides) return found(Finding::Kind::property_shape, 0, nullptr);
    // Both sides are the student's: NaN on both is not agreement.
    if (!all_finite(sides->first) || !all_finite(sides->second))
      return found(Finding::Kind::property_non_finite, 0, nullptr);
    const Comparison cmp = compare(sides->first, sides->second, tolerance);
    used = std::max(used, cmp.used);
    if (!cmp.passed()) return found(Finding::Kind::value, 0, nullptr);
    // Nor are zeros, which have every property of this kind (`output` = `weights @ V`, masked
    // weights zero) whatever the function computes: where every output the property reads is
    // zeros at the exercise's tolerance (9e-6, 1e-30 times anything), and a right one is not,
    // it earns no points of partial understanding (found by three student helpers: zeros, then
    // a constant 9e-6 output beside zero weights, scored 2 of 8).
    if (trivially_held(fn, check, main, c, pc.exercise->tolerance.in(main.precision)))
      return found(Finding::Kind::property_zeros, 0, nullptr);
    // Nor are the outputs of a known mistake that earns none (found by a hostile-student
    // helper: uniform weights, which sum to 1 and give output = weights @ V, scored 3 of 8).
    if (std::any_of(fn.mistakes.begin(), fn.mistakes.end(), [](const auto& m) { return !m.property_points; })) {
      // Only those mistakes are computed (the others marked here as if contradicted, so
      // skipped): every passing case of a right function gets here. A case whose outputs
      // contradict one marks it: where it matched another case, that was a coincidence
      // (conclude_check()).
      std::vector<bool> skipped = contradicted;
      for (std::size_t i = 0; i < fn.mistakes.size(); ++i) skipped[i] = skipped[i] || fn.mistakes[i].property_points;
      std::vector<std::size_t> m = matching_mistakes(fn, c, named_outputs(), value, main.precision, skipped);
      for (std::size_t i = 0; i < fn.mistakes.size(); ++i)
        if (!fn.mistakes[i].property_points) contradicted[i] = skipped[i];
      if (!m.empty()) {
        f.kind = Finding::Kind::property_mistake;
        f.matches = std::move(m);
        f.tolerance_used = used;
        return f;
      }
    }
    return std::nullopt;
  }
  for (std::size_t o = 0; o < fn.outputs.size(); ++o) {
    const Comparison cmp = compare(main.outputs[o], c.expected[o], tolerance);
    used = std::max(used, cmp.used);
    if (!cmp.passed()) return found(Finding::Kind::value, o, nullptr);
  }
  return std::nullopt;
}

/// Writes into `r` the verdict, message and details of a failing case, from its finding `f`;
/// `named`: the known mistake the check's judgement has it name, if any. `half`: the check's
/// outputs are half-precision numbers.
void describe_case(const Spec& spec, const FunctionSpec& fn, const PlannedCheck& pc, const Finding& f,
                   const std::optional<std::string>& named, const std::vector<CallResult>& results,
                   const Visibility visibility, const std::string& replay, bool half, CheckResult& r) {
  const FunctionCheck& check = *pc.check;
  const Case& c = pc.cases[f.k];
  const CallResult& main = results[pc.calls[f.k][0]];
  const Tolerance tolerance = check.tolerance.in(main.precision);
  const bool visible = visibility == Visibility::visible;
  // The check's name says what a property means; its expressions, the spec's own words, are in
  // the details only (found by a helper: "property weights * (1 - mask) = 0 * weights" read as
  // grader syntax, nothing from the homework).
  const std::string property =
      check.property_got ? "property: " + check.property_got->text + " = " + check.property_expect->text + "\n" : "";
  switch (f.kind) {
    case Finding::Kind::shape: {
      const std::size_t o = f.output;
      const Shape want = fn.outputs[o].shape(c.dims);
      r.verdict = Verdict::wrong_shape;
      r.message = prefixed(c.label, fn.outputs[o].name + " has shape " + format_shape(main.outputs[o].shape()) +
                                        " but " + format_shape(want) + " is expected");
      // `return weights, output`: two outputs, each of the other's shape.
      bool swapped = false;
      for (std::size_t p = 0; p < fn.outputs.size() && !swapped; ++p)
        if (p != o && main.outputs[o].shape() == fn.outputs[p].shape(c.dims) && main.outputs[p].shape() == want) {
          std::vector<std::string> order;
          for (const auto& out : fn.outputs) order.push_back(out.name);
          // (Found by a student helper: "..., the shape of weights, and weights has output's" read
          // as garbled.)
          r.message += fmt::format(
              ": are your outputs in another order? That is the shape of {0}, and {0} has the shape of {1}: return "
              "them in the order ({2})",
              fn.outputs[p].name, fn.outputs[o].name, fmt::join(order, ", "));
          swapped = true;
        }
      // One shape in every case, whatever the inputs' sizes: the function does not compute with
      // its parameters (found by a student helper: the notebook's own Q, K and V, used in the
      // body, were told only "has shape (2, 3, 4) but (1, 1, 1) is expected").
      bool same = true, same_values = true, sizes_vary = false;
      for (std::size_t k = 0; k < pc.cases.size() && same; ++k) {
        const CallResult& other = results[pc.calls[k][0]];
        if (other.failure || other.outputs.size() <= o) continue;
        same = other.outputs[o].shape() == main.outputs[o].shape();
        same_values = same && same_values && std::ranges::equal(other.outputs[o].values(), main.outputs[o].values());
        sizes_vary = sizes_vary || fn.outputs[o].shape(pc.cases[k].dims) != want;
      }
      // The same values too: numbers of its own (found by an instructor helper: a function
      // returning the printed example was asked only about the notebook's variables).
      if (same && sizes_vary)
        r.message += same_values ? " (the same values in every case, whatever the inputs: does the function return "
                                   "numbers of its own, typed in or variables of the notebook, instead of computing "
                                   "with its parameters?)"
                                 : " (the same shape in every case, whatever the inputs' sizes: does the function "
                                   "compute with variables of the notebook instead of its parameters?)";
      // As for answers (found by an instructor helper: a function's transposed scores were told
      // only the two shapes, where an answer file's are asked "is it transposed?").
      else if (!swapped)
        r.message += reordered_shape_hint(main.outputs[o].shape(), want) +
                     (main.outputs[o].rank() > want.size() ? more_axes_hint(pc.exercise->masked()) : "");
      if (named) r.message += "; your outputs match a known mistake: " + without_full_stop(*named);
      r.mistake = named;
      r.details = replay;
      return;
    }
    case Finding::Kind::property_shape:
      r.verdict = Verdict::wrong_shape;
      r.message =
          prefixed(c.label, "the property cannot be computed: an output of yours has another shape than declared");
      r.details = property + replay;
      return;
    case Finding::Kind::property_non_finite:
      r.verdict = Verdict::non_finite;
      r.message = prefixed(c.label, "your outputs hold NaN or Inf");
      r.details = property + replay;
      return;
    case Finding::Kind::property_mistake:
      r.verdict = Verdict::wrong;
      r.message =
          prefixed(c.label, (visible ? "your outputs match a known mistake: " +
                                           without_full_stop(fn.mistakes[f.matches[0]].message) + "; outputs like these"
                                     : std::string("your outputs")) +
                                " have this property without computing what it checks, so it earns nothing "
                                "here");
      r.mistake = visible ? std::optional<std::string>(fn.mistakes[f.matches[0]].message) : std::nullopt;
      r.details = property + replay;
      return;
    case Finding::Kind::property_unsteady:
      r.verdict = Verdict::wrong;
      r.message = prefixed(c.label,
                           "called again with the same inputs, your function returned other outputs: outputs that "
                           "follow something besides the inputs (a count of calls, the clock, randomness not from "
                           "torch, numpy or random) earn no property's points");
      r.details = property + replay;
      return;
    case Finding::Kind::property_need_nan:
    case Finding::Kind::property_ignores: {
      const std::string& input = pc.needs[f.output].input;
      r.verdict = Verdict::wrong;
      r.message = prefixed(
          c.label, "with " + input + " drawn anew (the other inputs as they were), your outputs " +
                       (f.kind == Finding::Kind::property_need_nan
                            ? "hold NaN or Inf, where the right ones are finite: they do not show that they follow " +
                                  input + ", so this property earns nothing here"
                            // Asked, not told: outputs may stay the same by a mistake of another kind
                            // (found by an instructor helper: a softmax over one head's axis gives
                            // ones whatever Q is).
                            : "stay the same, where the right ones change: does your function use " + input +
                                  "? (a slip, such as another input in its place, or a step whose result no "
                                  "longer depends on it); outputs that ignore it have this property without "
                                  "computing what it checks, so it earns nothing here"));
      r.details = property + replay;
      return;
    }
    case Finding::Kind::property_zeros:
      r.verdict = Verdict::wrong;
      r.message = prefixed(c.label,
                           "the outputs it reads are all zeros (or next to nothing), and the right ones are not: "
                           "zeros have this property whatever the function computes, so it earns nothing here");
      r.details = property + replay;
      return;
    case Finding::Kind::value:
      break;
  }
  std::optional<std::pair<Tensor, Tensor>> sides;
  if (check.property_got) sides = property_sides(spec, fn, check, c, case_outputs(fn, pc, f.k, results));
  const Tensor& got = sides ? sides->first : main.outputs[f.output];
  const Tensor& expected = sides ? sides->second : c.expected[f.output];
  const std::string what = sides ? "" : fn.outputs[f.output].name;
  Comparison cmp = compare(got, expected, tolerance, Hints{pc.exercise->masked()});
  // A property compares what the spec derives (row sums, masked weights): the hints about
  // attention weights would read them as weights (found by a hostile-student helper: "your
  // column 0 sums to 0.9: ... a mask applied after it?" for exercise 1's row sums).
  if (check.property_got) cmp.patterns.clear();
  // Precision explains the whole mismatch: where rounding happened to pass the tolerance
  // is no pattern (found by a helper: "every mismatch is in row [2, :]" beside it).
  if (auto hint = precision_hint(half, got, expected, check.tolerance, main.precision))
    cmp.patterns = {std::move(*hint)};
  // Two outputs that are each the other's, where their shapes agree (found by an instructor
  // helper: a C++ `return {W, out};` was told, in a 1 x 1 x 1 case, that its weights are no
  // weights): the order is the slip, said alone.
  bool swapped = false;
  for (std::size_t p = 0; !sides && p < fn.outputs.size() && !swapped; ++p) {
    const std::size_t o = f.output;
    swapped = p != o && main.outputs[o].shape() == c.expected[p].shape() &&
              main.outputs[p].shape() == c.expected[o].shape() &&
              compare(main.outputs[o], c.expected[p], tolerance, {}).passed() &&
              compare(main.outputs[p], c.expected[o], tolerance, {}).passed();
  }
  if (swapped) {
    std::vector<std::string> order;
    for (const auto& out : fn.outputs) order.push_back(out.name);
    cmp.patterns = {fmt::format("your outputs are the right ones in another order: return them in the order ({})",
                                fmt::join(order, ", "))};
  }
  // The other outputs that fail here, in a line each (found by a helper: the weights, where a
  // masked column shows, were never shown beside a failing output), with a hint of their own
  // where one names a pattern (found by a student helper: attentions rounded to 3 decimals,
  // which the output made from them could not show); a hint said of the output shown already
  // is not said again, and where others are, each hint names its output (found by an
  // instructor helper: "hint (weights): row [0, :] is NaN throughout", then "hint:" the same).
  std::string others;
  for (std::size_t p = f.output + 1; !sides && visible && p < fn.outputs.size(); ++p)
    if (const Comparison other = compare(main.outputs[p], c.expected[p], tolerance, Hints{pc.exercise->masked()});
        !other.passed()) {
      others += "also " + prefixed(fn.outputs[p].name, summarize(other, true)) + "\n";
      if (swapped || other.patterns.empty() ||
          std::find(cmp.patterns.begin(), cmp.patterns.end(), other.patterns.front()) != cmp.patterns.end())
        continue;
      others += "hint (" + fn.outputs[p].name + "): " + other.patterns.front() + "\n";
      cmp.patterns_of = what;
    }
  Feedback fb = feedback(cmp, got, expected, tolerance, visibility, c.label, what, [&] { return named; });
  if (!others.empty()) {  // after the line of the output the message is about
    const auto line = fb.mistake ? fb.details.find('\n') : std::string::npos;
    fb.details.insert(line == std::string::npos ? 0 : line + 1, others);
  }
  r.verdict = fb.verdict;
  r.message = std::move(fb.message);
  r.details = (visible ? property : "") + std::move(fb.details) +
              (visible && check.random() ? shown_inputs(fn, c, pc.in_python) : "") + replay;
  r.mistake = std::move(fb.mistake);
}

/// For a property check whose cases all pass: whether its outputs follow the inputs its points
/// need (PlannedCheck::needs), at the check's tolerance. Not where the case called again gives
/// other outputs (a counter, the clock, unseeded randomness: found by a hostile-student helper,
/// whose weights from a call counter followed every input drawn anew), nor where an input
/// drawn anew gives NaN or Inf and the right outputs are finite, nor where the outputs stay the
/// same with it and the right ones change: such outputs never use that input (weights from V
/// V^T, or all on the last key), and have the property without computing what it checks.
/// The finding's kind and the need it is about.
std::optional<std::pair<Finding::Kind, std::size_t>> unfollowed_need(const FunctionSpec& fn, const PlannedCheck& pc,
                                                                     const std::vector<CallResult>& results) {
  const Case& c = pc.cases[pc.need_case];
  const CallResult& main = results[pc.calls[pc.need_case][0]];
  const Tolerance tolerance = pc.check->tolerance.in(main.precision);
  const auto same = [&](const CallResult& r) {
    for (std::size_t o = 0; o < fn.outputs.size(); ++o)
      if (!compare(r.outputs[o], main.outputs[o], tolerance).passed()) return false;
    return true;
  };
  if (!same(results[pc.repeat])) return std::pair(Finding::Kind::property_unsteady, 0);
  for (std::size_t n = 0; n < pc.needs.size(); ++n) {
    const CallResult& anew = results[pc.needs[n].call];
    bool right_changes = false;
    for (std::size_t o = 0; o < fn.outputs.size(); ++o) {
      if (!finite_but_as(anew.outputs[o], &pc.needs[n].expected[o]))
        return std::pair(Finding::Kind::property_need_nan, n);
      right_changes = right_changes || !compare(pc.needs[n].expected[o], c.expected[o], tolerance).passed();
    }
    if (right_changes && same(anew)) return std::pair(Finding::Kind::property_ignores, n);
  }
  return std::nullopt;
}

/// A check's cases judged (examine_check()), before its verdict is written (conclude_check()).
struct ExaminedCheck {
  CheckResult out;                     ///< name, points and the rule applied
  std::string replay;                  ///< how to replay its random cases, said to students
  std::vector<Finding> failing;        ///< its failing cases, in order
  std::optional<CheckResult> stopped;  ///< a call that failed: the cases after it are not judged
};

/// Judges every case of a check, in order, until a call that failed, marking in `contradicted`
/// the known mistakes its failing cases contradict. Every case is judged once.
ExaminedCheck examine_check(const Spec& spec, const FunctionSpec& fn, const PlannedCheck& pc,
                            const std::vector<CallResult>& results, const Visibility visibility,
                            std::vector<bool>& contradicted) {
  const FunctionCheck& check = *pc.check;
  ExaminedCheck e;
  CheckResult& out = e.out;
  out.name = check.name;
  out.max_score = check.points;
  // Said to students, who cannot run the grader where they hand in (Gradescope): the seed is
  // for asking; the command is for whoever has the spec.
  e.replay = check.random()
                 ? fmt::format(
                       "seed {}: quote it when you ask about this case (`grader check --spec SPEC --exercise "
                       "{} --seed {} FOLDER` replays this exercise's cases)\n",
                       pc.seed, shell_word(pc.exercise->id), pc.seed)
                 : "";
  std::optional<CheckResult>& stopped = e.stopped;
  for (std::size_t k = 0; k < pc.cases.size(); ++k) {
    const Case& c = pc.cases[k];
    for (std::size_t call : pc.calls[k]) {
      const CallResult& res = results[call];
      if (res.failure) {  // the student's own code failed: said whatever the visibility
        // A function that is not there, not implemented yet or returns None is so in every
        // case, and so is one that fails alike in each (returns one value where two are
        // expected): its case and seed would only crowd out what to do (found by a student
        // helper: a seed to quote beside "returned a numpy.ndarray, where 2 values are
        // expected").
        const bool missing = *res.failure == Verdict::missing;
        const bool alike = std::all_of(pc.calls.begin(), pc.calls.end(), [&](const auto& calls) {
          return std::all_of(calls.begin(), calls.end(), [&](std::size_t other) {
            return results[other].failure == res.failure && results[other].message == res.message;
          });
        });
        stopped = out;
        stopped->verdict = *res.failure;
        stopped->message = missing ? res.message
                           : alike ? res.message + (pc.cases.size() <= 1         ? ""
                                                    : res.message.ends_with('?') ? " (in every case)"
                                                                                 : ", in every case")
                                   : prefixed(c.label, res.message);
        // A case that hung or crashed shows its inputs, as a wrong one does (found by a student
        // helper: a hang said only its sizes and a seed).
        stopped->details =
            missing || alike
                ? ""
                : (visibility == Visibility::visible && check.random() ? shown_inputs(fn, c, pc.in_python) : "") +
                      e.replay;
        break;
      }
    }
    for (std::size_t call : pc.calls[k])
      if (!stopped && results[call].outputs.size() != fn.outputs.size()) {  // a result without outputs: never judged
        stopped = out;
        stopped->verdict = Verdict::missing;
        stopped->message = prefixed(c.label, "no outputs came back from the call");
      }
    if (stopped) break;
    // The student's precision decides the rule, for the target and the known mistakes alike:
    // float32 results get the spec's float32 one.
    const Tolerance tolerance = check.tolerance.in(results[pc.calls[k][0]].precision);
    if (out.tolerance.empty()) out.tolerance = tolerance.formula();
    if (auto f = examine_case(spec, fn, pc, k, results, visibility, tolerance, contradicted, out.tolerance_used))
      e.failing.push_back(std::move(*f));
  }
  return e;
}

/// The check's verdict, score, message, details and mistake, from its cases judged (`e`) and the
/// known mistakes contradicted (`contradicted`: by its own failing cases, and for a fixed check
/// by those of its exercise's random checks worth points). The first failing call decides (a
/// crash, a hang, an exception: the code did not run); before it, or without one, of the failing
/// cases the smallest whose outputs have another shape, else the smallest that names a known
/// mistake (the only one its outputs match, and that is not contradicted), else the smallest (ties: the first), so that
/// what a student reads is a diagnosis and a case of a few elements rather than of the largest sizes, with its inputs.
/// Only the message shown is written.
CheckResult conclude_check(const Spec& spec, const FunctionSpec& fn, const PlannedCheck& pc,
                           const std::vector<CallResult>& results, const Visibility visibility, ExaminedCheck e,
                           const std::vector<bool>& contradicted) {
  const FunctionCheck& check = *pc.check;
  const CheckResult& out = e.out;
  const std::string& replay = e.replay;
  const std::optional<CheckResult>& stopped = e.stopped;
  std::vector<Finding>& failing = e.failing;
  // Outputs of a known mistake that earns no property points, where another case of the
  // check contradicts it, were a coincidence, and the property holds there (found when the
  // unscaled attention of UDL's exercise 2, whose softmax can saturate, matched identity
  // attentions in one case of permutation equivariance).
  std::erase_if(failing, [&](const Finding& f) {
    return f.kind == Finding::Kind::property_mistake &&
           std::all_of(f.matches.begin(), f.matches.end(), [&](std::size_t i) { return contradicted[i]; });
  });
  // Every case has the property: do the outputs follow the inputs its points need? (After the
  // coincidences above: found by a hostile-student helper, whose weights from a call counter
  // matched a mistake in one case, and were never asked.)
  if (!stopped && failing.empty() && !pc.needs.empty())
    if (const auto found = unfollowed_need(fn, pc, results)) {
      Finding f;
      f.kind = found->first;
      f.k = pc.need_case;
      f.output = found->second;
      f.tolerance_used = out.tolerance_used;
      failing.push_back(std::move(f));
    }
  // Outputs judged wrong from a function the notebook defines more often than the spec takes
  // it: which definition was called, first; and the notebook's tensors it reads, unless a
  // known mistake explains the outputs, after the hints (a lead, not a cause: found by a
  // student helper, whose UDL function read `D`, the size of the notebook's own inputs, in the
  // notebook's case, and the hint of the softmax's axis came below it).
  const auto noted = [&](CheckResult r) {
    if (r.verdict == Verdict::wrong || r.verdict == Verdict::wrong_shape)
      for (const auto& calls : pc.calls)
        for (std::size_t call : calls) {
          const std::string& which = results[call].note;
          const std::string reads = r.mistake ? "" : results[call].reads_note;
          if (which.empty() && reads.empty()) continue;
          if (!reads.empty()) {  // before the comparison's numbers, which start at its tolerance
            const std::size_t at =
                r.details.starts_with(kToleranceLine) ? 0 : r.details.find("\n" + std::string(kToleranceLine));
            const std::size_t line = at == std::string::npos ? r.details.size() : at == 0 ? 0 : at + 1;
            const bool ended = line == 0 || r.details[line - 1] == '\n';
            r.details.insert(line, (ended ? "" : "\n") + ("note: " + reads + "\n"));
          }
          if (!which.empty()) r.details = "note: " + which + "\n" + r.details;
          return r;
        }
    return r;
  };
  if (failing.empty()) {
    if (stopped) return noted(*stopped);
    CheckResult passed = out;
    passed.score = check.points;
    return passed;
  }
  // Outputs of another shape, then a named known mistake, say more than any size: a function
  // that returns the weights permuted, or the keys transposed, has the right shape, or matches
  // the mistake, only in square cases; two mistakes may agree on a small case. Within each
  // rank, the smaller case.
  std::vector<std::optional<std::string>> named(failing.size());
  std::optional<std::size_t> smallest, first_named;
  std::pair<int, std::size_t> smallest_rank;
  for (std::size_t i = 0; i < failing.size(); ++i) {
    const Finding& f = failing[i];
    named[i] = named_mistake(fn, f.matches, contradicted);
    const int rank = f.kind == Finding::Kind::shape || f.kind == Finding::Kind::property_shape ? 0
                     : f.kind == Finding::Kind::value && named[i]                              ? 1
                                                                                               : 2;
    const std::size_t elements = input_elements(pc.cases[f.k]);
    if (rank == 1 && (!first_named || elements < input_elements(pc.cases[failing[*first_named].k]))) first_named = i;
    if (!smallest || std::pair(rank, elements) < smallest_rank) {
      smallest = i;
      smallest_rank = {rank, elements};
    }
  }
  const bool half = half_precision(pc, results);
  // A wrong output of a single number shows no pattern a hint could name: the smallest case of
  // the same rank whose wrong output holds more is shown instead where a hint names one there
  // (found by trying outputs twice the right ones: the random check showed its 1 x 1 x 1 case,
  // without "times 2").
  const auto single = [&](const Finding& f) {
    return f.kind == Finding::Kind::value && !check.property_got && pc.cases[f.k].expected.at(f.output).size() < 2;
  };
  const auto hinted = [&](const Finding& f) {
    const CallResult& main = results[pc.calls[f.k][0]];
    const Tensor &got = main.outputs[f.output], &expected = pc.cases[f.k].expected[f.output];
    return !compare(got, expected, check.tolerance.in(main.precision), Hints{pc.exercise->masked()}).patterns.empty() ||
           precision_hint(half, got, expected, check.tolerance, main.precision);
  };
  if (smallest && smallest_rank.first == 2 && single(failing[*smallest]) && !hinted(failing[*smallest])) {
    std::optional<std::size_t> larger;
    for (std::size_t i = 0; i < failing.size(); ++i)
      if (!named[i] && failing[i].kind == Finding::Kind::value && !single(failing[i]) &&
          (!larger || input_elements(pc.cases[failing[i].k]) < input_elements(pc.cases[failing[*larger].k])))
        larger = i;
    if (larger && hinted(failing[*larger])) smallest = larger;
  }
  const auto described = [&](std::size_t i) {
    CheckResult r = out;
    r.tolerance_used = failing[i].tolerance_used;
    describe_case(spec, fn, pc, failing[i], named[i], results, visibility, replay, half, r);
    return r;
  };
  CheckResult r = described(*smallest);
  if (!stopped) {
    // The smallest failing case is shown; how many fail tells a slip in one corner (a size of
    // 1) from code wrong everywhere (found by a helper: "case 99 of 100" read as the only one).
    // Outputs that do not follow an input are found on one case, which has the property: no count.
    // Nor for a hidden exercise: which cases fail, counted as code that is right for some sizes
    // only is changed, would tell its targets apart (found by an instructor helper).
    const auto kind = failing[*smallest].kind;
    if (pc.cases.size() > 1 && kind != Finding::Kind::property_unsteady && kind != Finding::Kind::property_need_nan &&
        kind != Finding::Kind::property_ignores && visibility != Visibility::hidden) {
      // (Found by a student helper: "random case 1 of 40 (...), one of 40, all failing" read oddly.)
      const std::string count = failing.size() == pc.cases.size()
                                    ? fmt::format(" (all {} cases fail)", failing.size())
                                    : fmt::format(" (one of {} cases that fail)", failing.size());
      const std::string& label = pc.cases[failing[*smallest].k].label;
      const auto at = label.empty() ? std::string::npos : r.message.find(label);
      r.message.insert(at == std::string::npos ? r.message.size() : at + label.size(), count);
    }
    // Outputs of another shape come first, but a case where the shapes agree may name the
    // mistake that also explains them (keys and values taken from the queries: their shape
    // is wrong wherever there are more keys than queries).
    if (smallest_rank.first == 0 && first_named && r.mistake != named[*first_named]) {
      r.message += "; where the shapes agree, your outputs match a known mistake: " + described(*first_named).message;
      r.mistake = named[*first_named];
    }
  }
  return noted(std::move(r));
}

}  // namespace

Tensor expected_output(const Spec& spec, const FunctionSpec& fn, const FunctionCheck& check, std::size_t o,
                       const CaseNames& names, std::string_view context) {
  if (const auto over = check.expect_override.find(fn.outputs[o].name); over != check.expect_override.end()) {
    expr::Scope data_only;  // a printed value: over the data, never the inputs
    data_only.add(spec.data);
    return over->second.evaluate(data_only, context);
  }
  return fn.expect[o].evaluate(names.scope(), context);
}

namespace {

/// Where a check's property_points_need calls go: the case, and per input named, the inputs
/// with it drawn anew and the reference's outputs there (NeedCall::call set when planned).
struct NeedPlan {
  std::size_t k = 0;
  std::vector<NeedCall> needs;
  std::vector<std::map<std::string, Tensor>> inputs;
};

/// The case of a random property check (`cases`, its; `seed`, its own) that property_points_need
/// calls again: the first, in an order drawn from the seed, of at most 8 of its drawn cases, then
/// the one of every upper bound, on which the right outputs change with each input named drawn
/// anew (at the check's tolerance in the precision the inputs are given in). A student cannot
/// tell it by its sizes (found by a hostile-student helper: weights right only at the upper
/// bounds, uniform elsewhere, kept every property's points when it was always the second), and
/// it holds a student to something (with one key, its weight is 1 whatever Q is). Else the one
/// of every upper bound.
NeedPlan plan_needs(const Spec& spec, const Exercise& ex, const FunctionCheck& check, const std::vector<Case>& cases,
                    std::uint64_t seed, bool single) {
  const FunctionSpec& fn = *ex.function;
  std::vector<std::size_t> order;
  for (std::size_t k = 2; k < cases.size(); ++k) order.push_back(k);
  Rng rng(mix(seed, 0x6f72646572ull));  // "order"
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.between(0, i - 1)]);
  order.resize(std::min<std::size_t>(order.size(), 8));
  order.push_back(cases.size() > 1 ? 1 : 0);
  const Tolerance tolerance = check.tolerance.in(single ? "float32" : "float64");
  NeedPlan p;
  for (std::size_t k : order) {
    const Case& c = cases[k];
    const std::string context = fmt::format("exercise {}, check '{}', {}", ex.id, check.name, c.label);
    std::vector<Tensor> expected;  // the case's own (planned again after this)
    {
      const CaseNames names(fn, c.inputs, c.dims, spec.data, context);
      for (std::size_t o = 0; o < fn.outputs.size(); ++o)
        expected.push_back(expected_output(spec, fn, check, o, names, context));
    }
    p = NeedPlan{k, {}, {}};
    bool every = true;
    for (const auto& name : fn.property_needs) {
      std::map<std::string, Tensor> redrawn = c.inputs;
      Tensor anew = drawn_anew(fn, check, c, name, mix(seed, k));
      redrawn[name] = single ? to_float32(std::move(anew)) : std::move(anew);
      const CaseNames names(fn, redrawn, c.dims, spec.data, context);
      NeedCall need{name, 0, {}};
      bool changes = false;
      for (std::size_t o = 0; o < fn.outputs.size(); ++o) {
        need.expected.push_back(expected_output(spec, fn, check, o, names, context));
        changes = changes || !compare(need.expected[o], expected[o], tolerance).passed();
      }
      every = every && changes;
      p.needs.push_back(std::move(need));
      p.inputs.push_back(std::move(redrawn));
    }
    if (every) break;
  }
  return p;
}

}  // namespace

FunctionPlan plan_functions(const Spec& spec, const std::string& seed_key, const GradeOptions& options,
                            bool in_python) {
  FunctionPlan plan;
  int group = 0;
  for (const auto& ex : spec.exercises) {
    if (!ex.function) continue;
    const FunctionSpec& fn = *ex.function;
    const std::uint64_t seed = options.seed ? *options.seed : default_seed(seed_key + "/" + ex.id);
    const bool single = in_python && fn.python.dtype == "float32";
    for (std::size_t ci = 0; ci < fn.checks.size(); ++ci) {
      const FunctionCheck& check = fn.checks[ci];
      PlannedCheck pc{&ex, &check, seed, check_cases(spec, fn, ci, seed), {}, 0, 0, {}, in_python};
      if (single)
        for (auto& c : pc.cases)
          for (auto& [name, t] : c.inputs) t = to_float32(std::move(t));
      const bool needs = check.needs_followed() && !fn.property_needs.empty();
      NeedPlan need_plan;
      if (needs) need_plan = plan_needs(spec, ex, check, pc.cases, mix(seed, ci), single);
      pc.need_case = need_plan.k;
      for (std::size_t k = 0; k < pc.cases.size(); ++k) {
        Case& c = pc.cases[k];
        const std::string context =
            fmt::format("exercise {}, check '{}', {}", ex.id, check.name, c.label.empty() ? "its case" : c.label);
        const CaseNames names(fn, c.inputs, c.dims, spec.data, context);
        const expr::Scope& scope = names.scope();
        for (std::size_t o = 0; o < fn.outputs.size(); ++o)
          c.expected.push_back(expected_output(spec, fn, check, o, names, context));
        std::vector<std::size_t> ids;
        const auto add = [&](const std::map<std::string, Tensor>& inputs) {
          Call call{fn.symbol, {}, {}, group};
          for (const auto& d : fn.inputs) call.inputs.push_back(inputs.at(d.name));
          for (const auto& d : fn.outputs) call.outputs.push_back(d.shape(c.dims));
          ids.push_back(plan.calls.size());
          plan.calls.push_back(std::move(call));
          plan.exercises.push_back(&ex);
          plan.seeds.push_back(mix(mix(seed, ci), k));  // what a student's own random draws replay
          plan.sizes.push_back(c.dims);
        };
        add(c.inputs);
        for (const auto& extra : check.calls) {
          std::map<std::string, Tensor> replaced = c.inputs;
          for (const auto& [name, e] : extra.inputs)
            replaced[name] = single ? to_float32(e.evaluate(scope, context)) : e.evaluate(scope, context);
          add(replaced);
        }
        if (needs && k == pc.need_case) {
          pc.repeat = plan.calls.size();
          add(c.inputs);                                              // the same inputs again
          for (std::size_t n = 0; n < need_plan.needs.size(); ++n) {  // one input drawn anew each
            need_plan.needs[n].call = plan.calls.size();
            add(need_plan.inputs[n]);
          }
          pc.needs = std::move(need_plan.needs);
        }
        pc.calls.push_back(std::move(ids));
      }
      plan.checks.push_back(std::move(pc));
      ++group;
    }
  }
  return plan;
}

namespace {

/// What every check shares (a build, a child) is split between the checks by their number
/// of calls.
double share(const FunctionPlan& plan, std::size_t p, double seconds) {
  std::size_t n = 0;
  for (const auto& ids : plan.checks[p].calls) n += ids.size();
  return plan.calls.empty() ? seconds / static_cast<double>(std::max<std::size_t>(plan.checks.size(), 1))
                            : seconds * static_cast<double>(n) / static_cast<double>(plan.calls.size());
}

}  // namespace

std::map<std::string, ExerciseResult> judge_functions(const Spec& spec, const FunctionPlan& plan,
                                                      const std::vector<CallResult>& results, double shared_seconds) {
  std::map<std::string, ExerciseResult> out;
  for (const auto& ex : spec.exercises) {
    if (!ex.function) continue;
    ExerciseResult r{ex.id, ex.title, ex.visibility, ex.points, {}};
    // A known mistake is a claim about the function. A fixed check's one case cannot
    // contradict it, so a fixed check also takes the contradictions of the exercise's random
    // checks worth points (found by a numerical-audit helper: a mask taken from batch 0 only
    // was told "the mask is ignored" by the notebook's example, whose batch 0 masks nothing,
    // though 55 random cases showed it masked). A random check keeps its own: one of inputs
    // of another kind may show a second fault, not that the first is not there (found by a
    // reviewing helper: an unscaled attention whose mask code fits (batch, 1, block) masks
    // only, which the 0-point causal check contradicted everywhere).
    const std::size_t mistakes = ex.function->mistakes.size();
    std::vector<bool> by_random(mistakes, false);
    struct Examined {
      std::size_t p;
      ExaminedCheck e;
      std::vector<bool> contradicted;
      double seconds;
    };
    std::vector<Examined> examined;
    const auto since = [](auto start) {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    for (std::size_t p = 0; p < plan.checks.size(); ++p) {
      if (plan.checks[p].exercise != &ex) continue;
      const auto compared = std::chrono::steady_clock::now();
      std::vector<bool> own(mistakes, false);
      ExaminedCheck e = examine_check(spec, *ex.function, plan.checks[p], results, ex.visibility, own);
      const FunctionCheck& check = *plan.checks[p].check;
      if (check.random() && check.points > 0)
        for (std::size_t i = 0; i < mistakes; ++i) by_random[i] = by_random[i] || own[i];
      examined.push_back({p, std::move(e), std::move(own), share(plan, p, shared_seconds) + since(compared)});
    }
    for (auto& [p, e, own, seconds] : examined) {
      const auto concluded = std::chrono::steady_clock::now();
      if (!plan.checks[p].check->random())
        for (std::size_t i = 0; i < mistakes; ++i) own[i] = own[i] || by_random[i];
      r.checks.push_back(conclude_check(spec, *ex.function, plan.checks[p], results, ex.visibility, std::move(e), own));
      r.checks.back().seconds = seconds + since(concluded);
    }
    out.emplace(ex.id, std::move(r));
  }
  return out;
}

std::map<std::string, ExerciseResult> unavailable_functions(const Spec& spec, const FunctionPlan& plan, Verdict verdict,
                                                            const std::string& message, double seconds) {
  std::map<std::string, ExerciseResult> out;
  for (const auto& ex : spec.exercises) {
    if (!ex.function) continue;
    ExerciseResult r{ex.id, ex.title, ex.visibility, ex.points, {}};
    for (std::size_t p = 0; p < plan.checks.size(); ++p)
      if (plan.checks[p].exercise == &ex)
        r.checks.push_back(CheckResult{plan.checks[p].check->name, verdict, 0, plan.checks[p].check->points, message,
                                       "", std::nullopt, share(plan, p, seconds), ""});
    out.emplace(ex.id, std::move(r));
  }
  return out;
}

std::vector<std::string> python_functions(const Spec& spec) {
  std::vector<std::string> names;
  for (const auto& ex : spec.exercises)
    if (ex.function && std::find(names.begin(), names.end(), ex.function->python.function) == names.end())
      names.push_back(ex.function->python.function);
  return names;
}

std::string python_function_names(const Spec& spec) {
  const std::vector<std::string> names = python_functions(spec);
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i)
    text += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  return text;
}

std::map<std::string, ExerciseResult> grade_functions_by_library(const Spec& spec, const std::filesystem::path& dir,
                                                                 const GradeOptions& options, const FunctionPlan& plan,
                                                                 AssignmentResult& result) {
  const auto start = std::chrono::steady_clock::now();
  const auto since = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  const LibraryBuild build = find_or_build_library(spec.library, dir, options.cache_dir);
  spdlog::debug("library {} after {:.2f} ms", build.library ? build.library->string() : build.message, 1e3 * since());
  result.notes.insert(result.notes.end(), build.notes.begin(), build.notes.end());
  if (!build.library && build.compile_failed)  // nothing to call: every check shares the reason
    return unavailable_functions(spec, plan, Verdict::compile_error, build.message, since());
  if (!build.library && build.unloadable)
    return unavailable_functions(spec, plan, Verdict::load_error, build.message, since());
  if (!build.library)  // nothing handed in: a notebook would have been graded before a library is looked for
    return unavailable_functions(spec, plan, Verdict::missing,
                                 build.message + "; or hand in your notebook (.py or .ipynb) that defines " +
                                     python_function_names(spec),
                                 since());
  RunLimits limits;  // the spec's; load time and output capture keep their defaults
  limits.call_seconds = spec.library.call_seconds;
  limits.budget_seconds = spec.library.budget_seconds;
  limits.threads = spec.library.threads;
  limits.cpu_seconds = spec.library.cpu_seconds;
  limits.memory_bytes = static_cast<unsigned long long>(spec.library.memory_mb) << 20;
  const RunReport run = run_library(*build.library, plan.calls, limits);
  result.sandbox = run.isolation;
  spdlog::debug("{} calls in {} child(ren) after {:.2f} ms", plan.calls.size(), run.processes, 1e3 * since());
  result.printed = run.output;
  return judge_functions(spec, plan, run.calls, since());
}

}  // namespace grader
