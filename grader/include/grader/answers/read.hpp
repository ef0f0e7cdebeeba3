#pragma once
/// Reading one tensor from a file, in any format a student or a spec may use:
/// NumPy .npy, comma- or whitespace-separated text (.csv, .txt), and Armadillo's own
/// formats (arma_ascii, arma_binary; .arma, .bin, or a .txt starting with an Armadillo header).
///
/// Every reader is bounded: files larger than ReadLimits::max_bytes and declared shapes that
/// do not match the bytes present are refused before anything is allocated, so a hostile file
/// costs neither time nor memory.

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "grader/tensor.hpp"

namespace grader {

struct ReadLimits {
  std::uintmax_t max_bytes = 64u << 20;  ///< larger files are refused unread
};

/// Why a file could not be read; the message says what is wrong and how to fix it, without
/// the file's name (callers add it).
class ReadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The file extensions read_tensor_file() understands, with the dot.
const std::vector<std::string>& tensor_file_extensions();

/// Reads a tensor; throws ReadError. Symbolic links and non-regular files are refused.
Tensor read_tensor_file(const std::filesystem::path& path, const ReadLimits& limits = {});

/// Reads a whole regular file (no symlinks) of at most limits.max_bytes; throws ReadError.
std::string read_bounded(const std::filesystem::path& path, const ReadLimits& limits = {});

/// Parses a NumPy .npy image (format versions 1.0 to 3.0); throws ReadError.
Tensor parse_npy(const std::string& bytes);

/// A NumPy .npy image (format 1.0, little-endian float64, C order) of the tensor.
std::string encode_npy(const Tensor& t);

/// Parses comma- or whitespace-separated numbers, one matrix row per line ('#' comments).
Tensor parse_text_matrix(const std::string& text);

/// Parses Armadillo's arma_ascii or arma_binary image of a matrix or cube; throws ReadError.
Tensor parse_armadillo(const std::string& bytes);

}  // namespace grader
