#pragma once
/// Small text checks shared by the tests.

#include <string>

namespace test_support {

/// Whether `part` occurs in `text`.
inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace test_support
