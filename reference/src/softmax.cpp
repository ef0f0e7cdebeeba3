#include "reference/softmax.hpp"
#include "transposed.hpp"

#include <cmath>
#include <limits>

namespace reference {

namespace {

/// Softmax of one contiguous vector, in place.
void softmax_in_place(double* x, arma::uword n) {
  double max = -std::numeric_limits<double>::infinity();
  bool has_nan = false;
  for (arma::uword i = 0; i < n; ++i) {
    if (std::isnan(x[i])) has_nan = true;
    if (x[i] > max) max = x[i];
  }
  // NaN, or a +inf score (an Inf in an input, or a product that overflowed): NaN throughout,
  // as PyTorch and NumPy compute it (inf - inf), so that a student's NaN is not graded against
  // numbers their own code never gives (found by a helper: a query holding -inf passed).
  if (has_nan || max == std::numeric_limits<double>::infinity()) {
    for (arma::uword i = 0; i < n; ++i) x[i] = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  if (max == -std::numeric_limits<double>::infinity()) {  // fully masked (or empty)
    for (arma::uword i = 0; i < n; ++i) x[i] = 0.0;
    return;
  }
  double sum = 0.0;
  for (arma::uword i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - max);
    sum += x[i];
  }
  for (arma::uword i = 0; i < n; ++i) x[i] /= sum;
}

}  // namespace

arma::mat softmax_cols(const arma::mat& scores) {
  arma::mat out = scores;
  if (out.n_rows == 0) return out;  // columns of nothing (and no memory to point into)
  for (arma::uword c = 0; c < out.n_cols; ++c) softmax_in_place(out.colptr(c), out.n_rows);
  return out;
}

arma::mat softmax_rows(const arma::mat& scores) {
  // Armadillo is column-major: transpose so that each row becomes a contiguous column.
  return transposed(softmax_cols(transposed(scores)));
}

}  // namespace reference
