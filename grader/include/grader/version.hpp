#pragma once
#include <string_view>
namespace grader {
/// The grader's version, as printed by `grader --version` and written in every result: the
/// project's version and, as semantic versioning's build metadata, the fingerprint of the
/// sources that decide a grade (`0.1.0+1a2b3c4d5e6f`; cmake/SourceFingerprint.cmake). Any change
/// to those sources changes it, and so regrades a class under `grader grade --resume`.
std::string_view version();
}  // namespace grader
