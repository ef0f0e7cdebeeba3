#include "grader/tensor.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>

namespace grader {

std::string format_shape(const Shape& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  if (shape.size() == 1) out += ",";
  return out + ")";
}

bool transposed_shape(const Shape& got, const Shape& expected) {
  const std::size_t n = got.size();
  return n >= 2 && n == expected.size() && got[n - 1] != got[n - 2] &&
         std::equal(got.begin(), got.end() - 2, expected.begin()) && got[n - 1] == expected[n - 2] &&
         got[n - 2] == expected[n - 1];
}

std::string reordered_shape_hint(const Shape& got, const Shape& expected) {
  if (transposed_shape(got, expected)) return ": is it transposed?";
  Shape a, b;  // without the sizes of 1, which a reshape may move freely
  std::copy_if(got.begin(), got.end(), std::back_inserter(a), [](std::size_t d) { return d != 1; });
  std::copy_if(expected.begin(), expected.end(), std::back_inserter(b), [](std::size_t d) { return d != 1; });
  if (got.size() != expected.size() || a == b) return "";
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  if (a != b) return "";
  return ": are its axes in another order? Reorder them to get " + format_shape(expected) +
         ", with np.transpose or .permute (a reshape would mix its numbers)";
}

std::string more_axes_hint(bool masked) {
  return std::string(
             ": it has more axes than declared, as when an operand of more axes is broadcast against the "
             "others") +
         (masked ? " (a mask unsqueezed once too often, or of another rank than the scores)" : "") +
         ": print the shapes of what your function combines";
}

std::optional<std::size_t> element_count_within_limit(const Shape& shape) {
  std::size_t n = 1;
  for (std::size_t d : shape) {
    if (d != 0 && n > kMaxElements / d) return std::nullopt;
    n *= d;
  }
  return n;
}

std::size_t element_count(const Shape& shape) {
  const auto n = element_count_within_limit(shape);
  if (!n)
    throw std::length_error("shape " + format_shape(shape) + " has more than " + std::to_string(kMaxElements) +
                            " elements, the most a tensor may have");
  return *n;
}

std::vector<std::size_t> unravel(std::size_t flat, const Shape& shape) {
  std::vector<std::size_t> index(shape.size());
  for (std::size_t axis = shape.size(); axis-- > 0;) {
    index[axis] = shape[axis] == 0 ? 0 : flat % shape[axis];
    if (shape[axis] != 0) flat /= shape[axis];
  }
  return index;
}

std::string format_index(std::size_t flat, const Shape& shape) {
  const auto index = unravel(flat, shape);
  std::string out = "[";
  for (std::size_t i = 0; i < index.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(index[i]);
  }
  return out + "]";
}

Tensor::Tensor() : values_{0.0} {}

Tensor::Tensor(Shape shape, std::vector<double> values) : shape_(std::move(shape)), values_(std::move(values)) {
  if (shape_.size() > kMaxRank)
    throw std::invalid_argument("tensor of shape " + format_shape(shape_) + " has rank " +
                                std::to_string(shape_.size()) + "; at most " + std::to_string(kMaxRank) +
                                " is supported");
  if (element_count(shape_) != values_.size())
    throw std::invalid_argument("tensor of shape " + format_shape(shape_) + " needs " +
                                std::to_string(element_count(shape_)) + " values, got " +
                                std::to_string(values_.size()));
}

Tensor Tensor::scalar(double value) { return Tensor({}, {value}); }

Tensor Tensor::filled(Shape shape, double value) {
  const std::size_t n = element_count(shape);
  return Tensor(std::move(shape), std::vector<double>(n, value));
}

Tensor Tensor::from_mat(const arma::mat& m) {
  std::vector<double> values(m.n_elem);
  for (arma::uword r = 0; r < m.n_rows; ++r)
    for (arma::uword c = 0; c < m.n_cols; ++c) values[r * m.n_cols + c] = m(r, c);
  return Tensor({m.n_rows, m.n_cols}, std::move(values));
}

Tensor Tensor::from_cube(const arma::cube& c) {
  std::vector<double> values(c.n_elem);
  for (arma::uword b = 0; b < c.n_slices; ++b)
    for (arma::uword r = 0; r < c.n_rows; ++r)
      for (arma::uword k = 0; k < c.n_cols; ++k) values[(b * c.n_rows + r) * c.n_cols + k] = c(r, k, b);
  return Tensor({c.n_slices, c.n_rows, c.n_cols}, std::move(values));
}

arma::mat Tensor::to_mat() const {
  if (rank() != 2) throw std::logic_error("to_mat() of a rank-" + std::to_string(rank()) + " tensor");
  arma::mat m(shape_[0], shape_[1]);
  for (arma::uword r = 0; r < m.n_rows; ++r)
    for (arma::uword c = 0; c < m.n_cols; ++c) m(r, c) = values_[r * m.n_cols + c];
  return m;
}

arma::cube Tensor::to_cube() const {
  if (rank() != 3) throw std::logic_error("to_cube() of a rank-" + std::to_string(rank()) + " tensor");
  arma::cube c(shape_[1], shape_[2], shape_[0]);
  for (arma::uword b = 0; b < c.n_slices; ++b)
    for (arma::uword r = 0; r < c.n_rows; ++r)
      for (arma::uword k = 0; k < c.n_cols; ++k) c(r, k, b) = values_[(b * c.n_rows + r) * c.n_cols + k];
  return c;
}

Tensor Tensor::reshaped(Shape shape) const {
  if (element_count(shape) != size())
    throw std::invalid_argument("cannot reshape " + format_shape(shape_) + " into " + format_shape(shape));
  return Tensor(std::move(shape), values_);
}

Tensor to_float32(Tensor t) {
  for (double& v : t.values()) v = static_cast<double>(static_cast<float>(v));
  return t;
}

bool all_finite(const Tensor& t) {
  return std::all_of(t.values().begin(), t.values().end(), [](double v) { return std::isfinite(v); });
}

bool any_nan(const Tensor& t) {
  return std::any_of(t.values().begin(), t.values().end(), [](double v) { return std::isnan(v); });
}

std::string precision_of(const Tensor& t) {
  bool finite = false;
  for (double v : t.values()) {
    if (!std::isfinite(v)) continue;
    if (static_cast<double>(static_cast<float>(v)) != v) return "float64";
    finite = true;
  }
  return finite ? "float32" : "float64";
}

std::string result_precision(const std::string& inputs, const std::vector<Tensor>& outputs) {
  if (inputs != "float64") return inputs;
  const bool single = !outputs.empty() && std::all_of(outputs.begin(), outputs.end(),
                                                      [](const Tensor& t) { return precision_of(t) == "float32"; });
  return single ? "float32" : "float64";
}

}  // namespace grader
