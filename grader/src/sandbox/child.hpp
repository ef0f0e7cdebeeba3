#pragma once
/// The grader's side of every confined child (the compiler, a library's calls, a Python
/// hand-in): starting it fresh with exec, watching it from outside with deadlines taken from
/// the grader's own clock, killing it with everything it started, and collecting how it ended.
/// A verdict rests only on what is observed here (docs/sandbox.md).

#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fd.hpp"

namespace grader::sandbox {

using Clock = std::chrono::steady_clock;

/// How a child ended.
struct Exit {
  int status = 0;          ///< its wait status
  double cpu_seconds = 0;  ///< user + system
  long max_rss_kib = 0;    ///< peak resident memory
  long page_faults = 0;    ///< minor page faults (most of a forked child's cost)
};

/// Why a child the grader did not end, nor its CPU limit, died of SIGKILL (which a child may
/// not send itself): the kernel's OOM killer (children are its first choice) or a person. For
/// the student, with the memory it held at its peak, where that is a quarter of
/// `memory_limit_bytes` or more (memory_worth_naming): its own memory, most likely. Below
/// that, not the student's doing: throws Error (found by a TA helper: a correct notebook
/// killed at 147 MiB was told it used too much memory, and --resume kept the zero).
/// `during`: "while ...".
std::string killed_by_the_system(const Exit& exit, const std::string& during, unsigned long long memory_limit_bytes);

/// What the grader observed of a child: the only basis of a verdict.
struct Observation {
  Exit exit;
  bool killed = false;  ///< the grader ended it (a deadline, or a breach of protocol)
  /// Its stdout and stderr: all of it, or when more came than the capture limit, the first
  /// `capture_bytes`, then the last quarter of that in `output_tail`, the bytes between them
  /// left out (CapturedOutput makes one text of them).
  std::string output, output_tail;
  std::uint64_t output_left_out = 0;
  double seconds = 0;  ///< wall-clock time from its start until its end was seen (before reaping)
  /// The memory it held when the grader ended it for its time (resident, from /proc), in KiB;
  /// 0 when it ended otherwise. Not its peak: memory it freed long before is not held.
  long held_kib = 0;
  /// The time it waited for a CPU others held (at most kMaxWaitedSeconds), which moves the
  /// budget of a hand-in's later children as it moved this one's.
  double waited_seconds = 0;
  /// And for the time the grader itself was stopped while the child did not run: the whole
  /// job suspended (SIGSTOP, a Slurm suspend), the virtual machine paused.
  double stalled_seconds = 0;

  /// Both: how much later the budget comes for a hand-in's next child.
  Clock::duration moved() const {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(waited_seconds + stalled_seconds));
  }
};

/// Why a child gave no result in its time, for the student, after "no result after N s ...":
/// `usual` (": an endless loop, a wait, or far too slow"), unless the grader ended it holding a
/// quarter of its memory limit or more: memory filled page by page runs out of time before it
/// runs out of memory on a machine whose page faults are slow (found by a helper: a list of
/// tensors growing without end was told of an endless loop). What it held then, not its peak
/// (found by the next: a peak of memory freed before an endless loop was named for the loop).
std::string no_end_reason(const Observation& seen, unsigned long long memory_limit_bytes, const std::string& usual);
/// The memory held that no_end_reason names: a quarter of the limit (a Python child is told it,
/// to say the same of a cell it interrupts itself).
constexpr unsigned long long memory_worth_naming(unsigned long long memory_limit_bytes) {
  return memory_limit_bytes / 4;
}

/// What the children of one submission printed, in order, as one text within one limit: all
/// of it, or the start, "[... N bytes of output left out ...]" and the last quarter of the
/// limit, each in whole lines where a line ends near the cut (found by a helper: a cut in the
/// middle of a line, the test cells' last prints lost, no word of how much; then, with a
/// fresh child after a crash, its lines before the first child's end and over the limit).
class CapturedOutput {
 public:
  explicit CapturedOutput(std::size_t limit) : limit_(limit), tail_limit_(limit / 4) {}
  /// What the next child may print and be kept: the start's room, and past it the end's.
  std::size_t room() const {
    return gap_ ? tail_limit_ : std::max(limit_ - std::min(limit_, head_.size()), tail_limit_);
  }
  void add(const Observation& seen);
  std::string text() const;

 private:
  void append(const std::string& text);
  void skip(std::uint64_t bytes);  ///< printed and not kept
  void open_gap();                 ///< from here on only the end is kept: the start leaves it room
  void trim_tail();

  std::size_t limit_, tail_limit_;
  std::string head_, tail_;
  std::uint64_t left_out_ = 0;
  bool gap_ = false;
  bool after_skip_ = false;  ///< the next text follows bytes left out, perhaps within a line
};

/// Reads a child's status records as they arrive and says until when it may run.
class Watcher {
 public:
  virtual ~Watcher() = default;
  /// Bytes of the status pipe were appended to `pending`: consume the whole records from its
  /// front and return the child's deadline, or Clock::time_point::min() to end it now.
  virtual Clock::time_point on_status(std::string& pending) = 0;
  /// How a child is asked to stop what it does rather than ended: a signal it may ignore, and
  /// its new deadline.
  struct Interrupt {
    Clock::time_point deadline;
    int signal;
  };
  /// The deadline has passed: an Interrupt if the child is asked to stop what it does instead,
  /// or nothing to end it now.
  virtual std::optional<Interrupt> interrupt() { return std::nullopt; }
  /// Whether the deadline in force is the budget of the whole child (moved by all the waiting
  /// credited) rather than one set afresh for a part of its work (moved by its own only).
  virtual bool budget_binds() const { return false; }
};

/// A running child and the grader's ends of its pipes.
class Child {
 public:
  using Reaper = std::function<Exit(pid_t)>;

  Child(pid_t pid, Fd pidfd, Fd status, Fd output, Reaper reaper, bool own_group);
  Child(Child&& o) noexcept;
  Child& operator=(Child&&) = delete;
  ~Child();  ///< kills and reaps it if it was never watched to its end

  pid_t pid() const { return pid_; }
  /// True until it has ended.
  bool running() const;

  /// Watches the child until it ends: its output is captured (at most `capture_bytes`, the
  /// rest drained and counted as truncated), its status pipe is handed to `watcher` (which
  /// may be null), and it is killed when the deadline passes. Then reaped.
  Observation watch(Clock::time_point deadline, Watcher* watcher, std::size_t capture_bytes);

  /// Kills it and everything it started (its PID namespace, or its process group).
  void kill();

  /// What the kernel says of its use of the CPUs so far, or nothing: its own and that of the
  /// processes it started (a build's compiler), as far as each was read while it ran.
  struct Usage {
    std::uint64_t waited_ns = 0;  ///< each process's main thread, ready to run, waiting for a CPU (schedstat)
    std::uint64_t cpu_ns = 0;     ///< the CPU time of all their threads (each one's process CPU clock)
    Clock::time_point at;         ///< when this was read
    bool runnable = false;        ///< one of their main threads was running or ready to run
  };
  std::optional<Usage> usage();

 private:
  /// Its number in this process's PID namespace, from the pidfd (a zygote's child has another
  /// in the zygote's namespace); read each time: a number is only valid while it runs.
  std::optional<long> pid_here() const;
  /// The memory it holds (resident), in KiB; 0 if it cannot be read.
  long resident_kib() const;

  pid_t pid_;
  Fd pidfd_, status_, output_;
  Reaper reaper_;
  bool own_group_;
  bool reaped_ = false;
  /// What usage() counted of each process ((number, start time) -> waited and CPU time at its
  /// last reading), and the totals.
  struct Counted {
    std::uint64_t waited_ns = 0, cpu_ns = 0;
  };
  std::map<std::pair<long, unsigned long long>, Counted> counted_;
  std::uint64_t waited_ns_ = 0, cpu_ns_ = 0;
  Clock::time_point started_ = Clock::now();
};

/// A deadline is moved by the time the child waited for a CPU that others held (a neighbour's
/// threads on a busy machine), so that no verdict depends on who else was running; by at most
/// this much in all per child, so that nothing waits without end.
constexpr double kMaxWaitedSeconds = 120.0;

/// A poll of the watching loop that returns this much later than asked means the grader was
/// not running (stopped, or its machine paused): that time, less what the child ran meanwhile,
/// moves the child's deadlines too, by at most kMaxStalledSeconds in all.
constexpr double kStallSeconds = 0.5;
constexpr double kMaxStalledSeconds = 3600.0;

/// How to start a child fresh with exec.
struct Spawn {
  std::filesystem::path program;
  std::vector<std::string> args;         ///< argv[1..]
  std::vector<std::string> env;          ///< the whole environment ("NAME=value")
  std::vector<std::pair<int, int>> fds;  ///< (the grader's descriptor, the number in the child)
};

/// Starts a child: stdin /dev/null, stdout and stderr to a capture pipe, a status pipe at
/// `status_fd` if not negative, the descriptors of `how.fds`, nothing else; its own process
/// group; every signal at its default. Throws grader::Error if it cannot (a grader fault).
Child spawn(const Spawn& how, int status_fd = -1);

/// The wall-clock time left until `deadline`, in seconds (never negative).
inline double seconds_left(Clock::time_point deadline) {
  return std::max(0.0, std::chrono::duration<double>(deadline - Clock::now()).count());
}

/// `seconds` as the clock's duration.
inline Clock::duration span(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

/// `seconds` from now, as a deadline.
inline Clock::time_point after(double seconds) { return Clock::now() + span(seconds); }

/// A hand-in's time budget over all its children: spent while one of them is watched, less what
/// its Observation::moved() credits, and by the CPU time the grader's thread uses for the
/// hand-in between them (its plans and files, made afresh for each child), or by the wall-clock
/// time from spent() to deadline() (the child's start: the grader's plans and the zygote's fork)
/// where that is more, up to kStallSeconds. Not by more wall-clock time between children: a stop
/// of the whole job that lands there uses no CPU (found in CI, beside a sanitizer build: the job
/// stopped for 32 s as the grader prepared a child, outside the waits that credit a stop, and an
/// honest notebook ran out of its 30 s). The grader's CPU counts (found by a hostile helper: 2000
/// children, each given a 33 MB file, took 1.7 times the budget when it did not), and so does the
/// zygote's fork (found by the next: a notebook crashing at each of its 3000 lines, a fresh child
/// for each, took 1.35 times the budget).
class Budget {
 public:
  explicit Budget(double seconds);
  /// Nothing left for another child.
  bool spent();
  /// The deadline of the child that starts now: what is left, from now.
  Clock::time_point deadline();
  /// That child has been watched to its end.
  void charge(const Observation& seen);

 private:
  void charge_grader();  ///< the thread's CPU time since it last did
  Clock::duration left_;
  double grader_cpu_;  ///< the thread's CPU time when it last charged
  Clock::time_point preparing_since_ = Clock::now();  ///< when spent() last asked
};

}  // namespace grader::sandbox
