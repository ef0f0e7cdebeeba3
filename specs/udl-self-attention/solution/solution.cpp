// A correct solution in C++ with Armadillo, through grader/solution.hpp, in the book's column
// convention: X is D x N, one input per column.
#include <grader/solution.hpp>

#include <cmath>

namespace {

arma::mat softmax_cols(arma::mat scores) {
  scores.each_row() -= arma::max(scores, 0);  // no overflow
  arma::mat e = arma::exp(scores);
  e.each_row() /= arma::sum(e, 0);
  return e;
}

std::tuple<arma::mat, arma::mat> attend(const arma::mat& X, const arma::mat& omega_v,
                                        const arma::mat& omega_q, const arma::mat& omega_k,
                                        const arma::mat& beta_v, const arma::mat& beta_q,
                                        const arma::mat& beta_k, bool scaled) {
  arma::mat V = omega_v * X, Q = omega_q * X, K = omega_k * X;
  V.each_col() += beta_v.col(0);
  Q.each_col() += beta_q.col(0);
  K.each_col() += beta_k.col(0);
  arma::mat scores = K.t() * Q;
  if (scaled) scores /= std::sqrt(static_cast<double>(Q.n_rows));
  const arma::mat attentions = softmax_cols(scores);
  return {V * attentions, attentions};
}

std::tuple<arma::mat, arma::mat> plain(const arma::mat& X, const arma::mat& ov, const arma::mat& oq,
                                       const arma::mat& ok, const arma::mat& bv, const arma::mat& bq,
                                       const arma::mat& bk) {
  return attend(X, ov, oq, ok, bv, bq, bk, false);
}

std::tuple<arma::mat, arma::mat> scaled(const arma::mat& X, const arma::mat& ov, const arma::mat& oq,
                                        const arma::mat& ok, const arma::mat& bv, const arma::mat& bq,
                                        const arma::mat& bk) {
  return attend(X, ov, oq, ok, bv, bq, bk, true);
}

}  // namespace

GRADER_EXPORT(self_attention, plain)
GRADER_EXPORT(scaled_dot_product_self_attention, scaled)
