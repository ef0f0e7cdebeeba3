// The notebooks' generators against what PyTorch 1.13 and NumPy 1.24 drew
// (tests/fixtures/rng_cases.json, made by make_rng_fixtures.py): bit for bit; and the bundled
// specs, whose data come from the notebooks' seeds, against the notebooks' own values.
#include <boost/test/unit_test.hpp>
#include <cstring>
#include <string>

#include "grader/expr/evaluate.hpp"
#include "grader/random.hpp"
#include "grader/spec/spec.hpp"
#include "support/fixtures.hpp"

using grader::random::NumpyGenerator;
using grader::random::TorchGenerator;

namespace {

std::size_t count(const nlohmann::json& shape) {
  std::size_t n = 1;
  for (const auto& d : shape) n *= d.get<std::size_t>();
  return n;
}

std::string hex32(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", u);
  return buf;
}

std::string hex64(double d) {
  std::uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(u));
  return buf;
}

/// The first element that differs, or -1.
template <typename T, typename Hex>
long first_difference(const std::vector<T>& got, const nlohmann::json& bits, Hex hex) {
  if (got.size() != bits.size()) return 0;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (hex(got[i]) != bits[i].get<std::string>()) return static_cast<long>(i);
  return -1;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(random_generators)

BOOST_AUTO_TEST_CASE(torch_draws_match_pytorch_bit_for_bit) {
  const auto fixtures = test_support::load_fixture("rng_cases.json");
  std::size_t draws = 0, values = 0;
  for (const auto& c : fixtures.at("cases")) {
    if (c.at("library") != "torch") continue;
    TorchGenerator gen(c.at("seed").get<std::uint64_t>());
    for (const auto& d : c.at("draws")) {
      const std::size_t n = count(d.at("shape"));
      const auto got = d.at("fn") == "randn" ? gen.randn(n) : gen.rand(n);
      const long diff = first_difference(got, d.at("bits"), hex32);
      BOOST_TEST(diff == -1, "seed " << c.at("seed") << ", draw " << draws << " " << d.at("fn") << d.at("shape")
                                     << ": element " << diff << " differs");
      ++draws;
      values += n;
    }
  }
  BOOST_TEST(draws > 200u);
  BOOST_TEST(values > 10000u);
}

BOOST_AUTO_TEST_CASE(numpy_draws_match_numpy_bit_for_bit) {
  const auto fixtures = test_support::load_fixture("rng_cases.json");
  std::size_t draws = 0;
  for (const auto& c : fixtures.at("cases")) {
    if (c.at("library") != "numpy") continue;
    NumpyGenerator gen(c.at("seed").get<std::uint32_t>());
    for (const auto& d : c.at("draws")) {
      const std::size_t n = count(d.at("shape"));
      const std::string fn = d.at("fn");
      const auto& args = d.at("args");
      std::vector<double> got;
      if (fn == "random_sample" || fn == "rand")
        got = gen.random_sample(n);
      else if (fn == "uniform")
        got = gen.uniform(n, args.at(0), args.at(1));
      else if (fn == "normal" && !args.empty())
        got = gen.normal(n, args.at(0), args.at(1));
      else
        got = gen.normal(n);
      const long diff = first_difference(got, d.at("bits"), hex64);
      BOOST_TEST(diff == -1, "seed " << c.at("seed") << ", draw " << draws << " " << fn << d.at("shape") << ": element "
                                     << diff << " differs");
      ++draws;
    }
  }
  BOOST_TEST(draws > 200u);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- the bundled specs draw the notebooks' data ------------------------------------------

namespace {

/// The draws of the fixture case with this library, seed and draw count.
const nlohmann::json& fixture_case(const std::string& library, std::uint64_t seed, std::size_t draws) {
  static const auto fixtures = test_support::load_fixture("rng_cases.json");
  for (const auto& c : fixtures.at("cases"))
    if (c.at("library") == library && c.at("seed").get<std::uint64_t>() == seed && c.at("draws").size() == draws)
      return c.at("draws");
  throw std::runtime_error("no fixture case " + library + " " + std::to_string(seed));
}

std::vector<std::string> bits_of(const grader::Tensor& t, bool float32) {
  std::vector<std::string> out;
  for (double v : t.values()) out.push_back(float32 ? hex32(static_cast<float>(v)) : hex64(v));
  return out;
}

std::vector<std::string> strings(const nlohmann::json& j) { return j.get<std::vector<std::string>>(); }

grader::Tensor eval(const grader::Spec& spec, const std::string& text) {
  grader::expr::Scope scope;
  scope.add(spec.data);
  return grader::expr::evaluate(*grader::expr::parse(text), scope);
}

double max_abs_diff(const grader::Tensor& a, const grader::Tensor& b) {
  BOOST_REQUIRE(a.shape() == b.shape());
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(notebook_data)

BOOST_AUTO_TEST_CASE(sdpa_masked_draws_q_k_v_as_torch_does_and_reproduces_the_printed_outputs) {
  const auto spec = grader::load_spec(test_support::source_path("specs/sdpa-masked.yaml"));
  const auto& draws = fixture_case("torch", 0, 3);  // torch.manual_seed(0); randn(2, 3, 4) x 3
  BOOST_TEST(bits_of(spec.data.at("Q"), true) == strings(draws[0].at("bits")), boost::test_tools::per_element());
  BOOST_TEST(bits_of(spec.data.at("K"), true) == strings(draws[1].at("bits")), boost::test_tools::per_element());
  BOOST_TEST(bits_of(spec.data.at("V"), true) == strings(draws[2].at("bits")), boost::test_tools::per_element());
  // The notebook prints 4 decimals: the reference must be within half a unit of the last.
  const double printed = 5e-5 + 1e-7;
  BOOST_TEST(max_abs_diff(eval(spec, "attention(Q, K, V)"), spec.data.at("printed_output")) <= printed);
  BOOST_TEST(max_abs_diff(eval(spec, "attention_weights(Q, K, V)"), spec.data.at("printed_weights")) <= printed);
  BOOST_TEST(max_abs_diff(eval(spec, "attention(Q, K, V, mask=mask)"), spec.data.at("printed_masked_output")) <=
             printed);
  BOOST_TEST(max_abs_diff(eval(spec, "attention_weights(Q, K, V, mask=mask)"),
                          spec.data.at("printed_masked_weights")) <= printed);
}

BOOST_AUTO_TEST_CASE(understanding_attention_draws_the_key_and_value_the_notebook_prints) {
  const auto spec = grader::load_spec(test_support::source_path("specs/understanding-attention.yaml"));
  // Printed by the notebook after torch.manual_seed(447) (float32 tensors).
  const std::vector<double> key = {0.47, 0.65, 0.60, 0.64, 0.50, -0.59, -0.03, -0.48, -0.88, 0.43, -0.83, 0.35};
  const std::vector<double> value = {-0.07, -0.88, 0.47, 0.37, -0.93, -0.07, -0.25, -0.75, 0.61, 0.94, 0.20, 0.28};
  const auto as_float32 = [](std::vector<double> v) {
    for (double& x : v) x = static_cast<float>(x);
    return v;
  };
  BOOST_TEST(spec.data.at("key").values() == as_float32(key), boost::test_tools::per_element());
  BOOST_TEST(spec.data.at("value").values() == as_float32(value), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(udl_self_attention_draws_x_and_the_parameters_as_numpy_does_and_passes_the_notebooks_asserts) {
  const auto spec = grader::load_spec(test_support::source_path("specs/udl-self-attention.yaml"));
  const auto& xs = fixture_case("numpy", 3, 3);  // np.random.seed(3); normal(size=(4, 1)) x 3
  const auto X = spec.data.at("X");
  for (std::size_t n = 0; n < 3; ++n)
    for (std::size_t d = 0; d < 4; ++d)
      BOOST_TEST(hex64(X[d * 3 + n]) == xs[n].at("bits")[d].get<std::string>(), "X[" << d << ", " << n << "]");
  const auto& params = fixture_case("numpy", 0, 6);  // np.random.seed(0); omegas, then betas
  const char* names[] = {"omega_q", "omega_k", "omega_v", "beta_q", "beta_k", "beta_v"};
  for (std::size_t i = 0; i < 6; ++i)
    BOOST_TEST(bits_of(spec.data.at(names[i]), false) == strings(params[i].at("bits")),
               boost::test_tools::per_element());
  // The notebook's test cells: np.allclose(X_prime, x_prime_true) and atol 1e-3 on the attentions.
  const std::string args = "(X, omega_v, omega_q, omega_k, beta_v, beta_q, beta_k)";
  const auto x_prime = eval(spec, "self_attention" + args), want = spec.data.at("x_prime_true");
  for (std::size_t i = 0; i < want.size(); ++i)
    BOOST_TEST(std::abs(x_prime[i] - want[i]) <= 1e-8 + 1e-5 * std::abs(want[i]));
  BOOST_TEST(max_abs_diff(eval(spec, "self_attention_weights" + args), spec.data.at("attentions_true")) <= 1e-3);
  BOOST_TEST(max_abs_diff(eval(spec, "scaled_dot_product_self_attention" + args), spec.data.at("X_prime_true2")) <=
             1e-3);
  BOOST_TEST(max_abs_diff(eval(spec, "scaled_dot_product_self_attention_weights" + args),
                          spec.data.at("attentions_true2")) <= 1e-3);
}

BOOST_AUTO_TEST_SUITE_END()
