#pragma once
/// Projections of embeddings into keys, queries or values (the "attention basics" notebook).

#include <armadillo>

namespace reference {

/// v W: embeddings v (n x d, one per row) times a weight matrix W (d x k).
/// example: project(v, W_k) gives the keys of every embedding.
arma::mat project(const arma::mat& v, const arma::mat& W);

/// The notebook's compute_keys(vs, ws): vs is n x d (one embedding per row), ws is k x d (one
/// key weight vector per row); the result is n x k, row i the key of embedding i.
arma::mat compute_keys(const arma::mat& vs, const arma::mat& ws);

}  // namespace reference
