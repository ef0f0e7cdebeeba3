#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>

#include "fixture_cases.hpp"
#include "reference/softmax.hpp"

using namespace reference_tests;
using test_support::max_rel_diff;
using test_support::to_mat;

BOOST_AUTO_TEST_SUITE(softmax)

BOOST_AUTO_TEST_CASE(matches_pytorch_over_rows_and_columns) {
  const auto cases = cases_of("softmax");
  BOOST_REQUIRE_GE(cases.size(), 4u);
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.at("name").get<std::string>()) {
      const arma::mat S = to_mat(c.at("inputs").at("S"));
      BOOST_TEST(max_rel_diff(reference::softmax_rows(S), to_mat(c.at("outputs").at("rows"))) <= kRelTol);
      BOOST_TEST(max_rel_diff(reference::softmax_cols(S), to_mat(c.at("outputs").at("cols"))) <= kRelTol);
    }
  }
}

BOOST_AUTO_TEST_CASE(rows_of_nothing_stay_rows_of_nothing) {
  // Found by fuzz_expr: Armadillo's transpose of a 3 x 0 matrix read through its null memory.
  const arma::mat empty(3, 0);
  BOOST_TEST(reference::softmax_rows(empty).n_rows == 3u);
  BOOST_TEST(reference::softmax_rows(empty).n_cols == 0u);
  BOOST_TEST(reference::softmax_cols(arma::mat(0, 3)).n_cols == 3u);
}

BOOST_AUTO_TEST_CASE(huge_scores_stay_finite) {
  const arma::mat S = {{1e300, -1e300, 0.0}, {5e4, 1e5, -1e5}};
  const arma::mat W = reference::softmax_rows(S);
  BOOST_TEST(W.is_finite());
  BOOST_TEST(W(0, 0) == 1.0);
  BOOST_TEST(W(1, 1) == 1.0);
  BOOST_TEST(arma::accu(W) == 2.0);
}

BOOST_AUTO_TEST_CASE(fully_masked_row_is_zero_and_partly_masked_row_renormalizes) {
  const double inf = std::numeric_limits<double>::infinity();
  const arma::mat S = {{-inf, -inf, -inf}, {0.0, -inf, 0.0}};
  const arma::mat W = reference::softmax_rows(S);
  BOOST_TEST(arma::accu(arma::abs(W.row(0))) == 0.0);
  BOOST_TEST(W(1, 0) == 0.5);
  BOOST_TEST(W(1, 1) == 0.0);
  BOOST_TEST(W(1, 2) == 0.5);
}

// torch.softmax(torch.tensor([inf, 0., 1.]), -1) and NumPy's exp(x - x.max()) / sum both give
// [nan, nan, nan] (PyTorch 1.13, NumPy 1.24): inf - inf.
BOOST_AUTO_TEST_CASE(a_plus_infinite_score_makes_its_row_nan_as_pytorch_does) {
  const double inf = std::numeric_limits<double>::infinity();
  const arma::mat S = {{inf, 0.0, 1.0}, {inf, inf, 0.0}, {0.0, 1.0, -inf}};
  const arma::mat W = reference::softmax_rows(S);
  for (arma::uword c = 0; c < 3; ++c) {
    BOOST_TEST(std::isnan(W(0, c)));
    BOOST_TEST(std::isnan(W(1, c)));
  }
  BOOST_TEST(W.row(2).is_finite());
  BOOST_TEST(W(2, 2) == 0.0);
}

BOOST_AUTO_TEST_CASE(nan_poisons_only_its_own_column) {
  const arma::mat S = {{std::nan(""), 1.0}, {0.0, 1.0}};
  const arma::mat W = reference::softmax_cols(S);
  BOOST_TEST(std::isnan(W(0, 0)));
  BOOST_TEST(std::isnan(W(1, 0)));
  BOOST_TEST(W(0, 1) == 0.5);
}

BOOST_AUTO_TEST_SUITE_END()
