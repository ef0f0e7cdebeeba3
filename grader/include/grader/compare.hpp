#pragma once
/// The one audited comparison of a student's result with the reference's:
/// element-wise |got - expected| <= atol + rtol * |expected| (capped at max_abs), shapes first
/// and never broadcast, NaN and Inf handled explicitly.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grader/result.hpp"
#include "grader/tensor.hpp"
#include "grader/tolerance.hpp"

namespace grader {

/// One element of a comparison, indexed row-major in the student's own shape.
struct ElementDiff {
  std::size_t index = 0;
  double got = 0;
  double expected = 0;
  double abs_diff = 0;
  double rel_diff = 0;  ///< abs_diff / |expected| (inf when expected is 0)
};

struct Comparison {
  Shape got_shape;
  Shape expected_shape;
  std::size_t total = 0;
  std::size_t mismatched = 0;  ///< elements outside tolerance, non-finite ones included
  std::size_t non_finite = 0;  ///< NaN or Inf where the reference is finite
  std::optional<ElementDiff> worst;
  std::vector<ElementDiff> first;     ///< the first few mismatches, in row-major order
  std::vector<std::string> patterns;  ///< hints: one row, rows not summing to 1, transpose...
  /// The output the hints are about, where the details hint of other outputs too ("hint
  /// (output): ..."); "" where that goes without saying ("hint: ...").
  std::string patterns_of;
  /// The largest share of its allowance an element's difference uses: 0 where every element is
  /// the expected one, 1 at the tolerance's edge (every element passes while it is at most 1),
  /// infinity for a difference where none is allowed (a tolerance of 0, NaN or Inf). How close
  /// a passing result came to failing, or how far a failing one lies beyond the tolerance (0
  /// when the shapes differ: nothing is compared).
  double used = 0;

  bool shape_ok() const { return got_shape == expected_shape; }
  bool passed() const { return shape_ok() && mismatched == 0; }
};

/// How many mismatches Comparison::first keeps.
constexpr std::size_t kFirstMismatches = 5;

/// What the hints of a failing comparison may name as causes: masks only where the exercise
/// has one (elsewhere "a query whose every key is masked?" sends a student looking for a mask the
/// exercise never had: found by an instructor helper). Exercise::masked() says which.
struct Hints {
  bool masks = false;
};

/// Compares got with expected under a tolerance: the verdict and what it rests on, without
/// hints (judging a check's every case needs no more).
Comparison compare(const Tensor& got, const Tensor& expected, const Tolerance& tolerance);
/// The same, with hints (Comparison::patterns) looked for where it fails: what a student is shown.
Comparison compare(const Tensor& got, const Tensor& expected, const Tolerance& tolerance, Hints hints);

/// Why results that fail their rule may: precision lost on the way, which the values show
/// (each the expected value rounded to a few decimals: typed in from a printout; `half`: they
/// are half-precision numbers) or the rule for float32 does (float64 numbers of
/// float32 accuracy: a float32 step inside, such as np.float32 weights or torch's default
/// dtype; float32 numbers where the exercise has no float32 rule). `precision`: the student's.
std::optional<std::string> precision_hint(bool half, const Tensor& got, const Tensor& expected, const Tolerance& rule,
                                          const std::string& precision);

/// Whether every element of `t` is zero at the tolerance (next to nothing counts as zero):
/// zeros have many a property, and give many a target, whatever computed them.
bool zeros_at(const Tensor& t, const Tolerance& tolerance);

/// Whether a known mistake's value (or a student's output, to count against one) can tell
/// anything where the right answer is `expected` (nullptr where there is none: an output of an
/// extra call): finite, but for an Inf the right answer holds at the same place (the spec's own,
/// a mask's -inf). A NaN never: it would match a student's NaN whatever caused it (an overflow,
/// say). Of another shape than `expected`, finite throughout.
bool finite_but_as(const Tensor& t, const Tensor* expected);

/// True when `got` is the known mistake `mistake` under the tolerance (same shape, every
/// element; an Inf only the same Inf). For a mistake that finite_but_as() admits.
bool is_mistake(const Tensor& got, const Tensor& mistake, const Tolerance& tolerance);

/// True when the known mistake `mistake` tells what went wrong with `got`: `got` is the mistake
/// (is_mistake) and the mistake is not the right answer `expected` itself. Where they coincide
/// (a single key, whose weight is 1 whether the scores are scaled or not), a result that matches
/// the mistake says nothing about it. A mistake over several outputs names the failure when
/// every output matches and one of them differs from the right answer. A mistake that
/// finite_but_as() refuses names nothing.
bool names_mistake(const Tensor& got, const Tensor& mistake, const Tensor& expected, const Tolerance& tolerance);

/// The one-line message for a failed comparison: how many elements fail and the worst one.
/// With reveal false (a hidden exercise) only the verdict: nothing derived from the target,
/// no count, position or value; a shape that differs is still named.
std::string summarize(const Comparison& c, bool reveal);

/// How explain()'s first line begins: where the numbers of a comparison begin in the details
/// of a check (a note placed before them looks for it).
inline constexpr std::string_view kToleranceLine = "tolerance: ";

/// The detailed feedback: the tolerance applied (a line beginning kToleranceLine), the first
/// mismatches, patterns, and both tensors when small. Empty with reveal false (a hidden
/// exercise).
std::string explain(const Comparison& c, const Tensor& got, const Tensor& expected, const Tolerance& tolerance,
                    bool reveal);

/// What a student is told about a failed comparison.
struct Feedback {
  Verdict verdict = Verdict::wrong;  ///< wrong, or non_finite
  std::string message;
  std::string details;
  std::optional<std::string> mistake;  ///< the known mistake named
};

/// The feedback on a failed comparison: `label` (the case) and `what` (the output compared)
/// name where it failed, and `find_mistake` names the known mistake the answer matches, if
/// any. For a visible exercise, summarize() and explain(); a matched mistake becomes the
/// message. For a hidden one, the verdict only: no label, no count, no mistake (find_mistake
/// is not called).
Feedback feedback(const Comparison& c, const Tensor& got, const Tensor& expected, const Tolerance& tolerance,
                  Visibility visibility, const std::string& label, const std::string& what,
                  const std::function<std::optional<std::string>()>& find_mistake);

/// Feedback shows a tensor whole (what was got and expected, a case's inputs) up to this many
/// elements.
constexpr std::size_t kShownElements = 36;

/// A tensor printed like NumPy: [[0.47, 0.65], [0.64, 0.5]] with 6 significant digits (or
/// `digits`). An `edge` above 0 summarizes as NumPy does past its threshold: an axis longer
/// than twice the edge shows its first and last `edge` entries around a `...`.
std::string format_tensor(const Tensor& t, int digits = 6, std::size_t edge = 0);

}  // namespace grader
