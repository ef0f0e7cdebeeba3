#pragma once
/// Grading the function exercises of a spec by calling the student's library.

#include <filesystem>
#include <map>
#include <vector>

#include "grader/grade.hpp"
#include "grader/result.hpp"
#include "grader/spec/spec.hpp"

namespace grader {

/// Results of every function exercise of `spec`, by exercise id, for the submission in `dir`.
/// The student's output goes to `notes`; the isolation the runner achieved to `sandbox`.
std::map<std::string, ExerciseResult> grade_functions(const Spec& spec,
                                                      const std::filesystem::path& dir,
                                                      const GradeOptions& options,
                                                      std::vector<std::string>& notes,
                                                      std::string& sandbox);

/// The inputs of every case of `check`, as grading draws them with `seed` (name -> tensor).
std::vector<std::map<std::string, Tensor>> check_inputs(const Spec& spec, const FunctionSpec& fn,
                                                        const FunctionCheck& check, std::uint64_t seed);

}  // namespace grader
