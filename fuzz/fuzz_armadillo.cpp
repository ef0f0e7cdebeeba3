// Armadillo's arma_ascii and arma_binary images of matrices and cubes.
#include "fuzz_support.hpp"
#include "grader/answers/read.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const grader::Expected expected : {grader::Expected{}, grader::Expected{6}}) {
    try {
      const grader::Tensor t = grader::parse_armadillo(bytes, expected);
      fuzz::require(t.rank() == 2 || t.rank() == 3, "an Armadillo image of another rank");
    } catch (const grader::ReadError& e) {
      fuzz::require_printable(e.what());
    }
  }
  return 0;
}
