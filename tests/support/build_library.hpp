#pragma once
/// Compiling real shared libraries inside a test, as a student would.

#include <filesystem>
#include <string>

namespace test_support {

enum class Language { c, cxx };

/// Writes `source` to DIR/NAME.c (or .cpp) and compiles it into DIR/libNAME.so with the
/// compiler CMake found, -I for grader/include; extra flags (e.g. -larmadillo) go last.
/// Fails the test (throws) with the compiler's output if compilation fails.
std::filesystem::path build_library(const std::filesystem::path& dir, const std::string& name,
                                    const std::string& source, Language language = Language::c,
                                    const std::string& extra_flags = "");

}  // namespace test_support
