// Comma- or whitespace-separated text (.csv, .txt) as numpy.savetxt or a spreadsheet writes it,
// and utf8_safe(), which every message quoting a student's bytes goes through.
#include "fuzz_support.hpp"
#include "grader/answers/read.hpp"
#include "text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const grader::Expected expected : {grader::Expected{}, grader::Expected{12}}) {
    try {
      const grader::Tensor t = grader::parse_text_matrix(text, expected);
      fuzz::require(t.rank() == 2 && t.size() > 0, "text read as something other than a matrix");
      fuzz::require(t.size() <= expected.budget(), "text read past its budget");
    } catch (const grader::ReadError& e) {
      fuzz::require_printable(e.what());
    }
  }
  const std::size_t max = size > 0 ? data[0] : 0;
  const std::string shown = grader::utf8_safe(text, max);
  fuzz::require(shown.size() <= max, "utf8_safe longer than asked");
  fuzz::require(shown.find('\x1b') == std::string::npos, "utf8_safe let an escape through");
  fuzz::require_printable(shown);
  return 0;
}
