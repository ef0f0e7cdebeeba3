#pragma once
/// The value every expression, answer and target is: a dense tensor of rank 0 to kMaxRank with
/// float64 elements in row-major (C) order, as NumPy and PyTorch store and index them.
/// Conversions to Armadillo's column-major types happen only at the reference's boundary.

#include <armadillo>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "grader/solution.h"

namespace grader {

using Shape = std::vector<std::size_t>;

/// The largest rank a tensor may have: the solution ABI's (solution.h), the one limit the
/// spec loader, the answer readers, the expression language and the runner all use.
constexpr std::size_t kMaxRank = GRADER_MAX_RANK;

/// The most elements a tensor may have (2^24: 128 MiB of float64), so that no spec, answer or
/// output can make the grader allocate without bound.
constexpr std::size_t kMaxElements = std::size_t{1} << 24;

/// "(1, 3)", "(3,)" or "()", as NumPy prints shapes.
std::string format_shape(const Shape& shape);

/// Whether `got` is `expected` with its last two sizes swapped, and they differ: a matrix, or
/// a batch of them, transposed ("is it transposed?" in a student's feedback).
bool transposed_shape(const Shape& got, const Shape& expected);

/// What a student is asked of a shape `got` where `expected` is right, if the two hold the same
/// sizes in another order: ": is it transposed?" (transposed_shape()), or, for other orders of
/// the sizes that are not 1, whether its axes are in another order (a reshape would mix its
/// numbers: found by an instructor helper, told to reshape weights of (n, heads, n) to (heads,
/// n, n)); else "".
std::string reordered_shape_hint(const Shape& got, const Shape& expected);

/// What a student is asked of a function's output of more axes than declared: broadcasting,
/// which gives a result the axes of its operand with the most, made them; with a mask
/// (`masked`: the exercise has one), one unsqueezed once too often (found by trying
/// `mask.unsqueeze(1)` on a mask already (batch, 1, block): outputs (batch, batch, block, d_k),
/// told only the two shapes, and at the smallest case (1, 1, 1, 1), which reads as an axis to
/// squeeze).
std::string more_axes_hint(bool masked);

/// Number of elements of a shape; throws std::length_error above kMaxElements.
std::size_t element_count(const Shape& shape);

/// Number of elements of a shape, or nothing above kMaxElements: for shapes a file declares.
std::optional<std::size_t> element_count_within_limit(const Shape& shape);

/// A multi-index in row-major order, e.g. {0, 2} for element 2 of shape (1, 3).
std::vector<std::size_t> unravel(std::size_t flat, const Shape& shape);

/// "[0, 2]", the index a student would write in NumPy.
std::string format_index(std::size_t flat, const Shape& shape);

class Tensor {
 public:
  /// A scalar 0.
  Tensor();
  /// Takes ownership of row-major values; their count must match the shape.
  Tensor(Shape shape, std::vector<double> values);

  static Tensor scalar(double value);
  static Tensor filled(Shape shape, double value);
  /// A rank-2 tensor from a matrix.
  static Tensor from_mat(const arma::mat& m);
  /// A rank-3 tensor (slices, rows, cols) from a cube; slice b becomes index b of axis 0.
  static Tensor from_cube(const arma::cube& c);

  /// As a matrix; rank 2 only.
  arma::mat to_mat() const;
  /// As a cube whose slice b is index b of axis 0; rank 3 only.
  arma::cube to_cube() const;

  std::size_t rank() const { return shape_.size(); }
  const Shape& shape() const { return shape_; }
  std::size_t size() const { return values_.size(); }
  std::size_t dim(std::size_t axis) const { return shape_.at(axis); }
  std::span<const double> values() const { return values_; }
  std::span<double> values() { return values_; }
  double operator[](std::size_t flat) const { return values_[flat]; }
  double& operator[](std::size_t flat) { return values_[flat]; }

  /// Same values under another shape with the same element count.
  Tensor reshaped(Shape shape) const;

 private:
  Shape shape_;
  std::vector<double> values_;
};

/// Whether every element is a number (no NaN, no Inf).
bool all_finite(const Tensor& t);

/// Whether any element is NaN.
bool any_nan(const Tensor& t);

/// Each element rounded to the nearest float32, as a NumPy or PyTorch float32 tensor holds it.
Tensor to_float32(Tensor t);

/// "float32" if every element is a float32 value (what a float32 tensor, or float16 or
/// bfloat16, holds), else "float64": a student's precision, as the grader can verify it from
/// the values themselves, never from what their code claims. Values that are all NaN or Inf
/// (or none) show no precision: "float64", whose rule a float64 student is told (found by an
/// instructor helper: a NumPy function's NaN outputs were shown the float32 tolerance).
std::string precision_of(const Tensor& t);

/// The precision a function's result was computed in, the least of the inputs' (`inputs`: a
/// library's are float64, a Python binding's its dtype) and what the outputs' values show
/// (float32 when every output holds float32 values only: precision_of()). Whatever carried
/// them, a library or a notebook, the same numbers get the same rule (found by a numerical
/// audit helper: float32-rounded outputs passed from NumPy and failed from C++).
std::string result_precision(const std::string& inputs, const std::vector<Tensor>& outputs);

}  // namespace grader
