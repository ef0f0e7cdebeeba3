#include <boost/test/unit_test.hpp>
#include <cmath>
#include <optional>

#include "fixture_cases.hpp"
#include "reference/attention.hpp"

using namespace reference_tests;
using test_support::max_rel_diff;
using test_support::to_cube;
using test_support::to_mat;

namespace {
std::optional<double> scale_of(const nlohmann::json& c) {
  if (!c.contains("scale") || c.at("scale").is_null()) return std::nullopt;
  return c.at("scale").get<double>();
}
}  // namespace

BOOST_AUTO_TEST_SUITE(attention)

BOOST_AUTO_TEST_CASE(matches_pytorch_2d_with_and_without_mask) {
  const auto cases = cases_of("attention");
  BOOST_REQUIRE_GE(cases.size(), 20u);
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.at("name").get<std::string>()) {
      const auto& in = c.at("inputs");
      const arma::mat Q = to_mat(in.at("Q")), K = to_mat(in.at("K")), V = to_mat(in.at("V"));
      const reference::Attention got = in.contains("mask")
                                           ? reference::attention(Q, K, V, to_mat(in.at("mask")), scale_of(c))
                                           : reference::attention(Q, K, V, scale_of(c));
      BOOST_TEST(got.output.is_finite());
      BOOST_TEST(max_rel_diff(got.output, to_mat(c.at("outputs").at("output"))) <= kRelTol);
      BOOST_TEST(max_rel_diff(got.weights, to_mat(c.at("outputs").at("weights"))) <= kRelTol);
    }
  }
}

BOOST_AUTO_TEST_CASE(matches_pytorch_batched_with_and_without_padding_mask) {
  const auto cases = cases_of("batched_attention");
  BOOST_REQUIRE_GE(cases.size(), 8u);
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.at("name").get<std::string>()) {
      const auto& in = c.at("inputs");
      const arma::cube Q = to_cube(in.at("Q")), K = to_cube(in.at("K")), V = to_cube(in.at("V"));
      const reference::BatchedAttention got =
          in.contains("mask") ? reference::attention(Q, K, V, to_cube(in.at("mask"))) : reference::attention(Q, K, V);
      BOOST_TEST(max_rel_diff(got.output, to_cube(c.at("outputs").at("output"))) <= kRelTol);
      BOOST_TEST(max_rel_diff(got.weights, to_cube(c.at("outputs").at("weights"))) <= kRelTol);
    }
  }
}

BOOST_AUTO_TEST_CASE(default_scale_is_one_over_sqrt_dk) {
  const arma::mat Q = arma::rowvec{1.0, 2.0, 0.5, -1.0}, K = {{0.5, 0.1, 1.0, 2.0}, {1.0, 1.0, 1.0, 1.0}};
  const arma::mat V = arma::mat({1.0, 0.0}).t();
  const auto implicit = reference::attention(Q, K, V);
  const auto explicit_half = reference::attention(Q, K, V, 0.5);
  BOOST_TEST(arma::approx_equal(implicit.weights, explicit_half.weights, "absdiff", 0.0));
  BOOST_TEST(reference::default_scale(4) == 0.5);
}

BOOST_AUTO_TEST_CASE(fully_masked_query_gets_zero_weights_and_zero_output) {
  const arma::mat Q(2, 3, arma::fill::ones), K(4, 3, arma::fill::ones), V(4, 2, arma::fill::ones);
  const arma::mat mask = {{0.0, 0.0, 0.0, 0.0}, {1.0, 1.0, 0.0, 0.0}};
  const auto got = reference::attention(Q, K, V, mask);
  BOOST_TEST(arma::accu(arma::abs(got.weights.row(0))) == 0.0);
  BOOST_TEST(arma::accu(arma::abs(got.output.row(0))) == 0.0);
  BOOST_TEST(got.weights(1, 0) == 0.5);
  BOOST_TEST(got.weights(1, 2) == 0.0);
}

BOOST_AUTO_TEST_CASE(shape_errors_name_the_function_and_both_sizes) {
  const arma::mat Q(2, 3), K(4, 5), V(4, 2);
  BOOST_CHECK_EXCEPTION(reference::attention(Q, K, V), std::invalid_argument, [](const std::invalid_argument& e) {
    return std::string(e.what()) == "attention(): Q has d_k = 3 columns but K has 5";
  });
  const arma::mat mask(3, 4);
  BOOST_CHECK_EXCEPTION(
      reference::attention(Q, arma::mat(4, 3), V, mask), std::invalid_argument, [](const std::invalid_argument& e) {
        return std::string(e.what()) ==
               "attention(): mask has shape (3, 4), expected (2, 4) or (1, 4) (to follow the sizes of random "
               "cases, build it from them: tril(ones(size(Q, 0), size(K, 0))))";
      });
  // One query: the two shapes a mask may have are one, said once (was "(1, 4) or (1, 4)").
  BOOST_CHECK_EXCEPTION(reference::attention(arma::mat(1, 3), arma::mat(4, 3), V, arma::mat(4, 4)),
                        std::invalid_argument, [](const std::invalid_argument& e) {
                          return std::string(e.what()).rfind(
                                     "attention(): mask has shape (4, 4), expected (1, 4) (to follow", 0) == 0;
                        });
}

BOOST_AUTO_TEST_SUITE_END()
