#pragma once
/// Running functions of a student's compiled library, never inside the grader's process: a
/// fresh grader-runner process per library (and after any failure), confined and watched
/// (see docs/solution-abi.md). The grader decides every outcome from what it observes.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "grader/result.hpp"
#include "grader/tensor.hpp"

namespace grader {

/// Limits of one runner process.
struct RunLimits {
  double load_seconds = 5.0;      ///< wall clock for loading (static constructors)
  double call_seconds = 5.0;      ///< wall clock for one call
  unsigned cpu_seconds = 20;      ///< CPU time of the whole process
  unsigned long long memory_bytes = 2ull << 30;  ///< address space
  std::size_t capture_bytes = 8192;  ///< of the student's stdout and stderr, each
};

/// One call of a solution function.
struct Call {
  std::string symbol;
  std::vector<Tensor> inputs;
  std::vector<Shape> outputs;  ///< shapes the grader allocates
  int group = 0;  ///< after an abnormal end, the rest of the same group is not run
};

/// What became of one call.
struct CallResult {
  /// Empty when the function returned 0: `outputs` then hold what it wrote. Otherwise one of
  /// solution_error, threw, crashed, timed_out, out_of_memory, forbidden, load_error, or
  /// skipped when an earlier call of its group ended abnormally.
  std::optional<Verdict> failure;
  std::string message;
  std::vector<Tensor> outputs;
};

struct RunReport {
  std::vector<CallResult> calls;  ///< one per call, in order
  std::string output;             ///< the student's stdout and stderr, truncated
  std::string isolation;          ///< how the runner was confined
  int processes = 0;              ///< runner processes started
};

/// Runs `calls` of the library at `library`. Throws grader::Error only if the grader itself
/// cannot start a runner (a grader fault, never the student's).
RunReport run_library(const std::filesystem::path& library, const std::vector<Call>& calls,
                      const RunLimits& limits = {});

/// The runner executable: $GRADER_RUNNER, else the one built with this grader.
std::filesystem::path runner_path();

}  // namespace grader
