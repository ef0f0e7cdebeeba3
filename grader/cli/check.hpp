#pragma once
/// `grader check --spec S DIR`: grades one submission folder.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace grader {
struct Spec;
}

namespace grader::cli {

struct CheckOptions {
  std::string spec;
  std::string submission;
  std::string format = "text";
  std::string output;  ///< empty: stdout
  std::string color = "auto";
  std::optional<std::uint64_t> seed;  ///< replays the randomized checks of a feedback message
  std::string seed_secret;            ///< the file of an instructor's secret mixed into the seeds
  bool github_annotations = false;    ///< also print workflow commands for the first failures
  std::vector<std::string> writes;    ///< "FORMAT=FILE": more reports from the same grading
  std::vector<std::string> exercises;  ///< --exercise: grade only these (a replay of one's cases)
};

/// Registers the subcommand; `run` is called with the parsed options and its result stored.
CLI::App* setup_check(CLI::App& app, CheckOptions& options);

/// `--seed N` (check and grade): a whole number from 0 to 2^64-1, as feedback shows one. CLI11
/// alone took -1 as 2^64-1, clamped larger numbers to it (found by a numerical-audit helper), and
/// read 010 as octal.
CLI::Option* add_seed_option(CLI::App* cmd, std::optional<std::uint64_t>& seed, const std::string& description);

/// `--seed-secret FILE` (check and grade): the file of GradeOptions::seed_secret.
CLI::Option* add_seed_secret_option(CLI::App* cmd, std::string& file);

/// What `grade` and `gradescope-package` print without --seed-secret, for a spec that draws
/// random cases (a carried finding: the secret is opt-in, and nothing said what it is for); ""
/// for a spec of fixed cases only.
std::string no_seed_secret_hint(const Spec& spec);

/// Grades and prints; returns the exit code (0 all passed, 1 something failed). Throws
/// grader::Error for a broken spec or bad usage (exit code 2, decided by main).
int run_check(const CheckOptions& options);

}  // namespace grader::cli
