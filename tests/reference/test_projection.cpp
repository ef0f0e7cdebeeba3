#include <boost/test/unit_test.hpp>

#include "fixture_cases.hpp"
#include "reference/projection.hpp"

using namespace reference_tests;
using test_support::max_rel_diff;
using test_support::to_mat;

BOOST_AUTO_TEST_SUITE(projection)

BOOST_AUTO_TEST_CASE(project_matches_pytorch) {
  for (const auto& c : cases_of("project")) {
    const auto& in = c.at("inputs");
    BOOST_TEST(max_rel_diff(reference::project(to_mat(in.at("v")), to_mat(in.at("W"))),
                            to_mat(c.at("outputs").at("result"))) <= kRelTol);
  }
}

BOOST_AUTO_TEST_CASE(compute_keys_matches_the_notebook_and_pytorch) {
  const auto cases = cases_of("compute_keys");
  BOOST_REQUIRE_EQUAL(cases.size(), 2u);
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.at("name").get<std::string>()) {
      const auto& in = c.at("inputs");
      BOOST_TEST(max_rel_diff(reference::compute_keys(to_mat(in.at("vs")), to_mat(in.at("ws"))),
                              to_mat(c.at("outputs").at("result"))) <= kRelTol);
    }
  }
  // The notebook prints keys = [[0, 1, 1], [4, 4, 0], [2, 3, 1]].
  const arma::mat v = {{1., 0., 1., 0.}, {0., 2., 0., 2.}, {1., 1., 1., 1.}};
  const arma::mat ws = {{0., 1., 0., 1.}, {0., 1., 1., 1.}, {1., 0., 0., 0.}};
  const arma::mat expected = {{0., 1., 1.}, {4., 4., 0.}, {2., 3., 1.}};
  BOOST_TEST(arma::approx_equal(reference::compute_keys(v, ws), expected, "absdiff", 0.0));
}

BOOST_AUTO_TEST_SUITE_END()
