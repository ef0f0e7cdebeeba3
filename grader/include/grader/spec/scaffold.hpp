#pragma once
/// `grader spec new`: a starting spec for a new assignment.

#include <filesystem>
#include <string>

namespace grader {

/// Writes DIR/NAME.yaml (a spec with one commented example exercise of each kind: a matrix
/// answer and a library function) and the empty reference solution folder DIR/NAME/solution/.
/// Throws UsageError if NAME is not a valid assignment id or the spec already exists.
/// Returns the spec's path.
std::filesystem::path scaffold_spec(const std::string& name, const std::filesystem::path& dir);

}  // namespace grader
