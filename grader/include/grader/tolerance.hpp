#pragma once
/// The element-wise acceptance rule of the comparison (compare.hpp).

#include <optional>
#include <string>
#include <string_view>

namespace grader {

/// |got - expected| <= atol + rtol * |expected|, the allowance capped at max_abs when given.
/// The defaults are PyTorch's for float32 (torch.testing.assert_close), so an honest float32
/// answer passes. A spec may give a separate rule for results computed in float32, so that a
/// tight float64 rule does not fail an honest PyTorch solution.
struct Tolerance {
  double atol = 1e-5;
  double rtol = 1.3e-6;
  std::optional<double> max_abs;

  /// The rule for float32 (and float16, bfloat16) results, when it differs.
  struct Single {
    double atol = 1e-5;
    double rtol = 1.3e-6;
    std::optional<double> max_abs;
  };
  std::optional<Single> float32;
  /// A float32 rule was given, the same as the float64 one (and so kept as none above).
  bool float32_same_given{};

  /// The rule for results computed in `precision` ("float64", "float32", "bfloat16", ...).
  Tolerance in(std::string_view precision) const;
  /// True for the precisions the float32 rule covers: float32, float16, bfloat16.
  static bool single(std::string_view precision);
  /// Whether a float32 rule is given that asks as much as the float64 one: float64 is expected
  /// (a spec's way of saying so, which `grader spec check` takes as meant).
  bool float64_expected() const {
    return float32_same_given || (float32 && float32->atol <= atol && float32->rtol <= rtol &&
                                  (!max_abs || (float32->max_abs && *float32->max_abs <= *max_abs)));
  }
  /// The largest difference accepted where the expected value is `expected`.
  double allowance(double expected) const;
  /// "|got - expected| <= 1e-05 + 1.3e-06 * |expected|" (and the cap, if any).
  std::string formula() const;
};

}  // namespace grader
