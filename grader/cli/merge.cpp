#include "merge.hpp"

#include <iostream>

#include "grader/batch.hpp"

namespace grader::cli {

CLI::App* setup_merge(CLI::App& app, MergeOptions& o) {
  CLI::App* cmd = app.add_subcommand("merge", "Combine the --out folders of `grader grade --shard` runs");
  cmd->add_option("--out", o.out, "Where the combined results, gradebook.csv and summary.json go")->required();
  cmd->add_option("shards", o.shards, "The shards' --out folders")->required()->check(CLI::ExistingDirectory);
  cmd->add_flag("--prune", o.prune,
                "Remove the results in --out of students in none of the shards; without it, such results are "
                "refused");
  cmd->footer(
      "Exit status: 0 merged, 2 the shards do not fit together (graded against other inputs, one missing or "
      "repeated), another run is writing into --out, or --out holds results of students in none of the shards "
      "(see --prune) or class files no run of the grader wrote.");
  return cmd;
}

int run_merge(const MergeOptions& o) {
  const std::vector<std::filesystem::path> dirs(o.shards.begin(), o.shards.end());
  const batch::Gradebook book = batch::merge(dirs, o.out, o.prune);
  std::cout << batch::summary_text(book) << "gradebook: " << (std::filesystem::path(o.out) / "gradebook.csv").string()
            << "\n";
  return 0;
}

}  // namespace grader::cli
