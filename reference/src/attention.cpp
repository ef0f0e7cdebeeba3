#include "reference/attention.hpp"
#include "transposed.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "reference/softmax.hpp"

namespace reference {

namespace {

std::string dims(const arma::mat& m) { return "(" + std::to_string(m.n_rows) + ", " + std::to_string(m.n_cols) + ")"; }

void check_shapes(const arma::mat& Q, const arma::mat& K, const arma::mat& V) {
  if (Q.n_cols != K.n_cols)
    throw std::invalid_argument("attention(): Q has d_k = " + std::to_string(Q.n_cols) + " columns but K has " +
                                std::to_string(K.n_cols));
  if (K.n_rows != V.n_rows)
    throw std::invalid_argument("attention(): K has " + std::to_string(K.n_rows) + " rows (keys) but V has " +
                                std::to_string(V.n_rows));
}

arma::mat scores(const arma::mat& Q, const arma::mat& K, std::optional<double> scale) {
  return scale.value_or(default_scale(Q.n_cols)) * (Q * transposed(K));
}

Attention finish(arma::mat weights_input, const arma::mat& V) {
  Attention result;
  result.weights = softmax_rows(weights_input);
  result.output = result.weights * V;
  return result;
}

/// Runs one attention per batch item (`item(b)`) and gathers the results into cubes.
template <class Item>
BatchedAttention for_each_item(const arma::cube& Q, const arma::cube& K, const arma::cube& V, Item item) {
  if (Q.n_slices != K.n_slices || K.n_slices != V.n_slices)
    throw std::invalid_argument("attention(): batch sizes differ: Q " + std::to_string(Q.n_slices) + ", K " +
                                std::to_string(K.n_slices) + ", V " + std::to_string(V.n_slices));
  BatchedAttention result{arma::cube(Q.n_rows, V.n_cols, Q.n_slices), arma::cube(Q.n_rows, K.n_rows, Q.n_slices)};
  for (arma::uword b = 0; b < Q.n_slices; ++b) {
    Attention one = item(b);
    result.output.slice(b) = one.output;
    result.weights.slice(b) = one.weights;
  }
  return result;
}

}  // namespace

double default_scale(arma::uword d_k) { return 1.0 / std::sqrt(static_cast<double>(d_k)); }

Attention attention(const arma::mat& Q, const arma::mat& K, const arma::mat& V, std::optional<double> scale) {
  check_shapes(Q, K, V);
  return finish(scores(Q, K, scale), V);
}

Attention attention(const arma::mat& Q, const arma::mat& K, const arma::mat& V, const arma::mat& mask,
                    std::optional<double> scale) {
  check_shapes(Q, K, V);
  const bool per_query = mask.n_rows == Q.n_rows;
  if ((mask.n_rows != 1 && !per_query) || mask.n_cols != K.n_rows) {
    const std::string one_per_query = "(" + std::to_string(Q.n_rows) + ", " + std::to_string(K.n_rows) + ")";
    const std::string one_for_all = "(1, " + std::to_string(K.n_rows) + ")";
    throw std::invalid_argument("attention(): mask has shape " + dims(mask) + ", expected " + one_per_query +
                                (Q.n_rows == 1 ? "" : " or " + one_for_all) +
                                " (to follow the sizes of random cases, build it from them: "
                                "tril(ones(size(Q, 0), size(K, 0))))");
  }
  arma::mat s = scores(Q, K, scale);
  for (arma::uword j = 0; j < s.n_cols; ++j)
    for (arma::uword i = 0; i < s.n_rows; ++i)
      if (mask(per_query ? i : 0, j) == 0.0) s(i, j) = -std::numeric_limits<double>::infinity();
  return finish(std::move(s), V);
}

BatchedAttention attention(const arma::cube& Q, const arma::cube& K, const arma::cube& V, std::optional<double> scale) {
  return for_each_item(Q, K, V, [&](arma::uword b) { return attention(Q.slice(b), K.slice(b), V.slice(b), scale); });
}

BatchedAttention attention(const arma::cube& Q, const arma::cube& K, const arma::cube& V, const arma::cube& mask,
                           std::optional<double> scale) {
  if (mask.n_slices != Q.n_slices)
    throw std::invalid_argument("attention(): mask has batch size " + std::to_string(mask.n_slices) + " but Q has " +
                                std::to_string(Q.n_slices));
  return for_each_item(
      Q, K, V, [&](arma::uword b) { return attention(Q.slice(b), K.slice(b), V.slice(b), mask.slice(b), scale); });
}

}  // namespace reference
