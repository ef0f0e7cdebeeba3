#pragma once
#include <string_view>
namespace grader {
/// The grader's version, as printed by `grader --version`.
std::string_view version();
}  // namespace grader
