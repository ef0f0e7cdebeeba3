#pragma once
/// Dot-product attention in the row convention of PyTorch and the masked-attention homework:
/// one query, key or value per row.
///
///   weights = softmax_rows(scale * Q K^T),  output = weights V
///
/// The scale defaults to 1/sqrt(d_k) (d_k = columns of Q); any explicit scale is used as
/// given, including 1 (the first notebook's unscaled attention). A mask holds 1 where a query
/// may attend to a key and 0 where it may not; masked scores become -inf before the softmax.
/// A query whose keys are all masked gets all-zero weights and an all-zero output
/// (see softmax.hpp).

#include <armadillo>
#include <optional>

namespace reference {

/// Output and weights of one attention call.
struct Attention {
  arma::mat output;   ///< n_q x d_v
  arma::mat weights;  ///< n_q x n_k, each row sums to 1 (or is zero when fully masked)
};

/// Output and weights of a batched call; slice b is batch item b.
struct BatchedAttention {
  arma::cube output;   ///< n_q x d_v x batch
  arma::cube weights;  ///< n_q x n_k x batch
};

/// The default scale, 1/sqrt(d_k).
double default_scale(arma::uword d_k);

/// Attention of queries Q (n_q x d_k) over keys K (n_k x d_k) and values V (n_k x d_v).
/// example: attention(query, key, value, 1.0).output
Attention attention(const arma::mat& Q, const arma::mat& K, const arma::mat& V,
                    std::optional<double> scale = std::nullopt);

/// Masked attention; mask is n_q x n_k, or 1 x n_k applied to every query (a padding mask).
Attention attention(const arma::mat& Q, const arma::mat& K, const arma::mat& V, const arma::mat& mask,
                    std::optional<double> scale = std::nullopt);

/// Batched attention: slice b of Q, K, V is one batch item, shaped as above.
/// In PyTorch's terms Q has shape (batch, n_q, d_k): Armadillo's slice is the batch index.
BatchedAttention attention(const arma::cube& Q, const arma::cube& K, const arma::cube& V,
                           std::optional<double> scale = std::nullopt);

/// Batched masked attention; slice b of mask is n_q x n_k or 1 x n_k (PyTorch shape
/// (batch, 1, n_k), the homework's padding mask).
BatchedAttention attention(const arma::cube& Q, const arma::cube& K, const arma::cube& V, const arma::cube& mask,
                           std::optional<double> scale = std::nullopt);

}  // namespace reference
