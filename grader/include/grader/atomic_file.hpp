#pragma once
/// Writing result files so that they are either absent or complete, never half-written, even
/// when the grader is killed (kill -9) in the middle.

#include <filesystem>
#include <string>

namespace grader {

/// Writes `content` into an unnamed file in `path`'s folder (O_TMPFILE; a hidden temporary
/// name where the file system lacks it) and, once complete, links it as `path`; if `path`
/// exists, it gets a temporary name and is renamed over `path`, so readers never miss it. With `durable`, the content is flushed to disk first (fsync), so that a
/// power cut cannot leave an empty file either. Throws grader::Error naming the path if any
/// step fails; nothing is left behind then.
void write_atomically(const std::filesystem::path& path, const std::string& content, bool durable = true);

/// Removes, from `dir` (not recursively), the complete but unrenamed temporary files that a
/// grader killed between naming and renaming a file can leave ('.<name>.tmp-XXXXXX').
void remove_stale_temporaries(const std::filesystem::path& dir);

}  // namespace grader
