#pragma once
/// `grader spec check SPEC...`: proves specs before students see them (docs/authoring.md).

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace grader::cli {

struct SpecCheckOptions {
  std::vector<std::string> specs;
};

/// Registers `grader spec` and its subcommands; returns `spec check`.
CLI::App* setup_spec(CLI::App& app, SpecCheckOptions& check);

/// Exit code: 0 every spec is well formed and passed its self-test (warnings allowed), 1 a
/// self-test failed, 2 a spec is malformed (its errors on stderr).
int run_spec_check(const SpecCheckOptions& options);

}  // namespace grader::cli
