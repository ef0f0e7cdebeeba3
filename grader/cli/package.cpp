#include "package.hpp"

#include <iostream>

#include "check.hpp"
#include "grader/atomic_file.hpp"
#include "grader/grade.hpp"
#include "grader/package.hpp"
#include "grader/selftest.hpp"
#include "grader/spec/spec.hpp"

namespace grader::cli {

CLI::App* setup_package(CLI::App& app, PackageOptions& o) {
  CLI::App* cmd = app.add_subcommand("gradescope-package", "Write a Gradescope autograder (zip) for a spec");
  cmd->add_option("--spec", o.spec, "The assignment's spec (YAML)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--out", o.out, "The zip to write, e.g. autograder.zip")->required();
  cmd->add_option("--source", o.source, "The grader's source tree (default: the one it was built from)");
  cmd->add_option("--seed-secret", o.seed_secret,
                  "A file holding a secret mixed into the default seeds (see grader check --help), packaged "
                  "with the spec; students never see the autograder's files")
      ->type_name("FILE");
  cmd->add_flag("--force", o.force,
                "Package even if the spec's self-test (grader spec check) fails; students would be graded "
                "by a spec that fails its own reference solution or passes a known mistake");
  cmd->footer(
      "The spec must pass `grader spec check` first. Upload the zip on the assignment's Configure Autograder "
      "page, with an Ubuntu 24.04 base image (see docs/platforms.md). Exit status: 0 written, 2 the spec is broken, "
      "fails its "
      "self-test, or the zip could not be written.");
  return cmd;
}

int run_package(const PackageOptions& o) {
  const std::string secret = o.seed_secret.empty() ? "" : read_seed_secret(o.seed_secret);
  const Spec spec = load_spec(o.spec);  // a broken spec is refused here, not on Gradescope
  const selftest::Report report = selftest::check(spec);
  if (report.failed()) {
    std::cerr << o.spec << ": the self-test FAILED:\n" << selftest::to_text(report);
    if (!o.force) {
      std::cerr << "grader: error: not packaged: fix the spec (grader spec check " << o.spec
                << "), or add --force to package it anyway\n";
      return 2;
    }
    std::cerr << "grader: WARNING: packaging a spec that fails its self-test, because of --force: students "
                 "will be graded by it\n";
  } else if (const std::size_t n = report.count(selftest::Finding::Kind::warning); n > 0) {
    // Said here too (found by a TA helper: a spec naming no reference solution was packaged
    // with "wrote ..." alone, where `spec check` warns that it cannot be shown to pass).
    selftest::Report warnings;
    for (const auto& f : report.findings)
      if (f.kind == selftest::Finding::Kind::warning) warnings.findings.push_back(f);
    std::cerr << o.spec << ": the self-test passed, with " << n << (n == 1 ? " warning" : " warnings") << ":\n"
              << selftest::to_text(warnings);
  }
  const auto source = o.source.empty() ? package::built_source_dir() : std::filesystem::path(o.source);
  const std::string zip = package::gradescope_autograder(spec, source, secret);
  write_atomically(o.out, zip);
  std::cout << "wrote " << o.out << " (" << zip.size() / 1024 << " KiB): upload it as the autograder of '" << spec.title
            << "' on Gradescope\n";
  if (!secret.empty())
    std::cout << "it holds the seed secret of " << o.seed_secret
              << " (as seed-secret): keep the zip from students, as the secret\n";
  else
    std::cout << no_seed_secret_hint(spec);
  return 0;
}

}  // namespace grader::cli
