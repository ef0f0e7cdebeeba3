#pragma once
/// Report formats made from the one result model.

#include <string>

#include "grader/result.hpp"

namespace grader::report {

/// Version of the native JSON result (docs/results-format.md); bumped on incompatible change.
constexpr int kJsonFormatVersion = 1;

/// The native JSON result, pretty-printed.
std::string to_json(const AssignmentResult& result);

/// A table then the details of each failure; ANSI colours only when `color`.
std::string to_text(const AssignmentResult& result, bool color);

}  // namespace grader::report
