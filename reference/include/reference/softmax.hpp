#pragma once
/// Numerically stable softmax over the rows or the columns of a matrix.
///
/// Both subtract the maximum of each row (column) before exponentiating, so scores of any
/// magnitude (the first notebook's answers scale queries by 1e5) give finite weights.
/// A row (column) whose entries are all -inf is "fully masked": its weights are all zero,
/// not NaN (the rule of PyTorch's scaled_dot_product_attention since 2.5).
/// A NaN anywhere in a row (column) makes that whole row (column) NaN, as in PyTorch.

#include <armadillo>

namespace reference {

/// Softmax of each row: every row of the result sums to 1 (or is all zero if fully masked).
/// example: softmax_rows(Q * K.t())
arma::mat softmax_rows(const arma::mat& scores);

/// Softmax of each column: every column of the result sums to 1 (or is all zero).
/// This is the UDL book's convention (`softmax_cols`).
arma::mat softmax_cols(const arma::mat& scores);

}  // namespace reference
