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
  }
  return "unknown";
}

bool AssignmentResult::all_passed() const {
  return std::all_of(exercises.begin(), exercises.end(),
                     [](const ExerciseResult& e) { return e.passed(); });
}

}  // namespace grader
