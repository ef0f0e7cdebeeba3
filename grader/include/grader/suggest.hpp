#pragma once
/// "Did you mean ...?" for misspelt keys, names and functions.

#include <optional>
#include <string>
#include <vector>

namespace grader {

/// The candidate closest to `word` by edit distance, if close enough to be a likely typo.
std::optional<std::string> closest(const std::string& word, const std::vector<std::string>& candidates);

/// "; did you mean 'x'?" or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace grader
