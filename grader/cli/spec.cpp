#include "spec.hpp"

#include <iostream>

#include "grader/error.hpp"
#include "grader/selftest.hpp"
#include "grader/spec/spec.hpp"

namespace grader::cli {

CLI::App* setup_spec(CLI::App& app, SpecCheckOptions& check) {
  CLI::App* spec = app.add_subcommand("spec", "Work on specs: check them before students see them");
  spec->require_subcommand(1);
  CLI::App* cmd = spec->add_subcommand(
      "check", "Check specs: their form, then a self-test: the reference solution passes, negative controls "
               "(empty, all-zero answers, a do-nothing library, each known mistake) fail");
  cmd->add_option("specs", check.specs, "Spec files (YAML)")->required()->check(CLI::ExistingFile);
  cmd->footer("Exit status: 0 valid and self-tested (warnings allowed), 1 a self-test failed, 2 a spec is malformed.");
  return cmd;
}

int run_spec_check(const SpecCheckOptions& options) {
  int status = 0;
  for (const auto& path : options.specs) {
    std::optional<Spec> spec;
    try {
      spec = load_spec(path);
    } catch (const SpecError& e) {
      std::cerr << e.what() << "\n";
      std::cout << path << ": malformed (" << e.diagnostics().size() << " errors, on stderr)\n";
      status = 2;
      continue;
    }
    const selftest::Report report = selftest::check(*spec);
    std::cout << path << ": well formed; self-test "
              << (report.failed() ? "FAILED" : "passed") << " (" << report.count(selftest::Finding::Kind::warning)
              << " warnings)\n"
              << selftest::to_text(report);
    if (report.failed() && status == 0) status = 1;
  }
  return status;
}

}  // namespace grader::cli
