#include "grade.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <string>

#include "check.hpp"
#include "grader/batch.hpp"
#include "grader/error.hpp"
#include "grader/spec/spec.hpp"

namespace grader::cli {

namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "set from a signal handler");

/// Said on stderr from the handler itself (write(2) is safe there), so that whoever pressed
/// Ctrl-C sees at once what it does: the submissions in progress may take a hand-in's whole
/// time limit to finish, and a second Ctrl-C, which ends the grader, said nothing.
void say(const char* text) {
  std::size_t left = std::char_traits<char>::length(text);
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, text, left);
    if (n <= 0) return;
    text += n;
    left -= static_cast<std::size_t>(n);
  }
}

extern "C" void on_interrupt(int sig) {
  if (!g_stop.exchange(true)) {
    say("\ngrader: interrupted: no new submission is started; those in progress finish and are written "
        "(interrupt again to stop at once)\n");
    return;
  }
  say("\ngrader: stopped at once: the submissions in progress are not written (--resume grades them)\n");
  ::signal(sig, SIG_DFL);  // ended by the signal, as a shell's loop expects
  ::raise(sig);
}

/// The first Ctrl-C (or SIGTERM, or the SIGHUP of a terminal that closed) stops starting
/// submissions; a second one ends the grader at once (finished results are still complete on
/// disk; the runners die with it). Writing to a closed terminal fails quietly.
void catch_interrupts() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  action.sa_flags = 0;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGHUP, &action, nullptr);
}

std::string duration(double seconds) {
  if (seconds < 90) return fmt::format("{:.0f} s", seconds);
  if (seconds < 5400) return fmt::format("{:.0f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

/// A progress bar on a terminal, a line every few seconds otherwise, or nothing.
std::function<void(const batch::Progress&)> progress_printer(const std::string& mode) {
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  const std::string chosen = mode == "auto" ? (terminal ? "bar" : "lines") : mode;
  if (chosen == "none") return {};
  struct Times {
    double printed = -1e9;  ///< when a line or the bar was last printed
    double first = -1;      ///< when the first submission was graded (not reused), once it was
  };
  auto times = std::make_shared<Times>();
  return [chosen, times](const batch::Progress& p) {
    const bool finished = p.done == p.total;
    // The rate counts from the first graded submission: until then the spec was loading and
    // the Python runtime starting, which made the first estimates several times too long.
    // Up-to-date results (--resume) cost nothing and do not count. The time left is guessed
    // once three more have been graded.
    const std::size_t graded = p.done - p.reused;
    if (graded >= 1 && times->first < 0) times->first = p.seconds;
    const double span = p.seconds - times->first;
    const double rate = graded >= 4 && span > 0 ? static_cast<double>(graded - 1) / span : 0;
    const std::string speed = rate > 0 ? fmt::format("{:.1f}/s", rate) : "-/s";
    const std::string eta = finished   ? duration(0)
                            : rate > 0 ? duration(static_cast<double>(p.total - p.done) / rate)
                                       : "?";
    double* last = &times->printed;
    if (chosen == "bar") {
      if (!finished && p.seconds - *last < 0.1) return;
      *last = p.seconds;
      constexpr std::size_t width = 30;
      const std::size_t filled = p.total ? p.done * width / p.total : width;
      std::cerr << fmt::format("\r[{}{}] {}/{}  {}  ETA {}   ", std::string(filled, '#'),
                               std::string(width - filled, '.'), p.done, p.total, speed, eta)
                << (finished ? "\n" : "") << std::flush;
    } else {
      if (!finished && p.seconds - *last < 10) return;
      *last = p.seconds;
      std::cerr << fmt::format("grader: {}/{} submissions ({} up to date), {}, ETA {}\n", p.done, p.total, p.reused,
                               speed, eta)
                << std::flush;
    }
  };
}

}  // namespace

CLI::App* setup_grade(CLI::App& app, GradeCommandOptions& o) {
  CLI::App* cmd = app.add_subcommand("grade", "Grade every submission folder of a class");
  cmd->add_option("--spec", o.spec, "The assignment's spec (YAML)")->required()->check(CLI::ExistingFile);
  cmd->add_option("root", o.root, "The folder holding one folder per student (its name is the student id)")->required();
  cmd->add_option("--out", o.out, "Where results, gradebook.csv and summary.json go")->required();
  cmd->add_option("--jobs,-j", o.jobs, "Submissions graded at once (default, or 0: one per core)");
  cmd->add_flag("--resume", o.resume,
                "Keep the results of an earlier run whose inputs (grader, spec and its data files, submission, "
                "options, report formats) are unchanged");
  cmd->add_flag("--prune", o.prune,
                "Remove the results in --out of students not graded in this run (who left the class); without "
                "it, such results are refused");
  cmd->add_option("--shard", o.shard, "Grade only slice I of N (I from 0), e.g. 2/8; combine with `grader merge`");
  cmd->add_option("--format", o.formats,
                  "Also write each submission's report in these formats (json, result.json, is always written)")
      ->delimiter(',')
      ->transform(  // "junit, gradescope" as well (found by a TA helper)
          [](std::string name) {
            const auto first = name.find_first_not_of(" \t"), last = name.find_last_not_of(" \t");
            return first == std::string::npos ? std::string() : name.substr(first, last - first + 1);
          },
          "", "trimmed")
      ->check(CLI::IsMember(report::format_names()));
  cmd->add_option("--progress", o.progress, "Progress on stderr")
      ->check(CLI::IsMember({"auto", "bar", "lines", "none"}))
      ->capture_default_str();
  add_seed_option(cmd, o.seed, "One seed for every randomized check (default: one per student and exercise)");
  add_seed_secret_option(cmd, o.seed_secret);
  cmd->footer(
      "Exit status: 0 every submission was graded (whatever the students' scores), 2 some could not "
      "be, the class files could not be written, another run is writing into --out, or the command is wrong; "
      "130 interrupted (finished results are kept; --resume goes on).");
  return cmd;
}

int run_grade(const GradeCommandOptions& o) {
  const Spec spec = load_spec(o.spec);
  batch::Options options;
  options.jobs = o.jobs;
  options.resume = o.resume;
  options.prune = o.prune;
  if (!o.shard.empty()) options.shard = batch::parse_shard(o.shard);
  for (const auto& f : o.formats)  // result.json is written anyway: json adds nothing
    if (const auto format = *report::parse_format(f); format != report::Format::json) options.formats.push_back(format);
  options.grading.seed = o.seed;
  if (!o.seed_secret.empty()) options.grading.seed_secret = read_seed_secret(o.seed_secret);
  options.on_progress = progress_printer(o.progress);
  options.stop = &g_stop;
  catch_interrupts();

  const batch::Outcome outcome = batch::grade_class(spec, o.root, o.out, options);
  for (const auto& f : outcome.failures) std::cerr << "grader: could not grade " << f << "\n";
  if (outcome.disk_full)
    std::cerr << fmt::format(
        "grader: a disk the grader writes to is full: no submission was started after that (the error above names "
        "the file); {} of {} were graded or kept before\n",
        outcome.run.graded + outcome.run.up_to_date, outcome.students);
  if (!outcome.failures.empty())
    std::cerr << fmt::format(
        "grader: {} of {} submissions could not be graded: the grader's fault, not the students' (they have no "
        "result yet); once the cause is fixed, the same command with --resume grades only what is missing\n",
        outcome.failures.size(), outcome.students);
  if (outcome.interrupted) {
    std::cerr << fmt::format(
        "grader: interrupted: this run graded or kept {} of {} submissions in {}; run the same command "
        "with --resume to grade the rest (what an earlier run graded, and is still up to date, is kept)\n",
        outcome.run.graded + outcome.run.up_to_date, outcome.students, o.out);
    return 130;
  }
  if (outcome.gradebook) {
    std::cout << batch::summary_text(*outcome.gradebook)
              << "gradebook: " << (std::filesystem::path(o.out) / "gradebook.csv").string() << "\n";
    if (!o.seed && o.seed_secret.empty()) std::cout << no_seed_secret_hint(spec);
  }
  return outcome.failures.empty() && outcome.gradebook ? 0 : 2;
}

}  // namespace grader::cli
