#include "spec.hpp"

#include <iostream>

#include "grader/error.hpp"
#include "grader/selftest.hpp"
#include "grader/spec/scaffold.hpp"
#include "grader/spec/show.hpp"
#include "grader/spec/spec.hpp"
#include "src/text.hpp"

namespace grader::cli {

SpecCommands setup_spec(CLI::App& app, SpecOptions& o) {
  CLI::App* spec = app.add_subcommand("spec", "Work on specs: check, show, or start one");
  spec->require_subcommand(1);
  SpecCommands cmds;
  cmds.check = spec->add_subcommand(
      "check",
      "Check specs: their form, then a self-test: the reference solution passes, negative controls "
      "(empty, all-zero answers, a do-nothing library, each known mistake) fail");
  cmds.check->add_option("specs", o.specs, "Spec files (YAML)")->required()->check(CLI::ExistingFile);
  cmds.check->footer(
      "Exit status: 0 valid and self-tested (warnings allowed), 1 a self-test failed, 2 a spec is malformed.");
  cmds.show = spec->add_subcommand("show", "Print a spec's data and the targets it computes");
  cmds.show->add_option("spec", o.spec, "The spec (YAML)")->required()->check(CLI::ExistingFile);
  cmds.show->add_option("--exercise", o.exercise, "Only this exercise");
  cmds.show->add_flag("--reveal", o.reveal, "Also the targets of hidden exercises");
  cmds.show->add_flag("--full", o.full,
                      "Every element of tensors of more than 1000 (by default summarized as NumPy does)");
  cmds.show->add_option("--npy", o.npy, "Write the tensors as .npy files into this folder instead");
  cmds.create = spec->add_subcommand("new",
                                     "Start a spec: NAME.yaml with an example exercise of each kind, "
                                     "and an empty reference solution folder");
  cmds.create->add_option("name", o.name, "The assignment id (letters, digits, '.', '_', '-')")->required();
  cmds.create->add_option("--dir", o.dir, "Where to put it")->capture_default_str();
  return cmds;
}

int run_spec_check(const SpecOptions& options) {
  int status = 0;
  for (const auto& path : options.specs) {
    std::optional<Spec> spec;
    try {
      spec = load_spec(path);
    } catch (const SpecError& e) {
      std::cerr << e.what() << "\n";
      std::cout << path << ": malformed (" << counted(e.diagnostics().size(), "error") << ", on stderr)\n";
      status = 2;
      continue;
    }
    selftest::Report report;
    try {
      report = selftest::check(*spec);
    } catch (const Error& e) {  // the grader could not run the self-test: on to the next spec
      // A spec's error (a case it cannot compute) is FILE:LINE:COLUMN: error: MESSAGE already.
      if (dynamic_cast<const SpecError*>(&e))
        std::cerr << e.what() << "\n";
      else
        std::cerr << "grader: error: " << path << ": " << e.what() << "\n";
      std::cout << path << ": well formed; self-test could not run (on stderr)\n";
      status = 2;
      continue;
    }
    std::cout << path << ": well formed; self-test "
              << (report.failed()
                      ? "FAILED (" + counted(report.count(selftest::Finding::Kind::failure), "failure") + ", "
                      : std::string("passed ("))
              << counted(report.count(selftest::Finding::Kind::warning), "warning") << ")\n"
              << selftest::to_text(report);
    if (report.failed() && status == 0) status = 1;
  }
  return status;
}

int run_spec_show(const SpecOptions& o) {
  const Spec spec = load_spec(o.spec);
  ShowOptions options{o.exercise, o.reveal, o.full};
  if (!o.npy.empty()) {
    const std::size_t n = write_spec_npy(spec, options, o.npy);
    std::cout << "wrote " << n << " .npy files into " << o.npy << "\n";
  } else {
    std::cout << show_spec(spec, options);
  }
  return 0;
}

int run_spec_new(const SpecOptions& o) {
  const auto path = scaffold_spec(o.name, o.dir);
  std::cout << "wrote " << path.string() << " and the empty folder "
            << (std::filesystem::path(o.dir) / o.name / "solution").string()
            << ".\nEdit the spec, put the right answers and a solution in that folder, then run\n  grader spec check "
            << path.string() << "\n";
  return 0;
}

}  // namespace grader::cli
