#pragma once
/// `grader spec check|show|new`: working on specs (docs/authoring.md).

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace grader::cli {

struct SpecOptions {
  std::vector<std::string> specs;       ///< check
  std::string spec;                     ///< show
  std::optional<std::string> exercise;  ///< show
  bool reveal = false;                  ///< show
  bool full = false;                    ///< show: large tensors whole
  std::string npy;                      ///< show: write .npy files into this folder
  std::string name;                     ///< new
  std::string dir = "specs";            ///< new
};

struct SpecCommands {
  CLI::App* check = nullptr;
  CLI::App* show = nullptr;
  CLI::App* create = nullptr;
};

/// Registers `grader spec` and its subcommands.
SpecCommands setup_spec(CLI::App& app, SpecOptions& options);

/// check: 0 every spec is well formed and passed its self-test (warnings allowed), 1 a
/// self-test failed, 2 a spec is malformed (its errors on stderr).
int run_spec_check(const SpecOptions& options);
/// show: prints the data and targets (or writes .npy files); 0, or 2 for a broken spec.
int run_spec_show(const SpecOptions& options);
/// new: writes the scaffold; 0, or 2 if the name is taken or invalid.
int run_spec_new(const SpecOptions& options);

}  // namespace grader::cli
