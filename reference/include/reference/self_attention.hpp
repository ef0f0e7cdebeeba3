#pragma once
/// Self-attention in the column convention of "Understanding Deep Learning" (notebook 12.1):
/// X is D x N, one input per column; biases are D x 1 columns added to every input.
///
///   V = beta_v + omega_v X,  Q = beta_q + omega_q X,  K = beta_k + omega_k X
///   attentions = softmax_cols(scale * K^T Q)   (N x N, each column sums to 1)
///   X_prime    = V attentions                  (D_v x N)
///
/// The unscaled version uses scale 1; the scaled version 1/sqrt(D_q), D_q = rows of omega_q.

#include <armadillo>

namespace reference {

/// X_prime and the attention matrix of one self-attention call.
struct SelfAttention {
  arma::mat X_prime;     ///< D_v x N
  arma::mat attentions;  ///< N x N; column n holds the weights of input n's query
};

/// Unscaled self-attention (the notebook's `self_attention`).
/// example: self_attention(X, omega_v, omega_q, omega_k, beta_v, beta_q, beta_k).X_prime
SelfAttention self_attention(const arma::mat& X, const arma::mat& omega_v, const arma::mat& omega_q,
                             const arma::mat& omega_k, const arma::mat& beta_v, const arma::mat& beta_q,
                             const arma::mat& beta_k);

/// Scaled dot-product self-attention (the notebook's `scaled_dot_product_self_attention`).
SelfAttention scaled_dot_product_self_attention(const arma::mat& X, const arma::mat& omega_v, const arma::mat& omega_q,
                                                const arma::mat& omega_k, const arma::mat& beta_v,
                                                const arma::mat& beta_q, const arma::mat& beta_k);

}  // namespace reference
