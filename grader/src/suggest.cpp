#include "grader/suggest.hpp"

#include <algorithm>
#include <cctype>

namespace grader {

namespace {
/// Edits (an insertion, a deletion, a change or two neighbours swapped: "kye" for "key") that
/// make `a` into `b`, letters compared without case (the optimal string alignment distance).
std::size_t edit_distance(const std::string& a, const std::string& b) {
  const auto same = [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  };
  std::vector<std::size_t> before(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same(a[i - 1], b[j - 1]) ? 0 : 1)});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]))
        cur[j] = std::min(cur[j], before[j - 2] + 1);
    }
    std::swap(before, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

std::optional<std::string> closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    // The distance is at least the difference in length: no need to compute it (a student's
    // 30 MB key costs nothing).
    const std::size_t longer = std::max(word.size(), c.size()), shorter = std::min(word.size(), c.size());
    if (longer - shorter >= best_distance) continue;
    const std::size_t d = edit_distance(word, c);
    // One edit is a typo; more, changing over a third of the letters, is another word (found
    // by a student helper: an undefined `key` was offered the builtin `any`; by a reviewing
    // helper: `value` was offered `False`, `sqrt` `set`, `mask` `hash`).
    if (d < best_distance && (d <= 1 || 3 * d <= longer)) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const auto best = closest(word, candidates);
  return best ? "; did you mean '" + *best + "'?" : "";
}

}  // namespace grader
