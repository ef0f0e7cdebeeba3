#pragma once
/// `grader merge --out DIR SHARD...`: combines the output folders of `grader grade --shard`.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace grader::cli {

struct MergeOptions {
  std::string out;
  std::vector<std::string> shards;
  bool prune = false;
};

CLI::App* setup_merge(CLI::App& app, MergeOptions& options);

/// Merges and prints the class summary; returns 0. Throws grader::UsageError for shards that
/// do not fit together (exit code 2, decided by main).
int run_merge(const MergeOptions& options);

}  // namespace grader::cli
