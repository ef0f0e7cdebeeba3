#pragma once
/// `grader grade --spec S ROOT --out DIR`: grades a whole class.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace grader::cli {

struct GradeCommandOptions {
  std::string spec;
  std::string root;
  std::string out;
  std::size_t jobs = 0;
  bool resume = false;
  bool prune = false;
  std::string shard;
  std::vector<std::string> formats;
  std::string progress = "auto";
  std::optional<std::uint64_t> seed;
  std::string seed_secret;  ///< --seed-secret: the file of the instructor's secret
};

CLI::App* setup_grade(CLI::App& app, GradeCommandOptions& options);

/// Exit code: 0 every submission graded, 2 some could not be (the grader's fault; listed on
/// stderr) or the command is wrong, 130 interrupted (what finished is kept: run again with
/// --resume).
int run_grade(const GradeCommandOptions& options);

}  // namespace grader::cli
