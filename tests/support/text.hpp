#pragma once
/// Small text checks shared by the tests.

#include <regex>
#include <stdexcept>
#include <string>

namespace test_support {

/// Whether `part` occurs in `text`.
inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// How many times `part` occurs in `text` (overlapping occurrences counted).
inline std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = text.find(part, at)) != std::string::npos; ++at) ++n;
  return n;
}

/// The first seed that feedback in `text` shows ("seed N: quote it when you ask ..."); throws
/// (failing the test) if it shows none.
inline std::string shown_seed(const std::string& text) {
  static const std::regex seed("seed ([0-9]+): quote it");
  std::smatch m;
  if (!std::regex_search(text, m, seed)) throw std::runtime_error("no seed shown in: " + text.substr(0, 4000));
  return m[1].str();
}

}  // namespace test_support
