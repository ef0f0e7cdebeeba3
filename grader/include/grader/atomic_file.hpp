#pragma once
/// Writing result files so that they are either absent or complete, never half-written, even
/// when the grader is killed (kill -9) in the middle.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace grader {

/// Writes `content` into an unnamed file in `path`'s folder (made first if missing; O_TMPFILE,
/// or a hidden temporary name where the file system lacks it) and, once complete, links it as `path`; if `path`
/// exists, it gets a temporary name and is renamed over `path`, so readers never miss it.
/// With `durable`, the content is flushed to disk first (fsync), so that a power cut cannot
/// leave an empty file either. Throws grader::Error naming the path if any step fails (a full
/// disk, say); nothing is left behind then.
void write_atomically(const std::filesystem::path& path, const std::string& content, bool durable = true);

/// Writes files that belong together so that all of them are in place, complete, or none is:
/// every content is written whole (unnamed) first, then the old files of those names are
/// removed and each new one is linked in place, in order; if any step fails, those already
/// placed are removed again and grader::Error names the file. (A kill -9 between two links can
/// leave the first files only: the last one marks a complete set.)
/// example: write_all_or_none({{"out/gradebook.csv", csv}, {"out/summary.json", json}});
void write_all_or_none(const std::vector<std::pair<std::filesystem::path, std::string>>& files, bool durable = true);

/// Removes, from `dir` (not recursively), the complete but unrenamed temporary files that a
/// grader killed between naming and renaming a file can leave ('.<name>.tmp-XXXXXX').
void remove_stale_temporaries(const std::filesystem::path& dir);

}  // namespace grader
