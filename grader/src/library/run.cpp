#include "grader/library/run.hpp"

#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "../sandbox/memory_file.hpp"
#include "../sandbox/zygote.hpp"
#include "../text.hpp"
#include "grader/bounded_file.hpp"
#include "grader/error.hpp"
#include "grader/protocol.hpp"
#include "plan.hpp"
#include "records.hpp"

namespace grader {

namespace {

namespace p = protocol;
using sandbox::Fd;

std::string signal_name(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV (segmentation fault: an invalid memory access, such as "
             "writing past an output or a stack overflow)";
    case SIGBUS:
      return "SIGBUS (bus error: an invalid memory access)";
    case SIGABRT:
      return "SIGABRT (abort(): a failed assertion or an uncaught exception)";
    case SIGFPE:
      return "SIGFPE (arithmetic error, such as an integer division by zero)";
    case SIGILL:
      return "SIGILL (illegal instruction)";
    case SIGTRAP:
      return "SIGTRAP (trap: a debugger breakpoint or __builtin_trap())";
    default: {
      const char* name = sigabbrev_np(sig);
      return name ? std::string("SIG") + name : "signal " + std::to_string(sig);
    }
  }
}

std::string syscall_name(int nr) {
  char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
  std::string out = name ? name : "system call " + std::to_string(nr);
  std::free(name);
  return out;
}

using Outcome = std::pair<Verdict, std::string>;

/// The verdict for the call in progress (or the loading) when a child ended, from how it
/// ended as the grader saw it.
Outcome abnormal_end(const sandbox::Observation& seen, const library::Records& records, const RunLimits& limits,
                     bool loading) {
  const std::string during = loading ? "while the library was loading (in a static constructor?)" : "during the call";
  if (records.breach())
    return {Verdict::forbidden, "the library wrote into the grader's status channel (descriptor 5): " +
                                    *records.breach() + "; a solution must not touch descriptors it did not open"};
  if (seen.killed)
    return {Verdict::timed_out,
            "no result after " + seconds_text(loading ? limits.load_seconds : limits.call_seconds) +
                " s of wall-clock time " + during +
                sandbox::no_end_reason(seen, limits.memory_bytes, ": an endless loop, a wait, or far too slow")};
  const int status = seen.exit.status;
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    if (sig == SIGSYS)
      return {Verdict::forbidden,
              "the sandbox stopped the system call " +
                  (records.forbidden() ? "'" + syscall_name(*records.forbidden()) + "'" : std::string("made")) + " " +
                  during +
                  ": a solution may compute and allocate memory, but not open files, "
                  "use the network, start processes or reach other processes"};
    if (sig == SIGXCPU || (sig == SIGKILL && seen.exit.cpu_seconds >= limits.cpu_seconds))
      return {Verdict::timed_out, "used up its " + std::to_string(limits.cpu_seconds) + " s of CPU time " + during +
                                      ": an endless loop, or far too slow"};
    if (sig == SIGKILL)  // not the grader's, nor the child's own (refused): the OOM killer, or a person
      return {Verdict::out_of_memory, sandbox::killed_by_the_system(seen.exit, during, limits.memory_bytes)};
    return {Verdict::crashed, "crashed with " + signal_name(sig) + " " + during};
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == p::kExitStatusLost && !records.finished())
    return {Verdict::crashed, "the library closed or replaced descriptor 5, the grader's status channel, " + during +
                                  ": a solution must not close descriptors it did not open"};
  return {Verdict::crashed, "the library ended the process (exit status " + std::to_string(code) + ") " + during +
                                "; a solution must return, not exit"};
}

/// The verdict of an exception that escaped the student's function, given its text.
Outcome escaped(const std::string& text) {
  if (text.find("bad_alloc") != std::string::npos)
    return {Verdict::out_of_memory, "ran out of memory (std::bad_alloc)"};
  return {Verdict::threw, "an exception escaped the function: " + text};
}

}  // namespace

std::filesystem::path runner_path() {
  if (const char* env = std::getenv("GRADER_RUNNER"); env && *env) return env;
  return GRADER_RUNNER_PATH;
}

RunReport run_library(const std::filesystem::path& library, const std::vector<Call>& calls, const RunLimits& limits) {
  // Same-user children must not read the grader's memory through /proc/<pid>/mem.
  static const bool undumpable = prctl(PR_SET_DUMPABLE, 0) == 0;
  (void)undumpable;

  RunReport report;
  report.calls.resize(calls.size());
  std::vector<bool> resolved(calls.size(), false);
  sandbox::CapturedOutput printed(limits.capture_bytes);
  const auto resolve = [&](std::size_t i, Verdict v, std::string message) {
    report.calls[i].failure = v;
    report.calls[i].message = std::move(message);
    resolved[i] = true;
  };
  const auto resolve_all = [&](Verdict v, const std::string& message) {
    for (std::size_t i = 0; i < calls.size(); ++i)
      if (!resolved[i]) resolve(i, v, message);
  };

  std::string image;
  try {
    image = read_bounded(library, ReadLimits{kMaxLibraryBytes});
  } catch (const ReadError& e) {
    resolve_all(Verdict::load_error, "the library " + library.filename().string() + " " + e.what());
    return report;
  }
  const Fd code = sandbox::sealed_memory_file("solution", {image}, 0, sandbox::kSealedForGood);
  image.clear();
  sandbox::Budget budget(limits.budget_seconds);
  const std::string budget_spent = "the submission's time budget of " + seconds_text(limits.budget_seconds) +
                                   " s for all its calls (library.budget_seconds) ran out: this and the remaining "
                                   "checks were not run; a correct solution needs far less";
  auto& zygote = sandbox::Zygote::of_this_thread(sandbox::Zygote::Kind::library);

  for (;;) {
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < calls.size(); ++i)
      if (!resolved[i]) which.push_back(i);
    if (which.empty()) break;
    if (budget.spent()) {
      resolve_all(Verdict::timed_out, budget_spent);
      break;
    }

    const library::Plan plan = library::make_plan(calls, which);
    const Fd plan_fd = sandbox::sealed_memory_file("grader-plan", {plan.bytes}, 0, sandbox::kSealedForGood);
    const Fd out_fd = sandbox::sealed_memory_file("grader-outputs", {}, plan.output_bytes, sandbox::kSealedSize);
    const p::ChildRequest request =
        p::child_request(p::kLibraryChild, limits.cpu_seconds, limits.memory_bytes, limits.threads);
    sandbox::Child child = zygote.start(request, plan_fd.get(), out_fd.get(), code.get());
    spdlog::debug("child {} started for {} calls", child.pid(), which.size());
    const auto deadline = budget.deadline();
    const auto loaded_by = std::min(sandbox::after(limits.load_seconds), deadline);
    // Each call's outputs, read as its end record comes (Records): a view of them all, mapped
    // at once.
    const sandbox::Mapping all_outputs(out_fd.get(), plan.output_bytes, true, "a library's outputs");
    std::map<std::size_t, std::vector<Tensor>> returned;
    library::Records records(which.size(), loaded_by, limits.call_seconds, deadline, [&](std::size_t k) {
      std::vector<Tensor> outputs;
      for (std::size_t o = 0; o < calls[which[k]].outputs.size(); ++o) {
        const Shape& shape = calls[which[k]].outputs[o];
        std::vector<double> values(element_count(shape));
        if (!values.empty())
          std::memcpy(values.data(), all_outputs.data() + plan.output_offsets[k][o], values.size() * sizeof(double));
        outputs.emplace_back(shape, std::move(values));
      }
      returned[k] = std::move(outputs);
    });
    const std::size_t room = printed.room();
    sandbox::Observation seen = child.watch(loaded_by, &records, room);
    budget.charge(seen);
    spdlog::debug("child {} ended after {:.2f} ms (CPU {:.2f} ms, {} page faults)", child.pid(), 1e3 * seen.seconds,
                  1e3 * seen.exit.cpu_seconds, seen.exit.page_faults);
    printed.add(seen);
    ++report.processes;
    if (!records.isolated() && WIFEXITED(seen.exit.status) && WEXITSTATUS(seen.exit.status) == p::kExitSetupFailed)
      throw Error("the sandbox could not confine a child: " +
                  records.load_error().value_or(library::printable(seen.output)));
    report.isolation = zygote.isolation() + "; " + records.isolation();
    const bool budget_spent_now = seen.killed && records.budget_binds() && !records.breach();

    if (!records.ready()) {  // loading failed: every remaining call shares the verdict
      if (budget_spent_now) {
        resolve_all(Verdict::timed_out, budget_spent);
        break;
      }
      const auto [verdict, message] =
          records.load_error() && !records.breach()
              ? Outcome{Verdict::load_error, "the library could not be loaded: " + library.filename().string() + ": " +
                                                 *records.load_error()}
              : abnormal_end(seen, records, limits, true);
      for (std::size_t i : which) resolve(i, verdict, message);
      break;
    }
    // Calls that reported, in order, up to the one in progress when the child ended.
    for (std::size_t k = 0; k < which.size(); ++k) {
      const std::size_t i = which[k];
      if (const auto& r = records.calls()[k]) {
        if (r->kind == library::CallRecord::Kind::threw) {
          const auto [verdict, message] = escaped(r->text);
          resolve(i, verdict, message);
        } else if (r->code == GRADER_OK) {
          report.calls[i].outputs = std::move(returned.at(k));
          report.calls[i].precision = result_precision("float64", report.calls[i].outputs);
          resolved[i] = true;
        } else if (r->code == GRADER_EXCEPTION) {
          const auto [verdict, message] = escaped(r->text);
          resolve(i, verdict, message);
        } else {
          resolve(
              i, Verdict::solution_error,
              "the function returned " + std::to_string(r->code) + ": " + (r->text.empty() ? "(no message)" : r->text));
        }
        continue;
      }
      if (const auto m = records.missing().find(k); m != records.missing().end()) {
        resolve(i, Verdict::load_error, m->second);
        continue;
      }
      if (budget_spent_now) {
        resolve_all(Verdict::timed_out, budget_spent);
        break;
      }
      // Calls run in order, so the first call without a record is the one that ended the
      // child: its verdict comes from how it ended; the rest of its group is skipped, and the
      // other calls get a fresh child.
      const auto [verdict, message] = abnormal_end(seen, records, limits, false);
      resolve(i, verdict, message);
      for (std::size_t later = k + 1; later < which.size(); ++later)
        if (calls[which[later]].group == calls[i].group)
          resolve(which[later], Verdict::skipped,
                  "not run: an earlier call of this check ended abnormally (" + std::string(to_string(verdict)) + ")");
      break;
    }
  }
  report.output = library::printable(printed.text(), limits.capture_bytes + 64);
  return report;
}

}  // namespace grader
