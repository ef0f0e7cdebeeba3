#include "grader/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "text.hpp"

namespace grader {

namespace {

bool element_ok(double got, double expected, const Tolerance& tol) {
  if (!std::isfinite(expected)) {
    if (std::isnan(expected)) return std::isnan(got);
    return got == expected;
  }
  if (!std::isfinite(got)) return false;
  return std::abs(got - expected) <= tol.allowance(expected);
}

/// The share of its allowance the difference of one element uses (Comparison::used): at most 1
/// when element_ok() holds, which decides (a difference one bit beyond the allowance may
/// divide to 1 exactly; compare() keeps Comparison::used above 1 then).
double share_used(double got, double expected, const Tolerance& tol) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (!std::isfinite(expected) || !std::isfinite(got)) return element_ok(got, expected, tol) ? 0.0 : kInf;
  const double diff = std::abs(got - expected);
  if (diff == 0) return 0.0;
  const double allowed = tol.allowance(expected);
  return allowed > 0 ? diff / allowed : kInf;
}

/// The number of decimals, 1 to 6, that every value of `got` is rounded to, where each is the
/// expected value rounded so (as `.round(3)` makes them: found by a student helper, whose
/// rounded attentions were told "every mismatch is in row [2, :]" of the output made from
/// them); 0 where none is, or where the expected values are rounded as much themselves. Stored
/// in float32, 0.33 is 0.33000001: on the grid within a millionth of the value, in units of the
/// last decimal; a value of 10^4 such units or more is on no grid that could be told (its
/// float32 error is a hundredth of a unit).
int rounded_to(const Tensor& got, const Tensor& expected) {
  if (got.shape() != expected.shape() || got.size() == 0) return 0;
  const auto on_grid = [](double v, double scale) {
    const double x = v * scale;
    return std::abs(x) < 1e4 && std::abs(x - std::round(x)) <= 1e-6 * std::max(1.0, std::abs(x));
  };
  for (int d = 1; d <= 6; ++d) {
    const double scale = std::pow(10.0, d);
    bool all = true, expected_too = true;
    for (std::size_t i = 0; i < got.size() && all; ++i) {
      all = on_grid(got[i], scale) && std::abs(got[i] - expected[i]) <= 0.5000001 / scale;
      expected_too = expected_too && on_grid(expected[i], scale);
    }
    if (all) return expected_too ? 0 : d;
  }
  return 0;
}

std::string number(double v, int digits = 6) { return std::isnan(v) ? "nan" : fmt::format("{:.{}g}", v, digits); }

/// 6 significant digits, or as many more as make `got` and `expected` differ when printed:
/// 0.41289 and 0.41289 say nothing of a difference of 2e-8.
int telling_digits(double got, double expected) {
  int digits = 6;
  while (digits < 17 && got != expected && number(got, digits) == number(expected, digits)) ++digits;
  return digits;
}

/// "got G, expected E", in telling digits.
std::string got_expected(double got, double expected) {
  const int digits = telling_digits(got, expected);
  return "got " + number(got, digits) + ", expected " + number(expected, digits);
}

/// Sums along the last axis, or along the second to last when `columns`.
std::vector<double> line_sums(const Tensor& t, bool columns) {
  std::vector<double> sums;
  if (t.rank() < 2) return sums;
  const std::size_t rows = t.dim(t.rank() - 2), cols = t.dim(t.rank() - 1);
  const std::size_t batch = t.size() / (rows * cols == 0 ? 1 : rows * cols);
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t i = 0; i < (columns ? cols : rows); ++i) {
      double s = 0;
      for (std::size_t j = 0; j < (columns ? rows : cols); ++j)
        s += columns ? t[(b * rows + j) * cols + i] : t[(b * rows + i) * cols + j];
      sums.push_back(s);
    }
  return sums;
}

bool is_stochastic(const Tensor& t, bool columns) {
  for (double v : t.values())
    if (!(v >= 0)) return false;
  bool one = false;  // at least one line sums to 1: all zeros are no weights
  for (double s : line_sums(t, columns)) {
    if (std::abs(s - 1.0) > 1e-9 && s != 0.0) return false;  // 0: a fully masked row
    one = one || s != 0.0;
  }
  return one;
}

void find_patterns(Comparison& c, const Tensor& got, const Tensor& expected, const Tolerance& tol, const Hints hints) {
  const std::size_t cols = got.rank() >= 2 ? got.dim(got.rank() - 1) : 0;
  // Row `row` (along the last axis) as feedback writes it: "[1, 0, :]".
  const auto row_label = [&](std::size_t row) {
    auto idx = unravel(row * cols, got.shape());
    idx.pop_back();
    std::string where;
    for (auto k : idx) where += std::to_string(k) + ", ";
    return "[" + where + ":]";
  };
  // All mismatches along one row (the last axis) of a matrix or batch.
  if (cols > 0 && got.size() / cols > 1 && c.mismatched > 1) {
    std::optional<std::size_t> row;
    bool one_row = true;
    for (std::size_t i = 0; i < got.size() && one_row; ++i)
      if (!element_ok(got[i], expected[i], tol)) {
        if (!row) row = i / cols;
        one_row = *row == i / cols;
      }
    if (one_row && row)
      c.patterns.push_back("every mismatch is in row " + row_label(*row) + "; the other rows are right");
  }
  // A row NaN throughout where the expected one is finite, beside a row of the same matrix that
  // is not: what a softmax over scores that are all -inf gives one query (found by a helper
  // writing a course: a mask that hid the diagonal too was told only "10 of them NaN or Inf").
  // A matrix NaN throughout says nothing of where it came from (a NaN anywhere in the weights
  // spreads through weights @ V).
  const std::size_t rows = got.rank() >= 2 ? got.dim(got.rank() - 2) : 0;
  const auto nan_throughout = [&](std::size_t row) {
    bool nan = true;
    for (std::size_t j = 0; j < cols && nan; ++j)
      nan = std::isnan(got[row * cols + j]) && std::isfinite(expected[row * cols + j]);
    return nan;
  };
  const auto any_number = [&](std::size_t row) {
    for (std::size_t j = 0; j < cols; ++j)
      if (!std::isnan(got[row * cols + j])) return true;
    return false;
  };
  for (std::size_t row = 0; cols > 0 && rows > 1 && row < got.size() / cols; ++row) {
    const std::size_t first = row - row % rows;
    bool beside = false;
    for (std::size_t other = first; other < first + rows && !beside; ++other) beside = any_number(other);
    if (beside && nan_throughout(row)) {
      // Or an exp that overflows (found by an instructor helper: a row of 1000, 1001, 1002 was
      // told only of masks); or a mask transposed (found by a student helper).
      const std::string overflow =
          "exp overflows (scores above about 709, or 88 in float32: subtract each row's maximum before exp)";
      c.patterns.push_back(
          "your row " + row_label(row) + " is NaN throughout where the expected one is finite: " +
          (hints.masks ? "a softmax over scores that are all -inf gives that (a query whose every "
                         "key is masked: its own too, or a padding mask transposed, (batch, block, 1), which masks "
                         "whole rows?), and so does one whose " +
                             overflow
                       : "a softmax gives that where its " + overflow + ", or where a row's scores are all -inf"));
      break;
    }
  }
  // Everything NaN: where it came from is unknown, but most often it is 0 * inf (found by a
  // hostile-student helper: a mask applied as `scores + (1 - mask) * -inf` was told only that
  // every value is NaN).
  if (got.size() > 1 && std::all_of(got.values().begin(), got.values().end(), [](double v) { return std::isnan(v); }) &&
      std::all_of(expected.values().begin(), expected.values().end(), [](double v) { return std::isfinite(v); }))
    c.patterns.push_back(
        std::string("your result is NaN throughout where the expected one is finite: one NaN on the way spreads to "
                    "every value after it, and 0 * inf is NaN") +
        (hints.masks ? " (a mask multiplied by -inf, as in (1 - mask) * -inf, is NaN where the mask is 1: set the "
                       "masked scores with masked_fill or where instead), as are inf - inf and 0 / 0"
                     : ", as are inf - inf and 0 / 0 (an exp that overflows gives inf: subtract each row's maximum "
                       "before exp)"));
  // A mask of 1s (attend) and 0s (masked) asked for, and the additive mask made from it given:
  // 0 where 1 is expected, -inf (or a large negative number) where 0 is (found by a student
  // helper: told only "10 of them NaN or Inf").
  const bool zero_one =
      std::all_of(expected.values().begin(), expected.values().end(), [](double e) { return e == 0 || e == 1; }) &&
      std::count(expected.values().begin(), expected.values().end(), 0.0) > 0 &&
      std::count(expected.values().begin(), expected.values().end(), 1.0) > 0;
  if (zero_one && got.shape() == expected.shape() && [&] {
        for (std::size_t i = 0; i < got.size(); ++i)
          if (expected[i] == 1 ? got[i] != 0 : !(got[i] <= -1e4)) return false;
        return true;
      }())
    c.patterns.push_back(
        "your values are an additive mask, 0 where 1 is expected and -inf (or a large negative number) where 0 "
        "is, as added to scores before a softmax: the mask asked for holds 1 where a position may be attended "
        "to and 0 where it is masked");
  // Zeros (at the tolerance) are a multiple of anything, by next to nothing: they are told as
  // zeros (found by a hostile-student helper: a constant 9e-6 was "the expected one times
  // -4.78928e-06: a missing or extra scale factor?").
  const auto near_zero = [&](double factor) {
    for (std::size_t i = 0; i < got.size(); ++i)
      if (!element_ok(factor * expected[i], 0.0, tol)) return false;
    return true;
  };
  const bool zeros = zeros_at(got, tol) && !zeros_at(expected, tol);
  // Whole numbers that are the expected values with their fractions cut off: a result made
  // with an integer dtype, which truncates every value stored into it (found by a student
  // helper: `torch.zeros(n, m, dtype=torch.long)` filled in a loop was told "never filled in").
  const bool truncated = std::all_of(got.values().begin(), got.values().end(),
                                     [](double v) { return std::isfinite(v) && v == std::trunc(v); }) &&
                         [&] {
                           for (std::size_t i = 0; i < got.size(); ++i)
                             if (got[i] != std::trunc(expected[i]) && !element_ok(got[i], expected[i], tol))
                               return false;
                           return true;
                         }();
  const std::string integer_dtype =
      "made with an integer dtype (dtype=int, torch.long or np.int64, or from integer tensors or arrays), which "
      "cuts every value stored into it to a whole number, or with floor division (//)";
  if (zeros)
    c.patterns.push_back(
        "your result is zero throughout (within the tolerance), where the expected one is not: is it made, as zeros, "
        "and never filled in?" +
        (truncated && got.size() > 0
             ? " Or " + integer_dtype + " (every expected value here is between -1 and 1, which becomes 0)?"
             : std::string()));
  else if (truncated)
    c.patterns.push_back("your values are the expected ones with their fractions cut off: is your result " +
                         integer_dtype + "? Make it a float tensor or array.");
  else if (const int d = rounded_to(got, expected); d > 0)
    c.patterns.push_back(fmt::format(
        "your values are the expected ones rounded to {0} decimal{1}: is there a .round({0}) or round(x, {0}) in "
        "your code? Round only what you print",
        d, d == 1 ? "" : "s"));
  // Weights that should be distributions along rows (or columns) but are not: told of one axis
  // (found by a hostile-student helper: 1 x 1 weights were told of their row and their column).
  bool told = false;
  const std::size_t sums_at = c.patterns.size();  // where that hint goes, if any
  for (bool columns : {false, true}) {
    if (told || zeros || truncated || !is_stochastic(expected, columns) || is_stochastic(got, columns)) continue;
    const auto sums = line_sums(got, columns);
    // What most likely went wrong: a softmax over the other axis, whose lines do sum to 1;
    // weights zeroed after the softmax (a mask applied after it), which leaves every line short
    // of 1; or some other step after it.
    const bool short_of_one = std::all_of(got.values().begin(), got.values().end(), [](double v) { return v >= 0; }) &&
                              std::all_of(sums.begin(), sums.end(), [](double s) { return s <= 1.0 + 1e-6; });
    // A mask applied after the softmax leaves weights 0 (found by an instructor helper: a
    // softmax over the batch, its weights all above 0, was asked that).
    const bool zeroed = std::any_of(got.values().begin(), got.values().end(), [](double v) { return v == 0.0; });
    // Values no weight takes (raw scores returned as weights, found by the same helper): no
    // softmax at all, perhaps. Not NaN, which is said apart (found by an instructor helper: the
    // NaN of a row that masked every key made a row of weights in [0, 1] "below 0 or above 1").
    const bool no_weights = std::any_of(got.values().begin(), got.values().end(),
                                        [](double v) { return std::isfinite(v) ? v < 0 || v > 1 : !std::isnan(v); });
    const std::string question =
        is_stochastic(got, !columns)
            ? fmt::format("your {}s do: is the softmax over the other axis?", columns ? "row" : "column")
        : short_of_one && (zeroed || !hints.masks)
            ? (hints.masks ? "are weights set to 0 after the softmax (a mask applied after it, not before)?"
                           : "are weights set to 0 or scaled down after the softmax?")
        : no_weights ? "some of your values are below 0 or above 1, which no weight is: is the softmax applied, and "
                       "over the right axis?"
                     : "is the softmax over the right axis?";
    for (std::size_t i = 0; i < sums.size(); ++i)
      if (std::abs(sums[i] - 1.0) > 1e-6) {
        c.patterns.push_back(
            fmt::format("the expected {0}s each sum to 1 (attention weights), but your {0} {1} sums "
                        "to {2}: {3}",
                        columns ? "column" : "row", i, number(sums[i]), question));
        told = true;
        break;
      }
  }
  // The transpose of the right answer.
  if (got.rank() == 2 && got.dim(0) == got.dim(1) && got.dim(0) > 1) {
    const std::size_t n = got.dim(0);
    bool transposed = true, symmetric = true;
    for (std::size_t i = 0; i < n && transposed; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        transposed = transposed && element_ok(got[i * n + j], expected[j * n + i], tol);
        symmetric = symmetric && element_ok(expected[i * n + j], expected[j * n + i], tol);
      }
    if (transposed && !symmetric) {
      // Which also says why its lines do not sum to 1 (found by an instructor helper: "is the
      // softmax over the other axis?" was asked first).
      if (told) c.patterns.erase(c.patterns.begin() + static_cast<std::ptrdiff_t>(sums_at));
      c.patterns.push_back(
          "your result equals the transpose of the expected one: check the "
          "row/column convention");
    }
  }
  // A constant multiple of the right answer. Any wrong number is a multiple of one expected
  // number: the hint needs two that are not zero. Zeros are told as zeros.
  double ge = 0, ee = 0;
  std::size_t nonzero = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    ge += got[i] * expected[i];
    ee += expected[i] * expected[i];
    nonzero += expected[i] != 0;
  }
  if (!zeros && !truncated && nonzero >= 2 && std::isfinite(ge) && ge != 0) {
    // Whether got is k times expected, with the expected values' own leeway times k: a target
    // printed to 4 decimals is 2 x 5e-5 off twice the right answer (found by trying `return
    // (w @ V) * 2, w` on the homework's printed example: no hint, where the random cases of the
    // same outputs had one).
    const auto multiple = [&](double k) {
      for (std::size_t i = 0; i < got.size(); ++i)
        if (!std::isfinite(got[i]) || !std::isfinite(expected[i]) ||
            std::abs(got[i] - k * expected[i]) >
                std::max(tol.allowance(k * expected[i]), std::abs(k) * tol.allowance(expected[i])))
          return false;
      return true;
    };
    double k = ge / ee;
    if (std::abs(k - 1.0) > 1e-6 && !near_zero(k) && multiple(k)) {
      // As few digits as say it: "times 2", not "times 1.99996" (the least squares' k, off by
      // the rounding of printed targets).
      for (int digits = 1; digits < 6; ++digits)
        if (const double rounded = std::stod(fmt::format("{:.{}g}", k, digits)); multiple(rounded)) {
          k = rounded;
          break;
        }
      c.patterns.push_back("your result is the expected one times " + number(k) + ": a missing or extra scale factor?");
    }
  }
}

}  // namespace

Comparison compare(const Tensor& got, const Tensor& expected, const Tolerance& tol) {
  Comparison c;
  c.got_shape = got.shape();
  c.expected_shape = expected.shape();
  if (!c.shape_ok()) return c;
  c.total = got.size();
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double g = got[i], e = expected[i];
    c.used = std::max(c.used, share_used(g, e, tol));
    if (element_ok(g, e, tol)) continue;
    ++c.mismatched;
    if (std::isfinite(e) && !std::isfinite(g)) ++c.non_finite;
    ElementDiff d{i, g, e, std::abs(g - e),
                  e != 0 ? std::abs(g - e) / std::abs(e) : std::numeric_limits<double>::infinity()};
    const double key = std::isnan(d.abs_diff) ? std::numeric_limits<double>::infinity() : d.abs_diff;
    if (!c.worst || key > (std::isnan(c.worst->abs_diff) ? std::numeric_limits<double>::infinity() : c.worst->abs_diff))
      c.worst = d;
    if (c.first.size() < kFirstMismatches) c.first.push_back(d);
  }
  // element_ok() decides: a mismatch is beyond the edge however the division rounded.
  if (c.mismatched > 0 && c.used <= 1) c.used = std::nextafter(1.0, 2.0);
  return c;
}

Comparison compare(const Tensor& got, const Tensor& expected, const Tolerance& tol, const Hints hints) {
  Comparison c = compare(got, expected, tol);
  if (!c.passed()) find_patterns(c, got, expected, tol, hints);
  return c;
}

namespace {

/// The fewest decimals, 1 to 8, that every value of `got` is written with, when each is its
/// expected value rounded to them and some expected value is not: printed values typed in
/// (NumPy prints 8 decimals: found by an instructor helper, whose values pasted so were told
/// that part of the computation runs in float32).
/// Float32 values are decimals only to float32 precision, and say nothing where that is too
/// coarse to tell; nor do expected values written with those decimals already (found by an
/// instructor helper: a float32 row sum of 0.99999997, where 1 is expected, was asked whether
/// it had been rounded to 1 decimal).
std::optional<int> typed_decimals(const Tensor& got, const Tensor& expected, const std::string& precision) {
  if (got.shape() != expected.shape() || std::all_of(got.values().begin(), got.values().end(), [](double v) {
        return v == 0;  // zeros are no printout
      }))
    return std::nullopt;
  const double eps = precision == "float32" ? 0x1p-23 : 0x1p-50;
  for (int k = 1; k <= 8; ++k) {
    const double scale = std::pow(10.0, k);
    bool all = true, rounded = false;
    for (std::size_t i = 0; i < got.size() && all; ++i) {
      // Relative slack only: a tiny value (3.8e-44 where 0 is expected) is written with no
      // fewer digits than another (found by a student helper: it was asked about a printout).
      const double g = got[i] * scale, e = expected[i] * scale, slack = std::abs(g) * eps;
      all = std::isfinite(g) && std::isfinite(e) && slack < 0.01 && std::abs(g - std::round(g)) <= slack &&
            std::abs(g - e) <= 0.5 + slack;
      rounded = rounded || std::abs(e - std::round(e)) > slack;
    }
    if (all && rounded) return k;
  }
  return std::nullopt;
}

/// The first value of `got` outside `rule` when every such value is tiny (at most 1e-6) but
/// not 0 where exactly 0 is expected: what a softmax gives a finite masked score.
std::optional<double> tiny_where_zero(const Tensor& got, const Tensor& expected, const Tolerance& rule) {
  if (got.shape() != expected.shape()) return std::nullopt;
  std::optional<double> first;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (element_ok(got[i], expected[i], rule)) continue;
    if (expected[i] != 0 || !(std::abs(got[i]) <= 1e-6)) return std::nullopt;
    if (!first) first = got[i];
  }
  return first;
}

}  // namespace

std::optional<std::string> precision_hint(bool half, const Tensor& got, const Tensor& expected, const Tolerance& rule,
                                          const std::string& precision) {
  // Found by a student helper: masked_fill(mask == 0, -100) left weights of 3.8e-44 and was
  // told that float32 cannot meet the tolerance.
  if (const auto tiny = tiny_where_zero(got, expected, rule.in(precision)))
    return "where exactly 0 is expected your values are tiny but not 0 (such as " + number(*tiny, 6) +
           "): a masked weight is exactly 0 only when its score is -inf before the softmax; a finite score such as "
           "-100 still gets a little weight";
  // Found by an instructor helper: values pasted from a printout were told only "got 4.5492,
  // expected 4.54915".
  if (const auto k = typed_decimals(got, expected, precision))
    return fmt::format(
        "every value is the expected one rounded to {0} decimal{1}, and written with at most {0}: rounded in your "
        "code (.round({0}), np.round, round()), or typed in from a printout? Keep every digit you compute",
        *k, *k > 1 ? "s" : "");
  if (half)
    return "your values have at most 11 significant bits, as float16 numbers do (bfloat16 ones 8): computed in half "
           "precision (.half(), torch.float16 or torch.bfloat16, torch.autocast, which multiplies in bfloat16 on a "
           "CPU), results cannot meet this tolerance; compute in float32 or float64";
  const Tolerance single = rule.in("float32");
  if (precision == "float64" && single.formula() != rule.in(precision).formula() &&
      compare(got, expected, single).passed())
    return "your values agree with the expected ones to float32 precision (" + single.formula() +
           "), not to float64's: part of your computation runs in float32 (np.float32, torch's default dtype); this "
           "exercise expects float64 throughout";
  // Float32 results where the exercise has no float32 rule (found by a helper writing a course:
  // a NumPy student's np.float32 arrays were told only "got 7.87342, expected 7.873421").
  if (precision == "float32" && !rule.float32 && compare(got, expected, Tolerance{}).passed())
    return "your values are float32 numbers (np.float32, torch's default dtype) and agree with the expected ones to "
           "float32 precision (" +
           Tolerance{}.formula() +
           "), not to this exercise's tolerance, which float32 cannot meet; compute in float64 "
           "throughout";
  return std::nullopt;
}

bool zeros_at(const Tensor& t, const Tolerance& tolerance) {
  return std::all_of(t.values().begin(), t.values().end(), [&](double v) { return element_ok(v, 0.0, tolerance); });
}

bool finite_but_as(const Tensor& t, const Tensor* expected) {
  const bool beside = expected && expected->shape() == t.shape();
  for (std::size_t i = 0; i < t.size(); ++i)
    if (!std::isfinite(t[i]) && !(beside && t[i] == (*expected)[i])) return false;
  return true;
}

bool is_mistake(const Tensor& got, const Tensor& mistake, const Tolerance& tol) {
  if (got.shape() != mistake.shape()) return false;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!element_ok(got[i], mistake[i], tol)) return false;
  return true;
}

bool names_mistake(const Tensor& got, const Tensor& mistake, const Tensor& expected, const Tolerance& tolerance) {
  return mistake.shape() == expected.shape() && finite_but_as(mistake, &expected) &&
         is_mistake(got, mistake, tolerance) && !is_mistake(expected, mistake, tolerance);
}

std::string summarize(const Comparison& c, bool reveal) {
  if (!c.shape_ok())
    return "shape " + format_shape(c.got_shape) + " but " + format_shape(c.expected_shape) + " is expected";
  if (c.passed()) return "";
  if (!reveal)
    return c.non_finite > 0 ? "your result holds NaN or Inf (a hidden exercise shows only its verdict)"
                            : "your result is outside the tolerance (a hidden exercise shows only its verdict)";
  const double share = 100.0 * static_cast<double>(c.mismatched) / static_cast<double>(c.total);
  std::string out = fmt::format("{} / {} elements ({:.3g}%) ", c.mismatched, c.total, share);
  out += c.non_finite == c.mismatched ? "are NaN or Inf" : "outside tolerance";
  if (c.non_finite > 0 && c.non_finite < c.mismatched) out += fmt::format(", {} of them NaN or Inf", c.non_finite);
  if (c.worst) {
    const auto& w = c.worst.value();
    out += fmt::format("; worst at {}: {}", format_index(w.index, c.got_shape), got_expected(w.got, w.expected));
    if (std::isfinite(w.abs_diff))  // an expected 0 has no relative difference ("rel diff inf")
      out += std::isfinite(w.rel_diff)
                 ? fmt::format(" (abs diff {}, rel diff {})", number(w.abs_diff), number(w.rel_diff))
                 : fmt::format(" (abs diff {})", number(w.abs_diff));
  }
  return out;
}

std::string format_tensor(const Tensor& t, int digits, std::size_t edge) {
  if (t.rank() == 0) return number(t[0], digits);
  std::string out;
  const std::function<void(std::size_t, std::size_t)> rec = [&](std::size_t axis, std::size_t offset) {
    out += "[";
    std::size_t stride = 1;
    for (std::size_t a = axis + 1; a < t.rank(); ++a) stride *= t.dim(a);
    const std::size_t n = t.dim(axis);
    const bool cut = edge > 0 && n > 2 * edge;
    for (std::size_t i = 0; i < n; ++i) {
      const std::string separator = axis + 1 == t.rank() ? ", " : ",\n" + std::string(axis + 1, ' ');
      if (i > 0) out += separator;
      if (cut && i == edge) {
        out += "..." + separator;
        i = n - edge;
      }
      if (axis + 1 == t.rank())
        out += number(t[offset + i], digits);
      else
        rec(axis + 1, offset + i * stride);
    }
    out += "]";
  };
  rec(0, 0);
  return out;
}

std::string explain(const Comparison& c, const Tensor& got, const Tensor& expected, const Tolerance& tol, bool reveal) {
  std::string out;
  if (!c.shape_ok() || c.passed() || !reveal) return out;
  out += std::string(kToleranceLine) + tol.formula() + "\n";
  if (c.first.size() > 1) {
    out += "first mismatches:\n";
    for (const auto& d : c.first)
      out += fmt::format("  {}: {}\n", format_index(d.index, c.got_shape), got_expected(d.got, d.expected));
  }
  for (const auto& p : c.patterns)
    out += (c.patterns_of.empty() ? "hint: " : "hint (" + c.patterns_of + "): ") + p + "\n";
  if (got.size() <= kShownElements) {  // in digits that tell them apart where they differ most
    const int digits = c.worst ? telling_digits(c.worst->got, c.worst->expected) : 6;
    out += "got:\n" + format_tensor(got, digits) + "\n";
    out += "expected:\n" + format_tensor(expected, digits) + "\n";
  }
  return out;
}

Feedback feedback(const Comparison& c, const Tensor& got, const Tensor& expected, const Tolerance& tolerance,
                  Visibility visibility, const std::string& label, const std::string& what,
                  const std::function<std::optional<std::string>()>& find_mistake) {
  Feedback f;
  f.verdict = c.non_finite > 0 ? Verdict::non_finite : Verdict::wrong;
  const bool reveal = visibility == Visibility::visible;
  if (!reveal) {
    f.message = summarize(c, false);
    return f;
  }
  f.message = prefixed(label, prefixed(what, summarize(c, true)));
  f.mistake = find_mistake();
  // A named mistake is the diagnosis; the hints only guess at causes, and could contradict it
  // (a mask applied after the softmax leaves rows that do not sum to 1, and a hint asked
  // whether the softmax was over the right axis).
  Comparison shown = c;
  if (f.mistake) shown.patterns.clear();
  f.details = explain(shown, got, expected, tolerance, true);
  if (f.mistake) {  // the mistake first, with the case: a table cuts a message short
    f.details = prefixed(what, summarize(c, true)) + "\n" + f.details;
    f.message = label.empty() ? *f.mistake : without_full_stop(*f.mistake) + ", in " + label;
  }
  return f;
}

}  // namespace grader
