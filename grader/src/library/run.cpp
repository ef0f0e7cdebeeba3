#include "grader/library/run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>

#include "grader/error.hpp"
#include "grader/solution.h"
#include "protocol.hpp"

namespace grader {

namespace {

namespace p = protocol;
using Clock = std::chrono::steady_clock;

/// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

[[noreturn]] void fault(const std::string& what) {
  throw Error("cannot run a student library: " + what + ": " + std::strerror(errno));
}

/// A copy of `fd` numbered 10 or more, so that dup2 onto 0..5 never meets itself.
Fd high(int fd) {
  const int copy = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  if (copy < 0) fault("fcntl");
  return Fd(copy);
}

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

/// Untrusted text from the runner, made printable and short.
std::string clean(std::string_view text, std::size_t max = 500) {
  std::string out;
  for (char c : text.substr(0, max)) out += (std::isprint(static_cast<unsigned char>(c)) || c == '\n') ? c : '?';
  if (text.size() > max) out += "...";
  return out;
}

/// The plan for one runner process and where each call's outputs will be.
struct Plan {
  std::string bytes;
  std::uint64_t output_bytes = 0;
  std::vector<std::vector<std::uint64_t>> output_offsets;  ///< per call, per output
};

Plan make_plan(const std::filesystem::path& library, const std::vector<Call>& calls,
               const std::vector<std::size_t>& which, const RunLimits& limits) {
  Plan plan;
  std::string& b = plan.bytes;
  {  // one allocation: the plan of a submission is hundreds of kilobytes
    std::size_t estimate = sizeof(p::PlanHeader) + 2 * library.native().size() + 4096;
    for (std::size_t i : which) {
      estimate += sizeof(p::PlanCall) + calls[i].symbol.size() + 16 +
                  (calls[i].inputs.size() + calls[i].outputs.size()) * (sizeof(p::PlanTensor) + 8);
      for (const Tensor& t : calls[i].inputs) estimate += t.size() * sizeof(double) + 8;
    }
    b.reserve(estimate);
  }
  b.resize(sizeof(p::PlanHeader));
  const auto append = [&](const void* data, std::size_t n) {
    b.resize(round_up(b.size(), 8));
    const std::uint64_t at = b.size();
    b.append(static_cast<const char*>(data), n);
    return at;
  };
  const auto append_text = [&](const std::string& s) { return append(s.c_str(), s.size() + 1); };
  p::PlanHeader header{};
  header.magic = p::kMagic;
  header.version = p::kVersion;
  header.n_calls = static_cast<std::uint32_t>(which.size());
  header.library_offset = append_text(std::filesystem::absolute(library).string());
  header.library_dir_offset = append_text(std::filesystem::absolute(library).parent_path().string());
  header.memory_bytes = limits.memory_bytes;
  header.cpu_seconds = limits.cpu_seconds;
  header.parent_pid = getpid();

  std::vector<p::PlanCall> plan_calls(which.size());
  header.calls_offset = append(plan_calls.data(), plan_calls.size() * sizeof(p::PlanCall));
  for (std::size_t k = 0; k < which.size(); ++k) {
    const Call& call = calls[which[k]];
    p::PlanCall pc{};
    pc.symbol_offset = append_text(call.symbol);
    pc.n_inputs = static_cast<std::uint32_t>(call.inputs.size());
    pc.n_outputs = static_cast<std::uint32_t>(call.outputs.size());
    std::vector<p::PlanTensor> tensors(call.inputs.size() + call.outputs.size());
    for (std::size_t i = 0; i < call.inputs.size(); ++i) {
      const Tensor& t = call.inputs[i];
      tensors[i].rank = static_cast<std::int32_t>(t.rank());
      for (std::size_t d = 0; d < t.rank(); ++d) tensors[i].shape[d] = static_cast<std::int64_t>(t.dim(d));
      tensors[i].offset = append(t.values().data(), t.size() * sizeof(double));
    }
    plan.output_offsets.emplace_back();
    for (std::size_t o = 0; o < call.outputs.size(); ++o) {  // packed one after the other
      p::PlanTensor& pt = tensors[call.inputs.size() + o];
      const Shape& shape = call.outputs[o];
      pt.rank = static_cast<std::int32_t>(shape.size());
      for (std::size_t d = 0; d < shape.size(); ++d) pt.shape[d] = static_cast<std::int64_t>(shape[d]);
      pt.offset = plan.output_bytes;
      plan.output_offsets.back().push_back(pt.offset);
      plan.output_bytes += element_count(shape) * sizeof(double);
    }
    pc.tensors_offset = append(tensors.data(), tensors.size() * sizeof(p::PlanTensor));
    std::memcpy(b.data() + header.calls_offset + k * sizeof pc, &pc, sizeof pc);
  }
  header.output_bytes = plan.output_bytes;
  std::memcpy(b.data(), &header, sizeof header);
  return plan;
}

/// A read-only view of a file's first bytes, unmapped when it goes out of scope.
class Mapping {
 public:
  Mapping(int fd, std::size_t size) : size_(size) {
    if (size_ == 0) return;
    data_ = mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd, 0);
    if (data_ == MAP_FAILED) fault("mapping the outputs");
  }
  ~Mapping() {
    if (size_ > 0) munmap(data_, size_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  const char* data() const { return static_cast<const char*>(data_); }

 private:
  void* data_ = nullptr;
  std::size_t size_;
};

Fd sealed_memfd(const char* name, const std::string& content, std::uint64_t size, unsigned seals) {
  Fd fd(memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (fd.get() < 0) fault("memfd_create");
  if (!content.empty()) {
    std::size_t done = 0;
    while (done < content.size()) {
      const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
      if (n < 0) fault("write to memfd");
      done += static_cast<std::size_t>(n);
    }
  } else if (ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
    fault("ftruncate");
  }
  if (fcntl(fd.get(), F_ADD_SEALS, seals) != 0) fault("sealing a memfd");
  return fd;
}

std::string signal_name(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV (segmentation fault: an invalid memory access, such as "
                         "writing past an output or a stack overflow)";
    case SIGBUS: return "SIGBUS (bus error: an invalid memory access)";
    case SIGABRT: return "SIGABRT (abort(): a failed assertion or an uncaught exception)";
    case SIGFPE: return "SIGFPE (arithmetic error, such as an integer division by zero)";
    case SIGILL: return "SIGILL (illegal instruction)";
    case SIGTRAP: return "SIGTRAP (trap: a debugger breakpoint or __builtin_trap())";
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

/// What one runner process did, as observed.
struct Observed {
  bool ready = false;
  std::map<std::uint32_t, std::pair<int, std::string>> done;  // call -> (code, text)
  std::map<std::uint32_t, std::string> threw;
  std::optional<std::string> load_error;
  std::map<std::uint32_t, std::string> missing;  // call -> why its function is missing
  std::optional<int> forbidden;
  std::string isolation;
  bool killed_for_wall = false;
  bool protocol_broken = false;
  bool finished = false;  ///< the runner says it made every call
  int status = 0;
  rusage usage{};
};

/// Parses whole records off the front of `buffer`.
void parse_records(std::string& buffer, Observed& seen, Clock::time_point& deadline,
                   const RunLimits& limits) {
  while (!seen.protocol_broken && buffer.size() >= sizeof(p::RecordHeader)) {
    p::RecordHeader h{};
    std::memcpy(&h, buffer.data(), sizeof h);
    if (h.length > p::kMaxText) {
      seen.protocol_broken = true;
      break;
    }
    if (buffer.size() < sizeof h + h.length) break;
    const std::string text = clean(std::string_view(buffer).substr(sizeof h, h.length));
    buffer.erase(0, sizeof h + h.length);
    const auto next_deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                  std::chrono::duration<double>(limits.call_seconds));
    switch (h.kind) {
      case p::kIsolation: seen.isolation = text; break;
      case p::kReady: seen.ready = true; deadline = next_deadline; break;
      case p::kDone:
        seen.done[h.call] = {h.code, text};
        deadline = next_deadline;
        break;
      case p::kThrew:
        seen.threw[h.call] = text;
        deadline = next_deadline;
        break;
      case p::kLoadError:
        if (h.code == 1)
          seen.missing[h.call] = text;
        else
          seen.load_error = text;
        break;
      case p::kForbidden: seen.forbidden = h.code; break;
      case p::kFinished: seen.finished = true; break;
      default: seen.protocol_broken = true; break;
    }
  }
}

/// Starts a runner on a plan and watches it until it ends. The student's stdout and stderr
/// are appended to `output`, at most limits.capture_bytes in all.
Observed watch_runner(const Fd& plan_fd, const Fd& out_fd, const RunLimits& limits,
                      std::string& output, bool& truncated) {
  int status_pipe[2], output_pipe[2];
  if (pipe2(status_pipe, O_CLOEXEC) != 0) fault("pipe");
  Fd status_r(status_pipe[0]), status_w(status_pipe[1]);
  if (pipe2(output_pipe, O_CLOEXEC) != 0) fault("pipe");
  Fd output_r(output_pipe[0]), output_w(output_pipe[1]);
  const Fd plan_hi = high(plan_fd.get()), out_hi = high(out_fd.get()), status_hi = high(status_w.get()),
           output_hi = high(output_w.get());

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, output_hi.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, output_hi.get(), 2);
  posix_spawn_file_actions_adddup2(&actions, plan_hi.get(), p::kPlanFd);
  posix_spawn_file_actions_adddup2(&actions, out_hi.get(), p::kOutputFd);
  posix_spawn_file_actions_adddup2(&actions, status_hi.get(), p::kStatusFd);
  posix_spawn_file_actions_addclosefrom_np(&actions, p::kStatusFd + 1);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const std::string path = runner_path().string();
  char arg0[] = "grader-runner";
  char* argv[] = {arg0, nullptr};
  char env0[] = "OPENBLAS_NUM_THREADS=1", env1[] = "OMP_NUM_THREADS=1";
  char* envp[] = {env0, env1, nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, path.c_str(), &actions, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    errno = rc;
    fault("starting " + path);
  }
  status_w.reset();
  output_w.reset();
  Fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (pidfd.get() < 0) {
    kill(-pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    fault("pidfd_open");
  }
  fcntl(status_r.get(), F_SETFL, O_NONBLOCK);
  fcntl(output_r.get(), F_SETFL, O_NONBLOCK);

  Observed seen;
  std::string buffer;
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(limits.load_seconds));
  const auto drain = [&](Fd& fd, bool status) {
    char chunk[65536];
    for (;;) {
      const ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
      if (n == 0) {
        fd.reset();
        return;
      }
      if (n < 0) return;  // EAGAIN: nothing more for now
      if (status) {
        if (buffer.size() < (1u << 20)) buffer.append(chunk, static_cast<std::size_t>(n));
      } else if (output.size() < limits.capture_bytes) {
        output.append(chunk, std::min(static_cast<std::size_t>(n), limits.capture_bytes - output.size()));
        if (output.size() >= limits.capture_bytes) truncated = true;
      } else {
        truncated = true;
      }
    }
  };
  // A record arrives for every call; waking for each would cost more than the calls. So the
  // grader wakes when the process ends or prints, and every few milliseconds, to drain the
  // status pipe in bulk and enforce the deadline (its resolution is the tick).
  constexpr long long kTickMs = 4;
  bool ended = false;
  while (!ended) {
    pollfd fds[2] = {{pidfd.get(), POLLIN, 0}, {output_r.get(), POLLIN, 0}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    const int ready = poll(fds, 2, static_cast<int>(std::clamp<long long>(left, 0, kTickMs)));
    if (ready < 0 && errno != EINTR) fault("poll");
    if (status_r.get() >= 0) drain(status_r, true);
    if (output_r.get() >= 0) drain(output_r, false);
    parse_records(buffer, seen, deadline, limits);
    if (fds[0].revents & POLLIN) ended = true;
    if (!ended && !seen.killed_for_wall && Clock::now() >= deadline) {
      kill(-pid, SIGKILL);
      seen.killed_for_wall = true;
    }
  }
  if (wait4(pid, &seen.status, 0, &seen.usage) < 0) fault("wait4");
  kill(-pid, SIGKILL);  // anything left in its process group
  if (status_r.get() >= 0) drain(status_r, true);
  if (output_r.get() >= 0) drain(output_r, false);
  parse_records(buffer, seen, deadline, limits);
  return seen;
}

/// The verdict for the call in progress when the runner ended, from the exit status.
std::pair<Verdict, std::string> abnormal_end(const Observed& seen, const RunLimits& limits, bool loading) {
  const std::string during = loading ? "while the library was loading (in a static constructor?)"
                                     : "during the call";
  const double cpu = static_cast<double>(seen.usage.ru_utime.tv_sec + seen.usage.ru_stime.tv_sec) +
                     static_cast<double>(seen.usage.ru_utime.tv_usec + seen.usage.ru_stime.tv_usec) * 1e-6;
  char limit[64];
  if (seen.killed_for_wall) {
    std::snprintf(limit, sizeof limit, "%g", loading ? limits.load_seconds : limits.call_seconds);
    return {Verdict::timed_out, std::string("no result after ") + limit + " s of wall-clock time " +
                                    during + ": an endless loop, a wait, or far too slow"};
  }
  if (WIFSIGNALED(seen.status)) {
    const int sig = WTERMSIG(seen.status);
    if (sig == SIGSYS)
      return {Verdict::forbidden,
              "the sandbox stopped the system call " +
                  (seen.forbidden ? "'" + syscall_name(*seen.forbidden) + "'" : std::string("made")) + " " +
                  during + ": a solution may compute and allocate memory, but not open files, "
                  "use the network, or start processes"};
    if (sig == SIGXCPU || (sig == SIGKILL && cpu >= limits.cpu_seconds))
      return {Verdict::timed_out, "used up its " + std::to_string(limits.cpu_seconds) +
                                      " s of CPU time " + during + ": an endless loop, or far too slow"};
    if (sig == SIGKILL)
      return {Verdict::out_of_memory,
              "killed by the system " + during + ", most likely for using too much memory"};
    return {Verdict::crashed, "crashed with " + signal_name(sig) + " " + during};
  }
  const int code = WIFEXITED(seen.status) ? WEXITSTATUS(seen.status) : -1;
  return {Verdict::crashed, "the library ended the process (exit status " + std::to_string(code) +
                                ") " + during + "; a solution must return, not exit"};
}

/// The verdict of an exception that escaped the student's function, given its text.
std::pair<Verdict, std::string> escaped(const std::string& text) {
  if (text.find("bad_alloc") != std::string::npos)
    return {Verdict::out_of_memory, "ran out of memory (std::bad_alloc)"};
  return {Verdict::threw, "an exception escaped the function: " + text};
}

}  // namespace

std::filesystem::path runner_path() {
  if (const char* env = std::getenv("GRADER_RUNNER"); env && *env) return env;
  return GRADER_RUNNER_PATH;
}

RunReport run_library(const std::filesystem::path& library, const std::vector<Call>& calls,
                      const RunLimits& limits) {
  // Same-user children must not read the grader's memory through /proc/<pid>/mem.
  static const bool undumpable = prctl(PR_SET_DUMPABLE, 0) == 0;
  (void)undumpable;

  RunReport report;
  report.calls.resize(calls.size());
  std::vector<bool> resolved(calls.size(), false);
  bool truncated = false;
  const auto resolve = [&](std::size_t i, Verdict v, std::string message) {
    report.calls[i].failure = v;
    report.calls[i].message = std::move(message);
    resolved[i] = true;
  };
  for (;;) {
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < calls.size(); ++i)
      if (!resolved[i]) which.push_back(i);
    if (which.empty()) break;

    const Plan plan = make_plan(library, calls, which, limits);
    const Fd plan_fd = sealed_memfd("grader-plan", plan.bytes, 0,
                                    F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    const Fd out_fd = sealed_memfd("grader-outputs", "", plan.output_bytes,
                                   F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
    const Observed seen = watch_runner(plan_fd, out_fd, limits, report.output, truncated);
    ++report.processes;
    if (!seen.isolation.empty()) report.isolation = seen.isolation;
    // The outputs, now that nothing can change them any more (the memfd's size is sealed).
    const Mapping all_outputs(out_fd.get(), plan.output_bytes);

    if (!seen.ready) {  // loading failed: every remaining call shares the verdict
      const auto [verdict, message] =
          seen.load_error ? std::pair{Verdict::load_error, "the library could not be loaded: " + *seen.load_error}
                          : abnormal_end(seen, limits, true);
      for (std::size_t i : which) resolve(i, verdict, message);
      break;
    }
    // Calls that reported, in order, up to the one in progress when the runner ended.
    for (std::size_t k = 0; k < which.size(); ++k) {
      const std::size_t i = which[k];
      const auto key = static_cast<std::uint32_t>(k);
      if (const auto d = seen.done.find(key); d != seen.done.end()) {
        const auto& [code, text] = d->second;
        if (code == GRADER_OK) {
          std::vector<Tensor> outputs;
          for (std::size_t o = 0; o < calls[i].outputs.size(); ++o) {
            std::vector<double> values(element_count(calls[i].outputs[o]));
            if (!values.empty())
              std::memcpy(values.data(), all_outputs.data() + plan.output_offsets[k][o],
                          values.size() * sizeof(double));
            outputs.emplace_back(calls[i].outputs[o], std::move(values));
          }
          report.calls[i].outputs = std::move(outputs);
          resolved[i] = true;
        } else if (code == GRADER_EXCEPTION) {
          const auto [verdict, message] = escaped(text);
          resolve(i, verdict, message);
        } else {
          resolve(i, Verdict::solution_error,
                  "the function returned " + std::to_string(code) + ": " +
                      (text.empty() ? "(no message)" : text));
        }
        continue;
      }
      if (const auto m = seen.missing.find(key); m != seen.missing.end()) {
        resolve(i, Verdict::load_error, m->second);
        continue;
      }
      if (const auto t = seen.threw.find(key); t != seen.threw.end()) {
        const auto [verdict, message] = escaped(t->second);
        resolve(i, verdict, message);
        continue;
      }
      // Calls run in order, so the first call without a report is the one that ended the
      // runner (or whose report was lost): its verdict comes from the exit status; the rest of its group is skipped, and the other
      // calls get a fresh runner.
      auto [verdict, message] = abnormal_end(seen, limits, false);
      if (seen.finished && !seen.killed_for_wall)
        message = "the runner ended without reporting this call (did the library write to "
                  "descriptor 5 or corrupt memory?)";
      resolve(i, verdict, message);
      for (std::size_t later = k + 1; later < which.size(); ++later)
        if (calls[which[later]].group == calls[i].group)
          resolve(which[later], Verdict::skipped,
                  "not run: an earlier call of this check ended abnormally (" +
                      std::string(to_string(verdict)) + ")");
      break;
    }
  }
  if (truncated) report.output += "\n[... output truncated]";
  report.output = clean(report.output, limits.capture_bytes + 64);
  return report;
}

}  // namespace grader
