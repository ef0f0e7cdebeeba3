#include "child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <utility>

#include "grader/error.hpp"

namespace grader::sandbox {

namespace {

[[noreturn]] void fault(const std::string& what, int error = errno) {
  throw Error("cannot run a confined child: " + what + ": " + std::strerror(error));
}

/// A copy of `fd` numbered 10 or more, so that dup2 onto 0..6 never meets itself.
Fd high(int fd) {
  const int copy = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  if (copy < 0) fault("fcntl");
  return Fd(copy);
}

/// How long a killed child may take to be gone before the grader gives up on it.
constexpr double kGoneSeconds = 10.0;

/// How often the status pipe is drained while a child runs: records arrive per call, and
/// waking for each would cost more than the calls. So the grader wakes when the child ends
/// or prints, and every few milliseconds; the deadline's resolution is this tick.
constexpr int kTickMs = 4;

}  // namespace

Child::Child(pid_t pid, Fd pidfd, Fd status, Fd output, Reaper reaper, bool own_group)
    : pid_(pid),
      pidfd_(std::move(pidfd)),
      status_(std::move(status)),
      output_(std::move(output)),
      reaper_(std::move(reaper)),
      own_group_(own_group) {
  if (status_) fcntl(status_.get(), F_SETFL, O_NONBLOCK);
  if (output_) fcntl(output_.get(), F_SETFL, O_NONBLOCK);
}

Child::Child(Child&& o) noexcept
    : pid_(o.pid_),
      pidfd_(std::move(o.pidfd_)),
      status_(std::move(o.status_)),
      output_(std::move(o.output_)),
      reaper_(std::move(o.reaper_)),
      own_group_(o.own_group_),
      reaped_(std::exchange(o.reaped_, true)),
      counted_(std::move(o.counted_)),
      waited_ns_(o.waited_ns_),
      cpu_ns_(o.cpu_ns_),
      started_(o.started_) {}

Child::~Child() {
  if (reaped_ || !reaper_) return;
  kill();
  try {
    reaper_(pid_);
  } catch (...) {  // a destructor reaps on a best-effort basis: the error was reported already
  }
}

bool Child::running() const {
  if (reaped_ || !pidfd_) return false;
  pollfd p{pidfd_.get(), POLLIN, 0};
  return poll(&p, 1, 0) == 0;
}

void Child::kill() {
  if (pidfd_) syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
  if (own_group_) ::kill(-pid_, SIGKILL);  // what it started, where no namespace holds them
}

namespace {

/// One process's use of the CPUs, read from /proc (`pid` numbered in this process's namespace).
struct ProcessUse {
  unsigned long long start = 0;  ///< its start time, which tells a reused number from it
  std::uint64_t waited_ns = 0, cpu_ns = 0;
  bool runnable = false;
};

std::optional<ProcessUse> read_process(long pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  ProcessUse p;
  std::FILE* stat = std::fopen((proc + "/schedstat").c_str(), "r");
  if (!stat) return std::nullopt;
  unsigned long long ran = 0, waited = 0;
  const bool read = std::fscanf(stat, "%llu %llu", &ran, &waited) == 2;
  std::fclose(stat);
  if (!read) return std::nullopt;
  p.waited_ns = waited;
  // Whether its main thread is running or ready to run: the state after its name in stat; and
  // its start time, 19 fields later.
  std::FILE* all = std::fopen((proc + "/stat").c_str(), "r");
  if (!all) return std::nullopt;
  char text[1024];
  const std::size_t n = std::fread(text, 1, sizeof text - 1, all);
  std::fclose(all);
  text[n] = '\0';
  const char* after_name = std::strrchr(text, ')');  // the name may hold spaces and parentheses
  if (!after_name || after_name[1] != ' ') return std::nullopt;
  p.runnable = after_name[2] == 'R';
  const char* field = after_name + 2;
  for (int i = 0; i < 19 && field; ++i)
    if ((field = std::strchr(field, ' '))) ++field;
  if (!field || std::sscanf(field, "%llu", &p.start) != 1) return std::nullopt;
  // The CPU time of all its threads, to the nanosecond: /proc/PID/stat counts it in ticks of
  // 10 ms, which over a 50 ms sample made the credit converge short on a busy machine.
  clockid_t clock;
  timespec cpu{};
  if (clock_getcpuclockid(static_cast<pid_t>(pid), &clock) != 0 || clock_gettime(clock, &cpu) != 0) return std::nullopt;
  p.cpu_ns = static_cast<std::uint64_t>(cpu.tv_sec) * 1000000000ull + static_cast<std::uint64_t>(cpu.tv_nsec);
  return p;
}

/// The processes `root` started and theirs, `root` first: each of their threads' children.
/// At most kMaxSampled, more than any child may start.
std::vector<long> process_tree(long root) {
  constexpr std::size_t kMaxSampled = 512;
  std::vector<long> tree{root};
  for (std::size_t i = 0; i < tree.size() && tree.size() < kMaxSampled; ++i) {
    const std::string tasks = "/proc/" + std::to_string(tree[i]) + "/task";
    std::error_code ec;
    for (auto t = std::filesystem::directory_iterator(tasks, ec); !ec && t != std::filesystem::directory_iterator();
         t.increment(ec)) {
      std::FILE* children = std::fopen((t->path() / "children").c_str(), "r");
      if (!children) continue;
      long child = 0;
      while (tree.size() < kMaxSampled && std::fscanf(children, "%ld", &child) == 1) tree.push_back(child);
      std::fclose(children);
    }
  }
  return tree;
}

}  // namespace

std::optional<long> Child::pid_here() const {
  if (reaped_ || !pidfd_) return std::nullopt;
  char line[256];
  std::FILE* info = std::fopen(("/proc/self/fdinfo/" + std::to_string(pidfd_.get())).c_str(), "r");
  if (!info) return std::nullopt;
  long pid = -1;
  while (std::fgets(line, sizeof line, info))
    if (std::sscanf(line, "Pid:\t%ld", &pid) == 1) break;
  std::fclose(info);
  if (pid <= 0) return std::nullopt;
  return pid;
}

long Child::resident_kib() const {
  const auto pid = pid_here();
  if (!pid) return 0;
  std::ifstream statm("/proc/" + std::to_string(*pid) + "/statm");
  long size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

std::optional<Child::Usage> Child::usage() {
  const auto here = pid_here();
  if (!here) return std::nullopt;
  const long pid = *here;
  Usage u;
  u.at = Clock::now();
  const auto root = read_process(pid);
  if (!root) return std::nullopt;
  // The processes it started count as its own: a build's waiting is its compiler's, while the
  // runner that started it sleeps (found by a hostile-student helper: two C++ builds slowed by
  // a classmate's threads at -j 2 took 62 s and failed a 20 s compile_seconds). What each
  // process used since the last reading is added to the totals; a process that ended since
  // takes its last part with it.
  decltype(counted_) now_counted;
  for (const long p : process_tree(pid)) {
    const auto use = p == pid ? root : read_process(p);
    if (!use) continue;  // ended meanwhile
    const auto key = std::make_pair(p, use->start);
    const auto before = counted_.find(key);
    const Counted was = before == counted_.end() ? Counted{} : before->second;
    waited_ns_ += use->waited_ns - std::min(use->waited_ns, was.waited_ns);
    cpu_ns_ += use->cpu_ns - std::min(use->cpu_ns, was.cpu_ns);
    u.runnable = u.runnable || use->runnable;
    now_counted.emplace(key, Counted{use->waited_ns, use->cpu_ns});
  }
  counted_ = std::move(now_counted);
  u.waited_ns = waited_ns_;
  u.cpu_ns = cpu_ns_;
  return u;
}

Observation Child::watch(Clock::time_point deadline, Watcher* watcher, std::size_t capture_bytes) {
  Observation seen;
  // Waiting for a CPU is credited once a deadline passes: the time waited since the last credit
  // moves it (a cell's or a call's, by what was waited while it was in force; the budget, by
  // all), up to kMaxWaitedSeconds each. Only waiting while
  // none of its threads ran is another process's doing: its main thread also waits behind the
  // child's own threads (a hand-in pinned spinning threads to one CPU and ran six times past
  // its budget). Both are compared over each kSample, not in total: a total pairs the waiting
  // of one phase with the sleep of another (found by a helper: spinning, then sleeping). The
  // kernel adds a wait to the total only once it ends: a main thread still waiting as a sample
  // is read shows that wait in the next sample, so the time it did not match is carried to the
  // next sample, and no further (without it, about 8% of the waiting went uncredited with 13
  // processes per 2 CPUs). A main thread asleep as the sample is read has no wait to show.
  constexpr auto kSample = std::chrono::milliseconds(50);
  std::uint64_t earned_ns = 0, carried_idle = 0;
  Usage last{0, 0, started_};
  const auto sample = [&] {
    const auto u = usage();
    if (!u) {  // the kernel does not say (no schedstat): no credit, and not asked every tick
      last.at = Clock::now();
      return;
    }
    const auto wall = std::chrono::duration_cast<std::chrono::nanoseconds>(u->at - last.at).count();
    const auto busy = static_cast<long long>(u->cpu_ns - std::min(u->cpu_ns, last.cpu_ns));
    const auto waited = u->waited_ns - std::min(u->waited_ns, last.waited_ns);
    const std::uint64_t idle = wall > busy ? static_cast<std::uint64_t>(wall - busy) : 0;
    const std::uint64_t i = idle + carried_idle, matched = std::min(waited, i);
    earned_ns += matched;
    carried_idle = u->runnable ? std::min(i - matched, idle) : 0;
    last = *u;
  };
  // The grader stopped with its child (the whole job suspended, the machine paused) finds every
  // deadline past when it runs again: found by a helper, an honest notebook was timed out.
  const auto note_stall = [&](Clock::duration overslept) {
    if (overslept < span(kStallSeconds) || seen.stalled_seconds >= kMaxStalledSeconds) return;
    double stalled = std::chrono::duration<double>(overslept).count();
    if (const auto u = usage())  // what the child ran meanwhile was not stopped
      stalled -= std::min(stalled, 1e-9 * static_cast<double>(u->cpu_ns - std::min(u->cpu_ns, last.cpu_ns)));
    seen.stalled_seconds = std::min(kMaxStalledSeconds, seen.stalled_seconds + stalled);
  };
  // Two accounts of what was waited: a deadline the watcher sets afresh (a cell's, a call's) is
  // moved only by what was waited and stalled while it was in force: waiting under an earlier
  // deadline that was never needed is not banked for later ones (found by a hostile-student
  // helper: cells that ended in time, their own threads making their main thread wait, moved
  // every later cell's and call's deadline by all of that waiting, and a call too slow by 2 s
  // passed). The budget, which binds the whole child, is moved by all of it: waiting under
  // cells and calls that ended in time is waiting all the same (found by the next hostile
  // helper: with that waiting dropped, a classmate's spinning threads at -j 2 ran an honest
  // notebook of many short calls out of its budget).
  const std::uint64_t max_waited_ns = static_cast<std::uint64_t>(kMaxWaitedSeconds * 1e9);
  std::uint64_t budget_credited_ns = 0;                    // of earned_ns, what moved the budget
  std::uint64_t phase_from_ns = 0, phase_credited_ns = 0;  // earned_ns when the deadline in force
  double phase_stalled_from = 0;                           // was set, what moved it since; the stall then
  Clock::time_point set_deadline = deadline;
  const auto budget_binds = [&] { return watcher && watcher->budget_binds(); };
  const auto new_deadline = [&](Clock::time_point d) {
    deadline = d;
    if (d == set_deadline) return;
    set_deadline = d;
    phase_from_ns = earned_ns;
    phase_credited_ns = 0;
    phase_stalled_from = seen.stalled_seconds;
  };
  const auto allowance = [&] {
    const double waited = 1e-9 * static_cast<double>(budget_binds() ? budget_credited_ns : phase_credited_ns);
    const double stalled = budget_binds() ? seen.stalled_seconds : seen.stalled_seconds - phase_stalled_from;
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(waited + stalled));
  };
  std::string pending;
  const std::size_t tail_bytes = capture_bytes / 4;
  const auto consult = [&] {
    if (watcher && !pending.empty()) new_deadline(watcher->on_status(pending));
  };
  const auto drain = [&](Fd& fd, bool status) {
    char chunk[65536];
    for (;;) {
      const ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
      if (n == 0) {
        fd.reset();
        return;
      }
      if (n < 0) return;  // EAGAIN: nothing more for now
      const auto size = static_cast<std::size_t>(n);
      if (status) {
        // Read as it comes, chunk by chunk, so that what waits is at most one unfinished
        // record: a child writing faster than this loop reads lost bytes past a cap, and the
        // records' framing with them. Once the watcher has ended the child, the rest is
        // dropped unread.
        if (pending.size() < (1u << 20)) pending.append(chunk, size);
        consult();
      } else {
        const std::size_t keep = std::min(size, capture_bytes - std::min(capture_bytes, seen.output.size()));
        seen.output.append(chunk, keep);
        seen.output_left_out += size - keep;
        seen.output_tail.append(chunk + keep, size - keep);
        if (seen.output_tail.size() > 2 * tail_bytes)  // the last tail_bytes are all that is kept
          seen.output_tail.erase(0, seen.output_tail.size() - tail_bytes);
      }
    }
  };
  bool ended = false;
  Clock::time_point gone_by = Clock::time_point::max();
  while (!ended) {
    pollfd fds[2] = {{pidfd_.get(), POLLIN, 0}, {output_ ? output_.get() : -1, POLLIN, 0}};
    const auto now = Clock::now();
    const auto until = seen.killed ? gone_by : deadline == Clock::time_point::min() ? deadline : deadline + allowance();
    long long wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count();
    if (status_) wait_ms = std::min<long long>(wait_ms, kTickMs);
    const int timeout_ms = static_cast<int>(std::clamp<long long>(wait_ms, 0, 1000));
    const int ready = poll(fds, 2, timeout_ms);
    if (ready < 0 && errno != EINTR) fault("poll");
    if (!seen.killed) note_stall(Clock::now() - now - std::chrono::milliseconds(timeout_ms));
    if (status_) drain(status_, true);
    if (output_) drain(output_, false);
    consult();
    if (!seen.killed && Clock::now() - last.at >= kSample) sample();
    const bool end_now = deadline == Clock::time_point::min();
    if (fds[0].revents & POLLIN) {
      ended = true;
    } else if (!seen.killed && (end_now || Clock::now() >= deadline + allowance())) {
      // It waited for a CPU since the last credit of the deadline in force: more time, up to
      // kMaxWaitedSeconds in each account.
      std::uint64_t& credited = budget_binds() ? budget_credited_ns : phase_credited_ns;
      if (!end_now && credited < max_waited_ns) {
        sample();
        const std::uint64_t waited = std::min(max_waited_ns, earned_ns - (budget_binds() ? 0 : phase_from_ns));
        if (waited > credited + 1000000) {
          credited = waited;
          continue;
        }
      }
      if (const auto asked = end_now || !watcher ? std::nullopt : watcher->interrupt()) {
        if (::syscall(SYS_pidfd_send_signal, pidfd_.get(), asked->signal, nullptr, 0) == 0) {
          new_deadline(asked->deadline);  // a deadline of its own: no credit from before
          continue;
        }
      }
      seen.held_kib = resident_kib();
      kill();
      seen.killed = true;
      gone_by = after(kGoneSeconds);
    } else if (seen.killed && Clock::now() >= gone_by) {
      throw Error("a confined child (process " + std::to_string(pid_) + ") did not end after SIGKILL");
    }
  }
  // All it waited moves the budget of the hand-in's next child, as it moved this one's.
  seen.waited_seconds = 1e-9 * static_cast<double>(std::min(max_waited_ns, earned_ns));
  seen.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  seen.exit = reaper_(pid_);
  reaped_ = true;
  if (own_group_) ::kill(-pid_, SIGKILL);  // anything left in its process group
  if (status_) drain(status_, true);
  if (output_) drain(output_, false);
  consult();
  if (seen.output_tail.size() > tail_bytes) seen.output_tail.erase(0, seen.output_tail.size() - tail_bytes);
  seen.output_left_out -= seen.output_tail.size();  // counted as it came: the tail is kept
  return seen;
}

namespace {

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

}  // namespace

Budget::Budget(double seconds) : left_(span(seconds)), grader_cpu_(thread_cpu_seconds()) {}

void Budget::charge_grader() {
  const double now = thread_cpu_seconds();
  left_ -= span(now - grader_cpu_);
  grader_cpu_ = now;
}

bool Budget::spent() {
  charge_grader();
  preparing_since_ = Clock::now();
  return left_ <= Clock::duration::zero();
}

Clock::time_point Budget::deadline() {
  // The child's start: the grader's CPU, or the wall-clock time if more, up to what is no stop.
  const double before = grader_cpu_;
  charge_grader();
  const auto cpu = span(grader_cpu_ - before);
  const auto wall = std::min(Clock::now() - preparing_since_, span(kStallSeconds));
  if (wall > cpu) left_ -= wall - cpu;
  return Clock::now() + left_;
}

void Budget::charge(const Observation& seen) {
  left_ -= span(seen.seconds) - seen.moved();
  grader_cpu_ = thread_cpu_seconds();  // its watch was the child's time
}

void CapturedOutput::add(const Observation& seen) {
  append(seen.output);
  skip(seen.output_left_out);
  append(seen.output_tail);
}

void CapturedOutput::append(const std::string& text) {
  if (gap_) {
    std::size_t from = 0;  // right after bytes left out: from a line's start, if one is near
    if (std::exchange(after_skip_, false))
      if (const auto line = text.find('\n');
          line != std::string::npos && line + 1 < text.size() && line + 1 <= tail_limit_ / 2)
        from = line + 1;
    left_out_ += from;
    tail_.append(text, from);
    trim_tail();
    return;
  }
  head_ += text;  // at most room(): past the limit, open_gap() moves the rest to the end
  if (head_.size() > limit_) open_gap();
}

void CapturedOutput::skip(std::uint64_t bytes) {
  if (bytes == 0) return;
  open_gap();
  left_out_ += tail_.size() + bytes;  // what came after the start so far, and these
  tail_.clear();
  after_skip_ = true;
}

void CapturedOutput::open_gap() {
  if (gap_) return;
  gap_ = true;
  std::size_t cut = limit_ - tail_limit_;
  if (head_.size() <= cut) return;
  if (const auto line = cut > 0 ? head_.rfind('\n', cut - 1) : std::string::npos;
      line != std::string::npos && line + 1 >= cut / 2)
    cut = line + 1;
  tail_ = head_.substr(cut);
  head_.resize(cut);
  trim_tail();
}

void CapturedOutput::trim_tail() {
  if (tail_.size() <= tail_limit_) return;
  std::size_t drop = tail_.size() - tail_limit_;
  // From a line's start, if one is near.
  if (const auto line = tail_.find('\n', drop - 1);
      line != std::string::npos && line + 1 < tail_.size() && line + 1 - drop <= tail_limit_ / 2)
    drop = line + 1;
  left_out_ += drop;
  tail_.erase(0, drop);
}

std::string CapturedOutput::text() const {
  if (left_out_ == 0) {  // blank lines alone are nothing to show under a heading of their own
    std::string all = head_ + tail_;
    return all.find_first_not_of(" \t\r\n") == std::string::npos ? std::string() : all;
  }
  return head_ + (head_.empty() || head_.back() == '\n' ? "" : "\n") + "[... " + std::to_string(left_out_) +
         (left_out_ == 1 ? " byte" : " bytes") + " of output left out ...]\n" + tail_;
}

Child spawn(const Spawn& how, int status_fd) {
  int status_pipe[2] = {-1, -1}, output_pipe[2];
  if (status_fd >= 0 && pipe2(status_pipe, O_CLOEXEC) != 0) fault("pipe");
  Fd status_r(status_pipe[0]), status_w(status_pipe[1]);
  if (pipe2(output_pipe, O_CLOEXEC) != 0) fault("pipe");
  Fd output_r(output_pipe[0]), output_w(output_pipe[1]);

  std::vector<Fd> copies;  // out of the way of the numbers they are given in the child
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  copies.push_back(high(output_w.get()));
  posix_spawn_file_actions_adddup2(&actions, copies.back().get(), 1);
  posix_spawn_file_actions_adddup2(&actions, copies.back().get(), 2);
  int highest = 2;
  if (status_fd >= 0) {
    copies.push_back(high(status_w.get()));
    posix_spawn_file_actions_adddup2(&actions, copies.back().get(), status_fd);
    highest = std::max(highest, status_fd);
  }
  for (const auto& [from, to] : how.fds) {
    copies.push_back(high(from));
    posix_spawn_file_actions_adddup2(&actions, copies.back().get(), to);
    highest = std::max(highest, to);
  }
  posix_spawn_file_actions_addclosefrom_np(&actions, highest + 1);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> args = how.args;
  args.insert(args.begin(), how.program.filename().string());
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = how.env;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, how.program.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) fault("starting " + how.program.string(), rc);
  Fd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) {
    const int error = errno;
    ::kill(-pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    fault("pidfd_open", error);
  }
  const Child::Reaper reap = [](pid_t child) {
    Exit e;
    rusage usage{};
    while (wait4(child, &e.status, 0, &usage) < 0)
      if (errno != EINTR) fault("wait4");
    e.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                    static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
    e.max_rss_kib = usage.ru_maxrss;
    e.page_faults = usage.ru_minflt;
    return e;
  };
  return Child(pid, std::move(pidfd), std::move(status_r), std::move(output_r), reap, true);
}

std::string killed_by_the_system(const Exit& exit, const std::string& during, unsigned long long memory_limit_bytes) {
  const unsigned long long peak = static_cast<unsigned long long>(exit.max_rss_kib) << 10;
  if (peak < memory_worth_naming(memory_limit_bytes))
    throw KilledFromOutside(
        "a child running the submission was killed from outside " + during + " (SIGKILL, at a peak of " +
        std::to_string(peak >> 20) + " MiB of the " + std::to_string(memory_limit_bytes >> 20) +
        " MiB it may use; it may not send itself SIGKILL): the machine short of memory (the OOM killer) or "
        "a person's kill, not the student's doing");
  return "killed by the system " + during + " (SIGKILL, at a peak of " + std::to_string(peak >> 20) +
         " MiB of memory), most likely for using too much memory";
}

std::string no_end_reason(const Observation& seen, unsigned long long memory_limit_bytes, const std::string& usual) {
  const unsigned long long held = static_cast<unsigned long long>(seen.held_kib) << 10;
  if (memory_limit_bytes == 0 || held < memory_worth_naming(memory_limit_bytes)) return usual;
  return ", holding " + std::to_string(held >> 20) + " MiB of memory by then, of the " +
         std::to_string(memory_limit_bytes >> 20) +
         " MiB it may use: memory allocated in a loop and kept, or far too slow";
}

}  // namespace grader::sandbox
