#pragma once
/// Running functions of a student's compiled library, never inside the grader's process: a
/// child forked by this worker's library zygote for each submission (and after any failure),
/// confined and watched (see docs/sandbox.md). The grader decides every outcome from what it
/// observes.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "grader/result.hpp"
#include "grader/tensor.hpp"

namespace grader {

/// Limits of the children that run one submission's calls.
struct RunLimits {
  double load_seconds = 5.0;                     ///< wall clock for loading (static constructors)
  double call_seconds = 5.0;                     ///< wall clock for one call
  double budget_seconds = 60.0;                  ///< wall clock for every call of the submission together
  unsigned cpu_seconds = 20;                     ///< CPU time of one child
  unsigned long long memory_bytes = 2ull << 30;  ///< address space
  unsigned threads = 32;                         ///< threads a child may start
  std::size_t capture_bytes = 8192;              ///< of the student's stdout and stderr, together
};

/// One call of a solution function.
struct Call {
  std::string symbol;
  std::vector<Tensor> inputs;
  std::vector<Shape> outputs;  ///< shapes the grader allocates
  int group = 0;               ///< after an abnormal end, the rest of the same group is not run
};

/// What became of one call.
struct CallResult {
  /// Empty when the function returned 0: `outputs` then hold what it wrote. Otherwise one of
  /// solution_error, threw, crashed, timed_out, out_of_memory, forbidden, load_error, or
  /// skipped when an earlier call of its group ended abnormally.
  std::optional<Verdict> failure;
  std::string message;
  /// For a call that returned, what to know if its outputs are wrong: for a Python function
  /// its notebook defines more than once, which definition was called.
  std::string note;
  /// For a Python function that reads the notebook's tensors beside its parameters, which: said
  /// with outputs found wrong, unless a known mistake explains them (a constant tensor such as
  /// `NEG_INF` is then no lead).
  std::string reads_note;
  std::vector<Tensor> outputs;
  /// The precision the outputs were computed in (result_precision()): it chooses the
  /// tolerance (Tolerance::in).
  std::string precision = "float64";
};

struct RunReport {
  std::vector<CallResult> calls;  ///< one per call, in order
  std::string output;             ///< the student's stdout and stderr, truncated
  std::string isolation;          ///< how the children were confined
  int processes = 0;              ///< children started
};

/// The largest library a submission's calls are run from; a larger one is a load error.
constexpr std::uintmax_t kMaxLibraryBytes = std::uintmax_t{512} << 20;

/// Runs `calls` of the library at `library`. Throws grader::Error only if the grader itself
/// cannot run them confined (a grader fault, never the student's).
RunReport run_library(const std::filesystem::path& library, const std::vector<Call>& calls,
                      const RunLimits& limits = {});

/// The runner executable: $GRADER_RUNNER, else the one built with this grader.
std::filesystem::path runner_path();

}  // namespace grader
