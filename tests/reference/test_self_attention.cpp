#include <boost/test/unit_test.hpp>

#include "fixture_cases.hpp"
#include "reference/self_attention.hpp"

using namespace reference_tests;
using test_support::max_rel_diff;
using test_support::to_mat;

namespace {

reference::SelfAttention run(const nlohmann::json& c) {
  const auto& in = c.at("inputs");
  auto m = [&](const char* name) { return to_mat(in.at(name)); };
  const bool scaled = c.at("function") == "scaled_self_attention";
  return scaled ? reference::scaled_dot_product_self_attention(m("X"), m("omega_v"), m("omega_q"), m("omega_k"),
                                                               m("beta_v"), m("beta_q"), m("beta_k"))
                : reference::self_attention(m("X"), m("omega_v"), m("omega_q"), m("omega_k"), m("beta_v"), m("beta_q"),
                                            m("beta_k"));
}

const nlohmann::json& notebook_case(const char* name) {
  static std::vector<nlohmann::json> all = [] {
    auto a = cases_of("self_attention");
    auto b = cases_of("scaled_self_attention");
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }();
  for (const auto& c : all)
    if (c.at("name") == name) return c;
  throw std::runtime_error(std::string("no fixture ") + name);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(self_attention)

BOOST_AUTO_TEST_CASE(matches_numpy_in_the_column_convention) {
  auto cases = cases_of("self_attention");
  const auto scaled = cases_of("scaled_self_attention");
  cases.insert(cases.end(), scaled.begin(), scaled.end());
  BOOST_REQUIRE_GE(cases.size(), 8u);
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.at("name").get<std::string>()) {
      const auto got = run(c);
      BOOST_TEST(max_rel_diff(got.X_prime, to_mat(c.at("outputs").at("X_prime"))) <= kRelTol);
      BOOST_TEST(max_rel_diff(got.attentions, to_mat(c.at("outputs").at("attentions"))) <= kRelTol);
    }
  }
}

// The values the UDL notebook 12.1 asserts, typed from the notebook (np.allclose defaults for
// X_prime, atol=1e-3 for the attentions), on the notebook's own seeded inputs.
BOOST_AUTO_TEST_CASE(reproduces_the_notebook_assertions) {
  const auto plain = run(notebook_case("self_attention_D4_N3_plain"));
  const arma::mat x_prime_true = arma::mat{
      {0.94744244, -0.24348429, -0.91310441, -0.44522983},
      {1.64201168, -0.08470004, 4.02764044, 2.18690791},
      {1.61949281, -0.06641533, 3.96863308,
       2.15858316}}.t();
  const arma::mat attentions_true = {{0., 0., 0.005}, {0.998, 0.006, 0.007}, {0.002, 0.994, 0.988}};
  BOOST_TEST(arma::approx_equal(plain.X_prime, x_prime_true, "both", 1e-8, 1e-5));
  BOOST_TEST(arma::approx_equal(plain.attentions, attentions_true, "absdiff", 1e-3));

  const auto scaled = run(notebook_case("self_attention_D4_N3_scaled"));
  const arma::mat attentions_true2 = {{0., 0., 0.062}, {0.96, 0.071, 0.071}, {0.04, 0.929, 0.867}};
  const arma::mat x_prime_true2 = {{0.97411966, 1.59622051, 1.32638014},
                                   {-0.23738409, -0.09516106, 0.13062402},
                                   {-0.72333202, 3.70194096, 3.02371664},
                                   {-0.34413007, 2.01339538, 1.6902419}};
  BOOST_TEST(arma::approx_equal(scaled.attentions, attentions_true2, "absdiff", 1e-3));
  BOOST_TEST(arma::approx_equal(scaled.X_prime, x_prime_true2, "absdiff", 1e-3));
}

BOOST_AUTO_TEST_CASE(columns_of_the_attention_matrix_sum_to_one) {
  const auto got = run(notebook_case("self_attention_D6_N4_scaled"));
  BOOST_TEST(arma::approx_equal(arma::sum(got.attentions, 0), arma::rowvec(4, arma::fill::ones), "absdiff", 1e-14));
}

BOOST_AUTO_TEST_CASE(bias_of_the_wrong_shape_is_named) {
  const arma::mat X(4, 3, arma::fill::ones), omega(4, 4, arma::fill::eye), beta(4, 1);
  BOOST_CHECK_EXCEPTION(reference::self_attention(X, omega, omega, omega, beta, arma::mat(1, 4), beta),
                        std::invalid_argument, [](const std::invalid_argument& e) {
                          return std::string(e.what()) == "self_attention(): beta_q has shape (1, 4), expected (4, 1)";
                        });
}

BOOST_AUTO_TEST_SUITE_END()
