#pragma once
/// Packaging a spec for a grading platform.

#include <filesystem>
#include <string>

#include "grader/spec/spec.hpp"

namespace grader::package {

/// The bytes of a Gradescope autograder zip for `spec`: setup.sh (installs the Debian/Ubuntu
/// packages and builds the grader from the sources included under attention-grader/), run_autograder
/// (grades /autograder/submission into /autograder/results/results.json), and the spec with
/// its data files under spec/. `source_dir` is the grader's source tree. A `seed_secret`
/// (GradeOptions::seed_secret) goes in as seed-secret, which run_autograder passes to the
/// grader. Throws grader::Error for a data file outside the spec's folder or sources that
/// cannot be read.
std::string gradescope_autograder(const Spec& spec, const std::filesystem::path& source_dir,
                                  const std::string& seed_secret = "");

/// The grader's source tree this executable was built from.
std::filesystem::path built_source_dir();

}  // namespace grader::package
