// The one comparison: its formula, shapes before values, NaN and Inf, the worst element, and
// the patterns and mistakes it names.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>

#include "grader/compare.hpp"
#include "support/text.hpp"

using namespace grader;

namespace {

using test_support::contains;

Tensor row(std::vector<double> v) { return Tensor({1, v.size()}, v); }
Tensor mat(std::size_t r, std::size_t c, std::vector<double> v) { return Tensor({r, c}, std::move(v)); }
}  // namespace

BOOST_AUTO_TEST_SUITE(comparison)

BOOST_AUTO_TEST_CASE(tolerance_scales_with_the_expected_value_not_the_students) {
  const Tolerance tol{0.0, 0.1, std::nullopt, std::nullopt};
  // |got - expected| = 1 is within 0.1 * |10| but not within 0.1 * |got| were got used.
  BOOST_TEST(compare(row({11}), row({10}), tol).passed());
  BOOST_TEST(!compare(row({10}), row({11.2}), tol).passed());
  BOOST_TEST(compare(row({10}), row({11.1}), tol).passed());
  // The edge of the formula: <= passes, a hair beyond fails.
  BOOST_TEST(compare(row({1.5}), row({1.0}), Tolerance{0.5, 0.0, std::nullopt, std::nullopt}).passed());
  BOOST_TEST(!compare(row({1.5000001}), row({1.0}), Tolerance{0.5, 0.0, std::nullopt, std::nullopt}).passed());
}

BOOST_AUTO_TEST_CASE(max_abs_caps_the_allowance) {
  const Tolerance tol{0.0, 0.5, 0.01, std::nullopt};
  BOOST_TEST(tol.allowance(100.0) == 0.01);
  BOOST_TEST(!compare(row({100.5}), row({100}), tol).passed());
  BOOST_TEST(tol.formula() == "|got - expected| <= 0 + 0.5 * |expected| (at most 0.01)");
}

BOOST_AUTO_TEST_CASE(default_tolerance_accepts_float32_rounding) {
  const Tolerance tol;  // atol 1e-5, rtol 1.3e-6: torch.testing's float32 defaults
  const double exact[] = {0.0634, 0.4683, 12345.678, -3.0e-7, 100340.0};
  for (double e : exact) {
    const double f32 = static_cast<float>(e);
    BOOST_TEST(compare(row({f32}), row({e}), tol).passed());
  }
  BOOST_TEST(!compare(row({0.0635}), row({0.0634}), tol).passed());
}

BOOST_AUTO_TEST_CASE(float32_values_of_round_expected_ones_are_not_asked_about_rounding) {
  // Found by an instructor helper: a float32 row sum of 0.99999997 where 1 is expected was
  // asked whether it had been rounded to 1 decimal, beside the float32 hint of other checks.
  const Tolerance strict{1e-9, 1e-9, std::nullopt, std::nullopt};
  const auto sums = row({1.0 - 0x1p-24, 1.0 + 0x1p-23});  // float32's neighbours of 1
  const auto hint = precision_hint(false, sums, row({1.0, 1.0}), strict, "float32");
  BOOST_REQUIRE(hint.has_value());
  BOOST_TEST(!contains(*hint, "decimal"), *hint);
  BOOST_TEST(contains(*hint, "float32 numbers"), *hint);
  // Values that are rounded where the expected ones are not still are.
  const auto typed = precision_hint(false, row({4.5492, 2.5}), row({4.549153, 2.5}), strict, "float64");
  BOOST_REQUIRE(typed.has_value());
  BOOST_TEST(contains(*typed, "rounded to 4 decimals"), *typed);
  // NumPy's 8 decimals, where float64 is expected: typed in, not float32 (found by an
  // instructor helper); float32 values of the same are not on that grid.
  const Tolerance float32_rule{1e-9, 1e-9, std::nullopt, Tolerance::Single{1e-5, 1e-5, std::nullopt}};
  const auto numpy =
      precision_hint(false, row({0.61998505, 0.38001495}), row({0.619985047, 0.380014953}), float32_rule, "float64");
  BOOST_REQUIRE(numpy.has_value());
  BOOST_TEST(contains(*numpy, "rounded to 8 decimals"), *numpy);
  const auto single = precision_hint(false, row({static_cast<float>(0.619985047), static_cast<float>(0.380014953)}),
                                     row({0.619985047, 0.380014953}), float32_rule, "float64");
  BOOST_REQUIRE(single.has_value());
  BOOST_TEST(contains(*single, "float32 precision"), *single);
}

BOOST_AUTO_TEST_CASE(used_is_the_largest_share_of_its_allowance_an_element_takes) {
  // `grader spec check` reports how near its tolerance's edge the reference solution comes.
  const double inf = std::numeric_limits<double>::infinity(), nan = std::nan("");
  const Tolerance half{0.5, 0.0, std::nullopt, std::nullopt};
  BOOST_TEST(compare(row({1.25, 2}), row({1, 2}), half).used == 0.5);  // 0.25 of 0.5
  // At the edge exactly: still passing, and 1.
  BOOST_TEST(compare(row({1.5}), row({1}), half).used == 1.0);
  BOOST_TEST(compare(row({1.5}), row({1}), half).passed());
  // Beyond it: how far; with rtol, against |expected| (0.5 + 0.25 * 10 = 3 allowed, 6 off).
  BOOST_TEST(compare(row({3}), row({1}), half).used == 4.0);
  BOOST_TEST(compare(row({16}), row({10}), Tolerance{0.5, 0.25, std::nullopt, std::nullopt}).used == 2.0);
  // Nothing allowed, or a value that is not a number: infinitely far unless equal.
  const Tolerance exact{0, 0, std::nullopt, std::nullopt};
  BOOST_TEST(compare(row({1, 2}), row({1, 2}), exact).used == 0.0);
  BOOST_TEST(compare(row({1, 2.0000001}), row({1, 2}), exact).used == inf);
  BOOST_TEST(compare(row({nan, 1}), row({1, 1}), half).used == inf);
  BOOST_TEST(compare(row({nan, inf}), row({nan, inf}), half).used == 0.0);
  // Another shape compares nothing.
  BOOST_TEST(compare(row({1, 2}), row({1}), half).used == 0.0);
}

BOOST_AUTO_TEST_CASE(a_precision_shows_in_finite_values_only) {
  // The rule a student's result is judged by follows its values: float32 ones (0.1f is
  // 0.100000001490116...) get the float32 rule; NaN alone shows none, and keeps float64's.
  const double nan = std::nan("");
  BOOST_TEST(precision_of(row({0.100000001490116119384765625, 1, nan})) == "float32");
  BOOST_TEST(precision_of(row({0.1, 1})) == "float64");
  BOOST_TEST(precision_of(row({nan, std::numeric_limits<double>::infinity()})) == "float64");
}

BOOST_AUTO_TEST_CASE(shapes_are_never_broadcast) {
  const Comparison c = compare(Tensor({3}, {1, 2, 3}), row({1, 2, 3}), Tolerance{});
  BOOST_TEST(!c.shape_ok());
  BOOST_TEST(!c.passed());
  BOOST_TEST(summarize(c, true) == "shape (3,) but (1, 3) is expected");
  BOOST_TEST(!compare(mat(3, 1, {1, 2, 3}), row({1, 2, 3}), Tolerance{}).passed());
}

BOOST_AUTO_TEST_CASE(nan_and_inf_are_counted_separately) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const Comparison c = compare(row({nan, inf, 1, 5}), row({1, 1, 1, 1}), Tolerance{});
  BOOST_TEST(c.mismatched == 3u);
  BOOST_TEST(c.non_finite == 2u);
  BOOST_TEST(summarize(c, true).rfind("3 / 4 elements (75%) outside tolerance, 2 of them NaN or Inf", 0) == 0);
  // Where the reference itself is non-finite, only the same value matches.
  BOOST_TEST(compare(row({nan, inf}), row({nan, inf}), Tolerance{}).passed());
  BOOST_TEST(!compare(row({inf}), row({-inf}), Tolerance{}).passed());
}

BOOST_AUTO_TEST_CASE(worst_element_is_indexed_in_the_students_terms) {
  const Comparison c = compare(mat(2, 3, {0, 0, 0, 0, 0.5, 0}), mat(2, 3, {0, 0, 0, 0.1, 0, 0}),
                               Tolerance{1e-3, 0, std::nullopt, std::nullopt}, Hints{});
  BOOST_TEST(c.mismatched == 2u);
  BOOST_REQUIRE(c.worst.has_value());
  BOOST_TEST(format_index(c.worst->index, c.got_shape) == "[1, 1]");
  // Where 0 is expected, the difference is absolute only (it read "rel diff inf").
  BOOST_TEST(summarize(c, true) ==
             "2 / 6 elements (33.3%) outside tolerance; worst at [1, 1]: got 0.5, expected 0 (abs diff 0.5)");
  const std::string details = explain(c, mat(2, 3, {0, 0, 0, 0, 0.5, 0}), mat(2, 3, {0, 0, 0, 0.1, 0, 0}),
                                      Tolerance{1e-3, 0, std::nullopt, std::nullopt}, true);
  BOOST_TEST(contains(details, "  [1, 0]: got 0, expected 0.1\n  [1, 1]: got 0.5, expected 0\n"));
  BOOST_TEST(contains(details, "hint: every mismatch is in row [1, :]; the other rows are right"));
  BOOST_TEST(contains(details, "expected:\n[[0, 0, 0],\n [0.1, 0, 0]]"));
}

BOOST_AUTO_TEST_CASE(got_and_expected_are_printed_in_digits_that_tell_them_apart) {
  // Found by a helper playing a student: a float32 result printed "got: [[1.33185]]" and
  // "expected: [[1.33185]]".
  const Tensor got = mat(1, 2, {1.3318531, 2.0}), expected = mat(1, 2, {1.3318532, 2.0});
  const Comparison c = compare(got, expected, Tolerance{1e-9, 0, std::nullopt, std::nullopt});
  const std::string details = explain(c, got, expected, Tolerance{1e-9, 0, std::nullopt, std::nullopt}, true);
  BOOST_TEST(contains(details, "got:\n[[1.3318531, 2]]\nexpected:\n[[1.3318532, 2]]"), details);
}

BOOST_AUTO_TEST_CASE(values_that_differ_beyond_six_digits_are_shown_with_the_digits_that_differ) {
  // A float32 result against a tight tolerance: 0.41289 and 0.41289 would say nothing.
  const Tensor got = mat(1, 2, {0.5, 0.412890023}), expected = mat(1, 2, {0.5, 0.4128900});
  const Comparison c = compare(got, expected, Tolerance{1e-9, 0, std::nullopt, std::nullopt});
  BOOST_TEST(summarize(c, true) ==
                 "1 / 2 elements (50%) outside tolerance; worst at [0, 1]: got 0.41289002, expected 0.41289 "
                 "(abs diff 2.3e-08, rel diff 5.57049e-08)",
             summarize(c, true));
}

BOOST_AUTO_TEST_CASE(hidden_feedback_is_the_verdict_only) {
  // Counts, positions and patterns come from the target: resubmissions would recover it.
  const Tensor got = mat(2, 2, {0.9, 0.1, 0.2, 0.8}), expected = mat(2, 2, {0.7, 0.3, 0.4, 0.6});
  const Comparison c = compare(got, expected, Tolerance{});
  BOOST_TEST(summarize(c, false) == "your result is outside the tolerance (a hidden exercise shows only its verdict)");
  BOOST_TEST(explain(c, got, expected, Tolerance{}, false) == "");
  const Comparison nan = compare(mat(2, 2, {0.7, 0.3, 0.4, std::nan("")}), expected, Tolerance{});
  BOOST_TEST(summarize(nan, false) == "your result holds NaN or Inf (a hidden exercise shows only its verdict)");
  // A shape that differs is the student's own: still named.
  BOOST_TEST(summarize(compare(row({1, 2}), expected, Tolerance{}), false) == "shape (1, 2) but (2, 2) is expected");
  // feedback() names no mistake for a hidden exercise, and does not even look for one.
  bool looked = false;
  const auto find = [&]() -> std::optional<std::string> { return looked = true, "a known mistake"; };
  const Feedback hidden = feedback(c, got, expected, Tolerance{}, Visibility::hidden, "case 1", "output", find);
  BOOST_TEST(!looked);
  BOOST_TEST(!hidden.mistake.has_value());
  BOOST_TEST(hidden.message == summarize(c, false));
  const Feedback shown = feedback(c, got, expected, Tolerance{}, Visibility::visible, "case 1", "output", find);
  BOOST_TEST(looked);
  BOOST_TEST(shown.message == "a known mistake, in case 1");  // the mistake first: tables cut short
  // A message written as a sentence loses its full stop before the case (found by a helper:
  // "...before the softmax., in random case 26").
  const auto sentence = []() -> std::optional<std::string> { return "the mask comes after the softmax.\n"; };
  BOOST_TEST(feedback(c, got, expected, Tolerance{}, Visibility::visible, "case 1", "output", sentence).message ==
             "the mask comes after the softmax, in case 1");
  // The details go on from the message, which names the case: not said twice.
  BOOST_TEST(shown.details.rfind("output: 4 / 4 elements (100%) outside tolerance", 0) == 0, shown.details);
  BOOST_TEST(!contains(shown.details, "case 1"), shown.details);
  // The named mistake is the diagnosis: no hint guessing at another cause beside it.
  const Tensor off = mat(2, 2, {0.9, 0.3, 0.4, 0.8});  // rows that do not sum to 1
  const Comparison rows = compare(off, expected, Tolerance{}, Hints{});
  BOOST_TEST_REQUIRE(!rows.patterns.empty());
  const auto none = []() -> std::optional<std::string> { return std::nullopt; };
  BOOST_TEST(contains(feedback(rows, off, expected, Tolerance{}, Visibility::visible, "", "", none).details, "hint:"));
  BOOST_TEST(!contains(feedback(rows, off, expected, Tolerance{}, Visibility::visible, "", "", find).details, "hint:"));
}

BOOST_AUTO_TEST_CASE(patterns_name_transpose_scale_and_rows_not_summing_to_one) {
  const Tensor expected = mat(2, 2, {0.7, 0.3, 0.4, 0.6});
  const auto hints = [&](const Tensor& got) {
    const Comparison c = compare(got, expected, Tolerance{}, Hints{});
    std::string all;
    for (const auto& p : c.patterns) all += p + "\n";
    return all;
  };
  BOOST_TEST(contains(hints(mat(2, 2, {0.7, 0.4, 0.3, 0.6})), "transpose of the expected one"));
  BOOST_TEST(contains(hints(mat(2, 2, {1.4, 0.6, 0.8, 1.2})), "the expected one times 2"));
  // A wrong single number (or a vector right only in its zeros) is a multiple of any expected
  // one: no hint of a scale factor there.
  const auto hints_of = [](const Tensor& got, const Tensor& want, Hints context = {}) {
    const auto c = compare(got, want, Tolerance{}, context);
    return c.patterns.empty() ? std::string() : c.patterns.front();
  };
  BOOST_TEST(hints_of(mat(1, 1, {0.7}), mat(1, 1, {0.5})) == "");
  BOOST_TEST(hints_of(mat(1, 3, {0, 6, 0}), mat(1, 3, {0, 2, 0})) == "");
  BOOST_TEST(contains(hints_of(mat(1, 3, {0, 3, 6}), mat(1, 3, {0, 1, 2})), "times 3"));
  // Against printed targets (4 decimals, atol 6e-5), twice the right answer is off by up to 1e-4
  // from twice the target: still "times 2", in as few digits as say it (not "times 1.99996").
  const Tolerance printed{6e-5, 0, std::nullopt, std::nullopt};
  const auto printed_hint = [&](const Tensor& got, const Tensor& want) {
    const auto c = compare(got, want, printed, Hints{});
    return c.patterns.empty() ? std::string() : c.patterns.front();
  };
  BOOST_TEST(
      printed_hint(mat(1, 4, {0.591372, 0.666321, 0.134894, 0.416259}), mat(1, 4, {0.2957, 0.3332, 0.0674, 0.2081})) ==
      "your result is the expected one times 2: a missing or extra scale factor?");
  // A factor that is no round number keeps the digits the tolerance tells apart.
  const Tolerance tight{1e-9, 1e-9, std::nullopt, std::nullopt};
  BOOST_TEST(
      compare(mat(1, 3, {0.35355339, 0.70710678, 1.06066017}), mat(1, 3, {1, 2, 3}), tight, Hints{}).patterns.at(0) ==
      "your result is the expected one times 0.353553: a missing or extra scale factor?");
  // Zeros, or next to nothing at the tolerance, are a multiple of anything by next to nothing,
  // and rows of them sum to 0: told as zeros, and only so (found by a helper: a constant 9e-6
  // was "the expected one times -4.78928e-06: a missing or extra scale factor?").
  const std::string zeros =
      "your result is zero throughout (within the tolerance), where the expected one is not: is it made, as zeros, "
      "and never filled in?\n";
  // Exact zeros where every expected value is between -1 and 1 are what an integer dtype makes
  // of them too; whole numbers that are the expected ones truncated are told so (found by a
  // student helper: a torch.long result filled in a loop was told "never filled in").
  const std::string integer =
      "made with an integer dtype (dtype=int, torch.long or np.int64, or from integer tensors or arrays), which "
      "cuts every value stored into it to a whole number, or with floor division (//)";
  BOOST_TEST(hints(mat(2, 2, {0, 0, 0, 0})) == zeros.substr(0, zeros.size() - 1) + " Or " + integer +
                                                   " (every expected value here is between -1 and 1, which becomes "
                                                   "0)?\n");
  BOOST_TEST(hints_of(mat(1, 3, {0, 1, -2}), mat(1, 3, {0.5, 1.7, -2.4})) ==
             "your values are the expected ones with their fractions cut off: is your result " + integer +
                 "? Make it a float tensor or array.");
  BOOST_TEST(hints_of(mat(2, 2, {0, 1, 0, 0}), mat(2, 2, {0.3, 1.7, 0.4, 0.6})) ==
             hints_of(mat(1, 3, {0, 1, -2}), mat(1, 3, {0.5, 1.7, -2.4})));
  // Values rounded (`.round(3)`), in float32 too, are told the decimals (found by a student
  // helper: told "every mismatch is in row [2, :]"); rounded targets, or other values on the
  // same grid, are not.
  const std::string rounded3 =
      "your values are the expected ones rounded to 3 decimals: is there a .round(3) or round(x, 3) in your code? "
      "Round only what you print";
  BOOST_TEST(hints_of(mat(1, 3, {0.33, 0.261, 0.409}), mat(1, 3, {0.32959, 0.26112, 0.40929})) == rounded3);
  BOOST_TEST(hints_of(mat(1, 3, {static_cast<double>(0.33f), static_cast<double>(0.261f), static_cast<double>(0.409f)}),
                      mat(1, 3, {0.32959, 0.26112, 0.40929})) == rounded3);
  BOOST_TEST(!contains(hints_of(mat(1, 2, {0.5, 0.25}), mat(1, 2, {0.25, 0.5})), "rounded"));
  // Large values in float32 are no rounding: their error is that of the precision.
  BOOST_TEST(!contains(hints_of(mat(1, 2, {static_cast<double>(123456.789f), static_cast<double>(98765.4321f)}),
                                mat(1, 2, {123456.789, 98765.4321})),
                       "rounded"));
  BOOST_TEST(!contains(hints_of(mat(1, 2, {0.331, 0.261}), mat(1, 2, {0.32959, 0.26112})), "rounded"));
  // Whole numbers that are not the expected ones cut: not told so.
  BOOST_TEST(!contains(hints_of(mat(1, 3, {0, 2, -2}), mat(1, 3, {0.5, 1.7, -2.4})), "integer dtype"));
  BOOST_TEST(hints(mat(2, 2, {1e-12, 1e-12, 1e-12, 1e-12})) == zeros);
  BOOST_TEST(hints_of(mat(1, 3, {0, 3e-6, 6e-6}), mat(1, 3, {0, 1, 2})) == zeros.substr(0, zeros.size() - 1));
  BOOST_TEST(contains(hints_of(mat(1, 3, {0, 3e-4, 6e-4}), mat(1, 3, {0, 1, 2})), "times 0.0003"));
  BOOST_TEST(
      contains(hints(mat(2, 2, {0.7, 0.4, 0.4, 0.6})), "your row 0 sums to 1.1: is the softmax over the right axis?"));
  // Raw scores as weights: values no weight takes. Told of one axis, where rows and columns are
  // alike (1 x 1).
  BOOST_TEST(hints_of(mat(2, 2, {2.5, -1, 1.4, 0.6}), mat(2, 2, {0.7, 0.3, 0.4, 0.6})) ==
             "the expected rows each sum to 1 (attention weights), but your row 0 sums to 1.5: some of your values "
             "are below 0 or above 1, which no weight is: is the softmax applied, and over the right axis?");
  const auto one = compare(mat(1, 1, {2.7}), mat(1, 1, {1}), Tolerance{}, Hints{});
  BOOST_TEST(one.patterns.size() == 1u);
  // Columns that sum to 1 where rows should: the other axis. Rows short of 1 (found by a helper:
  // a mask applied after the softmax was asked about the softmax's axis): weights zeroed after it.
  BOOST_TEST(hints_of(mat(2, 3, {0.5, 0.2, 0.9, 0.5, 0.8, 0.1}), mat(2, 3, {0.2, 0.3, 0.5, 0.1, 0.1, 0.8})) ==
             "the expected rows each sum to 1 (attention weights), but your row 0 sums to 1.6: your columns do: is "
             "the softmax over the other axis?");
  BOOST_TEST(hints_of(mat(2, 2, {0.6, 0, 0.3, 0.2}), mat(2, 2, {1, 0, 0.4, 0.6}), Hints{.masks = true}) ==
             "the expected rows each sum to 1 (attention weights), but your row 0 sums to 0.6: are weights set to 0 "
             "after the softmax (a mask applied after it, not before)?");
  // Rows short of 1 with no weight 0 were not masked after the softmax (found by an instructor
  // helper: a softmax over the batch was asked that); nor is a row of NaN a value below 0 or
  // above 1 (the same helper: the NaN of a row that masked every key).
  BOOST_TEST(hints_of(mat(2, 2, {0.6, 0.1, 0.3, 0.2}), mat(2, 2, {0.9, 0.1, 0.4, 0.6}), Hints{.masks = true}) ==
             "the expected rows each sum to 1 (attention weights), but your row 0 sums to 0.7: is the softmax over "
             "the right axis?");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  BOOST_TEST(hints_of(mat(2, 3, {nan, 0.5, 0.1, 0.7, 0.9, 0.1}), mat(2, 3, {1, 0, 0, 0.4, 0.5, 0.1}),
                      Hints{.masks = true}) ==
             "the expected rows each sum to 1 (attention weights), but your row 1 sums to 1.7: is the softmax over "
             "the right axis?");
  // Masks are named only where the exercise has one (found by an instructor helper: asked about
  // masked keys in an exercise without a mask).
  BOOST_TEST(hints_of(mat(2, 2, {0.6, 0, 0.3, 0.2}), mat(2, 2, {1, 0, 0.4, 0.6})) ==
             "the expected rows each sum to 1 (attention weights), but your row 0 sums to 0.6: are weights set to 0 "
             "or scaled down after the softmax?");
  // All zeros (a property "masked positions get zero weight") are no weights: rows summing to
  // 1 are not expected there (found by a TA: the hint contradicted "the mask is ignored").
  BOOST_TEST(hints_of(mat(2, 2, {0, 0.3, 0, 0.4}), mat(2, 2, {0, 0, 0, 0})) == "");
}

BOOST_AUTO_TEST_CASE(an_additive_mask_where_a_mask_of_ones_and_zeros_is_asked_for_is_named) {
  // Found by a student helper: np.triu(np.full((5, 5), -np.inf), k=1) for a causal mask was told
  // only "10 of them NaN or Inf".
  const double inf = std::numeric_limits<double>::infinity();
  const Tensor expected = mat(2, 2, {1, 0, 1, 1});
  const std::string additive = "your values are an additive mask, 0 where 1 is expected and -inf";
  const auto hinted = [&](const Tensor& got) {
    for (const auto& p : compare(got, expected, Tolerance{}, Hints{}).patterns)
      if (contains(p, additive)) return true;
    return false;
  };
  BOOST_TEST(hinted(mat(2, 2, {0, -inf, 0, 0})));
  BOOST_TEST(hinted(mat(2, 2, {0, -1e9, 0, 0})));   // masked_fill's -1e9
  BOOST_TEST(!hinted(mat(2, 2, {0, -1, 0, 0})));    // not a mask for a softmax
  BOOST_TEST(!hinted(mat(2, 2, {1, -inf, 1, 1})));  // not 0 where 1 is expected
  for (const auto& p :
       compare(mat(2, 2, {0, 0, -inf, -inf}), mat(2, 2, {0.5, 0.5, 0.2, 0.8}), Tolerance{}, Hints{}).patterns)
    BOOST_TEST(!contains(p, additive), p);  // no mask where none is asked for
}

BOOST_AUTO_TEST_CASE(hints_name_masks_only_where_the_exercise_has_one) {
  const double nan = std::nan("");
  const Tensor expected = mat(2, 2, {0.7, 0.3, 0.4, 0.6});
  const Tensor row_nan = mat(2, 2, {nan, nan, 0.4, 0.6}), all_nan = mat(2, 2, {nan, nan, nan, nan});
  const auto first = [&](const Tensor& got, Hints hints) {  // the hint about NaN
    for (const auto& p : compare(got, expected, Tolerance{}, hints).patterns)
      if (contains(p, "NaN")) return p;
    return std::string();
  };
  // Judging needs the verdict only: no hints without asking.
  BOOST_TEST(compare(row_nan, expected, Tolerance{}).patterns.empty());
  BOOST_TEST(!compare(row_nan, expected, Tolerance{}).passed());
  const std::string row = "your row [0, :] is NaN throughout where the expected one is finite: ";
  BOOST_TEST(first(row_nan, Hints{.masks = true}) ==
             row +
                 "a softmax over scores that are all -inf gives that (a query whose every key is masked: its own "
                 "too, or a padding mask transposed, (batch, block, 1), which masks whole rows?), and so does one "
                 "whose exp overflows (scores above about 709, or 88 in float32: subtract each row's maximum before "
                 "exp)");
  BOOST_TEST(first(row_nan, Hints{}) ==
             row +
                 "a softmax gives that where its exp overflows (scores above about 709, or 88 in float32: subtract "
                 "each row's maximum before exp), or where a row's scores are all -inf");
  const std::string all =
      "your result is NaN throughout where the expected one is finite: one NaN on the way spreads "
      "to every value after it, and 0 * inf is NaN";
  BOOST_TEST(first(all_nan, Hints{.masks = true}) ==
             all +
                 " (a mask multiplied by -inf, as in (1 - mask) * -inf, is NaN where the mask is 1: set the masked "
                 "scores with masked_fill or where instead), as are inf - inf and 0 / 0");
  BOOST_TEST(first(all_nan, Hints{}) == all +
                                            ", as are inf - inf and 0 / 0 (an exp that overflows gives inf: "
                                            "subtract each row's maximum before exp)");
}

BOOST_AUTO_TEST_CASE(a_mistake_takes_every_element_and_the_shape_and_is_finite_but_for_the_right_answers_inf) {
  BOOST_TEST(is_mistake(row({1, 2}), row({1, 2.000001}), Tolerance{}));
  BOOST_TEST(!is_mistake(row({1, 2}), row({1, 2.1}), Tolerance{}));
  BOOST_TEST(!is_mistake(Tensor({2}, {1, 2}), row({1, 2}), Tolerance{}));
  // What can tell anything: finite, but for the right answer's own Inf at the same place; a NaN
  // never (it would match a NaN of any cause).
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const Tensor with_nan = row({1, nan}), masked = row({1, -inf}), right = row({5, -inf});
  BOOST_TEST(!finite_but_as(with_nan, nullptr));
  BOOST_TEST(!finite_but_as(with_nan, &with_nan));
  BOOST_TEST(!names_mistake(with_nan, with_nan, row({1, 2}), Tolerance{}));
  BOOST_TEST(finite_but_as(masked, &right));
  BOOST_TEST(!finite_but_as(masked, nullptr));  // no right answer to share it with
  const Tensor elsewhere = row({-inf, 1});
  BOOST_TEST(!finite_but_as(masked, &elsewhere));
  BOOST_TEST(names_mistake(masked, masked, right, Tolerance{}));
  BOOST_TEST(!names_mistake(row({1, inf}), masked, right, Tolerance{}));  // only the same Inf
}

BOOST_AUTO_TEST_SUITE_END()
