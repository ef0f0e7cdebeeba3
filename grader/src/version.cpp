#include "grader/version.hpp"

#include "source_fingerprint.hpp"  // generated: cmake/SourceFingerprint.cmake

namespace grader {
std::string_view version() { return GRADER_VERSION "+" GRADER_SOURCE_FINGERPRINT; }
}  // namespace grader
