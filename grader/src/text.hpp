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

}  // namespace grader
