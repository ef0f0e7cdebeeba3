#pragma once
/// Grading the function exercises of a spec: the calls every check makes (one plan for a
/// submission), and each check's verdict from what the calls returned, whoever made them (a
/// compiled library, or a Python hand-in's function): one judge for both.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "grader/grade.hpp"
#include "grader/library/run.hpp"
#include "grader/result.hpp"
#include "grader/spec/spec.hpp"

namespace grader {

/// One set of inputs for a check, and where it came from.
struct Case {
  std::map<std::string, Tensor> inputs;
  std::map<std::string, std::size_t> dims;
  std::string label;  ///< "", or "random case 3 of 100 (batch=2, ...)"
  /// The reference's outputs, computed when the case is planned: a case the spec cannot
  /// compute stops grading (the spec's fault) before any student's code runs, whatever that
  /// code would have done with it.
  std::vector<Tensor> expected;
};

/// A call of a property check's case with one input drawn anew (FunctionSpec::property_needs),
/// and the reference's outputs there.
struct NeedCall {
  std::string input;
  std::size_t call;              ///< where it is in the plan
  std::vector<Tensor> expected;  ///< per output
};

/// A check's cases and where their calls are in the plan.
struct PlannedCheck {
  const Exercise* exercise;
  const FunctionCheck* check;
  std::uint64_t seed;
  std::vector<Case> cases;
  /// Per case: main call, then extra calls, then (case need_case only) `repeat` and the calls
  /// of `needs`.
  std::vector<std::vector<std::size_t>> calls;
  /// For a random property check worth points of an exercise with property_points_need: one
  /// of its cases (drawn cases first, in an order from the seed, the first on which the right
  /// outputs change with each input named), called again with the same inputs (`repeat`), then
  /// once per input named, drawn anew.
  std::size_t need_case = 0;
  std::size_t repeat = 0;
  std::vector<NeedCall> needs;
  bool in_python = false;  ///< its calls go to a notebook's function (plan_functions())
};

/// Every call of every check of the spec's function exercises, in order.
struct FunctionPlan {
  std::vector<Call> calls;
  std::vector<const Exercise*> exercises;  ///< per call: whose it is
  std::vector<std::uint64_t> seeds;        ///< per call: the seed of the student's own draws
  std::vector<std::map<std::string, std::size_t>> sizes;  ///< per call: its case's sizes
  std::vector<PlannedCheck> checks;
};

/// The plan for a submission: `seed_key` (its name and files) seeds the random cases of each
/// exercise, unless the options give a seed. `in_python`: the calls go to a Python hand-in,
/// whose exercises bound to float32 tensors get their inputs rounded to float32 here, so that
/// the reference computes on exactly the inputs the student's function receives.
FunctionPlan plan_functions(const Spec& spec, const std::string& seed_key, const GradeOptions& options,
                            bool in_python = false);

/// Each function exercise's result (by id) from the calls' results, one per planned call.
/// `shared_seconds` (building, running) is split between the checks.
std::map<std::string, ExerciseResult> judge_functions(const Spec& spec, const FunctionPlan& plan,
                                                      const std::vector<CallResult>& results, double shared_seconds);

/// Each function exercise's result when nothing could be called: every check shares the verdict.
std::map<std::string, ExerciseResult> unavailable_functions(const Spec& spec, const FunctionPlan& plan, Verdict verdict,
                                                            const std::string& message, double seconds);

/// The functions a Python hand-in of the spec must define, each once, in the spec's order.
std::vector<std::string> python_functions(const Spec& spec);

/// "f", "f and g", "f, g and h": python_functions() said in words.
std::string python_function_names(const Spec& spec);

/// Finds or builds the submission's library in `dir`, makes the plan's calls and judges them.
/// What the library printed goes to `result.printed`, the isolation achieved to
/// `result.sandbox`, what the build left out of the hand-in to `result.notes`.
std::map<std::string, ExerciseResult> grade_functions_by_library(const Spec& spec, const std::filesystem::path& dir,
                                                                 const GradeOptions& options, const FunctionPlan& plan,
                                                                 AssignmentResult& result);

/// The value output `o` of `fn` must have on case `c` of `check`: the value the
/// check gives for it (a printed output), else the output's `expect` over the inputs. The one
/// place that decides it, for grading, the self-test and `spec show`. A case the spec cannot
/// compute is a SpecError that names `context` (the case).
/// `names`: the case's (CaseNames, which computes the lets once for all the outputs).
Tensor expected_output(const Spec& spec, const FunctionSpec& fn, const FunctionCheck& check, std::size_t o,
                       const CaseNames& names, std::string_view context = {});

/// Every case of check `ci` of `fn` (inputs and sizes) for a student whose exercise is seeded
/// `seed` (what `grader check --seed` sets), as grading draws them: the one rule, for grading,
/// the self-test and `spec show`. Their `expected` left empty.
std::vector<Case> check_cases(const Spec& spec, const FunctionSpec& fn, std::size_t ci, std::uint64_t seed);

}  // namespace grader
