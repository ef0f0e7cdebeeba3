#pragma once
/// Finding and reading a student's answers in a submission folder.
///
/// An answer named N comes from exactly one of: N.npy, N.csv, N.txt, N.arma, N.bin, or the
/// key N of a top-level answers.yaml / answers.yml / answers.json. Two sources for one name
/// make that answer unreadable (the message names both). Problems are results, never
/// exceptions: one bad file never stops the others from being read.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "grader/answers/read.hpp"
#include "grader/result.hpp"
#include "grader/tensor.hpp"

namespace grader {

/// One answer as found in the folder.
struct Answer {
  std::optional<Tensor> value;  ///< set when it was read
  Verdict problem = Verdict::missing;  ///< missing or unreadable, when value is empty
  std::string message;          ///< why it could not be used, for the student
  std::string source;           ///< where it came from, relative to the folder
};

struct Submission {
  std::filesystem::path dir;
  std::map<std::string, Answer> answers;  ///< one entry per name asked for
  std::vector<std::string> notes;         ///< stray files and unknown names, with suggestions
};

/// Reads the answers `names` from folder `dir`. Throws UsageError only if `dir` itself is not
/// a folder (a grader usage problem, not the student's).
Submission load_submission(const std::filesystem::path& dir, const std::vector<std::string>& names,
                           const ReadLimits& limits = {});

}  // namespace grader
