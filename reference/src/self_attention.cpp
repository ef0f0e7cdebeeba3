#include "reference/self_attention.hpp"
#include "transposed.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "reference/softmax.hpp"

namespace reference {

namespace {

std::string dims(const arma::mat& m) { return "(" + std::to_string(m.n_rows) + ", " + std::to_string(m.n_cols) + ")"; }

/// beta + omega X, with beta a column added to every column.
arma::mat affine(const char* what, const arma::mat& X, const arma::mat& omega, const arma::mat& beta) {
  if (omega.n_cols != X.n_rows)
    throw std::invalid_argument(std::string("self_attention(): omega_") + what + " has shape " + dims(omega) +
                                " but X has " + std::to_string(X.n_rows) + " rows");
  if (beta.n_cols != 1 || beta.n_rows != omega.n_rows)
    throw std::invalid_argument(std::string("self_attention(): beta_") + what + " has shape " + dims(beta) +
                                ", expected (" + std::to_string(omega.n_rows) + ", 1)");
  arma::mat out = omega * X;
  out.each_col() += beta;
  return out;
}

SelfAttention compute(const arma::mat& X, const arma::mat& omega_v, const arma::mat& omega_q, const arma::mat& omega_k,
                      const arma::mat& beta_v, const arma::mat& beta_q, const arma::mat& beta_k, bool scaled) {
  const arma::mat V = affine("v", X, omega_v, beta_v);
  const arma::mat Q = affine("q", X, omega_q, beta_q);
  const arma::mat K = affine("k", X, omega_k, beta_k);
  if (Q.n_rows != K.n_rows)
    throw std::invalid_argument("self_attention(): queries have " + std::to_string(Q.n_rows) +
                                " dimensions but keys have " + std::to_string(K.n_rows));
  const double scale = scaled ? 1.0 / std::sqrt(static_cast<double>(Q.n_rows)) : 1.0;
  SelfAttention result;
  result.attentions = softmax_cols(scale * (transposed(K) * Q));
  result.X_prime = V * result.attentions;
  return result;
}

}  // namespace

SelfAttention self_attention(const arma::mat& X, const arma::mat& omega_v, const arma::mat& omega_q,
                             const arma::mat& omega_k, const arma::mat& beta_v, const arma::mat& beta_q,
                             const arma::mat& beta_k) {
  return compute(X, omega_v, omega_q, omega_k, beta_v, beta_q, beta_k, false);
}

SelfAttention scaled_dot_product_self_attention(const arma::mat& X, const arma::mat& omega_v, const arma::mat& omega_q,
                                                const arma::mat& omega_k, const arma::mat& beta_v,
                                                const arma::mat& beta_q, const arma::mat& beta_k) {
  return compute(X, omega_v, omega_q, omega_k, beta_v, beta_q, beta_k, true);
}

}  // namespace reference
