#pragma once
/// `grader spec show`: a spec's data and the targets it computes, as an instructor reads them.

#include <filesystem>
#include <optional>
#include <string>

#include "grader/spec/spec.hpp"

namespace grader {

struct ShowOptions {
  std::optional<std::string> exercise;  ///< only this exercise (and no data)
  bool reveal = false;                  ///< also the targets of hidden exercises
  bool full = false;                    ///< every element of large tensors, not a summary
};

/// The data tensors and, per exercise, what the student hands in, the output, the target
/// (its value when it does not depend on the student's answers), the tolerance and mistakes;
/// for function exercises the signature and each check, with the fixed cases' targets.
/// Throws UsageError for an unknown exercise id.
std::string show_spec(const Spec& spec, const ShowOptions& options);

/// The same tensors as .npy files: DIR/data/<name>.npy, DIR/targets/<exercise>.npy (matrix
/// exercises with a constant target) and DIR/targets/<exercise>.check<k>.<output>.npy (the
/// fixed checks of function exercises). Returns how many files were written.
std::size_t write_spec_npy(const Spec& spec, const ShowOptions& options, const std::filesystem::path& dir);

}  // namespace grader
