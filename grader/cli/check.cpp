#include "check.hpp"

#include <algorithm>
#include <string_view>

#include <fmt/ranges.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "grader/atomic_file.hpp"
#include "grader/error.hpp"
#include "grader/grade.hpp"
#include "grader/report/report.hpp"
#include "grader/spec/spec.hpp"

namespace grader::cli {

namespace {

std::string format_list() { return fmt::format("{}", fmt::join(report::format_names(), ", ")); }

}  // namespace

CLI::Option* add_seed_option(CLI::App* cmd, std::optional<std::uint64_t>& seed, const std::string& description) {
  const CLI::Validator whole(
      [](std::string& text) -> std::string {
        constexpr std::string_view kMax = "18446744073709551615";  // 2^64 - 1
        const bool digits =
            !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
        // Decimal, leading zeros and all: CLI11 reads 010 as octal.
        const std::string value = digits ? text.substr(std::min(text.find_first_not_of('0'), text.size() - 1)) : "";
        if (digits && (value.size() < kMax.size() || (value.size() == kMax.size() && value <= kMax))) {
          text = value;
          return "";
        }
        return "the seed must be a whole number from 0 to 18446744073709551615 (2^64 - 1), as feedback shows "
               "one: got '" +
               text + "'";
      },
      "SEED");
  return cmd->add_option("--seed", seed, description)->transform(whole);
}

CLI::Option* add_seed_secret_option(CLI::App* cmd, std::string& file) {
  return cmd
      ->add_option("--seed-secret", file,
                   "A file holding the instructor's secret, mixed into the default seeds, so that students who "
                   "have the spec cannot compute their cases (docs/grading-a-class.md); keep it from them")
      ->type_name("FILE");
}

std::string no_seed_secret_hint(const Spec& spec) {
  const bool random = std::any_of(spec.exercises.begin(), spec.exercises.end(), [](const Exercise& ex) {
    return ex.function && std::any_of(ex.function->checks.begin(), ex.function->checks.end(),
                                      [](const auto& c) { return c.random(); });
  });
  return !random ? ""
                 : "hint: without --seed-secret, a student who has this spec can work out the random cases of a "
                   "hand-in before handing it in (docs/grading-a-class.md, \"A secret for the seeds\")\n";
}

CLI::App* setup_check(CLI::App& app, CheckOptions& options) {
  CLI::App* cmd = app.add_subcommand("check", "Grade one submission folder against a spec");
  // Not checked here: a spec that cannot be read is the course's fault, which run_check writes
  // as PrairieLearn's "gradable": false (found by a TA helper: a mistyped spec path in
  // grade.sh wrote no results.json at all).
  cmd->add_option("--spec", options.spec, "The assignment's spec (YAML)")->required();
  cmd->add_option("submission", options.submission, "The submission folder")->required();
  cmd->add_option("--format", options.format, "Output format")
      ->check(CLI::IsMember(report::format_names()))
      ->capture_default_str();
  cmd->add_option("--output,-o", options.output, "Write the report to this file (atomically)");
  add_seed_option(cmd, options.seed, "Seed of the randomized checks (feedback shows the one used, to replay it)");
  add_seed_secret_option(cmd, options.seed_secret);
  cmd->add_option("--exercise", options.exercises,
                  "Grade only this exercise (repeatable): with --seed, replays the cases that feedback quotes, "
                  "without the other exercises' at that seed")
      ->type_name("ID");
  cmd->add_option("--write", options.writes,
                  "Also write the report in another format to a file, e.g. --write junit=report.xml "
                  "(repeatable; formats: " +
                      format_list() + ")")
      ->type_name("FORMAT=FILE");
  cmd->add_flag("--github-annotations", options.github_annotations,
                "Also print GitHub Actions workflow commands (::error) for the first failures, "
                "to stderr");
  cmd->add_option("--color", options.color, "Colour the text report")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd->footer(
      "-v (before or after `check`) logs what the grader does, on stderr.\n"
      "Exit status: 0 every exercise passed (one worth no points, of an assignment worth some, is for "
      "information), 1 some exercise failed, 2 the spec or the grader is broken, or the command line is wrong.");
  return cmd;
}

namespace {

void emit(const CheckOptions& options, const std::string& report) {
  if (options.output.empty())
    std::cout << report << std::flush;
  else
    write_atomically(options.output, report);
}

}  // namespace

int run_check(const CheckOptions& options) {
  const report::Format format = *report::parse_format(options.format);
  std::vector<std::pair<report::Format, std::string>> writes;  // checked before grading
  for (const auto& w : options.writes) {
    const auto eq = w.find('=');
    const auto f = eq == std::string::npos ? std::nullopt : report::parse_format(w.substr(0, eq));
    if (!f || eq + 1 == w.size())
      throw UsageError("--write '" + w + "': expected FORMAT=FILE with FORMAT one of " + format_list() +
                       " (e.g. --write junit=report.xml)");
    writes.emplace_back(*f, w.substr(eq + 1));
  }
  GradeOptions grading;
  grading.seed = options.seed;
  std::optional<Spec> spec;
  try {
    if (!options.seed_secret.empty()) grading.seed_secret = read_seed_secret(options.seed_secret);
    spec = load_spec(options.spec);
  } catch (const Error& e) {  // a broken spec, or a secret that cannot be used: the course's fault
    // PrairieLearn must not record a zero for a student because the spec is broken.
    const std::string ungradable = report::to_prairielearn_ungradable();  // e.what() goes to stderr
    if (format == report::Format::prairielearn) emit(options, ungradable);
    for (const auto& [f, file] : writes)
      if (f == report::Format::prairielearn) write_atomically(file, ungradable);
    throw;
  }
  if (!options.exercises.empty()) {
    std::vector<std::string> ids;
    for (const auto& e : spec->exercises) ids.push_back(e.id);
    for (const auto& id : options.exercises)
      if (std::find(ids.begin(), ids.end(), id) == ids.end())
        throw UsageError(fmt::format("--exercise {}: {} has no exercise of that id (its exercises: {})", id,
                                     options.spec, fmt::join(ids, ", ")));
    std::erase_if(spec->exercises, [&](const Exercise& e) {
      return std::find(options.exercises.begin(), options.exercises.end(), e.id) == options.exercises.end();
    });
  }
  AssignmentResult result = grade_submission(*spec, options.submission, grading);
  if (!options.exercises.empty()) {
    std::vector<std::string> graded;
    for (const auto& e : spec->exercises) graded.push_back(e.id);
    const bool one = graded.size() == 1;
    result.notes.push_back(fmt::format("only exercise{} {} {} graded (--exercise): the others are left out",
                                       one ? "" : "s", fmt::join(graded, ", "), one ? "is" : "are"));
  }

  const std::string student = student_id(options.submission);
  if (format == report::Format::text) {
    const bool to_terminal = options.output.empty() && ::isatty(STDOUT_FILENO) == 1;
    const bool color =
        options.color == "always" || (options.color == "auto" && to_terminal && !std::getenv("NO_COLOR"));
    emit(options, report::to_text(result, color));
  } else {
    emit(options, report::render(format, result, student));
  }
  for (const auto& [f, file] : writes) write_atomically(file, report::render(f, result, student));
  if (options.github_annotations) std::cerr << report::github_annotations(result) << std::flush;
  return result.all_passed() ? 0 : 1;
}

}  // namespace grader::cli
