#include "package.hpp"

#include <iostream>

#include "grader/atomic_file.hpp"
#include "grader/package.hpp"
#include "grader/spec/spec.hpp"

namespace grader::cli {

CLI::App* setup_package(CLI::App& app, PackageOptions& o) {
  CLI::App* cmd = app.add_subcommand("gradescope-package", "Write a Gradescope autograder (zip) for a spec");
  cmd->add_option("--spec", o.spec, "The assignment's spec (YAML)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--out", o.out, "The zip to write, e.g. autograder.zip")->required();
  cmd->add_option("--source", o.source, "The grader's source tree (default: the one it was built from)");
  cmd->footer(
      "Upload the zip on the assignment's Configure Autograder page, with an Ubuntu 22.04 (or later) "
      "base image. Exit status: 0 written, 2 the spec is broken or the zip could not be written.");
  return cmd;
}

int run_package(const PackageOptions& o) {
  const Spec spec = load_spec(o.spec);  // a broken spec is refused here, not on Gradescope
  const auto source = o.source.empty() ? package::built_source_dir() : std::filesystem::path(o.source);
  const std::string zip = package::gradescope_autograder(spec, source);
  write_atomically(o.out, zip);
  std::cout << "wrote " << o.out << " (" << zip.size() / 1024 << " KiB): upload it as the autograder of '"
            << spec.title << "' on Gradescope\n";
  return 0;
}

}  // namespace grader::cli
