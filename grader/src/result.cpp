#include "grader/result.hpp"

#include <algorithm>

namespace grader {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::passed: return "passed";
    case Verdict::wrong: return "wrong";
    case Verdict::wrong_shape: return "wrong_shape";
    case Verdict::non_finite: return "non_finite";
    case Verdict::missing: return "missing";
    case Verdict::unreadable: return "unreadable";
    case Verdict::compile_error: return "compile_error";
    case Verdict::load_error: return "load_error";
    case Verdict::crashed: return "crashed";
    case Verdict::timed_out: return "timed_out";
    case Verdict::out_of_memory: return "out_of_memory";
    case Verdict::threw: return "threw";
    case Verdict::forbidden: return "forbidden";
    case Verdict::solution_error: return "solution_error";
    case Verdict::skipped: return "skipped";
  }
  return "unknown";
}

bool AssignmentResult::all_passed() const {
  return std::all_of(exercises.begin(), exercises.end(),
                     [](const ExerciseResult& e) { return e.passed(); });
}

}  // namespace grader
