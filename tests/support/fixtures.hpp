#pragma once
/// Loading the independently computed fixtures of tests/fixtures (PyTorch and NumPy values).

#include <armadillo>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace test_support {

/// Absolute path of a file in the source tree, e.g. source_path("specs/x.yaml").
std::string source_path(const std::string& relative);

/// Parses a JSON file of tests/fixtures.
nlohmann::json load_fixture(const std::string& name);

/// A fixture tensor {shape, data} (row-major) as a matrix; rank 1 becomes one row.
arma::mat to_mat(const nlohmann::json& tensor);

/// A fixture tensor of shape (batch, rows, cols) as a cube whose slice b is item b.
arma::cube to_cube(const nlohmann::json& tensor);

/// Largest |a - b| / max(|b|, tiny) over all elements; shapes must agree.
double max_rel_diff(const arma::mat& a, const arma::mat& b);
double max_rel_diff(const arma::cube& a, const arma::cube& b);

}  // namespace test_support
