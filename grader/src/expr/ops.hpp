#pragma once
/// Tensor operations behind the expression language, with NumPy's semantics where NumPy has
/// them (broadcasting, indexing, matmul). Errors are std::invalid_argument with a message the
/// evaluator places at the offending call or operator.

#include <optional>
#include <string>
#include <vector>

#include "grader/tensor.hpp"

namespace grader::expr::ops {

/// The most elements a tensor an expression makes may have: 2^24, 128 MiB of float64, far
/// beyond any exercise. A size typed wrong in a spec (zeros(100000, 100000), an outer product
/// of long vectors) is then an error at that call, not a grader running out of memory.
constexpr std::size_t kMaxElements = std::size_t{1} << 24;

/// `v` as a whole number, if it is one of at most 1e15 in magnitude (beyond which no size or
/// index makes sense, and converting would overflow).
std::optional<long long> whole_value(double v);

/// The element count of a tensor about to be made; throws std::invalid_argument naming `what`
/// when its sizes multiply to more than kMaxElements, a size 0 counting as 1 (loops over the
/// other axes of an empty tensor still run).
std::size_t checked_count(const Shape& shape, const std::string& what);

/// Element-wise a op b ("+", "-", "*", "/", "**": std::pow, as NumPy's float64 power) with
/// NumPy broadcasting.
Tensor elementwise(const Tensor& a, const Tensor& b, const std::string& op);

/// NumPy's where: x where the condition is not 0 (NaN included), y elsewhere, the three
/// broadcast together.
Tensor where(const Tensor& condition, const Tensor& x, const Tensor& y);

/// a @ b as NumPy's matmul: (n,k)@(k,m), vectors on either side, batched rank 3.
Tensor matmul(const Tensor& a, const Tensor& b);

/// Applies f to every element.
template <class F>
Tensor map(const Tensor& x, F f) {
  Tensor out = x;
  for (double& v : out.values()) v = f(v);
  return out;
}

/// One index of x[...]: an integer (drops the axis), a slice, or a list of integers.
struct IndexItem {
  enum class Kind { integer, slice, list } kind = Kind::integer;
  long long integer = 0;
  std::optional<long long> start, stop, step;  // slice
  std::vector<long long> list;
};

/// x[items...]; missing trailing items select whole axes.
Tensor index(const Tensor& x, const std::vector<IndexItem>& items);

/// An axis argument (negative counts from the end) checked against a rank.
std::size_t normalize_axis(long long axis, std::size_t rank, const char* function);

/// Reductions over one axis, or over everything when axis is empty.
enum class Reduction { sum, mean, norm, max, min };
Tensor reduce(const Tensor& x, std::optional<long long> axis, bool keepdim, Reduction how, const char* function);

/// Softmax along an axis (through the reference's softmax).
Tensor softmax(const Tensor& x, long long axis);

/// x divided by its Euclidean norm along an axis.
Tensor normalize(const Tensor& x, long long axis);

/// Rounds half to even at `decimals` decimals, as torch.round and numpy.round do.
Tensor round(const Tensor& x, long long decimals);

Tensor transpose(const Tensor& x, long long dim0, long long dim1);
Tensor stack(const std::vector<Tensor>& xs, long long axis);
Tensor concat(const std::vector<Tensor>& xs, long long axis);
/// A copy of matrix x with row i replaced by `row` (shape (cols,) or (1, cols)).
Tensor set_row(const Tensor& x, long long i, const Tensor& row);
/// Reshape with at most one -1.
Tensor reshape(const Tensor& x, const std::vector<long long>& dims);
/// Builds a tensor from equally shaped elements, as a nested list literal does.
Tensor from_elements(const std::vector<Tensor>& elements);

}  // namespace grader::expr::ops
