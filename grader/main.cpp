// The `grader` command: a thin layer over grader_core. Exit status 0 means every exercise
// passed, 1 that something failed, 2 that the spec, the grader or the command line is broken.
#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <malloc.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/check.hpp"
#include "cli/grade.hpp"
#include "cli/merge.hpp"
#include "cli/package.hpp"
#include "cli/spec.hpp"
#include "grader/error.hpp"
#include "grader/version.hpp"
#include "src/text.hpp"

namespace {
constexpr int kBroken = 2;
constexpr std::size_t kMaxMessage = 64 * 1024;  ///< of an error message on stderr
}

int main(int argc, char** argv) {
  // Output piped into a reader that has gone (`grader grade ... | head -1`) must not kill a
  // run before it writes the class files: writes then fail quietly instead. The children the
  // grader spawns get every signal's default back (sandbox/child.cpp).
  signal(SIGPIPE, SIG_IGN);
  // Tensors of up to 32 MiB come from malloc's heap, which keeps up to 64 MiB free rather
  // than return it: grading a class makes and frees the same tensors for every submission,
  // and memory mapped afresh each time is a page fault per page touched (60 sdpa-masked
  // library submissions: 13 000 page faults and 1 340 ms of CPU before, 12 100 and 1 280 after;
  // bench/README.md). The runner and its children keep malloc's defaults.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  CLI::App app{"Autograder for numerical exercises about attention"};
  app.set_version_flag("--version", std::string(grader::version()));
  app.require_subcommand(1);
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Log what the grader does (also: SPDLOG_LEVEL=debug)");
  app.fallthrough();  // -v after the command too (`grader check -v ...`), as most tools take it

  grader::cli::CheckOptions check;
  CLI::App* check_cmd = grader::cli::setup_check(app, check);
  grader::cli::GradeCommandOptions grade;
  CLI::App* grade_cmd = grader::cli::setup_grade(app, grade);
  grader::cli::MergeOptions merge;
  CLI::App* merge_cmd = grader::cli::setup_merge(app, merge);
  grader::cli::PackageOptions package;
  CLI::App* package_cmd = grader::cli::setup_package(app, package);
  grader::cli::SpecOptions spec_options;
  const grader::cli::SpecCommands spec_cmds = grader::cli::setup_spec(app, spec_options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kBroken;
  }

  // Logs go to stderr: stdout carries the report, which may be JSON.
  spdlog::set_default_logger(spdlog::stderr_color_mt("grader"));
  spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::warn);
  spdlog::cfg::load_env_levels();

  try {
    if (check_cmd->parsed()) return grader::cli::run_check(check);
    if (grade_cmd->parsed()) return grader::cli::run_grade(grade);
    if (merge_cmd->parsed()) return grader::cli::run_merge(merge);
    if (package_cmd->parsed()) return grader::cli::run_package(package);
    if (spec_cmds.check->parsed()) return grader::cli::run_spec_check(spec_options);
    if (spec_cmds.show->parsed()) return grader::cli::run_spec_show(spec_options);
    if (spec_cmds.create->parsed()) return grader::cli::run_spec_new(spec_options);
  } catch (const grader::Error& e) {
    // A message can quote a path or a file's text a student chose: escaped for the terminal. A
    // spec's errors are FILE:LINE:COLUMN: error: MESSAGE already, one a line, as compilers say
    // them (docs/spec-format.md); found by an instructor helper as "grader: error: x.yaml:37:78:
    // error: ...".
    std::cerr << (dynamic_cast<const grader::SpecError*>(&e) ? "" : "grader: error: ")
              << grader::utf8_safe(e.what(), kMaxMessage) << "\n";
    return kBroken;
  } catch (const std::exception& e) {
    std::cerr << "grader: internal error: " << grader::utf8_safe(e.what(), kMaxMessage) << "\n";
    return kBroken;
  }
  return kBroken;
}
