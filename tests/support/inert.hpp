#pragma once
/// Whether report text is safe to print on a terminal or in a CI log.

#include <string>

namespace test_support {

/// Why `text` is not inert, or "" when it is: it must be valid UTF-8 without control
/// characters (newline and tab aside, C1 included), and hold nothing a GitHub Actions runner
/// takes as a workflow command (a line starting with "::" after blanks, or "##[" anywhere).
std::string why_unsafe(const std::string& text);

}  // namespace test_support
