#pragma once
/// The one audited comparison of a student's result with the reference's:
/// element-wise |got - expected| <= atol + rtol * |expected| (capped at max_abs), shapes first
/// and never broadcast, NaN and Inf handled explicitly.

#include <optional>
#include <string>
#include <vector>

#include "grader/spec/spec.hpp"
#include "grader/tensor.hpp"

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
  std::vector<ElementDiff> first;      ///< the first few mismatches, in row-major order
  std::vector<std::string> patterns;   ///< hints: one row, rows not summing to 1, transpose...

  bool shape_ok() const { return got_shape == expected_shape; }
  bool passed() const { return shape_ok() && mismatched == 0; }
};

/// How many mismatches Comparison::first keeps.
constexpr std::size_t kFirstMismatches = 5;

/// Compares got with expected under a tolerance; patterns are looked for only on failure.
Comparison compare(const Tensor& got, const Tensor& expected, const Tolerance& tolerance);

/// True when got matches expected under the tolerance (same shape, every element).
bool matches(const Tensor& got, const Tensor& expected, const Tolerance& tolerance);

/// The one-line message for a failed comparison: how many elements fail and the worst one.
/// With reveal false (hidden exercises) it shows no expected value.
std::string summarize(const Comparison& c, bool reveal);

/// The detailed feedback: the tolerance applied, the first mismatches, patterns, and both
/// tensors when small (only the student's own with reveal false).
std::string explain(const Comparison& c, const Tensor& got, const Tensor& expected,
                    const Tolerance& tolerance, bool reveal);

/// A tensor printed like NumPy: [[0.47, 0.65], [0.64, 0.5]] with 6 significant digits.
std::string format_tensor(const Tensor& t);

}  // namespace grader
