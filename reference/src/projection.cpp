#include "reference/projection.hpp"
#include "transposed.hpp"

#include <stdexcept>
#include <string>

namespace reference {

arma::mat project(const arma::mat& v, const arma::mat& W) {
  if (v.n_cols != W.n_rows)
    throw std::invalid_argument("project(): embeddings have " + std::to_string(v.n_cols) + " columns but W has " +
                                std::to_string(W.n_rows) + " rows");
  return v * W;
}

arma::mat compute_keys(const arma::mat& vs, const arma::mat& ws) {
  if (vs.n_cols != ws.n_cols)
    throw std::invalid_argument("compute_keys(): embeddings have " + std::to_string(vs.n_cols) +
                                " columns but key weight vectors have " + std::to_string(ws.n_cols));
  return vs * transposed(ws);
}

}  // namespace reference
