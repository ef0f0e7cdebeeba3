#pragma once
/// Runs the real `grader` executable, as users and CI do.

#include <string>
#include <vector>

namespace test_support {

struct ProcessResult {
  int exit_code = -1;  ///< exit status, or 128 + signal if killed by a signal
  int signal = 0;      ///< the signal that killed it, if one did
  std::string out;     ///< everything written to stdout
  std::string err;     ///< everything written to stderr
};

/// Runs GRADER_EXECUTABLE with `args` in `working_dir` (default: the source tree).
ProcessResult run_grader(const std::vector<std::string>& args, const std::string& working_dir = "");

/// Runs any program (argv[0] a path) with the environment plus `extra_env` ("NAME=value").
ProcessResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {},
                          const std::string& working_dir = "");

/// The grader started in the background, to be interrupted or killed by a test.
class Background {
 public:
  explicit Background(const std::vector<std::string>& args, const std::string& working_dir = "");
  ~Background();  ///< kills it (SIGKILL) if it still runs
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  void signal(int sig) const;
  /// Its process id.
  int pid() const { return pid_; }
  /// Waits for it to end and collects its output.
  ProcessResult wait();

 private:
  int pid_ = -1;
  std::string out_path_, err_path_, capture_dir_;
};

/// Twelve processes spinning on this machine's cores for at most `seconds` (each ends itself
/// then, should the test not), killed and reaped when this is destroyed: a busy machine, or a
/// classmate's hand-in spinning threads beside the one under test.
class BusyProcesses {
 public:
  explicit BusyProcesses(unsigned seconds);
  ~BusyProcesses();
  BusyProcesses(const BusyProcesses&) = delete;
  BusyProcesses& operator=(const BusyProcesses&) = delete;

 private:
  std::vector<int> pids_;
};

}  // namespace test_support
