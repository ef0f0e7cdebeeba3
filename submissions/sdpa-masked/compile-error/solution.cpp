// Does not compile (a missing semicolon); otherwise a correct solution in C++ with Armadillo, exported through grader/solution.hpp.
#include <grader/solution.hpp>

#include <cmath>
#include <limits>
#include <optional>

// Q, K, V: (batch, block, d_k) as cubes whose slice b is batch item b (block x d_k).
// mask: (batch, 1, block) or (batch, block, block); 1 attend, 0 masked.
static std::tuple<arma::cube, arma::cube> sdpa(const arma::cube& Q, const arma::cube& K,
                                               const arma::cube& V,
                                               const std::optional<arma::cube>& mask) {
  arma::cube output(Q.n_rows, V.n_cols, Q.n_slices), weights(Q.n_rows, K.n_rows, Q.n_slices);
  for (arma::uword b = 0; b < Q.n_slices; ++b) {
    arma::mat scores = Q.slice(b) * K.slice(b).t() / std::sqrt(static_cast<double>(Q.n_cols));
    if (mask)
      for (arma::uword i = 0; i < scores.n_rows; ++i)
        for (arma::uword j = 0; j < scores.n_cols; ++j)
          if (mask->slice(b)(mask->n_rows == 1 ? 0 : i, j) == 0)
            scores(i, j) = -std::numeric_limits<double>::infinity();
    arma::mat w = scores;
    for (arma::uword i = 0; i < w.n_rows; ++i) {
      const double top = w.row(i).max();
      w.row(i) = arma::exp(w.row(i) - top);  // subtract the maximum: no overflow
      w.row(i) /= arma::accu(w.row(i));
    }
    weights.slice(b) = w  // a missing semicolon
    output.slice(b) = w * V.slice(b);
  }
  return {output, weights};
}

GRADER_EXPORT(scaled_dot_product_attention, sdpa)
