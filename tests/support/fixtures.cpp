#include "support/fixtures.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace test_support {

std::string source_path(const std::string& relative) { return std::string(GRADER_SOURCE_DIR) + "/" + relative; }

nlohmann::json load_fixture(const std::string& name) {
  std::ifstream in(source_path("tests/fixtures/" + name));
  if (!in) throw std::runtime_error("cannot open fixture " + name);
  return nlohmann::json::parse(in);
}

arma::mat to_mat(const nlohmann::json& tensor) {
  const auto shape = tensor.at("shape").get<std::vector<arma::uword>>();
  const auto data = tensor.at("data").get<std::vector<double>>();
  const arma::uword rows = shape.size() == 2 ? shape[0] : 1;
  const arma::uword cols = shape.empty() ? 1 : shape.back();
  arma::mat m(rows, cols);
  for (arma::uword r = 0; r < rows; ++r)
    for (arma::uword c = 0; c < cols; ++c) m(r, c) = data.at(r * cols + c);
  return m;
}

arma::cube to_cube(const nlohmann::json& tensor) {
  const auto shape = tensor.at("shape").get<std::vector<arma::uword>>();
  const auto data = tensor.at("data").get<std::vector<double>>();
  if (shape.size() != 3) throw std::runtime_error("fixture tensor is not rank 3");
  arma::cube c(shape[1], shape[2], shape[0]);
  for (arma::uword b = 0; b < shape[0]; ++b)
    for (arma::uword r = 0; r < shape[1]; ++r)
      for (arma::uword k = 0; k < shape[2]; ++k) c(r, k, b) = data.at((b * shape[1] + r) * shape[2] + k);
  return c;
}

namespace {
double rel_diff(const double* a, const double* b, arma::uword n) {
  double worst = 0.0;
  for (arma::uword i = 0; i < n; ++i) {
    if (std::isnan(a[i]) || std::isnan(b[i])) return std::numeric_limits<double>::infinity();
    const double scale = std::max(std::abs(b[i]), 1e-300);
    worst = std::max(worst, std::abs(a[i] - b[i]) / scale);
  }
  return worst;
}
}  // namespace

double max_rel_diff(const arma::mat& a, const arma::mat& b) {
  if (a.n_rows != b.n_rows || a.n_cols != b.n_cols) return std::numeric_limits<double>::infinity();
  return rel_diff(a.memptr(), b.memptr(), a.n_elem);
}

double max_rel_diff(const arma::cube& a, const arma::cube& b) {
  if (a.n_rows != b.n_rows || a.n_cols != b.n_cols || a.n_slices != b.n_slices)
    return std::numeric_limits<double>::infinity();
  return rel_diff(a.memptr(), b.memptr(), a.n_elem);
}

}  // namespace test_support
