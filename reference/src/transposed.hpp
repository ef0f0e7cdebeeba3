#pragma once
/// Armadillo's transpose reads the first element of each row of a matrix with rows but no
/// columns (k x 0), whose memory is null: undefined behaviour (found by fuzz_expr). An empty
/// matrix is transposed here without reading it.

#include <armadillo>

namespace reference {

inline arma::mat transposed(const arma::mat& m) { return m.n_elem == 0 ? arma::mat(m.n_cols, m.n_rows) : m.t(); }

}  // namespace reference
