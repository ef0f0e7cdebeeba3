#pragma once
/// The cases of tests/fixtures/reference_cases.json for one reference function.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/fixtures.hpp"

namespace reference_tests {

/// Agreement required between our double results and PyTorch/NumPy's.
constexpr double kRelTol = 1e-12;

inline std::vector<nlohmann::json> cases_of(const std::string& function) {
  static const nlohmann::json all = test_support::load_fixture("reference_cases.json");
  std::vector<nlohmann::json> out;
  for (const auto& c : all.at("cases"))
    if (c.at("function") == function) out.push_back(c);
  return out;
}

}  // namespace reference_tests
