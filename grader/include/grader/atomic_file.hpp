#pragma once
/// Writing result files so that they are either absent or complete, never half-written.

#include <filesystem>
#include <string>

namespace grader {

/// Writes `content` to a temporary file next to `path`, flushes it to disk and renames it
/// over `path`. Throws grader::Error naming the path if any step fails (the temporary file is
/// removed).
void write_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace grader
