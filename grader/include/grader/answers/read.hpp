#pragma once
/// Reading one tensor from a file, in any format a student or a spec may use:
/// NumPy .npy, comma- or whitespace-separated text (.csv, .txt), and Armadillo's own
/// formats (arma_ascii, arma_binary; .arma, .bin, or a .txt starting with an Armadillo header).
///
/// Every reader is bounded: files larger than ReadLimits::max_bytes and declared shapes that
/// do not match the bytes present are refused before anything is allocated, and a reader told
/// how many elements are expected (Expected) refuses a header that declares another count
/// before reading the data, and stops reading text or nested lists a little past the expected
/// count, so a hostile file costs neither time nor memory.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "grader/bounded_file.hpp"
#include "grader/tensor.hpp"

namespace grader {

/// A file that cannot have the expected number of elements: its header declares `shape()`, or
/// (text, nested lists, no header) it holds more than `more_than()` values. The message is
/// "has shape (3, 4)" or "has more than 4096 values".
class ShapeMismatch : public ReadError {
 public:
  explicit ShapeMismatch(Shape shape);
  explicit ShapeMismatch(std::size_t more_than);
  const std::optional<Shape>& shape() const { return shape_; }
  std::size_t more_than() const { return more_than_; }

 private:
  std::optional<Shape> shape_;
  std::size_t more_than_ = 0;
};

/// How many elements the caller can use.
struct Expected {
  /// Fewest values a reader takes in before giving up, so that a small answer of the wrong
  /// shape is still read whole and its real shape reported.
  static constexpr std::size_t kReadAtLeast = 4096;

  /// The element count the answer must have; any count when max().
  std::size_t count = std::numeric_limits<std::size_t>::max();

  /// The number of values a reader takes in before it throws ShapeMismatch.
  std::size_t budget() const { return std::max(count, kReadAtLeast); }
  /// Throws ShapeMismatch when a header declares `shape` and `count` is another element count.
  void check_declared(const Shape& shape) const;
};

/// The file extensions read_tensor_file() understands, with the dot.
const std::vector<std::string>& tensor_file_extensions();

/// Reads a tensor; throws ReadError (ShapeMismatch when it cannot be what is `expected`).
/// Symbolic links and non-regular files are refused.
Tensor read_tensor_file(const std::filesystem::path& path, const ReadLimits& limits = {},
                        const Expected& expected = {});

/// Parses a NumPy .npy image (format versions 1.0 to 3.0); throws ReadError.
Tensor parse_npy(std::string_view bytes, const Expected& expected = {});

/// A NumPy .npy image (format 1.0, little-endian float64, C order) of the tensor.
std::string encode_npy(const Tensor& t);

/// Parses comma- or whitespace-separated numbers, one matrix row per line, as numpy.savetxt
/// writes them: '#' starts a comment (commas in comments do not count), a UTF-8 byte order
/// mark is skipped; throws ReadError.
Tensor parse_text_matrix(std::string_view text, const Expected& expected = {});

/// Parses Armadillo's arma_ascii or arma_binary image of a matrix or cube; throws ReadError.
Tensor parse_armadillo(std::string_view bytes, const Expected& expected = {});

}  // namespace grader
