#include "grader/version.hpp"
namespace grader {
std::string_view version() { return GRADER_VERSION; }
}  // namespace grader
