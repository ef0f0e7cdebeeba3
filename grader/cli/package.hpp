#pragma once
/// `grader gradescope-package --spec S --out autograder.zip`: a ready Gradescope autograder.

#include <CLI/CLI.hpp>
#include <string>

namespace grader::cli {

struct PackageOptions {
  std::string spec;
  std::string out;
  std::string source;  ///< the grader's sources; default: those it was built from
  std::string seed_secret;  ///< --seed-secret: a file whose secret goes into the zip
  bool force = false;  ///< package even if the spec's self-test fails
};

CLI::App* setup_package(CLI::App& app, PackageOptions& options);

/// Checks the spec (it must load and pass its self-test, unless forced), writes the zip
/// atomically; returns 0, or 2 when the self-test refuses the spec. Throws grader::Error (exit 2).
int run_package(const PackageOptions& options);

}  // namespace grader::cli
