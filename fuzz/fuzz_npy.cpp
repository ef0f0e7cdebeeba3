// NumPy .npy images: parse_npy with and without an expected element count; what it reads,
// written back by encode_npy and read again, must be the same tensor.
#include <cmath>
#include <cstring>

#include "fuzz_support.hpp"
#include "grader/answers/read.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const grader::Expected expected : {grader::Expected{}, grader::Expected{3}}) {
    try {
      const grader::Tensor t = grader::parse_npy(bytes, expected);
      const grader::Tensor back = grader::parse_npy(grader::encode_npy(t));
      fuzz::require(back.shape() == t.shape(), "encode_npy changed the shape");
      fuzz::require(
          t.size() == 0 || std::memcmp(back.values().data(), t.values().data(), t.size() * sizeof(double)) == 0,
          "encode_npy changed a value");
    } catch (const grader::ReadError& e) {
      fuzz::require_printable(e.what());
    }
  }
  return 0;
}
