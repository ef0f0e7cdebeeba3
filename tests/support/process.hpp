#pragma once
/// Runs the real `grader` executable, as users and CI do.

#include <string>
#include <vector>

namespace test_support {

struct ProcessResult {
  int exit_code = -1;  ///< exit status, or 128 + signal if killed by a signal
  std::string out;     ///< everything written to stdout
  std::string err;     ///< everything written to stderr
};

/// Runs GRADER_EXECUTABLE with `args` in `working_dir` (default: the source tree).
ProcessResult run_grader(const std::vector<std::string>& args,
                         const std::string& working_dir = "");

}  // namespace test_support
