#include "support/inert.hpp"

#include <sstream>

namespace test_support {

std::string why_unsafe(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > text.size()) return "invalid UTF-8 at byte " + std::to_string(i);
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 2) return "invalid UTF-8 at byte " + std::to_string(i);
    if (len == 1 && ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f))
      return "control character " + std::to_string(c) + " at byte " + std::to_string(i);
    if (len == 2 && c == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0)
      return "C1 control character at byte " + std::to_string(i);
    i += len;
  }
  if (const auto at = text.find("##["); at != std::string::npos)
    return "a '##[' workflow command at byte " + std::to_string(at);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto start = line.find_first_not_of(" \t");
    if (start != std::string::npos && line.compare(start, 2, "::") == 0) return "a workflow command line: " + line;
  }
  return "";
}

}  // namespace test_support
