#pragma once
/// The one result model every report is made from: assignment -> exercise -> check, each
/// with a verdict, a score, a message and timing (see docs/results-format.md).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "grader/spec/spec.hpp"

namespace grader {

/// What happened to one check, from the student's point of view.
enum class Verdict {
  passed,       ///< within tolerance
  wrong,        ///< outside tolerance
  wrong_shape,  ///< an answer or output of the wrong shape
  non_finite,   ///< NaN or Inf where the reference is finite
  missing,      ///< no answer handed in
  unreadable,   ///< an answer file that cannot be read
  // Compiled solution libraries:
  compile_error,   ///< the sources did not compile
  load_error,      ///< the library or a function could not be loaded
  crashed,         ///< the process died of a signal, or ended itself, during the call
  timed_out,       ///< the CPU or wall-clock limit ran out
  out_of_memory,   ///< the memory limit ran out
  threw,           ///< a C++ exception escaped the function
  forbidden,       ///< the sandbox stopped a system call
  solution_error,  ///< the function returned non-zero with a message
  skipped,         ///< not run: an earlier call of the same check ended abnormally
};

/// "passed", "wrong", "wrong_shape", ...
std::string_view to_string(Verdict v);

/// One comparison inside an exercise.
struct CheckResult {
  std::string name;
  Verdict verdict = Verdict::passed;
  double score = 0;
  double max_score = 0;
  std::string message;  ///< one line for the student
  std::string details;  ///< several lines: mismatches, patterns, matrices
  double seconds = 0;
};

struct ExerciseResult {
  std::string id;
  std::string title;
  Visibility visibility = Visibility::visible;
  Verdict verdict = Verdict::passed;  ///< the first failing check's, or passed
  double score = 0;
  double max_score = 0;
  std::string message;
  std::string details;
  std::optional<std::string> mistake;  ///< the known mistake the answer matches
  std::vector<CheckResult> checks;
  double seconds = 0;

  bool passed() const { return verdict == Verdict::passed; }
};

struct AssignmentResult {
  std::string assignment;  ///< spec id
  std::string title;
  std::string version;
  std::string submission;  ///< the submission folder as given
  double score = 0;
  double max_score = 0;
  std::vector<ExerciseResult> exercises;
  std::vector<std::string> notes;  ///< about the submission as a whole (stray files, typos)
  std::string sandbox;  ///< how the student's library was confined; empty if none was run
  double seconds = 0;

  bool all_passed() const;
};

}  // namespace grader
