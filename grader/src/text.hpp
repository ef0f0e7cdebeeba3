#pragma once
/// Small text helpers shared by the grader's sources.

#include <string>

namespace grader {

/// `text` with every occurrence of `from` replaced by `to` (left to right, not rescanned).
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size())
    text.replace(pos, from.size(), to);
  return text;
}

/// The first line of `text`, cut to `width` characters with "..." when longer.
inline std::string first_line(const std::string& text, std::size_t width) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > width) line = line.substr(0, width - 3) + "...";
  return line;
}

/// Every line of `text` with `pad` in front, each ending in a newline.
inline std::string indented(const std::string& text, const std::string& pad) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    out += pad + text.substr(pos, end - pos) + "\n";
    pos = end + 1;
  }
  return out;
}

}  // namespace grader
